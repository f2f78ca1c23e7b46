/**
 * `mlops-project update`, the built bin on real git repos. The "older
 * render" is a fixture of the old template (test/support/update.ts): a repo
 * this version renders, changed where the old template differed (a comment of
 * .gitlab-ci.yml, a docs line, an older variable value) and recorded as
 * 0.1.0, committed as the generator commits. On top: a user's edits in
 * Python, in .gitlab-ci.yml (a job of their own, a changed variable), in
 * docs, a deleted doc page and an image added with `mlops-project image`.
 */
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, GIT_ENV, MLOPS_BIN, readTree, removeDir, run, tempDir } from '../support/cli.js';
import { BRANCH, commitAll, edit, git, makeOld, oldRender, VERSION } from '../support/update.js';

const ANSWERS = ['--project-name', 'Churn', '--registry', 'harbor.acme.io/ml/churn', '--builder', 'buildah'];

let work: string;
beforeAll(() => {
  work = tempDir('cmp-update-');
});
afterAll(() => removeDir(work));

const update = (dir: string, args: string[] = []) => run(MLOPS_BIN, ['update', ...args], dir);

/** The user's changes, none of them where the old and new templates differ. */
async function userEdits(dir: string, { commit }: { commit: boolean }): Promise<void> {
  appendFileSync(join(dir, 'src/process_data.py'), '\n# A note of ours.\n');
  edit(dir, '.gitlab-ci.yml', (t) => t.replace('  BUILD_CONDA:\n    value: "false"', '  BUILD_CONDA:\n    value: "true"'));
  appendFileSync(join(dir, '.gitlab-ci.yml'), '\n# Our own job.\nsmoke:\n  stage: test\n  script:\n    - echo smoke\n');
  edit(dir, 'docs/getting-started.md', (t) => t.replace('# Getting started\n', '# Getting started\n\nOur team reads this first.\n'));
  rmSync(join(dir, 'docs/releasing.md'));
  if (commit) {
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-qm', 'our edits');
  }
  const image = await run(MLOPS_BIN, ['image', '--name', 'serving', '--base-image', 'python:3.11-slim'], dir);
  expect(image.exitCode, image.stderr).toBe(0);
  if (commit) {
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-qm', 'add the serving image');
  }
}

/** A repo made by the old template, committed as the generator does, with the user's edits on top. */
async function oldRepo(name: string, { edits = true } = {}): Promise<string> {
  const dir = await oldRender(work, name, ANSWERS);
  if (edits) await userEdits(dir, { commit: true });
  return dir;
}

const withoutGit = (tree: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(tree).filter(([path]) => !path.startsWith('.git/')));

