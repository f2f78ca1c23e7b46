/**
 * `mlops-project gitlab-variables`, the real built bin, against a fake
 * GitLab on 127.0.0.1 (test/support/fake-gitlab.ts). After every run, no
 * secret in any form may appear in stdout, stderr or any file of the repo.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa, type Result } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MASKED_VALUE } from '../../src/gitlab/credentials.js';
import { shellQuote } from '../../generators/shared/shell-quote.js';
import { ACCESS, type FakeGitLab, NEW_GITLAB_COM_PROJECT, startFakeGitLab } from '../support/fake-gitlab.js';
import { errorLines, GIT_ENV, MLOPS_BIN, removeDir, tempDir } from '../support/cli.js';
import {
  HARBOR_PASSWORD,
  HARBOR_USER,
  leaks,
  makeRepo,
  mlops,
  secretForms,
  TOKEN,
  writeServiceAccountKey,
} from './helpers.js';

const PROJECT = 'group/sub/name';
const ONPREM_ENV = { GITLAB_TOKEN: TOKEN, HARBOR_USERNAME: HARBOR_USER, HARBOR_PASSWORD };

let work: string;
let onprem: string;
let gcp: string;
let keyFile: string;
let keyText: string;
let needles: Record<string, string>;

beforeAll(async () => {
  work = tempDir('cmp-gitlab-');
  onprem = await makeRepo(work, 'onprem-repo', 'onprem');
  gcp = await makeRepo(work, 'gcp-repo', 'gcp');
  keyFile = join(work, 'sa-key.json');
  keyText = writeServiceAccountKey(keyFile);
  const privateKey = (JSON.parse(keyText) as { private_key: string }).private_key;
  needles = secretForms({
    'gcp key file': keyText,
    'gcp private key': privateKey,
    'gcp private key line': privateKey.split('\n')[1] ?? '',
  });
});
afterAll(() => removeDir(work));

let fake: FakeGitLab;
let gitRoot: string;
/** Every run of a test, and the repo it ran on: checked for leaks after the test. */
let runs: { result: Result; dir: string }[];

beforeEach(async () => {
  gitRoot = tempDir('cmp-fake-git-');
  fake = await startFakeGitLab(gitRoot);
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
  runs = [];
});

afterEach(async () => {
  await fake.stop();
  removeDir(gitRoot);
  for (const { result, dir } of runs) expect(leaks(result, dir, needles), `${result.command}`).toEqual([]);
});

async function vars(dir: string, args: string[], env: Record<string, string> = ONPREM_ENV): Promise<Result> {
  const result = await mlops(['gitlab-variables', '--dir', dir, '--gitlab-url', fake.url, ...args], work, env);
  runs.push({ result, dir });
  return result;
}

