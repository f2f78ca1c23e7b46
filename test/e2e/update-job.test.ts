// e2e: the generated pipeline's update:template job, unmodified, under
// gitlab-ci-local 4.73 (the version the e2e harness runs) in a schedule
// pipeline of the default branch with UPDATE_TEMPLATE=true, against the fake
// GitLab (test/support/fake-gitlab.ts) this test starts on 127.0.0.1:
// CI_SERVER_URL, CI_API_V4_URL, CI_PROJECT_ID and CI_PROJECT_URL point at it,
// MLOPS_UPDATE_TOKEN comes as a protected project variable would (a variables
// file, on no command line), MLOPS_PROJECT_PACKAGE is the tarball `npm pack`
// makes of this checkout. The repo is one an older template made (the
// fixture of test/support/update.ts), on the fake's bare repo.
//
// It runs through gitlab-ci-local directly, not through scripts/e2e-pipeline:
// the harness's kinds come from test/support/pipeline-kinds.ts, and a kind
// with this job would need the fake GitLab in the harness process and its
// registries, base images and conda stand-ins for the rest of the schedule,
// which do not change what this job does. So only this job runs (its rules
// still decide: --list-json must list it for the schedule, and not without
// the switch). NOT PROVEN here: GitLab's own rules evaluation, its checkout
// and masking, the node image (shell executor: the host's dash, git, curl,
// node); test/cli/update-job-script.test.ts has the other paths (conflicts,
// a branch with others' commits, refused tokens) in dash and busybox sh.
import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeJobName } from '../../scripts/e2e/src/pipeline-info.js';
import { ACCESS, type FakeGitLab, type FakeProject, startFakeGitLab } from '../support/fake-gitlab.js';
import { removeDir, ROOT, tempDir } from '../support/cli.js';
import { BRANCH, expectNoLeak as expectNoLeakIn, filesUnder, git, jobToolsEnv, leaksOf, oldRender, packTarball, pushMain, VERSION } from '../support/update.js';

const GCL = join(ROOT, 'node_modules/gitlab-ci-local/dist/index.js');
const TOKEN = 'glpat-E2eUpdateJob-0123456789';
const BOT = 'project_9_bot_e2e';
const LEAKS = leaksOf(TOKEN);

let work: string;
let fake: FakeGitLab;
let project: FakeProject;
let tarball: string;
let runs = 0;

const bare = (): string => fake.repoOf('team/churn');
const projectUrl = (): string => `${fake.url}/team/churn`;

beforeAll(async () => {
  work = tempDir('cmp-e2e-update-job-');
  tarball = await packTarball(work);
  const seed = await oldRender(work, 'churn', ['--project-name', 'Churn', '--registry', 'harbor.acme.io/ml/churn']);

  fake = await startFakeGitLab(join(work, 'gitlab'));
  fake.addToken({ token: TOKEN, username: BOT, scopes: ['api'] });
  project = fake.addProject('team/churn', { [BOT]: ACCESS.developer });
  await pushMain(seed, bare());
}, 120_000);
afterAll(async () => {
  await fake?.stop();
  if (work) removeDir(work);
});

interface Run {
  code: number;
  output: string;
  log: string;
  clone: string;
}

/** A fresh clone of the project's main, as the harness makes one, with offline origin refs for gitlab-ci-local. */
async function checkout(): Promise<string> {
  const dir = join(work, `clone-${++runs}`);
  await execa('git', ['clone', '-q', bare(), dir]);
  await git(dir, 'remote', 'set-url', 'origin', `${projectUrl()}.git`);
  await git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  await git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  return dir;
}

/** gitlab-ci-local's arguments for a schedule pipeline of main with these pipeline variables. */
function scheduleArgs(dir: string, variables: Record<string, string>): string[] {
  const predefined: Record<string, string> = {
    CI_PIPELINE_SOURCE: 'schedule',
    CI_COMMIT_REF_PROTECTED: 'true',
    CI_SERVER_URL: fake.url,
    CI_API_V4_URL: `${fake.url}/api/v4`,
    CI_PROJECT_ID: String(project.id),
    CI_PROJECT_PATH: 'team/churn',
    CI_PROJECT_URL: projectUrl(),
    CI_JOB_URL: `${projectUrl()}/-/jobs/${runs}`,
  };
  // A protected project variable: in gitlab-ci-local's variables file (read at CWD/PATH), never on a command line.
  const file = join(work, `variables-${runs}.yml`);
  writeFileSync(file, `MLOPS_UPDATE_TOKEN: ${TOKEN}\n`, { mode: 0o600 });
  const args = [
    '--force-shell-executor', '--shell-isolation', '--no-color', '--json-schema-validation=false',
    '--ignore-predefined-vars', Object.keys(predefined).join(','),
    '--variables-file', relative(dir, file),
  ];
  for (const [k, v] of Object.entries({ ...predefined, MLOPS_PROJECT_PACKAGE: tarball, ...variables })) args.push('--variable', `${k}=${v}`);
  return args;
}

