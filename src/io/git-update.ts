/**
 * The git side of `mlops-project update`: read trees of commits, write the
 * renders as commits, merge a file's contents with `git merge-file`, and
 * leave the result as `git merge` leaves one: the files in the work tree, the
 * index with stages 1/2/3 where it conflicts, MERGE_HEAD pointing at the new
 * render, so `git commit`, `git mergetool` and `git merge --abort` work.
 * execa is loaded only here.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RepoChange } from '../../generators/shared/repo-change.js';
import { writeChanges } from './repo-files.js';
import { GENERATOR_IDENTITY } from '../../generators/project/plan.js';
import type { Tree } from '../../generators/update/render.js';
import { UserError } from '../../generators/shared/errors.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function git(cwd: string, args: string[], options: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const { execa } = await import('execa');
  const result = await execa('git', args, {
    cwd,
    reject: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    env: { GIT_TERMINAL_PROMPT: '0', ...options.env },
    stripFinalNewline: false,
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** git that must succeed: its output, or an Error with git's reason (a bug or a broken repo, not the user's mistake). */
async function must(cwd: string, args: string[], options: Parameters<typeof git>[2] = {}): Promise<string> {
  const result = await git(cwd, args, options);
  if (result.code !== 0) throw new Error(`git ${args[0]} failed: ${result.stderr.trim().split('\n')[0] ?? `exit ${result.code}`}`);
  return result.stdout;
}

