// e2e: the cluster jobs in whole pipelines. A repo with --platform gitlab and
// --builder buildah (the variant no other e2e test runs; its image jobs write
// the digest with `buildah push --digestfile`), run by scripts/e2e-pipeline
// with --cluster: every job of every pipeline gets what GitLab gives the jobs
// of a project a GitLab agent is shared with (a kubeconfig in the File
// variable KUBECONFIG, KUBE_CONTEXT as a project variable), so only the rules
// keep the cluster jobs to the default branch. The push runs deploy:staging,
// and the manual deploy:production and train:cluster (played); the schedule
// with TRAIN_ON_CLUSTER=true builds both images and trains; a merge request
// touches nothing. Each applied object is checked against the digests that
// very pipeline pushed. Then a Job that fails: train:cluster fails the
// pipeline with the Job's reason.
//
// The cluster is a STAND-IN (scripts/e2e/adapters/kubectl): the objects it
// records are the real `kubectl kustomize` output of the repo's k8s/, and it
// answers as a cluster would (Jobs complete after a few looks, or fail; the
// rollout is ready), but there is no API server, scheduling, image pull,
// GPU or container. NOT PROVEN here: the agent's tunnel and its RBAC
// (access_as), a real kubectl image's busybox tools (test/cli/cluster-job.test.ts
// runs the script in busybox sh), admission of the pods (restricted Pod
// Security), a Job running for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineKind } from '../../scripts/e2e/src/expectations.js';
import { expectPipelinesGreen, generate, removeDir, requireRoot, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

const KINDS = ['push', 'schedule-train', 'mr-src'] as const satisfies readonly PipelineKind[];

describe('e2e pipelines: the cluster jobs (gitlab + buildah, a stand-in cluster)', () => {
  let parent: string | undefined;
  let repo: string;
  beforeAll(async () => {
    parent = await tempDir('cluster');
    repo = await generate(parent, 'fraud-model', { platform: 'gitlab', builder: 'buildah', projectName: 'Fraud Model' });
  });
  afterAll(() => removeDir(parent));

  it('deploys staging and production and trains with the digests of their own pipeline; a merge request touches nothing', async () => {
    const r = await runHarness(repo, ['--only', KINDS.join(','), '--cluster']);
    expectPipelinesGreen(r, ['cpu', 'gpu'], KINDS, { cluster: true });
    const { report } = r;
    const pushed = (kind: string, image: string) => {
      const d = report.digests.find((x) => x.kind === kind && x.repository.endsWith(`/${image}`) && x.tag === report.pipelines[kind]!.commit);
      expect(d, `${kind}: ${image} pushed`).toBeDefined();
      return `${d!.repository}@${d!.digest}`;
    };
    const push = report.pipelines.push!;
    expect(Object.keys(push.jobs)).toEqual(expect.arrayContaining(['deploy:staging', 'deploy:production', 'train:cluster']));
    expect(push.cluster?.problems).toEqual([]);
    const objects = push.cluster!.applied.flatMap((a) => a.objects);
    for (const ns of ['staging', 'production']) expect(objects.some((o) => o.startsWith(`Deployment/${ns}/serve `) && o.endsWith(`/${pushed('push', 'cpu')}`)), ns).toBe(true);
    expect(objects.find((o) => o.startsWith('Job/staging/train '))?.endsWith(`/${pushed('push', 'gpu')}`)).toBe(true);
    // The schedule: its own images (another commit), training only.
    const schedule = report.pipelines['schedule-train']!;
    expect(schedule.jobs['deploy:staging']).toBeUndefined();
    // Each object as "Kind/namespace/name HOST:PORT/path/image@digest": the registry's host left out.
    const jobs = schedule.cluster!.applied.flatMap((a) => a.objects).filter((o) => o.startsWith('Job/')).map((o) => o.replace(/ [^/ ]+\//, ' '));
    expect(jobs).toEqual([`Job/staging/process-data ${pushed('schedule-train', 'cpu')}`, `Job/staging/train ${pushed('schedule-train', 'gpu')}`]);
    expect(pushed('schedule-train', 'gpu')).not.toBe(pushed('push', 'gpu'));
    expect(report.pipelines['mr-src']!.cluster).toEqual({ calls: 0, applied: [], problems: [] });
  }, RUN_TIMEOUT);

  it('a Job that fails in the cluster fails train:cluster, and so the schedule\'s pipeline, with the Job\'s reason', async () => {
    const r = await runHarness(repo, ['--only', 'schedule-train', '--cluster-fail', 'train']);
    expect(r.report.failures, r.output).toEqual([]);
    const p = r.report.pipelines['schedule-train']!;
    expect(p.jobs['train:cluster']?.status).toBe('FAIL');
    expect(p.exitCode).not.toBe(0);
    expect(r.output).toMatch(/train:cluster failed as it must, saying: ERROR: Job train failed in staging \(PodFailurePolicy: /);
    // process-data ran first and completed; train was applied, then failed.
    expect(p.cluster!.applied.flatMap((a) => a.objects).filter((o) => o.startsWith('Job/')).map((o) => o.split(' ')[0])).toEqual(['Job/staging/process-data', 'Job/staging/train']);
  }, RUN_TIMEOUT);
});
