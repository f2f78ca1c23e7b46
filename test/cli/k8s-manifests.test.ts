/**
 * The generated repo's k8s/ (kustomize): the base and each overlay built
 * with `kubectl kustomize` (offline), every object checked against
 * Kubernetes' own API definitions from `kubernetes-models` (the OpenAPI
 * schema, its fields, and the API server's name rules: test/support/k8s.ts),
 * and what the manifests promise checked against the files they run: the
 * Dockerfiles' user and port, the configs' paths, the pipeline's image names.
 * Broken manifests are shown refused. Then repos made by the built bin for a
 * few answer sets (72-character repo and package names, gcp, gitlab), whose
 * k8s/ must build to the same objects.
 *
 * Not proven here: that a cluster runs them (no cluster on this machine),
 * that `kubectl apply -l` filters as the selection test assumes (it is
 * kubectl's documented --selector; applying needs a server), and
 * `kustomize edit set image` itself (no kustomize binary here: the pin test
 * writes the entries that command writes, newName and digest).
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { create, removeDir, ROOT, tempDir } from '../support/cli.js';
import { type Manifest, kustomizeBuild, manifestProblems, selectByLabels } from '../support/k8s.js';

const TEMPLATE = join(ROOT, 'template');
const KUSTOMIZATIONS = ['k8s/base', 'k8s/overlays/staging', 'k8s/overlays/production'] as const;
const JOBS = ['process-data', 'train', 'batch-infer', 'tune'] as const;

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
}
interface PodSpec {
  containers: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; fsGroup?: number };
  serviceAccountName?: string;
  volumes?: { name: string; emptyDir?: { medium?: string; sizeLimit?: string }; persistentVolumeClaim?: { claimName: string } }[];
}

const spec = (o: Manifest): Record<string, unknown> => (o as unknown as { spec: Record<string, unknown> }).spec;
const podOf = (o: Manifest): PodSpec => (spec(o).template as { spec: PodSpec }).spec;
const byName = (objects: Manifest[], kind: string, name: string): Manifest => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind}/${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};
const workloads = (objects: Manifest[]): Manifest[] => objects.filter((o) => o.kind === 'Job' || o.kind === 'Deployment');

async function problemsOf(objects: Manifest[]): Promise<string[]> {
  return (await Promise.all(objects.map((o) => manifestProblems(o)))).flat();
}

/** The objects as kind/name, sorted: what a build holds. */
const inventory = (objects: Manifest[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

let work: string;
const built = new Map<string, Manifest[]>();
beforeAll(async () => {
  work = tempDir('cmp-k8s-');
  for (const dir of KUSTOMIZATIONS) built.set(dir, await kustomizeBuild(join(TEMPLATE, dir)));
});
afterAll(() => removeDir(work));
const build = (dir: (typeof KUSTOMIZATIONS)[number]): Manifest[] => built.get(dir) ?? [];

describe.each(KUSTOMIZATIONS)('template/%s', (dir) => {
  it('builds with kubectl kustomize, and every object validates against Kubernetes\' OpenAPI schema, fields and name rules', async () => {
    const objects = build(dir);
    expect(inventory(objects)).toEqual([
      'Deployment/serve',
      ...JOBS.map((j) => `Job/${j}`).sort(),
      'PersistentVolumeClaim/workspace',
      'Service/serve',
      'ServiceAccount/mlops',
    ]);
    expect(await problemsOf(objects)).toEqual([]);
  });
});

describe('what the manifests promise', () => {
  const base = (): Manifest[] => build('k8s/base');

  it('run every pod as the Dockerfiles\' non-root user, read-only root, no privilege escalation, all capabilities dropped', () => {
    const users = ['cpu', 'gpu'].map((name) => {
      const dockerfile = readFileSync(join(TEMPLATE, `docker/mlops-template-repo-${name}.Dockerfile`), 'utf8');
      const match = /^USER (\d+):(\d+)$/m.exec(dockerfile);
      expect(match, `${name} Dockerfile has USER uid:gid`).not.toBeNull();
      return [Number(match?.[1]), Number(match?.[2])];
    });
    expect(users[0]).toEqual(users[1]);
    const [uid, gid] = users[0] ?? [];
    for (const o of workloads(base())) {
      const pod = podOf(o);
      expect(pod.securityContext, o.metadata.name).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid });
      expect(pod.serviceAccountName).toBe('mlops');
      for (const c of pod.containers)
        expect(c.securityContext, `${o.metadata.name}/${c.name}`).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
  });

  it('give every container cpu and memory requests and limits', () => {
    for (const o of workloads(base()))
      for (const c of podOf(o).containers) {
        expect(Object.keys(c.resources?.requests ?? {}), `${o.metadata.name} requests`).toEqual(expect.arrayContaining(['cpu', 'memory']));
        expect(Object.keys(c.resources?.limits ?? {}), `${o.metadata.name} limits`).toEqual(expect.arrayContaining(['cpu', 'memory']));
      }
  });

  it('run each entry point on the image the pipeline builds for it, by the pipeline\'s image names', () => {
    const pipeline = readFileSync(join(TEMPLATE, '_gitlab-ci.yml'), 'utf8');
    const pipelineImages = [...pipeline.matchAll(/^\s+IMAGE_NAME: (\S+)$/gm)].map((m) => m[1]).sort();
    expect(pipelineImages).toEqual(['cpu', 'gpu']);
    const images = Object.fromEntries(workloads(base()).map((o) => [o.metadata.name, podOf(o).containers.map((c) => c.image)]));
    expect(images).toEqual({ serve: ['cpu'], 'process-data': ['cpu'], 'batch-infer': ['cpu'], train: ['gpu'], tune: ['gpu'] });
    const scripts = Object.fromEntries(JOBS.map((j) => [j, podOf(byName(base(), 'Job', j)).containers[0]?.command]));
    expect(scripts).toEqual({
      'process-data': ['python', '/app/src/process_data.py'],
      train: ['python', '/app/src/train_model.py'],
      'batch-infer': ['python', '/app/src/batch_infer.py'],
      tune: ['python', '/app/src/tune_model.py'],
    });
    for (const [job, command] of Object.entries(scripts)) {
      expect(readFileSync(join(TEMPLATE, (command?.[1] ?? '').replace('/app/', '')), 'utf8'), job).toMatch(/def main/);
    }
  });

  it('run the Jobs in the workspace volume, writable, so the configs\' relative paths land there; the service reads the model from it', () => {
    const objects = base();
    for (const job of JOBS) {
      const pod = podOf(byName(objects, 'Job', job));
      const c = pod.containers[0];
      const mount = c?.volumeMounts?.find((m) => m.mountPath === c.workingDir);
      expect(mount, `${job}: its workingDir is a mount`).toMatchObject({ name: 'workspace' });
      expect(mount?.readOnly, job).toBeUndefined();
      expect(pod.volumes?.find((v) => v.name === 'workspace')?.persistentVolumeClaim?.claimName).toBe('workspace');
      expect(c?.volumeMounts?.map((m) => m.mountPath), job).toContain('/tmp');
    }
    const train = parse(readFileSync(join(TEMPLATE, 'conf/train_model.yaml'), 'utf8')) as { output: { model_path: string } };
    const trainDir = podOf(byName(objects, 'Job', 'train')).containers[0]?.workingDir ?? '';
    const serve = podOf(byName(objects, 'Deployment', 'serve')).containers[0];
    expect(serve?.env?.find((e) => e.name === 'MODEL_PATH')?.value).toBe(`${trainDir}/${train.output.model_path}`);
    expect(serve?.volumeMounts?.find((m) => m.name === 'workspace')).toMatchObject({ mountPath: trainDir, readOnly: true });
  });

  it('give training one GPU in limits, tolerate tainted GPU nodes, and a memory-backed /dev/shm with a size limit', () => {
    const train = podOf(byName(base(), 'Job', 'train'));
    expect(train.containers[0]?.resources?.limits?.['nvidia.com/gpu']).toBe(1);
    expect(train.containers[0]?.volumeMounts).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' });
    expect(train.volumes?.find((v) => v.name === 'dshm')?.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '2Gi' });
    for (const job of ['process-data', 'batch-infer'])
      expect(podOf(byName(base(), 'Job', job)).containers[0]?.resources?.limits?.['nvidia.com/gpu'], job).toBeUndefined();
  });

  it('set backoffLimit and ttlSecondsAfterFinished on every Job, and fail it at once on the scripts\' own exit codes', () => {
    for (const job of JOBS) {
      const s = spec(byName(base(), 'Job', job));
      expect(s.backoffLimit, job).toEqual(expect.any(Number));
      expect(s.ttlSecondsAfterFinished, job).toEqual(expect.any(Number));
      expect(s.podFailurePolicy, job).toMatchObject({ rules: [{ action: 'FailJob', onExitCodes: { containerName: job, operator: 'In', values: [1, 2] } }, { action: 'Ignore' }] });
    }
  });

  it('tune with an Indexed Job of N workers sharing one study through the Secret\'s database URL', () => {
    const tune = byName(base(), 'Job', 'tune');
    const s = spec(tune);
    expect(s.completionMode).toBe('Indexed');
    expect(s.parallelism).toBeGreaterThan(1);
    expect(s.completions).toBe(s.parallelism);
    const c = podOf(tune).containers[0];
    // The database URL holds a password: from the Secret into the environment only, never on the command line.
    expect(c?.args).toBeUndefined();
    expect(JSON.stringify(c?.command)).not.toContain('OPTUNA_STORAGE');
    expect(c?.env).toEqual([{ name: 'OPTUNA_STORAGE', valueFrom: { secretKeyRef: { name: 'optuna-storage', key: 'url' } } }]);
  });

  it('serve the cpu image\'s port with readiness and liveness probes on /health, behind a Service on the named port', () => {
    const dockerfile = readFileSync(join(TEMPLATE, 'docker/mlops-template-repo-cpu.Dockerfile'), 'utf8');
    const port = Number(/"--port", "(\d+)"\]$/m.exec(dockerfile)?.[1]);
    expect(port).toBe(8000);
    const deployment = byName(base(), 'Deployment', 'serve');
    const c = podOf(deployment).containers[0];
    expect(c?.ports).toEqual([{ name: 'http', containerPort: port }]);
    expect(c?.readinessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c?.livenessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
    const service = spec(byName(base(), 'Service', 'serve')) as { selector: Record<string, string>; ports: { targetPort: string }[] };
    const podLabels = (spec(deployment).template as { metadata: { labels: Record<string, string> } }).metadata.labels;
    expect(Object.entries(service.selector).every(([k, v]) => podLabels[k] === v)).toBe(true);
    expect(service.ports.map((p) => p.targetPort)).toEqual(['http']);
    const source = readFileSync(join(TEMPLATE, 'src/mlops_template_pkg/serve.py'), 'utf8');
    expect(source).toContain('@application.get("/health")');
  });

  it('let a label selector pick the environment, or one Job, and nothing else', () => {
    const objects = build('k8s/overlays/staging');
    expect(inventory(selectByLabels(objects, { 'app.kubernetes.io/component': 'environment' }))).toEqual([
      'Deployment/serve',
      'PersistentVolumeClaim/workspace',
      'Service/serve',
      'ServiceAccount/mlops',
    ]);
    for (const job of JOBS) expect(inventory(selectByLabels(objects, { 'app.kubernetes.io/name': job }))).toEqual([`Job/${job}`]);
  });

  it('put each overlay in its namespace; production runs two replicas on a ReadWriteMany claim', () => {
    for (const [dir, ns] of [['k8s/overlays/staging', 'staging'], ['k8s/overlays/production', 'production']] as const)
      expect(new Set(build(dir).map((o) => o.metadata.namespace)), dir).toEqual(new Set([ns]));
    expect(build('k8s/base').every((o) => o.metadata.namespace === undefined)).toBe(true);
    const prod = build('k8s/overlays/production');
    expect(spec(byName(prod, 'Deployment', 'serve')).replicas).toBe(2);
    expect(spec(byName(prod, 'PersistentVolumeClaim', 'workspace')).accessModes).toEqual(['ReadWriteMany']);
    const staging = build('k8s/overlays/staging');
    expect(spec(byName(staging, 'Deployment', 'serve')).replicas).toBe(1);
    expect(spec(byName(staging, 'PersistentVolumeClaim', 'workspace')).accessModes).toEqual(['ReadWriteOnce']);
    expect(spec(byName(staging, 'PersistentVolumeClaim', 'workspace')).storageClassName).toBeUndefined();
  });

  it.each(['staging', 'production'])('pins every container of %s by digest once the pipeline sets both images', async (env) => {
    const dir = join(work, `pin-${env}`);
    cpSync(join(TEMPLATE, 'k8s'), dir, { recursive: true });
    const file = join(dir, 'overlays', env, 'kustomization.yaml');
    // What `kustomize edit set image cpu=R/cpu@sha256:... gpu=R/gpu@sha256:...` writes into the entries.
    const registry = 'harbor.example.com/team/fraud-radar';
    const digests = { cpu: `sha256:${'a'.repeat(64)}`, gpu: `sha256:${'b'.repeat(64)}` };
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.set('images', Object.entries(digests).map(([name, digest]) => ({ name, newName: `${registry}/${name}`, digest })));
    writeFileSync(file, doc.toString());
    const objects = await kustomizeBuild(join(dir, 'overlays', env));
    expect(await problemsOf(objects)).toEqual([]);
    const images = Object.fromEntries(workloads(objects).map((o) => [o.metadata.name, podOf(o).containers.map((c) => c.image)]));
    const cpu = `${registry}/cpu@${digests.cpu}`;
    const gpu = `${registry}/gpu@${digests.gpu}`;
    expect(images).toEqual({ serve: [cpu], 'process-data': [cpu], 'batch-infer': [cpu], train: [gpu], tune: [gpu] });
  });
});

