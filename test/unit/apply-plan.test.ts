import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/core/errors.js';
import type { Plan } from '../../src/core/plan.js';
import { writePlan } from '../../src/io/apply-plan.js';
import { listFiles, removeDir, tempDir } from '../support/cli.js';

let work: string;
beforeEach(() => {
  work = tempDir();
});
afterEach(() => removeDir(work));

const plan = (dir: string): Plan => ({
  dir,
  files: Array.from({ length: 20 }, (_, i) => ({ path: `d${i % 3}/f${i}.txt`, content: `file ${i}\n` })),
  git: null,
  warnings: [],
});

describe('writePlan', () => {
  it('writes every file of the plan', async () => {
    await writePlan(plan(join(work, 'out')), { force: false });
    expect(listFiles(join(work, 'out'))).toHaveLength(20);
  });

  it('a cancel mid-way leaves no directory and no staging folder', async () => {
    const controller = new AbortController();
    let written = 0;
    const promise = writePlan(plan(join(work, 'out')), {
      force: false,
      signal: controller.signal,
      onFile: () => {
        written += 1;
        if (written === 5) controller.abort();
      },
    });
    await expect(promise).rejects.toBeInstanceOf(CancelledError);
    expect(written).toBe(5);
    expect(listFiles(work)).toEqual([]);
  });

  it('a failure mid-way leaves nothing behind', async () => {
    const bad = plan(join(work, 'out'));
    bad.files.splice(10, 0, { path: 'd0/f0.txt/child', content: 'x' });
    await expect(writePlan(bad, { force: false })).rejects.toThrow();
    expect(listFiles(work)).toEqual([]);
  });

  it('an empty existing directory is filled in place', async () => {
    mkdirSync(join(work, 'out'));
    await writePlan(plan(join(work, 'out')), { force: false });
    expect(listFiles(work)).toHaveLength(20);
  });

  it('refuses a non-empty directory without force', async () => {
    mkdirSync(join(work, 'out'));
    writeFileSync(join(work, 'out/keep'), 'k');
    await expect(writePlan(plan(join(work, 'out')), { force: false })).rejects.toThrow(/is not empty: keep/);
    expect(listFiles(work)).toEqual(['out/keep']);
  });
});
