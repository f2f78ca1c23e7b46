/**
 * create-mlops-project with the GitLab step: from nothing to a pushed repo
 * with its credential variable, in one command, against the fake GitLab.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type Result } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS, type FakeGitLab, startFakeGitLab } from '../support/fake-gitlab.js';
import { CREATE_BIN, GIT_ENV, listFiles, removeDir, tempDir } from '../support/cli.js';
import { HARBOR_PASSWORD, HARBOR_USER, leaks, secretForms, TOKEN } from './helpers.js';

let work: string;
let gitRoot: string;
let fake: FakeGitLab;

beforeEach(async () => {
  work = tempDir('cmp-create-gitlab-');
  gitRoot = tempDir('cmp-fake-git-');
  fake = await startFakeGitLab(gitRoot);
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
  fake.addGroup('team', { tester: ACCESS.maintainer });
});
afterEach(async () => {
  await fake.stop();
  removeDir(gitRoot);
  removeDir(work);
});

const SECRETS = { GITLAB_TOKEN: TOKEN, HARBOR_USERNAME: HARBOR_USER, HARBOR_PASSWORD };

function createRepo(args: string[], env: Record<string, string>): Promise<Result> {
  return execa(process.execPath, [CREATE_BIN, ...args], {
    cwd: work,
    reject: false,
    stdin: 'ignore',
    extendEnv: false,
    env: { PATH: process.env.PATH ?? '', HOME: work, ...GIT_ENV, ...env },
  });
}

const FLAGS = ['app', '--yes', '--registry', 'harbor.example.com:8443/team/app'];

describe('create-mlops-project --gitlab-*', () => {
  it('creates the project, sets the variable and pushes the first commit', async () => {
    const result = await createRepo([...FLAGS, '--gitlab-url', fake.url, '--gitlab-create', '--gitlab-namespace', 'team', '--gitlab-push'], SECRETS);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('✔ Created project team/app');
    expect(result.stdout).toContain('✔ HARBOR_ROBOT_CREDS_JSON created');
    expect(result.stdout).toContain('✔ Pushed main');
    // The reads run once, before the files are written; then the writes.
    expect(fake.apiRequests().map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'GET /api/v4/user',
      'GET /api/v4/personal_access_tokens/self',
      'GET /api/v4/namespaces/team',
      'GET /api/v4/projects/team%2Fapp',
      'POST /api/v4/projects',
      expect.stringMatching(/^GET \/api\/v4\/projects\/\d+\/variables\/HARBOR_ROBOT_CREDS_JSON$/),
      expect.stringMatching(/^POST \/api\/v4\/projects\/\d+\/variables$/),
      // A new project lets nobody set pipeline variables (as on GitLab.com): Developers may now.
      expect.stringMatching(/^PUT \/api\/v4\/projects\/\d+$/),
    ]);
    expect(result.stdout).toContain('✔ Developers may set pipeline variables in team/app (ci_pipeline_variables_minimum_override_role: no_one_allowed -> developer)');
    expect(fake.project('team/app')!.pipelineVariables?.ci_pipeline_variables_minimum_override_role).toBe('developer');
    // The next steps no longer ask for what was done.
    expect(result.stdout).not.toContain('git remote add origin');
    expect(result.stdout).not.toContain('set the masked CI/CD variable');
    const variable = fake.project('team/app')!.variables[0]!;
    const config = JSON.parse(Buffer.from(variable.value, 'base64').toString()) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(config.auths['harbor.example.com:8443']!.auth, 'base64').toString()).toBe(`${HARBOR_USER}:${HARBOR_PASSWORD}`);
    const local = await execa('git', ['rev-parse', 'HEAD'], { cwd: join(work, 'app') });
    const remote = await execa('git', ['--git-dir', fake.repoOf('team/app'), 'rev-parse', 'refs/heads/main']);
    expect(remote.stdout).toBe(local.stdout);
    expect(readFileSync(join(work, 'app/.mlops-project.json'), 'utf8')).not.toMatch(/robot|Pa55word|glpat/);
    expect(leaks(result, join(work, 'app'), secretForms())).toEqual([]);
  });

  it('a missing secret fails before anything is written or sent', async () => {
    const result = await createRepo([...FLAGS, '--gitlab-url', fake.url, '--gitlab-project', 'team/app'], { GITLAB_TOKEN: TOKEN });
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr).split('\n')[0]).toMatch(/HARBOR_USERNAME/);
    expect(listFiles(work)).toEqual([]);
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ['a refused token', { GITLAB_TOKEN: 'glpat-unknown-token-00000' }, [], /^error GITLAB_TOKEN is invalid or expired \(401 Unauthorized/, 'gitlab-token'],
    ['a project that does not exist', {}, ['--gitlab-project', 'team/nope'], /^error GitLab project team\/nope was not found/, 'gitlab-project-not-found'],
    ['--gitlab-create of a project that exists', {}, ['--gitlab-project', 'team/taken', '--gitlab-create'], /^error A project team\/taken already exists/, 'gitlab-project-exists'],
  ] as const)('%s is caught by GETs before anything is written', async (_, env, flags, line, anchor) => {
    fake.addProject('team/taken', { tester: ACCESS.maintainer });
    const args = flags.length > 0 ? [...flags] : ['--gitlab-project', 'team/taken'];
    const result = await createRepo([...FLAGS, '--gitlab-url', fake.url, ...args], { ...SECRETS, ...env });
    expect(result.exitCode).toBe(1);
    const stderr = String(result.stderr).split('\n');
    expect(stderr[0]).toMatch(line);
    expect(stderr.at(-1)).toMatch(new RegExp(`^docs: \\S+/troubleshooting/#${anchor}$`));
    expect(listFiles(work)).toEqual([]);
    expect(fake.apiRequests().filter((r) => r.method !== 'GET')).toEqual([]);
    expect(`${String(result.stdout)}${String(result.stderr)}`).not.toContain('glpat-unknown-token');
  });

  it('GitLab failing after the repo is written: the repo stays complete, the error and the next steps say what is left, exit 1', async () => {
    fake.fault({ method: 'POST', url: /\/variables$/, kind: '5xx', status: 503, times: 3 });
    const result = await createRepo([...FLAGS, '--gitlab-url', fake.url, '--gitlab-project', 'team/app', '--gitlab-create', '--gitlab-push'], SECRETS);
    expect(result.exitCode).toBe(1);
    const stderr = String(result.stderr).split('\n');
    expect(stderr[0]).toMatch(/^error GitLab did not answer: POST .*variables: GitLab answered 503/);
    expect(String(result.stderr)).toMatch(/Done before the failure: project team\/app created\. Not done: HARBOR_ROBOT_CREDS_JSON not set, minimum role for pipeline variables not set to developer, branch not pushed\./);
    expect(stderr.at(-1)).toMatch(/^docs: \S+\/troubleshooting\/#gitlab-unreachable$/);
    const stdout = String(result.stdout);
    expect(stdout).toMatch(/✔ Created App in app \(\d+ files, first commit on main\)/);
    expect(stdout).toContain('The repo is complete; only the GitLab step did not finish (see the error).');
    expect(stdout).toMatch(/set the masked CI\/CD variable HARBOR_ROBOT_CREDS_JSON before the first push/);
    const log = await execa('git', ['log', '--format=%s'], { cwd: join(work, 'app') });
    expect(log.stdout).toMatch(/^Initial commit from create-mlops-project /);
    expect(leaks(result, join(work, 'app'), secretForms())).toEqual([]);
  });

  it('--dry-run prints the files and the API calls, sends nothing', async () => {
    const result = await createRepo([...FLAGS, '--gitlab-url', fake.url, '--gitlab-project', 'team/app', '--dry-run'], SECRETS);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('create .gitlab-ci.yml');
    expect(result.stdout).toMatch(/GitLab \(dry run: no request is made\):/);
    expect(result.stdout).toContain('[redacted]');
    expect(result.stdout).toContain('PUT  /api/v4/projects/team%2Fapp {"ci_pipeline_variables_minimum_override_role":"developer"}');
    expect(fake.requests).toEqual([]);
    expect(listFiles(work)).toEqual([]);
    expect(leaks(result, undefined, secretForms())).toEqual([]);
  });

  it('--gitlab-push with --no-git is refused up front', async () => {
    const result = await createRepo([...FLAGS, '--no-git', '--gitlab-url', fake.url, '--gitlab-project', 'team/app', '--gitlab-push'], SECRETS);
    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toMatch(/^error --gitlab-push needs the first commit/);
    expect(listFiles(work)).toEqual([]);
  });
});
