/**
 * A fake GitLab for tests: an in-process HTTP server on 127.0.0.1 (random
 * port) that answers the calls `mlops-project gitlab-variables` makes the
 * way GitLab does (lib/api/ci/variables.rb, maskable.rb, api_guard.rb):
 * statuses and bodies to the byte, the masked-value rule, pagination
 * headers, duplicate keys, both auth headers, expired tokens, scopes, roles,
 * who may set pipeline variables (GET/PUT /projects/:id; new projects: nobody,
 * as on GitLab.com), 429 with Retry-After, and injected 5xx / dropped connections. It also
 * serves git smart HTTP for project repos through `git http-backend`, so a
 * push can really land in a bare repo, and the merge requests API that the
 * update:template job calls (lib/api/merge_requests.rb,
 * API::Helpers::MergeRequestsHelpers): create (201; 409 when an open one has
 * the same source and target branch), list with filters, update.
 *
 * Every request is recorded (`requests`), so a test can assert that a dry
 * run sent nothing, or that no bad value ever reached the server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const ACCESS = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;

export interface FakeToken {
  token: string;
  username: string;
  scopes: string[];
  expired?: boolean;
  revoked?: boolean;
}

export interface FakeVariable {
  variable_type: 'env_var' | 'file';
  key: string;
  value: string;
  hidden: boolean;
  protected: boolean;
  masked: boolean;
  raw: boolean;
  environment_scope: string;
  description: string | null;
}

/** GitLab's `ci_pipeline_variables_minimum_override_role` values (lib/api/helpers/projects_helpers.rb). */
export const PIPELINE_VARIABLES_ROLES = ['no_one_allowed', 'developer', 'maintainer', 'owner'] as const;
export type PipelineVariablesRole = (typeof PIPELINE_VARIABLES_ROLES)[number];

/** Who may set pipeline variables (Run pipeline, schedules, the API), as GitLab 17.1+ keeps it per project. */
export interface PipelineVariablesSetting {
  restrict_user_defined_variables: boolean;
  ci_pipeline_variables_minimum_override_role: PipelineVariablesRole;
}

/** What GitLab.com gives a project created now: nobody may set pipeline variables (gitlab#502382, MR !187167). */
export const NEW_GITLAB_COM_PROJECT: PipelineVariablesSetting = { restrict_user_defined_variables: true, ci_pipeline_variables_minimum_override_role: 'no_one_allowed' };
/** A project migrated in GitLab 17.10 (gitlab#514243): Developers may set them. The default of addProject. */
export const DEVELOPERS_ALLOWED: PipelineVariablesSetting = { restrict_user_defined_variables: true, ci_pipeline_variables_minimum_override_role: 'developer' };

/** A merge request, as the fake keeps it. */
export interface FakeMergeRequest {
  id: number;
  iid: number;
  title: string;
  description: string;
  state: 'opened' | 'closed' | 'merged';
  source_branch: string;
  target_branch: string;
  /** The username of the token that opened it. */
  author: string;
  force_remove_source_branch: boolean;
  squash: boolean;
}

export interface FakeProject {
  id: number;
  path: string;
  namespace: string;
  /** username -> access level */
  members: Record<string, number>;
  variables: FakeVariable[];
  /** undefined: a GitLab older than 17.1, whose projects API knows no such attribute. */
  pipelineVariables: PipelineVariablesSetting | undefined;
  /** Its merge requests; iids count from 1, as GitLab's do per project. */
  mergeRequests: FakeMergeRequest[];
}

export interface RecordedRequest {
  method: string;
  /** Raw path and query, as sent (encoding kept). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

export interface Fault {
  method?: string;
  /** Tested against the raw URL. */
  url?: RegExp;
  times: number;
  /** 429 with Retry-After; 5xx (status); a dropped connection; no answer; or any JSON answer (status, body). */
  kind: '429' | '5xx' | 'drop' | 'hang' | 'json';
  status?: number;
  body?: unknown;
  retryAfter?: string;
}

/** Every token user's own namespace has this id (one user per test is enough). */
const USER_NAMESPACE_ID = 1;
const MASKED = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
const MASKED_RAW = /^\S{8,}$/;
const KEY = /^[a-zA-Z0-9_]+$/;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const NOT_FOUND = { error: '404 Not Found' };

function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return value === true || value === 'true' || value === 1 || value === '1';
}