const gclEnv = (): Record<string, string> => ({
  CI: 'true',
  NO_COLOR: '1',
  ...jobToolsEnv(work),
  PATH: process.env.PATH ?? '/usr/bin:/bin',
});

async function jobsOf(variables: Record<string, string>): Promise<string[]> {
  const dir = await checkout();
  const r = await execa('node', [GCL, '--list-json', ...scheduleArgs(dir, variables)], { cwd: dir, env: gclEnv(), extendEnv: false, stdin: 'ignore' });
  return (JSON.parse(String(r.stdout)) as { name: string; when: string }[]).filter((j) => j.when !== 'never').map((j) => j.name);
}

async function runUpdateJob(): Promise<Run> {
  const clone = await checkout();
  mkdirSync(join(work, 'home'), { recursive: true });
  const r = await execa('node', [GCL, ...scheduleArgs(clone, { UPDATE_TEMPLATE: 'true' }), 'update:template'], {
    cwd: clone, env: gclEnv(), extendEnv: false, stdin: 'ignore', reject: false, all: true, timeout: 300_000,
  });
  const log = readFileSync(join(clone, `.gitlab-ci-local/output/${safeJobName('update:template')}.log`), 'utf8');
  console.log(`$ gitlab-ci-local update:template (run ${runs})\n${String(r.all)}`);
  return { code: r.exitCode ?? -1, output: String(r.all), log, clone };
}

/** The token is in no output or log, no file of the job's own checkout (gitlab-ci-local's build folder of the job, .git included), no request's URL. */
function expectNoLeak(run: Run): void {
  const files = filesUnder(join(run.clone, '.gitlab-ci-local/builds', safeJobName('update:template')));
  expectNoLeakIn(LEAKS, { texts: [run.output, run.log], files, requests: fake.requests });
}

describe('e2e: update:template in a schedule pipeline, against the fake GitLab', () => {
  it('a schedule of main runs it only with UPDATE_TEMPLATE=true (gitlab-ci-local --list-json)', async () => {
    expect(await jobsOf({ UPDATE_TEMPLATE: 'true' })).toContain('update:template');
    expect(await jobsOf({ BUILD_MODEL: 'true' })).not.toContain('update:template');
  }, 120_000);

  it('pushes the update branch and opens the merge request; the next run holds it already and refreshes the merge request', async () => {
    const main = await git(bare(), 'rev-parse', 'main');
    const first = await runUpdateJob();
    expect(first.code, first.output).toBe(0);
    expect(first.log).toContain(`update:template: pushed ${BRANCH}`);
    expect(first.log).toContain(`update:template: opened merge request !1: ${projectUrl()}/-/merge_requests/1`);
    const tip = await git(bare(), 'rev-parse', BRANCH);
    expect((await git(bare(), 'log', '-1', '--format=%P', tip)).split(' ')[0]).toBe(main);
    expect(await git(bare(), 'rev-parse', 'main')).toBe(main);

    const post = fake.apiRequests().find((r) => r.method === 'POST' && r.url.endsWith('/merge_requests'))!;
    expect(post.headers['private-token']).toBe(TOKEN);
    expect(Object.fromEntries(new URLSearchParams(post.body))).toMatchObject({
      source_branch: BRANCH, target_branch: 'main', title: `Update to create-mlops-project ${VERSION}`, remove_source_branch: 'true',
    });
    expect(project.mergeRequests.map((mr) => [mr.iid, mr.state, mr.source_branch, mr.target_branch, mr.author])).toEqual([[1, 'opened', BRANCH, 'main', BOT]]);
    expect(project.mergeRequests[0]!.description).toContain('  update docs/index.md');
    expectNoLeak(first);

    const from = fake.requests.length;
    const second = await runUpdateJob();
    expect(second.code, second.output).toBe(0);
    expect(second.log).toContain(`update:template: ${BRANCH} on GitLab holds this update already: nothing to push.`);
    expect(second.log).toContain('update:template: refreshed merge request !1');
    expect(fake.requests.slice(from).filter((r) => r.url.endsWith('/git-receive-pack') && r.method === 'POST')).toEqual([]);
    expect(await git(bare(), 'rev-parse', BRANCH)).toBe(tip);
    expect(project.mergeRequests).toHaveLength(1);
    expectNoLeak(second);
  }, 600_000);
});
