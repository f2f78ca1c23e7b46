/**
 * The one place that carries out a GitLab plan: local checks, then a
 * preflight of reads (token, scope, project, role) before any write, then
 * the writes (create the project, upsert each variable, push), tracking what
 * is done so that a failure says what was set and the command to finish.
 */
import { UserError } from '../../generators/shared/errors.js';
import { type ApiResponse, type GitLabClient, GitLabUnavailable } from './client.js';
import { maskedProblem, VARIABLE_KEY_RULE } from './credentials.js';
import { type ApiCall, calls, type GitLabPlan, PIPELINE_VARIABLES_ROLE, pipelineVariablesChange, projectId, type VariableSpec } from './plan.js';
import { inspectRepo, originConflict, pushBranch, type LocalRepo } from './push.js';
import type { Redactor, Secret } from './secret.js';

export interface Reporter {
  /** A step that is done (printed with a check mark). */
  done(line: string): void;
}

export interface ApplyOptions {
  client: GitLabClient;
  token: Secret;
  redactor: Redactor;
  report: Reporter;
  /** The command that finishes the job after a failure (what the user runs again). */
  finishCommand: (rest: { create: boolean; push: boolean; project: string | undefined }) => string;
  /** Where the secrets come from, for the finishing hint, e.g. "GITLAB_TOKEN, HARBOR_USERNAME and HARBOR_PASSWORD". */
  secretsNeeded: string;
}

export interface ProjectInfo {
  id: number;
  path_with_namespace: string;
  web_url: string;
  http_url_to_repo: string;
}

export interface ApplyResult {
  project: ProjectInfo;
  variables: { key: string; action: 'created' | 'updated' }[];
  /** The role that kept Developers from setting pipeline variables, now `developer`; undefined: unchanged. */
  pipelineVariablesFrom: string | undefined;
  pushed: { branch: string; url: string } | undefined;
}

type Data = Record<string, unknown>;
const asData = (response: ApiResponse): Data =>
  response.data !== null && typeof response.data === 'object' ? (response.data as Data) : {};

