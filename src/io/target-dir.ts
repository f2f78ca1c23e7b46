/**
 * The folder a repo is generated into, as it is before we write: the user's
 * entries, the files of the plan that already exist, and the leftovers of an
 * interrupted run of ours (staging folders, see apply-plan.ts), which are
 * not the user's and are cleaned up before writing.
 */
import { lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../../generators/shared/errors.js';
import type { Existing } from '../../generators/project/plan.js';

/** In every staging folder's name: `.<MARK>-<pid>-<random>` in the target, `.<name>.<MARK>-<pid>-<random>` beside it. */
export const STAGING_MARK = 'create-mlops-project-staging';
/** Inside a staging folder: the files to move into place (`tree/`), the user's files they replace (`old/`), and the list of moves. */
export const STAGED_TREE = 'tree';
export const STAGED_OLD = 'old';
/** Written (atomically) once the staged tree is complete, removed once every move is done: while it exists, moves may be half-done. */
export const JOURNAL = 'moves.json';

/** The journal: every move (paths relative to the target, in order), and those that replace an entry of the user's. */
export interface Journal {
  moves: string[];
  replaced: string[];
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const insideStagingName = (pid: number, id: string): string => `.${STAGING_MARK}-${pid}-${id}`;
export const siblingStagingName = (name: string, pid: number, id: string): string => `.${name}.${STAGING_MARK}-${pid}-${id}`;

export interface Leftover {
  /** Absolute path of the staging folder. */
  path: string;
  /** True when it is inside the target (in-place filling), false beside it (a new target). */
  inside: boolean;
  /** The journal of an interrupted in-place run, when it got that far. */
  journal: Journal | null;
}

export interface TargetState {
  /** Absolute path. */
  path: string;
  exists: boolean;
  /** The user's entries: every entry but our leftovers and what an interrupted run of ours moved in. */
  entries: string[];
  leftovers: Leftover[];
}

/** True when no other live process owns a staging folder named with `pid`. */
function ownerGone(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function readJournal(staging: string): Journal | null {
  let text: string;
  try {
    text = readFileSync(join(staging, JOURNAL), 'utf8');
  } catch {
    return null; // no journal: the run was killed while staging, nothing was moved
  }
  const { moves, replaced } = JSON.parse(text) as { moves: unknown; replaced: unknown };
  return { moves: Array.isArray(moves) ? moves.map(String) : [], replaced: Array.isArray(replaced) ? replaced.map(String) : [] };
}

/** Staging folders of dead runs of ours among the entries of `dir` whose names match `pattern` (group 1: the pid). */
function leftoversIn(dir: string, names: string[], pattern: RegExp, inside: boolean): Leftover[] {
  const found: Leftover[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match || !ownerGone(Number(match[1]))) continue;
    const path = join(dir, name);
    found.push({ path, inside, journal: inside ? readJournal(path) : null });
  }
  return found;
}

function isDirectory(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
  }
}

/** The topmost folder of `target` (itself included) that does not exist, or null when the target exists. */
export function firstMissing(target: string): string | null {
  let missing: string | null = null;
  for (let current = resolve(target); isDirectory(current) === undefined && dirname(current) !== current; current = dirname(current))
    missing = current;
  return missing;
}

export function inspectTarget(dir: string): TargetState {
  const path = resolve(dir);
  const kind = isDirectory(path);
  if (kind === false) throw new UserError(`Target ${dir} exists and is not a directory.`, { docs: 'target-not-empty' });
  // Beside the topmost new folder (or the target itself): what a killed run writing a new target leaves.
  const anchor = firstMissing(path) ?? path;
  const parent = dirname(anchor);
  let siblings: string[] = [];
  try {
    siblings = readdirSync(parent);
  } catch {
    // An unreadable parent: nothing of ours can be there to find.
  }
  const leftovers = leftoversIn(parent, siblings, new RegExp(`^\\.${escape(basename(anchor))}\\.${STAGING_MARK}-(\\d+)-[0-9a-z]+$`), false);
  if (kind === undefined) return { path, exists: false, entries: [], leftovers };

  const names = readdirSync(path).sort();
  const inside = leftoversIn(path, names, new RegExp(`^\\.${STAGING_MARK}-(\\d+)-[0-9a-z]+$`), true);
  const ours = new Set(inside.map((l) => basename(l.path)));
  // An interrupted move: a top-level entry already moved in (its staged copy gone) is ours, unless it replaced one of the user's.
  for (const { path: staging, journal } of inside)
    for (const move of journal?.moves ?? [])
      if (!move.includes('/') && !journal?.replaced.includes(move) && !exists(join(staging, STAGED_TREE, move))) ours.add(move);
  return { path, exists: true, entries: names.filter((n) => !ours.has(n)), leftovers: [...leftovers, ...inside] };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A non-empty target needs --force; say what is in the way. Returns what it found. */
export function checkTarget(dir: string, force: boolean): TargetState {
  const state = inspectTarget(dir);
  const { entries } = state;
  if (entries.length === 0 || force) return state;
  const shown = entries.slice(0, 8).join(', ') + (entries.length > 8 ? `, and ${entries.length - 8} more` : '');
  throw new UserError(`Target directory ${dir} is not empty: ${shown}.`, {
    docs: 'target-not-empty',
    hint: 'Pick an empty or new directory, or pass --force to write into it (a file of yours is kept unless you name it with --overwrite).',
  });
}

/**
 * What the target holds at the plan's paths: a regular file's content, or
 * 'other' (a symbolic link, a device...). A folder where a file goes, or a
 * file where a folder goes, cannot be written without deleting: refused.
 */
export function readExisting(dir: string, paths: readonly string[]): Existing {
  const root = resolve(dir);
  const found = new Map<string, Buffer | 'other'>();
  if (isDirectory(root) !== true) return found;
  for (const path of paths) {
    const full = join(root, path);
    let stats;
    try {
      stats = lstatSync(full);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      if (code === 'ENOTDIR') {
        const parts = path.split('/');
        const file = parts.findIndex((_, i) => isDirectory(join(root, ...parts.slice(0, i + 1))) === false);
        throw inTheWay(dir, path, `${parts.slice(0, file + 1).join('/')} is a file, and the plan needs a folder there`);
      }
      throw error;
    }
    if (stats.isDirectory()) throw inTheWay(dir, path, `${path} is a folder, and the plan writes a file there`);
    found.set(path, stats.isFile() ? readFileSync(full) : 'other');
  }
  return found;
}

const inTheWay = (dir: string, path: string, why: string): UserError =>
  new UserError(`Cannot write ${path} into ${dir}: ${why}.`, {
    docs: 'existing-files',
    hint: 'Move it away (nothing is ever deleted), or pick another directory.',
  });
