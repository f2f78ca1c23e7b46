// e2e: generate a repo with --platform gcp --gcp-auth workload-identity
// --builder buildah (an Artifact Registry path) and run, with
// scripts/e2e-pipeline, the push to the default branch and one merge request
// changing src/. On main each image job trades its GitLab ID token for an
// access token (curl: Google's STS, then IAM Credentials' generateAccessToken)
// and pushes with it as user oauth2accesstoken; the merge request builds both
// images, trades no token and pushes nothing.
//
// As in the gcp+buildah test, the harness replaces the registry host
// (europe-west4-docker.pkg.dev) by its push registry on 127.0.0.1 and keeps the
// path (IMAGE_REGISTRY=127.0.0.1:PORT/acme-ml/churn-model): the job writes its
// Docker config for ${IMAGE_REGISTRY%%/*}, the push registry.
//
// STAND-INS (scripts/e2e/src/stand-ins.ts): Google's STS and IAM Credentials
// are test/support/google-token-stand-in.ts on 127.0.0.1 over HTTP, one per
// pipeline (GCP_STS_URL, GCP_IAM_CREDENTIALS_URL point at it), issuing an
// access token fixed for the run, which the push registry's htpasswd takes
// for oauth2accesstoken; the ID token is a random JWT-shaped string the
// harness gives (gitlab-ci-local ignores id_tokens) to every job that declares
// id_tokens, in every pipeline, as GitLab does; GCP_WORKLOAD_IDENTITY_PROVIDER
// and GCP_SERVICE_ACCOUNT are plain protected project variables (protected
// refs only). NOT PROVEN here: Google's real token exchange (that STS accepts a
// real GitLab ID token: signature, expiry, audience claim; the provider's
// attribute condition; the service account's IAM policy), TLS to Google and to
// Artifact Registry (its token auth), and kaniko's and gcrane's Google
// keychain: the harness's kaniko is a stand-in over buildah that reads only
// the Docker config and it has no gcrane, so the kaniko variant and the tag
// pipeline (the retag job runs gcrane) cannot run here (the harness refuses
// them with one line; test/cli/gcp-workload-identity.test.ts checks the
// credential file they read against gcloud's and Google's Node library).
// The other kinds (feature branch, web, schedule, cold runner, MR docs) run the
// same rules and env script as gcp+buildah with a key, which its test runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineKind } from '../../scripts/e2e/src/expectations.js';
import { expectPipelinesGreen, generate, removeDir, requireRoot, RUN_TIMEOUT, runHarness, tempDir } from './harness.js';

requireRoot();

const KINDS = ['push', 'mr-src'] as const satisfies readonly PipelineKind[];
const PROTECTED = ['GCP_WORKLOAD_IDENTITY_PROVIDER', 'GCP_SERVICE_ACCOUNT'];
const ENDPOINTS = ['GCP_STS_URL', 'GCP_IAM_CREDENTIALS_URL'];
const IMAGE_JOBS = ['build:cpu-image', 'build:gpu-image'];

/** One login as the token stand-in saw it: STS with the provider's audience and the job's ID token, then IAM Credentials with STS's token. */
const STS_CALL = {
  endpoint: 'sts', method: 'POST', path: '/v1/token',
  carried: { audience: '//iam.googleapis.com/$GCP_WORKLOAD_IDENTITY_PROVIDER', subject_token: '$GCP_ID_TOKEN (the ID token given to the job)' },
};
const IAM_CALL = {
  endpoint: 'iam-credentials', method: 'POST', path: '/v1/projects/-/serviceAccounts/$GCP_SERVICE_ACCOUNT:generateAccessToken',
  carried: { authorization: 'Bearer (the federated token STS issued)' },
};

