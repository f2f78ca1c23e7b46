/**
 * `--platform gitlab`, as a new user meets it: the project's own container
 * registry and the job's own token, so there is nothing to set in GitLab.
 * The built bins, against the fake GitLab on 127.0.0.1 where a request is
 * made at all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS, type FakeGitLab, NEW_GITLAB_COM_PROJECT, startFakeGitLab } from '../support/fake-gitlab.js';
import { create, GIT_ENV, removeDir, tempDir } from '../support/cli.js';
import { mlops, TOKEN } from './helpers.js';

const NOTHING =
  "Nothing to set in GitLab: images go to the project's own container registry, and each job logs in with its own job token (CI_REGISTRY_USER, CI_REGISTRY_PASSWORD); the project needs its container registry enabled (Settings > General > Visibility, project features, permissions > Container registry; on by default).";

let work: string;
let repo: string;
beforeAll(async () => {
  work = tempDir('cmp-gitlab-platform-');
  const made = await create(['churn', '--platform', 'gitlab', '--yes'], work);
  expect(made.exitCode, made.stderr).toBe(0);
  repo = join(work, 'churn');
});
afterAll(() => removeDir(work));

let fake: FakeGitLab;
let gitRoot: string;
beforeEach(async () => {
  gitRoot = tempDir('cmp-fake-git-');
  fake = await startFakeGitLab(gitRoot);
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
});
afterEach(async () => {
  await fake.stop();
  removeDir(gitRoot);
});

describe('create-mlops-project --platform gitlab --yes', () => {
  it('needs no registry: $CI_REGISTRY_IMAGE, the job token, a GitLab.com runner tag', () => {
    const pipeline = readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8');
    expect(pipeline).toMatch(/^ {2}IMAGE_REGISTRY: "\$CI_REGISTRY_IMAGE"$/m);
    expect(pipeline).toContain('"$CI_REGISTRY_USER" "$CI_REGISTRY_PASSWORD"');
    expect(pipeline).toMatch(/^ {4}- saas-linux-small-amd64$/m);
    expect(pipeline).not.toMatch(/HARBOR_|GCP_/);
    const record = JSON.parse(readFileSync(join(repo, '.mlops-project.json'), 'utf8')) as { answers: Record<string, string> };
    expect(record.answers).toMatchObject({ platform: 'gitlab', registry: '$CI_REGISTRY_IMAGE' });
    expect(record.answers).not.toHaveProperty('gcpAuth');
  });

  it('ends with the next steps push and done: no variable to set, no placeholder, no warning', async () => {
    const again = await create(['other', '--platform', 'gitlab', '--yes'], work);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toBe('');
    const steps = again.stdout.slice(again.stdout.indexOf('Next steps:')).trim().split('\n').slice(1);
    expect(steps).toEqual([
      '  1. cd other',
      "  2. git remote add origin <your GitLab project URL> && git push -u origin main; the project needs its container registry enabled (Settings > General > Visibility, project features, permissions > Container registry; on by default)",
    ]);
  });

  it('--gcp-auth with another platform is one line, exit 1, nothing written', async () => {
    const result = await create(['bad', '--platform', 'gitlab', '--gcp-auth', 'key', '--yes'], work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe("error --gcp-auth applies only to --platform gcp; this repo's platform is gitlab.");
    expect(() => readFileSync(join(work, 'bad/.gitlab-ci.yml'))).toThrow();
  });
});

describe('mlops-project gitlab-variables in a gitlab repo', () => {
  it('says why nothing is needed and exits 0, without a token and without a request', async () => {
    const result = await mlops(['gitlab-variables', '--dir', repo, '--gitlab-url', fake.url, '--gitlab-project', 'team/churn'], work);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout).trim()).toBe(NOTHING);
    expect(result.stderr).toBe('');
    expect(fake.requests).toEqual([]);
  });

  it("with a token and the project: still lets Developers set pipeline variables (a new GitLab.com project's BUILD_ switches)", async () => {
    const ROLE = 'ci_pipeline_variables_minimum_override_role';
    fake.addProject('team/churn', { tester: ACCESS.owner }, [], { pipelineVariables: { ...NEW_GITLAB_COM_PROJECT } });
    const result = await mlops(['gitlab-variables', '--dir', repo, '--gitlab-url', fake.url, '--gitlab-project', 'team/churn'], work, { GITLAB_TOKEN: TOKEN });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout).split('\n')[0]).toBe(NOTHING);
    expect(result.stdout).toContain(`✔ Developers may set pipeline variables in team/churn (${ROLE}: no_one_allowed -> developer)`);
    expect(fake.project('team/churn')!.variables).toEqual([]);
    expect(fake.apiRequests().filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.url}`)).toEqual(['PUT /api/v4/projects/team%2Fchurn']);
  });

  it('without --gitlab-project too', async () => {
    const result = await mlops(['gitlab-variables'], repo);
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).trim()).toBe(NOTHING);
  });

  it('--gitlab-create --gitlab-push still create the project and push the first commit; no variable is set', async () => {
    fake.addGroup('team', { tester: ACCESS.maintainer });
    const made = await create(['pushed', '--platform', 'gitlab', '--yes'], work);
    expect(made.exitCode).toBe(0);
    const dir = join(work, 'pushed');
    const result = await mlops(['gitlab-variables', '--dir', dir, '--gitlab-url', fake.url, '--gitlab-create', '--gitlab-namespace', 'team', '--gitlab-push'], work, {
      GITLAB_TOKEN: TOKEN,
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('✔ Created project team/pushed');
    expect(result.stdout).toContain(`✔ Pushed main to ${fake.url}/team/pushed.git (remote origin)`);
    expect(fake.project('team/pushed')!.variables).toEqual([]);
    const local = await execa('git', ['rev-parse', 'HEAD'], { cwd: dir, env: GIT_ENV });
    const remote = await execa('git', ['--git-dir', fake.repoOf('team/pushed'), 'rev-parse', 'refs/heads/main']);
    expect(remote.stdout).toBe(local.stdout);
  });

  it('create-mlops-project --gitlab-project in one go: the repo, then the line, exit 0', async () => {
    const result = await create(['inline', '--platform', 'gitlab', '--yes', '--gitlab-url', fake.url, '--gitlab-project', 'team/inline'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(NOTHING);
    expect(fake.requests).toEqual([]);
    // Done: the next steps need no variable step.
    expect(result.stdout).not.toMatch(/gitlab-variables/);
  });
});
