/**
 * ci/conda-env.sh, the one script every Python job of the generated
 * pipeline runs to get its environment, through the jobs' own lines
 * (.with-conda-env's before_script, build:conda-env's script) run as
 * GitLab's runner runs them (test/support/runner-shell.ts: errexit,
 * pipefail where the shell has it, umask 0000) in dash, busybox sh and bash,
 * the Python image's job shell, whose `sh` is dash (Debian); in dash and
 * busybox sh, `sh` in those lines is the same shell.
 * `conda` is a recording stand-in here (it makes `<prefix>/bin/python` and
 * logs its calls); the e2e suite runs the script in whole pipelines.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { create, removeDir, tempDir } from '../support/cli.js';
import { parseCi, resolveJob, scriptOf } from '../support/gitlab-ci-check.js';
import { errexitCode, RUNNER_SHELLS, runnerShells, type RunnerShells } from '../support/runner-shell.js';

let work: string;
let repo: string;
let shells: RunnerShells;
let busyboxBin: string;
/** The lines that run the script: a consumer's before_script (test:lint's), build:conda-env's script. */
let consumerLines: string[];
let cacheJobLines: string;
const CONDA = `#!/bin/sh
echo "conda $*" >> "$CONDA_LOG"
if [ "$1 $2" = "env create" ]; then
  while [ $# -gt 0 ]; do [ "$1" = --prefix ] && prefix=$2; shift; done
  mkdir -p "$prefix/bin" && printf '#!/bin/sh\\n' > "$prefix/bin/python" && chmod +x "$prefix/bin/python"
fi
`;

beforeAll(async () => {
  work = tempDir('cmp-condaenv-');
  const made = await create(['p', '--yes', '--no-git', '--registry', 'harbor.acme.io/ml/p'], work);
  expect(made.exitCode, made.stderr).toBe(0);
  repo = join(work, 'p');
  const ci = parseCi(readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8'));
  consumerLines = resolveJob(ci, 'test:lint').before_script as string[];
  cacheJobLines = scriptOf(ci, 'build:conda-env');
  shells = await runnerShells(work);
  busyboxBin = shells.busybox(['cat', 'sha256sum', 'cut', 'rm', 'mkdir', 'printf', 'echo', 'chmod', 'grep']);
  writeFileSync(join(work, 'conda'), CONDA);
  chmodSync(join(work, 'conda'), 0o755);
});
afterAll(() => removeDir(work));

it('the jobs run it as `sh ci/conda-env.sh` (consumers) and `sh ci/conda-env.sh --for-cache` (build:conda-env)', () => {
  expect(consumerLines).toEqual(['sh ci/conda-env.sh']);
  expect(cacheJobLines).toBe('sh ci/conda-env.sh --for-cache');
});

describe.each(RUNNER_SHELLS)('ci/conda-env.sh in %s', (shell) => {
  const prefix = (): string => join(work, 'env');
  const log = (): string => join(work, 'conda.log');
  beforeEach(() => {
    rmSync(prefix(), { recursive: true, force: true });
    rmSync(log(), { force: true });
  });

  /** No arguments: a consumer's lines; --for-cache: build:conda-env's; anything else: `sh ci/conda-env.sh ARGS` in the same shell. */
  async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; conda: string[] }> {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'conda'))) symlinkSync(join(work, 'conda'), join(bin, 'conda'));
    const lines = args.length === 0 ? consumerLines : args.join(' ') === '--for-cache' ? cacheJobLines : `sh ci/conda-env.sh ${args.join(' ')}`;
    const result = await shells.run(shell, lines, {
      cwd: repo,
      env: { VENV_DIRECTORY: prefix(), CONDA_LOG: log(), ...env },
      path: [bin, ...(shell === 'busybox sh' ? [busyboxBin] : shells.tools(shell))],
      ...(shell === 'bash' ? { sh: 'dash' as const } : {}),
    });
    const conda = existsSync(log()) ? readFileSync(log(), 'utf8').trimEnd().split('\n') : [];
    return { code: result.code, out: `${result.out}${result.err}`, conda };
  }

  it('creates the environment when the cache brought none, then pip-installs both requirement files', async () => {
    const first = await run([]);
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/^conda-env: creating the environment in \S+ \(reason: the cache did not bring one\)$/m);
    expect(first.conda).toEqual([
      `conda env create --file p-conda-env.yaml --prefix ${prefix()}`,
      `conda run -p ${prefix()} --no-capture-output python -m pip install -r requirements.txt -r dev-requirements.txt`,
    ]);
  });

  it('reuses an environment made from the same three files, and conda is not called', async () => {
    await run([]);
    rmSync(log());
    const again = await run([]);
    expect(again.out).toMatch(/^conda-env: reusing the environment from the cache/m);
    expect(again.conda).toEqual([]);
    expect(existsSync(join(prefix(), 'bin/python'))).toBe(true);
  });

  it('makes it anew when dev-requirements.txt changed (a file the cache key does not cover)', async () => {
    await run([]);
    const dev = join(repo, 'dev-requirements.txt');
    const original = readFileSync(dev, 'utf8');
    try {
      appendFileSync(dev, 'pytest-timeout\n');
      const again = await run([]);
      expect(again.out).toMatch(/reason: p-conda-env\.yaml, requirements\.txt or dev-requirements\.txt differ/);
    } finally {
      writeFileSync(dev, original);
    }
  });

  it('--for-cache: an unchanged environment is deleted, so that the runner uploads nothing', async () => {
    await run([]);
    rmSync(log());
    const cached = await run(['--for-cache']);
    expect(cached.code).toBe(0);
    expect(cached.out).toMatch(/^conda-env: unchanged: nothing for the cache to upload$/m);
    expect(cached.conda).toEqual([]);
    expect(existsSync(prefix())).toBe(false);
  });

  it('BUILD_CONDA=true re-creates it in the cache job only; other jobs reuse what came', async () => {
    await run([]);
    rmSync(log());
    expect((await run([], { BUILD_CONDA: 'true' })).conda).toEqual([]);
    const forced = await run(['--for-cache'], { BUILD_CONDA: 'true' });
    expect(forced.out).toMatch(/reason: BUILD_CONDA is true/);
    expect(forced.conda[0]).toMatch(/^conda env create /);
    expect(existsSync(join(prefix(), 'bin/python'))).toBe(true);
  });

  it('refuses an unknown option with one line, and a missing VENV_DIRECTORY', async () => {
    const bad = await run(['--fast']);
    expect(bad.code).toBe(errexitCode(shell, 2));
    expect(bad.out.trim()).toBe('conda-env: unknown option --fast (allowed: --for-cache)');
    const unset = await run([], { VENV_DIRECTORY: '' });
    expect(unset.code).not.toBe(0);
    expect(unset.out).toMatch(/VENV_DIRECTORY is not set/);
  });
});
