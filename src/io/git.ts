/** Git steps of a plan: init on `main`, add, first commit. execa is loaded only here. */
import { UserError } from '../core/errors.js';

interface GitResult {
  ok: boolean;
  stdout: string;
  /** Why it failed: git's first stderr line, or why git could not start. */
  reason: string;
  started: boolean;
}

async function git(cwd: string, args: string[]): Promise<GitResult> {
  const { execa } = await import('execa');
  const result = await execa('git', args, { cwd, reject: false, stdin: 'ignore' });
  const started = result.exitCode !== undefined;
  const stderrLine = String(result.stderr).trim().split('\n').find((l) => l.trim() !== '');
  const reason = started ? (stderrLine ?? `exit code ${result.exitCode}`) : (result.originalMessage ?? result.shortMessage ?? 'git did not start');
  return { ok: result.exitCode === 0, stdout: String(result.stdout), reason, started };
}

/** True when `dir` (an existing directory) is inside a git work tree. */
export async function insideWorkTree(dir: string): Promise<boolean> {
  const result = await git(dir, ['rev-parse', '--is-inside-work-tree']);
  return result.ok && result.stdout.trim() === 'true';
}

export async function initRepo(dir: string, commitMessage: string): Promise<void> {
  const recovery = `The files are written; to finish by hand: cd ${dir} && git init -b main && git add -A && git commit -m "${commitMessage}"`;
  const steps: string[][] = [
    ['init', '--quiet', '--initial-branch=main'],
    ['add', '--all'],
    ['commit', '--quiet', '--no-verify', '-m', commitMessage],
  ];
  for (const args of steps) {
    const result = await git(dir, args);
    if (!result.started) throw new UserError(`git could not run (${result.reason}); is git installed?`, { hint: recovery });
    if (!result.ok) throw new UserError(`git ${args[0]} failed: ${result.reason}`, { hint: recovery });
  }
}
