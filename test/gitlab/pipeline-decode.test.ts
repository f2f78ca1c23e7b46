/**
 * What `gitlab-variables` writes is what the generated pipeline decodes:
 * set the variable with the real CLI against the fake GitLab, then run the
 * generated .gitlab-ci.yml's own `.registry-auth` script on that value, as
 * GitLab's runner runs a job (test/support/runner-shell.ts: errexit,
 * pipefail where the shell has it, umask 0000), in dash, bash and busybox sh
 * with only busybox applets on PATH (as in the kaniko/crane debug images),
 * and read the Docker config it writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCi, resolveJob } from '../support/gitlab-ci-check.js';
import { ACCESS, type FakeGitLab, startFakeGitLab } from '../support/fake-gitlab.js';
import { removeDir, tempDir } from '../support/cli.js';
import { RUNNER_SHELLS, runnerShells, type RunnerShell, type RunnerShells } from '../support/runner-shell.js';
import {
  GCP_REGISTRY,
  HARBOR_PASSWORD,
  HARBOR_REGISTRY,
  HARBOR_USER,
  leaks,
  makeRepo,
  mlops,
  secretForms,
  TOKEN,
  writeServiceAccountKey,
} from './helpers.js';

let work: string;
let fake: FakeGitLab;
let busyboxBin: string;
let shells: RunnerShells;

beforeAll(async () => {
  work = tempDir('cmp-decode-');
  fake = await startFakeGitLab();
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
  shells = await runnerShells(work);
  busyboxBin = shells.busybox(['base64', 'grep', 'mkdir', 'tr', 'cat']);
});
afterAll(async () => {
  await fake.stop();
  removeDir(work);
});

/** The auth script of the generated pipeline, as the image jobs run it. */
function registryAuthScript(repo: string): { script: string[]; registry: string } {
  const ci = parseCi(readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8'));
  const job = resolveJob(ci, '.registry-auth');
  const lines = Array.isArray(job.before_script) ? (job.before_script.flat(Infinity) as string[]) : [String(job.before_script)];
  const value = (ci.variables as Record<string, unknown>).IMAGE_REGISTRY;
  const registry = typeof value === 'string' ? value : (value as { value: string }).value;
  return { script: lines, registry };
}

async function runAuth(repo: string, shell: RunnerShell, variables: Record<string, string>): Promise<unknown> {
  const { script, registry } = registryAuthScript(repo);
  const dockerConfig = join(work, `docker-${Math.random().toString(36).slice(2)}`);
  const result = await shells.run(shell, script, {
    env: { DOCKER_CONFIG: dockerConfig, IMAGE_REGISTRY: registry, ...variables },
    path: shell === 'busybox sh' ? [busyboxBin] : shells.tools(shell),
  });
  expect(result.code, result.err).toBe(0);
  return JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8'));
}

describe.each(RUNNER_SHELLS)('the generated pipeline decodes the variable (%s)', (shell) => {
  it('onprem: HARBOR_ROBOT_CREDS_JSON becomes a Docker config for the registry host', async () => {
    const repo = await makeRepo(work, `onprem-${Math.random().toString(36).slice(2)}`, 'onprem');
    const project = fake.addProject(`g/${repo.split('/').at(-1)}`, { tester: ACCESS.maintainer });
    const result = await mlops(
      ['gitlab-variables', '--dir', repo, '--gitlab-url', fake.url, '--gitlab-project', String(project.id)],
      work,
      { GITLAB_TOKEN: TOKEN, HARBOR_USERNAME: HARBOR_USER, HARBOR_PASSWORD },
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(leaks(result, repo, secretForms())).toEqual([]);
    const value = project.variables[0]!.value;

    const config = (await runAuth(repo, shell, { HARBOR_ROBOT_CREDS_JSON: value })) as { auths: Record<string, { auth: string }> };
    const host = HARBOR_REGISTRY.split('/')[0]!;
    expect(Object.keys(config.auths)).toEqual([host]);
    expect(Buffer.from(config.auths[host]!.auth, 'base64').toString()).toBe(`${HARBOR_USER}:${HARBOR_PASSWORD}`);
  });

  it('gcp: GCP_SERVICE_ACCOUNT_KEY becomes a _json_key_base64 login whose key is the file, byte for byte', async () => {
    const repo = await makeRepo(work, `gcp-${Math.random().toString(36).slice(2)}`, 'gcp');
    const keyFile = join(work, `key-${Math.random().toString(36).slice(2)}.json`);
    const keyText = writeServiceAccountKey(keyFile);
    const project = fake.addProject(`g/${repo.split('/').at(-1)}`, { tester: ACCESS.maintainer });
    const result = await mlops(
      ['gitlab-variables', '--dir', repo, '--gitlab-url', fake.url, '--gitlab-project', `g/${repo.split('/').at(-1)}`],
      work,
      { GITLAB_TOKEN: TOKEN, GCP_SERVICE_ACCOUNT_KEY_FILE: keyFile },
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(leaks(result, repo, secretForms({ 'gcp key file': keyText }))).toEqual([]);
    const value = project.variables[0]!.value;

    const config = (await runAuth(repo, shell, { GCP_SERVICE_ACCOUNT_KEY: value })) as { auths: Record<string, { auth: string }> };
    const host = GCP_REGISTRY.split('/')[0]!;
    expect(Object.keys(config.auths)).toEqual([host]);
    const login = Buffer.from(config.auths[host]!.auth, 'base64').toString();
    expect(login).toBe(`_json_key_base64:${value}`);
    expect(Buffer.from(login.slice('_json_key_base64:'.length), 'base64').equals(readFileSync(keyFile))).toBe(true);
  });
});
