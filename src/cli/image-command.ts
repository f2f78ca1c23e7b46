/** `mlops-project image --name NAME [--base-image IMAGE] [--dir REPO] [--dry-run]`. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { planAddImage } from '../../generators/image/add-image.js';
import { quoted } from '../../generators/project/answers.js';
import { docsUrl } from '../../generators/shared/docs.js';
import { UserError } from '../../generators/shared/errors.js';
import { repoReader, writeChanges } from '../io/repo-files.js';
import { flagError } from './flag-error.js';
import { flagTable } from './help-table.js';
import { IMAGE_OPTIONS, IMAGE_ROWS } from './image-command-flags.js';
import { dim, green, say } from './output.js';

export const IMAGE_HELP = `Usage: mlops-project image --name NAME [flags]

Add a Docker image to this repo: docker/<repo>-NAME.Dockerfile (a copy of the
cpu one), a build:NAME-image job and a BUILD_NAME switch in .gitlab-ci.yml,
its retag line, a row in docs/images.md and in docs/pipeline.md's variables,
and an entry in .mlops-project.json.

Flags:
${flagTable([...IMAGE_ROWS, { flag: '-h, --help', what: 'show this help' }])}
Docs: ${docsUrl('images/')}
`;

export async function imageCommand(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: IMAGE_OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw flagError(error, IMAGE_OPTIONS, 'Run mlops-project image --help.');
  }
  if (values.help) return say(IMAGE_HELP);
  if (values.name === undefined) throw new UserError('Missing --name: the name of the image to add, e.g. --name serving.', { docs: 'image-command' });
  const baseImage = values['base-image'] ?? values.baseImage;
  if (values['base-image'] !== undefined && values.baseImage !== undefined && values['base-image'] !== values.baseImage)
    throw new UserError(`Give the base image once: --base-image ${quoted(values['base-image']).slice(1, -1)} or --baseImage ${quoted(values.baseImage).slice(1, -1)}, not both.`, { docs: 'image-command' });
  const dir = resolve(values.dir ?? '.');
  const changes = planAddImage(repoReader(dir), { name: values.name, ...(baseImage !== undefined ? { baseImage } : {}) });
  if (values['dry-run']) {
    say(`Add image ${values.name} ${dim('(dry run: nothing written)')}`);
    for (const change of changes) say(`  ${change.created ? 'create' : 'update'} ${change.path}`);
    return;
  }
  writeChanges(dir, changes);
  say(`${green('✔')} Added image ${values.name}:`);
  for (const change of changes) say(`  ${change.created ? 'created' : 'updated'} ${change.path}`);
}
