/**
 * Compute, then apply: what `gitlab-variables` will do on GitLab, as data.
 * The API calls are built here (and only here), so `--dry-run` prints the
 * very calls apply.ts makes. Pure: no network, no fs, no env.
 */
import type { Credential } from './credentials.js';
import type { Secret } from './secret.js';

export type Method = 'GET' | 'POST' | 'PUT';

export interface ApiCall {
  method: Method;
  /** Path under /api/v4, with ids already URL-encoded. */
  path: string;
  query?: Record<string, string>;
  /** JSON body; Secret values are revealed only by the client, on the wire. */
  body?: Record<string, string | number | boolean | Secret>;
}

export interface VariableSpec {
  key: string;
  value: Secret;
  /** A secret: masked in job logs. false: a plain identifier. */
  masked: boolean;
  protected: boolean;
  description: string;
}

export interface ProjectToCreate {
  /** Last part of the path, e.g. `fraud-model`. */
  path: string;
  /** Full path of the group or user namespace; undefined: the token user's own namespace. */
  namespace: string | undefined;
}

export interface GitLabPlan {
  /** Instance URL without a trailing slash, e.g. https://gitlab.com. */
  gitlabUrl: string;
  /** Numeric id or full path as the user gave it (`group/sub/name`); for a project to create, its path when known. */
  project: string | undefined;
  create: ProjectToCreate | undefined;
  variables: VariableSpec[];
  /**
   * Let Developers set pipeline variables (the pipeline's manual switches) when the
   * project lets only a higher role, or nobody (see pipelineVariablesChange).
   * false: --keep-pipeline-variables-role.
   */
  pipelineVariablesForDevelopers: boolean;
  /** Push the repo's current branch to the project (remote `origin`). */
  push: { dir: string } | undefined;
}

export interface PlanInput {
  gitlabUrl: string;
  project: string | undefined;
  create: ProjectToCreate | undefined;
  credential: Credential;
  protected: boolean;
  /** Default true. */
  pipelineVariablesForDevelopers?: boolean;
  push: { dir: string } | undefined;
}

export function planGitLab(input: PlanInput): GitLabPlan {
  return {
    gitlabUrl: input.gitlabUrl,
    project: input.project,
    create: input.create,
    variables: input.credential.variables.map((variable) => ({
      key: variable.key,
      value: variable.value,
      masked: variable.masked,
      protected: input.protected,
      description: (
        variable.description ??
        `Registry ${variable.masked ? 'credentials' : 'login setting'} for the pipeline (${input.credential.summary}); set by mlops-project gitlab-variables.`
      ).slice(0, 255),
    })),
    pipelineVariablesForDevelopers: input.pipelineVariablesForDevelopers ?? true,
    push: input.push,
  };
}

/** GitLab's project attribute: the lowest role that may set pipeline variables (Run pipeline, schedules, API). */
export const PIPELINE_VARIABLES_ROLE = 'ci_pipeline_variables_minimum_override_role';
/** The roles above Developer (or nobody) that the step lowers to `developer`. */
const TOO_HIGH = new Set(['no_one_allowed', 'maintainer', 'owner']);

/**
 * What the project JSON (GET /projects/:id, or the answer to POST /projects)
 * says about pipeline variables: the current role when Developers may not set
 * them and the step should set `developer`; undefined when there is nothing to
 * do. GitLab lets anyone who can run a pipeline set variables when
 * `restrict_user_defined_variables` is false (the role is then ignored,
 * Ci::CdSettings#override_pipeline_variables_allowed?). An absent attribute
 * is a GitLab older than 17.1 (or a user who may not see the CI/CD settings):
 * nothing to do.
 */
export function pipelineVariablesChange(project: Record<string, unknown>): string | undefined {
  const role = project[PIPELINE_VARIABLES_ROLE];
  if (typeof role !== 'string' || project.restrict_user_defined_variables === false) return undefined;
  return TOO_HIGH.has(role) ? role : undefined;
}

/** `group/sub/name` -> `group%2Fsub%2Fname`; a numeric id stays as it is. */
export function projectId(project: string | number): string {
  return typeof project === 'number' || /^\d+$/.test(project) ? String(project) : encodeURIComponent(project);
}

const SCOPE_FILTER = { 'filter[environment_scope]': '*' };

