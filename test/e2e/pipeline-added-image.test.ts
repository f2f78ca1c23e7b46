// e2e: a generated repo with one image added by `mlops-project image --name serving`
// (the project's own command, run as a user would): its pipelines build, push
// and retag the new image like cpu and gpu.
// The image is never added by hand here, so this test proves the command's
// pipeline edits.
import { afterAll, describe, it } from 'vitest';
import { addImage, expectAllPipelinesGreen, generate, removeDir, requireRoot, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

describe('e2e pipelines: onprem + buildah, image "serving" added', () => {
  let parent: string | undefined;
  afterAll(() => removeDir(parent));

  it('builds, pushes and retags the added image with cpu and gpu', async () => {
    parent = await tempDir('added-image');
    const repo = await generate(parent, 'demand-forecast', {
      platform: 'onprem',
      builder: 'buildah',
      registry: 'harbor.example.com/forecasting/demand-forecast',
      projectName: 'Demand Forecast',
    });
    await addImage(repo, 'serving');
    expectAllPipelinesGreen(await runHarness(repo), ['cpu', 'gpu', 'serving']);
  }, RUN_TIMEOUT);
});
