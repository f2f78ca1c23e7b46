// e2e: generate an onprem + kaniko repo and run all its pipelines
// (push, tag, MR docs-only, MR src, web BUILD_ALL) with scripts/e2e-pipeline.
import { afterAll, describe, it } from 'vitest';
import { requireRoot, expectAllPipelinesGreen, generate, removeDir, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

describe('e2e pipelines: onprem + kaniko', () => {
  let parent: string | undefined;
  afterAll(() => removeDir(parent));

  it('runs every pipeline kind green, images built, pushed and retagged', async () => {
    parent = await tempDir('onprem-kaniko');
    const repo = await generate(parent, 'churn-model', {
      platform: 'onprem',
      builder: 'kaniko',
      registry: 'harbor.example.com/data-team/churn-model',
      projectName: 'Churn Model',
    });
    expectAllPipelinesGreen(await runHarness(repo), ['cpu', 'gpu']);
  }, RUN_TIMEOUT);
});
