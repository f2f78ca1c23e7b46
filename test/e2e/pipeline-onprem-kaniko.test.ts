// e2e: generate an onprem + kaniko repo and run every pipeline kind of the
// harness's table (scripts/e2e/src/expectations.ts, set `all`) with
// scripts/e2e-pipeline: push, feature-branch push, tag, MR docs-only, MR src,
// web BUILD_ALL=true and =false, schedule BUILD_MODEL=true, and test:pytest on
// a cold runner. Then the images the push pipeline pushed RUN (expectImagesRun):
// pulled by those digests, cpu prepares the data, gpu's default command trains
// (on the CPU: no GPU here), cpu's default command serves /health and /predict
// inside a private network namespace. buildah run --isolation chroot stands in
// for a container runtime (no cgroups, seccomp or read-only root filesystem),
// and both images are built on the stand-in Debian base, not python:3.12-slim
// or nvidia/cuda: none of that is proven here.
import { afterAll, describe, it } from 'vitest';
import { PIPELINE_SETS } from '../../scripts/e2e/src/expectations.js';
import { requireRoot, expectImagesRun, expectPipelinesGreen, generate, removeDir, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

describe('e2e pipelines: onprem + kaniko', () => {
  let parent: string | undefined;
  afterAll(() => removeDir(parent));

  it('runs every pipeline kind green: per-job checkouts, the credential on protected refs only', async () => {
    parent = await tempDir('onprem-kaniko');
    const repo = await generate(parent, 'churn-model', {
      platform: 'onprem',
      builder: 'kaniko',
      registry: 'harbor.example.com/data-team/churn-model',
      projectName: 'Churn Model',
    });
    const r = await runHarness(repo, ['--only', 'all']);
    expectPipelinesGreen(r, ['cpu', 'gpu'], PIPELINE_SETS.all);
    await expectImagesRun(r, repo);
  }, RUN_TIMEOUT);
});
