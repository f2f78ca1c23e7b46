/**
 * ci/update-template.sh, the script of the generated pipeline's
 * update:template job, through the job's own line (`sh ci/update-template.sh`)
 * run as GitLab's runner runs it (test/support/runner-shell.ts: errexit,
 * pipefail where the shell has it, umask 0000): in dash, in busybox sh (with
 * busybox's own sed, grep, head, cut, tr, mktemp and base64; `sh` is busybox),
 * and in bash with dash as `sh`, as in the node image (Debian, bash: the
 * runner picks bash), against test/support/fake-gitlab.ts:
 * the fake serves the git pushes and fetches (git http-backend on bare repos)
 * and the merge requests API as GitLab answers it (201, 409 for an open one,
 * GET, PUT). The CI checkout is a clone of a generated repo made by an
 * "older render" (the fixture of the old template in test/support/update.ts,
 * as test/cli/update.test.ts has it), detached at the commit as a runner
 * leaves it.
 *
 * mlops-project is the real package: MLOPS_PROJECT_PACKAGE points at the
 * tarball `npm pack` makes of this checkout, so the script's own line
 * (`npx --yes -p "$MLOPS_PROJECT_PACKAGE" mlops-project ...`) runs the package
 * as npm would install it (its `files` included), not a shim.
 *
 * NOT PROVEN here: GitLab's own checkout (its refspecs, its credential
 * helper), real token scopes and roles beyond what the fake models, the
 * node image's own tools (the job runs in node:22-bookworm, whose /bin/sh is
 * dash), and the whole job under gitlab-ci-local: test/e2e/update-job.test.ts.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS, type FakeGitLab, type FakeProject, startFakeGitLab } from '../support/fake-gitlab.js';
import { removeDir, ROOT, tempDir } from '../support/cli.js';
import { parseCi, scriptOf } from '../support/gitlab-ci-check.js';
import { RUNNER_SHELLS, runnerShells, type RunnerShell, type RunnerShells } from '../support/runner-shell.js';
import { BRANCH, edit, expectNoLeak as expectNoLeakIn, filesUnder, git, jobToolsEnv, leaksOf, oldRender, packTarball, pushMain, VERSION } from '../support/update.js';

const TOKEN = 'glpat-UpdateJob-0123456789abcdef';
const BOT = 'project_7_bot_3f2a';
const LEAKS = leaksOf(TOKEN);

let work: string;
let fake: FakeGitLab;
let tarball: string;
let seed: string;
let tools: string;
let busyboxBin: string;
let shells: RunnerShells;
let count = 0;

beforeAll(async () => {
  work = tempDir('cmp-updatejob-');
  tarball = await packTarball(work);
  // The repo as an older template made it (update.test.ts's fixture), committed as the generator does.
  seed = await oldRender(work, 'churn', ['--project-name', 'Churn', '--registry', 'harbor.acme.io/ml/churn']);

  fake = await startFakeGitLab(join(work, 'gitlab'));
  fake.addToken({ token: TOKEN, username: BOT, scopes: ['api'] });
  // The tools the job's image has, and busybox's applets for the busybox runs.
  tools = join(work, 'tools');
  mkdirSync(tools);
  for (const tool of ['git', 'curl', 'node', 'npx']) {
    const path = String((await execa('sh', ['-c', `command -v ${tool}`])).stdout).trim();
    symlinkSync(path, join(tools, tool));
  }
  shells = await runnerShells(work);
  busyboxBin = shells.busybox(['env', 'cat', 'sed', 'grep', 'head', 'cut', 'tr', 'mktemp', 'base64', 'rm', 'printf', 'echo', 'mkdir', 'ls', 'uname', 'dirname', 'basename']);
});
afterAll(async () => {
  await fake?.stop();
  removeDir(work);
});

/** A GitLab project holding the seed repo's main, the bot a Developer in it. */
async function newProject(): Promise<FakeProject> {
  const project = fake.addProject(`team/churn-${++count}`, { [BOT]: ACCESS.developer });
  await pushMain(seed, fake.repoOf(`team/${project.path}`));
  return project;
}
const urlOf = (p: FakeProject): string => `${fake.url}/${p.namespace}/${p.path}`;
const bareOf = (p: FakeProject): string => fake.repoOf(`${p.namespace}/${p.path}`);

