/** Flags of `mlops-project gitlab-variables`, and its help. */
import { parseArgs } from 'node:util';
import { credentialAuths } from '../../generators/platforms/variants.js';
import { docsUrl } from '../../generators/shared/docs.js';
import { flagError } from '../cli/flag-error.js';
import { type FlagRow, flagTable } from '../cli/help-table.js';
import { UPDATE_TOKEN } from './inputs.js';

export interface GitLabVariablesArgs {
  dir: string;
  gitlabUrl: string | undefined;
  project: string | undefined;
  namespace: string | undefined;
  protected: boolean;
  keepPipelineVariablesRole: boolean;
  updateToken: boolean;
  dryRun: boolean;
  create: boolean;
  push: boolean;
  help: boolean;
}

const OPTIONS = {
  dir: { type: 'string' },
  'gitlab-url': { type: 'string' },
  'gitlab-project': { type: 'string' },
  'gitlab-namespace': { type: 'string' },
  protected: { type: 'boolean', default: true },
  'keep-pipeline-variables-role': { type: 'boolean', default: false },
  'update-token': { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  'gitlab-create': { type: 'boolean', default: false },
  'gitlab-push': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseGitLabVariablesArgs(argv: string[]): GitLabVariablesArgs {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, allowNegative: true, strict: true }));
  } catch (error) {
    throw flagError(error, OPTIONS, 'Run mlops-project gitlab-variables --help for the flags.');
  }
  return {
    dir: values.dir ?? '.',
    gitlabUrl: values['gitlab-url'],
    project: values['gitlab-project'],
    namespace: values['gitlab-namespace'],
    protected: values.protected,
    keepPipelineVariablesRole: values['keep-pipeline-variables-role'],
    updateToken: values['update-token'],
    dryRun: values['dry-run'],
    create: values['gitlab-create'],
    push: values['gitlab-push'],
    help: values.help,
  };
}

/** The flags, as listed by `mlops-project --help` and `mlops-project gitlab-variables --help`. */
export const GITLAB_VARIABLES_ROWS: FlagRow[] = [
  { flag: '--dir REPO', what: 'the generated repo', default: '. (the current directory)' },
  { flag: '--gitlab-url URL', what: 'the GitLab instance', default: '$GITLAB_URL, else https://gitlab.com' },
  { flag: '--gitlab-project PATH', what: 'project path (group/sub/name) or numeric id', required: 'except with --gitlab-create; then default: NAMESPACE/<repo name>' },
  { flag: '--protected', what: 'only protected branches and tags get the variables', default: 'on' },
  { flag: '--no-protected', what: 'every branch and tag gets the variables', default: 'off' },
  { flag: '--keep-pipeline-variables-role', what: "leave the project's minimum role for pipeline variables as it is", default: 'off (set it to developer when it is higher)' },
  { flag: '--update-token', what: "also set MLOPS_UPDATE_TOKEN (masked), the update:template job's token", default: 'off' },
  { flag: '--dry-run', what: 'print the API calls, secrets as [redacted]; send nothing', default: 'off' },
  { flag: '--gitlab-create', what: 'create the project (private) first', default: 'off' },
  { flag: '--gitlab-namespace NS', what: 'group path or username to create it in', default: 'the parent of --gitlab-project, else your own namespace' },
  { flag: '--gitlab-push', what: 'push the current branch to the project as origin', default: 'off' },
];

/** The inputs it reads, under the flags: the token, then each credential builder's. */
export const GITLAB_VARIABLES_SECRETS = `  Secrets and settings come from the environment only (on a terminal, a missing one is asked; secrets hidden):
${flagTable(
  [
    { flag: 'GITLAB_TOKEN', what: 'personal access token, api scope; Maintainer role on the project' },
    ...credentialAuths().flatMap(({ name, auth }) =>
      auth.credential === null ? [] : auth.credential.inputs.map((input) => ({ flag: input.name, what: `${name}: ${input.what}` })),
    ),
    { flag: UPDATE_TOKEN.name, what: `with --update-token: ${UPDATE_TOKEN.what}` },
  ],
  GITLAB_VARIABLES_ROWS,
)}`;

/** What it sets for each platform and auth, from the descriptors. */
const WHAT_IT_SETS = credentialAuths()
  .map(({ name, auth }) =>
    auth.credential === null
      ? `  ${name}: nothing (${auth.summary})`
      : `  ${name}: ${auth.credential.variables.map((v) => `${v.key} (${v.secret ? 'masked' : 'plain'}: ${v.what})`).join(', ')}`,
  )
  .join('\n');

export const GITLAB_VARIABLES_HELP = `Usage: mlops-project gitlab-variables [flags]

Set the registry credentials of a generated repo as CI/CD variables of its
GitLab project, through the GitLab API. Platform and registry come from
REPO/.mlops-project.json; what it sets:
${WHAT_IT_SETS}
With --update-token, also MLOPS_UPDATE_TOKEN (masked), the token the
update:template job pushes its branch and opens its merge request with.
A second run updates; it never duplicates.
It also lets Developers set pipeline variables (the pipeline's manual
switches), which GitLab.com turns off for new projects.

Flags:
${flagTable([...GITLAB_VARIABLES_ROWS, { flag: '-h, --help', what: 'show this help' }])}
${GITLAB_VARIABLES_SECRETS}
Docs: ${docsUrl('gitlab-variables/')} (with the manual way, without a token)
`;
