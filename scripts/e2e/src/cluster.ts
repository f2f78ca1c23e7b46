// The harness's cluster (--cluster): what GitLab gives the jobs of a project
// that a GitLab agent for Kubernetes is shared with, and the checks of what
// the cluster jobs (role `cluster`: ci/cluster.sh) asked it to do.
//
// GitLab: with the agent's ci_access listing the project, EVERY job of every
// pipeline (merge requests and unprotected branches too) gets a kubeconfig
// (the KUBECONFIG variable, a file) with a context per shared agent, named
// path/to/agent-project:agent-name; KUBE_CONTEXT is a project CI/CD variable
// (unprotected: it is not a secret). The harness gives both to every
// pipeline, so the rules alone must keep the cluster jobs to the default
// branch.
//
// The cluster is a STAND-IN (scripts/e2e/adapters/kubectl): no API server,
// no scheduling, no pulls, no containers. It records what it is asked to
// apply (the real `kubectl kustomize` output of the repo's k8s/), and Jobs
// complete after a few looks (or fail: --cluster-fail).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The agent's context, as GitLab names it. */
export const CLUSTER_CONTEXT = 'e2e/agents:e2e-cluster';

export interface ClusterLogin {
  /** The variables file entries: KUBE_CONTEXT, and KUBECONFIG as a File variable. */
  variables: Record<string, string | { type: 'file'; values: Record<string, string> }>;
  /** The kubeconfig's token: it must appear in no log. */
  secrets: string[];
}

/** The kubeconfig GitLab would inject for the agent (its server is never contacted: the stand-in answers). */
export function clusterLogin(): ClusterLogin {
  const token = `glagent-${randomBytes(24).toString('hex')}`;
  const kubeconfig = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: gitlab',
    '    cluster: {server: "https://127.0.0.1:1/k8s-proxy"}',
    'users:',
    '  - name: agent:e2e-cluster',
    `    user: {token: "ci:1:${token}"}`,
    'contexts:',
    `  - name: "${CLUSTER_CONTEXT}"`,
    '    context: {cluster: gitlab, user: "agent:e2e-cluster"}',
    '',
  ].join('\n');
  return { variables: { KUBE_CONTEXT: CLUSTER_CONTEXT, KUBECONFIG: { type: 'file', values: { '*': kubeconfig } } }, secrets: [token] };
}

export interface AppliedObject { kind: string; namespace: string; name: string; verdict: string; images: { container: string; image: string }[] }
export interface ClusterCall { args: string[]; verb: string; selector?: string | null; applied?: AppliedObject[]; name?: string; namespace?: string }

