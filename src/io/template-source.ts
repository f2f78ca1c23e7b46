/** Read the template folder shipped in the package into memory. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, sep } from 'node:path';
import { shellQuote } from '../../generators/shared/shell-quote.js';
import type { SourceFile } from '../../generators/project/template.js';
import { VERSION } from '../../generators/shared/version.js';

/** The package root: this module is in dist/ (the bundle) or in src/io/ (tests, which build first). */
function packageRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return join(here, here.endsWith(`${sep}io${sep}`) ? '../..' : '..');
}

/**
 * How a user runs `mlops-project` from where this package is: through npx,
 * at this very version (a recovery line must mean what it meant here), when
 * it came from npm (it sits under node_modules, npx's cache included), else
 * this checkout's own bin, by its absolute path.
 */
export function mlopsProjectCommand(root = packageRoot(), version = VERSION): string {
  if (root.split(sep).includes('node_modules')) return `npx -p create-mlops-project@${version} mlops-project`;
  return `node ${shellQuote(join(root, 'bin', 'mlops-project.js'))}`;
}

export function templateRoot(): string {
  return join(packageRoot(), 'template');
}

/** Build outputs that may sit in a developer's template/ working copy; never shipped. */
const IGNORED = /(^|\/)(__pycache__|\.pytest_cache|site|\.coverage|data|models|outputs|node_modules)(\/|$)|\.pyc$/;

function distDir(): string {
  return join(packageRoot(), 'dist');
}

/** Files the build makes that every generated repo carries: the plop `image` generator. */
export function readBuiltFiles(): SourceFile[] {
  return [{ path: 'tools/plop/add-image.mjs', content: readFileSync(join(distDir(), 'plop/add-image.mjs'), 'utf8') }];
}

/** The pipeline of one variant (platform, auth, builder: its id), composed at build time (scripts/compose-pipelines.ts). */
export function readPipeline(variantId: string): string {
  return readFileSync(join(distDir(), 'pipelines', `${variantId}.yml`), 'utf8');
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
