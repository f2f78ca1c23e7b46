/**
 * `--platform gcp --gcp-auth workload-identity`: the pipeline's own
 * `.registry-auth` step (and the jobs around it), taken from the generated
 * .gitlab-ci.yml and run as GitLab's runner runs a job script
 * (test/support/runner-shell.ts: errexit, pipefail where the shell has it,
 * and the Docker executor's umask 0000; under pipefail,
 * `x=$(curl -f ... | sed ...)` would end the job with curl's status before
 * any line that explains it, which a run with `sh -e` alone does not show) in
 * dash, busybox sh and, for buildah's image, bash, on a PATH that holds only
 * the tools the step uses.
 *
 * Stand-ins, named:
 * - the token stand-in (test/support/google-token-stand-in.ts) plays Google's
 *   STS and IAM Credentials on 127.0.0.1 over plain HTTP; it checks the
 *   requests' form and answers with Google's field names, but verifies no
 *   ID token and evaluates no attribute condition or IAM policy (a test
 *   makes it refuse instead), and has no TLS;
 * - `buildah`, `/kaniko/executor` and `gcrane` are recorders of their
 *   arguments, of the Google credential file they are given and of the
 *   Docker config buildah reads (what the real tools do with them is the
 *   e2e suite's part, and Google's);
 * - google-auth-library, Google's Node client library, stands in for the Go
 *   library kaniko and gcrane use (golang.org/x/oauth2/google through
 *   go-containerregistry's google.Keychain): both implement Google's
 *   external_account file (AIP-4117) and make the same two calls, but that
 *   the Go library reads this file the same way is not run here (no Go
 *   toolchain, and neither tool is in Debian or on npm).
 * What is not proven here: that Google accepts a real GitLab ID token for a
 * real provider (that needs Google), and the images' own shells and curl.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseCi, resolveJob, scriptOf } from '../support/gitlab-ci-check.js';
import { create, removeDir, ROOT, tempDir } from '../support/cli.js';
import { gitlabIdToken, startTokenStandIn, type TokenStandIn } from '../support/google-token-stand-in.js';
import { runnerShells, type RunnerShell, type RunnerShells } from '../support/runner-shell.js';

const REGISTRY = 'europe-west4-docker.pkg.dev/acme-ml/images/p';
const REGISTRY_HOST = 'europe-west4-docker.pkg.dev';
const PROVIDER = 'projects/123456789012/locations/global/workloadIdentityPools/gitlab-pool/providers/gitlab-com';
const SERVICE_ACCOUNT = 'ci-images@acme-ml.iam.gserviceaccount.com';
const ID_TOKEN = gitlabIdToken(PROVIDER);

/**
 * What `gcloud iam workload-identity-pools create-cred-config PROVIDER
 * --service-account=SERVICE_ACCOUNT --credential-source-file=FILE
 * --output-file=OUT` wrote, recorded with Google Cloud SDK 528.0.0 on
 * 2026-12-01 (FILE shown as <FILE>). Where gcloud is installed, the test
 * also runs it and compares with this record.
 */
const GCLOUD_528_CRED_CONFIG = {
  universe_domain: 'googleapis.com',
  type: 'external_account',
  audience: `//iam.googleapis.com/${PROVIDER}`,
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
  token_url: 'https://sts.googleapis.com/v1/token',
  credential_source: { file: '<FILE>' },
  service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
};

/** The tools the jobs' scripts call (echo and printf are built into the shells), linked one by one into a bin folder: nothing else is on PATH. */
const TOOLS = ['base64', 'cat', 'cp', 'grep', 'head', 'mkdir', 'rm', 'sed', 'tee', 'tr'];

type Shell = RunnerShell;

let work: string;
let runner: RunnerShells;
let standIn: TokenStandIn;
let gnuBin: string;
let busyboxBin: string;
let curlBin: string;
const repos = {} as Record<'kaniko' | 'buildah', { dir: string; ci: Record<string, unknown>; auth: string }>;

function linkTools(dir: string, tools: string[], target: (tool: string) => string): string {
  mkdirSync(dir, { recursive: true });
  for (const tool of tools) symlinkSync(target(tool), join(dir, tool));
  return dir;
}

async function which(tool: string): Promise<string> {
  return (await execa('sh', ['-c', `command -v ${tool}`])).stdout.trim();
}

