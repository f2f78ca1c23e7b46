/** Checks on the directory a repo is generated into. */
import { readdirSync, statSync } from 'node:fs';
import { UserError } from '../core/errors.js';

/** Entries of `dir`, or [] when it does not exist; a file in its place is an error. */
export function entriesOf(dir: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return [];
  }
  if (!isDir) throw new UserError(`Target ${dir} exists and is not a directory.`, { docs: 'target-not-empty' });
  return readdirSync(dir).sort();
}

/** A non-empty target needs --force; say what is in the way. */
export function checkTarget(dir: string, force: boolean): void {
  const entries = entriesOf(dir);
  if (entries.length === 0 || force) return;
  const shown = entries.slice(0, 8).join(', ') + (entries.length > 8 ? `, and ${entries.length - 8} more` : '');
  throw new UserError(`Target directory ${dir} is not empty: ${shown}.`, {
    docs: 'target-not-empty',
    hint: 'Pick an empty or new directory, or pass --force to write into it (no file outside the plan is removed).',
  });
}