/** A commit on the project's main, as a user pushes one (through a clone of the bare repo). */
async function pushToMain(p: FakeProject, path: string, change: (text: string) => string, message: string): Promise<void> {
  const dir = join(work, `user-${++count}`);
  await execa('git', ['clone', '-q', bareOf(p), dir]);
  edit(dir, path, change);
  await git(dir, 'commit', '-qam', message);
  await git(dir, 'push', '-q', 'origin', 'main');
}

/**
 * The update's merge request merged as GitLab merges it, with a merge commit
 * or squashed (one commit of the branch's changes on main), and its source
 * branch removed.
 */
async function mergeTheUpdate(p: FakeProject, how: 'merge-commit' | 'squash'): Promise<void> {
  const dir = join(work, `${how}-${++count}`);
  await execa('git', ['clone', '-q', bareOf(p), dir]);
  if (how === 'merge-commit') await git(dir, 'merge', '-q', '--no-ff', '-m', 'Merge branch into main', `origin/${BRANCH}`);
  else {
    await git(dir, 'merge', '-q', '--squash', `origin/${BRANCH}`);
    await git(dir, 'commit', '-qm', `Update to create-mlops-project ${VERSION} (squashed)`);
  }
  await git(dir, 'push', '-q', 'origin', 'main', `:${BRANCH}`);
  p.mergeRequests[0]!.state = 'merged';
}

/** The checkout a runner makes for a pipeline of main: a clone at main's commit, detached; origin without credentials. */
async function ciCheckout(p: FakeProject): Promise<string> {
  const dir = join(work, `ci-${++count}`);
  await execa('git', ['clone', '-q', '--depth', '1', `file://${bareOf(p)}`, dir]);
  await git(dir, 'checkout', '-q', '--detach');
  await git(dir, 'remote', 'set-url', 'origin', `${urlOf(p)}.git`);
  return dir;
}

interface Job {
  code: number;
  out: string;
  dir: string;
  tmp: string;
}