describe('docs/kubernetes.md', () => {
  const page = (): string => readFileSync(join(TEMPLATE, 'docs/kubernetes.md'), 'utf8');
  const patchBlocks = (): string[] => [...page().matchAll(/```yaml\n(patches:\n[\s\S]*?)```/g)].map((m) => m[1] ?? '');

  it('shows patches for an overlay, each of which builds and validates', async () => {
    const blocks = patchBlocks();
    expect(blocks.length).toBe(4); // the pull secret, args, no GPU, a storage class
    for (const [i, block] of blocks.entries()) {
      const dir = join(work, `doc-patch-${i}`);
      cpSync(join(TEMPLATE, 'k8s'), dir, { recursive: true });
      const file = join(dir, 'overlays/staging/kustomization.yaml');
      const doc = parseDocument(readFileSync(file, 'utf8'));
      doc.set('patches', (parse(block) as { patches: unknown[] }).patches);
      writeFileSync(file, doc.toString());
      const objects = await kustomizeBuild(join(dir, 'overlays/staging'));
      expect(await problemsOf(objects), block).toEqual([]);
      expect(objects, `the patch changes something:\n${block}`).not.toEqual(build('k8s/overlays/staging'));
    }
  });

  it('makes the pull secret the ServiceAccount names, of type kubernetes.io/dockerconfigjson, with kubectl create secret docker-registry', async () => {
    const account = byName(build('k8s/base'), 'ServiceAccount', 'mlops') as Manifest & { imagePullSecrets: { name: string }[] };
    expect(account.imagePullSecrets).toEqual([{ name: 'registry-pull' }]);
    expect(page()).toContain('kubectl create secret docker-registry registry-pull --from-file=.dockerconfigjson=config.json');
    const config = join(work, 'config.json');
    // A made-up Docker config: the shape HARBOR_ROBOT_CREDS_JSON decodes to, no real credential.
    writeFileSync(config, JSON.stringify({ auths: { 'harbor.example.com': { auth: Buffer.from('robot$team+pull:not-a-secret').toString('base64') } } }));
    const { execa } = await import('execa');
    const made = await execa('kubectl', ['create', 'secret', 'docker-registry', 'registry-pull', `--from-file=.dockerconfigjson=${config}`, '--dry-run=client', '-o', 'json'], {
      env: { KUBECONFIG: '/dev/null' },
      stdin: 'ignore',
    });
    const secret = JSON.parse(String(made.stdout)) as Manifest & { type: string };
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(secret.metadata.name).toBe('registry-pull');
    delete (secret.metadata as Record<string, unknown>).creationTimestamp; // kubectl prints null, which the API fills in
    expect(await manifestProblems(secret)).toEqual([]);
  });

  it('names the Secret and key the tune Job reads', () => {
    expect(page()).toContain('kubectl create secret generic optuna-storage --from-file=url=storage-url.txt');
  });
});

