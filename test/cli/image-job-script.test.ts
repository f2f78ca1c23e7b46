/**
 * The image jobs' own shell (before_script + script, as GitLab concatenates
 * them, after `extends` and `!reference`), run in dash and in busybox sh for
 * each kind of pipeline, with the builder replaced by a recorder: which
 * flags kaniko or buildah get (push or --no-push, tags, layer cache, base
 * image through the mirror), whether the credential is read at all, and the
 * one-line errors. Stand-ins, named: `/kaniko/executor` is rewritten to a
 * recording script's path, `buildah` is a recording script on PATH; what the
 * real builders do with these flags is the e2e suite's part.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCi, resolveJob, scriptOf } from '../support/gitlab-ci-check.js';
import { create, removeDir, tempDir } from '../support/cli.js';

const REGISTRY = { onprem: 'harbor.acme.io/ml/p', gcp: 'europe-west4-docker.pkg.dev/acme/ml/p' } as const;
const HARBOR_CRED = Buffer.from(JSON.stringify({ auths: { 'harbor.acme.io': { auth: Buffer.from('robot$p+ci:s3cret-value').toString('base64') } } })).toString('base64');
const GCP_CRED = Buffer.from(JSON.stringify({ type: 'service_account', private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' })).toString('base64');

let work: string;
let busyboxBin: string;
beforeAll(async () => {
  work = tempDir('cmp-imagejob-');
  busyboxBin = join(work, 'busybox-bin');
  mkdirSync(busyboxBin);
  const busybox = (await execa('sh', ['-c', 'command -v busybox'])).stdout.trim();
  for (const applet of ['sh', 'base64', 'grep', 'mkdir', 'tr', 'cat', 'sed', 'head', 'cp', 'tee', 'rm', 'printf', 'echo'])
    symlinkSync(busybox, join(busyboxBin, applet));
});
afterAll(() => removeDir(work));

const SHELLS = ['dash', 'busybox sh'] as const;

interface Run {
  code: number;
  out: string;
  err: string;
  /** Each call of the builder: its arguments. */
  calls: string[][];
  /** The Docker config the credential step wrote, if any. */
  config: string | undefined;
  /** SSL_CERT_DIR as the builder saw it. */
  certDir: string | undefined;
}