const writes = (): string[] => fake.apiRequests().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`);
const calls = (): string[] => fake.apiRequests().map((r) => `${r.method} ${r.url.split('?')[0]}`);
const decode = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');

describe('help', () => {
  it('mlops-project --help lists the command and every flag with its default', async () => {
    const result = await mlops(['--help'], work);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('gitlab-variables');
    for (const flag of ['--dir', '--gitlab-url', '--gitlab-project', '--protected', '--no-protected', '--dry-run',
      '--gitlab-create', '--gitlab-namespace', '--gitlab-push', 'GITLAB_TOKEN', 'HARBOR_USERNAME', 'HARBOR_PASSWORD',
      'GCP_SERVICE_ACCOUNT_KEY_FILE'])
      expect(result.stdout).toContain(flag);
    expect(result.stdout).toContain('default: $GITLAB_URL, else https://gitlab.com');
    const own = await mlops(['gitlab-variables', '--help'], work);
    expect(own.stdout).toMatch(/^Usage: mlops-project gitlab-variables/);
  });

  it('an unknown flag or command is one error line', async () => {
    const result = await mlops(['gitlab-variables', '--token', 'x'], work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error Unknown option '--token'\./);
    expect((await mlops(['nope'], work)).stderr).toMatch(/^error Unknown command "nope"\./);
  });
});

describe('onprem: HARBOR_ROBOT_CREDS_JSON', () => {
  it('creates the variable: env_var, masked, protected, scope *, a valid Docker config for the registry host', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('✔ HARBOR_ROBOT_CREDS_JSON created in group/sub/name (env_var, masked, protected, all environments)');

    expect(project.variables).toHaveLength(1);
    const variable = project.variables[0]!;
    expect(variable).toMatchObject({
      key: 'HARBOR_ROBOT_CREDS_JSON', variable_type: 'env_var', masked: true, protected: true, raw: false, environment_scope: '*',
    });
    expect(variable.value).toMatch(MASKED_VALUE);
    const config = JSON.parse(decode(variable.value)) as { auths: Record<string, { auth: string }> };
    expect(Object.keys(config.auths)).toEqual(['harbor.example.com:8443']);
    expect(decode(config.auths['harbor.example.com:8443']!.auth)).toBe(`${HARBOR_USER}:${HARBOR_PASSWORD}`);

    // Reads first (token, scope, project, role), then the upsert; the token only ever in PRIVATE-TOKEN.
    expect(calls()).toEqual([
      'GET /api/v4/user',
      'GET /api/v4/personal_access_tokens/self',
      'GET /api/v4/projects/group%2Fsub%2Fname',
      'GET /api/v4/projects/group%2Fsub%2Fname/variables',
      'GET /api/v4/projects/group%2Fsub%2Fname/variables/HARBOR_ROBOT_CREDS_JSON',
      'POST /api/v4/projects/group%2Fsub%2Fname/variables',
    ]);
    for (const request of fake.apiRequests()) {
      expect(request.headers['private-token']).toBe(TOKEN);
      expect(request.url).not.toContain(TOKEN);
    }
  });

  it('a second run updates the variable and never duplicates it; a PUT sends variable_type', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer }, [
      // An old, wrong variable: a `file` variable holds a path, not the value.
      { key: 'HARBOR_ROBOT_CREDS_JSON', variable_type: 'file', value: 'old-value-here', masked: false, protected: false },
      // The same key in another environment scope: must neither be touched nor cause a 409.
      { key: 'HARBOR_ROBOT_CREDS_JSON', environment_scope: 'production', value: 'production-only' },
    ]);
    const first = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(first.stdout).toContain('HARBOR_ROBOT_CREDS_JSON updated');
    const second = await vars(onprem, ['--gitlab-project', PROJECT, '--no-protected']);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(second.stdout).toContain('HARBOR_ROBOT_CREDS_JSON updated in group/sub/name (env_var, masked, not protected');

    const star = project.variables.filter((v) => v.environment_scope === '*');
    expect(star).toHaveLength(1);
    expect(star[0]).toMatchObject({ variable_type: 'env_var', masked: true, protected: false });
    expect(project.variables.find((v) => v.environment_scope === 'production')?.value).toBe('production-only');
    expect(writes().every((w) => w.startsWith('PUT ') && w.includes('filter%5Benvironment_scope%5D=*'))).toBe(true);
    for (const put of fake.apiRequests().filter((r) => r.method === 'PUT'))
      expect(JSON.parse(put.body)).toMatchObject({ variable_type: 'env_var', masked: true, raw: false });
  });

  it('create, then run again: updated, still one variable', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    expect((await vars(onprem, ['--gitlab-project', PROJECT])).stdout).toContain('created');
    expect((await vars(onprem, ['--gitlab-project', PROJECT])).stdout).toContain('updated');
    expect(project.variables).toHaveLength(1);
  });

  it('a POST that races and gets "has already been taken" falls back to PUT', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    // Someone else creates the variable between our GET (answered 404 here) and our POST.
    project.variables.push({
      variable_type: 'env_var', key: 'HARBOR_ROBOT_CREDS_JSON', value: 'someone-else', hidden: false,
      protected: true, masked: false, raw: false, environment_scope: '*', description: null,
    });
    fake.fault({ method: 'GET', url: /variables\/HARBOR_ROBOT_CREDS_JSON/, kind: 'json', status: 404, body: { message: '404 Variable Not Found' }, times: 1 });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(writes().map((w) => w.split(' ')[0])).toEqual(['POST', 'PUT']);
    expect(result.stdout).toContain('HARBOR_ROBOT_CREDS_JSON updated');
    expect(project.variables).toHaveLength(1);
  });

  /** A repo whose registry is `record` in .mlops-project.json and `pipeline` in .gitlab-ci.yml. */
  async function registries(name: string, record: string, pipeline: string): Promise<string> {
    const dir = await makeRepo(work, name, 'onprem');
    const file = join(dir, '.mlops-project.json');
    const data = JSON.parse(readFileSync(file, 'utf8')) as { answers: { registry: string } };
    data.answers.registry = record;
    writeFileSync(file, JSON.stringify(data));
    const ci = join(dir, '.gitlab-ci.yml');
    writeFileSync(ci, readFileSync(ci, 'utf8').replace(/^( {2}IMAGE_REGISTRY: ).*$/m, `$1${pipeline}`));
    return dir;
  }

  it('refuses a registry that is still the placeholder, naming the command that sets it', async () => {
    const dir = await registries('placeholder', 'harbor.example.com/change-me/p', 'harbor.example.com/change-me/p');
    const result = await vars(dir, ['--gitlab-project', PROJECT]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/still the placeholder harbor\.example\.com\/change-me\/p: .* Set your Harbor project first: node \S+ set-registry HOST\/PATH$/m);
    expect(fake.requests).toEqual([]);
  });

  it('refuses a repo whose .gitlab-ci.yml and .mlops-project.json registries disagree: one line with both and the fix', async () => {
    const dir = await registries('disagree', 'harbor.example.com/change-me/p', 'harbor.acme.io/ml/p');
    const result = await vars(dir, ['--gitlab-project', PROJECT]);
    expect(result.exitCode).toBe(1);
    expect(errorLines(String(result.stderr))).toEqual([
      'error The registry in .gitlab-ci.yml (IMAGE_REGISTRY harbor.acme.io/ml/p) and in .mlops-project.json (answers.registry harbor.example.com/change-me/p) disagree: ' +
        `set the one images go to in both with node ${MLOPS_BIN} set-registry harbor.acme.io/ml/p`,
    ]);
    expect(String(result.stderr)).toMatch(/^docs: \S+\/troubleshooting\/#registry-mismatch$/m);
    expect(fake.requests).toEqual([]);
    // The command it names fixes it.
    const fixed = await execa(process.execPath, [MLOPS_BIN, 'set-registry', 'harbor.acme.io/ml/p', '--dir', dir], { reject: false, env: GIT_ENV });
    expect(fixed.exitCode, String(fixed.stderr)).toBe(0);
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    expect((await vars(dir, ['--gitlab-project', PROJECT])).exitCode).toBe(0);
  });
});

describe('pipeline variables: Developers may set them (GitLab.com lets nobody in a new project)', () => {
  const ROLE = 'ci_pipeline_variables_minimum_override_role';
  const roleOf = (path = PROJECT): string | undefined => fake.project(path)!.pipelineVariables?.[ROLE];
  const projectPuts = (): string[] => writes().filter((w) => /^PUT \/api\/v4\/projects\/[^/]+$/.test(w));

  it.each([
    ['no_one_allowed', ACCESS.owner],
    ['owner', ACCESS.owner],
    ['maintainer', ACCESS.maintainer],
  ] as const)('%s is set to developer, after the variable, with one PUT /projects/:id', async (role, access) => {
    fake.addProject(PROJECT, { tester: access }, [], {
      pipelineVariables: { ...NEW_GITLAB_COM_PROJECT, [ROLE]: role },
    });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain(
      `✔ Developers may set pipeline variables in group/sub/name (${ROLE}: ${role} -> developer), so the pipeline's manual switches work`,
    );
    expect(roleOf()).toBe('developer');
    expect(calls().slice(-2)).toEqual(['POST /api/v4/projects/group%2Fsub%2Fname/variables', 'PUT /api/v4/projects/group%2Fsub%2Fname']);
    const put = fake.apiRequests().find((r) => r.method === 'PUT')!;
    expect(JSON.parse(put.body)).toEqual({ [ROLE]: 'developer' });
  });

  it('developer already, or restrict_user_defined_variables false (the role is then ignored): nothing sent, nothing said', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    fake.addProject('group/open', { tester: ACCESS.maintainer }, [], {
      pipelineVariables: { restrict_user_defined_variables: false, [ROLE]: 'maintainer' },
    });
    for (const project of [PROJECT, 'group/open']) {
      const result = await vars(onprem, ['--gitlab-project', project]);
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(result.stdout).not.toContain('pipeline variables');
    }
    expect(projectPuts()).toEqual([]);
    expect(roleOf('group/open')).toBe('maintainer');
  });

  it('a GitLab without the setting (older than 17.1): untouched, nothing alarming said', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer }, [], { pipelineVariables: null });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(`${String(result.stdout)}${String(result.stderr)}`).not.toMatch(/pipeline variables|warning/i);
    expect(projectPuts()).toEqual([]);
  });

  it('--dry-run shows the change and sends nothing', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer }, [], { pipelineVariables: NEW_GITLAB_COM_PROJECT });
    const result = await vars(onprem, ['--gitlab-project', PROJECT, '--dry-run']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain(`when it is no_one_allowed (GitLab.com's default for new projects), maintainer or owner: PUT  /api/v4/projects/group%2Fsub%2Fname {"${ROLE}":"developer"}`);
    expect(fake.requests).toEqual([]);
    expect(roleOf()).toBe('no_one_allowed');
  });

  it('--keep-pipeline-variables-role leaves it, says so in a dry run, and keeps the flag in the finishing command', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer }, [], { pipelineVariables: NEW_GITLAB_COM_PROJECT });
    const dry = await vars(onprem, ['--gitlab-project', PROJECT, '--dry-run', '--keep-pipeline-variables-role']);
    expect(dry.stdout).toContain('leave who may set pipeline variables as it is (--keep-pipeline-variables-role)');
    expect(dry.stdout).not.toContain(`"${ROLE}"`);
    const result = await vars(onprem, ['--gitlab-project', PROJECT, '--keep-pipeline-variables-role']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('HARBOR_ROBOT_CREDS_JSON created');
    expect(projectPuts()).toEqual([]);
    expect(roleOf()).toBe('no_one_allowed');
    fake.fault({ method: 'PUT', kind: '5xx', status: 503, times: 3 });
    const failed = await vars(onprem, ['--gitlab-project', PROJECT, '--keep-pipeline-variables-role']);
    expect(errorLines(String(failed.stderr)).at(-1)!.trim()).toMatch(/ --gitlab-project group\/sub\/name --keep-pipeline-variables-role$/);
  });

  it('a Developer is refused by the preflight: nothing written, the setting untouched', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.developer }, [], { pipelineVariables: NEW_GITLAB_COM_PROJECT });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error @tester may not manage CI\/CD variables of group\/sub\/name \(403 Forbidden: that needs the Maintainer or Owner role\)/);
    expect(errorLines(String(result.stderr))).toHaveLength(1);
    expect(writes()).toEqual([]);
    expect(roleOf()).toBe('no_one_allowed');
  });

  it('a Maintainer, where only an Owner may lower no_one_allowed: refused by the preflight, nothing written', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer }, [], { pipelineVariables: NEW_GITLAB_COM_PROJECT });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode).toBe(1);
    expect(errorLines(String(result.stderr))).toEqual([
      'error Only an Owner may change who can set pipeline variables in group/sub/name from no_one_allowed, and @tester is a Maintainer: ' +
        'ask an Owner to set Settings > CI/CD > Variables > Minimum role to use pipeline variables to Developer, or run again with --keep-pipeline-variables-role.',
    ]);
    expect(writes()).toEqual([]);
    expect(roleOf()).toBe('no_one_allowed');
  });

  it('a refused change after the variable is set: one line, what was done, how to finish', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer }, [], { pipelineVariables: { ...NEW_GITLAB_COM_PROJECT, [ROLE]: 'maintainer' } });
    // A custom role that may manage variables but not the project (GitLab Ultimate).
    fake.fault({ method: 'PUT', url: /^\/api\/v4\/projects\/group%2Fsub%2Fname$/, kind: 'json', status: 403, body: { message: '403 Forbidden' }, times: 1 });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode).toBe(1);
    const lines = errorLines(String(result.stderr));
    expect(lines[0]).toMatch(/^error @tester may not change who can set pipeline variables in group\/sub\/name \(403 Forbidden: that needs the Maintainer role\): .* or run again with --keep-pipeline-variables-role\.$/);
    expect(String(result.stderr)).toContain('Done before the failure: HARBOR_ROBOT_CREDS_JSON set. Not done: minimum role for pipeline variables not set to developer.');
    expect(String(result.stderr)).toMatch(/^docs: \S+\/troubleshooting\/#gitlab-pipeline-variables$/m);
    const again = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(roleOf()).toBe('developer');
  });
});