describe('a broken manifest is refused', () => {
  const broken = async (name: string, file: string, from: string, to: string): Promise<string[]> => {
    const dir = join(work, `broken-${name}`);
    cpSync(join(TEMPLATE, 'k8s'), dir, { recursive: true });
    const path = join(dir, 'base', file);
    const text = readFileSync(path, 'utf8');
    expect(text, `${file} holds ${from}`).toContain(from);
    writeFileSync(path, text.replace(from, to));
    return problemsOf(await kustomizeBuild(join(dir, 'overlays/staging')));
  };

  it('a misspelt field (the schema alone would pass it)', async () => {
    expect(await broken('field', 'train-job.yaml', 'ttlSecondsAfterFinished:', 'ttlSecondsAfterFinish:')).toEqual(['Job/train.spec.ttlSecondsAfterFinish: unknown field']);
  });

  it('a misspelt field deep in a pod template', async () => {
    expect(await broken('deep', 'serve-deployment.yaml', 'readOnlyRootFilesystem:', 'readOnlyRootFileSystem:')).toEqual([
      'Deployment/serve.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem: unknown field',
    ]);
  });

  it('a value the schema does not allow', async () => {
    const problems = await broken('enum', 'process-data-job.yaml', 'restartPolicy: Never', 'restartPolicy: Sometimes');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Job\/process-data: .*restartPolicy must be equal to one of the allowed values/);
  });

  it('a quantity that is not one', async () => {
    const problems = await broken('quantity', 'train-job.yaml', 'memory: 16Gi', 'memory: 16 GB');
    expect(problems.join('\n')).toMatch(/^Job\/train: .*limits\/memory must match format "quantity"/);
  });

  it('a Job name or label value longer than 63 characters', async () => {
    const long = 'a'.repeat(64);
    expect(await broken('name', 'batch-infer-job.yaml', 'name: batch-infer\n', `name: ${long}\n`)).toEqual([
      `Job/${long}: name ${JSON.stringify(long)}: a Job name must be at most 63 characters (it is the job-name label of its pods)`,
    ]);
    const problems = await broken('label', 'workspace-pvc.yaml', 'app.kubernetes.io/name: workspace', `app.kubernetes.io/name: ${long}`);
    expect(problems).toEqual([`PersistentVolumeClaim/workspace.metadata.labels: label value ${JSON.stringify(long)} of app.kubernetes.io/name is not a label value (at most 63 characters)`]);
  });
});

