/**
 * test/support/runner-shell.ts runs a job's lines as GitLab Runner does
 * (shells/bash.go): these are the runner's behaviours the job-script tests
 * rely on, checked in each shell.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../support/cli.js';
import { errexitCode, RUNNER_SHELLS, runnerScript, runnerShells, type RunnerShells } from '../support/runner-shell.js';

let work: string;
let shells: RunnerShells;
beforeAll(async () => {
  work = tempDir('cmp-runnershell-');
  shells = await runnerShells(work);
});
afterAll(() => removeDir(work));

it("the script is the runner's: its guard, errexit, noclobber off, the lines in one eval with an empty stdin, then exit 0", () => {
  expect(runnerScript(['  a=1\n', "echo 'it''s'\n"])).toBe(
    "umask 0000\nif set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit\nset +o noclobber\n" +
      ": | eval 'a=1\necho '\\''it'\\'''\\''s'\\'''\nexit 0\n",
  );
});

describe.each(RUNNER_SHELLS)('%s', (shell) => {
  const pipefail = shell !== 'dash';

  it(`a failing command on the left of a pipe ${pipefail ? 'fails the job (pipefail)' : 'does not (dash has no pipefail)'}`, async () => {
    const run = await shells.run(shell, ['false | cat', 'echo after']);
    expect(run.code).toBe(pipefail ? 1 : 0);
    expect(run.out).toBe(pipefail ? '' : 'after');
  });

  it(`errexit: the first failing line ends the job, with ${shell === 'bash' ? "1 (bash's eval in a pipe)" : 'its status'}; variables and functions carry from line to line`, async () => {
    const run = await shells.run(shell, ['f() { echo "f $x"; }', 'x=1', 'f', 'sh -c "exit 3"', 'echo never']);
    expect(run.code).toBe(shell === 'bash' ? 1 : 3);
    expect(errexitCode(shell, 3)).toBe(run.code);
    expect(run.out).toBe('f 1');
    const explicit = await shells.run(shell, ['echo before', 'exit 3', 'echo never']);
    expect([explicit.code, explicit.out]).toEqual([3, 'before']);
  });

  it("umask 0000: a job's file is world-writable; noclobber is off; stdin is empty", async () => {
    const file = join(work, `${shell.replace(' ', '-')}-file`);
    writeFileSync(file, 'old');
    const run = await shells.run(shell, [`echo new > '${file}'`, `rm '${file}'`, `echo new > '${file}'`, 'cat; echo "stdin: done"'], { env: {} });
    expect(run.code, run.err).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('666');
    expect(run.out).toBe('stdin: done');
  });

  it('`sh` in a job line is the same shell, a new process: the umask is inherited, errexit and pipefail are not', async () => {
    const run = await shells.run(shell, [
      "sh -c 'readlink -f /proc/$$/exe; umask; false | true; case $- in *e*) echo errexit;; *) echo no errexit;; esac; set -o | grep pipefail || echo no pipefail'",
    ]);
    expect(run.code, run.err).toBe(0);
    const lines = run.out.split('\n');
    expect(lines[0]).toMatch(new RegExp(`/${shell.split(' ')[0]}$`));
    expect(lines[1]).toMatch(/^0+$/);
    expect(lines[2]).toBe('no errexit');
    expect(lines[3]).toMatch(pipefail ? /^pipefail\s+off$/ : /^no pipefail$/);
  });
});

it("options.sh: the image's sh when the job's shell is bash (dash in Debian images, busybox in alpine)", async () => {
  for (const sh of ['dash', 'busybox sh'] as const) {
    const run = await shells.run('bash', ['echo "$BASH_VERSION" | grep -c .', "sh -c 'readlink -f /proc/$$/exe; :'"], { sh });
    expect(run.out.split('\n'), run.err).toEqual(['1', expect.stringMatching(new RegExp(`/${sh.split(' ')[0]}$`))]);
  }
});

it('a busybox run without grep on PATH is refused: the guard would leave pipefail off', async () => {
  await expect(shells.run('busybox sh', ['true'], { path: [shells.busybox(['cat'])] })).rejects.toThrow(/no grep on the PATH/);
});
