/**
 * `mlops-project gitlab-variables` for a repo made with `--platform gcp
 * --gcp-auth workload-identity`: the real built bin against the fake GitLab
 * on 127.0.0.1 (test/support/fake-gitlab.ts). It sets two plain variables
 * (names, not secrets: not masked, protected by default), refuses a
 * malformed one before any request, and what it sets is what the generated
 * pipeline's own step reads (run as GitLab's runner runs a job,
 * test/support/runner-shell.ts, in dash, bash and busybox sh; no request leaves the step on the
 * kaniko/gcrane path, so no token stand-in is needed here: the exchange is
 * test/cli/gcp-workload-identity.test.ts's part).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCi, resolveJob } from '../support/gitlab-ci-check.js';
import { ACCESS, type FakeGitLab, startFakeGitLab } from '../support/fake-gitlab.js';
import { create, errorLines, removeDir, tempDir } from '../support/cli.js';
import { RUNNER_SHELLS, runnerShells, type RunnerShells } from '../support/runner-shell.js';
import { GCP_REGISTRY, mlops, TOKEN } from './helpers.js';

const PROJECT = 'group/sub/name';
const PROVIDER = 'projects/123456789012/locations/global/workloadIdentityPools/gitlab-pool/providers/gitlab-com';
const SERVICE_ACCOUNT = 'ci-images@acme-ml.iam.gserviceaccount.com';
const WIF_ENV = { GITLAB_TOKEN: TOKEN, GCP_WORKLOAD_IDENTITY_PROVIDER: PROVIDER, GCP_SERVICE_ACCOUNT: SERVICE_ACCOUNT };

let work: string;
let repo: string;
let shells: RunnerShells;
beforeAll(async () => {
  work = tempDir('cmp-gitlab-wif-');
  shells = await runnerShells(work);
  const made = await create(['wif', '--yes', '--no-git', '--platform', 'gcp', '--gcp-auth', 'workload-identity', '--registry', GCP_REGISTRY], work);
  expect(made.exitCode, made.stderr).toBe(0);
  repo = join(work, 'wif');
});
afterAll(() => removeDir(work));

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await startFakeGitLab();
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
});
afterEach(() => fake.stop());

function vars(args: string[], env: Record<string, string> = WIF_ENV): Promise<Result> {
  return mlops(['gitlab-variables', '--dir', repo, '--gitlab-url', fake.url, '--gitlab-project', PROJECT, ...args], work, env);
}
const bodies = (method: string): Record<string, unknown>[] =>
  fake.apiRequests().filter((r) => r.method === method).map((r) => JSON.parse(r.body) as Record<string, unknown>);

describe('gitlab-variables, workload identity', () => {
  it('creates GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT: env_var, not masked, protected, all environments', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars([]);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain(`✔ GCP_WORKLOAD_IDENTITY_PROVIDER created in ${PROJECT} (env_var, not masked, protected, all environments)`);
    expect(result.stdout).toContain(`✔ GCP_SERVICE_ACCOUNT created in ${PROJECT} (env_var, not masked, protected, all environments)`);
    expect(project.variables.map((v) => [v.key, v.value])).toEqual([
      ['GCP_WORKLOAD_IDENTITY_PROVIDER', PROVIDER],
      ['GCP_SERVICE_ACCOUNT', SERVICE_ACCOUNT],
    ]);
    for (const v of project.variables)
      expect(v).toMatchObject({ variable_type: 'env_var', masked: false, hidden: false, protected: true, raw: false, environment_scope: '*' });
    // What was sent: masked false in the API body itself, not a default the fake filled in.
    expect(bodies('POST').map((b) => [b.key, b.masked, b.protected])).toEqual([
      ['GCP_WORKLOAD_IDENTITY_PROVIDER', false, true],
      ['GCP_SERVICE_ACCOUNT', false, true],
    ]);
    // The values are no secret, but the token still is.
    expect(`${String(result.stdout)}${String(result.stderr)}`).not.toContain(TOKEN);
  });

  it("takes the provider as Google prints it in an audience (//iam.googleapis.com/...) and stores the provider's name", async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    for (const prefix of ['//iam.googleapis.com/', 'https://iam.googleapis.com/']) {
      const result = await vars([], { ...WIF_ENV, GCP_WORKLOAD_IDENTITY_PROVIDER: `${prefix}${PROVIDER}` });
      expect(result.exitCode, String(result.stderr)).toBe(0);
      expect(project.variables.find((v) => v.key === 'GCP_WORKLOAD_IDENTITY_PROVIDER')?.value).toBe(PROVIDER);
    }
  });

  it('--no-protected, then again: updated in place, never duplicated; an old masked variable becomes plain', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer }, [{ key: 'GCP_SERVICE_ACCOUNT', value: 'old-account@x.iam.gserviceaccount.com', masked: true }]);
    const first = await vars(['--no-protected']);
    expect(first.exitCode, String(first.stderr)).toBe(0);
    expect(first.stdout).toContain(`✔ GCP_SERVICE_ACCOUNT updated in ${PROJECT} (env_var, not masked, not protected, all environments)`);
    const second = await vars([]);
    expect(second.exitCode, String(second.stderr)).toBe(0);
    expect(project.variables).toHaveLength(2);
    for (const v of project.variables) expect(v).toMatchObject({ masked: false, protected: true });
    expect(bodies('PUT').filter((b) => 'value' in b).every((b) => b.masked === false)).toBe(true);
  });

  it.each([
    ['a project id instead of its number', 'projects/acme-ml/locations/global/workloadIdentityPools/gitlab-pool/providers/gitlab-com', SERVICE_ACCOUNT, /^error GCP_WORKLOAD_IDENTITY_PROVIDER must be projects\/PROJECT_NUMBER\/locations\/global\/workloadIdentityPools\/POOL\/providers\/PROVIDER \(the provider's name, a project number, not its id\); got "projects\/acme-ml\//],
    ['the pool without /providers/', 'projects/123456789012/locations/global/workloadIdentityPools/gitlab-pool', SERVICE_ACCOUNT, /^error GCP_WORKLOAD_IDENTITY_PROVIDER must be projects\/PROJECT_NUMBER\//],
    ['a service account that is no email', PROVIDER, 'ci-images', /^error GCP_SERVICE_ACCOUNT must be a service account email, NAME@PROJECT\.iam\.gserviceaccount\.com; got "ci-images"\.$/],
    ["a user's email", PROVIDER, 'someone@gmail.com', /^error GCP_SERVICE_ACCOUNT must be a service account email/],
  ])('%s: one clear line, exit 1, nothing sent', async (_what, provider, account, line) => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars([], { ...WIF_ENV, GCP_WORKLOAD_IDENTITY_PROVIDER: provider, GCP_SERVICE_ACCOUNT: account });
    expect(result.exitCode).toBe(1);
    expect(errorLines(String(result.stderr))).toEqual([expect.stringMatching(line)]);
    expect(fake.requests).toEqual([]);
  });

  it('--dry-run lists both variables with their values (not secrets), not masked, protected; sends nothing', async () => {
    const result = await vars(['--dry-run']);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    for (const [key, value] of [['GCP_WORKLOAD_IDENTITY_PROVIDER', PROVIDER], ['GCP_SERVICE_ACCOUNT', SERVICE_ACCOUNT]]) {
      expect(result.stdout).toContain(`set ${key} (env_var, not masked: not a secret, protected, scope *):`);
      expect(result.stdout).toContain(
        `POST /api/v4/projects/group%2Fsub%2Fname/variables {"key":"${key}","value":"${value}","variable_type":"env_var","masked":false,"protected":true,`,
      );
    }
    expect(fake.requests).toEqual([]);
  });

  it('an existing masked-and-hidden variable: one line before any write (GitLab never unhides one), then, once deleted, the same command sets it', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer }, [{ key: 'GCP_SERVICE_ACCOUNT', value: 'hidden-value-1', masked: true, hidden: true }]);
    const result = await vars([]);
    expect(result.exitCode).toBe(1);
    expect(errorLines(String(result.stderr))[0]).toBe(
      'error GCP_SERVICE_ACCOUNT exists in group/sub/name as a masked and hidden variable, which GitLab never makes visible again, and it is not a secret: delete it (Settings > CI/CD > Variables) and run again, which sets it visible.',
    );
    expect(String(result.stderr)).toContain('Nothing was changed on GitLab');
    expect(String(result.stderr)).toContain('troubleshooting/#gitlab-hidden-variable');
    // GETs only: nothing written, the hidden variable and the other one untouched.
    expect(fake.apiRequests().filter((r) => r.method !== 'GET')).toEqual([]);
    expect(project.variables.map((v) => v.key)).toEqual(['GCP_SERVICE_ACCOUNT']);
    expect(project.variables[0]).toMatchObject({ value: 'hidden-value-1', masked: true, hidden: true });
    // Deleted by hand, as the line says: the same command then sets both, visible.
    project.variables.splice(0, 1);
    expect((await vars([])).exitCode).toBe(0);
    expect(project.variables.find((v) => v.key === 'GCP_SERVICE_ACCOUNT')).toMatchObject({ value: SERVICE_ACCOUNT, masked: false, hidden: false });
  });

  it("what GitLab holds is what the pipeline's step reads: the audience of its credential file, the id_tokens audience", async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    expect((await vars([], { ...WIF_ENV, GCP_WORKLOAD_IDENTITY_PROVIDER: `//iam.googleapis.com/${PROVIDER}` })).exitCode).toBe(0);
    const held = Object.fromEntries(project.variables.map((v) => [v.key, v.value]));
    const ci = parseCi(readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8'));
    const step = (resolveJob(ci, '.registry-auth').before_script as string[]).flat(Infinity) as string[];
    for (const shell of RUNNER_SHELLS) {
      const tmp = join(work, `step-${Date.now()}-${shell.replace(' ', '-')}`);
      const run = await shells.run(shell, [...step, 'cat "$GOOGLE_APPLICATION_CREDENTIALS"'], {
        env: { TMPDIR: tmp, DOCKER_CONFIG: join(tmp, 'docker'), IMAGE_REGISTRY: GCP_REGISTRY, GCP_ID_TOKEN: 'eyJ.stand-in.id-token', ...held },
      });
      expect(run.code, `${shell}: ${run.err}`).toBe(0);
      const file = JSON.parse(run.out.split('\n').slice(1).join('\n')) as { audience: string; service_account_impersonation_url: string };
      expect(file.audience).toBe(`//iam.googleapis.com/${PROVIDER}`);
      expect(file.service_account_impersonation_url).toBe(`https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`);
    }
    // GitLab expands the variable in id_tokens:aud: Google's default allowed audience for the provider.
    const aud = (resolveJob(ci, 'build:cpu-image').id_tokens as { GCP_ID_TOKEN: { aud: string } }).GCP_ID_TOKEN.aud;
    expect(aud.replace('$GCP_WORKLOAD_IDENTITY_PROVIDER', held.GCP_WORKLOAD_IDENTITY_PROVIDER ?? '')).toBe(`https://iam.googleapis.com/${PROVIDER}`);
  });
});
