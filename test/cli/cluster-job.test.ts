/**
 * The cluster jobs of a generated pipeline (deploy:staging, deploy:production,
 * train:cluster): their script lines as .gitlab-ci.yml has them, with the
 * pipeline's variables, running ci/cluster.sh as GitLab's runner runs a job
 * (test/support/runner-shell.ts: errexit, pipefail where the shell has it,
 * umask 0000) in dash, in busybox sh (with busybox's own awk, sed and grep),
 * and in bash with busybox's sh and tools, as in the kubectl image (alpine
 * with bash: the runner picks bash).
 *
 * The cluster is a STAND-IN: scripts/e2e/adapters/kubectl answers as a
 * cluster would from a state folder and records what it is asked to apply;
 * the objects it records are the real `kubectl kustomize` output of the
 * generated k8s/. What this does not prove: a real API server (validation,
 * RBAC, admission), scheduling, GPUs, pulling the images, the agent's
 * tunnel. test/cli/k8s-manifests.test.ts validates the manifests against
 * Kubernetes' OpenAPI schema; test/e2e/ runs the jobs in whole pipelines.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCi, resolveJob } from '../support/gitlab-ci-check.js';
import { create, removeDir, ROOT, tempDir } from '../support/cli.js';
import { RUNNER_SHELLS, runnerShells, type RunnerShell, type RunnerShells } from '../support/runner-shell.js';

const REGISTRY = 'harbor.acme.io/ml/churn';
const CONTEXT = 'ml/agents:gpu-cluster';
const TOKEN = 'kube-token-0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a';
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const STAND_IN = join(ROOT, 'scripts/e2e/adapters/kubectl');

interface Applied { kind: string; namespace: string; name: string; labels: Record<string, string>; verdict: string; images: { container: string; image: string }[] }
interface Call { args: string[]; verb: string; selector?: string | null; applied?: Applied[]; name?: string; namespace?: string }
interface Run { code: number; out: string; err: string; calls: Call[] }

let work: string;
let repo: string;
let busyboxBin: string;
let shells: RunnerShells;
let ci: Record<string, unknown>;
let globals: Record<string, string>;

beforeAll(async () => {
  work = tempDir('cmp-clusterjob-');
  const made = await create(['churn', '--yes', '--registry', REGISTRY], work);
  expect(made.exitCode, made.stderr).toBe(0);
  repo = join(work, 'churn');
  ci = parseCi(readFileSync(join(repo, '.gitlab-ci.yml'), 'utf8'));
  globals = {};
  for (const [k, v] of Object.entries(ci.variables as Record<string, unknown>))
    globals[k] = typeof v === 'object' && v !== null ? String((v as { value: unknown }).value) : String(v);
  shells = await runnerShells(work);
  busyboxBin = shells.busybox(['awk', 'sed', 'grep', 'tr', 'ls', 'sort', 'rm', 'mkdir', 'date', 'sleep', 'cat', 'tail', 'head', 'printf', 'echo', 'env']);
}, 120_000);
afterAll(() => removeDir(work));

const SHELLS = RUNNER_SHELLS;

interface Setup {
  digests?: Record<string, string>;
  vars?: Record<string, string>;
  /** Stand-in settings: Jobs that fail, Jobs an earlier pipeline left running. */
  fail?: string;
  running?: string;
  looks?: number;
  /** A state folder kept from an earlier run (the cluster as it was left). */
  state?: string;
  kubeconfig?: string | null;
}

