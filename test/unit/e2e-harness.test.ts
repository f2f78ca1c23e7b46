// The e2e harness's pure parts (scripts/e2e/src): its table of pipeline
// kinds, its registry-login stand-ins per platform and auth, reading
// gitlab-ci-local's output, the critical path. The harness itself runs in
// npm run test:e2e (root, buildah).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AuthDescriptor, PLATFORMS, type Platform } from '../../generators/platforms/platforms.js';
import { credentialVariables, variantsOf } from '../../generators/platforms/variants.js';
import { composeVariant } from '../../generators/project/pipeline.js';
import { criticalPath } from '../../scripts/e2e/src/critical-path.js';
import {
  credentialGiven, mayWriteCredential, PIPELINE_KINDS, PIPELINE_SETS, PIPELINES,
} from '../../scripts/e2e/src/expectations.js';
import { PIPELINE_KINDS as GITLAB_KINDS } from '../support/pipeline-kinds.js';
import { jobLog, jobOutcomes, parseDuration } from '../../scripts/e2e/src/gitlab-ci-local.js';
import { readPipeline, safeJobName, variablesReferenced } from '../../scripts/e2e/src/pipeline-info.js';
import {
  hasStandIn, JOB_TOKEN_USER, loginDisagreement, loginVariables, STAND_INS, standInOf, type StandIn,
} from '../../scripts/e2e/src/stand-ins.js';
import { jobNames, parseCi, resolveJob } from '../support/gitlab-ci-check.js';
import { ROOT } from '../support/cli.js';

describe('the pipeline kinds table', () => {
  it('runs every kind of the GitLab table (test/support/pipeline-kinds.ts) as that table says', () => {
    for (const k of GITLAB_KINDS) {
      const spec = PIPELINES[k.name as keyof typeof PIPELINES];
      expect(spec, k.name).toBeDefined();
      expect({ source: spec.source, protected: spec.protected, variables: spec.variables, run: spec.run }, k.name)
        .toEqual({ source: k.source, protected: k.protected, variables: k.variables ?? {}, run: k.runs });
      expect(spec.images.mode === 'push' || spec.images.mode === 'switch', k.name).toBe(k.push && k.images !== 'none');
    }
    expect(PIPELINE_SETS.all).toEqual(expect.arrayContaining(GITLAB_KINDS.map((k) => k.name)));
  });

  it('gives the credential to protected refs only: the default branch and tags', () => {
    for (const kind of PIPELINE_KINDS) {
      const { ref, protected: isProtected } = PIPELINES[kind];
      expect(isProtected, kind).toBe(ref.type === 'default-branch' || ref.type === 'tag');
    }
  });

  it('never expects a push from a pipeline without the credential', () => {
    for (const kind of PIPELINE_KINDS) {
      const spec = PIPELINES[kind];
      if (!spec.protected) expect(['build-only', 'none'], kind).toContain(spec.images.mode);
    }
  });

  it('names each job kind at most once per pipeline, and every set only known kinds', () => {
    for (const kind of PIPELINE_KINDS) {
      const { run, notRun } = PIPELINES[kind];
      expect(run.filter((k) => notRun.includes(k)), kind).toEqual([]);
    }
    for (const set of Object.values(PIPELINE_SETS)) for (const k of set) expect(PIPELINE_KINDS).toContain(k);
  });
});

const LOG = `build:conda-env starting shell (build)
build:conda-env > conda-env: creating the environment in /builds/e2e/churn/.conda-env (reason: no environment)
build:conda-env finished in 12.3 s
test:pytest starting shell (test)
test:pytest $ conda run -p "$VENV_DIRECTORY" python -m pytest
test:pytest > 1 failed
test:pytest finished in 1.5 min  FAIL 1
build:cpu-image finished in 345 ms
 PASS  build:conda-env
 FAIL  test:pytest
 WARN  build:cpu-image  pre_script
`;

