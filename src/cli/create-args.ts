/** Command-line flags of `create-mlops-project`, and its --help. */
import { parseArgs } from 'node:util';
import { ANSWER_KEYS, type AnswerKey, flagOf, PLATFORMS, BUILDERS, PYTHON_VERSIONS } from '../core/answers.js';
import { UserError } from '../core/errors.js';

export interface CreateArgs {
  dir: string | undefined;
  given: Partial<Record<AnswerKey, string>>;
  answersFile: string | undefined;
  yes: boolean;
  dryRun: boolean;
  force: boolean;
  git: boolean;
  help: boolean;
  version: boolean;
}

const answerOptions = Object.fromEntries(
  ANSWER_KEYS.map((key) => [flagOf(key).slice(2), { type: 'string' as const }]),
);

const OPTIONS = {
  ...answerOptions,
  answers: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  'no-git': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

export function parseCreateArgs(argv: string[]): CreateArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]?.replace(/\. To specify a positional.*$/, '') ?? '';
    throw new UserError(`${message.replace(/\.$/, '')}.`, { hint: 'Run create-mlops-project --help for the flags.' });
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1)
    throw new UserError(`Expected at most one directory, got ${positionals.length}: ${positionals.join(' ')}.`);
  const given: Partial<Record<AnswerKey, string>> = {};
  const raw = values as Record<string, unknown>;
  for (const key of ANSWER_KEYS) {
    const value = raw[flagOf(key).slice(2)];
    if (typeof value === 'string') given[key] = value;
  }
  return {
    dir: positionals[0],
    given,
    answersFile: values.answers,
    yes: values.yes ?? false,
    dryRun: values['dry-run'] ?? false,
    force: values.force ?? false,
    git: !(values['no-git'] ?? false),
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

export const CREATE_HELP = `Usage: create-mlops-project [dir] [flags]
       npm create mlops-project@latest [dir] -- [flags]

Generate an MLOps repository for GitLab: a Python package with tests, configs,
CPU and GPU Dockerfiles, a conda environment, a docs site and a complete
.gitlab-ci.yml. Without [dir], the repo is created in ./<repo-name>.

Answers (each is asked on a terminal when not given):
  --project-name TEXT   human name                  default: My Project (or from [dir])
  --repo-name SLUG      ^[a-z][a-z0-9-]*$, max 72   default: from the project name
  --package-name NAME   Python package name         default: from the repo name
  --description TEXT    one line                    default: empty
  --author TEXT         one line                    default: empty
  --platform NAME       ${PLATFORMS.join(' | ')} (Harbor | Artifact Registry)   default: onprem
  --registry HOST/PATH  image repository prefix     default: a placeholder, with a warning
  --runner-tag TAG      GitLab runner tag           default: on-prem (gcp: gcp)
  --python VERSION      ${PYTHON_VERSIONS.join(' | ')}            default: 3.12
  --builder NAME        ${BUILDERS.join(' | ')}            default: kaniko

Other flags:
  -y, --yes             take defaults for every answer not given; never prompt
  --answers FILE        answers from a JSON or YAML file (or another repo's .mlops-project.json)
  --dry-run             print the plan (files, git steps); write nothing
  --force               write into a non-empty directory (never deletes a file)
  --no-git              skip git init and the first commit
  -h, --help            show this help
  -V, --version         show the version

Without a terminal, nothing is asked: give every answer, or --yes.
`;
