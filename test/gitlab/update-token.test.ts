/**
 * `mlops-project gitlab-variables --update-token`: MLOPS_UPDATE_TOKEN, the
 * token of the generated pipeline's update:template job, set besides the
 * registry credential on every platform (gitlab, which has none, included).
 * The built bin against the fake GitLab on 127.0.0.1; after every run, the
 * update token in no form in the output or the repo's files.
 */
import { join } from 'node:path';
import type { Result } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS, type FakeGitLab, startFakeGitLab } from '../support/fake-gitlab.js';
import { create, errorLines, removeDir, tempDir } from '../support/cli.js';
import { HARBOR_PASSWORD, HARBOR_USER, leaks, makeRepo, mlops, secretForms, TOKEN } from './helpers.js';

const PROJECT = 'team/churn';
const UPDATE = 'glpat-ProjectBot-0123456789ab';
const ONPREM_ENV = { GITLAB_TOKEN: TOKEN, HARBOR_USERNAME: HARBOR_USER, HARBOR_PASSWORD, MLOPS_UPDATE_TOKEN: UPDATE };

let work: string;
let onprem: string;
let gitlab: string;
const needles = secretForms({ 'update token': UPDATE });
beforeAll(async () => {
  work = tempDir('cmp-update-token-');
  onprem = await makeRepo(work, 'onprem-repo', 'onprem');
  const made = await create(['gitlab-repo', '--platform', 'gitlab', '--yes', '--no-git'], work);
  expect(made.exitCode, made.stderr).toBe(0);
  gitlab = join(work, 'gitlab-repo');
});
afterAll(() => removeDir(work));

let fake: FakeGitLab;
let runs: { result: Result; dir: string }[];
beforeEach(async () => {
  fake = await startFakeGitLab();
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
  runs = [];
});
afterEach(async () => {
  await fake.stop();
  for (const { result, dir } of runs) expect(leaks(result, dir, needles), `${result.command}`).toEqual([]);
});

async function vars(dir: string, args: string[], env: Record<string, string>): Promise<Result> {
  const result = await mlops(['gitlab-variables', '--dir', dir, '--gitlab-url', fake.url, ...args], work, env);
  runs.push({ result, dir });
  return result;
}

describe('--update-token', () => {
  it('sets MLOPS_UPDATE_TOKEN besides the registry credential: masked, protected, its own description', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars(onprem, ['--gitlab-project', PROJECT, '--update-token'], ONPREM_ENV);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain('✔ HARBOR_ROBOT_CREDS_JSON created in team/churn');
    expect(result.stdout).toContain('✔ MLOPS_UPDATE_TOKEN created in team/churn (env_var, masked, protected, all environments)');
    expect(project.variables.map((v) => v.key)).toEqual(['HARBOR_ROBOT_CREDS_JSON', 'MLOPS_UPDATE_TOKEN']);
    const variable = project.variables[1]!;
    expect(variable).toMatchObject({ value: UPDATE, variable_type: 'env_var', masked: true, protected: true, raw: false, environment_scope: '*' });
    expect(variable.description).toMatch(/^Project access token \(Developer, api\) of the update:template job/);
    expect(project.variables[0]!.description).toMatch(/^Registry credentials for the pipeline/);
    // A second run updates it: still one of each.
    const again = await vars(onprem, ['--gitlab-project', PROJECT, '--update-token'], { ...ONPREM_ENV, MLOPS_UPDATE_TOKEN: `${UPDATE}-2` });
    expect(again.exitCode, String(again.stderr)).toBe(0);
    expect(again.stdout).toContain('✔ MLOPS_UPDATE_TOKEN updated in team/churn');
    expect(project.variables.filter((v) => v.key === 'MLOPS_UPDATE_TOKEN').map((v) => v.value)).toEqual([`${UPDATE}-2`]);
  });

  it('without it, MLOPS_UPDATE_TOKEN in the environment is not read, and no such variable is set', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars(onprem, ['--gitlab-project', PROJECT], ONPREM_ENV);
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(project.variables.map((v) => v.key)).toEqual(['HARBOR_ROBOT_CREDS_JSON']);
  });

  it('on gitlab (no registry credential): sets only MLOPS_UPDATE_TOKEN, and does not say "Nothing to set"', async () => {
    const project = fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars(gitlab, ['--gitlab-project', PROJECT, '--update-token'], { GITLAB_TOKEN: TOKEN, MLOPS_UPDATE_TOKEN: UPDATE });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).not.toContain('Nothing to set');
    expect(project.variables.map((v) => [v.key, v.masked, v.protected])).toEqual([['MLOPS_UPDATE_TOKEN', true, true]]);
  });

  it('not set, and no terminal: one line naming MLOPS_UPDATE_TOKEN and which token; nothing sent', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars(onprem, ['--gitlab-project', PROJECT, '--update-token'], { GITLAB_TOKEN: TOKEN, HARBOR_USERNAME: HARBOR_USER, HARBOR_PASSWORD });
    expect(result.exitCode).toBe(1);
    expect(errorLines(String(result.stderr))).toEqual([
      'error MLOPS_UPDATE_TOKEN is not set, and there is no terminal to ask: export MLOPS_UPDATE_TOKEN (a project access token of the project (Settings > Access tokens), role Developer, scope api, for the update:template job); secrets and settings are read from the environment only, never from flags.',
    ]);
    expect(fake.requests).toEqual([]);
  });

  it('a value GitLab would refuse as masked is refused before anything is sent', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const result = await vars(onprem, ['--gitlab-project', PROJECT, '--update-token'], { ...ONPREM_ENV, MLOPS_UPDATE_TOKEN: 'glpat with spaces' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Refusing to send MLOPS_UPDATE_TOKEN: GitLab would reject it as a masked variable, it holds characters a masked value cannot have (space). Nothing was sent.');
    expect(fake.requests).toEqual([]);
  });

  it('--dry-run lists its calls, the token as [redacted], and sends nothing; the finishing command keeps --update-token', async () => {
    fake.addProject(PROJECT, { tester: ACCESS.maintainer });
    const dry = await vars(onprem, ['--gitlab-project', PROJECT, '--update-token', '--dry-run'], ONPREM_ENV);
    expect(dry.exitCode, String(dry.stderr)).toBe(0);
    expect(fake.requests).toEqual([]);
    expect(dry.stdout).toContain('  set MLOPS_UPDATE_TOKEN (env_var, masked, protected, scope *):');
    expect(dry.stdout).toMatch(/POST \/api\/v4\/projects\/team%2Fchurn\/variables \{"key":"MLOPS_UPDATE_TOKEN","value":"\[redacted\]"/);
    // A failure after the first write names the command that finishes, with the flag.
    fake.fault({ method: 'POST', url: /variables$/, times: 20, kind: '5xx', status: 502 });
    const failed = await vars(onprem, ['--gitlab-project', PROJECT, '--update-token'], ONPREM_ENV);
    expect(failed.exitCode).toBe(1);
    expect(String(failed.stderr)).toMatch(/gitlab-variables .*--update-token/);
  });
});