/** Runs the script lines of `job` as GitLab would, in a fresh copy of the repo, against the stand-in. */
async function runJob(shell: RunnerShell, job: string, setup: Setup = {}): Promise<Run & { state: string }> {
  const dir = join(work, `run-${Math.random().toString(36).slice(2)}`);
  const bin = join(dir, 'bin');
  const checkout = join(dir, 'checkout');
  mkdirSync(bin, { recursive: true });
  await execa('git', ['clone', '-q', repo, checkout]);
  symlinkSync(STAND_IN, join(bin, 'kubectl'));
  symlinkSync(process.execPath, join(bin, 'node'));
  const digests = setup.digests ?? { cpu: digest(1), gpu: digest(2) };
  if (Object.keys(digests).length > 0) mkdirSync(join(checkout, 'image-digests'));
  for (const [image, d] of Object.entries(digests)) writeFileSync(join(checkout, 'image-digests', image), `${d}\n`);
  // What the image jobs also leave there (an empty file, so GitLab always has one to upload): not an image.
  if (Object.keys(digests).length > 0) writeFileSync(join(checkout, 'image-digests', '.keep'), '');
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, setup.kubeconfig ?? [
    'apiVersion: v1', 'kind: Config',
    'clusters: [{name: gpu, cluster: {server: "https://127.0.0.1:6443"}}]',
    `users: [{name: agent, user: {token: "${TOKEN}"}}]`,
    `contexts: [{name: "${CONTEXT}", context: {cluster: gpu, user: agent}}, {name: "ml/agents:other", context: {cluster: gpu, user: agent}}]`, '',
  ].join('\n'), { mode: 0o600 });
  const state = setup.state ?? join(dir, 'state');
  mkdirSync(state, { recursive: true });
  const script = resolveJob(ci, job).script as string[];
  const env: Record<string, string> = {
    ...globals,
    IMAGE_REGISTRY: REGISTRY,
    CI_PIPELINE_ID: '4242',
    KUBE_CONTEXT: CONTEXT,
    ...(setup.kubeconfig === null ? {} : { KUBECONFIG: kubeconfig }),
    CLUSTER_POLL: '0',
    KUBECTL_STAND_IN_STATE: state,
    KUBECTL_REAL: '/usr/bin/kubectl',
    ...(setup.fail ? { KUBECTL_STAND_IN_FAIL: setup.fail } : {}),
    ...(setup.running ? { KUBECTL_STAND_IN_RUNNING: setup.running } : {}),
    ...(setup.looks !== undefined ? { KUBECTL_STAND_IN_LOOKS: String(setup.looks) } : {}),
    HOME: dir,
    ...setup.vars,
  };
  // The kubectl image: busybox's sh and tools, bash as the job's shell.
  const result = await shells.run(shell, script, {
    env,
    cwd: checkout,
    path: [bin, ...(shell === 'dash' ? shells.tools(shell) : [busyboxBin])],
    ...(shell === 'bash' ? { sh: 'busybox sh' as const } : {}),
  });
  const callsFile = join(state, 'calls.jsonl');
  const calls = existsSync(callsFile) ? readFileSync(callsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Call) : [];
  return { code: result.code, out: result.out, err: result.err, calls, state };
}

const applies = (run: Run) => run.calls.filter((c) => c.verb === 'apply');
const appliedNames = (run: Run) => applies(run).map((c) => (c.applied ?? []).map((o) => `${o.kind}/${o.namespace}/${o.name}`));
const errorLines = (run: Run) => run.err.split('\n').filter((l) => l.startsWith('ERROR:'));

it("the jobs start ci/cluster.sh in a new shell (`sh ci/cluster.sh`): the script runs with its own set -eu, not the runner's pipefail", () => {
  expect(['deploy:staging', 'deploy:production', 'train:cluster'].map((job) => resolveJob(ci, job).script)).toEqual([
    ['sh ci/cluster.sh deploy staging'],
    ['sh ci/cluster.sh deploy production'],
    ['sh ci/cluster.sh run "$TRAIN_OVERLAY" $TRAIN_JOBS'],
  ]);
});

