/**
 * The `image` plop generator, shipped as one self-contained file into every
 * generated repo (tools/plop/add-image.mjs, next to a plopfile.mjs that
 * re-exports it), so `npx plop image` works with plop from the npm registry
 * alone. The same file serves this repo's own `plop image --dest REPO`.
 */
import { checkImageName, defaultBaseImage, planAddImage } from '../../generators/image/add-image.js';
import { quoted } from '../../generators/project/answers.js';
import { troubleshootingUrl } from '../../generators/shared/docs.js';
import { UserError } from '../../generators/shared/errors.js';
import { repoReader, writeChanges } from '../io/repo-files.js';

interface PlopApi {
  setGenerator(name: string, config: unknown): void;
  setActionType(name: string, action: (answers: Record<string, unknown>, config: unknown, plop: PlopApi) => string | Promise<string>): void;
  getDestBasePath(): string;
}

/**
 * plop takes generator flags only by prompt name: `--base-image` (the
 * project's spelling, as in `mlops-project image`) is the prompt, and
 * `--baseImage` (the spelling older docs gave) a prompt never asked. Given
 * `--baseImage`, the `--base-image` prompt is not asked either: plop would
 * ask every prompt not given, and a conditional prompt cannot be given.
 * Both are read the same way (`planAddImage` checks the value).
 */
const BASE_IMAGE = 'base-image';
const BASE_IMAGE_ALIAS = 'baseImage';

function hasFlag(argv: readonly string[], name: string): boolean {
  const end = argv.indexOf('--');
  return argv.slice(end + 1).some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
}

export default function plopfile(plop: PlopApi): void {
  plop.setActionType('add-image', (answers, _config, api) => {
    const given = [answers[BASE_IMAGE], answers[BASE_IMAGE_ALIAS]].map((v) => String(v ?? '').trim()).filter(Boolean);
    const baseImage = given[0] ?? '';
    const dir = api.getDestBasePath();
    // node-plop skips prompt validation for bypassed answers: planAddImage checks everything again.
    let changes;
    try {
      if (new Set(given).size > 1)
        throw new UserError(`Give the base image once: --${BASE_IMAGE} ${quoted(given[0] ?? '').slice(1, -1)} or --${BASE_IMAGE_ALIAS} ${quoted(given[1] ?? '').slice(1, -1)}, not both.`, { docs: 'image-command' });
      changes = planAddImage(repoReader(dir), {
        name: String(answers.name ?? ''),
        ...(baseImage ? { baseImage } : {}),
      });
    } catch (error) {
      // plop prints the message on its ✖ line: keep it one line, with where the docs explain it.
      if (error instanceof UserError) throw new Error(`${error.message} Docs: ${troubleshootingUrl(error.docs)}`);
      throw error;
    }
    writeChanges(dir, changes);
    return changes.map((c) => `${c.created ? 'created' : 'updated'} ${c.path}`).join(', ');
  });
  plop.setGenerator('image', {
    description: 'add a Docker image: Dockerfile, build job, BUILD_ switch, retag line, docs',
    prompts: [
      {
        type: 'input',
        name: 'name',
        message: 'Image name (a-z, 0-9, -)',
        validate: (value: string) => checkImageName(value) ?? true,
      },
      {
        type: 'input',
        name: BASE_IMAGE,
        message: 'Base image',
        // A boolean, not a function: plop refuses to take a conditional prompt from a flag.
        // Without a terminal it is not asked (there is no one to answer): the cpu image's base.
        when: Boolean(process.stdin.isTTY) && !hasFlag(process.argv, BASE_IMAGE_ALIAS),
        // The cpu image's base.
        default: () => {
          try {
            return defaultBaseImage(repoReader(plop.getDestBasePath())) ?? '';
          } catch {
            return '';
          }
        },
      },
      { type: 'input', name: BASE_IMAGE_ALIAS, message: `Base image (the same as --${BASE_IMAGE})`, when: false },
    ],
    actions: [{ type: 'add-image' }],
  });
}
