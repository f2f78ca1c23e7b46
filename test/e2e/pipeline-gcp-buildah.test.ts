// e2e: generate a gcp + buildah repo and run all its pipelines
// (push, tag, MR docs-only, MR src, web BUILD_ALL) with scripts/e2e-pipeline.
import { afterAll, describe, it } from 'vitest';
import { requireRoot, expectAllPipelinesGreen, generate, removeDir, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

describe('e2e pipelines: gcp + buildah', () => {
  let parent: string | undefined;
  afterAll(() => removeDir(parent));

  it('runs every pipeline kind green, images built, pushed and retagged', async () => {
    parent = await tempDir('gcp-buildah');
    const repo = await generate(parent, 'fraud-model', {
      platform: 'gcp',
      builder: 'buildah',
      registry: 'europe-west4-docker.pkg.dev/acme-ml/fraud-model',
      projectName: 'Fraud Model',
    });
    expectAllPipelinesGreen(await runHarness(repo), ['cpu', 'gpu']);
  }, RUN_TIMEOUT);
});
