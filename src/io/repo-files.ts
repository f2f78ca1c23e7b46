/** Reading a generated repo's files, and writing a set of changes to it. */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FileChange, ReadRepoFile } from '../../generators/image/add-image.js';

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
 * place and renamed over it, so no file is ever half-written.
 */
export function writeChanges(dir: string, changes: FileChange[]): void {
  const staged = changes.map((change) => {
    const full = join(dir, change.path);
    mkdirSync(dirname(full), { recursive: true });
    const temp = `${full}.${process.pid}.tmp`;
    writeFileSync(temp, change.content);
    return { temp, full };
  });
  for (const { temp, full } of staged) renameSync(temp, full);
}