beforeAll(async () => {
  work = tempDir('cmp-wif-');
  standIn = await startTokenStandIn({ provider: PROVIDER, serviceAccount: SERVICE_ACCOUNT, idToken: ID_TOKEN });
  const busybox = await which('busybox');
  runner = await runnerShells(work);
  const gnu: Record<string, string> = {};
  for (const tool of TOOLS) gnu[tool] = await which(tool);
  gnuBin = linkTools(join(work, 'gnu-bin'), TOOLS, (t) => gnu[t] ?? t);
  busyboxBin = linkTools(join(work, 'busybox-bin'), TOOLS, () => busybox);
  const curl = await which('curl');
  curlBin = linkTools(join(work, 'curl-bin'), ['curl'], () => curl);

  for (const builder of ['kaniko', 'buildah'] as const) {
    const name = `wif-${builder}`;
    const made = await create(
      [name, '--yes', '--no-git', '--repo-name', 'p', '--platform', 'gcp', '--gcp-auth', 'workload-identity', '--builder', builder, '--registry', REGISTRY],
      work,
    );
    expect(made.exitCode, made.stderr).toBe(0);
    const dir = join(work, name);
    const ci = parseCi(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'));
    const before = resolveJob(ci, '.registry-auth').before_script as string[];
    repos[builder] = { dir, ci, auth: before.flat(Infinity).join('\n') };
  }
});
afterAll(async () => {
  await standIn.stop();
  removeDir(work);
});
beforeEach(() => standIn.reset());

/** One call of a recorder: its name and arguments, the credential file named, the Docker config it could read. */
interface Call {
  argv: string[];
  google: string;
  /** REGISTRY_AUTH_FILE's content when it was called (buildah's login). */
  auth: string | undefined;
}

interface Run {
  code: number;
  out: string;
  err: string;
  /** Every file and folder the run left in TMPDIR and DOCKER_CONFIG, with its mode. */
  modes: Record<string, string>;
  /** The Docker config and the credential file it wrote, if any. */
  config: string | undefined;
  credentials: string | undefined;
  /** The run's TMPDIR. */
  tmp: string;
  calls: Call[];
  /** The variables after the script, as its last line printed them. */
  after: Record<string, string>;
}

interface RunOptions {
  /** buildah's job: REGISTRY_AUTH_FILE is set (by its overlay), and curl is in its image. */
  buildah?: boolean;
  /** Recorders to put on PATH, by name (`executor` replaces /kaniko/executor). */
  recorders?: string[];
}

/** The job's shell on `script`, with GitLab's predefined variables and the project's in `vars`. */
async function runScript(shell: Shell, script: string, vars: Record<string, string>, options: RunOptions = {}): Promise<Run> {
  const dir = join(work, `run-${Math.random().toString(36).slice(2)}`);
  const tmp = join(dir, 'tmp');
  const docker = join(dir, 'docker');
  const bin = join(dir, 'bin');
  mkdirSync(tmp, { recursive: true });
  mkdirSync(bin);
  const callsFile = join(dir, 'calls');
  for (const name of options.recorders ?? []) {
    // One line per call, fields separated by tabs: the arguments, then GOOGLE_APPLICATION_CREDENTIALS, then the Docker config in base64.
    writeFileSync(
      join(bin, name),
      `#!/bin/sh\n{ printf '%s' '${name}'; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\tGOOGLE=%s' "\${GOOGLE_APPLICATION_CREDENTIALS:-}"; ` +
        `if [ -f "\${REGISTRY_AUTH_FILE:-/nonexistent}" ]; then printf '\\tAUTH=%s' "$(base64 < "$REGISTRY_AUTH_FILE" | tr -d '\\n')"; fi; echo; } >> '${callsFile}'\n`,
    );
    chmodSync(join(bin, name), 0o755);
  }
  const path = [bin, ...(options.buildah ? [curlBin] : []), shell === 'busybox sh' ? busyboxBin : gnuBin];
  const rewritten = options.recorders?.includes('executor') ? script.replaceAll('/kaniko/executor', join(bin, 'executor')) : script;
  const after = 'echo "AFTER IMAGE_PUSH=${IMAGE_PUSH:-} GOOGLE_APPLICATION_CREDENTIALS=${GOOGLE_APPLICATION_CREDENTIALS:-}"';
  const result = await runner.run(shell, [rewritten, after], {
    env: {
      HOME: dir, TMPDIR: tmp, DOCKER_CONFIG: docker, IMAGE_REGISTRY: REGISTRY,
      ...(options.buildah ? { REGISTRY_AUTH_FILE: join(docker, 'config.json') } : {}),
      ...vars,
    },
    path,
    cwd: dir,
  });
  const modes: Record<string, string> = {};
  for (const root of [tmp, docker]) {
    if (!existsSync(root)) continue;
    if (root === docker) modes.docker = (statSync(root).mode & 0o777).toString(8);
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const full = join(d, name);
        modes[relative(dir, full)] = (statSync(full).mode & 0o777).toString(8);
        if (statSync(full).isDirectory()) walk(full);
      }
    };
    walk(root);
  }
  const read = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
  const out = result.out;
  const afterLine = out.split('\n').find((l) => l.startsWith('AFTER ')) ?? '';
  const calls = (read(callsFile) ?? '').split('\n').filter(Boolean).map((line): Call => {
    const fields = line.split('\t');
    const auth = fields.find((f) => f.startsWith('AUTH='));
    return {
      argv: fields.filter((f) => !f.startsWith('GOOGLE=') && !f.startsWith('AUTH=')),
      google: (fields.find((f) => f.startsWith('GOOGLE=')) ?? '').slice('GOOGLE='.length),
      auth: auth === undefined ? undefined : Buffer.from(auth.slice('AUTH='.length), 'base64').toString('utf8'),
    };
  });
  return {
    code: result.code,
    out: out.split('\n').filter((l) => !l.startsWith('AFTER ')).join('\n'),
    err: result.err,
    modes,
    config: read(join(docker, 'config.json')),
    credentials: read(join(tmp, 'gcp-workload-identity/credentials.json')),
    tmp,
    calls,
    after: Object.fromEntries([...afterLine.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1], m[2]])),
  };
}