describe('--dry-run', () => {
  it('prints every call with secrets as [redacted] and sends no request at all', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars(onprem, ['--gitlab-project', PROJECT, '--dry-run']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(fake.requests).toEqual([]);
    expect(result.stdout).toContain('GET  /api/v4/projects/group%2Fsub%2Fname/variables/HARBOR_ROBOT_CREDS_JSON?filter[environment_scope]=*');
    expect(result.stdout).toContain('"value":"[redacted]"');
    expect(result.stdout).toContain('PRIVATE-TOKEN: [redacted]');
    expect(result.stdout).toMatch(/POST \/api\/v4\/projects\/group%2Fsub%2Fname\/variables .*"variable_type":"env_var","masked":true,"protected":true/);
  });

  it('needs no secret and asks nothing', async () => {
    const result = await vars(onprem, ['--gitlab-project', PROJECT, '--dry-run', '--gitlab-create', '--gitlab-push'], {});
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(fake.requests).toEqual([]);
    expect(result.stdout).toContain('POST /api/v4/projects {"name":"name","path":"name","namespace_id":<id of the namespace>,"visibility":"private"}');
    expect(result.stdout).toContain('GITLAB_TOKEN, HARBOR_USERNAME, HARBOR_PASSWORD are not set: a real run needs them');
    expect(result.stdout).toContain('Authorization: Basic [redacted]');
  });
});