describe('e2e pipelines: gcp with workload identity federation + buildah', () => {
  let parent: string | undefined;
  let repo: string;
  beforeAll(async () => {
    parent = await tempDir('gcp-wif-buildah');
    repo = await generate(parent, 'churn-model', {
      platform: 'gcp', gcpAuth: 'workload-identity', builder: 'buildah',
      registry: 'europe-west4-docker.pkg.dev/acme-ml/churn-model', projectName: 'Churn Model',
    });
  });
  afterAll(() => removeDir(parent));

  it('pushes from main after trading the ID token at the token stand-in; the MR builds, trades nothing, pushes nothing', async () => {
    // --no-image-run: the same Dockerfiles' images run in the onprem and gcp+buildah tests; the login changes nothing there.
    const r = await runHarness(repo, ['--only', KINDS.join(','), '--no-image-run']);
    expectPipelinesGreen(r, ['cpu', 'gpu'], KINDS);
    expect(r.report.imageRunSkipped).toBe('--no-image-run');
    const { report } = r;
    expect(report.repo).toMatchObject({
      platform: 'gcp', auth: 'workload-identity', builder: 'buildah', variant: 'gcp-workload-identity-buildah',
      reach: 'protected-refs', projectVariables: PROTECTED, jobVariables: [],
    });
    // The jobs that declare id_tokens: the image jobs and the retag job.
    expect(report.jobs.filter((j) => j.idTokens.length > 0).map((j) => [j.name, j.idTokens])).toEqual([
      ['build:cpu-image', ['GCP_ID_TOKEN']], ['build:gpu-image', ['GCP_ID_TOKEN']], ['build:retag-images', ['GCP_ID_TOKEN']],
    ]);
    for (const kind of KINDS) {
      const p = report.pipelines[kind]!;
      // Every pipeline's stand-in endpoints; the ID token in the jobs that declare it, the MR's too, and in no other.
      expect(p.variables.harness, kind).toEqual(expect.arrayContaining([...ENDPOINTS, 'IMAGE_REGISTRY']));
      expect(p.variables.idTokens, kind).toEqual(['GCP_ID_TOKEN']);
      for (const [job, names] of Object.entries(p.idTokens)) expect(names, `${kind}: ${job}`).toEqual(IMAGE_JOBS.includes(job) ? ['GCP_ID_TOKEN'] : []);
      expect(Object.keys(p.idTokens), kind).toEqual(expect.arrayContaining(IMAGE_JOBS));
      expect(p.service?.problems, kind).toEqual([]);
    }

    // main: the protected variables, one token exchange per image job (each STS then IAM), both images pushed with the access token.
    const push = report.pipelines.push!;
    expect(push.variables.project).toEqual(PROTECTED);
    const calls = push.service!.calls;
    expect(calls.filter((c) => c.endpoint === 'sts')).toEqual([STS_CALL, STS_CALL]);
    expect(calls.filter((c) => c.endpoint === 'iam-credentials')).toEqual([IAM_CALL, IAM_CALL]);
    expect(calls).toHaveLength(4);
    expect(calls[0]).toEqual(STS_CALL); // the first call of any login is STS
    const pushed = report.digests.filter((d) => d.kind === 'push');
    expect([...new Set(pushed.map((d) => d.repository))].sort()).toEqual(['acme-ml/churn-model/cpu', 'acme-ml/churn-model/gpu']);
    expect(pushed.map((d) => d.tag)).toEqual(expect.arrayContaining([push.commit, 'latest']));
    // The Docker config each image job wrote holds oauth2accesstoken and the access token the stand-in issued.
    expect(report.credentials.filter((c) => c.kind === 'push').map((c) => c.value)).toEqual(['full', 'full']);

    // The merge request: no protected variable, no call to the token stand-in, nothing pushed, no login written.
    const mr = report.pipelines['mr-src']!;
    expect(mr.variables.project).toEqual([]);
    expect(mr.service!.calls).toEqual([]);
    expect(mr.images.map((i) => [i.image, i.pushed, i.buildOnlyLine])).toEqual([['cpu', false, true], ['gpu', false, true]]);
    expect(report.credentials.filter((c) => c.kind === 'mr-src')).toEqual([]);
    expect(report.secretsFound).toEqual([]);
  }, RUN_TIMEOUT);
});
