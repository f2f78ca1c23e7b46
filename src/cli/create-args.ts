/** Command-line flags of `create-mlops-project`, and its --help. */
import { parseArgs } from 'node:util';
import { ANSWER_KEYS, type AnswerKey, defaultOf, flagOf, PYTHON_VERSIONS, quoted } from '../../generators/project/answers.js';
import { BUILDERS, PLATFORMS } from '../../generators/platforms/platforms.js';
import { authChoices, type Builders, credentialAuths, platformHelp, type Platforms, runnerTagHelp } from '../../generators/platforms/variants.js';
import type { GitLabSettings } from '../../generators/project/command-line.js';
import { DOCS_URL } from '../../generators/shared/docs.js';
import { UserError } from '../../generators/shared/errors.js';
import { flagError } from './flag-error.js';
import { type FlagRow, flagTable } from './help-table.js';

export interface CreateArgs {
  dir: string | undefined;
  given: Partial<Record<AnswerKey, string>>;
  answersFile: string | undefined;
  yes: boolean;
  dryRun: boolean;
  force: boolean;
  /** --overwrite PATH (repeatable): files of the target that may be replaced; `.` for all. */
  overwrite: string[];
  git: boolean;
  help: boolean;
  version: boolean;
  gitlab: GitLabSettings;
}

const answerOptions = Object.fromEntries(
  ANSWER_KEYS.map((key) => [flagOf(key).slice(2), { type: 'string' as const }]),
);

/** Flags whose values are free text, often several words. */
const FREE_TEXT = new Set(['project-name', 'description', 'author']);

const OPTIONS = {
  ...answerOptions,
  answers: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  overwrite: { type: 'string', multiple: true },
  git: { type: 'boolean', default: true },
  'gitlab-url': { type: 'string' },
  'gitlab-project': { type: 'string' },
  'gitlab-namespace': { type: 'string' },
  'gitlab-create': { type: 'boolean' },
  'gitlab-push': { type: 'boolean' },
  protected: { type: 'boolean', default: true },
  'keep-pipeline-variables-role': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const;

export function parseCreateArgs(argv: string[]): CreateArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, allowNegative: true, strict: true, tokens: true });
  } catch (error) {
    throw flagError(error, OPTIONS, 'Run create-mlops-project --help for the flags.');
  }
  const { values, positionals, tokens } = parsed;
  // `--project-name Churn Model`: the second word became the directory. Say so rather than guess.
  for (const [i, token] of tokens.entries()) {
    const next = tokens[i + 1];
    if (token.kind === 'option' && FREE_TEXT.has(token.name) && !token.inlineValue && next?.kind === 'positional')
      throw new UserError(
        `${quoted(next.value)} follows ${token.rawName} ${quoted(token.value ?? '')}: if it is part of the value, quote it (${token.rawName} ${quoted(`${token.value ?? ''} ${next.value}`)}); if it is the directory, put it first.`,
        { docs: 'too-many-directories' },
      );
  }
  if (positionals.length > 1)
    throw new UserError(`Expected at most one directory, got ${positionals.length}: ${positionals.map((p) => quoted(p).slice(1, -1)).join(' ')}.`, { docs: 'too-many-directories' });
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
    // Naming a file to overwrite is consent to write into a non-empty folder.
    force: (values.force ?? false) || (values.overwrite ?? []).length > 0,
    overwrite: values.overwrite ?? [],
    git: values.git,
    help: values.help ?? false,
    version: values.version ?? false,
    gitlab: {
      url: values['gitlab-url'],
      project: values['gitlab-project'],
      namespace: values['gitlab-namespace'],
      create: values['gitlab-create'] ?? false,
      push: values['gitlab-push'] ?? false,
      protected: values.protected,
      keepPipelineVariablesRole: values['keep-pipeline-variables-role'] ?? false,
    },
  };
}

/** True when any GitLab step was asked for. */
export function wantsGitLab(gitlab: CreateArgs['gitlab']): boolean {
  return gitlab.project !== undefined || gitlab.create;
}

