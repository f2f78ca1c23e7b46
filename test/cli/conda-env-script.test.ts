/**
 * ci/conda-env.sh, the one script every Python job of the generated
 * pipeline runs to get its environment, in dash and busybox sh. `conda` is a
 * recording stand-in here (it makes `<prefix>/bin/python` and logs its
 * calls); the e2e suite runs the script in whole pipelines.
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { create, removeDir, tempDir } from '../support/cli.js';

let work: string;
let repo: string;
let busyboxBin: string;
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
  busyboxBin = join(work, 'busybox-bin');
  mkdirSync(busyboxBin);
  const busybox = (await execa('sh', ['-c', 'command -v busybox'])).stdout.trim();
  for (const applet of ['sh', 'cat', 'sha256sum', 'cut', 'rm', 'mkdir', 'printf', 'echo', 'chmod']) symlinkSync(busybox, join(busyboxBin, applet));
  writeFileSync(join(work, 'conda'), CONDA);
  chmodSync(join(work, 'conda'), 0o755);
});
afterAll(() => removeDir(work));

describe.each(['dash', 'busybox sh'] as const)('ci/conda-env.sh in %s', (shell) => {
  const prefix = (): string => join(work, 'env');
  const log = (): string => join(work, 'conda.log');
  beforeEach(() => {
    rmSync(prefix(), { recursive: true, force: true });
    rmSync(log(), { force: true });
  });

  async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; conda: string[] }> {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    if (!existsSync(join(bin, 'conda'))) symlinkSync(join(work, 'conda'), join(bin, 'conda'));
    const path = shell === 'dash' ? `${bin}:${process.env.PATH ?? ''}` : `${bin}:${busyboxBin}`;
    const file = shell === 'dash' ? 'sh' : join(busyboxBin, 'sh');
    const result = await execa(file, ['ci/conda-env.sh', ...args], {
      cwd: repo,
      env: { PATH: path, VENV_DIRECTORY: prefix(), CONDA_LOG: log(), ...env },
      extendEnv: false,
      reject: false,
    });
    const conda = existsSync(log()) ? readFileSync(log(), 'utf8').trimEnd().split('\n') : [];
    return { code: result.exitCode ?? -1, out: `${String(result.stdout)}${String(result.stderr)}`, conda };
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
    expect(bad.code).toBe(2);
    expect(bad.out.trim()).toBe('conda-env: unknown option --fast (allowed: --for-cache)');
    const unset = await run([], { VENV_DIRECTORY: '' });
    expect(unset.code).not.toBe(0);
    expect(unset.out).toMatch(/VENV_DIRECTORY is not set/);
  });
});
