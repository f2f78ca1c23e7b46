/**
 * The image jobs' own shell (before_script + script, as GitLab concatenates
 * them, after `extends` and `!reference`), run as GitLab's runner runs it
 * (test/support/runner-shell.ts: errexit, pipefail where the shell has it,
 * umask 0000) in dash, bash (buildah's image has it) and busybox sh
 * (kaniko's debug image) for each kind of pipeline, with the builder replaced by a recorder: which
 * flags kaniko or buildah get (push or --no-push, tags, layer cache, base
 * image through the mirror), whether the credential is read at all, and the
 * one-line errors. Stand-ins, named: `/kaniko/executor` is rewritten to a
 * recording script's path, `buildah` is a recording script on PATH; what the
 * real builders do with these flags is the e2e suite's part.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCi, resolveJob, scriptOf } from '../support/gitlab-ci-check.js';
import { create, removeDir, tempDir } from '../support/cli.js';
import { MATRIX } from '../support/matrix.js';
import { RUNNER_SHELLS, runnerShells, type RunnerShell, type RunnerShells } from '../support/runner-shell.js';
import type { Platform } from '../../generators/platforms/platforms.js';

const REGISTRY: Record<Platform, string> = { onprem: 'harbor.acme.io/ml/p', gcp: 'europe-west4-docker.pkg.dev/acme/ml/p', gitlab: '$CI_REGISTRY_IMAGE' };
/** What GitLab gives every job of a project whose container registry is on (the job token is a stand-in value). */
const GITLAB_JOB = {
  CI_REGISTRY: 'registry.gitlab.acme.io',
  CI_REGISTRY_IMAGE: 'registry.gitlab.acme.io/ml/p',
  CI_REGISTRY_USER: 'gitlab-ci-token',
  CI_REGISTRY_PASSWORD: 'glcbt-64_job-token-value',
};
const HARBOR_CRED = Buffer.from(JSON.stringify({ auths: { 'harbor.acme.io': { auth: Buffer.from('robot$p+ci:s3cret-value').toString('base64') } } })).toString('base64');
const GCP_CRED = Buffer.from(JSON.stringify({ type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' })).toString('base64');

let work: string;
let shells: RunnerShells;
let busyboxBin: string;
beforeAll(async () => {
  work = tempDir('cmp-imagejob-');
  shells = await runnerShells(work);
  // Only the applets the jobs use: a tool the script needs and the image lacks fails here.
  busyboxBin = shells.busybox(['base64', 'grep', 'mkdir', 'tr', 'cat', 'sed', 'head', 'cp', 'tee', 'rm', 'printf', 'echo']);
});
afterAll(() => removeDir(work));

const SHELLS = RUNNER_SHELLS;

interface Run {
  code: number;
  out: string;
  err: string;
  /** Each call of the builder: its arguments. */
  calls: string[][];
  /** The Docker config the credential step wrote, if any, and its permission bits. */
  config: string | undefined;
  configMode: number | undefined;
  /** SSL_CERT_DIR as the builder saw it. */
  certDir: string | undefined;
  /** The file GOOGLE_APPLICATION_CREDENTIALS named when the builder ran, if any. */
  google: string | undefined;
}

/**
 * Per platform and auth: the variables that carry the credential when it is set, the
 * one-line messages naming them, and where the builder finds the login. The job token
 * (gitlab) is in every job, like GitLab's; workload identity with buildah trades the
 * token over HTTP, which test/cli/gcp-workload-identity.test.ts runs against a stand-in.
 */
interface CredentialCase {
  given: Record<string, string>;
  /** The message of an unprotected ref without them, and of a protected one; undefined: the job's own credentials. */
  missing: { buildOnly: string; error: RegExp } | undefined;
  /** Where the login is: a Docker config entry for the registry host, or Google's credentials file. */
  login: 'docker-config' | 'google-credentials';
}
const CREDENTIAL_CASES: Record<string, CredentialCase> = {
  'onprem:robot-account': {
    given: { HARBOR_ROBOT_CREDS_JSON: HARBOR_CRED },
    missing: { buildOnly: 'the protected variable HARBOR_ROBOT_CREDS_JSON', error: /^ERROR: CI\/CD variable HARBOR_ROBOT_CREDS_JSON is not set/ },
    login: 'docker-config',
  },
  'gcp:key': {
    given: { GCP_SERVICE_ACCOUNT_KEY: GCP_CRED },
    missing: { buildOnly: 'the protected variable GCP_SERVICE_ACCOUNT_KEY', error: /^ERROR: CI\/CD variable GCP_SERVICE_ACCOUNT_KEY is not set/ },
    login: 'docker-config',
  },
  'gcp:workload-identity': {
    given: {
      GCP_WORKLOAD_IDENTITY_PROVIDER: 'projects/123456789/locations/global/workloadIdentityPools/gitlab/providers/gitlab-com',
      GCP_SERVICE_ACCOUNT: 'ci-images@acme.iam.gserviceaccount.com',
      GCP_ID_TOKEN: 'eyJhbGciOiJSUzI1NiJ9.stand-in-id-token.sig',
    },
    missing: {
      buildOnly: 'the protected variables GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT',
      error: /^ERROR: CI\/CD variables GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT must both be set/,
    },
    login: 'google-credentials',
  },
  'gitlab:job-token': { given: {}, missing: undefined, login: 'docker-config' },
};

/** GitLab expands $VAR in a variable's value from the variables before it: the same here. */
const expand = (value: string, env: Record<string, string>): string =>
  value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (all, name: string) => env[name] ?? all);

// Workload identity with buildah makes HTTP calls: its own test, against a token stand-in.
describe.each(MATRIX.filter((e) => !(e.auth === 'workload-identity' && e.builder === 'buildah')))('image job of $id', (entry) => {
  const { platform, builder } = entry;
  let repo: string;
  let script: string;
  let jobVars: Record<string, string>;
  const credential = CREDENTIAL_CASES[`${platform}:${entry.auth}`];
  if (credential === undefined) throw new Error(`no credential case for ${entry.id}: add one to CREDENTIAL_CASES`);
  const cred = credential.given;
  const registry = expand(REGISTRY[platform], GITLAB_JOB);
  const always = platform === 'gitlab' ? GITLAB_JOB : {};

  beforeAll(async () => {
    const name = entry.id;
    const made = await create([name, '--yes', '--no-git', '--repo-name', 'p', ...entry.flags.slice(0, -2), '--registry', REGISTRY[platform]], work);
    expect(made.exitCode, made.stderr).toBe(0);
    repo = join(work, name);
    const ci = parseCi(readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8'));
    script = scriptOf(ci, 'build:cpu-image');
    const globals = ci.variables as Record<string, unknown>;
    const value = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as { value: unknown }).value) : String(v));
    jobVars = {};
    for (const [k, v] of Object.entries(globals)) jobVars[k] = expand(value(v), { ...always, ...jobVars });
    for (const [k, v] of Object.entries(resolveJob(ci, 'build:cpu-image').variables as Record<string, unknown>)) jobVars[k] = expand(value(v), { ...always, ...jobVars });
  });

  /** Run the job's shell for one pipeline: `vars` are GitLab's predefined variables and the project's. */
  async function runJob(shell: RunnerShell, vars: Record<string, string>): Promise<Run> {
    const dir = join(work, `run-${Math.random().toString(36).slice(2)}`);
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const calls = join(dir, 'calls');
    // The recorder: one line per call, arguments separated by a tab; exit code and output from files.
    const recorder = `#!/bin/sh\n{ for a in "$@"; do printf '%s\\t' "$a"; done; echo; } >> '${calls}'\necho "SSL_CERT_DIR=\${SSL_CERT_DIR:-}" > '${dir}/builder-env'\n[ -n "\${GOOGLE_APPLICATION_CREDENTIALS:-}" ] && cp "$GOOGLE_APPLICATION_CREDENTIALS" '${dir}/google-credentials'\n[ -f '${dir}/builder-output' ] && cat '${dir}/builder-output' >&2\nexit $(cat '${dir}/builder-exit' 2>/dev/null || echo 0)\n`;
    writeFileSync(join(bin, builder === 'kaniko' ? 'executor' : 'buildah'), recorder);
    chmodSync(join(bin, builder === 'kaniko' ? 'executor' : 'buildah'), 0o755);
    const dockerConfig = join(dir, 'docker');
    const text = script.replaceAll('/kaniko/executor', join(bin, 'executor'));
    const env: Record<string, string> = {
      ...jobVars,
      CI_PROJECT_DIR: repo,
      CI_COMMIT_SHORT_SHA: 'abcd1234',
      CI_DEFAULT_BRANCH: 'main',
      DOCKER_CONFIG: dockerConfig,
      // Only buildah's job sets it (its overlay): what it reads its login from.
      ...(builder === 'buildah' ? { REGISTRY_AUTH_FILE: join(dockerConfig, 'config.json') } : {}),
      TMPDIR: dir,
      ...always,
      ...vars,
    };
    if (vars.BUILDER_OUTPUT !== undefined) writeFileSync(join(dir, 'builder-output'), vars.BUILDER_OUTPUT);
    if (vars.BUILDER_EXIT !== undefined) writeFileSync(join(dir, 'builder-exit'), vars.BUILDER_EXIT);
    const result = await shells.run(shell, text, { env, cwd: repo, path: [bin, ...(shell === 'busybox sh' ? [busyboxBin] : shells.tools(shell))] });
    const configFile = join(dockerConfig, 'config.json');
    const run: Run = {
      code: result.code,
      out: result.out,
      err: result.err,
      calls: existsSync(calls) ? readFileSync(calls, 'utf8').trimEnd().split('\n').map((l) => l.replace(/\t$/, '').split('\t')) : [],
      config: existsSync(configFile) ? readFileSync(configFile, 'utf8') : undefined,
      configMode: existsSync(configFile) ? statSync(configFile).mode & 0o777 : undefined,
      google: existsSync(join(dir, 'google-credentials')) ? readFileSync(join(dir, 'google-credentials'), 'utf8') : undefined,
      certDir: existsSync(join(dir, 'builder-env')) ? readFileSync(join(dir, 'builder-env'), 'utf8').trim().replace(/^SSL_CERT_DIR=/, '') : undefined,
    };
    rmSync(dir, { recursive: true, force: true });
    return run;
  }

  const pushes = (run: Run): string[] =>
    builder === 'kaniko'
      ? (run.calls[0] ?? []).flatMap((a, i, all) => (a === '--destination' ? [all[i + 1] ?? ''] : []))
      : run.calls.filter((c) => c[0] === 'push').map((c) => c[c.length - 1] ?? '');
  /** Where the builder was asked to write the digest of the :<sha> push (the cluster jobs read it). */
  const digestFiles = (run: Run): string[] =>
    run.calls.flatMap((c) => c.flatMap((a, i) => (a === (builder === 'kaniko' ? '--digest-file' : '--digestfile') ? [c[i + 1] ?? ''] : [])));
  const built = (run: Run): boolean => run.calls.some((c) => (builder === 'kaniko' ? c.includes('--context') : c[0] === 'build'));

  describe.each(SHELLS)('in %s', (shell) => {
    it('a merge request builds, pushes nothing and never reads the credential (even when it is set)', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false', ...cred });
      expect(run.code, run.err).toBe(0);
      expect(built(run)).toBe(true);
      expect(pushes(run)).toEqual([]);
      if (builder === 'kaniko') expect(run.calls[0]).toContain('--no-push');
      expect(run.config).toBeUndefined();
      expect(run.out).toMatch(/^image-build: build only, nothing is pushed \(a merge request pipeline/m);
      expect(digestFiles(run)).toEqual([]);
      // The artifact folder still has a file to upload (no "No files to upload" on GitLab).
      expect(existsSync(join(repo, 'image-digests/.keep'))).toBe(true);
    });

    it('a push to the default branch pushes :<sha> and :latest (kaniko: with the layer cache)', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true', ...cred });
      expect(run.code, run.err).toBe(0);
      expect(pushes(run)).toEqual([`${registry}/cpu:abcd1234`, `${registry}/cpu:latest`]);
      // The digest of the :<sha> push, once, in the artifact the cluster jobs read.
      expect(digestFiles(run)).toEqual([join(repo, 'image-digests/cpu')]);
      if (builder === 'kaniko') expect(run.calls[0]?.join(' ')).toContain(`--cache=true --cache-repo ${registry}/cache`);
      if (credential.login === 'docker-config') {
        const auths = (JSON.parse(run.config ?? '{}') as { auths?: Record<string, unknown> }).auths ?? {};
        expect(Object.keys(auths)).toContain(registry.split('/')[0]);
        // Written under the runner's umask 0000, yet readable by the job's user only (a Dockerfile's RUN under USER may not).
        expect(run.configMode?.toString(8)).toBe('600');
        expect(run.google).toBeUndefined();
      } else {
        // kaniko reads Google's credentials file (its Google keychain trades the token); no Docker config login.
        expect(run.config).toBeUndefined();
        const file = JSON.parse(run.google ?? '{}') as Record<string, unknown>;
        expect(file).toMatchObject({ type: 'external_account', audience: `//iam.googleapis.com/${cred.GCP_WORKLOAD_IDENTITY_PROVIDER}` });
      }
      if (platform === 'gitlab')
        expect(JSON.parse(run.config ?? '{}')).toEqual({ auths: { [GITLAB_JOB.CI_REGISTRY]: { auth: Buffer.from(`gitlab-ci-token:${GITLAB_JOB.CI_REGISTRY_PASSWORD}`).toString('base64') } } });
      // No credential value reaches the log.
      for (const value of [cred.HARBOR_ROBOT_CREDS_JSON, cred.GCP_SERVICE_ACCOUNT_KEY, cred.GCP_ID_TOKEN, GITLAB_JOB.CI_REGISTRY_PASSWORD])
        if (value !== undefined) expect(`${run.out}${run.err}`).not.toContain(value);
    });

    if (credential.missing === undefined) {
      it("an unprotected branch builds only, though the job token reaches it: :<sha> stays a build of a protected ref", async () => {
        const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'web', CI_COMMIT_BRANCH: 'feature/x', CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false' });
        expect(run.code, run.err).toBe(0);
        expect(built(run)).toBe(true);
        expect(pushes(run)).toEqual([]);
        expect(run.out).toContain("image-build: build only, nothing is pushed (feature/x is not protected: only protected branches and tags push to the project's registry)");
      });

      it('a project without its container registry (no CI_REGISTRY_PASSWORD) fails with one line saying what to enable', async () => {
        const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true', CI_REGISTRY_PASSWORD: '' });
        expect(run.code).toBe(1);
        expect(run.err.trim().split('\n')).toEqual([expect.stringMatching(/^ERROR: this job has no CI_REGISTRY_PASSWORD: enable the project's container registry/)]);
        expect(run.calls).toEqual([]);
      });
      return;
    }
    const missing = credential.missing;

    it('an unprotected branch without the credential builds only, and says why', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'web', CI_COMMIT_BRANCH: 'feature/x', CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false' });
      expect(run.code, run.err).toBe(0);
      expect(built(run)).toBe(true);
      expect(pushes(run)).toEqual([]);
      expect(run.out).toContain(`image-build: build only, nothing is pushed (feature/x is not protected, and ${missing.buildOnly}`);
    });

    it('an unprotected branch that the (unprotected) credential reaches pushes :<sha> only, without the layer cache', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'web', CI_COMMIT_BRANCH: 'feature/x', CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false', ...cred });
      expect(run.code, run.err).toBe(0);
      expect(pushes(run)).toEqual([`${registry}/cpu:abcd1234`]);
      expect(run.calls.flat()).not.toContain('--cache=true');
    });

    if (platform === 'gcp' && entry.auth === 'key') {
      it('a key cut short (its base64 invalid, though what decodes names a private_key) fails with one line, in every shell alike', async () => {
        expect(GCP_CRED.length % 4).toBe(0);
        const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true', GCP_SERVICE_ACCOUNT_KEY: GCP_CRED.slice(0, -2) });
        expect(run.code).toBe(1);
        expect(run.err.trim().split('\n')).toEqual([expect.stringMatching(/^ERROR: GCP_SERVICE_ACCOUNT_KEY must be the base64 of a service account key JSON file/)]);
        expect(run.calls).toEqual([]);
        expect(run.config).toBeUndefined();
      });
    }

    it('a protected branch without the credential fails with one line naming the variable', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true' });
      expect(run.code).toBe(1);
      expect(run.err.trim().split('\n')).toEqual([expect.stringMatching(missing.error)]);
      expect(run.calls).toEqual([]);
    });
  });

  it.each([
    ['python:3.12-slim', 'mirror.acme.io/hub/library/python:3.12-slim'],
    ['nvidia/cuda:12.8.0-runtime-ubuntu24.04', 'mirror.acme.io/hub/nvidia/cuda:12.8.0-runtime-ubuntu24.04'],
    ['docker.io/library/python:3.11', 'mirror.acme.io/hub/library/python:3.11'],
    ['"python:3.13-slim"', 'mirror.acme.io/hub/library/python:3.13-slim'],
    ['ghcr.io/acme/base:1', undefined],
    ['localhost:5000/base:1', undefined],
  ])('base image %s comes through DOCKER_HUB_MIRROR as %s', async (base, expected) => {
    const dockerfile = join(repo, 'docker/p-cpu.Dockerfile');
    const original = readFileSync(dockerfile, 'utf8');
    try {
      writeFileSync(dockerfile, original.replace(/^ARG BASE_IMAGE=.*$/m, `ARG BASE_IMAGE=${base}`));
      const run = await runJob('busybox sh', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', DOCKER_HUB_MIRROR: 'mirror.acme.io/hub/' });
      expect(run.code, run.err).toBe(0);
      const args = run.calls[0] ?? [];
      const arg = args.find((a, i) => args[i - 1] === '--build-arg' && a.startsWith('BASE_IMAGE='));
      expect(arg).toBe(expected === undefined ? undefined : `BASE_IMAGE=${expected}`);
    } finally {
      writeFileSync(dockerfile, original);
    }
  });

  describe.each(SHELLS)('the Dockerfile under pipefail (%s)', (shell) => {
    it('a DOCKERFILE missing from the checkout: one ERROR line naming it, nothing built', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', DOCKERFILE: 'docker/p-missing.Dockerfile' });
      expect(run.code).toBe(1);
      expect(run.err.trim().split('\n')).toEqual([
        'ERROR: docker/p-missing.Dockerfile (DOCKERFILE of this job) is not in this commit: add it, or correct DOCKERFILE in .gitlab-ci.yml; see docs/pipeline.md.',
      ]);
      expect(run.calls).toEqual([]);
    });

    it("the first ARG BASE_IMAGE= of many is the base image, though they are more than a pipe holds (a reader that stops at the first line would kill the writer with SIGPIPE, which pipefail makes the job's failure)", async () => {
      const dockerfile = join(repo, 'docker/p-cpu.Dockerfile');
      const original = readFileSync(dockerfile, 'utf8');
      try {
        const more = 'ARG BASE_IMAGE=docker.io/library/python:3.11-slim\n'.repeat(40_000);
        writeFileSync(dockerfile, original.replace(/^ARG BASE_IMAGE=.*$/m, (line) => `${line}\n${more}`));
        const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false' });
        expect(run.code, run.err).toBe(0);
        expect(run.calls[0]).toContain('BASE_IMAGE=docker.io/library/python:3.12-slim');
      } finally {
        writeFileSync(dockerfile, original);
      }
    });
  });

  describe("DOCKER_HUB_MIRROR on GitLab's Dependency Proxy", () => {
    const proxy = {
      CI_DEPENDENCY_PROXY_SERVER: 'gitlab.acme.io:443',
      CI_DEPENDENCY_PROXY_USER: 'gitlab-ci-token',
      CI_DEPENDENCY_PROXY_PASSWORD: 'job-token-0123456789',
      DOCKER_HUB_MIRROR: 'gitlab.acme.io:443/ml/dependency_proxy/containers',
    };
    const proxyAuth = Buffer.from('gitlab-ci-token:job-token-0123456789').toString('base64');
    const auths = (run: Run): Record<string, { auth: string }> => (JSON.parse(run.config ?? '{}') as { auths: Record<string, { auth: string }> }).auths;

    it('a merge request logs in to it with the job token (and to nothing else), and pulls the base image through it', async () => {
      const run = await runJob('busybox sh', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', ...proxy, ...cred });
      expect(run.code, run.err).toBe(0);
      expect(auths(run)).toEqual({ 'gitlab.acme.io:443': { auth: proxyAuth } });
      expect(run.calls[0]).toContain('BASE_IMAGE=gitlab.acme.io:443/ml/dependency_proxy/containers/library/python:3.12-slim');
      expect(`${run.out}${run.err}`).not.toContain('job-token-0123456789');
    });

    it('a push adds the proxy beside the registry login, and the file stays valid JSON', async () => {
      const run = await runJob('dash', { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true', ...proxy, ...cred });
      expect(run.code, run.err).toBe(0);
      const login = credential.login === 'docker-config' ? [registry.split('/')[0]] : [];
      expect(Object.keys(auths(run)).sort()).toEqual(['gitlab.acme.io:443', ...login].sort());
      expect(auths(run)['gitlab.acme.io:443']).toEqual({ auth: proxyAuth });
    });

    if (platform === 'onprem') {
      it('a Docker config with an empty "auths" stays valid JSON', async () => {
        const empty = Buffer.from('{ "auths": { } }').toString('base64');
        const run = await runJob('busybox sh', { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true', ...proxy, HARBOR_ROBOT_CREDS_JSON: empty });
        expect(auths(run)).toEqual({ 'gitlab.acme.io:443': { auth: proxyAuth } });
      });
    }

    it('another mirror gets no Dependency Proxy login', async () => {
      const run = await runJob('dash', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', ...proxy, DOCKER_HUB_MIRROR: 'harbor.acme.io/dockerhub-proxy' });
      expect(run.config).toBeUndefined();
    });
  });

  it('the default mirror is Docker Hub itself', async () => {
    const run = await runJob('dash', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false' });
    expect(run.calls[0]).toContain('BASE_IMAGE=docker.io/library/python:3.12-slim');
  });

  it('REGISTRY_CA_FILE (a File variable) is added to the trusted CAs; a file without a certificate is one error line', async () => {
    const pem = join(work, `${platform}-${builder}-ca.pem`);
    writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const run = await runJob('dash', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', REGISTRY_CA_FILE: pem, SSL_CERT_DIR: '/kaniko/ssl/certs' });
    expect(run.code, run.err).toBe(0);
    expect(run.certDir).toMatch(/^\/kaniko\/ssl\/certs:\/\S+\/registry-ca$/);
    const plain = await runJob('dash', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false' });
    expect(plain.certDir).toBe('');
    writeFileSync(pem, 'not a certificate\n');
    const bad = await runJob('dash', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', REGISTRY_CA_FILE: pem });
    expect(bad.code).toBe(1);
    expect(bad.err.trim().split('\n')).toEqual([expect.stringMatching(/^ERROR: REGISTRY_CA_FILE must be a CI\/CD variable of type File/)]);
  });

  if (builder === 'buildah') {
    // buildah's image has bash: the runner runs its job in bash, with pipefail.
    describe.each(SHELLS)('buildah failing (%s)', (shell) => {
      it('buildah without the privileges it needs: its error, then one line saying what the runner needs', async () => {
        const run = await runJob(shell, {
          CI_PIPELINE_SOURCE: 'merge_request_event',
          CI_COMMIT_REF_PROTECTED: 'false',
          BUILDER_OUTPUT: 'Error during unshare(CLONE_NEWUSER): Operation not permitted\n',
          BUILDER_EXIT: '125',
        });
        expect(run.code).toBe(125);
        expect(run.out).toContain('Error during unshare(CLONE_NEWUSER): Operation not permitted');
        expect(run.err.trim().split('\n')).toEqual([expect.stringMatching(/^ERROR: buildah cannot run in this job's container: the runner must be privileged, or give it cap_add = \["SYS_ADMIN"\]/)]);
      });

      it('another buildah failure keeps its exit code and adds no privileges hint', async () => {
        const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', BUILDER_OUTPUT: 'error building at STEP "RUN false": exit status 1\n', BUILDER_EXIT: '1' });
        expect(run.code).toBe(1);
        expect(run.err).not.toMatch(/privileged/);
      });
    });
  }
});