describe('preflight: one line, exit 1, nothing written', () => {
  const cases: [string, (f: FakeGitLab) => Record<string, string>, RegExp][] = [
    ['an unknown token (401)', () => ({ ...ONPREM_ENV, GITLAB_TOKEN: 'glpat-not-a-known-token' }),
      /^error GITLAB_TOKEN is invalid or expired \(401 Unauthorized from http:\/\/127\.0\.0\.1:\d+\): create a personal access token with the api scope/],
    ['an expired token (401 invalid_token)', (f) => {
      f.addToken({ token: 'glpat-expired-token-000000', username: 'tester', scopes: ['api'], expired: true });
      return { ...ONPREM_ENV, GITLAB_TOKEN: 'glpat-expired-token-000000' };
    }, /^error GITLAB_TOKEN has expired \(401 from .*\): create a personal access token/],
    ['a token without the api scope', (f) => {
      f.addToken({ token: 'glpat-read-only-token-0000', username: 'tester', scopes: ['read_api', 'read_user'] });
      return { ...ONPREM_ENV, GITLAB_TOKEN: 'glpat-read-only-token-0000' };
    }, /^error GITLAB_TOKEN has the scopes read_api, read_user but setting CI\/CD variables needs the api scope/],
    ['a user below Maintainer (403)', (f) => {
      f.project(PROJECT)!.members.tester = ACCESS.developer;
      return ONPREM_ENV;
    }, /^error @tester may not manage CI\/CD variables of group\/sub\/name \(403 Forbidden: that needs the Maintainer or Owner role\)/],
    ['a project that does not exist (404)', (f) => {
      f.projects.splice(0);
      return ONPREM_ENV;
    }, /^error GitLab project group\/sub\/name was not found on http:\/\/127\.0\.0\.1:\d+, or @tester cannot see it: check --gitlab-project/],
  ];
  it.each(cases)('%s', async (_name, arrange, message) => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const env = arrange(fake);
    const result = await vars(onprem, ['--gitlab-project', PROJECT], env);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(errorLines(String(result.stderr))).toHaveLength(1);
    expect(writes()).toEqual([]);
    expect(fake.project(PROJECT)?.variables ?? []).toEqual([]);
    expect(result.stdout).toBe('');
  });

  it('both GitLab auth headers are accepted by the fake, and the CLI uses PRIVATE-TOKEN', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const bearer = await fetch(`${fake.url}/api/v4/user`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode).toBe(0);
    expect(fake.apiRequests().slice(1).every((r) => r.headers['private-token'] === TOKEN && r.headers.authorization === undefined)).toBe(true);
  });
});