/** Every call the command can make. */
export const calls = {
  user: (): ApiCall => ({ method: 'GET', path: '/user' }),
  tokenSelf: (): ApiCall => ({ method: 'GET', path: '/personal_access_tokens/self' }),
  namespace: (namespace: string): ApiCall => ({ method: 'GET', path: `/namespaces/${projectId(namespace)}` }),
  project: (id: string): ApiCall => ({ method: 'GET', path: `/projects/${id}` }),
  /** Listing variables needs the right to admin them (Maintainer): the cheapest way to learn it before writing. */
  variablesAccess: (id: string): ApiCall => ({ method: 'GET', path: `/projects/${id}/variables`, query: { per_page: '1' } }),
  createProject: (create: ProjectToCreate, namespaceId: number | undefined): ApiCall => ({
    method: 'POST',
    path: '/projects',
    body: {
      name: create.path,
      path: create.path,
      ...(namespaceId === undefined ? {} : { namespace_id: namespaceId }),
      visibility: 'private',
    },
  }),
  getVariable: (id: string, key: string): ApiCall => ({
    method: 'GET',
    path: `/projects/${id}/variables/${key}`,
    query: SCOPE_FILTER,
  }),
  createVariable: (id: string, v: VariableSpec): ApiCall => ({
    method: 'POST',
    path: `/projects/${id}/variables`,
    body: variableBody(v, true),
  }),
  /** Developers may set pipeline variables: the lowest role that lets them. */
  allowDeveloperPipelineVariables: (id: string): ApiCall => ({
    method: 'PUT',
    path: `/projects/${id}`,
    body: { [PIPELINE_VARIABLES_ROLE]: 'developer' },
  }),
  updateVariable: (id: string, v: VariableSpec): ApiCall => ({
    method: 'PUT',
    path: `/projects/${id}/variables/${v.key}`,
    query: SCOPE_FILTER,
    body: variableBody(v, false),
  }),
};

function variableBody(v: VariableSpec, withKey: boolean): NonNullable<ApiCall['body']> {
  return {
    ...(withKey ? { key: v.key } : {}),
    // A plain variable (an identifier) is shown as it is, in a dry run too; a masked one never.
    value: v.masked ? v.value : v.value.reveal(),
    // Always sent, on PUT too: a PUT without it keeps the old type, and a `file` variable holds a path.
    variable_type: 'env_var',
    masked: v.masked,
    protected: v.protected,
    raw: false,
    environment_scope: '*',
    description: v.description,
  };
}

/** `GET /api/v4/projects/1/variables/K?filter[environment_scope]=*` (query shown unencoded, for people). */
export function showCall(call: ApiCall): string {
  const query = call.query ? `?${Object.entries(call.query).map(([k, v]) => `${k}=${v}`).join('&')}` : '';
  const body = call.body ? ` ${JSON.stringify(call.body)}` : '';
  return `${call.method.padEnd(4)} /api/v4${call.path}${query}${body}`;
}

/** The dry-run listing: every call, in order, with every secret shown as [redacted]. */
export function describePlan(plan: GitLabPlan): string[] {
  const lines: string[] = [];
  const target = plan.project ?? (plan.create ? `${plan.create.namespace ?? '<your user namespace>'}/${plan.create.path}` : '?');
  lines.push(`GitLab ${plan.gitlabUrl}, project ${target}`);
  lines.push('  every request sends the header PRIVATE-TOKEN: [redacted]');
  lines.push('  check the token, its scope and the project before any write:');
  for (const call of [calls.user(), calls.tokenSelf()]) lines.push(`    ${showCall(call)}`);
  let id: string;
  if (plan.create) {
    if (plan.create.namespace !== undefined) lines.push(`    ${showCall(calls.namespace(plan.create.namespace))}`);
    lines.push('  create the project:');
    lines.push(`    ${showCall(calls.createProject(plan.create, plan.create.namespace === undefined ? undefined : 0))}`.replace('"namespace_id":0', '"namespace_id":<id of the namespace>'));
    id = ':id';
  } else {
    id = projectId(plan.project ?? '');
    lines.push(`    ${showCall(calls.project(id))}`);
    lines.push(`    ${showCall(calls.variablesAccess(id))}`);
  }
  for (const variable of plan.variables) {
    lines.push(`  set ${variable.key} (env_var, ${variable.masked ? 'masked' : 'not masked: not a secret'}, ${variable.protected ? 'protected' : 'not protected'}, scope *):`);
    lines.push(`    ${showCall(calls.getVariable(id, variable.key))}`);
    lines.push(`    then, on 404: ${showCall(calls.createVariable(id, variable))}`);
    lines.push(`    or, on 200:   ${showCall(calls.updateVariable(id, variable))}`);
  }
  if (plan.pipelineVariablesForDevelopers) {
    const from = plan.create ? 'the answer to POST /projects' : `GET /api/v4/projects/${id} above`;
    lines.push(`  let Developers set pipeline variables, so they can run the pipeline's manual switches (${PIPELINE_VARIABLES_ROLE} as ${from} gives it):`);
    lines.push(`    when it is no_one_allowed (GitLab.com's default for new projects), maintainer or owner: ${showCall(calls.allowDeveloperPipelineVariables(id))}`);
    lines.push('    (nothing is sent when it is developer already, restrict_user_defined_variables is false, or this GitLab has no such setting;');
    lines.push('    from no_one_allowed or owner only an Owner may change it, which the check before any write looks at)');
  } else {
    lines.push(`  leave who may set pipeline variables as it is (--keep-pipeline-variables-role)`);
  }
  if (plan.push) {
    lines.push('  push the first commit (the token goes in an http.extraHeader through GIT_CONFIG_* variables, never in a URL or .git/config):');
    lines.push('    git remote add origin <the project\'s http_url_to_repo>   (unless origin already is that URL)');
    lines.push('    git push --set-upstream origin <current branch>   with http.<url>.extraHeader=Authorization: Basic [redacted]');
  }
  return lines;
}