/** GitLab's error body, compact, redacted and bounded: safe to show. */
function gitlabSays(response: ApiResponse, redactor: Redactor): string {
  const raw = typeof response.data === 'string' ? response.data.trim() : JSON.stringify(response.data);
  const text = redactor.redact(raw ?? '').replace(/\s+/g, ' ');
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

function alreadyTaken(response: ApiResponse): boolean {
  const message = asData(response).message;
  return response.status === 400 && JSON.stringify(message ?? '').includes('has already been taken');
}

const TOKEN_HOWTO = 'create a personal access token with the api scope (User settings > Access tokens) and export it as GITLAB_TOKEN';

interface Where {
  gitlabUrl: string;
  project: string;
  username?: string;
}

/** Token and permission failures any call can meet, as one line with what to do. */
function accessError(response: ApiResponse, where: Where): UserError | undefined {
  const data = asData(response);
  if (response.status === 401) {
    const description = typeof data.error_description === 'string' ? data.error_description : '';
    if (/expired/i.test(description)) return new UserError(`GITLAB_TOKEN has expired (401 from ${where.gitlabUrl}): ${TOKEN_HOWTO}.`, { docs: 'gitlab-token' });
    if (/revoked/i.test(description)) return new UserError(`GITLAB_TOKEN was revoked (401 from ${where.gitlabUrl}): ${TOKEN_HOWTO}.`, { docs: 'gitlab-token' });
    return new UserError(`GITLAB_TOKEN is invalid or expired (401 Unauthorized from ${where.gitlabUrl}): ${TOKEN_HOWTO}.`, { docs: 'gitlab-token' });
  }
  if (response.status === 403 && data.error === 'insufficient_scope')
    return new UserError(`GITLAB_TOKEN lacks the api scope, which setting CI/CD variables needs (403 insufficient_scope): ${TOKEN_HOWTO}.`, { docs: 'gitlab-token' });
  return undefined;
}

function unexpected(call: ApiCall, response: ApiResponse, redactor: Redactor): UserError {
  return new UserError(`GitLab answered ${response.status} to ${call.method} /api/v4${call.path}: ${gitlabSays(response, redactor)}`, { docs: 'gitlab-unreachable' });
}

async function send(client: GitLabClient, call: ApiCall, options?: { retry?: boolean }): Promise<ApiResponse> {
  try {
    return await client.request(call, options);
  } catch (error) {
    if (error instanceof GitLabUnavailable) throw new UserError(`GitLab did not answer: ${error.reason}.`, { docs: 'gitlab-unreachable' });
    throw error;
  }
}

/**
 * Send `call` and return the answer when its status is `ok`. A token or
 * permission problem, a status `known` explains, or anything else is one
 * clear error.
 */
async function answer(
  opts: ApplyOptions,
  call: ApiCall,
  where: Where,
  ok: number,
  known: (response: ApiResponse) => UserError | undefined = () => undefined,
  options?: { retry?: boolean },
): Promise<ApiResponse> {
  const response = await send(opts.client, call, options);
  const problem = accessError(response, where) ?? known(response);
  if (problem) throw problem;
  if (response.status !== ok) throw unexpected(call, response, opts.redactor);
  return response;
}

function checkLocally(variables: VariableSpec[]): void {
  for (const variable of variables) {
    if (!VARIABLE_KEY_RULE.test(variable.key)) throw new Error(`invalid variable key ${variable.key}`);
    const problem = variable.masked ? maskedProblem(variable.value.reveal()) : undefined;
    if (problem !== undefined)
      throw new UserError(`Refusing to send ${variable.key}: GitLab would reject it as a masked variable, ${problem}. Nothing was sent.`, { docs: 'credentials' });
  }
}

async function checkToken(opts: ApplyOptions, where: Where): Promise<string> {
  const { client, redactor } = opts;
  const user = await send(client, calls.user());
  const denied = accessError(user, where);
  if (denied) throw denied;
  if (user.status !== 200) throw unexpected(calls.user(), user, redactor);
  const username = String(asData(user).username ?? '');
  const self = await send(client, calls.tokenSelf());
  // Not a personal, project or group access token (e.g. OAuth): no scope list; a write would still say 403 insufficient_scope.
  if (self.status === 200) {
    const scopes = asData(self).scopes;
    if (Array.isArray(scopes) && !scopes.includes('api'))
      throw new UserError(
        `GITLAB_TOKEN has the scopes ${scopes.join(', ') || '(none)'} but setting CI/CD variables needs the api scope: ${TOKEN_HOWTO}.`,
        { docs: 'gitlab-token' },
      );
  }
  return username;
}

/** The project as GET /projects/:id (or POST /projects) gives it: what the step uses, and the rest for pipelineVariablesChange. */
type ProjectJson = ProjectInfo & Record<string, unknown>;

async function findProject(opts: ApplyOptions, where: Where): Promise<ProjectJson> {
  const response = await answer(opts, calls.project(projectId(where.project)), where, 200, (r) =>
    r.status === 404
      ? new UserError(
          `GitLab project ${where.project} was not found on ${where.gitlabUrl}, or @${where.username ?? '?'} cannot see it: check --gitlab-project (the full path from the project URL, e.g. group/sub/name, or its numeric id) and that you are a member.`,
          { docs: 'gitlab-project-not-found' },
        )
      : undefined,
  );
  return asData(response) as unknown as ProjectJson;
}

async function checkVariablesAccess(opts: ApplyOptions, project: ProjectInfo, where: Where): Promise<void> {
  await answer(opts, calls.variablesAccess(projectId(where.project)), where, 200, (r) =>
    r.status === 403
      ? new UserError(
          `@${where.username ?? '?'} may not manage CI/CD variables of ${project.path_with_namespace} (403 Forbidden: that needs the Maintainer or Owner role): ask an Owner of the project for the Maintainer role, or ask a Maintainer to run this command.`,
          { docs: 'gitlab-forbidden' },
        )
      : undefined,
  );
}

async function namespaceId(opts: ApplyOptions, namespace: string, where: Where): Promise<number> {
  const response = await answer(opts, calls.namespace(namespace), where, 200, (r) =>
    r.status === 404
      ? new UserError(
          `Namespace ${namespace} was not found on ${where.gitlabUrl}, or @${where.username ?? '?'} cannot see it: check --gitlab-namespace (a group path such as team/ml, or your username).`,
          { docs: 'gitlab-namespace-not-found' },
        )
      : undefined,
  );
  return Number(asData(response).id);
}

async function createProject(opts: ApplyOptions, plan: GitLabPlan, nsId: number | undefined, where: Where): Promise<ProjectJson> {
  const create = plan.create!;
  const known = (r: ApiResponse): UserError | undefined => {
    if (alreadyTaken(r)) return projectExists(where, ' (400 has already been taken)');
    if (r.status === 403)
      return new UserError(
        `@${where.username ?? '?'} may not create projects in ${create.namespace ?? 'their namespace'} (403 Forbidden): ask for the Maintainer role in that group, or create the project by hand and drop --gitlab-create.`,
        { docs: 'gitlab-forbidden' },
      );
    return undefined;
  };
  // Not repeated after a 5xx or a lost connection: the project may exist by then, and a retry would say "taken".
  const response = await answer(opts, calls.createProject(create, nsId), where, 201, known, { retry: false });
  return asData(response) as unknown as ProjectJson;
}

const OWNER_ACCESS = 50;
const ROLE_NAMES: Record<number, string> = { 10: 'Guest', 15: 'Planner', 20: 'Reporter', 30: 'Developer', 40: 'Maintainer', 50: 'Owner' };

/** The user's role on the project as its JSON says (the higher of project and group membership); undefined when not given. */
function accessLevelOf(project: ProjectJson): number | undefined {
  const permissions = project.permissions as { project_access?: { access_level?: unknown } | null; group_access?: { access_level?: unknown } | null } | undefined;
  const levels = [permissions?.project_access?.access_level, permissions?.group_access?.access_level].filter((l): l is number => typeof l === 'number');
  return levels.length > 0 ? Math.max(...levels) : undefined;
}

const PIPELINE_VARIABLES_SETTING = 'Settings > CI/CD > Variables > Minimum role to use pipeline variables';

/** Only an Owner may change the setting from no_one_allowed or owner (GitLab's ci/variables docs). */
function ownerNeeded(project: ProjectInfo, from: string, where: Where, role: string): UserError {
  return new UserError(
    `Only an Owner may change who can set pipeline variables in ${project.path_with_namespace} from ${from}, and @${where.username ?? '?'} is ${role}: ask an Owner to set ${PIPELINE_VARIABLES_SETTING} to Developer, or run again with --keep-pipeline-variables-role.`,
    { docs: 'gitlab-pipeline-variables' },
  );
}

/** Before any write: the role to lower, and that this user may lower it. */
function checkPipelineVariables(plan: GitLabPlan, project: ProjectJson, where: Where): void {
  const from = plan.pipelineVariablesForDevelopers ? pipelineVariablesChange(project) : undefined;
  if (from !== 'no_one_allowed' && from !== 'owner') return;
  const level = accessLevelOf(project);
  if (level !== undefined && level < OWNER_ACCESS) throw ownerNeeded(project, from, where, `a ${ROLE_NAMES[level] ?? `member (access level ${level})`}`);
}

/** Set the lowest role that may set pipeline variables to `developer`. */
async function allowDeveloperPipelineVariables(opts: ApplyOptions, project: ProjectInfo, from: string, id: string, where: Where): Promise<void> {
  await answer(opts, calls.allowDeveloperPipelineVariables(id), where, 200, (r) => {
    if (r.status === 400 && /is not allowed/.test(JSON.stringify(asData(r).message ?? ''))) return ownerNeeded(project, from, where, 'not an Owner');
    if (r.status === 403)
      return new UserError(
        `@${where.username ?? '?'} may not change who can set pipeline variables in ${project.path_with_namespace} (403 Forbidden: that needs the Maintainer role): ask a Maintainer to set ${PIPELINE_VARIABLES_SETTING} to Developer, or run again with --keep-pipeline-variables-role.`,
        { docs: 'gitlab-pipeline-variables' },
      );
    return undefined;
  });
}

async function upsert(
  opts: ApplyOptions,
  project: ProjectInfo,
  id: string,
  variable: VariableSpec,
  where: Where,
): Promise<'created' | 'updated'> {
  const { client, redactor } = opts;
  const fail = (call: ApiCall, response: ApiResponse): UserError => {
    const denied = accessError(response, where);
    if (denied) return denied;
    if (response.status === 403)
      return new UserError(`@${where.username ?? '?'} may not manage CI/CD variables of ${project.path_with_namespace} (403 Forbidden: that needs the Maintainer role).`, { docs: 'gitlab-forbidden' });
    return unexpected(call, response, redactor);
  };
  const get = calls.getVariable(id, variable.key);
  const found = await send(client, get);
  if (found.status === 404 && !JSON.stringify(found.data).includes('Project Not Found')) {
    const post = calls.createVariable(id, variable);
    const created = await send(client, post);
    if (created.status === 201) return 'created';
    // Someone created it between our GET and POST (or a retried POST had landed): update it instead.
    if (!alreadyTaken(created)) throw fail(post, created);
  } else if (found.status !== 200) {
    throw fail(get, found);
  }
  const put = calls.updateVariable(id, variable);
  const updated = await send(client, put);
  if (updated.status === 200) return 'updated';
  throw fail(put, updated);
}

/**
 * A plain variable (not a secret: masked false) that exists as masked and
 * hidden: GitLab never makes a hidden variable visible again (it refuses the
 * PUT), so running again would fail the same way. Said before any write.
 */
async function refuseHiddenPlain(opts: ApplyOptions, project: ProjectInfo, id: string, variables: readonly VariableSpec[]): Promise<void> {
  for (const variable of variables.filter((v) => !v.masked)) {
    const found = await send(opts.client, calls.getVariable(id, variable.key));
    if (found.status === 200 && (found.data as { hidden?: unknown } | undefined)?.hidden === true)
      throw new UserError(
        `${variable.key} exists in ${project.path_with_namespace} as a masked and hidden variable, which GitLab never makes visible again, and it is not a secret: delete it (Settings > CI/CD > Variables) and run again, which sets it visible.`,
        { docs: 'gitlab-hidden-variable' },
      );
  }
}

function projectExists(where: Where, detail: string): UserError {
  return new UserError(
    `A project ${where.project} already exists on ${where.gitlabUrl}${detail}: drop --gitlab-create to set the variables of that project, or pick another name.`,
    { docs: 'gitlab-project-exists' },
  );
}

/** What the reads of the preflight found: who the token is, and the project, or the namespace to create it in. */
export interface Preflight {
  where: Where & { username: string };
  /** The existing project (without --gitlab-create). */
  project: ProjectJson | undefined;
  /** The namespace id for a new project in a group (--gitlab-namespace). */
  nsId: number | undefined;
}

/** The token (and its scopes), then the project and the right to manage its variables, or the namespace of a new one. GETs only. */
async function readPreflight(plan: GitLabPlan, opts: ApplyOptions): Promise<Preflight> {
  const named: Where = {
    gitlabUrl: plan.gitlabUrl,
    project: plan.project ?? `${plan.create?.namespace ?? '<you>'}/${plan.create?.path ?? ''}`,
  };
  const where = { ...named, username: await checkToken(opts, named) };
  if (plan.create) {
    if (plan.project === undefined) where.project = `${plan.create.namespace ?? where.username}/${plan.create.path}`;
    const nsId = plan.create.namespace !== undefined ? await namespaceId(opts, plan.create.namespace, where) : undefined;
    return { where, project: undefined, nsId };
  }
  const project = await findProject(opts, where);
  await checkVariablesAccess(opts, project, where);
  checkPipelineVariables(plan, project, where);
  return { where, project, nsId: undefined };
}

/**
 * The preflight alone, for create-mlops-project to run before it writes the
 * repo: readPreflight, and with --gitlab-create that the path is still free.
 * GETs only; pass the result to applyGitLabPlan.
 */
export async function preflightGitLab(plan: GitLabPlan, opts: ApplyOptions): Promise<Preflight> {
  const preflight = await readPreflight(plan, opts);
  if (plan.create) {
    const existing = await send(opts.client, calls.project(projectId(preflight.where.project)));
    if (existing.status === 200) throw projectExists(preflight.where, '');
  }
  return preflight;
}

/**
 * Run the plan: the preflight (unless `preflight` is the result of
 * preflightGitLab), then the writes. Any failure after the first write names
 * what was done and the command to finish.
 */
export async function applyGitLabPlan(plan: GitLabPlan, opts: ApplyOptions, preflight?: Preflight): Promise<ApplyResult> {
  checkLocally(plan.variables);
  const repo: LocalRepo | undefined = plan.push ? await inspectRepo(plan.push.dir) : undefined;
  if (repo && plan.create && repo.origin !== undefined)
    throw new UserError(
      `The remote origin of ${repo.dir} is already set (${repo.origin.replace(/\/\/[^/@]*@/, '//[redacted]@')}): a new project needs a repo without one. Remove it (git remote remove origin) or drop --gitlab-create.`,
      { docs: 'gitlab-push' },
    );

  const { where, project: existing, nsId } = preflight ?? (await readPreflight(plan, opts));
  let project: ProjectJson | undefined = existing;
  if (repo && project) {
    const conflict = originConflict(repo, project.http_url_to_repo);
    if (conflict !== undefined) throw new UserError(`Cannot push: ${conflict}.`, { docs: 'gitlab-push' });
  }

  const done: string[] = [];
  let created = false;
  const variables: ApplyResult['variables'] = [];
  // The role to lower, once known: from the preflight's GET, or from the answer to POST /projects.
  let pipelineVariablesFrom = plan.pipelineVariablesForDevelopers && project ? pipelineVariablesChange(project) : undefined;
  let pipelineVariablesSet = false;
  try {
    if (plan.create) {
      project = await createProject(opts, plan, nsId, where);
      created = true;
      done.push(`project ${project.path_with_namespace} created`);
      opts.report.done(`Created project ${project.path_with_namespace} (${project.web_url})`);
      if (plan.pipelineVariablesForDevelopers) pipelineVariablesFrom = pipelineVariablesChange(project);
    }
    const target = project!;
    // The project as the user named it (the very calls --dry-run lists), or the id of the one just created.
    const id = created ? String(target.id) : projectId(where.project);
    if (!created) await refuseHiddenPlain(opts, target, id, plan.variables);
    for (const variable of plan.variables) {
      const action = await upsert(opts, target, id, variable, where);
      variables.push({ key: variable.key, action });
      done.push(`${variable.key} set`);
      opts.report.done(
        `${variable.key} ${action} in ${target.path_with_namespace} (env_var, ${variable.masked ? 'masked' : 'not masked'}, ${variable.protected ? 'protected' : 'not protected'}, all environments)`,
      );
    }
    if (pipelineVariablesFrom !== undefined) {
      await allowDeveloperPipelineVariables(opts, target, pipelineVariablesFrom, id, where);
      pipelineVariablesSet = true;
      done.push('minimum role for pipeline variables set to developer');
      opts.report.done(
        `Developers may set pipeline variables in ${target.path_with_namespace} (${PIPELINE_VARIABLES_ROLE}: ${pipelineVariablesFrom} -> developer), so the pipeline's manual switches work`,
      );
    }
    let pushed: ApplyResult['pushed'];
    if (repo) {
      await pushBranch({ repo, url: target.http_url_to_repo, username: where.username, token: opts.token, redactor: opts.redactor });
      pushed = { branch: repo.branch, url: target.http_url_to_repo };
      opts.report.done(`Pushed ${repo.branch} to ${target.http_url_to_repo} (remote origin)`);
    }
    return { project: target, variables, pipelineVariablesFrom, pushed };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    const notSet = plan.variables.map((v) => v.key).filter((key) => !variables.some((v) => v.key === key));
    const roleLeft = !pipelineVariablesSet && pipelineVariablesFrom !== undefined;
    const notDone = [
      ...notSet.map((key) => `${key} not set`),
      ...(roleLeft ? ['minimum role for pipeline variables not set to developer'] : []),
      ...(plan.push ? ['branch not pushed'] : []),
    ];
    const status =
      done.length === 0
        ? `Nothing was changed on GitLab (${notDone.join(', ')}).`
        : `Done before the failure: ${done.join(', ')}. Not done: ${notDone.join(', ')}.`;
    const command = opts.finishCommand({
      create: plan.create !== undefined && !created,
      push: plan.push !== undefined,
      project: created ? project?.path_with_namespace : plan.project,
    });
    // The first line is the cause, and its docs explain it; the hint says what was done and how to finish.
    throw new UserError(error.message, {
      docs: error.docs,
      hint: `${status}\nTo finish, run again (it updates what is already set, never duplicates), with ${opts.secretsNeeded} in the environment:\n  ${command}`,
    });
  }
}
