/**
 * The one place that writes a plan to disk, so that nothing is ever lost or
 * half-written: the files (and the git repo with its first commit) are
 * staged first, then put into place.
 *
 * - A new target: staged in a sibling of its topmost new folder, then that
 *   one folder is renamed into place (atomic: a kill leaves nothing but the
 *   hidden sibling).
 * - An existing target (empty, `.`, a mount point, a folder in a read-only
 *   parent; or not empty, with --force): the folder itself is kept. The
 *   staging folder is inside it; once the staged tree is complete, a journal
 *   lists the moves, then each entry is renamed into place (a file of the
 *   user's that is overwritten is first moved into the staging folder).
 *   Ctrl-C or a failure during the moves undoes them.
 *
 * A staging folder is named with our mark and pid (target-dir.ts). One left
 * by a killed run is found by the next run, which undoes what its journal
 * says was moved and removes it, before writing anything.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { CancelledError, UserError } from '../../generators/shared/errors.js';
import { committedFiles, type Plan, type PlannedFile } from '../../generators/project/plan.js';
import { shellQuote } from '../../generators/shared/shell-quote.js';
import {
  checkTarget,
  firstMissing,
  insideStagingName,
  inspectTarget,
  JOURNAL,
  type Journal,
  type Leftover,
  siblingStagingName,
  STAGED_OLD,
  STAGED_TREE,
} from './target-dir.js';

export interface WriteOptions {
  force: boolean;
  signal?: AbortSignal;
  /** Called after each file is staged and after each move into place (tests use it to cancel mid-way). */
  onFile?: (path: string) => void;
}

export interface WriteResult {
  /** Set when the first commit was made: whether it is by the generator (git knows no identity here). */
  git: { generatorIdentity: boolean } | null;
}

const exists = async (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

const removeAll = (path: string): Promise<void> => rm(path, { recursive: true, force: true, maxRetries: 3 });

/**
 * Undo the moves of an in-place run, newest first: remove what it moved in,
 * put back what it moved aside; then drop the journal. Safe to run again
 * after being killed half-way: an entry of the user's is touched only while
 * its copy is aside, and an entry that was new only while ours is there.
 */
async function undoMoves(target: string, staging: string, journal: Journal): Promise<void> {
  for (const move of [...journal.moves].reverse()) {
    const staged = await exists(join(staging, STAGED_TREE, move));
    const aside = join(staging, STAGED_OLD, move);
    if (journal.replaced.includes(move)) {
      if (!(await exists(aside))) continue; // not moved aside yet, or already put back
      if (!staged) await removeAll(join(target, move));
      await rename(aside, join(target, move));
    } else if (!staged) await removeAll(join(target, move));
  }
  // Before the staging folder goes: a journal left over the remains of the tree would undo moves that are not there.
  await rm(join(staging, JOURNAL), { force: true });
}

/** Clean up after runs of ours that were killed: nothing of theirs stays, whatever they got to. */
export async function removeLeftovers(dir: string): Promise<void> {
  const state = inspectTarget(dir);
  for (const leftover of state.leftovers) await removeLeftover(state.path, leftover);
}

async function removeLeftover(target: string, leftover: Leftover): Promise<void> {
  if (leftover.inside && leftover.journal) await undoMoves(target, leftover.path, leftover.journal);
  await removeAll(leftover.path);
}

function writeError(error: unknown, what: string, dir: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'EDQUOT')
    return new UserError(`${what}: ${code}.`, {
      docs: 'cannot-create-parent',
      hint:
        code === 'ENOSPC' || code === 'EDQUOT'
          ? 'Nothing was written; free some space, or pick a folder on another disk.'
          : `Nothing was written; pick a folder you can write to, or fix ${dir}'s permissions.`,
    });
  return error;
}

/** Writes the files into `root` (a new, empty folder), checking for a cancel before each. */
async function stageFiles(root: string, files: readonly PlannedFile[], options: WriteOptions): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const file of files) {
    if (options.signal?.aborted) throw new CancelledError();
    const full = join(root, file.path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, file.content);
    options.onFile?.(file.path);
  }
  if (options.signal?.aborted) throw new CancelledError();
}

interface Staged {
  git: WriteResult['git'];
  /** The git step that failed (the files are still put into place), and why. */
  gitFailure: { step: number; reason: string; started: boolean } | undefined;
}

/** Files, then git, in `root`. A git failure is returned, not thrown: the files still go into place. */
async function stage(root: string, plan: Plan, options: WriteOptions): Promise<Staged> {
  const files = committedFiles(plan);
  await stageFiles(root, files, options);
  if (!plan.git) return { git: null, gitFailure: undefined };
  const { GitFailure, initRepo } = await import('./git.js');
  try {
    const git = await initRepo(root, files.map((f) => f.path), plan.git.commitMessage);
    if (options.signal?.aborted) throw new CancelledError();
    return { git, gitFailure: undefined };
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    if (!(error instanceof GitFailure)) throw error;
    await removeAll(join(root, '.git'));
    return { git: null, gitFailure: { step: error.step, reason: error.reason, started: error.started } };
  }
}