export class FakeGitLab {
  readonly requests: RecordedRequest[] = [];
  readonly tokens: FakeToken[] = [];
  readonly projects: FakeProject[] = [];
  /** Namespaces by full path: groups (users get theirs from their tokens). */
  readonly groups: { id: number; full_path: string; members: Record<string, number> }[] = [];
  readonly faults: Fault[] = [];
  url = '';
  #server: Server | undefined;
  #nextId = 100;

  /** @param gitRoot where project repos are kept as bare repos, for git smart HTTP; none: no git. */
  constructor(readonly gitRoot?: string) {}

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  addToken(token: FakeToken): this {
    this.tokens.push(token);
    return this;
  }

  addGroup(full_path: string, members: Record<string, number> = {}): this {
    this.groups.push({ id: this.#nextId++, full_path, members });
    return this;
  }

  /**
   * A project that exists. `pipelineVariables`: who may set pipeline variables;
   * NEW_GITLAB_COM_PROJECT for one made on GitLab.com now, null for an old GitLab
   * without the setting; default DEVELOPERS_ALLOWED.
   */
  addProject(
    fullPath: string,
    members: Record<string, number>,
    variables: Partial<FakeVariable>[] = [],
    { pipelineVariables = DEVELOPERS_ALLOWED }: { pipelineVariables?: PipelineVariablesSetting | null } = {},
  ): FakeProject {
    const slash = fullPath.lastIndexOf('/');
    const project: FakeProject = {
      id: this.#nextId++,
      path: fullPath.slice(slash + 1),
      namespace: fullPath.slice(0, slash),
      members,
      variables: variables.map((v) => ({ ...DEFAULT_VARIABLE, ...v }) as FakeVariable),
      pipelineVariables: pipelineVariables === null ? undefined : { ...pipelineVariables },
      mergeRequests: [],
    };
    this.projects.push(project);
    if (this.gitRoot) spawnSync('git', ['init', '--quiet', '--bare', join(this.gitRoot, `${fullPath}.git`)], { env: gitEnv() });
    return project;
  }

  project(fullPath: string): FakeProject | undefined {
    return this.projects.find((p) => `${p.namespace}/${p.path}`.toLowerCase() === fullPath.toLowerCase());
  }

  /** Path of the bare repo behind a project. */
  repoOf(fullPath: string): string {
    return join(this.gitRoot ?? '', `${fullPath}.git`);
  }

  fault(fault: Fault): this {
    this.faults.push(fault);
    return this;
  }

  /** Requests to the API (git traffic left out). */
  apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.startsWith('/api/v4/'));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', url, headers: { ...req.headers }, body: raw.toString('utf8'), at: Date.now() });

    const fault = this.faults.find(
      (f) => f.times > 0 && (f.method === undefined || f.method === req.method) && (f.url === undefined || f.url.test(url)),
    );
    if (fault) {
      fault.times -= 1;
      return this.#fault(fault, res);
    }
    const [pathname = '/', search = ''] = url.split('?');
    if (pathname.startsWith('/api/v4/')) return this.#api(req.method ?? 'GET', pathname, new URLSearchParams(search), req, raw, res);
    if (/\.git\/(info\/refs|git-receive-pack|git-upload-pack)$/.test(pathname)) return this.#git(req, pathname, search, raw, res);
    res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body>404 Not Found</body></html>');
  }

  #fault(fault: Fault, res: ServerResponse): void {
    if (fault.kind === 'hang') return;
    if (fault.kind === 'json') return json(res, fault.status ?? 200, fault.body ?? {});
    if (fault.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (fault.kind === '429') {
      const reset = Math.floor(Date.now() / 1000) + 60;
      res.writeHead(429, {
        'Content-Type': 'text/plain',
        'Retry-After': fault.retryAfter ?? '1',
        'RateLimit-Name': 'throttle_authenticated_api',
        'RateLimit-Limit': '60',
        'RateLimit-Observed': '61',
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': String(reset),
        'RateLimit-ResetTime': new Date(reset * 1000).toUTCString(),
      });
      res.end('Retry later\n');
      return;
    }
    const status = fault.status ?? 500;
    if (status === 500) return json(res, 500, { message: '500 Internal Server Error' });
    res.writeHead(status, { 'Content-Type': 'text/html' }).end(`<html><body><h1>${status}</h1>GitLab is not responding</body></html>\n`);
  }