describe('faults', () => {
  it('429: waits what Retry-After says, then succeeds', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    fake.fault({ method: 'POST', url: /\/variables$/, kind: '429', retryAfter: '2', times: 1 });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const posts = fake.apiRequests().filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1900);
    expect(fake.project(PROJECT)!.variables).toHaveLength(1);
  });

  it('429 asking for a longer wait than the cap fails at once, saying so', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    fake.fault({ url: /\/user$/, kind: '429', retryAfter: '3600', times: 5 });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error GitLab did not answer: GET \/user: GitLab rate limit \(429\); it asks to wait 3600 s, more than this command waits\./);
    expect(fake.requests).toHaveLength(1);
  });

  it('a 502 and a dropped connection are retried', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    fake.fault({ url: /\/user$/, kind: '5xx', status: 502, times: 1 });
    fake.fault({ method: 'POST', kind: 'drop', times: 1 });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(fake.project(PROJECT)!.variables).toHaveLength(1);
  });

  it('a closed port: one line naming the scheme, host and port it tried (never the token); nothing else', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await mlops(['gitlab-variables', '--dir', onprem, '--gitlab-url', `http://127.0.0.1:${port}`, '--gitlab-project', PROJECT], work, ONPREM_ENV);
    runs.push({ result, dir: onprem });
    expect(result.exitCode).toBe(1);
    expect(errorLines(String(result.stderr))).toEqual([
      `error GitLab did not answer: GET /user: http://127.0.0.1:${port} refused the connection (ECONNREFUSED) (3 tries).`,
    ]);
    expect(String(result.stderr)).toMatch(/^docs: \S+\/troubleshooting\/#gitlab-unreachable$/m);
  });

  it('5xx exhaustion: a clear failure, what was not set, and the exact command that then finishes', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    fake.fault({ method: 'POST', url: /\/variables$/, kind: '5xx', status: 503, times: 3 });
    const result = await vars(onprem, ['--gitlab-project', PROJECT]);
    expect(result.exitCode).toBe(1);
    const lines = String(result.stderr).split('\n');
    expect(lines[0]).toBe(
      'error GitLab did not answer: POST /projects/group%2Fsub%2Fname/variables: GitLab answered 503 Service Unavailable (3 tries).',
    );
    expect(lines[1]).toBe('Nothing was changed on GitLab (HARBOR_ROBOT_CREDS_JSON not set).');
    expect(lines[2]).toBe(
      'To finish, run again (it updates what is already set, never duplicates), with GITLAB_TOKEN, HARBOR_USERNAME and HARBOR_PASSWORD in the environment:',
    );
    const command = lines[3]!.trim();
    expect(command).toBe(`node ${MLOPS_BIN} gitlab-variables --dir ${onprem} --gitlab-url ${fake.url} --gitlab-project group/sub/name`);
    // The docs line explains the cause (the first line); the lines between say how to finish.
    expect(lines[4]).toMatch(/^docs: \S+\/troubleshooting\/#gitlab-unreachable$/);
    expect(fake.apiRequests().filter((r) => r.method === 'POST')).toHaveLength(3);

    // The printed command, run as printed, finishes the job.
    const again = await execa('sh', ['-c', command], {
      cwd: work, reject: false, extendEnv: false, env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, ...GIT_ENV, ...ONPREM_ENV },
    });
    runs.push({ result: again, dir: onprem });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(fake.project(PROJECT)!.variables).toHaveLength(1);
  });
});