describe("gitlab-ci-local's output", () => {
  it('gives each job its result and duration', () => {
    expect(jobOutcomes(LOG, ['build:conda-env', 'test:pytest', 'build:cpu-image', 'pages'])).toEqual({
      'build:conda-env': { status: 'PASS', seconds: 12.3 },
      'test:pytest': { status: 'FAIL', seconds: 90 },
      'build:cpu-image': { status: 'WARN', seconds: 0.345 },
    });
    expect(parseDuration('2 h')).toBe(7200);
    expect(parseDuration('soon')).toBeNull();
  });

  it("gives a job's own log lines", () => {
    expect(jobLog(LOG, 'test:pytest')).toEqual(['test:pytest $ conda run -p "$VENV_DIRECTORY" python -m pytest', 'test:pytest > 1 failed']);
  });

  it('names job folders as gitlab-ci-local 4.73 does', () => {
    expect(safeJobName('build:conda-env')).toBe('buildOgconda-env');
    expect(safeJobName('pages')).toBe('pages');
  });
});

describe('reading the pipeline', () => {
  const preview = `
stages: [build, test, deploy]
variables:
  BASE_IMAGE_MIRROR: {value: docker.io, description: mirror}
  KANIKO_IMAGE: ghcr.io/osscontainertools/kaniko:v1.28.5-debug
  CRANE_IMAGE: gcr.io/go-containerregistry/crane/debug:v0.22.1
build:conda-env:
  stage: build
  cache: {paths: [.conda-env/], policy: pull-push}
  script: [sh ci/conda-env.sh --for-cache]
test:pytest:
  stage: test
  needs: [build:conda-env]
  script: [conda run -p "$VENV_DIRECTORY" python -m pytest]
  artifacts: {reports: {junit: junit.xml}}
build:gpu-image:
  stage: deploy
  image: {name: $KANIKO_IMAGE}
  variables: {IMAGE_NAME: gpu}
  needs: [{job: test:pytest}]
  rules: [{if: '$CI_PIPELINE_SOURCE != "push" && $BUILD_MODEL == "true"'}, {if: '$BUILD_ALL == "true"'}]
  script: [/kaniko/executor --no-push]
build:retag-images:
  stage: deploy
  image: {name: $CRANE_IMAGE}
  script: [crane tag "$IMAGE_REGISTRY/gpu:$CI_COMMIT_SHORT_SHA" "$CI_COMMIT_TAG"]
pages:
  stage: deploy
  image: $PYTHON_IMAGE
  script: [conda run -p "$VENV_DIRECTORY" python -m mkdocs build --strict --site-dir public]
`;
  it('classifies jobs by their scripts, with needs, switches, junit, cache and busybox images', () => {
    const info = readPipeline(preview);
    expect(info.variables.BASE_IMAGE_MIRROR).toBe('docker.io');
    const by = Object.fromEntries(info.jobs.map((j) => [j.name, j]));
    expect(by['build:conda-env']).toMatchObject({ kind: 'env', needs: null, cachePaths: ['.conda-env/'], cachePush: true });
    expect(by['test:pytest']).toMatchObject({ kind: 'pytest', needs: ['build:conda-env'], junit: ['junit.xml'] });
    expect(by['build:gpu-image']).toMatchObject({ kind: 'image', needs: ['test:pytest'], switches: ['BUILD_MODEL'], imageName: 'gpu', busybox: true });
    expect(by['build:retag-images']).toMatchObject({ kind: 'retag', busybox: true });
    expect(by.pages).toMatchObject({ kind: 'pages', busybox: false });
  });
});

describe('the critical path', () => {
  it('follows needs, and earlier stages for a job without needs', () => {
    const stages = ['build', 'test', 'deploy', 'docs'];
    const cp = criticalPath([
      { name: 'env', stage: 'build', needs: [], seconds: 10 },
      { name: 'lint', stage: 'test', needs: ['env'], seconds: 30 },
      { name: 'pytest', stage: 'test', needs: ['env'], seconds: 5 },
      { name: 'cpu', stage: 'deploy', needs: ['lint', 'pytest'], seconds: 40 },
      { name: 'pages', stage: 'docs', needs: ['env'], seconds: 8 },
      { name: 'late', stage: 'docs', needs: null, seconds: 1 },
    ], stages);
    expect(cp.jobs.map((j) => j.name)).toEqual(['env', 'lint', 'cpu', 'late']);
    expect(cp.seconds).toBe(81);
  });
});