describe('k8s/ of generated repos', () => {
  const LONG_REPO = `churn-${'x'.repeat(60)}-model`; // 72 characters: the longest repo name allowed
  const LONG_PACKAGE = `churn_${'y'.repeat(60)}_model`;
  const CASES = {
    long: ['--platform', 'onprem', '--registry', 'harbor.example.com/team/p', '--repo-name', LONG_REPO, '--package-name', LONG_PACKAGE],
    gcp: ['--platform', 'gcp', '--gcp-auth', 'workload-identity', '--registry', 'europe-west4-docker.pkg.dev/acme/ml/p', '--repo-name', 'x-ray', '--package-name', 'xr'],
    gitlab: ['--platform', 'gitlab', '--repo-name', 'fraud-radar', '--package-name', 'fraud_radar'],
  } as const;

  it('holds 72-character names (the case the name rules matter for)', () => {
    expect(LONG_REPO).toHaveLength(72);
    expect(LONG_PACKAGE).toHaveLength(72);
  });

  describe.each(Object.entries(CASES))('%s', (name, flags) => {
    let dir: string;
    beforeAll(async () => {
      const result = await create([name, '--yes', '--no-git', ...flags], work);
      expect(result.exitCode, result.stderr).toBe(0);
      dir = join(work, name);
    });

    it.each(KUSTOMIZATIONS)('%s builds, validates, and holds the same objects as the template\'s', async (k) => {
      const objects = await kustomizeBuild(join(dir, k));
      expect(await problemsOf(objects)).toEqual([]);
      expect(objects).toEqual(build(k));
    });

    it('names the repo in its k8s/ files\' comments only, never a sample value', () => {
      const text = KUSTOMIZATIONS.map((k) => readFileSync(join(dir, k, 'kustomization.yaml'), 'utf8')).join('\n');
      expect(text).not.toMatch(/mlops-template-repo|mlops_template_pkg/);
      expect(readFileSync(join(dir, 'k8s/base/kustomization.yaml'), 'utf8')).toContain(`# The Kubernetes objects of ${flags[flags.indexOf('--repo-name') + 1] ?? ''} `);
    });
  });
});
