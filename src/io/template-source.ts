/** Read the template folder shipped in the package into memory. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, sep } from 'node:path';
import { type SourceFile } from '../core/template.js';

/** `template/` next to `dist/` (built) or `src/` (tests), one level up from this module's folder. */
export function templateRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const up = here.endsWith(`${sep}io${sep}`) ? '../../template' : '../template';
  return join(here, up);
}

/** Build outputs that may sit in a developer's template/ working copy; never shipped. */
const IGNORED = /(^|\/)(__pycache__|\.pytest_cache|site|\.coverage|data|models|outputs|node_modules)(\/|$)|\.pyc$/;

/** Files the build makes that every generated repo carries: the plop `image` generator. */
export function readBuiltFiles(): SourceFile[] {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const dist = here.endsWith(`${sep}io${sep}`) ? join(here, '../../dist') : here;
  return [{ path: 'tools/plop/add-image.mjs', content: readFileSync(join(dist, 'plop/add-image.mjs'), 'utf8') }];
}

export function readTemplate(root = templateRoot()): SourceFile[] {
  const entries = readdirSync(root, { recursive: true, withFileTypes: true });
  const files: SourceFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    // Node 20 names the folder `parentPath` (20.12+) or `path`.
    const folder = (entry as { parentPath?: string; path?: string }).parentPath ?? (entry as { path: string }).path;
    const full = join(folder, entry.name);
    const path = full.slice(root.length + 1).split(sep).join('/');
    if (IGNORED.test(path)) continue;
    files.push({ path, content: readFileSync(full, 'utf8') });
  }
  return files;
}