/** The variables GitLab gives the job from the pipeline (global and job's own), but where the run writes. */
function jobVars(ci: Record<string, unknown>, job: string): Record<string, string> {
  const value = (v: unknown): string => (typeof v === 'object' && v !== null ? String((v as { value: unknown }).value) : String(v));
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...(ci.variables as object), ...(resolveJob(ci, job).variables as object | undefined) })) vars[k] = value(v);
  delete vars.DOCKER_CONFIG;
  delete vars.REGISTRY_AUTH_FILE;
  return vars;
}

/** A push to the protected default branch, with the variables the GitLab step sets and the job's ID token. */
const PUSH_VARS = {
  CI_PIPELINE_SOURCE: 'push',
  CI_COMMIT_BRANCH: 'main',
  CI_COMMIT_REF_NAME: 'main',
  CI_COMMIT_REF_PROTECTED: 'true',
  IMAGE_PUSH: 'true',
  GCP_WORKLOAD_IDENTITY_PROVIDER: PROVIDER,
  GCP_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
  GCP_ID_TOKEN: ID_TOKEN,
};

/** The tokens, in every form a leak could take: none may reach the job log. */
function leaks(run: Run): string[] {
  const secrets = {
    'ID token': ID_TOKEN,
    'ID token signature': ID_TOKEN.split('.')[2] ?? '',
    'federated token': standIn.federatedToken,
    'access token': standIn.accessToken,
    'docker auth': Buffer.from(`oauth2accesstoken:${standIn.accessToken}`).toString('base64'),
  };
  return Object.entries(secrets).flatMap(([name, value]) => (`${run.out}\n${run.err}`.includes(value) ? [name] : []));
}

