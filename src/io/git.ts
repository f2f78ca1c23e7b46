/** Git steps of a plan: init on `main`, add, first commit. execa is loaded only here. */
import { UserError } from '../core/errors.js';

async function git(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const { execa } = await import('execa');
  const result = await execa('git', args, { cwd, reject: false, stdin: 'ignore' });
  return { ok: result.exitCode === 0, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** True when `dir` (an existing directory) is inside a git work tree. */
export async function insideWorkTree(dir: string): Promise<boolean> {
  try {
    const result = await git(dir, ['rev-parse', '--is-inside-work-tree']);
    return result.ok && result.stdout.trim() === 'true';
  } catch {
    return false;
  }
}

export async function initRepo(dir: string, commitMessage: string): Promise<void> {
  const recovery = `The files are written; to finish by hand: cd ${dir} && git init -b main && git add -A && git commit -m "${commitMessage}"`;
  const steps: string[][] = [
    ['init', '--quiet', '--initial-branch=main'],
    ['add', '--all'],
    ['commit', '--quiet', '--no-verify', '-m', commitMessage],
  ];
  for (const args of steps) {
    let result;
    try {
      result = await git(dir, args);
    } catch (error) {
      throw new UserError(`git ${args[0]} could not run (${(error as Error).message.split('\n')[0]}).`, { hint: recovery });
    }
    if (!result.ok) {
      const reason = result.stderr.trim().split('\n').find((l) => l.trim() !== '') ?? 'unknown error';
      throw new UserError(`git ${args[0]} failed: ${reason}`, { hint: recovery });
    }
  }
}
