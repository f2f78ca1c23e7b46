/** Reading a generated repo's files, and the one writer of changes to it (image, set-registry, update). */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ReadRepoFile, RepoChange } from '../../generators/shared/repo-change.js';

export function repoReader(dir: string): ReadRepoFile {
  return (path) => {
    try {
      return readFileSync(join(dir, path), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  };
}

/**
 * Write changes computed in full beforehand. Each file is written beside its
 * place first, then all are renamed over theirs, then deletions: no file is
 * ever half-written.
 */
export function writeChanges(dir: string, changes: readonly RepoChange[]): void {
  const staged = changes.flatMap((change) => {
    if ('deleted' in change) return [];
    const full = join(dir, change.path);
    mkdirSync(dirname(full), { recursive: true });
    const temp = `${full}.${process.pid}.tmp`;
    writeFileSync(temp, change.content);
    return [{ temp, full }];
  });
  for (const { temp, full } of staged) renameSync(temp, full);
  for (const change of changes) if ('deleted' in change) rmSync(join(dir, change.path), { force: true });
}