/** The git failure, as the user sees it: the files are there, and how to finish by hand. */
async function gitError(dir: string, plan: Plan, failure: NonNullable<Staged['gitFailure']>, othersThere: boolean): Promise<UserError> {
  const { manualSteps } = await import('./git.js');
  const recovery = `The files are written; to finish by hand: cd ${shellQuote(resolve(dir))} && ${manualSteps(failure.step, plan.git?.commitMessage ?? '', othersThere)}`;
  if (!failure.started) return new UserError(`git could not run (${failure.reason}); is git installed?`, { docs: 'git-failed', hint: recovery });
  const step = ['init', 'add', 'commit'][failure.step] ?? 'init';
  return new UserError(`git ${step} failed: ${failure.reason}`, { docs: 'git-failed', hint: recovery });
}

/** A new target: staged beside its topmost new folder, which is renamed into place. */
async function writeNew(target: string, plan: Plan, options: WriteOptions): Promise<Staged> {
  const top = firstMissing(target) ?? target;
  const parent = dirname(top);
  const staging = join(parent, siblingStagingName(basename(top), process.pid, randomBytes(4).toString('hex')));
  try {
    await mkdir(staging);
  } catch (error) {
    throw writeError(error, `Cannot create ${basename(top)} in ${parent}`, parent);
  }
  try {
    const root = join(staging, relative(top, target));
    const staged = await stage(root, plan, options);
    await rename(staging, top);
    // A Ctrl-C during the rename: put it back, so a cancel always leaves nothing.
    if (options.signal?.aborted) await rename(top, staging);
    if (options.signal?.aborted) throw new CancelledError();
    return staged;
  } catch (error) {
    await removeAll(staging);
    throw writeError(error, `Cannot create ${basename(top)} in ${parent}`, parent);
  }
}

/**
 * The moves that put `tree` into `target`: an entry the target lacks moves
 * whole; a folder both have is entered; a file both have is an overwrite.
 */
async function movesOf(tree: string, target: string, prefix = ''): Promise<string[]> {
  const moves: string[] = [];
  for (const name of (await readdir(tree)).sort()) {
    const path = prefix ? `${prefix}/${name}` : name;
    const there = await stat(join(target, path)).catch(() => undefined);
    const staged = await lstat(join(tree, name));
    if (there?.isDirectory() && staged.isDirectory()) moves.push(...(await movesOf(join(tree, name), target, path)));
    else moves.push(path);
  }
  return moves;
}

/** An existing target, filled in place; the folder itself is kept. */
async function writeInPlace(target: string, plan: Plan, options: WriteOptions): Promise<Staged> {
  const staging = join(target, insideStagingName(process.pid, randomBytes(4).toString('hex')));
  try {
    await mkdir(staging);
  } catch (error) {
    throw writeError(error, `Cannot write into ${plan.dir}`, plan.dir);
  }
  const tree = join(staging, STAGED_TREE);
  let journal: Journal | undefined;
  let done = 0;
  try {
    const staged = await stage(tree, plan, options);
    // The unchanged files are staged for the commit only: the user's copies stay as they are.
    for (const file of plan.files) if (file.mark === 'unchanged') await unlink(join(tree, file.path));
    const moves = await movesOf(tree, target);
    const replaced: string[] = [];
    for (const move of moves) if (await exists(join(target, move))) replaced.push(move);
    const journalFile = join(staging, JOURNAL);
    await writeFile(`${journalFile}.tmp`, `${JSON.stringify({ moves, replaced })}\n`);
    await rename(`${journalFile}.tmp`, journalFile);
    journal = { moves, replaced };
    for (const move of moves) {
      if (options.signal?.aborted) throw new CancelledError();
      const final = join(target, move);
      if (await exists(final)) {
        await mkdir(dirname(join(staging, STAGED_OLD, move)), { recursive: true });
        await rename(final, join(staging, STAGED_OLD, move));
      }
      await rename(join(tree, move), final);
      done += 1;
      options.onFile?.(move);
    }
    if (options.signal?.aborted) throw new CancelledError();
    // Every move is done: without its journal, the staging folder is only a folder to remove.
    await unlink(journalFile);
    journal = undefined;
    await removeAll(staging);
    return staged;
  } catch (error) {
    if (journal) await undoMoves(target, staging, { moves: journal.moves.slice(0, done + 1), replaced: journal.replaced });
    await removeAll(staging);
    throw writeError(error, `Cannot write into ${plan.dir}`, plan.dir);
  }
}

export async function writePlan(plan: Plan, options: WriteOptions): Promise<WriteResult> {
  const target = resolve(plan.dir);
  await removeLeftovers(plan.dir);
  const state = checkTarget(plan.dir, options.force);
  const staged = state.exists ? await writeInPlace(target, plan, options) : await writeNew(target, plan, options);
  if (staged.gitFailure) throw await gitError(plan.dir, plan, staged.gitFailure, state.entries.length > 0);
  return { git: staged.git };
}