describe.each(SHELLS)('cluster jobs in %s (against a stand-in cluster)', (shell) => {
  it('deploy:staging applies the service, its storage and identity in staging, pinned to this pipeline\'s cpu digest, and waits for the rollout', async () => {
    const run = await runJob(shell, 'deploy:staging');
    expect(run.code, run.err).toBe(0);
    expect(appliedNames(run)).toEqual([['ServiceAccount/staging/mlops', 'Service/staging/serve', 'PersistentVolumeClaim/staging/workspace', 'Deployment/staging/serve']]);
    const deployment = applies(run)[0]!.applied!.find((o) => o.kind === 'Deployment')!;
    expect(deployment.images.map((i) => i.image)).toEqual([`${REGISTRY}/cpu@${digest(1)}`]);
    expect(run.calls.find((c) => c.verb === 'rollout')).toMatchObject({ name: 'serve', namespace: 'staging' });
    expect(run.out).toContain('cluster: deployed to staging (staging)');
    // Every command named the context; nothing was changed in a kubeconfig.
    for (const c of run.calls) expect(c.args.slice(0, 2)).toEqual(['--context', CONTEXT]);
    expect(run.out + run.err).not.toContain(TOKEN);
  });

  it('deploy:production applies the production overlay (two replicas) in production', async () => {
    const run = await runJob(shell, 'deploy:production');
    expect(run.code, run.err).toBe(0);
    expect(appliedNames(run)[0]).toContain('Deployment/production/serve');
    expect(run.calls.find((c) => c.verb === 'rollout')).toMatchObject({ namespace: 'production' });
  });

  it('train:cluster runs TRAIN_JOBS in order (process-data on cpu, train on gpu, by digest), each waited for, storage first and not the service', async () => {
    const run = await runJob(shell, 'train:cluster');
    expect(run.code, run.err).toBe(0);
    expect(appliedNames(run)).toEqual([
      ['ServiceAccount/staging/mlops', 'PersistentVolumeClaim/staging/workspace'],
      ['Job/staging/process-data'],
      ['Job/staging/train'],
    ]);
    const [, data, train] = applies(run);
    expect(data!.applied![0]!.images.map((i) => i.image)).toEqual([`${REGISTRY}/cpu@${digest(1)}`]);
    expect(train!.applied![0]!.images.map((i) => i.image)).toEqual([`${REGISTRY}/gpu@${digest(2)}`]);
    // process-data was complete before train was applied.
    const order = run.calls.map((c) => `${c.verb}:${c.applied?.[0]?.name ?? c.name ?? ''}`);
    expect(order.indexOf('apply:train')).toBeGreaterThan(order.lastIndexOf('get:process-data'));
    expect(run.out).toMatch(/cluster: Job process-data completed in staging/);
    expect(run.out).toMatch(/cluster: Job train completed in staging/);
    expect(run.out).toContain('--- logs of job/train in staging');
  });

  it('a second submission deletes the finished Jobs first (a Job\'s pod template cannot change) and runs the new digests', async () => {
    const first = await runJob(shell, 'train:cluster');
    expect(first.code, first.err).toBe(0);
    const second = await runJob(shell, 'train:cluster', { state: first.state, digests: { cpu: digest(3), gpu: digest(4) } });
    expect(second.code, second.err).toBe(0);
    const fresh = second.calls.slice(first.calls.length);
    expect(fresh.filter((c) => c.verb === 'delete').map((c) => c.name)).toEqual(['process-data', 'train']);
    expect(fresh.filter((c) => c.verb === 'apply').at(-1)!.applied![0]!.images[0]!.image).toBe(`${REGISTRY}/gpu@${digest(4)}`);
  });

  it('a failed Job fails the job with one ERROR line (its reason), after its logs', async () => {
    const run = await runJob(shell, 'train:cluster', { fail: 'train' });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([expect.stringMatching(/^ERROR: Job train failed in staging \(PodFailurePolicy: .*exit code 1.*\); its logs are above\./)]);
    expect(run.out).toContain('--- logs of job/train in staging (last 200 lines) ---');
  });

  it('a Job an earlier pipeline left running is not replaced: one line, nothing applied for it', async () => {
    const run = await runJob(shell, 'train:cluster', { running: 'train@staging', vars: { TRAIN_JOBS: 'train' } });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([expect.stringMatching(/^ERROR: Job train in staging still runs \(an earlier pipeline started it\)/)]);
    expect(appliedNames(run).flat()).not.toContain('Job/staging/train');
    expect(run.calls.filter((c) => c.verb === 'delete')).toEqual([]);
  });

  it('a Job that does not finish in CLUSTER_WAIT fails with its logs and says it still runs', async () => {
    const run = await runJob(shell, 'train:cluster', { looks: 1000, vars: { TRAIN_JOBS: 'train', CLUSTER_WAIT: '0' } });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([expect.stringMatching(/^ERROR: Job train did not finish in 0s \(CLUSTER_WAIT\); it still runs in staging/)]);
  });

  it('an image this pipeline did not build: one line before anything is applied', async () => {
    const run = await runJob(shell, 'train:cluster', { digests: { cpu: digest(1) } });
    expect(run.code).toBe(1);
    expect(errorLines(run)).toEqual([expect.stringMatching(/^ERROR: train runs the gpu image, which this pipeline did not build/)]);
    expect(applies(run)).toEqual([]);
  });

  it('a pin left in the overlay: the same registry is re-pinned to this pipeline\'s digest, another is refused', async () => {
    const kust = 'k8s/overlays/staging/kustomization.yaml';
    const pinned = (to: string) => `images:\n  - name: cpu\n    newName: ${to}/cpu\n    digest: ${digest(9)}\n  - name: gpu\n`;
    // The user's own commit pins the overlay (kustomize edit set image); each job runs a clone of it.
    const original = readFileSync(join(repo, kust), 'utf8');
    try {
      writeFileSync(join(repo, kust), original.replace(/images:\n {2}- name: cpu\n {2}- name: gpu\n/, pinned(REGISTRY)));
      await execa('git', ['-C', repo, 'commit', '-qam', 'pin staging'], { env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e.invalid' } });
      const same = await runJob(shell, 'deploy:staging');
      expect(same.code, same.err).toBe(0);
      expect(applies(same)[0]!.applied!.find((o) => o.kind === 'Deployment')!.images[0]!.image).toBe(`${REGISTRY}/cpu@${digest(1)}`);
      writeFileSync(join(repo, kust), original.replace(/images:\n {2}- name: cpu\n {2}- name: gpu\n/, pinned('other.example.com/x')));
      await execa('git', ['-C', repo, 'commit', '-qam', 'pin elsewhere'], { env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e.invalid' } });
      const other = await runJob(shell, 'deploy:staging');
      expect(other.code).toBe(1);
      expect(errorLines(other)).toEqual([expect.stringMatching(/^ERROR: serve runs other\.example\.com\/x\/cpu@sha256:9+, not an image this pipeline pushed .*remove that pin from k8s\/overlays\/staging\/kustomization\.yaml/)]);
      expect(applies(other)).toEqual([]);
    } finally {
      await execa('git', ['-C', repo, 'reset', '-q', '--hard', 'HEAD~2']);
    }
  });

  it('a context the kubeconfig lacks, or no kubeconfig: one line each, nothing sent, the token never printed', async () => {
    const wrong = await runJob(shell, 'deploy:staging', { vars: { KUBE_CONTEXT: 'ml/agents:typo' } });
    expect(wrong.code).toBe(1);
    expect(errorLines(wrong)).toEqual([`ERROR: KUBE_CONTEXT 'ml/agents:typo' is not a context of this job's kubeconfig (it has: ${CONTEXT}, ml/agents:other); an agent's context is path/to/agent-project:agent-name, and the agent's ci_access must list this project; see docs/kubernetes.md.`]);
    expect(wrong.calls).toEqual([]);
    const none = await runJob(shell, 'deploy:staging', { kubeconfig: null });
    expect(none.code).toBe(1);
    expect(errorLines(none)).toEqual([expect.stringMatching(/^ERROR: no kubeconfig in this job \(KUBECONFIG is not set\)/)]);
    for (const r of [wrong, none]) expect(r.out + r.err).not.toContain(TOKEN);
  });

  it('TRAIN_JOBS naming no Job of k8s/, or not a name: one line, nothing applied', async () => {
    const missing = await runJob(shell, 'train:cluster', { vars: { TRAIN_JOBS: 'process-data trian' } });
    expect(missing.code).toBe(1);
    expect(errorLines(missing)).toEqual([expect.stringMatching(/^ERROR: k8s\/overlays\/staging has no Job labelled app.kubernetes.io\/name=trian \(its Jobs: batch-infer, process-data, train, tune\)/)]);
    const bad = await runJob(shell, 'train:cluster', { vars: { TRAIN_JOBS: 'Train;rm' } });
    expect(bad.code).toBe(1);
    expect(errorLines(bad)).toEqual([expect.stringMatching(/^ERROR: 'Train;rm' in TRAIN_JOBS is not a Job name/)]);
    const overlay = await runJob(shell, 'train:cluster', { vars: { TRAIN_OVERLAY: 'qa' } });
    expect(errorLines(overlay)).toEqual(['ERROR: k8s/overlays/qa/kustomization.yaml does not exist (the overlays: production, staging)']);
    for (const r of [missing, bad, overlay]) expect(applies(r)).toEqual([]);
  });
});
