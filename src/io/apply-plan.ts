/**
 * The one place that writes a plan to disk. A new or empty target is
 * rendered into a temporary sibling directory and renamed into place, so a
 * failure or a cancel (the AbortSignal, wired to Ctrl-C by the CLI) leaves
 * nothing half-written.
 */
import { mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CancelledError, UserError } from '../core/errors.js';
import type { Plan, PlannedFile } from '../core/plan.js';
import { checkTarget, entriesOf } from './target-dir.js';

export interface WriteOptions {
  force: boolean;
  signal?: AbortSignal;
  /** Called after each file is written (tests use it to cancel mid-way). */
  onFile?: (path: string) => void;
}

async function writeFiles(root: string, files: PlannedFile[], options: WriteOptions, inPlace: boolean): Promise<void> {
  for (const file of files) {
    if (options.signal?.aborted) throw new CancelledError();
    const full = join(root, file.path);
    await mkdir(dirname(full), { recursive: true });
    if (inPlace) {
      // Write beside the final file, then rename over it: no file is ever half-written.
      const temp = `${full}.${process.pid}.tmp`;
      await writeFile(temp, file.content);
      await rename(temp, full);
    } else {
      await writeFile(full, file.content);
    }
    options.onFile?.(file.path);
  }
  if (options.signal?.aborted) throw new CancelledError();
}

export async function writePlan(plan: Plan, options: WriteOptions): Promise<void> {
  const target = resolve(plan.dir);
  checkTarget(plan.dir, options.force);
  if (entriesOf(target).length > 0) {
    // --force into a non-empty directory: files of the plan are replaced, nothing else is touched.
    await writeFiles(target, plan.files, options, true);
    return;
  }
  const parent = dirname(target);
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    throw new UserError(`Cannot create ${parent}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { docs: 'cannot-create-parent' });
  }
  const staging = await mkdtemp(join(parent, `.${basename(target)}-`));
  try {
    await writeFiles(staging, plan.files, options, false);
    try {
      await rmdir(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
