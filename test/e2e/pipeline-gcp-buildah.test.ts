// e2e: generate a gcp + buildah repo and run the pipeline kinds whose outcome
// depends on the platform and builder (set `core` of scripts/e2e/src/expectations.ts:
// push, tag, MR docs-only, MR src, web BUILD_ALL=true, a schedule with BUILD_MODEL=true)
// with scripts/e2e-pipeline.
// The feature-branch push, BUILD_ALL=false and cold-runner pipelines run the same rules
// and env script for every builder and platform: the onprem+kaniko test runs them.
// Then the images buildah built and pushed RUN, by the pushed digests (expectImagesRun:
// data, training on the CPU, the service's /health; not proven: a GPU, a real container
// runtime rather than buildah's chroot isolation, the real base images).
import { afterAll, describe, it } from 'vitest';
import { PIPELINE_SETS } from '../../scripts/e2e/src/expectations.js';
import { requireRoot, expectImagesRun, expectPipelinesGreen, generate, removeDir, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

describe('e2e pipelines: gcp + buildah', () => {
  let parent: string | undefined;
  afterAll(() => removeDir(parent));

  it('runs the core pipeline kinds green, images pushed on protected refs only and retagged', async () => {
    parent = await tempDir('gcp-buildah');
    const repo = await generate(parent, 'fraud-model', {
      platform: 'gcp',
      builder: 'buildah',
      registry: 'europe-west4-docker.pkg.dev/acme-ml/fraud-model',
      projectName: 'Fraud Model',
    });
    const r = await runHarness(repo, ['--only', 'core']);
    expectPipelinesGreen(r, ['cpu', 'gpu'], PIPELINE_SETS.core);
    await expectImagesRun(r, repo);
  }, RUN_TIMEOUT);
});