/** A port on 127.0.0.1 that nothing listens on: one the system just gave and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const errorLines = (run: Run): string[] => run.err.trim().split('\n').filter((l) => l.startsWith('ERROR'));

it('the .registry-auth step is the same in the kaniko and the buildah pipeline', () => {
  expect(repos.buildah.auth).toBe(repos.kaniko.auth);
  expect(repos.kaniko.auth).toContain('GCP_STS_URL');
});

describe.each(['dash', 'bash', 'busybox sh'] as const)("buildah's job (REGISTRY_AUTH_FILE): the step trades the ID token itself (%s, with curl)", (shell) => {
  const run = (vars: Record<string, string> = {}): Promise<Run> =>
    runScript(shell, repos.buildah.auth, { ...PUSH_VARS, GCP_STS_URL: standIn.stsUrl, GCP_IAM_CREDENTIALS_URL: standIn.iamCredentialsUrl, ...vars }, { buildah: true });

  it('writes a Docker config with oauth2accesstoken:<access token> for the registry host; no token in the log; files 0600, folders 0700', async () => {
    const result = await run();
    expect(result.code, result.err).toBe(0);
    expect(standIn.problems).toEqual([]);
    expect(standIn.requests.map((r) => r.path)).toEqual(['/v1/token', `/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`]);
    const config = JSON.parse(result.config ?? '{}') as { auths: Record<string, { auth: string }> };
    expect(Object.keys(config.auths)).toEqual([REGISTRY_HOST]);
    expect(Buffer.from(config.auths[REGISTRY_HOST]!.auth, 'base64').toString()).toBe(`oauth2accesstoken:${standIn.accessToken}`);
    expect(result.out.trim()).toBe(`Registry login: workload identity federation as ${SERVICE_ACCOUNT} (no key)`);
    expect(result.err).toBe('');
    expect(leaks(result)).toEqual([]);
    // The Bearer header file is gone; what stays is readable by the job's user only, though the runner's umask is 0000.
    expect(result.modes).toEqual({
      'tmp/gcp-workload-identity': '700',
      'tmp/gcp-workload-identity/id-token': '600',
      'tmp/gcp-workload-identity/credentials.json': '600',
      docker: '700',
      'docker/config.json': '600',
    });
    expect(readFileSync(join(result.tmp, 'gcp-workload-identity/id-token'), 'utf8')).toBe(ID_TOKEN);
  });

  it("STS refuses the token (400): curl's line, then one ERROR line with Google's reason and the attribute condition; exit 1, no Docker config", async () => {
    standIn.refuse.sts = true;
    const result = await run();
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^curl: \(22\) The requested URL returned error: 400/),
      `ERROR: Google's STS did not take this job's ID token for ${PROVIDER} (The given credential is rejected by the attribute condition.): ` +
        `the provider's attribute condition must admit this project and ref, and its allowed audience be https://iam.googleapis.com/${PROVIDER}; see docs/ci-variables.md.`,
    ]);
    expect(result.config).toBeUndefined();
    expect(standIn.requests).toHaveLength(1);
    expect(leaks(result)).toEqual([]);
  });

  it('generateAccessToken refuses (403): one ERROR line about roles/iam.workloadIdentityUser; exit 1, no Docker config, no Bearer file left', async () => {
    standIn.refuse.iam = true;
    const result = await run();
    expect(result.code).toBe(1);
    expect(errorLines(result)).toEqual([
      `ERROR: no access token for ${SERVICE_ACCOUNT} (Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).): ` +
        "the pool may act as it only with roles/iam.workloadIdentityUser on it for this project's principals; see docs/ci-variables.md.",
    ]);
    expect(result.err.trim().split('\n')[0]).toMatch(/^curl: \(22\) The requested URL returned error: 403/);
    expect(result.config).toBeUndefined();
    expect(Object.keys(result.modes)).not.toContain('tmp/gcp-workload-identity/bearer');
    expect(leaks(result)).toEqual([]);
  });

  it('no answer at all (nothing listens): one ERROR line that says so', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const result = await run({ GCP_STS_URL: `${closed}/v1/token` });
    expect(result.code).toBe(1);
    expect(errorLines(result)).toEqual([expect.stringContaining(`(no answer from ${closed}/v1/token)`)]);
    expect(standIn.requests).toEqual([]);
  });
});

describe.each(['dash', 'bash', 'busybox sh'] as const)("buildah's image job (%s, with curl)", (shell) => {
  const job = (vars: Record<string, string>): Promise<Run> => {
    const { dir, ci } = repos.buildah;
    return runScript(shell, scriptOf(ci, 'build:cpu-image'), {
      ...jobVars(ci, 'build:cpu-image'), ...PUSH_VARS, CI_PROJECT_DIR: dir, CI_COMMIT_SHORT_SHA: 'abcd1234', CI_DEFAULT_BRANCH: 'main',
      GCP_STS_URL: standIn.stsUrl, GCP_IAM_CREDENTIALS_URL: standIn.iamCredentialsUrl, ...vars,
    }, { buildah: true, recorders: ['buildah'] });
  };

  it('a push to the default branch: buildah pushes :<sha> and :latest with the access token as its login', async () => {
    const result = await job({});
    expect(result.code, result.err).toBe(0);
    expect(standIn.problems).toEqual([]);
    expect(result.calls.map((c) => c.argv.slice(0, 2))).toEqual([['buildah', 'build'], ['buildah', 'push'], ['buildah', 'tag'], ['buildah', 'push']]);
    const pushes = result.calls.filter((c) => c.argv[1] === 'push');
    // The image is push's last argument (the :<sha> push also writes its digest for the cluster jobs: --digestfile FILE).
    expect(pushes.map((c) => c.argv.at(-1))).toEqual([`${REGISTRY}/cpu:abcd1234`, `${REGISTRY}/cpu:latest`]);
    expect(pushes[0]?.argv.slice(2, 3)).toEqual(['--digestfile']);
    const login = { auths: { [REGISTRY_HOST]: { auth: Buffer.from(`oauth2accesstoken:${standIn.accessToken}`).toString('base64') } } };
    for (const push of pushes) expect(JSON.parse(push.auth ?? '{}')).toEqual(login);
    expect(leaks(result)).toEqual([]);
  });

  it('a merge request builds only: no token is traded, no login written', async () => {
    const result = await job({ CI_PIPELINE_SOURCE: 'merge_request_event', CI_COMMIT_BRANCH: '', CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false' });
    expect(result.code, result.err).toBe(0);
    expect(result.calls.map((c) => c.argv[1])).toEqual(['build']);
    expect(standIn.requests).toEqual([]);
    expect(result.config).toBeUndefined();
  });
});

describe.each(['dash', 'busybox sh'] as const)('kaniko and gcrane: the step writes the credential file they read (%s, no curl)', (shell) => {
  it('writes, field for field, what gcloud create-cred-config writes; exports GOOGLE_APPLICATION_CREDENTIALS; sends nothing', async () => {
    const result = await runScript(shell, repos.kaniko.auth, PUSH_VARS);
    expect(result.code, result.err).toBe(0);
    expect(standIn.requests).toEqual([]);
    const file = join(result.tmp, 'gcp-workload-identity/id-token');
    expect(JSON.parse(result.credentials ?? '')).toEqual({ ...GCLOUD_528_CRED_CONFIG, credential_source: { file } });
    expect(result.credentials).not.toContain(ID_TOKEN);
    expect(result.after.GOOGLE_APPLICATION_CREDENTIALS).toBe(join(result.tmp, 'gcp-workload-identity/credentials.json'));
    expect(result.config).toBeUndefined();
    expect(result.modes).toEqual({
      'tmp/gcp-workload-identity': '700',
      'tmp/gcp-workload-identity/id-token': '600',
      'tmp/gcp-workload-identity/credentials.json': '600',
    });
    expect(leaks(result)).toEqual([]);
  });

  it.each([
    ['GCP_WORKLOAD_IDENTITY_PROVIDER', { GCP_WORKLOAD_IDENTITY_PROVIDER: '' }],
    ['GCP_SERVICE_ACCOUNT', { GCP_SERVICE_ACCOUNT: '' }],
    ['both', { GCP_WORKLOAD_IDENTITY_PROVIDER: '', GCP_SERVICE_ACCOUNT: '' }],
  ])('a protected ref without %s: one ERROR line naming both variables, exit 1', async (_name, missing) => {
    for (const buildah of [false, true]) {
      const result = await runScript(shell, repos.kaniko.auth, { ...PUSH_VARS, ...missing }, { buildah });
      expect(result.code).toBe(1);
      expect(result.err.trim().split('\n')).toEqual([
        'ERROR: CI/CD variables GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT must both be set (Settings > CI/CD > Variables; a protected variable reaches only protected branches and tags); see docs/ci-variables.md.',
      ]);
      expect(result.modes).toEqual({});
    }
  });

  it('an unprotected ref the variables do not reach (REGISTRY_LOGIN=if-set): build only, IMAGE_PUSH=false, nothing written', async () => {
    const result = await runScript(shell, repos.kaniko.auth, {
      ...PUSH_VARS, CI_COMMIT_REF_NAME: 'feature/x', CI_COMMIT_REF_PROTECTED: 'false', REGISTRY_LOGIN: 'if-set',
      GCP_WORKLOAD_IDENTITY_PROVIDER: '', GCP_SERVICE_ACCOUNT: '',
    }, { buildah: true });
    expect(result.code, result.err).toBe(0);
    expect(result.after.IMAGE_PUSH).toBe('false');
    expect(result.out.trim()).toBe(
      'image-build: build only, nothing is pushed (feature/x is not protected, and the protected variables GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT reach only protected branches and tags)',
    );
    expect(result.modes).toEqual({});
    expect(standIn.requests).toEqual([]);
  });

  it('a job without its ID token (GitLab before 15.7): one ERROR line', async () => {
    const result = await runScript(shell, repos.kaniko.auth, { ...PUSH_VARS, GCP_ID_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(errorLines(result)).toEqual([expect.stringMatching(/^ERROR: this job has no GCP_ID_TOKEN: GitLab issues ID tokens \(id_tokens\) from 15\.7, and expands the variable in their audience from 16\.1/)]);
  });

  it('the retag job runs `crane tag` as gcrane, which gets the file', async () => {
    const { ci } = repos.kaniko;
    expect(scriptOf(repos.buildah.ci, 'build:retag-images')).toBe(scriptOf(ci, 'build:retag-images'));
    expect((resolveJob(ci, 'build:retag-images').image as { name: string }).name).toBe('$GCRANE_IMAGE');
    const result = await runScript(shell, scriptOf(ci, 'build:retag-images'), {
      ...jobVars(ci, 'build:retag-images'), ...PUSH_VARS, IMAGE_PUSH: '', CI_COMMIT_BRANCH: '', CI_COMMIT_TAG: 'v1.0.0', CI_COMMIT_REF_NAME: 'v1.0.0', CI_COMMIT_SHORT_SHA: 'abcd1234',
    }, { recorders: ['gcrane'] });
    expect(result.code, result.err).toBe(0);
    const google = join(result.tmp, 'gcp-workload-identity/credentials.json');
    expect(result.calls).toEqual([
      { argv: ['gcrane', 'tag', `${REGISTRY}/cpu:abcd1234`, 'v1.0.0'], google, auth: undefined },
      { argv: ['gcrane', 'tag', `${REGISTRY}/gpu:abcd1234`, 'v1.0.0'], google, auth: undefined },
    ]);
    expect((JSON.parse(readFileSync(google, 'utf8')) as { audience: string }).audience).toBe(`//iam.googleapis.com/${PROVIDER}`);
    expect(standIn.requests).toEqual([]);
  });
});

describe("the credential file, against gcloud and Google's client library", () => {
  it('gcloud create-cred-config writes the recorded file (run where gcloud is installed)', async (ctx) => {
    const gcloud = await which('gcloud').catch(() => '');
    if (gcloud === '') return ctx.skip();
    const dir = join(work, 'gcloud');
    mkdirSync(dir);
    const out = join(dir, 'cred.json');
    const result = await execa(gcloud, [
      'iam', 'workload-identity-pools', 'create-cred-config', PROVIDER,
      `--service-account=${SERVICE_ACCOUNT}`, `--credential-source-file=${join(dir, 'id-token')}`, `--output-file=${out}`,
    ], {
      extendEnv: false,
      reject: false,
      // Its own config folder, no prompt, and no probe of the GCE metadata server (a DNS lookup otherwise).
      env: { PATH: process.env.PATH ?? '', HOME: dir, CLOUDSDK_CONFIG: join(dir, 'config'), CLOUDSDK_CORE_DISABLE_PROMPTS: '1', CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false' },
    });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ ...GCLOUD_528_CRED_CONFIG, credential_source: { file: join(dir, 'id-token') } });
  });

  it("google-auth-library, loading the step's file through GOOGLE_APPLICATION_CREDENTIALS, gets the access token from the stand-in", async () => {
    const result = await runScript('busybox sh', repos.kaniko.auth, { ...PUSH_VARS, GCP_STS_URL: standIn.stsUrl, GCP_IAM_CREDENTIALS_URL: standIn.iamCredentialsUrl });
    expect(result.code, result.err).toBe(0);
    const credentials = join(result.tmp, 'gcp-workload-identity/credentials.json');
    // Application Default Credentials, as kaniko's and gcrane's keychain finds them; only a hash of the token is printed.
    const program = `
      import { createHash } from 'node:crypto';
      import { GoogleAuth } from 'google-auth-library';
      const client = await new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getClient();
      const { token } = await client.getAccessToken();
      console.log(client.constructor.name, createHash('sha256').update(token ?? '').digest('hex'));
    `;
    const library = await execa(process.execPath, ['--input-type=module', '-e', program], {
      cwd: ROOT,
      extendEnv: false,
      reject: false,
      // GOOGLE_CLOUD_PROJECT: else it would look the project up on Google's Resource Manager.
      env: { PATH: process.env.PATH ?? '', HOME: result.tmp, GOOGLE_APPLICATION_CREDENTIALS: credentials, GOOGLE_CLOUD_PROJECT: 'acme-ml' },
    });
    expect(library.exitCode, String(library.stderr)).toBe(0);
    expect(standIn.problems).toEqual([]);
    expect(String(library.stdout).trim()).toBe(`IdentityPoolClient ${createHash('sha256').update(standIn.accessToken).digest('hex')}`);
    expect(standIn.requests.map((r) => r.path)).toEqual(['/v1/token', `/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`]);
  });
});
