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
import { create, errorLines, GIT_ENV, MLOPS_BIN, readTree, removeDir, run, tempDir } from '../support/cli.js';
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

/** What an update that cannot start must leave as it was: HEAD, its tree, the work tree, every ref. */
async function state(dir: string): Promise<{ head: string; tree: string; status: string; refs: string }> {
  return {
    head: await git(dir, 'rev-parse', 'HEAD'),
    tree: await git(dir, 'rev-parse', 'HEAD^{tree}'),
    status: await git(dir, 'status', '--porcelain'),
    refs: (await git(dir, 'for-each-ref', '--format=%(objectname) %(refname)')).split('\n').sort().join('\n'),
  };
}

/**
 * A repo whose update to 0.1.0 was squash-merged: made by "0.0.9" (the old
 * render with one more line, as its generator commit), the user's edits, then
 * the update as `update` makes one (a render commit "mlops-project render
 * 0.1.0" of the old render, its parent the first commit, merged on the branch
 * mlops-project/update-0.1.0), merged into main by a squash: main has its
 * files and record, not its history.
 */
async function squashedOlderUpdate(name: string): Promise<{ dir: string; initial: string; render: string }> {
  const made = await create([name, '--yes', '--no-git', ...ANSWERS], work);
  expect(made.exitCode, made.stderr).toBe(0);
  const dir = join(work, name);
  makeOld(dir);
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  const rendered = await git(dir, 'write-tree');
  edit(dir, '.mlops-project.json', (t) => t.replace('"version": "0.1.0"', '"version": "0.0.9"'));
  edit(dir, 'docs/index.md', (t) => `${t}\nA line of 0.0.9.\n`);
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-qm', 'Initial commit from create-mlops-project 0.0.9');
  const initial = await git(dir, 'rev-parse', 'HEAD');
  await userEdits(dir, { commit: true });
  const render = await git(dir, 'commit-tree', rendered, '-p', initial, '-m', 'mlops-project render 0.1.0');
  await git(dir, 'checkout', '-q', '-b', 'mlops-project/update-0.1.0');
  await git(dir, 'merge', '-q', '--no-ff', '-m', 'Update to create-mlops-project 0.1.0', render);
  await git(dir, 'checkout', '-q', 'main');
  await git(dir, 'merge', '-q', '--squash', 'mlops-project/update-0.1.0');
  await git(dir, 'commit', '-qm', 'Update to create-mlops-project 0.1.0 (squashed)');
  expect(readFileSync(join(dir, '.mlops-project.json'), 'utf8')).toContain('"version": "0.1.0"');
  return { dir, initial, render };
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
    expect(down.stderr.split('\n')[0]).toBe(
      `error This repo was made by create-mlops-project 9.0.0, newer than this one (${VERSION}): update with that version or a later one (npx -p create-mlops-project@9.0.0 mlops-project update).`,
    );

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

  it('an update merged by squash: the next update stops (exit 2, one line, nothing changed) naming its render commit, still in the repo; --base with it updates cleanly', async () => {
    const { dir, initial, render } = await squashedOlderUpdate('squashed');
    const before = await state(dir);
    const what =
      'error The update to 0.1.0 was merged without its history (squashed, for instance): no commit "mlops-project render 0.1.0" is in this ' +
      `branch's history, so this update would start again from the render of 0.0.9 (${initial.slice(0, 8)}) and conflict where the template changed since.`;
    for (const flags of [[], ['--check'], ['--dry-run']]) {
      const stopped = await update(dir, flags);
      expect(stopped.exitCode, stopped.stdout).toBe(2);
      expect(errorLines(stopped.stderr)).toEqual([`${what} That commit is still in this repo: run node ${MLOPS_BIN} update ${[...flags, '--base', render.slice(0, 12)].join(' ')}`]);
      expect(stopped.stdout).toBe('');
      expect(await state(dir)).toEqual(before);
    }
    // What it stops: from the older render, the template's changes of 0.1.0 come again and conflict.
    const stale = await update(dir, ['--dry-run', '--base', initial]);
    expect(stale.stdout).toMatch(/^ {2}conflict docs\/index\.md/m);

    const based = await update(dir, ['--base', render.slice(0, 12)]);
    expect(based.exitCode, based.stderr).toBe(0);
    expect(based.stdout).toContain(`✔ Updated to create-mlops-project ${VERSION} on branch ${BRANCH}`);
    // The same tree as this version's render of the same answers with the same edits and image.
    const fresh = join(work, 'fresh-squashed');
    expect((await create(['fresh-squashed', '--yes', '--no-git', ...ANSWERS], work)).exitCode).toBe(0);
    await userEdits(fresh, { commit: false });
    expect(withoutGit(readTree(dir))).toEqual(withoutGit(readTree(fresh)));
    // Merged with a merge commit, the history has the render again: the next update starts from it.
    await git(dir, 'checkout', '-q', 'main');
    await git(dir, 'merge', '-q', '--no-ff', '--no-edit', BRANCH);
    expect((await update(dir, ['--check'])).exitCode).toBe(0);
  });

  it("its render commit gone from the repo: the line says how to make it again, the hint how to fetch it from GitLab's merge request ref, and that fetch brings it back", async () => {
    const { dir, render } = await squashedOlderUpdate('squashed-gone');
    // The update branch as GitLab keeps it after the merge (refs/merge-requests/<iid>/head), then gone here, with its reflog.
    const origin = join(work, 'squashed-gone-origin.git');
    await execa('git', ['init', '-q', '--bare', origin]);
    await git(dir, 'remote', 'add', 'origin', origin);
    await git(dir, 'push', '-q', 'origin', 'main', 'mlops-project/update-0.1.0:refs/merge-requests/1/head');
    await git(dir, 'branch', '-q', '-D', 'mlops-project/update-0.1.0');
    await git(dir, 'reflog', 'expire', '--expire=now', '--all');
    const before = await state(dir);

    const stopped = await update(dir);
    expect(stopped.exitCode).toBe(2);
    const [line, hint] = errorLines(stopped.stderr);
    expect(line).toMatch(/^error The update to 0\.1\.0 was merged without its history \(squashed, for instance\): .* and conflict where the template changed since\. /);
    expect(line).toMatch(/ Make it again with 0\.1\.0: npx -p create-mlops-project@0\.1\.0 mlops-project update --render-base, then run this update with the --base it prints\.$/);
    expect(hint).toBe(
      "Or fetch it from GitLab, which keeps a merge request's commits (for some time after the merge): git fetch origin '+refs/merge-requests/*/head:refs/remotes/origin/merge-requests/*', then run update again.",
    );
    expect(await state(dir)).toEqual(before);
    // This version cannot make 0.1.0's render: it says which can.
    const other = await update(dir, ['--render-base']);
    expect(other.exitCode).toBe(2);
    expect(errorLines(other.stderr)).toEqual([
      `error --render-base makes the render of this version (${VERSION}), and this repo records 0.1.0: run it with that version: npx -p create-mlops-project@0.1.0 mlops-project update --render-base`,
    ]);
    const mixed = await update(dir, ['--render-base', '--check']);
    expect(mixed.exitCode).toBe(2);
    expect(errorLines(mixed.stderr)).toEqual(['error --render-base goes alone (with --dir at most): it makes one commit and changes nothing else.']);
    expect(await state(dir)).toEqual(before);

    const fetch = /: (git fetch .*), then run update again\.$/.exec(hint!)![1]!;
    const fetched = await execa('sh', ['-c', fetch], { cwd: dir, env: { ...process.env, ...GIT_ENV }, reject: false });
    expect(fetched.exitCode, String(fetched.stderr)).toBe(0);
    const found = await update(dir);
    expect(found.exitCode).toBe(2);
    expect(errorLines(found.stderr)[0]).toMatch(new RegExp(` That commit is still in this repo: run node \\S+ update --base ${render.slice(0, 12)}$`));
    const based = await update(dir, ['--base', render.slice(0, 12)]);
    expect(based.exitCode, based.stderr).toBe(0);
  });

  it("this version's update squashed and its render gone: --render-base makes the same render again (no file or branch changed), for --base, or for git merge -s ours", async () => {
    const dir = await oldRepo('squashed-own');
    expect((await update(dir)).exitCode).toBe(0);
    const renderTree = await git(dir, 'rev-parse', `${BRANCH}^2^{tree}`);
    await git(dir, 'checkout', '-q', 'main');
    await git(dir, 'merge', '-q', '--squash', BRANCH);
    await git(dir, 'commit', '-qm', `Update to create-mlops-project ${VERSION} (squashed)`);
    await git(dir, 'branch', '-q', '-D', BRANCH);
    await git(dir, 'reflog', 'expire', '--expire=now', '--all');
    const initial = await git(dir, 'rev-list', '--max-parents=0', 'HEAD');
    const before = await state(dir);

    const stopped = await update(dir, ['--set', 'runnerTag=big']);
    expect(stopped.exitCode).toBe(2);
    expect(errorLines(stopped.stderr)[0]).toBe(
      `error The update to ${VERSION} was merged without its history (squashed, for instance): no commit "mlops-project render ${VERSION}" is in this ` +
        `branch's history, so this update would start again from the render of 0.1.0 (${initial.slice(0, 8)}) and conflict where the template changed since. ` +
        `Make it again with ${VERSION}: node ${MLOPS_BIN} update --render-base, then run this update with the --base it prints.`,
    );
    expect(await state(dir)).toEqual(before);

    const made = await update(dir, ['--render-base']);
    expect(made.exitCode, made.stderr).toBe(0);
    const ref = `refs/mlops-project/render-${VERSION}`;
    const commit = await git(dir, 'rev-parse', ref);
    const short = commit.slice(0, 12);
    expect(made.stdout.trimEnd().split('\n')).toEqual([
      `✔ The render of create-mlops-project ${VERSION} for this repo's answers and images: commit ${short} (kept as ${ref}); no file or branch changed.`,
      `Update from it (with this version or a later one): node ${MLOPS_BIN} update --base ${short}`,
      `Or record it in this branch's history, so that every update starts from it (the update:template job too, once pushed): git merge -s ours -m 'Record the render of create-mlops-project ${VERSION}' ${short}`,
    ]);
    // The same bytes as the render the squashed update merged; only the new ref besides.
    expect(await git(dir, 'rev-parse', `${commit}^{tree}`)).toBe(renderTree);
    expect(await git(dir, 'log', '-1', '--format=%s %P', commit)).toBe(`mlops-project render ${VERSION} ${initial}`);
    expect(await state(dir)).toEqual({ ...before, refs: `${before.refs}\n${commit} ${ref}`.split('\n').sort().join('\n') });
    // Now the line names it; with --base, the --set goes through the same merge, the user's edits kept.
    const named = await update(dir, ['--set', 'runnerTag=big']);
    expect(errorLines(named.stderr)[0]).toMatch(new RegExp(`run node \\S+ update --set runnerTag=big --base ${short}$`));
    const based = await update(dir, ['--set', 'runnerTag=big', '--base', short]);
    expect(based.exitCode, based.stderr).toBe(0);
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toMatch(/^ {4}- big$/m);
    expect(readFileSync(join(dir, 'src/process_data.py'), 'utf8')).toMatch(/# A note of ours\.\n$/);

    // Or, on main, the printed git merge -s ours: the render in main's history, so every update starts from it.
    await git(dir, 'checkout', '-q', 'main');
    const merge = made.stdout.trimEnd().split('\n')[2]!.replace(/^.*: (git merge .*)$/, '$1');
    const merged = await execa('sh', ['-c', merge], { cwd: dir, env: { ...process.env, ...GIT_ENV }, reject: false });
    expect(merged.exitCode, String(merged.stderr)).toBe(0);
    expect(await git(dir, 'rev-parse', 'HEAD^{tree}')).toBe(before.tree);
    const check = await update(dir, ['--check']);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdout.trim()).toBe(`✔ Up to date with create-mlops-project ${VERSION}.`);
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
