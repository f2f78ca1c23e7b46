/** Which of some files of a repo have changes git has not committed (execa, loaded only here). */

/**
 * The paths among `paths` (relative to `dir`) that differ from the last
 * commit, or are not in it; undefined when `dir` is not in a git work tree
 * (or git cannot run): then nothing can be said.
 */
export async function uncommitted(dir: string, paths: string[]): Promise<string[] | undefined> {
  const { execa } = await import('execa');
  const result = await execa('git', ['status', '--porcelain', '--untracked-files=all', '--', ...paths], { cwd: dir, reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0) return undefined;
  // Lines are `XY path`; the paths asked about are plain names, never renamed or quoted here.
  return String(result.stdout)
    .split('\n')
    .filter((line) => line.length > 3)
    .map((line) => line.slice(3));
}