/** The root of the work tree `dir` is in, or undefined outside one. */
export async function workTreeRoot(dir: string): Promise<string | undefined> {
  const result = await git(dir, ['rev-parse', '--show-toplevel']);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** `git status --porcelain` lines (untracked files included): empty when the work tree is clean. */
export async function statusLines(dir: string): Promise<string[]> {
  return (await must(dir, ['status', '--porcelain', '--untracked-files=normal'])).split('\n').filter((l) => l !== '');
}

export async function currentBranch(dir: string): Promise<string | undefined> {
  const result = await git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

export async function revParse(dir: string, rev: string): Promise<string | undefined> {
  const result = await git(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

export async function branchExists(dir: string, branch: string): Promise<boolean> {
  return (await git(dir, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`])).code === 0;
}

/** Whether `branch` has an upstream (it was pushed, or tracks a remote branch). */
export async function hasUpstream(dir: string, branch: string): Promise<boolean> {
  return (await git(dir, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', `${branch}@{upstream}`])).code === 0;
}

export const RENDER_SUBJECT = 'mlops-project render';

/**
 * The commit whose tree is the render this repo's files last came from: the
 * newest render commit an update merged in, else the root commit made by the
 * generator (`Initial commit from create-mlops-project ...`). undefined: none.
 */
export async function findBase(dir: string, generatorName: string): Promise<string | undefined> {
  const render = (await git(dir, ['log', '--format=%H', '-n', '1', '--fixed-strings', `--grep=${RENDER_SUBJECT} `, 'HEAD'])).stdout.trim();
  if (render !== '') return render;
  const roots = (await must(dir, ['rev-list', '--max-parents=0', 'HEAD'])).trim().split('\n').filter(Boolean);
  for (const root of roots) {
    const subject = (await must(dir, ['log', '-1', '--format=%s', root])).trim();
    if (subject.startsWith(`Initial commit from ${generatorName} `)) return root;
  }
  return undefined;
}

/**
 * Every commit `mlops-project render <version>` the repo holds, newest
 * first: in any branch, tag, remote-tracking or other ref, or reflog, not
 * only in HEAD's history (where an update merged without its history, e.g.
 * squashed, left none).
 */
export async function renderCommits(dir: string, version: string): Promise<string[]> {
  const subject = `${RENDER_SUBJECT} ${version}`;
  const listing = await must(dir, ['log', '--all', '--reflog', '--format=%H %s', '--fixed-strings', `--grep=${subject}`]);
  return listing.split('\n').flatMap((line) => {
    const at = line.indexOf(' ');
    return at > 0 && line.slice(at + 1) === subject ? [line.slice(0, at)] : [];
  });
}

/** Point `ref` (a full name, refs/...) at `commit`: it keeps the commit (git gc would drop it) and names it. */
export async function setRef(dir: string, ref: string, commit: string): Promise<void> {
  await must(dir, ['update-ref', ref, commit]);
}

/** The text files of a commit's tree (symbolic links and submodules left out), by path; only `only`'s paths when given. */
export async function readTree(dir: string, rev: string, only?: ReadonlySet<string>): Promise<Map<string, string>> {
  const listing = await must(dir, ['ls-tree', '-r', '-z', '--full-tree', rev]);
  const entries = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta = '', path = ''] = line.split('\t');
      const [mode = '', type = '', sha = ''] = meta.split(' ');
      return { mode, type, sha, path };
    })
    .filter((e) => e.type === 'blob' && (e.mode === '100644' || e.mode === '100755') && (only === undefined || only.has(e.path)));
  const files = new Map<string, string>();
  if (entries.length === 0) return files;
  const { execa } = await import('execa');
  const batch = await execa('git', ['cat-file', '--batch'], { cwd: dir, input: entries.map((e) => e.sha).join('\n') + '\n', encoding: 'buffer' });
  const out = Buffer.from(batch.stdout as Uint8Array);
  let at = 0;
  for (const entry of entries) {
    const header = out.subarray(at, out.indexOf(0x0a, at)).toString();
    const size = Number.parseInt(header.split(' ')[2] ?? '0', 10);
    const start = at + header.length + 1;
    files.set(entry.path, out.subarray(start, start + size).toString('utf8'));
    at = start + size + 1;
  }
  return files;
}

/** A commit of `files` (every file 100644) with `parents`, made with a throwaway index: no work tree or ref is touched. */
export async function commitTree(dir: string, files: Tree, parents: string[], message: string, ident: Record<string, string>): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'mlops-update-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    const lines: string[] = [];
    for (const [path, content] of files) {
      const sha = (await must(dir, ['hash-object', '-w', '--stdin'], { input: content })).trim();
      lines.push(`100644 ${sha}\t${path}`);
    }
    await must(dir, ['update-index', '--add', '--index-info'], { input: lines.join('\n') + '\n', env });
    const tree = (await must(dir, ['write-tree'], { env })).trim();
    return (await must(dir, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-m', message], { env: { ...env, ...ident } })).trim();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The author and committer for the commits update makes: git's own, or the generator's when git has none (never written to config). */
export async function identity(dir: string): Promise<Record<string, string>> {
  const [author, committer] = await Promise.all([git(dir, ['var', 'GIT_AUTHOR_IDENT']), git(dir, ['var', 'GIT_COMMITTER_IDENT'])]);
  if (author.code === 0 && committer.code === 0) return {};
  const { name, email } = GENERATOR_IDENTITY;
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}

/** `git merge-file` of three texts: the merged text (with conflict markers) and how many conflicts it has. */
export async function mergeFile(
  dir: string,
  texts: { base: string | undefined; ours: string; theirs: string },
  labels: { ours: string; base: string; theirs: string },
): Promise<{ text: string; conflicts: number }> {
  const scratch = mkdtempSync(join(tmpdir(), 'mlops-merge-'));
  try {
    const [o, b, t] = ['ours', 'base', 'theirs'].map((n) => join(scratch, n)) as [string, string, string];
    writeFileSync(o, texts.ours);
    writeFileSync(b, texts.base ?? '');
    writeFileSync(t, texts.theirs);
    const result = await git(dir, ['merge-file', '-p', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, o, b, t]);
    if (result.code < 0 || result.code > 127) throw new Error(`git merge-file failed: ${result.stderr.trim()}`);
    return { text: result.stdout, conflicts: result.code };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** What the work tree and index get for one file: a change (staged as it is), or a conflict (its text with markers, and its three stages). */
export type Resolution = RepoChange | { path: string; conflict: { text: string; base: string | undefined; ours: string; theirs: string } };

export const UPDATE_STATE = 'mlops-project-update.json';

/**
 * On a new branch from HEAD: write each resolution, stage the clean ones,
 * give each conflict its stages 1/2/3 and its text with markers, and set
 * MERGE_HEAD to `theirs`, as `git merge` leaves a merge in progress. Then,
 * without conflicts, `git commit` makes the merge commit.
 */
export async function applyMerge(
  dir: string,
  options: { branch: string; from: string | undefined; theirs: string; message: string; resolutions: Resolution[]; ident: Record<string, string> },
): Promise<{ commit: string | undefined }> {
  const gitDir = (await must(dir, ['rev-parse', '--absolute-git-dir'])).trim();
  await must(dir, ['checkout', '--quiet', '-b', options.branch]);
  writeFileSync(join(gitDir, UPDATE_STATE), `${JSON.stringify({ branch: options.branch, from: options.from ?? null })}\n`);
  // The one writer of changes: every file (a conflict's with its markers), then the index.
  writeChanges(
    dir,
    options.resolutions.map((r): RepoChange => ('conflict' in r ? { path: r.path, content: r.conflict.text, created: false } : r)),
  );
  const stages: string[] = [];
  const clean = options.resolutions.flatMap((r) => ('content' in r ? [r.path] : []));
  const removed = options.resolutions.flatMap((r) => ('deleted' in r ? [r.path] : []));
  for (const r of options.resolutions) {
    if (!('conflict' in r)) continue;
    const blob = async (text: string): Promise<string> => (await must(dir, ['hash-object', '-w', '--stdin'], { input: text })).trim();
    stages.push(`0 ${'0'.repeat(40)}\t${r.path}`);
    if (r.conflict.base !== undefined) stages.push(`100644 ${await blob(r.conflict.base)} 1\t${r.path}`);
    stages.push(`100644 ${await blob(r.conflict.ours)} 2\t${r.path}`);
    stages.push(`100644 ${await blob(r.conflict.theirs)} 3\t${r.path}`);
  }
  if (clean.length > 0) await must(dir, ['--literal-pathspecs', 'add', '--force', '--', ...clean]);
  if (removed.length > 0) await must(dir, ['--literal-pathspecs', 'rm', '--quiet', '--cached', '--ignore-unmatch', '--', ...removed]);
  if (stages.length > 0) await must(dir, ['update-index', '--index-info'], { input: stages.join('\n') + '\n' });
  writeFileSync(join(gitDir, 'MERGE_HEAD'), `${options.theirs}\n`);
  writeFileSync(join(gitDir, 'MERGE_MODE'), 'no-ff');
  writeFileSync(join(gitDir, 'MERGE_MSG'), `${options.message}\n`);
  if (options.resolutions.some((r) => 'conflict' in r)) return { commit: undefined };
  await must(dir, ['commit', '--quiet', '--no-verify', '--no-edit'], { env: options.ident });
  rmSync(join(gitDir, UPDATE_STATE), { force: true });
  return { commit: (await must(dir, ['rev-parse', 'HEAD'])).trim() };
}

/** `update --abort`: the merge undone (git merge --abort), back on the branch it started from, the update branch deleted. */
export async function abortUpdate(dir: string): Promise<{ branch: string; back: string | undefined }> {
  const gitDir = (await must(dir, ['rev-parse', '--absolute-git-dir'])).trim();
  const stateFile = join(gitDir, UPDATE_STATE);
  if (!existsSync(stateFile)) throw new UserError('No update is in progress here (nothing to abort).', { docs: 'update', exitCode: 2 });
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { branch: string; from: string | null };
  if (existsSync(join(gitDir, 'MERGE_HEAD'))) await must(dir, ['merge', '--abort']);
  const back = state.from ?? undefined;
  if (back !== undefined) await must(dir, ['checkout', '--quiet', back]);
  if (back !== undefined && (await currentBranch(dir)) !== state.branch) await git(dir, ['branch', '--quiet', '-D', state.branch]);
  rmSync(stateFile, { force: true });
  return { branch: state.branch, back };
}