describe.each([
  ['onprem', 'kaniko'],
  ['gcp', 'buildah'],
  ['onprem', 'buildah'],
  ['gcp', 'kaniko'],
] as const)('image job of %s + %s', (platform, builder) => {
  let repo: string;
  let script: string;
  let jobVars: Record<string, string>;
  const credName = platform === 'onprem' ? 'HARBOR_ROBOT_CREDS_JSON' : 'GCP_SERVICE_ACCOUNT_KEY';
  const cred = platform === 'onprem' ? HARBOR_CRED : GCP_CRED;

  beforeAll(async () => {
    const name = `${platform}-${builder}`;
    const made = await create([name, '--yes', '--no-git', '--repo-name', 'p', '--platform', platform, '--builder', builder, '--registry', REGISTRY[platform]], work);
    expect(made.exitCode, made.stderr).toBe(0);
    repo = join(work, name);
    const ci = parseCi(readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8'));
    script = scriptOf(ci, 'build:cpu-image');
    const globals = ci.variables as Record<string, unknown>;
    const value = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as { value: unknown }).value) : String(v));
    jobVars = {};
    for (const [k, v] of Object.entries(globals)) jobVars[k] = value(v);
    for (const [k, v] of Object.entries(resolveJob(ci, 'build:cpu-image').variables as Record<string, unknown>)) jobVars[k] = value(v);
  });

  /** Run the job's shell for one pipeline: `vars` are GitLab's predefined variables and the project's. */
  async function runJob(shell: (typeof SHELLS)[number], vars: Record<string, string>): Promise<Run> {
    const dir = join(work, `run-${Math.random().toString(36).slice(2)}`);
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    const calls = join(dir, 'calls');
    // The recorder: one line per call, arguments separated by a tab; exit code and output from files.
    const recorder = `#!/bin/sh\n{ for a in "$@"; do printf '%s\\t' "$a"; done; echo; } >> '${calls}'\necho "SSL_CERT_DIR=\${SSL_CERT_DIR:-}" > '${dir}/builder-env'\n[ -f '${dir}/builder-output' ] && cat '${dir}/builder-output' >&2\nexit $(cat '${dir}/builder-exit' 2>/dev/null || echo 0)\n`;
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
      REGISTRY_AUTH_FILE: join(dockerConfig, 'config.json'),
      TMPDIR: dir,
      ...vars,
    };
    const path = shell === 'dash' ? `${bin}:${process.env.PATH ?? ''}` : `${bin}:${busyboxBin}`;
    const file = shell === 'dash' ? 'sh' : join(busyboxBin, 'sh');
    if (vars.BUILDER_OUTPUT !== undefined) writeFileSync(join(dir, 'builder-output'), vars.BUILDER_OUTPUT);
    if (vars.BUILDER_EXIT !== undefined) writeFileSync(join(dir, 'builder-exit'), vars.BUILDER_EXIT);
    const result = await execa(file, ['-e', '-c', text], { env: { ...env, PATH: path }, extendEnv: false, reject: false, cwd: repo });
    const configFile = join(dockerConfig, 'config.json');
    const run: Run = {
      code: result.exitCode ?? -1,
      out: String(result.stdout),
      err: String(result.stderr),
      calls: existsSync(calls) ? readFileSync(calls, 'utf8').trimEnd().split('\n').map((l) => l.replace(/\t$/, '').split('\t')) : [],
      config: existsSync(configFile) ? readFileSync(configFile, 'utf8') : undefined,
      certDir: existsSync(join(dir, 'builder-env')) ? readFileSync(join(dir, 'builder-env'), 'utf8').trim().replace(/^SSL_CERT_DIR=/, '') : undefined,
    };
    rmSync(dir, { recursive: true, force: true });
    return run;
  }

  const pushes = (run: Run): string[] =>
    builder === 'kaniko'
      ? (run.calls[0] ?? []).flatMap((a, i, all) => (a === '--destination' ? [all[i + 1] ?? ''] : []))
      : run.calls.filter((c) => c[0] === 'push').map((c) => c[1] ?? '');
  const built = (run: Run): boolean => run.calls.some((c) => (builder === 'kaniko' ? c.includes('--context') : c[0] === 'build'));

  describe.each(SHELLS)('in %s', (shell) => {
    it('a merge request builds, pushes nothing and never reads the credential (even when it is set)', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false', [credName]: cred });
      expect(run.code, run.err).toBe(0);
      expect(built(run)).toBe(true);
      expect(pushes(run)).toEqual([]);
      if (builder === 'kaniko') expect(run.calls[0]).toContain('--no-push');
      expect(run.config).toBeUndefined();
      expect(run.out).toMatch(/^image-build: build only, nothing is pushed \(a merge request pipeline/m);
    });

    it('a push to the default branch pushes :<sha> and :latest (kaniko: with the layer cache)', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true', [credName]: cred });
      expect(run.code, run.err).toBe(0);
      expect(pushes(run)).toEqual([`${REGISTRY[platform]}/cpu:abcd1234`, `${REGISTRY[platform]}/cpu:latest`]);
      if (builder === 'kaniko') expect(run.calls[0]?.join(' ')).toContain(`--cache=true --cache-repo ${REGISTRY[platform]}/cache`);
      expect(run.config).toMatch(/"auths"/);
    });

    it('an unprotected branch without the credential builds only, and says why', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'web', CI_COMMIT_BRANCH: 'feature/x', CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false' });
      expect(run.code, run.err).toBe(0);
      expect(built(run)).toBe(true);
      expect(pushes(run)).toEqual([]);
      expect(run.out).toContain(`image-build: build only, nothing is pushed (feature/x is not protected, and the protected variable ${credName}`);
    });

    it('an unprotected branch that the (unprotected) credential reaches pushes :<sha> only, without the layer cache', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'web', CI_COMMIT_BRANCH: 'feature/x', CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false', [credName]: cred });
      expect(run.code, run.err).toBe(0);
      expect(pushes(run)).toEqual([`${REGISTRY[platform]}/cpu:abcd1234`]);
      expect(run.calls.flat()).not.toContain('--cache=true');
    });

    it('a protected branch without the credential fails with one line naming the variable', async () => {
      const run = await runJob(shell, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true' });
      expect(run.code).toBe(1);
      expect(run.err.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^ERROR: CI/CD variable ${credName} is not set`))]);
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
      const run = await runJob('busybox sh', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', ...proxy, [credName]: cred });
      expect(run.code, run.err).toBe(0);
      expect(auths(run)).toEqual({ 'gitlab.acme.io:443': { auth: proxyAuth } });
      expect(run.calls[0]).toContain('BASE_IMAGE=gitlab.acme.io:443/ml/dependency_proxy/containers/library/python:3.12-slim');
      expect(`${run.out}${run.err}`).not.toContain('job-token-0123456789');
    });

    it('a push adds the proxy beside the registry login, and the file stays valid JSON', async () => {
      const run = await runJob('dash', { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true', ...proxy, [credName]: cred });
      expect(run.code, run.err).toBe(0);
      expect(Object.keys(auths(run)).sort()).toEqual(['gitlab.acme.io:443', REGISTRY[platform].split('/')[0]].sort());
      expect(auths(run)['gitlab.acme.io:443']).toEqual({ auth: proxyAuth });
    });

    if (platform === 'onprem') {
      it('a Docker config with an empty "auths" stays valid JSON', async () => {
        const empty = Buffer.from('{ "auths": { } }').toString('base64');
        const run = await runJob('busybox sh', { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_COMMIT_REF_PROTECTED: 'true', ...proxy, [credName]: empty });
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
    it('buildah without the privileges it needs: its error, then one line saying what the runner needs', async () => {
      const run = await runJob('dash', {
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
      const run = await runJob('dash', { CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_REF_PROTECTED: 'false', BUILDER_OUTPUT: 'error building at STEP "RUN false": exit status 1\n', BUILDER_EXIT: '1' });
      expect(run.code).toBe(1);
      expect(run.err).not.toMatch(/privileged/);
    });
  }
});
