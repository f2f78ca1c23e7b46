/**
 * Git steps of a plan: init on `main`, add the plan's files, first commit.
 * execa is loaded only here. Git runs detached from the terminal's process
 * group, so a Ctrl-C reaches only the generator, which decides what to undo.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GENERATOR_IDENTITY } from '../../generators/project/plan.js';

interface GitResult {
  ok: boolean;
  stdout: string;
  /** Why it failed: git's first stderr line, or why git could not start. */
  reason: string;
  started: boolean;
}

async function git(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<GitResult> {
  const { execa } = await import('execa');
  const result = await execa('git', args, { cwd, reject: false, stdin: 'ignore', detached: true, env });
  const started = result.exitCode !== undefined || result.signal !== undefined;
  const stderrLine = String(result.stderr).trim().split('\n').find((l) => l.trim() !== '');
  const reason = !started
    ? (result.originalMessage ?? result.shortMessage ?? 'git did not start')
    : (stderrLine ?? (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`));
  return { ok: result.exitCode === 0, stdout: String(result.stdout), reason, started };
}

/** True when no folder at or above `dir` has a `.git` and no GIT_DIR is set: then git need not be asked (no process started). */
function surelyOutside(dir: string): boolean {
  if (process.env.GIT_DIR !== undefined || process.env.GIT_WORK_TREE !== undefined) return false;
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, '.git'))) return false;
    if (dirname(current) === current) return true;
  }
}

/** The enclosing work tree of `dir` (an existing directory) and whether `target` is its root; null outside one. */
export async function enclosingWorkTree(dir: string, target: string): Promise<{ root: string; atRoot: boolean } | null> {
  if (surelyOutside(dir)) return null;
  const result = await git(dir, ['rev-parse', '--show-toplevel']);
  if (!result.ok) return null;
  const root = result.stdout.trim();
  let atRoot = false;
  try {
    atRoot = realpathSync(target) === realpathSync(root);
  } catch {
    // The target does not exist yet: a new folder inside the work tree, not its root.
  }
  return { root, atRoot };
}

/** A git step that failed: which, why, and whether git ran at all. */
export class GitFailure extends Error {
  constructor(
    readonly step: number,
    readonly reason: string,
    readonly started: boolean,
  ) {
    super(reason);
    this.name = 'GitFailure';
  }
}

/** The steps, as a user would type them to finish by hand from `from` on. */
export function manualSteps(from: number, commitMessage: string, othersThere: boolean): string {
  const add = othersThere ? 'git add <the generated files>' : 'git add -A';
  return ['git init -b main', add, `git commit -m '${commitMessage.replace(/'/g, `'\\''`)}'`].slice(from).join(' && ');
}

const IDENT_ENV = ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL', 'EMAIL'];

/** True when git can name an author and a committer here (config, environment or EMAIL, as git itself decides). */
async function hasIdentity(dir: string): Promise<boolean> {
  const [author, committer] = await Promise.all([git(dir, ['var', 'GIT_AUTHOR_IDENT']), git(dir, ['var', 'GIT_COMMITTER_IDENT'])]);
  return author.ok && committer.ok;
}

/**
 * `git init -b main`, add exactly `paths`, and commit. With no identity
 * configured, the commit is made as the generator, given on that command
 * only (`-c`), never written to a config file. Throws a GitFailure.
 */
export async function initRepo(dir: string, paths: readonly string[], commitMessage: string): Promise<{ generatorIdentity: boolean }> {
  const run = async (step: number, args: string[]): Promise<void> => {
    const result = await git(dir, args);
    if (!result.ok) throw new GitFailure(step, result.reason, result.started);
  };
  await run(0, ['init', '--quiet', '--initial-branch=main']);
  // Literal paths (no globbing), and --force: a global excludes file must not drop a generated file.
  await run(1, ['--literal-pathspecs', 'add', '--force', '--', ...paths]);
  const generatorIdentity = !(await hasIdentity(dir));
  if (!generatorIdentity) {
    await run(2, ['commit', '--quiet', '--no-verify', '-m', commitMessage]);
    return { generatorIdentity };
  }
  // An empty GIT_AUTHOR_NAME (or the like) would win over -c: drop the empty ones, for this command only.
  const empty = Object.fromEntries(IDENT_ENV.filter((name) => process.env[name] === '').map((name) => [name, undefined]));
  const identity = ['-c', `user.name=${GENERATOR_IDENTITY.name}`, '-c', `user.email=${GENERATOR_IDENTITY.email}`];
  const result = await git(dir, [...identity, 'commit', '--quiet', '--no-verify', '-m', commitMessage], empty);
  if (!result.ok) throw new GitFailure(2, result.reason, result.started);
  return { generatorIdentity };
}
