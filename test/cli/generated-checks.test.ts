/**
 * The generated repo's own checks, run here with Debian's python3 packages
 * (installed by .ci/run): pytest all green, pylint held to 9 (the pipeline
 * gates at the guide's 7.0), mkdocs build --strict, and the entry points
 * run end to end (tuning included, and training with the tuned parameters).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, removeDir, tempDir } from '../support/cli.js';

// Debian's interpreter, which sees Debian's python3-* packages (a pyenv python3 on PATH may not).
const PYTHON = '/usr/bin/python3';
const PY_ENV = { PYTHONDONTWRITEBYTECODE: '1', PIP_NO_INDEX: '1', PYENV_VERSION: '' };

let work: string;
beforeAll(() => {
  work = tempDir();
});
afterAll(() => removeDir(work));

const py = (cwd: string, args: string[]) =>
  execa(PYTHON, args, { cwd, reject: false, env: PY_ENV, stdin: 'ignore', all: true });

describe.each([
  ['onprem', ['--platform', 'onprem', '--project-name', 'Churn «Model»: "v1"', '--package-name', 'churn_model']],
  ['gcp', ['--platform', 'gcp', '--registry', 'us-docker.pkg.dev/p/r/x', '--repo-name', 'x-ray', '--package-name', 'xr']],
] as const)('generated %s repo', (name, flags) => {
  let dir: string;
  beforeAll(async () => {
    const result = await create([name, '--yes', '--no-git', ...flags], work);
    expect(result.exitCode, result.stderr).toBe(0);
    dir = join(work, name);
  });

  it('passes its own tests', async () => {
    const result = await py(dir, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'src/tests']);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/\d+ passed/);
    expect(result.all).not.toMatch(/failed|error/i);
  });

  it('scores at least 9 with pylint', async () => {
    const result = await py(dir, ['-m', 'pylint', 'src', '--fail-under=9']);
    expect(result.exitCode, result.all).toBe(0);
  });

  it('builds its docs site with mkdocs --strict', async () => {
    const result = await py(dir, ['-m', 'mkdocs', 'build', '--strict', '--site-dir', join(work, `${name}-site`)]);
    expect(result.exitCode, result.all).toBe(0);
  });

  it('runs its entry points end to end: data, model, tuning, tuned model, predictions', async () => {
    const steps = [
      ['src/process_data.py'],
      ['src/train_model.py'],
      ['src/tune_model.py', 'study.n_trials=3'],
      ['src/train_model.py', 'params_file=models/best_params.yaml'],
      ['src/batch_infer.py'],
    ];
    for (const step of steps) {
      const result = await py(dir, step);
      expect(result.exitCode, `${step.join(' ')}\n${result.all}`).toBe(0);
    }
    for (const file of ['models/model.joblib', 'models/optuna.db', 'models/best_params.yaml', 'outputs/predictions.csv']) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
  });
});
