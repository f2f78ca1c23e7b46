// e2e: generate a repo with --platform gitlab (GitLab's own container
// registry; kaniko, the default builder) and run, with scripts/e2e-pipeline,
// the pipeline kinds whose outcome the registry login decides: the push to
// the default branch (images pushed to $CI_REGISTRY_IMAGE/<name>), the tag
// (retagged, same digests) and both merge requests (green, nothing pushed,
// no credential written although every job has the job token). Then the
// same image job with a wrong job token: the registry refuses the push.
//
// STAND-IN for GitLab's container registry (scripts/e2e/src/stand-ins.ts):
// Debian's docker-registry on 127.0.0.1 with htpasswd, user gitlab-ci-token,
// one random job token per run as the password; every job of every pipeline
// gets CI_REGISTRY, CI_REGISTRY_IMAGE (host:port/e2e/<repo>),
// CI_REGISTRY_USER, CI_REGISTRY_PASSWORD and CI_JOB_TOKEN, as GitLab gives
// them, over gitlab-ci-local's own values. NOT PROVEN here: GitLab's real
// token scopes and lifetime (one token per job, valid while it runs; which
// projects it may push to), the registry's JWT token auth (the stand-in is
// basic auth over HTTP, no TLS), a project with its registry disabled.
// The web pipeline of a feature branch (which pushes on gitlab: the job token
// reaches unprotected branches) and the feature-branch, schedule and cold-runner
// kinds are left out: their rules and env script are the same for every
// platform, and the onprem tests run them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineKind } from '../../scripts/e2e/src/expectations.js';
import { expectPipelinesGreen, generate, removeDir, requireRoot, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

const KINDS = ['push', 'tag', 'mr-docs', 'mr-src'] as const satisfies readonly PipelineKind[];
const LOGIN = ['CI_REGISTRY', 'CI_REGISTRY_IMAGE', 'CI_REGISTRY_USER', 'CI_REGISTRY_PASSWORD', 'CI_JOB_TOKEN'];

describe('e2e pipelines: gitlab (its own container registry, the job token) + kaniko', () => {
  let parent: string | undefined;
  let repo: string;
  beforeAll(async () => {
    parent = await tempDir('gitlab-kaniko');
    repo = await generate(parent, 'vision-model', { platform: 'gitlab', builder: 'kaniko', projectName: 'Vision Model' });
  });
  afterAll(() => removeDir(parent));

  it('pushes to $CI_REGISTRY_IMAGE/<name> with the job token on main, retags on the tag, and pushes nothing from MRs', async () => {
    // --no-image-run: the same Dockerfiles' images run in the onprem and gcp+buildah tests; the login changes nothing there.
    const r = await runHarness(repo, ['--only', KINDS.join(','), '--no-image-run']);
    expectPipelinesGreen(r, ['cpu', 'gpu'], KINDS);
    expect(r.report.imageRunSkipped).toBe('--no-image-run');
    const { report } = r;
    expect(report.repo).toMatchObject({
      platform: 'gitlab', auth: 'job-token', builder: 'kaniko', variant: 'gitlab-kaniko', reach: 'every-job', projectVariables: [],
    });
    expect([...report.repo!.jobVariables].sort()).toEqual([...LOGIN].sort());
    for (const kind of KINDS) {
      const p = report.pipelines[kind]!;
      // The job token reaches every pipeline, MRs included; no project variable is set.
      expect(p.variables.predefined, kind).toEqual(expect.arrayContaining(LOGIN));
      expect(p.variables.project, kind).toEqual([]);
      // The pipeline's own IMAGE_REGISTRY ($CI_REGISTRY_IMAGE) is used, not one the harness sets.
      expect(p.variables.harness, kind).not.toContain('IMAGE_REGISTRY');
    }
    // $CI_REGISTRY_IMAGE is the registry host, then the project's path (e2e/vision-model).
    const pushed = report.digests.filter((d) => d.kind === 'push');
    expect([...new Set(pushed.map((d) => d.repository))].sort()).toEqual(['e2e/vision-model/cpu', 'e2e/vision-model/gpu']);
    expect(pushed.map((d) => d.tag)).toContain('latest');
    expect(report.retag.map((t) => `${t.repository}:${t.to}`).sort()).toEqual(['e2e/vision-model/cpu:v0.1.0', 'e2e/vision-model/gpu:v0.1.0']);
    // Merge requests build both images and push neither, although their jobs have the token.
    const mr = report.pipelines['mr-src']!;
    expect(mr.images.map((i) => [i.image, i.pushed, i.buildOnlyLine])).toEqual([['cpu', false, true], ['gpu', false, true]]);
    expect(report.credentials.filter((c) => c.kind === 'mr-src' || c.kind === 'mr-docs')).toEqual([]);
  }, RUN_TIMEOUT);

  it('a wrong job token (CI_REGISTRY_PASSWORD) makes the image job fail with the registry refusing the push', async () => {
    const r = await runHarness(repo, ['--only', 'push', '--job', 'build:cpu-image', '--wrong-credential']);
    expect(r.exitCode).not.toBe(0);
    expect(r.report.pipelines.push?.jobs['build:cpu-image']?.status).toBe('FAIL');
    expect(r.output).toMatch(/build:cpu-image > .*unauthorized: authentication required/);
    // The job wrote the (wrong) token it was given, and nothing reached the registry.
    expect(r.report.credentials.map((c) => c.value)).toEqual(['wrong']);
    expect(r.report.digests).toEqual([]);
    expect(r.report.secretsFound).toEqual([]);
  }, RUN_TIMEOUT);
});
