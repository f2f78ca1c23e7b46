// e2e: deliberately broken generated repos make scripts/e2e-pipeline fail,
// with the failing job's log shown; a wrong registry credential fails the push;
// a broken docs link fails the merge request's docs check; a model below the
// accuracy bar fails the gpu image's training when the pushed images run.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendTo, requireRoot, generate, removeDir, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

describe('e2e pipelines: broken repos fail, with the failing job log', () => {
  let parent: string | undefined;
  let pristine: string;
  beforeAll(async () => {
    parent = await tempDir('broken');
    pristine = await generate(parent, 'broken-model', {
      platform: 'onprem',
      builder: 'kaniko',
      registry: 'harbor.example.com/qa/broken-model',
    });
  });
  afterAll(() => removeDir(parent));

  async function variant(name: string): Promise<string> {
    const dir = join(parent!, name);
    await cp(pristine, dir, { recursive: true });
    return dir;
  }

  it('a failing unit test fails test:pytest, and no image is built', async () => {
    const repo = await variant('failing-test');
    await appendTo(repo, 'src/tests/test_e2e_broken.py',
      'def test_deliberately_broken():\n    assert 1 + 1 == 3, "e2e: a deliberately failing test"\n');
    const r = await runHarness(repo, ['--only', 'push']);
    expect(r.exitCode).not.toBe(0);
    expect(r.report.pipelines.push?.jobs['test:pytest']?.status).toBe('FAIL');
    expect(r.report.pipelines.push?.jobs['build:cpu-image']).toBeUndefined();
    expect(r.report.pipelines.push?.jobs['build:gpu-image']).toBeUndefined();
    expect(r.output).toMatch(/job test:pytest failed; its log/);
    expect(r.output).toMatch(/test:pytest > .*(e2e: a deliberately failing test|test_deliberately_broken)/);
  }, RUN_TIMEOUT);

  it('a Dockerfile with a bad RUN fails that image job', async () => {
    const repo = await variant('bad-run');
    await appendTo(repo, 'docker/broken-model-cpu.Dockerfile',
      '\nRUN python3 -c "raise SystemExit(\'e2e: a deliberately broken RUN step\')"\n');
    // Only the image jobs of the push pipeline (their lint/test needs are not run).
    const r = await runHarness(repo, ['--only', 'push', '--job', 'build:cpu-image', '--job', 'build:gpu-image']);
    expect(r.exitCode).not.toBe(0);
    expect(r.report.pipelines.push?.jobs['build:cpu-image']?.status).toBe('FAIL');
    expect(r.report.pipelines.push?.jobs['build:gpu-image']?.status).toBe('PASS');
    expect(r.output).toMatch(/job build:cpu-image failed; its log/);
    expect(r.output).toMatch(/build:cpu-image > .*e2e: a deliberately broken RUN step/);
  }, RUN_TIMEOUT);

  it('a broken link in the docs fails test:docs in a merge request that changes them', async () => {
    const repo = await variant('broken-docs-link');
    await appendTo(repo, 'docs/index.md', '\nSee [a page that does not exist](e2e-missing-page.md).\n');
    const r = await runHarness(repo, ['--only', 'mr-docs']);
    expect(r.exitCode).not.toBe(0);
    expect(r.report.pipelines['mr-docs']?.jobs['test:docs']?.status).toBe('FAIL');
    expect(r.output).toMatch(/job test:docs failed; its log/);
    expect(r.output).toMatch(/test:docs > .*e2e-missing-page\.md/);
  }, RUN_TIMEOUT);

  it('a wrong registry credential makes the push fail (the job uses the variable)', async () => {
    const repo = await variant('wrong-credential');
    const r = await runHarness(repo, ['--only', 'push', '--job', 'build:cpu-image', '--wrong-credential']);
    expect(r.exitCode).not.toBe(0);
    expect(r.report.pipelines.push?.jobs['build:cpu-image']?.status).toBe('FAIL');
    expect(r.output).toMatch(/build:cpu-image > .*(unauthorized|authentication required)/);
    expect(r.report.credentials.map((c) => c.value)).toContain('wrong');
  }, RUN_TIMEOUT);

  it('a model below the accuracy bar fails the gpu image\'s training when the pushed images run, in one line', async () => {
    const repo = await variant('accuracy-bar');
    const conf = join(repo, 'conf/train_model.yaml');
    const text = await readFile(conf, 'utf8');
    expect(text).toMatch(/min_accuracy: 0\.8\b/);
    await writeFile(conf, text.replace(/min_accuracy: 0\.8\b/, 'min_accuracy: 0.999'));
    // Only the image jobs of the push pipeline (they build and push; nothing in them trains).
    const r = await runHarness(repo, ['--only', 'push', '--job', 'build:cpu-image', '--job', 'build:gpu-image']);
    expect(r.exitCode).not.toBe(0);
    expect(r.report.pipelines.push?.jobs['build:cpu-image']?.status).toBe('PASS');
    expect(r.report.pipelines.push?.jobs['build:gpu-image']?.status).toBe('PASS');
    const run = r.report.imageRun!;
    expect(run.ok).toBe(false);
    expect(run.images.every((i) => i.equal)).toBe(true);
    expect(run.steps.map((s) => [s.image, s.step, s.ok])).toEqual([['cpu', 'process data', true], ['gpu', 'train (default command)', false]]);
    expect(run.steps[1]!.exitCode).toBe(1);
    // One line: the image, the step, the command, how it ended, the last lines of its output.
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]).toMatch(/^\[images\] gpu: train \(default command\): python src\/train_model\.py exited 1: .*test accuracy 0\.\d+ is below the minimum 0\.999/);
    expect(r.report.failures).toContain(run.failures[0]);
    expect(run.model).toBeNull();
    expect(run.server).toBeNull();
    expect(run.containersLeft).toEqual([]);
  }, RUN_TIMEOUT);
});