/** The answers' rows of `--help`; the platform, auth and builder rows come from the descriptor tables. */
export function answerRows(platforms: Platforms = PLATFORMS, builders: Builders = BUILDERS): FlagRow[] {
  const registryDefaults = Object.entries(platforms)
    .filter(([, p]) => !p.registry.default('r').includes('change-me'))
    .map(([id, p]) => `${id}: ${p.registry.default('<repo>')}`);
  return [
  { flag: '--project-name TEXT', what: 'human name (README title, docs site)', default: 'My Project (or from [dir])' },
  { flag: '--repo-name SLUG', what: '^[a-z][a-z0-9-]*$, max 72', default: 'from the project name' },
  { flag: '--package-name NAME', what: 'Python package under src/', default: 'from the repo name' },
  { flag: '--description TEXT', what: 'one line', default: 'empty' },
  { flag: '--author TEXT', what: 'one line', default: 'empty' },
  { flag: '--platform NAME', what: platformHelp(platforms), default: Object.keys(platforms)[0] },
  {
    flag: '--gcp-auth NAME',
    what: `gcp only: ${authChoices().map((c) => c.value).join(' | ')} (a service account key | no key: GitLab's ID token, workload identity federation)`,
    default: defaultOf('gcpAuth', {}, {}),
  },
  {
    flag: '--registry HOST/PATH',
    what: 'image repository prefix',
    default: `a placeholder, with a warning${registryDefaults.length > 0 ? ` (${registryDefaults.join(', ')})` : ''}`,
  },
  { flag: '--runner-tag TAG', what: 'GitLab runner tag of every job', default: runnerTagHelp(platforms) },
  { flag: '--python VERSION', what: PYTHON_VERSIONS.join(' | '), default: defaultOf('python', {}, {}) },
  {
    flag: '--builder NAME',
    what: `${Object.keys(builders).join(' | ')}: what builds images in CI (${Object.entries(builders).map(([id, b]) => `${id}: ${b.hint}`).join('; ')})`,
    default: Object.keys(builders)[0],
  },
  ];
}

const ANSWER_ROWS: FlagRow[] = answerRows();

const OTHER_ROWS: FlagRow[] = [
  { flag: '-y, --yes', what: 'take defaults for every answer not given; never prompt', default: 'off' },
  { flag: '--answers FILE', what: "answers from a JSON or YAML file, or another repo's .mlops-project.json", default: 'none' },
  { flag: '--dry-run', what: 'print the plan (each file: create, overwrite, keep, unchanged); write nothing', default: 'off' },
  { flag: '--force', what: 'write into a non-empty directory; a file of yours that differs is kept', default: 'off' },
  { flag: '--overwrite PATH', what: 'replace this file of yours (a folder: all in it; . for all); repeatable; implies --force', default: 'none (every file of yours is kept)' },
  { flag: '--no-git', what: 'skip git init and the first commit', default: 'off (git init and a first commit)' },
  { flag: '-h, --help', what: 'show this help' },
  { flag: '-V, --version', what: 'show the version' },
];

const GITLAB_ROWS: FlagRow[] = [
  { flag: '--gitlab-project PATH', what: 'group/sub/name or numeric id', default: 'none (no GitLab step); with --gitlab-create, NS/<repo name>' },
  { flag: '--gitlab-url URL', what: 'the GitLab instance', default: '$GITLAB_URL, else https://gitlab.com' },
  { flag: '--gitlab-create', what: 'create the project first (private)', default: 'off' },
  { flag: '--gitlab-namespace NS', what: 'group or user to create it in', default: 'the parent of --gitlab-project, else your own namespace' },
  { flag: '--gitlab-push', what: 'push the first commit to it as origin', default: 'off' },
  { flag: '--protected', what: 'only protected branches and tags get the variables', default: 'on' },
  { flag: '--no-protected', what: 'every branch and tag gets the variables', default: 'off' },
  { flag: '--keep-pipeline-variables-role', what: "leave the project's minimum role for pipeline variables as it is", default: 'off (set it to developer when it is higher)' },
];

/** `onprem HARBOR_USERNAME and HARBOR_PASSWORD; gcp key ...; gitlab nothing`, from the descriptors. */
function credentialInputsHelp(): string {
  return credentialAuths()
    .map(({ name, auth }) => {
      const names = auth.credential === null ? [] : auth.credential.inputs.map((i) => i.name);
      return `${name} ${names.length === 0 ? 'nothing' : names.join(' and ')}`;
    })
    .join('; ');
}

const ALL_ROWS = [...ANSWER_ROWS, ...OTHER_ROWS, ...GITLAB_ROWS];

export const CREATE_HELP = `Usage: create-mlops-project [dir] [flags]
       npm create mlops-project@latest [dir] -- [flags]

Generate an MLOps repository for GitLab: a Python package with tests, configs,
CPU and GPU Dockerfiles, a conda environment, a docs site and a complete
.gitlab-ci.yml. Without [dir], the repo is created in ./<repo-name>.

Answers (each is asked on a terminal when not given):
${flagTable(ANSWER_ROWS, ALL_ROWS)}
Other flags:
${flagTable(OTHER_ROWS, ALL_ROWS)}
GitLab (optional; sets the registry credentials as CI/CD variables at the end;
on a terminal without these flags, the last question offers it):
${flagTable(GITLAB_ROWS, ALL_ROWS)}  Secrets and settings from the environment only (asked on a terminal, secrets hidden):
  GITLAB_TOKEN; ${credentialInputsHelp()}.

Without a terminal, nothing is asked: give every answer, or --yes.
Docs: ${DOCS_URL}
`;
