// e2e: generate an onprem + kaniko repo and run every pipeline kind of the
// harness's table (scripts/e2e/src/expectations.ts, set `all`) with
// scripts/e2e-pipeline: push, feature-branch push, tag, MR docs-only, MR src,
// web BUILD_ALL=true and =false, schedule BUILD_MODEL=true, and test:pytest on
// a cold runner.
import { afterAll, describe, it } from 'vitest';
import { PIPELINE_SETS } from '../../scripts/e2e/src/expectations.js';
import { requireRoot, expectPipelinesGreen, generate, removeDir, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

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
    expectPipelinesGreen(await runHarness(repo, ['--only', 'all']), ['cpu', 'gpu'], PIPELINE_SETS.all);
  }, RUN_TIMEOUT);
});
