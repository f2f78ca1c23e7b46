/** Run the built bins as a user would, in temp directories. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const CREATE_BIN = join(ROOT, 'bin/create-mlops-project.js');
export const MLOPS_BIN = join(ROOT, 'bin/mlops-project.js');

/** A git identity for the tests' commits, given through the environment only. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  NO_COLOR: '1',
};

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function run(bin: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  const result = await execa(process.execPath, [bin, ...args], { cwd, reject: false, stdin: 'ignore', env: { ...GIT_ENV, ...env } });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** The line a user error ends with: the address of the troubleshooting section that explains it. */
export const DOCS_LINE = /^docs: https:\/\/\S+\/troubleshooting\/#[a-z0-9-]+$/;

/** The lines of a user error on stderr, without the docs line it must end with. */
export function errorLines(stderr: string): string[] {
  const lines = stderr.trimEnd().split('\n');
  const last = lines.pop() ?? '';
  if (!DOCS_LINE.test(last)) throw new Error(`expected the error to end with its docs line, got ${JSON.stringify(last)}`);
  return lines;
}

export function create(args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  return run(CREATE_BIN, args, cwd, env);
}

export function tempDir(prefix = 'cmp-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Every file under `dir` (POSIX paths, sorted), `.git` left out. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      if (name === '.git') continue;
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out.sort();
}

/** path -> content of every file under `dir`. */
export function readTree(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}