/** What the stand-in recorded for one pipeline. */
export function readCalls(stateDir: string): ClusterCall[] {
  const file = join(stateDir, 'calls.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ClusterCall);
}

/** What a pipeline's cluster jobs must have asked, given the digests it pushed (image name -> digest). */
export interface ClusterExpectation {
  /** deploy:<env> jobs that ran (staging, production). */
  deployed: string[];
  /** TRAIN_JOBS of train:cluster, when it ran; and its overlay's namespace. */
  trained: { jobs: string[]; namespace: string } | null;
  /** The Job names the stand-in fails (--cluster-fail). */
  failing: string[];
  imageRegistry: string;
  digests: Record<string, string>;
  /** The images (short names: cpu, gpu) each Job of the repo's k8s/base runs. */
  jobImages: Record<string, string[]>;
}

/** The problems in what the stand-in recorded (empty: as expected), and what went well. */
export function checkClusterCalls(calls: ClusterCall[], e: ClusterExpectation): { problems: string[]; fine: string[] } {
  const problems: string[] = [];
  const fine: string[] = [];
  const pinned = (image: string) => `${e.imageRegistry}/${image}@${e.digests[image] ?? '(not pushed)'}`;
  const applies = calls.filter((c) => c.verb === 'apply');
  for (const c of calls)
    if (c.args[0] !== '--context' || c.args[1] !== CLUSTER_CONTEXT) problems.push(`kubectl ${c.args.join(' ')}: not sent with --context ${CLUSTER_CONTEXT}`);
  for (const ns of e.deployed) {
    const deploy = applies.find((c) => c.selector === 'app.kubernetes.io/component=environment' && c.applied?.some((o) => o.namespace === ns && o.kind === 'Deployment'));
    if (!deploy) {
      problems.push(`deploy:${ns} applied no Deployment in namespace ${ns}`);
      continue;
    }
    const names = deploy.applied!.map((o) => `${o.kind}/${o.name}`).sort();
    const want = ['Deployment/serve', 'PersistentVolumeClaim/workspace', 'Service/serve', 'ServiceAccount/mlops'];
    if (JSON.stringify(names) !== JSON.stringify(want)) problems.push(`deploy:${ns} applied ${names.join(', ')}, not ${want.join(', ')}`);
    const image = deploy.applied!.find((o) => o.kind === 'Deployment')!.images.map((i) => i.image);
    if (JSON.stringify(image) !== JSON.stringify([pinned('cpu')])) problems.push(`deploy:${ns}: the service runs ${image.join(', ')}, not this pipeline's ${pinned('cpu')}`);
    else fine.push(`deploy:${ns}: ${names.join(', ')} in ${ns}; the service runs ${pinned('cpu')}`);
    if (!calls.some((c) => c.verb === 'rollout' && c.namespace === ns && c.name === 'serve')) problems.push(`deploy:${ns} did not wait for the rollout of deployment/serve`);
  }
  if (e.trained) {
    const { jobs, namespace } = e.trained;
    const runs = applies.filter((c) => c.applied?.every((o) => o.kind === 'Job' && o.namespace === namespace));
    const expectedJobs = e.failing.length ? jobs.slice(0, jobs.findIndex((j) => e.failing.includes(j)) + 1 || jobs.length) : jobs;
    const ran = runs.map((c) => c.applied!.map((o) => o.name).join(','));
    if (JSON.stringify(ran) !== JSON.stringify(expectedJobs)) problems.push(`train:cluster applied the Jobs ${ran.join(' then ') || 'none'} in ${namespace}, not ${expectedJobs.join(' then ')}`);
    for (const c of runs) {
      const job = c.applied![0]!;
      const image = job.images.map((i) => i.image);
      const want = (e.jobImages[job.name] ?? []).map(pinned);
      if (JSON.stringify(image) !== JSON.stringify(want)) problems.push(`train:cluster: Job ${job.name} runs ${image.join(', ')}, not this pipeline's ${want.join(', ')}`);
      else fine.push(`train:cluster: Job ${job.name} in ${namespace} runs ${image.join(', ')}`);
      // Each Job waited for before the next one is applied.
      const at = calls.indexOf(c);
      const next = runs[runs.indexOf(c) + 1];
      const looks = calls.slice(at, next ? calls.indexOf(next) : calls.length).filter((x) => x.verb === 'get' && x.name === job.name);
      if (looks.length === 0) problems.push(`train:cluster never looked at Job ${job.name} after applying it`);
    }
    const storage = applies.find((c) => c.selector !== 'app.kubernetes.io/component=environment' && c.applied?.some((o) => o.kind === 'PersistentVolumeClaim' && o.namespace === namespace));
    if (!storage) problems.push(`train:cluster applied no workspace claim in ${namespace} before its Jobs`);
    else if (storage.applied!.some((o) => o.kind === 'Deployment')) problems.push('train:cluster rolled out the service (deploy:* jobs do)');
    else if (runs.length > 0 && calls.indexOf(storage) > calls.indexOf(runs[0]!)) problems.push('train:cluster applied the workspace claim after its first Job');
  }
  if (e.deployed.length === 0 && !e.trained && calls.length > 0) problems.push(`the stand-in cluster got ${calls.length} call(s), but no cluster job may run in this pipeline`);
  return { problems, fine };
}
