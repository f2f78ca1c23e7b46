// e2e: a generated repo with one image added by `mlops-project image --name serving`
// (the project's own command, run as a user would): every pipeline kind of the
// harness's table (set `all`) treats the new image like cpu and gpu: built and
// pushed on the default branch, only built in MRs and on feature branches,
// not built by a schedule that switches on another image nor by BUILD_ALL=false.
// The image is never added by hand here, so this test proves the command's
// pipeline edits. The added image changes nothing for cpu and gpu: their pushed
// digests still run (expectImagesRun; not proven there: a GPU, a real container
// runtime, the real base images).
import { afterAll, describe, it } from 'vitest';
import { PIPELINE_SETS } from '../../scripts/e2e/src/expectations.js';
import { addImage, expectImagesRun, expectPipelinesGreen, generate, removeDir, requireRoot, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

describe('e2e pipelines: onprem + buildah, image "serving" added', () => {
  let parent: string | undefined;
  afterAll(() => removeDir(parent));

  it('builds, pushes and retags the added image with cpu and gpu, as each pipeline kind says', async () => {
    parent = await tempDir('added-image');
    const repo = await generate(parent, 'demand-forecast', {
      platform: 'onprem',
      builder: 'buildah',
      registry: 'harbor.example.com/forecasting/demand-forecast',
      projectName: 'Demand Forecast',
    });
    await addImage(repo, 'serving');
    const r = await runHarness(repo, ['--only', 'all']);
    expectPipelinesGreen(r, ['cpu', 'gpu', 'serving'], PIPELINE_SETS.all);
    await expectImagesRun(r, repo);
  }, RUN_TIMEOUT);
});
