/**
 * The `image` plop generator, shipped as one self-contained file into every
 * generated repo (tools/plop/add-image.mjs, next to a plopfile.mjs that
 * re-exports it), so `npx plop image` works with plop from the npm registry
 * alone. The same file serves this repo's own `plop image --dest REPO`.
 */
import { checkImageName, defaultBaseImage, planAddImage } from '../core/add-image.js';
import { troubleshootingUrl } from '../core/docs.js';
import { UserError } from '../core/errors.js';
import { repoReader, writeChanges } from '../io/repo-files.js';

interface PlopApi {
  setGenerator(name: string, config: unknown): void;
  setActionType(name: string, action: (answers: Record<string, unknown>, config: unknown, plop: PlopApi) => string | Promise<string>): void;
  getDestBasePath(): string;
}

export default function plopfile(plop: PlopApi): void {
  plop.setActionType('add-image', (answers, _config, api) => {
    const baseImage = String(answers.baseImage ?? '').trim();
    const dir = api.getDestBasePath();
    // node-plop skips prompt validation for bypassed answers: planAddImage checks everything again.
    let changes;
    try {
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
        name: 'baseImage',
        message: 'Base image',
        // The cpu image's base; `--baseImage _` takes it without a prompt.
        default: () => {
          try {
            return defaultBaseImage(repoReader(plop.getDestBasePath())) ?? '';
          } catch {
            return '';
          }
        },
      },
    ],
    actions: [{ type: 'add-image' }],
  });
}