  /** The token of a request (PRIVATE-TOKEN or Authorization: Bearer), or the 401 to answer. */
  #auth(req: IncomingMessage, res: ServerResponse): FakeToken | undefined {
    const header = req.headers['private-token'];
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const value = typeof header === 'string' ? header : bearer;
    const token = this.tokens.find((t) => t.token === value);
    if (!token) {
      json(res, 401, { message: '401 Unauthorized' });
      return undefined;
    }
    if (token.expired) {
      json(res, 401, {
        error: 'invalid_token',
        error_description: 'Token is expired. You can either do re-authorization or token refresh.',
      });
      return undefined;
    }
    if (token.revoked) {
      json(res, 401, { error: 'invalid_token', error_description: 'Token was revoked. You have to re-authorize from the user.' });
      return undefined;
    }
    return token;
  }

  #scope(token: FakeToken, res: ServerResponse, allowed: string[]): boolean {
    if (token.scopes.some((s) => allowed.includes(s))) return true;
    json(res, 403, {
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token.',
      scope: allowed.join(' '),
    });
    return false;
  }

  #findProject(id: string, token: FakeToken): FakeProject | undefined {
    const project = /^\d+$/.test(id) ? this.projects.find((p) => String(p.id) === id) : this.project(id);
    return project && project.members[token.username] !== undefined ? project : undefined;
  }

  #projectJson(p: FakeProject, username: string): Record<string, unknown> {
    const full = `${p.namespace}/${p.path}`;
    return {
      id: p.id,
      description: null,
      name: p.path,
      name_with_namespace: full.split('/').join(' / '),
      path: p.path,
      path_with_namespace: full,
      created_at: '2026-11-28T10:00:00.000Z',
      default_branch: 'main',
      ssh_url_to_repo: `git@127.0.0.1:${full}.git`,
      http_url_to_repo: `${this.url}/${full}.git`,
      web_url: `${this.url}/${full}`,
      visibility: 'private',
      namespace: { id: 1, name: p.namespace, path: p.namespace.split('/').at(-1), kind: 'group', full_path: p.namespace },
      permissions: { project_access: { access_level: p.members[username] ?? 0, notification_level: 3 }, group_access: null },
      // The CI/CD settings are shown only to those who may admin the project (API::Entities::Project, admin_project).
      ...((p.members[username] ?? 0) >= ACCESS.maintainer ? p.pipelineVariables : undefined),
    };
  }

  #variableJson(v: FakeVariable): FakeVariable | Record<string, unknown> {
    return { ...v, value: v.hidden ? null : v.value };
  }

  #api(method: string, pathname: string, query: URLSearchParams, req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const token = this.#auth(req, res);
    if (!token) return;
    const segments = pathname.slice('/api/v4/'.length).split('/').map((s) => decodeURIComponent(s));
    const read = ['api', 'read_api'];
    const body = this.#body(req, raw);
    const [a, b, c, d, ...more] = segments;
    if (more.length > 0) return json(res, 404, NOT_FOUND);

    if (a === 'user' && b === undefined && method === 'GET') {
      if (!this.#scope(token, res, ['api', 'read_api', 'read_user'])) return;
      return json(res, 200, { id: 1, username: token.username, name: token.username, state: 'active', locked: false });
    }
    if (a === 'personal_access_tokens' && b === 'self' && c === undefined && method === 'GET')
      return json(res, 200, {
        id: 7, name: 'cli', revoked: false, created_at: '2026-11-01T00:00:00.000Z', description: null,
        scopes: token.scopes, user_id: 1, last_used_at: null, active: true, expires_at: '2027-11-01',
      });
    if (a === 'namespaces' && b !== undefined && c === undefined && method === 'GET') {
      if (!this.#scope(token, res, read)) return;
      if (b === token.username)
        return json(res, 200, { id: USER_NAMESPACE_ID, name: b, path: b, kind: 'user', full_path: b, parent_id: null });
      const group = this.groups.find((g) => g.full_path === b || String(g.id) === b);
      if (!group || group.members[token.username] === undefined) return json(res, 404, { message: '404 Namespace Not Found' });
      return json(res, 200, { id: group.id, name: b.split('/').at(-1), path: b.split('/').at(-1), kind: 'group', full_path: group.full_path, parent_id: null });
    }
    if (a === 'projects' && b === undefined && method === 'POST') return this.#createProject(token, body, res);
    if (a !== 'projects' || b === undefined) return json(res, 404, NOT_FOUND);

    const writing = method !== 'GET';
    if (!this.#scope(token, res, writing ? ['api'] : read)) return;
    const project = this.#findProject(b, token);
    if (c === undefined && method === 'GET') {
      if (!project) return json(res, 404, { message: '404 Project Not Found' });
      return json(res, 200, this.#projectJson(project, token.username));
    }
    if (c === undefined && method === 'PUT') {
      if (!project) return json(res, 404, { message: '404 Project Not Found' });
      return this.#updateProject(project, token, body, res);
    }
    if (c === 'merge_requests') {
      if (!project) return json(res, 404, { message: '404 Project Not Found' });
      return this.#mergeRequests(project, token, method, d, query, body, res);
    }
    if (c !== 'variables') return json(res, 404, NOT_FOUND);
    if (!project) return json(res, 404, { message: '404 Project Not Found' });
    if ((project.members[token.username] ?? 0) < ACCESS.maintainer) return json(res, 403, { message: '403 Forbidden' });

    if (d === undefined && method === 'GET') return this.#list(project, query, pathname, res);
    if (d === undefined && method === 'POST') return this.#create(project, body, res);
    if (d === undefined) return json(res, 405, { message: '405 Method Not Allowed' });

    const scope = query.get('filter[environment_scope]') ?? (body.filter as Record<string, unknown> | undefined)?.environment_scope;
    const matches = project.variables.filter((v) => v.key === d && (scope === undefined || v.environment_scope === scope));
    if (matches.length > 1)
      return json(res, 409, { message: "There are multiple variables with provided parameters. Please use 'filter[environment_scope]'" });
    const variable = matches[0];
    if (!variable) return json(res, 404, { message: '404 Variable Not Found' });
    if (method === 'GET') return json(res, 200, this.#variableJson(variable));
    if (method === 'DELETE') {
      project.variables.splice(project.variables.indexOf(variable), 1);
      res.writeHead(204).end();
      return;
    }
    if (method === 'PUT') return this.#update(variable, body, res);
    return json(res, 405, { message: '405 Method Not Allowed' });
  }

  /**
   * /projects/:id/merge_requests[/:iid]: GET (filters state, source_branch,
   * target_branch; newest first), POST, PUT. Opening or editing one needs the
   * Developer role. POST answers 409 with GitLab's message when an open
   * merge request has the same source and target branch
   * (MergeRequest#validate_branches, then conflict! of
   * errors[:validate_branches]), 400 for a missing parameter (Grape), and 422
   * when the source branch is not in the repo (an unprocessable base error;
   * the wording is this fake's).
   */
  #mergeRequests(
    project: FakeProject,
    token: FakeToken,
    method: string,
    iid: string | undefined,
    query: URLSearchParams,
    body: Record<string, unknown>,
    res: ServerResponse,
  ): void {
    const access = project.members[token.username] ?? 0;
    if (method !== 'GET' && access < ACCESS.developer) return json(res, 403, { message: '403 Forbidden' });
    if (iid === undefined && method === 'GET') {
      const state = query.get('state') ?? 'all';
      const found = project.mergeRequests
        .filter((mr) => state === 'all' || mr.state === state)
        .filter((mr) => !query.has('source_branch') || mr.source_branch === query.get('source_branch'))
        .filter((mr) => !query.has('target_branch') || mr.target_branch === query.get('target_branch'))
        .reverse();
      return json(res, 200, found.map((mr) => this.#mergeRequestJson(project, mr)));
    }
    if (iid === undefined && method === 'POST') {
      const missing = ['source_branch', 'target_branch', 'title'].filter((k) => typeof body[k] !== 'string' || body[k] === '');
      if (missing.length > 0) return json(res, 400, { error: missing.map((k) => `${k} is missing`).join(', ') });
      const source = String(body.source_branch);
      const target = String(body.target_branch);
      if (source === target) return json(res, 422, { message: ["You can't use same project/branch for source and target"] });
      if (this.gitRoot) {
        const repo = this.repoOf(`${project.namespace}/${project.path}`);
        const has = spawnSync('git', ['--git-dir', repo, 'rev-parse', '--verify', '--quiet', `refs/heads/${source}`], { env: gitEnv() });
        if (has.status !== 0) return json(res, 422, { message: [`Source branch "${source}" does not exist`] });
      }
      const open = project.mergeRequests.find((mr) => mr.state === 'opened' && mr.source_branch === source && mr.target_branch === target);
      if (open) return json(res, 409, { message: [`Another open merge request already exists for this source branch: !${open.iid}`] });
      const mr: FakeMergeRequest = {
        id: this.#nextId++,
        iid: project.mergeRequests.length + 1,
        title: String(body.title),
        description: typeof body.description === 'string' ? body.description : '',
        state: 'opened',
        source_branch: source,
        target_branch: target,
        author: token.username,
        force_remove_source_branch: bool(body.remove_source_branch, false),
        squash: bool(body.squash, false),
      };
      project.mergeRequests.push(mr);
      return json(res, 201, this.#mergeRequestJson(project, mr));
    }
    if (iid === undefined) return json(res, 405, { message: '405 Method Not Allowed' });
    const mr = project.mergeRequests.find((m) => String(m.iid) === iid);
    if (!mr) return json(res, 404, { message: '404 Not found' });
    if (method === 'GET') return json(res, 200, this.#mergeRequestJson(project, mr));
    if (method !== 'PUT') return json(res, 405, { message: '405 Method Not Allowed' });
    if (typeof body.title === 'string') mr.title = body.title;
    if (typeof body.description === 'string') mr.description = body.description;
    if (body.remove_source_branch !== undefined) mr.force_remove_source_branch = bool(body.remove_source_branch, false);
    return json(res, 200, this.#mergeRequestJson(project, mr));
  }

  /** Fields of API::Entities::MergeRequest in GitLab's order (id, then iid), with nested objects that have ids of their own. */
  #mergeRequestJson(p: FakeProject, mr: FakeMergeRequest): Record<string, unknown> {
    return {
      id: mr.id,
      iid: mr.iid,
      project_id: p.id,
      title: mr.title,
      description: mr.description,
      state: mr.state,
      created_at: '2026-11-28T10:00:00.000Z',
      updated_at: '2026-11-28T10:00:00.000Z',
      target_branch: mr.target_branch,
      source_branch: mr.source_branch,
      author: { id: 3, username: mr.author, name: mr.author, state: 'active', web_url: `${this.url}/${mr.author}` },
      source_project_id: p.id,
      target_project_id: p.id,
      labels: [],
      draft: false,
      milestone: null,
      merge_status: 'checking',
      force_remove_source_branch: mr.force_remove_source_branch,
      squash: mr.squash,
      reference: `!${mr.iid}`,
      web_url: `${this.url}/${p.namespace}/${p.path}/-/merge_requests/${mr.iid}`,
    };
  }

  #body(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
    const text = raw.toString('utf8');
    if (text === '') return {};
    if ((req.headers['content-type'] ?? '').includes('application/json')) {
      try {
        return JSON.parse(text) as Record<string, unknown>;
      } catch {
        return {};
      }
    }
    return Object.fromEntries(new URLSearchParams(text));
  }

  #list(project: FakeProject, query: URLSearchParams, pathname: string, res: ServerResponse): void {
    const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 20) || 20, 1), 100);
    const page = Math.max(Number(query.get('page') ?? 1) || 1, 1);
    const total = project.variables.length;
    const pages = Math.max(Math.ceil(total / perPage), 1);
    const items = project.variables.slice((page - 1) * perPage, page * perPage).map((v) => this.#variableJson(v));
    const link = (p: number, rel: string): string => `<${this.url}${pathname}?page=${p}&per_page=${perPage}>; rel="${rel}"`;
    const links = [
      ...(page > 1 ? [link(page - 1, 'prev')] : []),
      ...(page < pages ? [link(page + 1, 'next')] : []),
      link(1, 'first'),
      link(pages, 'last'),
    ];
    json(res, 200, items, {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-next-page': page < pages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      'x-total': String(total),
      'x-total-pages': String(pages),
      Link: links.join(', '),
    });
  }

  /** GitLab's model validations of a variable: the `message` map of a 400, or undefined. */
  #invalid(v: FakeVariable): Record<string, string[]> | undefined {
    const errors: Record<string, string[]> = {};
    if (!KEY.test(v.key)) errors.key = ["can contain only letters, digits and '_'."];
    else if (v.key.length > 255) errors.key = ['is too long (maximum is 255 characters)'];
    if (v.masked && !(v.raw ? MASKED_RAW : MASKED).test(v.value)) errors.value = ['is invalid'];
    if (v.description !== null && v.description.length > 255) errors.description = ['is too long (maximum is 255 characters)'];
    return Object.keys(errors).length > 0 ? errors : undefined;
  }

  #create(project: FakeProject, body: Record<string, unknown>, res: ServerResponse): void {
    const missing = ['key', 'value'].filter((k) => body[k] === undefined || body[k] === null);
    if (missing.length > 0) return json(res, 400, { error: missing.map((k) => `${k} is missing`).join(', ') });
    const type = body.variable_type ?? 'env_var';
    if (type !== 'env_var' && type !== 'file') return json(res, 400, { error: 'variable_type does not have a valid value' });
    const variable: FakeVariable = {
      variable_type: type,
      key: String(body.key),
      value: String(body.value),
      hidden: bool(body.masked_and_hidden, false),
      protected: bool(body.protected, false),
      masked: bool(body.masked, false) || bool(body.masked_and_hidden, false),
      raw: bool(body.raw, false),
      environment_scope: typeof body.environment_scope === 'string' ? body.environment_scope : '*',
      description: typeof body.description === 'string' ? body.description : null,
    };
    const errors = this.#invalid(variable) ?? {};
    if (project.variables.some((v) => v.key === variable.key && v.environment_scope === variable.environment_scope))
      errors.key = [...(errors.key ?? []), `(${variable.key}) has already been taken`];
    if (Object.keys(errors).length > 0) return json(res, 400, { message: errors });
    project.variables.push(variable);
    json(res, 201, this.#variableJson(variable));
  }

  #update(variable: FakeVariable, body: Record<string, unknown>, res: ServerResponse): void {
    const type = body.variable_type ?? variable.variable_type;
    if (type !== 'env_var' && type !== 'file') return json(res, 400, { error: 'variable_type does not have a valid value' });
    const next: FakeVariable = {
      ...variable,
      variable_type: type,
      value: body.value === undefined ? variable.value : String(body.value),
      protected: bool(body.protected, variable.protected),
      masked: bool(body.masked, variable.masked),
      raw: bool(body.raw, variable.raw),
      environment_scope: typeof body.environment_scope === 'string' ? body.environment_scope : variable.environment_scope,
      description: typeof body.description === 'string' ? body.description : variable.description,
    };
    // Ci::HidableVariable: a masked-and-hidden variable keeps its visibility (masked) for good.
    if (variable.hidden && next.masked !== variable.masked)
      return json(res, 400, { message: { base: ['The visibility setting cannot be changed for masked and hidden variables.'] } });
    const errors = this.#invalid(next);
    if (errors) return json(res, 400, { message: errors });
    Object.assign(variable, next);
    json(res, 200, this.#variableJson(variable));
  }

  /**
   * PUT /projects/:id for the two pipeline-variables attributes (lib/api/projects.rb, Projects::UpdateService):
   * Maintainer or more (authorize_admin_project), the values Grape allows, to or from `owner` (and from
   * `no_one_allowed`) only by an Owner, and at least one attribute this GitLab knows.
   */
  #updateProject(project: FakeProject, token: FakeToken, body: Record<string, unknown>, res: ServerResponse): void {
    const access = project.members[token.username] ?? 0;
    if (access < ACCESS.maintainer) return json(res, 403, { message: '403 Forbidden' });
    const role = body.ci_pipeline_variables_minimum_override_role;
    const restrict = body.restrict_user_defined_variables;
    const setting = project.pipelineVariables;
    // An older GitLab does not declare these params: Grape drops them, and then none is left.
    if (!setting || (role === undefined && restrict === undefined))
      return json(res, 400, { error: 'name, default_branch, path, ... are missing, at least one parameter must be provided' });
    if (role !== undefined && !(PIPELINE_VARIABLES_ROLES as readonly unknown[]).includes(role))
      return json(res, 400, { error: 'ci_pipeline_variables_minimum_override_role does not have a valid value' });
    const current = setting.ci_pipeline_variables_minimum_override_role;
    const changing = role !== undefined && role !== current;
    if (changing && role === 'owner' && access < ACCESS.owner)
      return json(res, 400, { message: 'Changing the ci_pipeline_variables_minimum_override_role to the owner role is not allowed' });
    // "After the setting is at this value [owner, no_one_allowed], only the Owner role can change it" (ci/variables docs).
    if (changing && (current === 'owner' || current === 'no_one_allowed') && access < ACCESS.owner)
      return json(res, 400, { message: 'Changing the restrict_user_defined_variables or ci_pipeline_variables_minimum_override_role is not allowed' });
    if (role !== undefined) setting.ci_pipeline_variables_minimum_override_role = role as PipelineVariablesRole;
    if (restrict !== undefined) setting.restrict_user_defined_variables = bool(restrict, setting.restrict_user_defined_variables);
    json(res, 200, this.#projectJson(project, token.username));
  }

  #createProject(token: FakeToken, body: Record<string, unknown>, res: ServerResponse): void {
    if (!this.#scope(token, res, ['api'])) return;
    const path = String(body.path ?? body.name ?? '');
    if (path === '') return json(res, 400, { error: 'name, path are missing, at least one parameter must be provided' });
    let namespace = token.username;
    if (body.namespace_id !== undefined && String(body.namespace_id) !== String(USER_NAMESPACE_ID)) {
      const group = this.groups.find((g) => String(g.id) === String(body.namespace_id));
      if (!group) return json(res, 404, { message: '404 Namespace Not Found' });
      if ((group.members[token.username] ?? 0) < ACCESS.developer) return json(res, 403, { message: '403 Forbidden' });
      namespace = group.full_path;
    }
    if (this.project(`${namespace}/${path}`))
      return json(res, 400, { message: { name: ['has already been taken'], path: ['has already been taken'] } });
    // As on GitLab.com now: a new project lets nobody set pipeline variables.
    const project = this.addProject(`${namespace}/${path}`, { [token.username]: ACCESS.owner }, [], { pipelineVariables: NEW_GITLAB_COM_PROJECT });
    json(res, 201, this.#projectJson(project, token.username));
  }

  /**
   * Git smart HTTP through `git http-backend`; Basic auth with any user name and a token: fetching needs
   * api, read_repository or write_repository and the Reporter role, pushing api or write_repository and
   * the Developer role (GitLab's 403 and message otherwise).
   */
  #git(req: IncomingMessage, pathname: string, search: string, raw: Buffer, res: ServerResponse): void {
    const deny = (): void => {
      res.writeHead(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Basic realm="GitLab"' });
      res.end('HTTP Basic: Access denied\n');
    };
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!basic) return deny();
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const password = decoded.slice(decoded.indexOf(':') + 1);
    const pushing = pathname.endsWith('/git-receive-pack') || new URLSearchParams(search).get('service') === 'git-receive-pack';
    const token = this.tokens.find((t) => t.token === password && !t.expired && !t.revoked);
    const scopes = pushing ? ['api', 'write_repository'] : ['api', 'read_repository', 'write_repository'];
    if (!token || !token.scopes.some((s) => scopes.includes(s))) return deny();
    const fullPath = pathname.slice(1).replace(/\.git\/.*$/, '');
    const project = this.project(fullPath);
    const access = project?.members[token.username] ?? 0;
    if (!this.gitRoot || !project || access < ACCESS.reporter) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('The project you were looking for could not be found.\n');
      return;
    }
    if (pushing && access < ACCESS.developer) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('You are not allowed to push code to this project.\n');
      return;
    }
    mkdirSync(this.gitRoot, { recursive: true });
    const child = spawn('git', ['http-backend'], {
      env: {
        ...gitEnv(),
        GIT_PROJECT_ROOT: this.gitRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: pathname,
        REQUEST_METHOD: req.method ?? 'GET',
        QUERY_STRING: search,
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: String(raw.length),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: token.username,
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    // http-backend need not read the body (a GET has none worth reading) and may exit first:
    // the closed pipe (EPIPE) is expected then, and its answer still comes on stdout.
    child.stdin.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
    child.stdin.end(raw);
    child.on('close', () => {
      const all = Buffer.concat(out);
      const split = all.indexOf('\r\n\r\n') >= 0 ? all.indexOf('\r\n\r\n') : all.indexOf('\n\n');
      const gap = all.indexOf('\r\n\r\n') >= 0 ? 4 : 2;
      const head = all.subarray(0, split).toString('utf8');
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers).end(all.subarray(split + gap));
    });
  }
}

const DEFAULT_VARIABLE: FakeVariable = {
  variable_type: 'env_var',
  key: 'KEY',
  value: 'value-of-8',
  hidden: false,
  protected: false,
  masked: false,
  raw: false,
  environment_scope: '*',
  description: null,
};

/** A git environment that reads no user or system config. */
function gitEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
}

export async function startFakeGitLab(gitRoot?: string): Promise<FakeGitLab> {
  return new FakeGitLab(gitRoot).start();
}