describe('secrets from the environment only', () => {
  it('without a terminal, a missing secret is one line naming the variable; nothing is sent', async () => {
    const noToken = await vars(onprem, ['--gitlab-project', PROJECT], { HARBOR_USERNAME: HARBOR_USER, HARBOR_PASSWORD });
    expect(noToken.exitCode).toBe(1);
    expect(noToken.stderr).toMatch(/^error GITLAB_TOKEN is not set, and there is no terminal to ask: export GITLAB_TOKEN \(a GitLab personal access token with the api scope\)/);
    expect(errorLines(String(noToken.stderr))).toHaveLength(1);
    const noPassword = await vars(onprem, ['--gitlab-project', PROJECT], { GITLAB_TOKEN: TOKEN, HARBOR_USERNAME: HARBOR_USER });
    expect(noPassword.stderr).toMatch(/^error HARBOR_PASSWORD is not set/);
    expect(fake.requests).toEqual([]);
  });
});

/** `script` (util-linux) gives the bin a pseudo-terminal, so it prompts as it would for a person. */
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('on a terminal', () => {
  it.skipIf(!hasScript)('a missing secret is asked with hidden input: what is typed never reaches the screen', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const command = [process.execPath, MLOPS_BIN, 'gitlab-variables', '--dir', onprem, '--gitlab-url', fake.url, '--gitlab-project', PROJECT]
      .map(shellQuote)
      .join(' ');
    const child = execa('script', ['-qec', command, '/dev/null'], {
      reject: false,
      extendEnv: false,
      env: { PATH: process.env.PATH ?? '', ...GIT_ENV, TERM: 'dumb', HARBOR_USERNAME: HARBOR_USER, HARBOR_PASSWORD },
    });
    let screen = '';
    let typed = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      if (!typed && screen.includes('GITLAB_TOKEN')) {
        typed = true;
        setTimeout(() => child.stdin?.write(`${TOKEN}\r`), 100);
      }
    });
    const timer = setTimeout(() => child.kill(), 20_000);
    const result = await child;
    clearTimeout(timer);
    runs.push({ result, dir: onprem });
    expect(result.exitCode, screen).toBe(0);
    expect(screen).toContain('GitLab token (api scope) (GITLAB_TOKEN)');
    expect(screen).toContain('✔ HARBOR_ROBOT_CREDS_JSON created');
    expect(project.variables).toHaveLength(1);
    expect(fake.apiRequests()[0]!.headers['private-token']).toBe(TOKEN);
  });
});

