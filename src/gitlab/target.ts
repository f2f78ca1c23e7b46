/** Which GitLab and which project: checks of --gitlab-url, --gitlab-project and --gitlab-namespace. Pure. */
import { UserError } from '../../generators/shared/errors.js';
import type { ProjectToCreate } from './plan.js';

export const DEFAULT_GITLAB_URL = 'https://gitlab.com';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `https://gitlab.example.com/` -> `https://gitlab.example.com`; refuses what would leak the token. */
export function checkGitLabUrl(value: string, from: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`${from} must be the address of a GitLab instance, e.g. https://gitlab.example.com; got "${value}".`, { docs: 'gitlab-flags' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UserError(`${from} must start with https://; got "${value}".`, { docs: 'gitlab-flags' });
  if (url.username !== '' || url.password !== '')
    throw new UserError(`${from} must not hold credentials (user:password@): the token is read from GITLAB_TOKEN only.`, { docs: 'gitlab-flags' });
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname))
    throw new UserError(`${from} uses plain http to ${url.hostname}: the token would cross the network unencrypted; use https://.`, { docs: 'gitlab-flags' });
  if (url.search !== '' || url.hash !== '') throw new UserError(`${from} must not have a query or a fragment; got "${value}".`, { docs: 'gitlab-flags' });
  // A GitLab under a path (https://example.com/gitlab) keeps it; an API URL is taken back to the instance.
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v4$/, '');
  return `${url.origin}${path}`;
}

const PATH_PART = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;

function checkPath(value: string, flag: string, example: string): void {
  const parts = value.split('/');
  if (value === '' || parts.some((p) => !PATH_PART.test(p)))
    throw new UserError(
      `${flag} must be a path like ${example} (letters, digits, ".", "_", "-" between slashes), or a numeric id; got "${value}".`,
      { docs: 'gitlab-flags' },
    );
}

export interface Target {
  /** Numeric id or full path of the project; undefined when it is created in the token user's own namespace. */
  project: string | undefined;
  create: ProjectToCreate | undefined;
}

export interface TargetInput {
  project: string | undefined;
  namespace: string | undefined;
  create: boolean;
  /** The repo name from the answers: the project's path when --gitlab-create has no --gitlab-project. */
  repoName: string;
}

export function resolveTarget(input: TargetInput): Target {
  const { project, namespace, create } = input;
  if (project !== undefined && /^[a-z]+:\/\//i.test(project))
    throw new UserError(`--gitlab-project takes the project's path, not its URL: e.g. ${new URL(project).pathname.replace(/^\/|\/$|\.git$/g, '') || 'group/name'}.`, { docs: 'gitlab-flags' });
  if (!create) {
    if (namespace !== undefined) throw new UserError('--gitlab-namespace only goes with --gitlab-create.', { docs: 'gitlab-flags' });
    if (project === undefined || project.trim() === '')
      throw new UserError('--gitlab-project is required: the full path of the GitLab project (e.g. --gitlab-project group/sub/name) or its numeric id.', { docs: 'gitlab-flags' });
    if (!/^\d+$/.test(project)) checkPath(project, '--gitlab-project', 'group/sub/name');
    return { project, create: undefined };
  }
  if (namespace !== undefined) checkPath(namespace, '--gitlab-namespace', 'group/sub');
  if (project === undefined) {
    return {
      project: namespace === undefined ? undefined : `${namespace}/${input.repoName}`,
      create: { path: input.repoName, namespace },
    };
  }
  if (/^\d+$/.test(project)) throw new UserError('--gitlab-create needs --gitlab-project as a path (group/name), not a numeric id.', { docs: 'gitlab-flags' });
  checkPath(project, '--gitlab-project', 'group/sub/name');
  const slash = project.lastIndexOf('/');
  const parent = slash === -1 ? undefined : project.slice(0, slash);
  const path = project.slice(slash + 1);
  if (namespace !== undefined && parent !== undefined && parent !== namespace)
    throw new UserError(`--gitlab-project ${project} is not in --gitlab-namespace ${namespace}: give one of them, or make them agree.`, { docs: 'gitlab-flags' });
  const ns = namespace ?? parent;
  return { project: ns === undefined ? undefined : `${ns}/${path}`, create: { path, namespace: ns } };
}
