/** `mlops-project set-registry HOST/PATH [--dir REPO] [--dry-run]`. */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ANSWERS_FILE } from '../../generators/project/answers-file.js';
import { docsUrl } from '../../generators/shared/docs.js';
import { UserError } from '../../generators/shared/errors.js';
import { PIPELINE_FILE, planSetRegistry } from '../../generators/project/set-registry.js';
import { shellQuote } from '../../generators/shared/shell-quote.js';
import { uncommitted } from '../io/git-status.js';
import { repoReader, writeChanges } from '../io/repo-files.js';
import { mlopsProjectCommand } from '../io/template-source.js';
import { flagError } from './flag-error.js';
import { flagTable } from './help-table.js';
import { dim, green, say } from './output.js';
import { SET_REGISTRY_OPTIONS, SET_REGISTRY_ROWS } from './set-registry-flags.js';

export const SET_REGISTRY_HELP = `Usage: mlops-project set-registry HOST/PATH [flags]

Set the registry images are pushed to, in both places a generated repo keeps
it: IMAGE_REGISTRY in .gitlab-ci.yml and answers.registry in
.mlops-project.json (which mlops-project gitlab-variables reads). Only those
two values change; every other byte stays. The repo's platform decides what
is valid (gcp: Artifact Registry).

Flags:
${flagTable([...SET_REGISTRY_ROWS, { flag: '-h, --help', what: 'show this help' }])}
Docs: ${docsUrl('reference/flags/#mlops-project-set-registry')}
`;

const WHERE: Record<string, string> = { [PIPELINE_FILE]: 'IMAGE_REGISTRY', [ANSWERS_FILE]: 'answers.registry' };

export async function setRegistryCommand(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: SET_REGISTRY_OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw flagError(error, SET_REGISTRY_OPTIONS, 'Run mlops-project set-registry --help.');
  }
  const { values, positionals } = parsed;
  if (values.help) return say(SET_REGISTRY_HELP);
  if (positionals.length !== 1)
    throw new UserError(
      positionals.length === 0
        ? 'Missing the registry: mlops-project set-registry HOST/PATH, e.g. harbor.example.com/team/my-project.'
        : `Expected one registry, got ${positionals.length}: ${positionals.join(' ')}.`,
      { docs: 'set-registry' },
    );
  const registry = positionals[0]!;
  const shown = values.dir ?? '.';
  const dir = resolve(shown);
  const plan = planSetRegistry(repoReader(dir), registry);
  const was = `was ${plan.from.record}${plan.from.pipeline !== undefined ? `; ${PIPELINE_FILE} had ${plan.from.pipeline}` : ''}`;
  if (plan.changes.length === 0) return say(`${green('✔')} The registry is ${registry} already, in ${PIPELINE_FILE} and ${ANSWERS_FILE}: nothing to change.`);
  if (values['dry-run']) {
    say(`Set the registry to ${registry} ${dim(`(${was}; dry run: nothing written)`)}`);
    for (const change of plan.changes) say(`  update ${change.path} (${WHERE[change.path]})`);
    return;
  }
  const dirty = await uncommitted(dir, plan.changes.map((c) => c.path));
  if (dirty !== undefined && dirty.length > 0)
    throw new UserError(
      `${dirty.join(' and ')} ${dirty.length > 1 ? 'have' : 'has'} changes that are not committed in ${shown === '.' ? 'this repo' : shown}: commit or stash them first, so the registry change can be reviewed (and undone) on its own.`,
      { docs: 'set-registry' },
    );
  writeChanges(dir, plan.changes);
  say(`${green('✔')} Registry set to ${registry} ${dim(`(${was})`)}:`);
  for (const change of plan.changes) say(`  updated ${change.path} (${WHERE[change.path]})`);
  say(`Commit it, then set the registry credential: ${mlopsProjectCommand()} gitlab-variables --gitlab-project <group/project>${shown === '.' ? '' : ` --dir ${shellQuote(shown)}`}`);
}