describe('gcp: GCP_SERVICE_ACCOUNT_KEY', () => {
  it('sets the base64 of the key file, byte for byte', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars(gcp, ['--gitlab-project', PROJECT], { GITLAB_TOKEN: TOKEN, GCP_SERVICE_ACCOUNT_KEY_FILE: keyFile });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('✔ GCP_SERVICE_ACCOUNT_KEY created');
    const variable = project.variables[0]!;
    expect(variable).toMatchObject({ key: 'GCP_SERVICE_ACCOUNT_KEY', variable_type: 'env_var', masked: true, protected: true });
    expect(variable.value).toMatch(MASKED_VALUE);
    expect(Buffer.from(variable.value, 'base64').equals(readFileSync(keyFile))).toBe(true);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', 'SECRET-MARKER-1 -----BEGIN PRIVATE KEY-----', /is not valid JSON: expected a service account key file/],
    ['a user credential', JSON.stringify({ type: 'authorized_user', client_secret: 'SECRET-MARKER-2', refresh_token: 'SECRET-MARKER-3' }),
      /is not a service account key: it lacks "type": "service_account", client_email, private_key\./],
    ['a key without private_key', JSON.stringify({ type: 'service_account', client_email: 'a@b.iam.gserviceaccount.com', private_key_id: 'SECRET-MARKER-4' }),
      /is not a service account key: it lacks private_key\./],
  ];
  it.each(bad)('refuses %s in one line that never echoes the content', async (_name, content, message) => {
    const file = join(work, 'bad-key.json');
    writeFileSync(file, content);
    const result = await vars(gcp, ['--gitlab-project', PROJECT], { GITLAB_TOKEN: TOKEN, GCP_SERVICE_ACCOUNT_KEY_FILE: file });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/SECRET-MARKER|BEGIN PRIVATE KEY/);
    expect(errorLines(String(result.stderr))).toHaveLength(1);
    expect(fake.requests).toEqual([]);
  });

  it('a key file that does not exist', async () => {
    const result = await vars(gcp, ['--gitlab-project', PROJECT], { GITLAB_TOKEN: TOKEN, GCP_SERVICE_ACCOUNT_KEY_FILE: join(work, 'nope.json') });
    expect(result.stderr).toMatch(/^error Cannot read GCP_SERVICE_ACCOUNT_KEY_FILE .*nope\.json: no such file\./);
    expect(fake.requests).toEqual([]);
  });
});