describe('mlops-project update', () => {
  it("updates cleanly: the new render plus exactly the user's changes, as a merge commit on a branch of its own", async () => {
    const dir = await oldRepo('clean');
    const before = await git(dir, 'rev-parse', 'main');
    const result = await update(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`✔ Updated to create-mlops-project ${VERSION} on branch ${BRANCH}`);
    expect(result.stdout).toContain('keep deleted (you deleted it; the template changed it) docs/releasing.md');

    // The expected tree: this version's render of the same answers, with the same edits and image.
    const fresh = join(work, 'fresh');
    expect((await create(['fresh', '--yes', '--no-git', ...ANSWERS], work)).exitCode).toBe(0);
    await userEdits(fresh, { commit: false });
    expect(withoutGit(readTree(dir))).toEqual(withoutGit(readTree(fresh)));

    // The user's branch is untouched; the update is a merge of it and the render, committed, the tree clean.
    expect(await git(dir, 'rev-parse', 'main')).toBe(before);
    expect(await git(dir, 'branch', '--show-current')).toBe(BRANCH);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    const parents = (await git(dir, 'log', '-1', '--format=%P')).split(' ');
    expect(parents[0]).toBe(before);
    expect(await git(dir, 'log', '-1', '--format=%s', parents[1]!)).toBe(`mlops-project render ${VERSION}`);

    // Now up to date: --check says so, and update changes nothing.
    expect((await update(dir, ['--check'])).exitCode).toBe(0);
    const again = await update(dir);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('Up to date');
  });

  it('a conflicting edit: exit 1, markers and real index stages 1/2/3, listed; --abort restores the repo', async () => {
    const dir = await oldRepo('conflict', { edits: false });
    edit(dir, '.gitlab-ci.yml', (t) => t.replace('# GitLab CI/CD pipeline of this repository (0.1.0)\n', '# GitLab CI/CD pipeline of our team\n'));
    await git(dir, 'commit', '-qam', 'our title');
    const head = await git(dir, 'rev-parse', 'HEAD');
    const result = await update(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      `Update to create-mlops-project ${VERSION} on branch ${BRANCH}: 1 file conflict (markers in the files; git mergetool shows them):`,
      '  .gitlab-ci.yml',
      'Resolve them, then: git add .gitlab-ci.yml && git commit',
    ]);
    const stages = (await git(dir, 'ls-files', '-u', '--', '.gitlab-ci.yml')).split('\n').map((l) => l.split(/\s+/)[2]);
    expect(stages).toEqual(['1', '2', '3']);
    const text = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(text).toContain('<<<<<<< yours\n# GitLab CI/CD pipeline of our team\n=======\n# GitLab CI/CD pipeline of this repository\n>>>>>>> render of');
    expect(existsSync(join(dir, '.git/MERGE_HEAD'))).toBe(true);

    const aborted = await update(dir, ['--abort']);
    expect(aborted.exitCode, aborted.stderr).toBe(0);
    expect(await git(dir, 'branch', '--show-current')).toBe('main');
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect(await git(dir, 'branch', '--list', BRANCH)).toBe('');
  });

  it("git's own commands finish or undo it too: resolve, git commit makes the merge commit", async () => {
    const dir = await oldRepo('resolve', { edits: false });
    edit(dir, '.gitlab-ci.yml', (t) => t.replace('# GitLab CI/CD pipeline of this repository (0.1.0)\n', '# Ours\n'));
    await git(dir, 'commit', '-qam', 'our title');
    expect((await update(dir)).exitCode).toBe(1);
    edit(dir, '.gitlab-ci.yml', (t) => t.replace(/<<<<<<< yours\n# Ours\n=======\n(# GitLab CI\/CD pipeline of this repository\n)>>>>>>> render of \S+\n/, '$1'));
    await git(dir, 'add', '.gitlab-ci.yml');
    await git(dir, 'commit', '-q', '--no-edit');
    expect((await git(dir, 'log', '-1', '--format=%P')).split(' ')).toHaveLength(2);
    expect(await git(dir, 'log', '-1', '--format=%s')).toBe(`Update to create-mlops-project ${VERSION}`);
    expect((await update(dir, ['--check'])).exitCode).toBe(0);
  });

  it('--check: exit 1 when an update exists, 0 on a fresh repo; --dry-run lists the changes and conflicts; neither writes', async () => {
    const dir = await oldRepo('check');
    const head = await git(dir, 'rev-parse', 'HEAD');
    const check = await update(dir, ['--check']);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toMatch(new RegExp(`^An update to create-mlops-project ${VERSION.replace(/\./g, '\\.')} exists: \\d+ files`));
    const dry = await update(dir, ['--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('  merge .gitlab-ci.yml (yours and the template\'s changes)');
    expect(dry.stdout).toContain('  update docs/index.md');
    expect(dry.stdout).toContain('No conflicts: it would merge cleanly.');
    expect(await git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect(await git(dir, 'branch', '--list', BRANCH)).toBe('');

    const made = await create(['fresh-check', '--yes', '--registry', 'harbor.acme.io/ml/x'], work);
    expect(made.exitCode).toBe(0);
    const fresh = await update(join(work, 'fresh-check'), ['--check']);
    expect(fresh.exitCode, fresh.stdout).toBe(0);
    expect(fresh.stdout.trim()).toBe(`✔ Up to date with create-mlops-project ${VERSION}.`);
  });

  it('cannot start (exit 2, one line, nothing changed): a dirty tree, a downgrade, not a generated repo, an unknown --set key, a broken record', async () => {
    const dir = await oldRepo('refusals', { edits: false });
    const head = await git(dir, 'rev-parse', 'HEAD');
    appendFileSync(join(dir, 'README.md'), 'uncommitted\n');
    const dirty = await update(dir);
    expect(dirty.exitCode).toBe(2);
    expect(dirty.stderr.split('\n')[0]).toBe('error The work tree has changes that are not committed (README.md): commit or stash them first, so the update is a commit of its own.');
    await git(dir, 'checkout', '--', 'README.md');

    edit(dir, '.mlops-project.json', (t) => t.replace('"version": "0.1.0"', '"version": "9.0.0"'));
    await git(dir, 'commit', '-qam', 'from the future');
    const down = await update(dir);
    expect(down.exitCode).toBe(2);
    expect(down.stderr.split('\n')[0]).toMatch(/^error This repo was made by create-mlops-project 9\.0\.0, newer than this one/);

    const plain = join(work, 'plain');
    await execa('git', ['init', '-q', '-b', 'main', plain]);
    writeFileSync(join(plain, 'x.txt'), 'x\n');
    await git(plain, 'add', '-A');
    await git(plain, 'commit', '-qm', 'x');
    const not = await update(plain);
    expect(not.exitCode).toBe(2);
    expect(not.stderr.split('\n')[0]).toBe('error No .mlops-project.json in the last commit: run update in a repo made by create-mlops-project.');

    const bad = await update(dir, ['--set', 'repoName=other']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/^error --set cannot change "repoName": it takes platform, gcpAuth, registry/);
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect(await git(dir, 'rev-parse', 'HEAD~1')).toBe(head);

    // A record that is not one: its own message, as one that cannot start.
    writeFileSync(join(dir, '.mlops-project.json'), '{ not json\n');
    await git(dir, 'commit', '-qam', 'a broken record');
    const broken = await update(dir);
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr.split('\n')[0]).toBe('error .mlops-project.json is not valid JSON: this does not look like a repo made by create-mlops-project.');
    expect(await git(dir, 'status', '--porcelain')).toBe('');
  });

  it('tried as a new user: --yes without --registry, then the next step as printed: main has the registry, ready for its first push', async () => {
    const made = await create(['newcomer', '--yes'], work);
    expect(made.exitCode).toBe(0);
    const step = made.stdout.split('\n').find((l) => l.includes('is a placeholder'));
    expect(step).toMatch(/^ {2}2\. set the registry your images go to \(harbor\.example\.com\/change-me\/newcomer is a placeholder\): node \S+ update --set registry=HOST\/PATH && git checkout main && git merge --ff-only mlops-project\/update-\S+-registry$/);
    const command = step!.slice(step!.indexOf(': ') + 2).replace('HOST/PATH', 'harbor.acme.io/ml/newcomer');
    const dir = join(work, 'newcomer');
    const ran = await execa('sh', ['-c', command], { cwd: dir, env: { ...process.env, ...GIT_ENV }, reject: false });
    expect(ran.exitCode, String(ran.stderr)).toBe(0);
    expect(await git(dir, 'branch', '--show-current')).toBe('main');
    expect(await git(dir, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toMatch(/^ {2}IMAGE_REGISTRY: harbor\.acme\.io\/ml\/newcomer$/m);
    // gitlab-variables now takes it: the credential is for the real host.
    const dry = await run(MLOPS_BIN, ['gitlab-variables', '--gitlab-project', 'g/p', '--dry-run'], dir, {});
    expect(dry.exitCode, dry.stderr).toBe(0);
  });

  it('a first commit not made by the generator: exit 2 naming --base; with --base REV it updates from there', async () => {
    const made = await create(['handmade', '--yes', '--no-git', ...ANSWERS], work);
    expect(made.exitCode).toBe(0);
    const dir = join(work, 'handmade');
    makeOld(dir);
    await commitAll(dir, 'our project');
    const first = await git(dir, 'rev-parse', 'HEAD');
    appendFileSync(join(dir, 'src/process_data.py'), '\n# ours\n');
    await git(dir, 'commit', '-qam', 'more');
    const lost = await update(dir);
    expect(lost.exitCode).toBe(2);
    expect(lost.stderr.split('\n')[0]).toMatch(/^error Cannot find the render this repo started from .*pass --base REV/);
    expect((await update(dir, ['--base', 'nope'])).stderr.split('\n')[0]).toBe('error --base nope is not a commit of this repo.');
    const based = await update(dir, ['--base', first]);
    expect(based.exitCode, based.stderr).toBe(0);
    expect(readFileSync(join(dir, 'src/process_data.py'), 'utf8')).toMatch(/# ours\n$/);
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).not.toContain('(0.1.0)');
    // The next update starts from the render this one merged: up to date.
    expect((await update(dir, ['--check'])).exitCode).toBe(0);
  });

  it('--set registry=...: a repo made with the placeholder gets its real registry through the same merge', async () => {
    const made = await create(['placeholder', '--yes'], work);
    expect(made.exitCode).toBe(0);
    const dir = join(work, 'placeholder');
    const result = await update(dir, ['--set', 'registry=harbor.acme.io/ml/placeholder']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('update .gitlab-ci.yml');
    const pipeline = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(pipeline).toMatch(/^ {2}IMAGE_REGISTRY: harbor\.acme\.io\/ml\/placeholder/m);
    expect(pipeline).not.toContain('change-me');
    const record = JSON.parse(readFileSync(join(dir, '.mlops-project.json'), 'utf8')) as { answers: { registry: string } };
    expect(record.answers.registry).toBe('harbor.acme.io/ml/placeholder');
    // An invalid one is refused as --registry is.
    const bad = await update(dir, ['--set', 'registry=https://x']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/^error Invalid --set registry: registry must not have a scheme/);
  });
});