describe("the pipeline kinds when every job has the credential (GitLab's job token)", () => {
  it('gives the credential to every pipeline, and lets no merge request write it', () => {
    for (const kind of PIPELINE_KINDS) {
      const spec = PIPELINES[kind];
      expect(credentialGiven(spec, 'every-job'), kind).toBe(true);
      expect(credentialGiven(spec, 'protected-refs'), kind).toBe(spec.protected);
      const mr = spec.source === 'merge_request_event';
      expect(mayWriteCredential(spec, 'every-job'), kind).toBe(!mr);
      expect(mayWriteCredential(spec, 'protected-refs'), kind).toBe(spec.protected && !mr);
    }
  });
});

describe('the registry-login stand-ins (one per platform and auth of generators/platforms)', () => {
  const ctx = { pushHost: '127.0.0.1:5123', projectPath: 'e2e/Vision-Model', wrong: false };
  const entries = Object.entries(PLATFORMS).flatMap(([platform, p]) =>
    Object.entries(p.auths as Record<string, AuthDescriptor>).map(([auth, descriptor]) => ({ platform: platform as Platform, auth, descriptor })));
  const b64 = (s: string) => Buffer.from(s).toString('base64');

  it('has an entry for every platform and auth, and no other', () => {
    expect(Object.keys(STAND_INS).sort()).toEqual(Object.keys(PLATFORMS).sort());
    for (const { platform, auth } of entries) expect(standInOf(platform, auth), `${platform}/${auth}`).toBeDefined();
    for (const [platform, auths] of Object.entries(STAND_INS)) expect(Object.keys(auths).sort(), platform).toEqual(Object.keys(PLATFORMS[platform as Platform].auths).sort());
    expect(standInOf('gitlab', 'key')).toBeUndefined();
  });

  it('gives what the descriptor says: its credential variables to protected refs, or the job token to every job', () => {
    for (const { platform, auth, descriptor } of entries) {
      const s = standInOf(platform, auth)!;
      if (!hasStandIn(s)) continue;
      const login = s.login(ctx);
      const where = `${platform}/${auth}`;
      expect(login.expectedAuth, where).toBe(b64(`${login.user}:${login.password}`));
      expect(login.secrets, where).toContain(login.password);
      expect(login.secrets, where).toContain(login.expectedAuth);
      if (descriptor.credential === null) {
        expect(s.reach, where).toBe('every-job');
        expect(login.projectVariables, where).toEqual({});
        for (const v of s.reads) expect(Object.keys(login.jobVariables), where).toContain(v);
      } else {
        expect(s.reach, where).toBe('protected-refs');
        expect(s.reads, where).toEqual(credentialVariables(descriptor));
        expect(Object.keys(login.projectVariables), where).toEqual(credentialVariables(descriptor));
        expect(login.jobVariables, where).toEqual({});
      }
      for (const [k, v] of Object.entries({ ...login.projectVariables, ...login.jobVariables }))
        if (/PASSWORD|TOKEN|CREDS|KEY/.test(k)) expect(login.secrets, `${where}: ${k} is a secret`).toContain(v);
    }
  });

  it("models GitLab's registry variables: the host, the project's image path in lower case, gitlab-ci-token and a random job token", () => {
    const s = STAND_INS.gitlab['job-token'];
    const a = s.login(ctx);
    const b = s.login(ctx);
    expect(a.user).toBe(JOB_TOKEN_USER);
    expect(a.jobVariables).toEqual({
      CI_REGISTRY: '127.0.0.1:5123',
      CI_REGISTRY_IMAGE: '127.0.0.1:5123/e2e/vision-model',
      CI_REGISTRY_USER: 'gitlab-ci-token',
      CI_REGISTRY_PASSWORD: a.password,
      CI_JOB_TOKEN: a.password,
    });
    expect(a.password).toMatch(/^glcbt-[\w-]{20,}$/);
    expect(a.password.length).toBeLessThanOrEqual(72); // bcrypt checks all of it
    expect(b.password).not.toBe(a.password);
    const wrong = s.login({ ...ctx, wrong: true });
    expect(wrong.jobVariables.CI_REGISTRY_PASSWORD).not.toBe(wrong.password);
    expect(wrong.jobVariables.CI_JOB_TOKEN).toBe(wrong.jobVariables.CI_REGISTRY_PASSWORD);
    expect(wrong.secrets).toEqual(expect.arrayContaining([wrong.password, wrong.jobVariables.CI_REGISTRY_PASSWORD]));
  });

  /** A login as the workload-identity overlay's buildah step makes it (curl there): STS, then IAM Credentials. */
  async function exchange(vars: Record<string, string>, o: { provider: string; serviceAccount: string; idToken: string }) {
    const sts = await fetch(vars.GCP_STS_URL!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', audience: `//iam.googleapis.com/${o.provider}`,
        scope: 'https://www.googleapis.com/auth/cloud-platform', requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', subject_token: o.idToken,
      }).toString(),
    });
    const federated = ((await sts.json()) as { access_token?: string }).access_token ?? '';
    const iam = await fetch(`${vars.GCP_IAM_CREDENTIALS_URL}/projects/-/serviceAccounts/${o.serviceAccount}:generateAccessToken`, {
      method: 'POST',
      headers: { authorization: `Bearer ${federated}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: ['https://www.googleapis.com/auth/cloud-platform'] }),
    });
    return { sts: sts.status, iam: iam.status, federated, access: ((await iam.json()) as { accessToken?: string }).accessToken ?? '' };
  }

  it('workload identity: two plain protected variables, a JWT-shaped ID token, and a token stand-in issuing what the registry takes', async () => {
    const s = STAND_INS.gcp['workload-identity'];
    const login = s.login(ctx);
    const provider = login.projectVariables.GCP_WORKLOAD_IDENTITY_PROVIDER!;
    const serviceAccount = login.projectVariables.GCP_SERVICE_ACCOUNT!;
    expect(s.reach).toBe('protected-refs');
    expect(login.user).toBe('oauth2accesstoken');
    expect(login.password.length).toBeLessThanOrEqual(72); // bcrypt checks all of it
    expect(provider).toMatch(/^projects\/\d{12}\/locations\/global\/workloadIdentityPools\/[\w-]+\/providers\/[\w-]+$/);
    expect(serviceAccount).toMatch(/^[\w-]+@[\w-]+\.iam\.gserviceaccount\.com$/);
    // Plain variables, as the GitLab step sets them: not secrets.
    expect(login.secrets).not.toContain(provider);
    const idToken = login.idToken!;
    const parts = idToken.split('.');
    expect(parts).toHaveLength(3);
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: `https://iam.googleapis.com/${provider}`, project_path: ctx.projectPath, iss: 'https://gitlab.com' });
    expect(login.secrets).toEqual(expect.arrayContaining([idToken, login.password, login.expectedAuth]));
    expect(login.service!.variables).toEqual(['GCP_STS_URL', 'GCP_IAM_CREDENTIALS_URL']);
    const other = s.login(ctx);
    expect([other.idToken, other.password]).not.toContain(idToken);
    expect(other.password).not.toBe(login.password);

    const svc = await login.service!.start();
    try {
      expect(svc.variables.GCP_STS_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/token$/);
      const first = await exchange(svc.variables, { provider, serviceAccount, idToken });
      expect([first.sts, first.iam]).toEqual([200, 200]);
      expect(first.access).toBe(login.password);
      expect(login.secrets).toContain(first.federated);
      expect(svc.problems()).toEqual([]);
      // A token GitLab did not issue: refused, and told as "other", never by value.
      const forged = await exchange(svc.variables, { provider, serviceAccount, idToken: other.idToken! });
      expect(forged.sts).toBe(400);
      expect(svc.problems()).toEqual([expect.stringMatching(/^STS: subject_token is not the ID token/), expect.stringMatching(/^IAM: /)]);
      const calls = svc.calls();
      expect(calls.map((c) => [c.endpoint, c.path, c.carried])).toEqual([
        ['sts', '/v1/token', { audience: '//iam.googleapis.com/$GCP_WORKLOAD_IDENTITY_PROVIDER', subject_token: '$GCP_ID_TOKEN (the ID token given to the job)' }],
        ['iam-credentials', '/v1/projects/-/serviceAccounts/$GCP_SERVICE_ACCOUNT:generateAccessToken', { authorization: 'Bearer (the federated token STS issued)' }],
        ['sts', '/v1/token', { audience: '//iam.googleapis.com/$GCP_WORKLOAD_IDENTITY_PROVIDER', subject_token: 'other' }],
        ['iam-credentials', '/v1/projects/-/serviceAccounts/$GCP_SERVICE_ACCOUNT:generateAccessToken', { authorization: 'other' }],
      ]);
      const text = JSON.stringify(calls);
      for (const secret of [...login.secrets, ...other.secrets]) expect(text).not.toContain(secret);
    } finally {
      await svc.stop();
    }

    // --wrong-credential: the stand-in issues an access token the registry does not take.
    const wrong = s.login({ ...ctx, wrong: true });
    const wrongSvc = await wrong.service!.start();
    try {
      const w = await exchange(wrongSvc.variables, {
        provider: wrong.projectVariables.GCP_WORKLOAD_IDENTITY_PROVIDER!, serviceAccount: wrong.projectVariables.GCP_SERVICE_ACCOUNT!, idToken: wrong.idToken!,
      });
      expect(w.iam).toBe(200);
      expect(w.access).not.toBe(wrong.password);
      expect(wrong.secrets).toContain(w.access);
    } finally {
      await wrongSvc.stop();
    }
  });

  it('says what it cannot run with workload identity: the kaniko builder and the retag job (Google keychains)', () => {
    const { cannotRun } = STAND_INS.gcp['workload-identity'];
    expect(Object.keys(cannotRun.builders)).toEqual(['kaniko']);
    expect(Object.keys(cannotRun.roles)).toEqual(['retag']);
    expect(cannotRun.builders.kaniko).toMatch(/keychain/);
    expect(cannotRun.roles.retag).toMatch(/gcrane/);
    for (const [platform, auths] of Object.entries(STAND_INS))
      for (const [auth, entry] of Object.entries(auths))
        if (platform !== 'gcp' || auth !== 'workload-identity') expect('cannotRun' in entry, `${platform}/${auth}`).toBe(false);
  });

  /** The composed pipeline of a variant, jobs resolved (extends, !reference), as gitlab-ci-local --preview gives it. */
  function preview(overlays: string[]): string {
    const read = (path: string) => readFileSync(join(ROOT, 'template', path), 'utf8');
    const ci = parseCi(composeVariant(read('_gitlab-ci.yml'), overlays.map((name) => ({ name, text: read(`ci-overlays/${name}.yml`) }))));
    return stringify({ variables: ci.variables, stages: ci.stages, ...Object.fromEntries(jobNames(ci).map((n) => [n, resolveJob(ci, n)])) });
  }

  it('agrees with every composed pipeline variant it has a stand-in for, and tells each from the others', () => {
    const standIns = entries.map((e) => ({ ...e, s: standInOf(e.platform, e.auth)! })).filter((e): e is typeof e & { s: StandIn } => hasStandIn(e.s));
    expect(standIns.map((e) => `${e.platform}/${e.auth}`)).toEqual(expect.arrayContaining(['onprem/robot-account', 'gcp/key', 'gcp/workload-identity', 'gitlab/job-token']));
    for (const v of variantsOf()) {
      const own = standIns.find((e) => e.platform === v.platform && e.auth === v.auth);
      if (!own) continue;
      const read = variablesReferenced(readPipeline(preview(v.overlays)), loginVariables());
      expect(loginDisagreement(own.platform, own.auth, own.s, read), v.id).toBeNull();
      for (const other of standIns.filter((e) => e !== own)) {
        const line = loginDisagreement(other.platform, other.auth, other.s, read);
        expect(line, `${v.id} read as ${other.platform}/${other.auth}`).toMatch(new RegExp(`^the pipeline .*says platform ${other.platform} \\(auth ${other.auth}\\)`));
        expect(line, 'one line').not.toContain('\n');
      }
    }
  });

  it('finds variable references, not names in words or longer names', () => {
    const info = readPipeline(`
j:
  script:
    - 'echo "$CI_REGISTRY_USER" "\${CI_REGISTRY:-}"'
    - '# CI_REGISTRY_PASSWORD is the job token; $CI_REGISTRY_PASSWORD_FILE is another'
`);
    expect(variablesReferenced(info, ['CI_REGISTRY', 'CI_REGISTRY_USER', 'CI_REGISTRY_PASSWORD', 'CI_JOB_TOKEN'])).toEqual(['CI_REGISTRY', 'CI_REGISTRY_USER']);
  });
});