describe('--gitlab-create and --gitlab-push', () => {
  it('creates the project, sets the variable, pushes the first commit; the token is in no URL and no git config', async () => {
    fake.addGroup('team', { tester: ACCESS.maintainer });
    const dir = await makeRepo(work, `pushed-${Date.now()}`, 'onprem', { git: true });
    const result = await vars(dir, ['--gitlab-create', '--gitlab-namespace', 'team', '--gitlab-push']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const name = dir.split('/').at(-1)!;
    expect(result.stdout).toContain(`✔ Created project team/${name}`);
    expect(result.stdout).toContain('✔ HARBOR_ROBOT_CREDS_JSON created');
    expect(result.stdout).toContain(`✔ Pushed main to ${fake.url}/team/${name}.git (remote origin)`);
    expect(fake.project(`team/${name}`)!.variables).toHaveLength(1);

    const local = await execa('git', ['rev-parse', 'HEAD'], { cwd: dir });
    const remote = await execa('git', ['--git-dir', fake.repoOf(`team/${name}`), 'rev-parse', 'refs/heads/main']);
    expect(remote.stdout).toBe(local.stdout);
    const origin = await execa('git', ['remote', 'get-url', 'origin'], { cwd: dir, env: GIT_ENV });
    expect(origin.stdout).toBe(`${fake.url}/team/${name}.git`);
    const config = readFileSync(join(dir, '.git/config'), 'utf8');
    expect(config).not.toMatch(/extraheader|Authorization|@127/i);
    // git authenticated with the token as a Basic password, in a header.
    const gitRequests = fake.requests.filter((r) => r.url.includes('.git/'));
    expect(gitRequests.length).toBeGreaterThan(0);
    expect(gitRequests.every((r) => r.headers.authorization === `Basic ${Buffer.from(`tester:${TOKEN}`).toString('base64')}`)).toBe(true);
  });

  it('a project that already exists: one line, nothing set', async () => {
    fake.addProject('tester/existing', { tester: ACCESS.owner });
    const result = await vars(onprem, ['--gitlab-create', '--gitlab-project', 'existing']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error A project tester\/existing already exists on .* \(400 has already been taken\): drop --gitlab-create/);
    expect(fake.project('tester/existing')!.variables).toEqual([]);
  });

  it('a failure after the project was created says so, and the finishing command drops --gitlab-create', async () => {
    fake.addGroup('team', { tester: ACCESS.maintainer });
    const dir = await makeRepo(work, `half-${Date.now()}`, 'onprem', { git: true });
    const name = dir.split('/').at(-1)!;
    fake.fault({ method: 'POST', url: /\/variables$/, kind: '5xx', status: 500, times: 3 });
    const result = await vars(dir, ['--gitlab-create', '--gitlab-namespace', 'team', '--gitlab-push']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`Done before the failure: project team/${name} created. Not done: HARBOR_ROBOT_CREDS_JSON not set, minimum role for pipeline variables not set to developer, branch not pushed.`);
    const command = errorLines(String(result.stderr)).at(-1)!.trim();
    expect(command).toBe(`node ${MLOPS_BIN} gitlab-variables --dir ${dir} --gitlab-url ${fake.url} --gitlab-project team/${name} --gitlab-push`);
    const again = await vars(dir, ['--gitlab-project', `team/${name}`, '--gitlab-push']);
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(again.stdout).toContain('Pushed main');
  });

  it('a push that fails after the variable was set names what was done', async () => {
    const dir = await makeRepo(work, `nopush-${Date.now()}`, 'onprem', { git: true });
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    fake.fault({ url: /\.git\//, kind: '5xx', status: 503, times: 100 });
    const result = await vars(dir, ['--gitlab-project', PROJECT, '--gitlab-push']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error git push to http:\/\/127\.0\.0\.1:\d+\/group\/sub\/name\.git failed: /);
    expect(result.stderr).toContain('Done before the failure: HARBOR_ROBOT_CREDS_JSON set. Not done: branch not pushed.');
    expect(result.stderr).toContain('--gitlab-project group/sub/name --gitlab-push');
  });

  it('--gitlab-push without a commit fails before any request', async () => {
    const result = await vars(onprem, ['--gitlab-project', PROJECT, '--gitlab-push']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/has no commit to push \(--gitlab-push\)/);
    expect(fake.requests).toEqual([]);
  });
});