async function runJob(shell: RunnerShell, p: FakeProject, env: Record<string, string | undefined> = {}): Promise<Job> {
  const dir = await ciCheckout(p);
  const tmp = join(work, `tmp-${++count}`);
  mkdirSync(tmp);
  // The job's own line, from the checkout's .gitlab-ci.yml.
  const lines = scriptOf(parseCi(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')), 'update:template');
  expect(lines).toBe('sh ci/update-template.sh');
  const result = await shells.run(shell, lines, {
    cwd: dir,
    path: shell === 'busybox sh' ? [busyboxBin, tools] : [tools, ...shells.tools(shell)],
    ...(shell === 'bash' ? { sh: 'dash' as const } : {}),
    env: {
      ...jobToolsEnv(work),
      TMPDIR: tmp,
      CI_API_V4_URL: `${fake.url}/api/v4`,
      CI_PROJECT_ID: String(p.id),
      CI_PROJECT_URL: urlOf(p),
      CI_DEFAULT_BRANCH: 'main',
      CI_JOB_URL: `${urlOf(p)}/-/jobs/42`,
      MLOPS_PROJECT_PACKAGE: tarball,
      MLOPS_UPDATE_TOKEN: TOKEN,
      ...env,
    },
  });
  return { code: result.code, out: result.all, dir, tmp };
}

/**
 * The token is in no output, no file of the checkout (.git/config included) or of the job's TMPDIR, no request's
 * URL; and the job's temp files are gone.
 */
function expectNoLeak(job: Job): void {
  expectNoLeakIn(LEAKS, { texts: [job.out], files: [...filesUnder(job.dir), ...filesUnder(job.tmp)], requests: fake.requests });
  expect(readFileSync(join(job.dir, '.git/config'), 'utf8')).not.toMatch(/extraHeader|Authorization|glpat/i);
  // The job's own temp files are gone; Node 22's module compile cache (node-compile-cache, made by
  // npx under TMPDIR) is Node's and holds compiled code only; it is searched for the token too (above).
  expect(readdirSync(job.tmp).filter((name) => name !== 'node-compile-cache')).toEqual([]);
}

const since = (from: number) => fake.requests.slice(from);
const pushes = (from: number) => since(from).filter((r) => r.url.endsWith('/git-receive-pack') && r.method === 'POST');
const mrCalls = (from: number) => since(from).filter((r) => r.url.includes('/merge_requests')).map((r) => `${r.method} ${r.url.replace(/\?.*/, '')}`);
const remoteBranch = async (p: FakeProject): Promise<string> =>
  String((await execa('git', ['--git-dir', bareOf(p), 'rev-parse', '--verify', '--quiet', `refs/heads/${BRANCH}`], { reject: false })).stdout).trim();

describe.each(RUNNER_SHELLS)('ci/update-template.sh in %s', (shell) => {
  it('pushes the update branch and opens the merge request: source, target, title, description, remove_source_branch', async () => {
    const p = await newProject();
    const mainBefore = await git(bareOf(p), 'rev-parse', 'main');
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(0);
    expect(job.out).toContain(`update:template: pushed ${BRANCH}`);
    expect(job.out).toContain(`update:template: opened merge request !1: ${urlOf(p)}/-/merge_requests/1`);

    // The branch on GitLab is the update: a merge commit of main (as it was) and the render of this version.
    const tip = await remoteBranch(p);
    expect(tip).not.toBe('');
    const parents = (await git(bareOf(p), 'log', '-1', '--format=%P', tip)).split(' ');
    expect(parents[0]).toBe(mainBefore);
    expect(await git(bareOf(p), 'log', '-1', '--format=%s', parents[1]!)).toBe(`mlops-project render ${VERSION}`);
    expect(await git(bareOf(p), 'log', '-1', '--format=%an <%ae>', tip)).toBe('mlops-project update <mlops-project-update@users.noreply.invalid>');
    expect(await git(bareOf(p), 'show', `${tip}:docs/index.md`)).not.toContain('A line the old template had.');
    expect(await git(bareOf(p), 'rev-parse', 'main')).toBe(mainBefore);

    expect(mrCalls(from)).toEqual([`POST /api/v4/projects/${p.id}/merge_requests`]);
    const post = since(from).find((r) => r.url.includes('/merge_requests'))!;
    expect(post.headers['private-token']).toBe(TOKEN);
    const sent = Object.fromEntries(new URLSearchParams(post.body));
    expect(sent).toMatchObject({
      source_branch: BRANCH,
      target_branch: 'main',
      title: `Update to create-mlops-project ${VERSION}`,
      remove_source_branch: 'true',
      squash: 'false',
    });
    expect(p.mergeRequests).toHaveLength(1);
    const mr = p.mergeRequests[0]!;
    expect(mr).toMatchObject({ iid: 1, state: 'opened', source_branch: BRANCH, target_branch: 'main', author: BOT, force_remove_source_branch: true, squash: false });
    expect(mr.description).toContain(`${urlOf(p)}/-/jobs/42`);
    expect(mr.description).toContain(`✔ Updated to create-mlops-project ${VERSION} on branch ${BRANCH}`);
    expect(mr.description).toContain('  update docs/index.md');
    expect(mr.description).toContain('Merge it with a merge commit');
    expect(mr.description).not.toContain('Review it (git diff');
    // git got the token as a header; the API calls as PRIVATE-TOKEN.
    const gitCalls = since(from).filter((r) => r.url.includes('.git/'));
    expect(gitCalls.length).toBeGreaterThan(0);
    for (const r of gitCalls) expect(r.headers.authorization).toBe(`Basic ${LEAKS[1]}`);
    expectNoLeak(job);
  });

  it('refreshes: main moved, so the branch is rebuilt on it and force-pushed, and its open merge request gets the new description', async () => {
    const p = await newProject();
    expect((await runJob(shell, p)).code).toBe(0);
    const first = await remoteBranch(p);
    await pushToMain(p, 'src/process_data.py', (t) => `${t}\n# A note of ours.\n`, 'a change of ours');
    const main = await git(bareOf(p), 'rev-parse', 'main');
    p.mergeRequests[0]!.description = 'stale';
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(0);
    expect(job.out).toContain(`update:template: pushed ${BRANCH}`);
    expect(job.out).toContain(`update:template: refreshed merge request !1: ${urlOf(p)}/-/merge_requests/1`);
    const tip = await remoteBranch(p);
    expect(tip).not.toBe(first);
    expect((await git(bareOf(p), 'log', '-1', '--format=%P', tip)).split(' ')[0]).toBe(main);
    expect(mrCalls(from)).toEqual([
      `GET /api/v4/projects/${p.id}/merge_requests`,
      `GET /api/v4/projects/${p.id}/merge_requests`,
      `PUT /api/v4/projects/${p.id}/merge_requests/1`,
    ]);
    const lists = since(from).filter((r) => r.method === 'GET' && r.url.includes('/merge_requests'));
    expect(lists.map((r) => Object.fromEntries(new URLSearchParams(r.url.split('?')[1])))).toEqual([
      { state: 'all', source_branch: BRANCH, target_branch: 'main' },
      { state: 'opened', source_branch: BRANCH, target_branch: 'main' },
    ]);
    expect(p.mergeRequests).toHaveLength(1);
    expect(p.mergeRequests[0]!.description).toContain(`✔ Updated to create-mlops-project ${VERSION}`);
    expectNoLeak(job);
  });

  it('an open merge request whose branch was deleted: pushed again, GitLab answers the POST 409, and the job refreshes that one (GET, PUT)', async () => {
    const p = await newProject();
    expect((await runJob(shell, p)).code).toBe(0);
    await execa('git', ['--git-dir', bareOf(p), 'branch', '-D', BRANCH]);
    p.mergeRequests[0]!.description = 'stale';
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(0);
    expect(job.out).toContain(`update:template: pushed ${BRANCH}`);
    expect(job.out).toContain(`update:template: refreshed merge request !1: ${urlOf(p)}/-/merge_requests/1`);
    expect(mrCalls(from)).toEqual([
      `POST /api/v4/projects/${p.id}/merge_requests`,
      `GET /api/v4/projects/${p.id}/merge_requests`,
      `PUT /api/v4/projects/${p.id}/merge_requests/1`,
    ]);
    const post = since(from).find((r) => r.method === 'POST' && r.url.includes('/merge_requests'))!;
    expect(post.headers['private-token']).toBe(TOKEN);
    expect(p.mergeRequests).toHaveLength(1);
    expect(p.mergeRequests[0]!.description).toContain(`✔ Updated to create-mlops-project ${VERSION}`);
    expect(await remoteBranch(p)).not.toBe('');
    expectNoLeak(job);
  });

  it('a merge request closed without merging is not opened again while its branch is there, even after main moved', async () => {
    const p = await newProject();
    expect((await runJob(shell, p)).code).toBe(0);
    const tip = await remoteBranch(p);
    p.mergeRequests[0]!.state = 'closed';
    await pushToMain(p, 'src/process_data.py', (t) => `${t}\n# Main moved.\n`, 'main moved');
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(0);
    expect(job.out).toContain(`update:template: the merge request of ${BRANCH} was closed without merging: it is not opened again. Delete the branch ${BRANCH} to have the next run open one.`);
    expect(pushes(from)).toEqual([]);
    expect(await remoteBranch(p)).toBe(tip);
    expect(mrCalls(from)).toEqual([`GET /api/v4/projects/${p.id}/merge_requests`]);
    expect(p.mergeRequests).toHaveLength(1);
    expectNoLeak(job);
  });

  it('a run with nothing new pushes nothing (no new commits, no new pipeline) and refreshes the merge request', async () => {
    const p = await newProject();
    expect((await runJob(shell, p)).code).toBe(0);
    const tip = await remoteBranch(p);
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(0);
    expect(job.out).toContain(`update:template: ${BRANCH} on GitLab holds this update already: nothing to push.`);
    expect(pushes(from)).toEqual([]);
    expect(await remoteBranch(p)).toBe(tip);
    expect(mrCalls(from)).toEqual([
      `GET /api/v4/projects/${p.id}/merge_requests`,
      `GET /api/v4/projects/${p.id}/merge_requests`,
      `PUT /api/v4/projects/${p.id}/merge_requests/1`,
    ]);
    expectNoLeak(job);
  });

  it('up to date (the update merged into main): says so, pushes nothing and calls no API', async () => {
    const p = await newProject();
    expect((await runJob(shell, p)).code).toBe(0);
    await mergeTheUpdate(p, 'merge-commit');
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(0);
    expect(job.out).toContain(`Up to date with create-mlops-project ${VERSION}.`);
    expect(job.out).toContain(`update:template: main is up to date with ${tarball}: nothing to do.`);
    expect(pushes(from)).toEqual([]);
    expect(since(from).filter((r) => r.url.startsWith('/api/'))).toEqual([]);
    expect(await remoteBranch(p)).toBe('');
    expectNoLeak(job);
  });

  it("merged by squash: update's line (what happened, the command that recovers), the job failed on it, nothing pushed, no API called", async () => {
    const p = await newProject();
    expect((await runJob(shell, p)).code).toBe(0);
    await mergeTheUpdate(p, 'squash');
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(1);
    const lines = job.out.trimEnd().split('\n');
    const line = lines.find((l) => l.startsWith('error '));
    expect(line).toMatch(
      new RegExp(
        `^error The update to ${VERSION.replace(/\./g, '\\.')} was merged without its history \\(squashed, for instance\\): .* Make it again with \\S+: npx -p create-mlops-project@${VERSION.replace(/\./g, '\\.')} mlops-project update --render-base, then run this update with the --base it prints\\.$`,
      ),
    );
    expect(lines.at(-1)).toBe('ERROR: mlops-project update --check could not run (exit 2; its reason is above).');
    expect(pushes(from)).toEqual([]);
    expect(since(from).filter((r) => r.url.startsWith('/api/'))).toEqual([]);
    expect(await remoteBranch(p)).toBe('');
    expectNoLeak(job);
  });

  it('conflicts: the job fails, lists the files and the commands to resolve them locally, and pushes nothing', async () => {
    const p = await newProject();
    await pushToMain(p, '.gitlab-ci.yml', (t) => t.replace('# GitLab CI/CD pipeline of this repository (0.1.0)\n', '# GitLab CI/CD pipeline of our team\n'), 'our title');
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(1);
    expect(job.out).toContain('ERROR: the update conflicts with changes of this repository, where both changed the same lines:\n  .gitlab-ci.yml\n');
    expect(job.out).toContain('Nothing was pushed. Resolve them on your machine:\n  git switch main && git pull\n');
    expect(job.out).toContain(`  npx --yes -p ${tarball} mlops-project update\n`);
    expect(job.out).toContain(`  git push -u origin ${BRANCH}`);
    expect(pushes(from)).toEqual([]);
    expect(since(from).filter((r) => r.url.startsWith('/api/'))).toEqual([]);
    expect(await remoteBranch(p)).toBe('');
    expect(p.mergeRequests).toEqual([]);
    expectNoLeak(job);
  });

  it("leaves alone an update branch with someone else's commits, and its merge request", async () => {
    const p = await newProject();
    expect((await runJob(shell, p)).code).toBe(0);
    const dir = join(work, `fix-${++count}`);
    await execa('git', ['clone', '-q', '-b', BRANCH, bareOf(p), dir]);
    appendFileSync(join(dir, 'README.md'), '\nA fix of ours on the update branch.\n');
    await git(dir, 'commit', '-qam', 'our fix');
    await git(dir, 'push', '-q', 'origin', BRANCH);
    const ours = await remoteBranch(p);
    await pushToMain(p, 'src/process_data.py', (t) => `${t}\n# Main moved.\n`, 'main moved');
    const from = fake.requests.length;
    const job = await runJob(shell, p);
    expect(job.code, job.out).toBe(0);
    expect(job.out).toContain(`update:template: NOTE: ${BRANCH} on GitLab has commits this job did not make (the last by Test): it is left as it is`);
    expect(pushes(from)).toEqual([]);
    expect(await remoteBranch(p)).toBe(ours);
    expect(since(from).filter((r) => r.url.startsWith('/api/'))).toEqual([]);
    expectNoLeak(job);
  });

  it('without MLOPS_UPDATE_TOKEN: fails in one line saying what to set, and contacts nothing', async () => {
    const p = await newProject();
    const from = fake.requests.length;
    const job = await runJob(shell, p, { MLOPS_UPDATE_TOKEN: undefined });
    expect(job.code).toBe(1);
    expect(job.out.trim().split('\n')).toHaveLength(1);
    expect(job.out).toMatch(/^ERROR: CI\/CD variable MLOPS_UPDATE_TOKEN is not set: a project access token \(Settings > Access tokens, role Developer, scope api\)/);
    expect(since(from)).toEqual([]);
  });

  it('a revoked token: git is refused at the first fetch, and the job fails saying what the token needs', async () => {
    const p = await newProject();
    fake.addToken({ token: 'glpat-Revoked-0123456789abcd', username: BOT, scopes: ['api'], revoked: true });
    const job = await runJob(shell, p, { MLOPS_UPDATE_TOKEN: 'glpat-Revoked-0123456789abcd' });
    expect(job.code).toBe(1);
    expect(job.out).toMatch(/^ERROR: could not fetch main from http:\/\/127\.0\.0\.1:\d+\/team\/churn-\d+\.git \(git's reason is above\): MLOPS_UPDATE_TOKEN must be an unexpired token of this project with the api scope; see docs\/ci-variables\.md\.$/m);
    expect(job.out).not.toContain('glpat-Revoked-0123456789abcd');
    expect(await remoteBranch(p)).toBe('');
  });

  it('a token with the Reporter role only: the push is refused, and the job says the token needs the Developer role', async () => {
    const p = await newProject();
    p.members[BOT] = ACCESS.reporter;
    const job = await runJob(shell, p);
    expect(job.code).toBe(1);
    expect(job.out).toContain('You are not allowed to push code to this project.');
    expect(job.out).toMatch(new RegExp(`^ERROR: git push of ${BRANCH.replace(/\./g, '\\.')} to \\S+ failed \\(git's reason is above\\): the token needs the Developer role`, 'm'));
    expect(await remoteBranch(p)).toBe('');
    expect(p.mergeRequests).toEqual([]);
    expectNoLeak(job);
  });
});

it('the script is POSIX sh: dash -n and busybox sh -n accept it', async () => {
  const file = join(ROOT, 'template/ci/update-template.sh');
  expect(existsSync(file)).toBe(true);
  await execa('dash', ['-n', file]);
  await execa('busybox', ['sh', '-n', file]);
});
