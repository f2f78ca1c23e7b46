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
  const steps = [
    { args: ['init', '--quiet', '--initial-branch=main'], manual: 'git init -b main' },
    { args: ['add', '--all'], manual: 'git add -A' },
    { args: ['commit', '--quiet', '--no-verify', '-m', commitMessage], manual: `git commit -m "${commitMessage}"` },
  ];
  for (const [i, step] of steps.entries()) {
    const result = await git(dir, step.args);
    if (result.ok) continue;
    // What is left to do by hand: this step and the ones after it.
    const rest = steps.slice(i).map((s) => s.manual).join(' && ');
    const recovery = `The files are written; to finish by hand: cd ${dir} && ${rest}`;
    if (!result.started) throw new UserError(`git could not run (${result.reason}); is git installed?`, { docs: 'git-failed', hint: recovery });
    if (/Author identity unknown|tell me who you are|empty ident/i.test(result.reason))
      throw new UserError('git commit failed: git does not know who you are (no user.name / user.email).', {
        docs: 'git-failed',
        hint: `Set them once: git config --global user.name "Your Name" && git config --global user.email you@example.com\n${recovery}`,
      });
    throw new UserError(`git ${step.args[0]} failed: ${result.reason}`, { docs: 'git-failed', hint: recovery });
  }
}
