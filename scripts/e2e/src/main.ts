// e2e-pipeline: run a generated repo's real, unmodified .gitlab-ci.yml with
// gitlab-ci-local, images included, as the pipelines GitLab would start
// (expectations.ts), each job in its own checkout. The usage and what is real
// or a stand-in: scripts/e2e-pipeline's header and scripts/e2e/README.md.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync,
  readSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { criticalPath } from './critical-path.js';
import {
  type Builder, BUILDER_IDS, type GcpAuth, PLATFORM_IDS, PLATFORMS, type Platform, type RegistryDescriptor,
} from '../../../generators/platforms/platforms.js';
import { authIdOf, variantId } from '../../../generators/platforms/variants.js';
import {
  type JobKind, mayWriteCredential, PIPELINE_KINDS, PIPELINE_SETS, PIPELINES, withCluster, type Change, type PipelineKind, type PipelineSpec,
} from './expectations.js';
import { checkClusterCalls, clusterLogin, readCalls, type ClusterLogin } from './cluster.js';
import { isProgressLine, jobLog, jobOutcomes } from './gitlab-ci-local.js';
import { jobsOfKind, readPipeline, safeJobName, variablesReferenced, type PipelineInfo } from './pipeline-info.js';
import { RegistryApi, startRegistry, writeHtpasswd, type Registry } from './registry.js';
import { ImageRun, type ImageRole, type ImageToRun } from './run-images.js';
import { emptyReport, type CacheFingerprint, type GivenVariables, type PipelineReport, type Report } from './report.js';
import {
  hasStandIn, loginDisagreement, loginVariables, standInOf, type Login, type RunningService, type StandIn,
} from './stand-ins.js';

const USAGE = `usage: scripts/e2e-pipeline REPO_DIR [--only KINDS] [--job NAME]... [--wrong-credential]
                             [--cluster] [--cluster-fail JOB] [--bench] [--no-image-run] [--report FILE.json]
                             [--keep] [--verbose]
       npm run e2e:pipeline -- REPO_DIR ...
  --only    comma-separated pipeline kinds or a set (default: all)
            kinds: ${PIPELINE_KINDS.join(', ')}
            sets:  ${Object.entries(PIPELINE_SETS).map(([k, v]) => `${k} = ${v.join(',')}`).join('; ')}
  --bench   = --only bench: the push pipeline twice on one cache, cold then warm
  --job     run only these jobs of each pipeline (gitlab-ci-local JOB ...)
  --wrong-credential  the jobs get a wrong registry secret (the credential variable, or
            GitLab's job token): the push must fail
  --cluster the project has a cluster (a GitLab agent's kubeconfig and KUBE_CONTEXT in every
            job; a STAND-IN kubectl): push runs the cluster jobs (the manual ones played);
            kind schedule-train needs it
  --cluster-fail  a Job of k8s/ that fails in the stand-in cluster (implies --cluster):
            train:cluster must fail with its reason
  --no-image-run  do not run the pushed images after the push pipeline (pull by digest, process
            data with cpu, train with gpu, serve with cpu and ask /health: run-images.ts)
  --report  write what ran (variables by name, jobs, durations, digests) as JSON
  (more: scripts/e2e/README.md)`;

const MAX_PARALLEL = 3;
/** The group of the project on the GitLab stand-in: origin is https://gitlab.example.com/e2e/<repo>.git. */
const PROJECT_GROUP = 'e2e';

// ------------------------------------------------------------------ options
interface Options {
  repo: string;
  kinds: PipelineKind[];
  jobs: string[];
  wrongCredential: boolean;
  cluster: boolean;
  clusterFail: string[];
  /** --no-image-run: the pushed images are not pulled and run after the push pipeline. */
  noImageRun: boolean;
  report: string | null;
  keep: boolean;
  verbose: boolean;
}

function usage(message?: string): never {
  if (message) process.stderr.write(`e2e-pipeline: ${message}\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

function parseKinds(text: string): PipelineKind[] {
  const out: PipelineKind[] = [];
  for (const word of text.split(',').map((w) => w.trim()).filter(Boolean)) {
    if (word in PIPELINE_SETS) out.push(...PIPELINE_SETS[word as keyof typeof PIPELINE_SETS]);
    else if ((PIPELINE_KINDS as readonly string[]).includes(word)) out.push(word as PipelineKind);
    else usage(`unknown pipeline kind "${word}"`);
  }
  return PIPELINE_KINDS.filter((k) => out.includes(k));
}

function parseOptions(argv: string[]): Options {
  let repo: string | null = null;
  let only = 'all';
  const o = { jobs: [] as string[], wrongCredential: false, cluster: false, clusterFail: [] as string[], noImageRun: false, report: null as string | null, keep: false, verbose: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null];
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--job') o.jobs.push(value());
    else if (flag === '--only') only = value();
    else if (flag === '--bench') only = 'bench';
    else if (flag === '--report') o.report = resolve(value());
    else if (flag === '--wrong-credential') o.wrongCredential = true;
    else if (flag === '--cluster') o.cluster = true;
    else if (flag === '--cluster-fail') {
      const job = value();
      if (!/^[a-z0-9-]+$/.test(job)) usage(`--cluster-fail ${job}: a Job name of k8s/ (a-z, 0-9, -)`);
      o.clusterFail.push(job);
      o.cluster = true;
    }
    else if (flag === '--no-image-run') o.noImageRun = true;
    else if (flag === '--keep') o.keep = true;
    else if (flag === '--verbose' || flag === '-v') o.verbose = true;
    else if (flag === '-h' || flag === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (repo == null) repo = a;
    else usage('one REPO_DIR only');
  }
  if (repo == null) usage();
  if (!existsSync(repo) || !statSync(repo).isDirectory()) usage(`${repo} is not a folder`);
  repo = realpathSync(repo);
  if (!existsSync(join(repo, '.gitlab-ci.yml'))) usage(`${repo} has no .gitlab-ci.yml`);
  const kinds = parseKinds(only);
  const clusterOnly = kinds.filter((k) => PIPELINES[k].needsCluster);
  if (clusterOnly.length > 0 && !o.cluster) usage(`${clusterOnly.join(', ')} runs cluster jobs: add --cluster`);
  return { repo, kinds, ...o };
}

// ------------------------------------------------------------------ output
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const say = (s: string) => process.stdout.write(`${s}\n`);
const bold = (s: string) => say(`\n${paint('1', `== ${s}`)}`);
const info = (s: string) => say(`   ${s}`);
const ok = (s: string) => say(`   ${paint('32', 'ok')}   ${s}`);

// ------------------------------------------------------------------ processes
function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${String(r.stderr ?? '')}`);
  return String(r.stdout ?? '');
}
const git = (dir: string, ...args: string[]) => run('git', ['-C', dir, ...args]).trim();
const has = (tool: string) => spawnSync('sh', ['-c', `command -v "$1" >/dev/null 2>&1`, 'sh', tool]).status === 0;

// ------------------------------------------------------------------ the harness
class Harness {
  readonly root = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
  readonly e2e = join(this.root, 'scripts/e2e');
  readonly gcl = join(this.root, 'node_modules/gitlab-ci-local/dist/index.js');
  readonly t0 = Date.now();
  readonly report: Report = emptyReport();
  runDir = '';
  private registries: Registry[] = [];
  private running = new Map<PipelineKind, number>();
  private src = '';
  private defaultBranch = 'main';
  private repoName = '';
  private info!: PipelineInfo;
  /** The registry login's stand-in for the recorded platform and auth (stand-ins.ts), and this run's login. */
  private standIn!: StandIn;
  private login: Login | undefined;
  private cluster: ClusterLogin | undefined;
  /** The images (cpu, gpu) each Job of the repo's k8s/base runs. */
  private jobImages: Record<string, string[]> = {};
  private api!: RegistryApi;
  private pushHost = '';
  private registryPath = '';
  private imageRegistry = '';
  /** IMAGE_REGISTRY starts with this predefined variable (GitLab's $CI_REGISTRY_IMAGE): the pipeline's own value is kept. */
  private registryVariable: { name: string; rest: string } | null = null;
  /** IMAGE_REGISTRY as a harness variable (a literal registry host, replaced by the push registry), or null. */
  private imageRegistryOverride: string | null = null;
  private clones = new Map<PipelineKind, string>();
  /** The login's service stand-in (Google's token endpoints), one instance per pipeline; stopped when its pipeline is checked. */
  private services = new Map<PipelineKind, RunningService>();
  private done = new Map<PipelineKind, boolean>();
  /** The pushed images' chain (run-images.ts), started when the push pipeline is green. */
  private imageRun: ImageRun | null = null;
  private imageRunDone: Promise<void> | null = null;

  constructor(readonly o: Options) {
    // ns-run.sh reads it from its own environment: it keeps this checkout (node_modules, the
    // Node binary npm may run from there) visible inside the jobs' private /tmp, where a CI
    // clone under /tmp lives.
    process.env.E2E_TOOL_ROOT = this.root;
  }

  fail(message: string): void {
    say(`   ${paint('31', 'FAIL')} ${message}`);
    this.report.failures.push(message);
  }

  get cleanEnv(): string[] {
    return [
      'env', '-i',
      `PATH=${this.runDir}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      `HOME=${this.runDir}/home`, 'USER=root', 'LOGNAME=root', 'SHELL=/bin/bash', 'LANG=C.UTF-8', 'TERM=dumb', 'CI=true',
      `E2E_RUN_DIR=${this.runDir}`, `E2E_TOOL_ROOT=${this.root}`,
      // The stand-in for PyPI: every requirement must be satisfied by Debian's packages already.
      'PIP_NO_INDEX=1', 'PIP_NO_DEPS=1', 'PIP_DISABLE_PIP_VERSION_CHECK=1',
    ];
  }

  /** A command in the jobs' private mount namespace and clean environment. */
  nsArgs(dir: string, env: string[], cmd: string[]): string[] {
    return ['--mount', '--propagation', 'private', '--', join(this.e2e, 'ns-run.sh'), this.runDir, dir, '--', ...this.cleanEnv, ...env, ...cmd];
  }

  nsExec(dir: string, cmd: string[]): string {
    return run('unshare', this.nsArgs(dir, [], cmd));
  }

  // ---------------------------------------------------------------- setup
  preflight(): void {
    if (process.getuid?.() !== 0) usage('needs root (buildah, mount namespaces)');
    const tools = ['git', 'rsync', 'buildah', 'skopeo', 'docker-registry', 'htpasswd', 'mmdebstrap', 'unshare', 'busybox', 'curl', '/usr/bin/python3'];
    const missing = tools.filter((t) => !has(t));
    if (spawnSync('/usr/bin/python3', ['-c', 'import yaml, venv']).status !== 0) missing.push('python3-yaml/python3-venv');
    if (!existsSync(this.gcl)) missing.push(`gitlab-ci-local (npm ci in ${this.root})`);
    if (missing.length > 0) {
      process.stderr.write(`e2e-pipeline: missing: ${missing.join(' ')} (the apt-get line: scripts/e2e/README.md)\n`);
      process.exit(2);
    }
  }

  makeRunDir(): void {
    this.runDir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'e2e-pipeline.'));
    for (const d of ['logs', 'home', 'bin', 'clones', 'jobs', 'priv/kaniko/.docker', 'priv/tmp']) mkdirSync(join(this.runDir, d), { recursive: true });
  }

  cleanup(): void {
    for (const pid of this.running.values()) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    this.imageRun?.abort();
    for (const r of this.registries) r.process.kill();
    // Left running only when interrupted: closing stops listening at once.
    for (const svc of this.services.values()) void svc.stop().catch(() => undefined);
    this.services.clear();
    // When interrupted: give the pipelines' process groups up to 10 s to end before their files go.
    const alive = () => [...this.running.values()].some((pid) => {
      try {
        process.kill(-pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    for (let i = 0; i < 100 && alive(); i += 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    if (!this.runDir) return;
    if (this.o.keep) process.stderr.write(`e2e-pipeline: kept ${this.runDir}\n`);
    else rmSync(this.runDir, { recursive: true, force: true });
  }

  sourceRepo(): void {
    const { repo } = this.o;
    const top = spawnSync('git', ['-C', repo, 'rev-parse', '--show-toplevel'], { encoding: 'utf8' });
    const head = spawnSync('git', ['-C', repo, 'rev-parse', '-q', '--verify', 'HEAD'], { encoding: 'utf8' });
    if (top.status === 0 && top.stdout.trim() === repo && head.status === 0) {
      this.src = repo;
      const branch = spawnSync('git', ['-C', repo, 'symbolic-ref', '--short', '-q', 'HEAD'], { encoding: 'utf8' });
      this.defaultBranch = branch.status === 0 ? branch.stdout.trim() : 'main';
      if (git(repo, 'status', '--porcelain', '--untracked-files=normal') !== '')
        info(`note: ${repo} has uncommitted changes; the harness runs its last commit (${git(repo, 'rev-parse', '--short', 'HEAD')})`);
    } else {
      this.src = join(this.runDir, 'src');
      run('rsync', ['-a', '--exclude=/.git', '--exclude=/.gitlab-ci-local/', `${repo}/`, `${this.src}/`]);
      git(this.src, 'init', '-q', '-b', 'main');
      git(this.src, 'add', '-A');
      git(this.src, '-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-q', '-m', 'generated repo (e2e snapshot)');
      info('not a git repo: committed a snapshot in a temp copy');
    }
  }

  repoNameFrom(): void {
    this.repoName = this.answer('repoName') ?? basename(this.o.repo);
  }

  get projectPath(): string {
    return `${PROJECT_GROUP}/${this.repoName}`;
  }

  /** The answers of .mlops-project.json, or null when the repo has none. */
  answers(): Record<string, unknown> | null {
    const file = join(this.o.repo, '.mlops-project.json');
    if (!existsSync(file)) return null;
    let record: { answers?: unknown };
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as { answers?: unknown };
    } catch (e) {
      this.die(`.mlops-project.json is not valid JSON (${(e as Error).message})`);
    }
    const a = record.answers;
    return a != null && typeof a === 'object' ? (a as Record<string, unknown>) : {};
  }

  answer(key: string): string | null {
    const v = this.answers()?.[key];
    return v == null ? null : String(v);
  }

  /** A fresh clone with offline origin refs (nothing is contacted). */
  cloneFresh(dir: string): void {
    run('git', ['clone', '-q', '--no-hardlinks', this.src, dir]);
    git(dir, 'checkout', '-q', this.defaultBranch);
    git(dir, 'remote', 'set-url', 'origin', `https://gitlab.example.com/${this.projectPath}.git`);
    this.originIsHead(dir);
    git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', `refs/remotes/origin/${this.defaultBranch}`);
    git(dir, 'config', 'user.name', 'e2e');
    git(dir, 'config', 'user.email', 'e2e@example.invalid');
    writeFileSync(join(dir, '.git/info/exclude'), '/.gitlab-ci-local/\n', { flag: 'a' });
  }

  originIsHead(dir: string): void {
    git(dir, 'update-ref', `refs/remotes/origin/${this.defaultBranch}`, 'HEAD');
  }

  analyse(): void {
    bold('pipeline analysis');
    const probe = join(this.runDir, 'clones/probe');
    this.cloneFresh(probe);
    const [env, ...envArgs] = this.cleanEnv;
    const r = spawnSync(env!, [...envArgs, process.execPath, this.gcl, '--preview', '--no-color'], {
      cwd: probe, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20,
    });
    if (r.status !== 0) {
      process.stderr.write(`${r.stdout}${r.stderr}\n`);
      this.die('gitlab-ci-local --preview failed (pipeline invalid?)');
    }
    writeFileSync(join(this.runDir, 'preview.yml'), r.stdout);
    this.info = readPipeline(r.stdout);
    const { info: pi } = this;
    this.report.jobs = pi.jobs.map(({ name, kind, stage, needs, switches, imageName, junit, idTokens }) => ({
      name, kind, stage, needs, switches, imageName, junit, idTokens,
    }));
    info(`jobs: ${pi.jobs.map((j) => `${j.name}(${j.kind}${j.switches.length ? ` ${j.switches.join(',')}` : ''})`).join(' ')}`);
    const images = jobsOfKind(pi, 'image');
    if (images.length === 0) this.die('no image job found in the pipeline');
    for (const j of images) this.report.imageJobs[j.name] = j.imageName;
    this.fromRecord(r.stdout);
    this.busyboxCheck();
  }

  /**
   * The platform, auth and builder from .mlops-project.json (the generator's
   * record), their stand-in (stand-ins.ts), and the checks that the pipeline
   * agrees with the record: the builder its image jobs run, the variables its
   * jobs log in with, its IMAGE_REGISTRY. Any disagreement stops the run with one line.
   */
  fromRecord(preview: string): void {
    const a = this.answers();
    if (a == null) this.die(`${this.o.repo} has no .mlops-project.json: the harness reads the platform, auth and builder from it (create-mlops-project writes it)`);
    const where = '.mlops-project.json';
    const oneOf = (key: string, ids: readonly string[]): string => {
      const v = a[key];
      if (typeof v !== 'string' || !ids.includes(v)) this.die(`${where}: answers.${key} is ${JSON.stringify(v)}, not one of ${ids.join(', ')}`);
      return v;
    };
    const platform = oneOf('platform', PLATFORM_IDS) as Platform;
    const descriptor = PLATFORMS[platform];
    const authIds = Object.keys(descriptor.auths);
    const authKey = 'authAnswer' in descriptor ? descriptor.authAnswer : undefined;
    const chosenAuth = authKey !== undefined && a[authKey] != null ? oneOf(authKey, authIds) : undefined;
    const auth = authIdOf({ platform, gcpAuth: chosenAuth as GcpAuth | undefined });
    const builder = oneOf('builder', BUILDER_IDS);
    const variant = variantId(platform, auth, builder);
    const entry = standInOf(platform, auth);
    if (entry === undefined) this.die(`${where}: auth ${auth} is not one of platform ${platform}'s (${authIds.join(', ')})`);
    if (!hasStandIn(entry)) this.die(`${variant}: the harness has no stand-in for platform ${platform} with auth ${auth}: ${entry.none}`);
    this.standIn = entry;
    const noBuilder = entry.cannotRun?.builders?.[builder as Builder];
    if (noBuilder) this.die(`${variant}: the harness cannot run builder ${builder} with auth ${auth}: ${noBuilder}`);
    this.refuseRoles(variant, entry);

    // The builder its image jobs run (kaniko: /kaniko/executor; buildah: the buildah overlay).
    const pipelineBuilder = preview.includes('/kaniko/executor') ? 'kaniko' : 'buildah';
    if (pipelineBuilder !== builder)
      this.die(`the pipeline's image jobs run ${pipelineBuilder}, but ${where} says builder ${builder}: was .gitlab-ci.yml made for another builder?`);
    // The variables its jobs log in with.
    const read = variablesReferenced(this.info, loginVariables());
    const disagreement = loginDisagreement(platform, auth, entry, read);
    if (disagreement) this.die(disagreement);
    // Its IMAGE_REGISTRY, the registry the record names (mlops-project set-registry changes both).
    const orig = this.info.variables.IMAGE_REGISTRY ?? '';
    const recorded = a.registry;
    if (typeof recorded === 'string' && recorded !== orig)
      this.die(`IMAGE_REGISTRY in .gitlab-ci.yml is ${JSON.stringify(orig)}, but ${where} says registry ${JSON.stringify(recorded)} (mlops-project set-registry changes both)`);

    const registry: RegistryDescriptor = descriptor.registry;
    const m = /^\$\{?(\w+)\}?(.*)$/.exec(orig);
    if (registry.variable !== undefined && m && `$${m[1]}` === registry.variable) {
      this.registryVariable = { name: m[1]!, rest: m[2]! };
    } else {
      const slash = orig.indexOf('/');
      this.registryPath = slash > 0 && slash < orig.length - 1 ? orig.slice(slash + 1) : this.projectPath;
    }
    info(`platform ${platform}, auth ${auth}, builder ${builder} (${where}): variant ${variant}; the pipeline logs in with ${read.join(', ')}`);
    info(`IMAGE_REGISTRY in the repo: ${orig}`);
    this.report.repo = {
      dir: this.o.repo, name: this.repoName, platform, auth, builder, variant, reach: entry.reach,
      projectVariables: [], jobVariables: [],
    };
  }

  /** Stops when a selected pipeline would run a job of a role the login's stand-in cannot run (StandIn.cannotRun). */
  refuseRoles(variant: string, entry: StandIn): void {
    const roles = Object.entries(entry.cannotRun?.roles ?? {});
    const blocked = (kind: PipelineKind) => roles.filter(([role]) => {
      const spec = PIPELINES[kind];
      if (!spec.run.includes(role as JobKind) || (spec.onlyJobs && spec.onlyJobs !== role)) return false;
      const jobs = jobsOfKind(this.info, role as JobKind).filter((j) => this.selected(j.name));
      return jobs.length > 0;
    });
    const refused = this.o.kinds.filter((k) => blocked(k).length > 0);
    if (refused.length === 0) return;
    const why = [...new Set(refused.flatMap((k) => blocked(k).map(([, reason]) => reason)))].join('; ');
    const runnable = PIPELINE_KINDS.filter((k) => !PIPELINES[k].run.some((r) => roles.some(([role]) => role === r)));
    this.die(`${variant}: pipeline ${refused.join(', ')} runs a job the harness cannot run with this login: ${why}; run --only with some of ${runnable.join(',')}`);
  }

  die(message: string): never {
    process.stderr.write(`e2e-pipeline: ${message}\n`);
    this.report.failures.push(message);
    process.exitCode = 1;
    throw new HarnessExit();
  }

  /** The table's spec of a pipeline kind, for who this repo's credential reaches. */
  spec(kind: PipelineKind): PipelineSpec {
    return this.o.cluster ? withCluster(PIPELINES[kind]) : PIPELINES[kind];
  }

  /**
   * The stand-in cluster (cluster.ts, adapters/kubectl): the kubeconfig and
   * KUBE_CONTEXT GitLab gives every job when an agent is shared with the
   * project, kubectl on the jobs' PATH, and what each Job of k8s/base runs.
   */
  setupCluster(): ClusterLogin['variables'] {
    this.cluster = clusterLogin();
    symlinkSync(join(this.e2e, 'adapters/kubectl'), join(this.runDir, 'bin/kubectl'));
    mkdirSync(join(this.runDir, 'cluster'));
    const base = join(this.runDir, 'clones/probe/k8s/base');
    if (!existsSync(base)) this.die('--cluster: the repo has no k8s/base (made before create-mlops-project 0.2.0?)');
    for (const f of readdirSync(base).filter((n) => n.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(base, f), 'utf8'))) {
        const o = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { template?: { spec?: { containers?: { image: string }[] } } } };
        if (o?.kind === 'Job' && o.metadata?.name) this.jobImages[o.metadata.name] = (o.spec?.template?.spec?.containers ?? []).map((c) => c.image);
      }
    }
    info(`cluster: STAND-IN kubectl (adapters/kubectl: records what it is asked to apply; real kustomize; no API server); the agent's kubeconfig (File variable KUBECONFIG) and KUBE_CONTEXT=${String(this.cluster.variables.KUBE_CONTEXT)} in every job${this.o.clusterFail.length ? `; Jobs that fail: ${this.o.clusterFail.join(', ')}` : ''}`);
    return this.cluster.variables;
  }

  /** The cluster jobs that may fail in this pipeline: train:cluster, when a Job it runs is made to fail. */
  expectedClusterFailures(spec: PipelineSpec): string[] {
    if (!this.o.cluster || this.o.clusterFail.length === 0 || !spec.run.includes('cluster')) return [];
    const train = this.info.jobs.filter((j) => j.kind === 'cluster' && isTrainJob(j));
    const jobs = (this.info.variables.TRAIN_JOBS ?? '').split(/\s+/);
    return jobs.some((j) => this.o.clusterFail.includes(j)) ? train.map((j) => j.name) : [];
  }

  /** What the stand-in cluster was asked in this pipeline, against what its cluster jobs must do. */
  checkCluster(kind: PipelineKind, spec: PipelineSpec, p: PipelineReport, ran: Record<string, { status: string }>): void {
    if (!this.o.cluster) return;
    const calls = readCalls(join(this.runDir, 'cluster', kind));
    const clusterJobs = this.info.jobs.filter((j) => j.kind === 'cluster' && ran[j.name]);
    const overlayOf = (j: { scripts: string[] }) => /cluster\.sh deploy (\S+)/.exec(j.scripts.join('\n'))?.[1];
    const deployed = clusterJobs.map(overlayOf).filter((x): x is string => x != null);
    const trainJob = clusterJobs.find(isTrainJob);
    const digests: Record<string, string> = {};
    for (const d of this.report.digests.filter((x) => x.kind === kind && x.tag === p.commit)) digests[d.repository.split('/').pop()!] = d.digest;
    const result = checkClusterCalls(calls, {
      deployed,
      trained: trainJob ? { jobs: (this.info.variables.TRAIN_JOBS ?? '').split(/\s+/).filter(Boolean), namespace: this.info.variables.TRAIN_OVERLAY ?? 'staging' } : null,
      failing: this.o.clusterFail,
      imageRegistry: this.imageRegistry,
      digests,
      jobImages: this.jobImages,
    });
    p.cluster = {
      calls: calls.length,
      applied: calls.filter((c) => c.verb === 'apply').map((c) => ({ selector: c.selector ?? null, objects: (c.applied ?? []).map((o) => `${o.kind}/${o.namespace}/${o.name} ${o.images.map((i) => i.image).join(' ')}`.trim()) })),
      problems: result.problems,
    };
    for (const f of result.fine) ok(`[${kind}] cluster: ${f}`);
    for (const pr of result.problems) this.fail(`[${kind}] cluster: ${pr}`);
    if (spec.run.includes('cluster') && calls.length === 0) this.fail(`[${kind}] the cluster jobs ran but the stand-in cluster got no call`);
    if (!spec.run.includes('cluster') && calls.length === 0) ok(`[${kind}] the stand-in cluster got no call (no cluster job in this pipeline, although every job has the agent's kubeconfig)`);
    for (const j of this.expectedClusterFailures(spec)) {
      const line = jobLog(readFileSync(join(this.runDir, 'logs', `${kind}.log`), 'utf8'), j).find((l) => /ERROR: Job \S+ failed in /.test(l));
      if (line) ok(`[${kind}] ${j} failed as it must, saying: ${line.slice(j.length + 3)}`);
      else this.fail(`[${kind}] ${j}: no "ERROR: Job ... failed in" line in its log`);
    }
  }

  /** Jobs whose image is the kaniko/crane debug image run in busybox sh on GitLab, bash here. */
  busyboxCheck(): void {
    const entries = this.info.jobs.filter((j) => j.busybox).flatMap((j) => j.scripts.map((text, i) => ({ job: j.name, i, text })));
    let bad = 0;
    entries.forEach((e, n) => {
      const f = join(this.runDir, `busybox-${n}.sh`);
      writeFileSync(f, `${e.text}\n`);
      const r = spawnSync('busybox', ['sh', '-n', f], { encoding: 'utf8' });
      if (r.status !== 0) {
        bad += 1;
        this.fail(`${e.job}: script entry ${e.i} is not valid busybox sh (its image runs busybox): ${r.stderr.trim()}`);
      }
    });
    if (entries.length > 0 && bad === 0) ok(`busybox sh -n: the ${entries.length} script entries of jobs in busybox images parse`);
  }

  async registriesAndImages(): Promise<void> {
    bold('stand-in base image');
    const tb = Date.now();
    let baseDir = run(join(this.e2e, 'base-image.sh'), [], { stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    info(`${basename(baseDir)} ready in ${Math.round((Date.now() - tb) / 1000)} s (cache: ${dirname(baseDir)})`);

    const mirror = await startRegistry(this.runDir, 'mirror');
    this.registries.push(mirror);
    // The push registry's port is known before its htpasswd: the onprem credential names the host.
    const pushDir = join(this.runDir, 'registries/push');
    mkdirSync(pushDir, { recursive: true });
    const htpasswd = join(pushDir, 'htpasswd');
    writeFileSync(htpasswd, '');
    const push = await startRegistry(this.runDir, 'push', htpasswd);
    this.registries.push(push);
    this.pushHost = push.host;
    const login = this.standIn.login({ pushHost: push.host, projectPath: this.projectPath, wrong: this.o.wrongCredential });
    this.login = login;
    writeHtpasswd(htpasswd, login.user, login.password); // docker-registry re-reads htpasswd when it changes
    this.api = new RegistryApi(push.host, login.user, login.password);
    if (this.registryVariable) {
      const { name, rest } = this.registryVariable;
      const base = login.jobVariables[name];
      if (base === undefined) this.die(`IMAGE_REGISTRY starts with $${name}, which the stand-in of ${this.report.repo!.variant} does not give the jobs`);
      this.imageRegistry = `${base}${rest}`;
      this.registryPath = this.imageRegistry.slice(push.host.length + 1);
      if (!this.imageRegistry.startsWith(`${push.host}/`) || this.registryPath === '') this.die(`$${name}${rest} is ${this.imageRegistry}: not a path on the push registry ${push.host}`);
    } else {
      this.imageRegistry = `${push.host}/${this.registryPath}`;
      this.imageRegistryOverride = this.imageRegistry;
    }
    Object.assign(this.report.repo!, { projectVariables: Object.keys(login.projectVariables), jobVariables: Object.keys(login.jobVariables) });
    const shown = (vars: Record<string, string>) => Object.entries(vars)
      .map(([k, v]) => (login.secrets.includes(v) ? `${k} (${v.length} bytes)` : `${k}=${v}`)).join(', ') || 'none';
    // Where the deliberately wrong secret is: the variables, or (login.wrongSecret) elsewhere.
    const wrong = this.o.wrongCredential && !login.wrongSecret ? ' (DELIBERATELY WRONG secret)' : '';
    if (this.o.wrongCredential && login.wrongSecret) info(`DELIBERATELY WRONG secret: ${login.wrongSecret}`);
    info(`registry login stand-in: ${this.standIn.summary}`);
    await this.startLoginServices(login);
    this.writeIdTokens(login);
    info(`push registry: ${push.host} (htpasswd user '${login.user}', password ${login.password.length} bytes; bcrypt checks the first 72)`);
    info(`mirror registry (anonymous, base images): ${mirror.host}`);
    info(`IMAGE_REGISTRY=${this.imageRegistry}${this.imageRegistryOverride ? ' (set by the harness)' : ` (the pipeline's own ${this.info.variables.IMAGE_REGISTRY}, expanded by gitlab-ci-local)`}`);
    info(`project variables (protected refs only): ${shown(login.projectVariables)}${Object.keys(login.projectVariables).length ? wrong : ''}`);
    info(`predefined in every job of every pipeline: ${shown(login.jobVariables)}${Object.keys(login.jobVariables).length ? wrong : ''}`);
    // Project CI/CD variables and the predefined login variables, as on GitLab:
    // gitlab-ci-local's variables file (outside the clones, on no command line).
    // A protected ref gets the project variables too; every pipeline gets the
    // predefined ones (the job token reaches MRs and unprotected branches).
    // With a cluster: the agent's kubeconfig (a File variable) and KUBE_CONTEXT reach every job.
    const cluster = this.o.cluster ? this.setupCluster() : {};
    const yaml = (vars: Record<string, unknown>) => Object.entries(vars).map(([k, v]) => `${k}: ${JSON.stringify(v)}\n`).join('');
    writeFileSync(join(this.runDir, 'variables-protected.yml'), yaml({ ...cluster, ...login.jobVariables, ...login.projectVariables }), { mode: 0o600 });
    writeFileSync(join(this.runDir, 'variables-unprotected.yml'), yaml({ ...cluster, ...login.jobVariables }), { mode: 0o600 });

    const refs = this.baseImageRefs();
    const hosts = [...new Set([...refs.keys()].map((r) => r.slice(0, r.indexOf('/'))))];
    writeFileSync(join(this.runDir, 'registries.conf'), [
      '# e2e-pipeline: base images come from the local mirror only; nothing is contacted elsewhere.',
      'unqualified-search-registries = ["docker.io"]',
      'short-name-mode = "disabled"',
      ...hosts.map((h) => `[[registry]]\nprefix = "${h}"\nlocation = "${mirror.host}/${h}"\ninsecure = true`),
      `[[registry]]\nlocation = "${push.host}"\ninsecure = true`,
      '',
    ].join('\n'));

    copyFileSync(join(this.e2e, 'adapters/kaniko-executor'), join(this.runDir, 'priv/kaniko/executor'));
    chmodSync(join(this.runDir, 'priv/kaniko/executor'), 0o755);
    symlinkSync(join(this.e2e, 'adapters/crane'), join(this.runDir, 'bin/crane'));
    symlinkSync(join(this.e2e, 'adapters/conda'), join(this.runDir, 'bin/conda'));
    symlinkSync(join(this.e2e, 'adapters/job-shell'), join(this.runDir, 'bin/bash'));

    // The namespace has a private /tmp: a cache folder under /tmp is linked into RUN.
    if (baseDir.startsWith('/tmp/')) {
      const copy = join(this.runDir, 'base-image');
      if (spawnSync('cp', ['-al', baseDir, copy]).status !== 0) run('cp', ['-a', baseDir, copy]);
      baseDir = copy;
    }
    for (const [ref, files] of refs) {
      this.nsExec(this.runDir, ['skopeo', 'copy', '--quiet', '--dest-tls-verify=false', `dir:${baseDir}`, `docker://${mirror.host}/${ref}`]);
      info(`base image ${ref} (${files.join(' ')}) -> stand-in ${mirror.host}/${ref}`);
    }
    // Seed the push registry with the stand-in base layer (repo e2e-stand-in-base):
    // buildah then mounts it instead of re-compressing ~600 MB for every push.
    const first = [...refs.keys()][0];
    if (first) {
      const auth = join(this.runDir, 'seed-auth.json');
      writeFileSync(auth, JSON.stringify({ auths: { [push.host]: { auth: login.expectedAuth } } }), { mode: 0o600 });
      this.nsExec(this.runDir, ['skopeo', 'copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', '--dest-authfile', auth,
        `docker://${mirror.host}/${first}`, `docker://${push.host}/e2e-stand-in-base:seed`]);
      rmSync(auth);
      info('push registry seeded with the stand-in base layer (repo e2e-stand-in-base)');
    }
  }

  /**
   * The base images the Dockerfiles name, as HOST/PATH:TAG: each FROM with its
   * ARG defaults expanded (a build arg the image jobs pass from a pipeline
   * variable, BASE_IMAGE_MIRROR, takes the pipeline's default value).
   */
  baseImageRefs(): Map<string, string[]> {
    const probe = join(this.runDir, 'clones/probe');
    const refs = new Map<string, string[]>();
    const jobText = this.info.jobs.filter((j) => j.kind === 'image').map((j) => j.scripts.join('\n')).join('\n');
    const files = git(probe, 'ls-files').split('\n').filter((f) => /(^|\/)([^/]*\.)?Dockerfile(\.[^/]*)?$/.test(f));
    for (const f of files) {
      const args: Record<string, string> = {};
      const stages: string[] = [];
      for (const line of readFileSync(join(probe, f), 'utf8').split('\n')) {
        const arg = /^\s*ARG\s+(\w+)(?:=["']?([^"'\s]*)["']?)?/i.exec(line);
        if (arg) {
          const name = arg[1]!;
          const passed = new RegExp(`--build-arg[= ]"?${name}=\\$\\{?${name}\\b`).test(jobText);
          const fromPipeline = passed ? this.info.variables[name] : undefined;
          args[name] = fromPipeline ?? expandArgs(arg[2] ?? '', args);
          continue;
        }
        const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
        if (!from) continue;
        const image = expandArgs(from[1]!, args);
        if (image !== 'scratch' && !stages.includes(image) && !image.includes('$')) {
          const ref = normRef(image);
          refs.set(ref, [...(refs.get(ref) ?? []), f]);
        }
        if (from[2]) stages.push(from[2]);
      }
    }
    if (refs.size === 0) info('note: no base image found in any Dockerfile');
    return refs;
  }

  // ---------------------------------------------------------------- pipelines
  /** The clone a pipeline runs in, with its ref and change made. */
  prepareClone(kind: PipelineKind, spec: PipelineSpec): string {
    if (spec.sameCloneAs) return this.clones.get(spec.sameCloneAs)!;
    const dir = join(this.runDir, 'clones', kind);
    this.cloneFresh(dir);
    const { ref } = spec;
    if (ref.type === 'branch' || ref.type === 'merge-request') git(dir, 'checkout', '-q', '-b', ref.name);
    if (spec.change) this.commitChange(dir, spec.change, kind);
    if (ref.type === 'default-branch') this.originIsHead(dir); // the default branch moved with the change
    if (ref.type === 'tag') git(dir, 'tag', ref.name);
    this.clones.set(kind, dir);
    return dir;
  }

  commitChange(dir: string, change: Change, kind: PipelineKind): void {
    const tracked = git(dir, 'ls-files').split('\n');
    let file: string;
    if (change === 'docs') file = tracked.find((f) => /^docs\/.*\.md$/.test(f)) ?? 'docs/e2e-change.md';
    else if (change === 'src') file = tracked.find((f) => /^src\/.*\.py$/.test(f) && !/(^|\/)tests?\//.test(f)) ?? 'src/e2e_change.py';
    else file = 'README.md';
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), file.endsWith('.py') ? `# e2e: a change (${kind})\n` : `\nA change (e2e, ${kind}).\n`, { flag: 'a' });
    git(dir, 'add', file);
    git(dir, 'commit', '-q', '-m', `e2e: change ${file}`);
    info(`[${kind}] commit ${git(dir, 'rev-parse', '--short=8', 'HEAD')} changes ${file}`);
  }

  /** gitlab-ci-local's arguments for a pipeline of SPEC, and the names of the variables it gives. */
  pipelineArgs(kind: PipelineKind, spec: PipelineSpec, dir: string): { args: string[]; given: GivenVariables; jobs: string[] } {
    const harness: Record<string, string> = {
      ...(this.imageRegistryOverride ? { IMAGE_REGISTRY: this.imageRegistryOverride } : {}),
      STORAGE_DRIVER: 'overlay',
      // This pipeline's own instance of the login's service stand-in (GCP_STS_URL, GCP_IAM_CREDENTIALS_URL).
      ...this.services.get(kind)?.variables,
      // The stand-in cluster answers at once: look at a Job every second, not every 10.
      ...(this.o.cluster ? { CLUSTER_POLL: '1' } : {}),
    };
    const login = this.login!;
    const jobVariables = Object.keys(login.jobVariables);
    const projectVariables = spec.protected ? Object.keys(login.projectVariables) : [];
    const predefined: Record<string, string> = {
      CI_COMMIT_REF_PROTECTED: String(spec.protected),
      CI_PIPELINE_SOURCE: spec.source,
    };
    const unset: string[] = [];
    const { ref } = spec;
    if (ref.type === 'tag') {
      Object.assign(predefined, { CI_COMMIT_TAG: ref.name, CI_COMMIT_REF_NAME: ref.name, CI_COMMIT_REF_SLUG: slug(ref.name) });
      unset.push('CI_COMMIT_BRANCH');
    } else if (ref.type === 'merge-request') {
      Object.assign(predefined, {
        CI_MERGE_REQUEST_IID: '7',
        CI_COMMIT_REF_NAME: ref.name,
        CI_COMMIT_REF_SLUG: slug(ref.name),
        CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: ref.name,
        CI_MERGE_REQUEST_TARGET_BRANCH_NAME: this.defaultBranch,
        CI_MERGE_REQUEST_EVENT_TYPE: 'merged_result',
      });
      unset.push('CI_COMMIT_BRANCH');
    }
    const args = [
      '--force-shell-executor', '--shell-isolation', '--no-color', '--max-job-name-padding', '0',
      '--json-schema-validation=false', '--artifacts-to-source=false',
      // gitlab-ci-local's own predefined values (its CI_REGISTRY, CI_REGISTRY_IMAGE) give way to GitLab's.
      '--ignore-predefined-vars', [...Object.keys(predefined), ...unset, ...jobVariables].join(','),
    ];
    for (const [k, v] of Object.entries({ ...harness, ...predefined, ...spec.variables })) args.push('--variable', `${k}=${v}`);
    for (const u of unset) args.push('--unset-variable', u);
    // gitlab-ci-local 4.73 reads the variables file at CWD/PATH: a relative path.
    if (projectVariables.length + jobVariables.length > 0)
      args.push('--variables-file', relative(dir, join(this.runDir, spec.protected ? 'variables-protected.yml' : 'variables-unprotected.yml')));
    // The manual cluster jobs (deploy:production, train:cluster): someone presses play.
    if (spec.run.includes('cluster')) for (const j of jobsOfKind(this.info, 'cluster')) args.push('--manual', j.name);
    let jobs = this.o.jobs;
    if (spec.onlyJobs) {
      const picked = jobsOfKind(this.info, spec.onlyJobs).map((j) => j.name);
      jobs = this.o.jobs.length ? picked.filter((j) => this.o.jobs.includes(j)) : picked;
    }
    args.push(...jobs);
    return {
      args,
      jobs,
      given: {
        project: projectVariables,
        pipeline: Object.keys(spec.variables),
        predefined: [...Object.keys(predefined), ...unset.map((u) => `${u} (unset)`), ...jobVariables],
        harness: [...Object.keys(harness), 'PIP_NO_INDEX', 'PIP_NO_DEPS'],
        idTokens: this.login?.idToken ? [...new Set(this.info.jobs.flatMap((j) => j.idTokens))] : [],
      },
    };
  }

  async runPipelines(): Promise<void> {
    const pending = [...this.o.kinds];
    const active = new Map<PipelineKind, Promise<PipelineKind>>();
    const follow = new Map<PipelineKind, { file: string; pos: number; rest: string }>();
    const ticker = setInterval(() => this.follow(follow), 1000);
    try {
      while (pending.length > 0 || active.size > 0) {
        for (const kind of [...pending]) {
          if (active.size >= MAX_PARALLEL) break;
          const spec = this.spec(kind);
          const deps = spec.after.filter((d) => this.o.kinds.includes(d));
          if (deps.some((d) => !this.done.has(d))) continue;
          pending.splice(pending.indexOf(kind), 1);
          const failed = deps.filter((d) => !this.done.get(d));
          if (failed.length > 0) {
            this.fail(`[${kind}] not run: it needs pipeline ${failed.join(', ')}, which failed`);
            this.done.set(kind, false);
            continue;
          }
          active.set(kind, this.startPipeline(kind, follow).then(() => kind));
        }
        if (active.size === 0) continue;
        const finished = await Promise.race(active.values());
        active.delete(finished);
      }
      if (this.imageRunDone) await this.imageRunDone;
      else if (this.report.imageRunSkipped == null) this.report.imageRunSkipped = 'no push pipeline in this run';
    } finally {
      clearInterval(ticker);
      this.follow(follow);
    }
  }

  follow(files: Map<PipelineKind, { file: string; pos: number; rest: string }>): void {
    for (const [kind, f] of files) {
      if (!existsSync(f.file)) continue;
      const fd = openSync(f.file, 'r');
      const buf = Buffer.alloc(1 << 16);
      let n: number;
      let text = '';
      while ((n = readSync(fd, buf, 0, buf.length, f.pos)) > 0) {
        f.pos += n;
        text += buf.subarray(0, n).toString('utf8');
      }
      closeSync(fd);
      const lines = (f.rest + text).split('\n');
      f.rest = lines.pop() ?? '';
      for (const line of lines) if (this.o.verbose || isProgressLine(line)) say(`   | [${kind}] ${line}`);
    }
  }

  async startPipeline(kind: PipelineKind, follow: Map<PipelineKind, { file: string; pos: number; rest: string }>): Promise<void> {
    const spec = this.spec(kind);
    bold(`[${kind}] ${spec.title}: started`);
    const dir = this.prepareClone(kind, spec);
    const { args, given, jobs } = this.pipelineArgs(kind, spec, dir);
    if (spec.onlyJobs && jobs.length === 0) {
      info(`[${kind}] no job selected (--job): skipped`);
      this.done.set(kind, true);
      return;
    }
    const cacheDir = join(dir, '.gitlab-ci-local/cache');
    const cacheBefore = spec.cacheUnchanged ? fingerprint(cacheDir) : null;
    const log = join(this.runDir, 'logs', `${kind}.log`);
    const fd = openSync(log, 'w');
    info(`[${kind}] gitlab-ci-local --shell-isolation ...${jobs.map((j) => ` ${j}`).join('')} (in ${dir})`);
    const started = Date.now();
    // The stand-in cluster's state and record, one per pipeline (adapters/kubectl).
    const clusterEnv = this.o.cluster
      ? [`KUBECTL_STAND_IN_STATE=${join(this.runDir, 'cluster', kind)}`, `KUBECTL_STAND_IN_FAIL=${this.o.clusterFail.join(',')}`, 'KUBECTL_REAL=/usr/bin/kubectl']
      : [];
    if (this.o.cluster) mkdirSync(join(this.runDir, 'cluster', kind), { recursive: true });
    const child = spawn('unshare', this.nsArgs(dir, [`E2E_PIPELINE=${kind}`, ...clusterEnv], [process.execPath, this.gcl, ...args]), {
      detached: true, stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    this.running.set(kind, child.pid!);
    follow.set(kind, { file: log, pos: 0, rest: '' });
    const exitCode = await new Promise<number>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 128 : 1))));
    this.running.delete(kind);
    const seconds = (Date.now() - started) / 1000;
    this.follow(follow);
    follow.delete(kind);
    const failuresBefore = this.report.failures.length;
    await this.checkPipeline(kind, spec, dir, log, exitCode, seconds, given, cacheBefore);
    this.done.set(kind, this.report.failures.length === failuresBefore);
    if (kind === 'push') this.startImageRun(dir);
  }

  /**
   * After a green push pipeline, while the registry is up: the images it
   * pushed, pulled by digest and run (run-images.ts). It runs beside the
   * pipelines still to come; runPipelines waits for it.
   */
  startImageRun(dir: string): void {
    const skip = (why: string) => {
      this.report.imageRunSkipped = why;
      info(`[images] not run: ${why}`);
    };
    if (this.o.noImageRun) return skip('--no-image-run');
    if (!this.done.get('push')) return skip('the push pipeline failed');
    const commit = this.report.pipelines.push?.commit;
    const images: Partial<Record<ImageRole, ImageToRun>> = {};
    for (const role of ['cpu', 'gpu'] as const) {
      const job = jobsOfKind(this.info, 'image').find((j) => j.imageName === role);
      if (!job) return skip(`the pipeline has no ${role} image job`);
      if (!this.selected(job.name)) return skip(`--job: ${job.name} did not run`);
      const repository = `${this.registryPath}/${role}`;
      const pushed = this.report.digests.find((d) => d.kind === 'push' && d.repository === repository && d.tag === commit);
      if (!pushed) return skip(`${repository}:${commit} was not pushed`);
      images[role] = { role, repository, tag: pushed.tag, digest: pushed.digest };
    }
    bold(`[images] the pushed images run: pull by digest, cpu process data -> gpu train -> cpu serve`);
    this.imageRun = new ImageRun({
      runDir: this.runDir,
      host: this.pushHost,
      basicAuth: this.login!.expectedAuth,
      images: images as Record<ImageRole, ImageToRun>,
      repoDir: dir,
      nsArgs: (cmd) => this.nsArgs(this.runDir, [], cmd),
      keep: this.o.keep,
      ok, fail: (line) => this.fail(line), detail: (line) => say(`      ${line}`),
    });
    this.imageRunDone = this.imageRun.run().then((r) => {
      this.report.imageRun = r;
    });
  }

  selected(job: string): boolean {
    return this.o.jobs.length === 0 || this.o.jobs.includes(job);
  }

  async checkPipeline(kind: PipelineKind, spec: PipelineSpec, dir: string, logFile: string, exitCode: number, seconds: number,
    given: GivenVariables, cacheBefore: CacheFingerprint | null): Promise<void> {
    bold(`[${kind}] ${spec.title}: finished`);
    const log = readFileSync(logFile, 'utf8');
    const names = this.info.jobs.map((j) => j.name);
    const ran = jobOutcomes(log, names);
    const commit = git(dir, 'rev-parse', '--short=8', 'HEAD');
    const timed = this.info.jobs.filter((j) => ran[j.name]).map((j) => ({ ...j, seconds: ran[j.name]!.seconds ?? 0 }));
    const cp = criticalPath(timed, this.info.stages);
    const p: PipelineReport = {
      kind, title: spec.title, ref: refName(spec, this.defaultBranch), source: spec.source, protected: spec.protected, commit,
      variables: given, seconds, exitCode, jobs: ran, images: [], criticalPath: cp, logLines: [], idTokens: {},
    };
    this.report.pipelines[kind] = p;
    info(`[${kind}] ran in ${seconds.toFixed(0)} s, gitlab-ci-local exit ${exitCode}, commit ${commit} on ${p.ref} (${spec.protected ? 'protected' : 'unprotected'})`);
    info(`[${kind}] variables given (names): ${describeGiven(given)}`);
    for (const j of this.info.jobs) {
      const r = ran[j.name];
      if (r) info(`[${kind}]   ${r.status}  ${j.name.padEnd(24)} ${r.seconds == null ? '?' : `${r.seconds.toFixed(1)} s`}`);
    }
    if (cp.jobs.length > 1) info(`[${kind}] critical path: ${cp.jobs.map((j) => `${j.name} ${j.seconds.toFixed(1)} s`).join(' -> ')} = ${cp.seconds.toFixed(1)} s`);
    let failedJob = false;
    const mayFail = this.expectedClusterFailures(spec);
    for (const j of names) {
      if (ran[j]?.status !== 'FAIL' || mayFail.includes(j)) continue;
      failedJob = true;
      this.fail(`[${kind}] job ${j} failed; its log (last 40 lines):`);
      for (const l of jobLog(log, j).slice(-40)) say(`      ${l}`);
    }
    if (exitCode !== 0 && !failedJob && !mayFail.some((j) => ran[j]?.status === 'FAIL')) {
      this.fail(`[${kind}] gitlab-ci-local exited ${exitCode}; the end of its output:`);
      for (const l of log.trimEnd().split('\n').slice(-30)) say(`      ${l}`);
    }

    // Which jobs run.
    const onlyNames = spec.onlyJobs ? new Set(this.pipelineArgs(kind, spec, dir).jobs) : null;
    for (const k of spec.run) {
      for (const j of jobsOfKind(this.info, k)) {
        if (!this.selected(j.name) || (onlyNames && !onlyNames.has(j.name))) continue;
        if (k === 'image' && spec.images.mode === 'switch') continue;
        if (mayFail.includes(j.name) && ran[j.name]) continue; // checkCluster reads its failure
        if (k === 'cluster' && spec.clusterJobs === 'train' && !isTrainJob(j)) {
          this.expectNotRan(kind, j.name, ran);
          continue;
        }
        this.expectRan(kind, j.name, ran);
      }
    }
    for (const k of spec.notRun) for (const j of jobsOfKind(this.info, k)) this.expectNotRan(kind, j.name, ran);

    await this.checkImages(kind, spec, p, log, ran);
    if (spec.retag) await this.checkRetag(commit, spec.ref.type === 'tag' ? spec.ref.name : '');
    this.checkArtifacts(kind, dir, ran);
    for (const want of spec.logLines ?? []) {
      for (const j of jobsOfKind(this.info, want.kind)) {
        if (!ran[j.name] || (want.kind === 'image' && !this.imageWanted(spec, j.switches))) continue;
        const line = jobLog(log, j.name).find((l) => want.line.test(l)) ?? null;
        p.logLines.push({ job: j.name, what: want.what, found: line != null, line });
        if (line) ok(`[${kind}] ${j.name}: ${want.what}: ${line.slice(j.name.length + 3)}`);
        else this.fail(`[${kind}] ${j.name}: ${want.what}: no line matching ${want.line} in its log`);
      }
    }
    if (spec.cacheUnchanged) {
      const after = fingerprint(join(dir, '.gitlab-ci-local/cache'));
      const unchanged = cacheBefore != null && after != null && cacheBefore.hash === after.hash;
      // What a GitLab runner would archive: the cache paths the uploading jobs left in their checkout.
      const leftToUpload = this.info.jobs.filter((j) => ran[j.name] && j.cachePush).flatMap((j) =>
        j.cachePaths.filter((c) => existsSync(join(dir, '.gitlab-ci-local/builds', safeJobName(j.name), c))).map((c) => `${j.name}: ${c}`));
      p.cache = { before: cacheBefore, after, unchanged, leftToUpload };
      if (unchanged) ok(`[${kind}] the cache is unchanged by the pipeline (${after.files} entries, ${megabytes(after.bytes)}: same paths, sizes and mtimes)`);
      else this.fail(`[${kind}] the cache changed (before: ${JSON.stringify(cacheBefore)}, after: ${JSON.stringify(after)})`);
      if (leftToUpload.length === 0) ok(`[${kind}] no cache path left in the uploading jobs' checkouts: a GitLab runner has nothing to archive ("Archive is up to date!")`);
      else this.fail(`[${kind}] cache paths left for upload (a GitLab runner would archive them again): ${leftToUpload.join(', ')}`);
    }
    this.checkWrittenCredentials(kind, spec);
    this.checkIdTokens(kind, p, ran);
    await this.checkService(kind, spec, p);
    this.checkCluster(kind, spec, p, ran);
  }

  expectRan(kind: PipelineKind, job: string, ran: Record<string, { status: string }>): void {
    const s = ran[job]?.status;
    if (s === 'PASS') ok(`[${kind}] ${job} ran and passed`);
    else if (s === 'WARN') ok(`[${kind}] ${job} ran (failure allowed)`);
    else if (s !== 'FAIL') this.fail(`[${kind}] ${job} did not run, but the rules promise it`);
  }

  expectNotRan(kind: PipelineKind, job: string, ran: Record<string, unknown>): void {
    if (ran[job]) this.fail(`[${kind}] ${job} ran, but the rules say it must not`);
    else ok(`[${kind}] ${job} did not run`);
  }

  async checkImages(kind: PipelineKind, spec: PipelineSpec, p: PipelineReport, log: string, ran: Record<string, { status: string }>): Promise<void> {
    const mode = spec.images.mode;
    if (mode === 'none') return;
    const tag = p.commit;
    for (const j of jobsOfKind(this.info, 'image')) {
      if (!this.selected(j.name) || !j.imageName) continue;
      if (!this.imageWanted(spec, j.switches)) {
        this.expectNotRan(kind, j.name, ran);
        continue;
      }
      if (mode === 'switch') this.expectRan(kind, j.name, ran);
      const repository = `${this.registryPath}/${j.imageName}`;
      const digest = await this.api.digest(repository, tag);
      const buildOnlyLine = jobLog(log, j.name).some((l) => /image-build: build only, nothing is pushed \(/.test(l));
      p.images.push({ job: j.name, image: j.imageName, tag, pushed: digest != null, digest, buildOnlyLine });
      if (ran[j.name]?.status !== 'PASS') continue;
      if (mode === 'build-only') {
        if (digest == null) ok(`[${kind}] ${j.name} built and pushed nothing: ${repository}:${tag} is not in the registry`);
        else this.fail(`[${kind}] ${j.name} pushed ${repository}:${tag} (${digest}), but this pipeline must only build`);
      } else if (digest != null) {
        ok(`[${kind}] ${j.name} pushed ${repository}:${tag}  ${digest}`);
        this.report.digests.push({ kind, repository, tag, digest });
        const extra = this.info.variables.IMAGE_TAG;
        if (extra && spec.ref.type === 'default-branch') {
          const d2 = await this.api.digest(repository, extra);
          if (d2) this.report.digests.push({ kind, repository, tag: extra, digest: d2 });
          info(`[${kind}] ${repository}:${extra}  ${d2 ?? 'missing'}`);
        }
      } else this.fail(`[${kind}] ${j.name} passed but ${repository}:${tag} is not in the registry`);
    }
  }

  /** Whether an image job with these switches must run in a pipeline of SPEC. */
  imageWanted(spec: PipelineSpec, switches: string[]): boolean {
    const { images } = spec;
    return images.mode === 'push' || images.mode === 'build-only' || (images.mode === 'switch' && switches.some((s) => images.switches.includes(s)));
  }

  async checkRetag(commit: string, tag: string): Promise<void> {
    let n = 0;
    for (const j of jobsOfKind(this.info, 'image')) {
      if (!j.imageName) continue;
      const repository = `${this.registryPath}/${j.imageName}`;
      const a = await this.api.digest(repository, commit);
      if (a == null) continue;
      n += 1;
      const b = await this.api.digest(repository, tag);
      this.report.retag.push({ repository, from: commit, to: tag, fromDigest: a, toDigest: b, equal: b === a });
      if (b === a) ok(`${repository}:${tag} == ${repository}:${commit}  ${b}`);
      else this.fail(`${repository}:${tag} (${b ?? 'missing'}) != ${repository}:${commit} (${a})`);
    }
    if (n === 0) this.fail(`no image tagged ${commit} in the registry to compare (did the push pipeline run?)`);
  }

  /** What GitLab would collect: the artifacts each job declared (gitlab-ci-local's artifacts folder). */
  checkArtifacts(kind: PipelineKind, dir: string, ran: Record<string, { status: string }>): void {
    const artifacts = join(dir, '.gitlab-ci-local/artifacts');
    for (const j of this.info.jobs) {
      if (!ran[j.name]) continue;
      for (const path of j.junit) {
        const f = join(artifacts, safeJobName(j.name), path);
        if (ran[j.name]?.status !== 'PASS' && !existsSync(f)) continue; // its failure is reported with its log
        if (!existsSync(f)) {
          this.fail(`[${kind}] ${j.name}: junit report ${path} is not among its artifacts`);
          continue;
        }
        const t = junitTotals(readFileSync(f, 'utf8'));
        this.report.junit.push({ kind, job: j.name, path, ...t });
        info(`[${kind}] junit ${j.name} ${path}: tests=${t.tests} failures=${t.failures} errors=${t.errors} skipped=${t.skipped}`);
        if (t.tests > 0 && t.failures === 0 && t.errors === 0) ok(`[${kind}] junit report ${path}: tests > 0, no failures or errors`);
        else if (ran[j.name]?.status === 'PASS') this.fail(`[${kind}] junit report ${path}: no tests, or failures/errors`);
      }
      if (j.kind === 'pages' && ran[j.name]?.status === 'PASS') {
        if (existsSync(join(artifacts, safeJobName(j.name), 'public/index.html'))) ok(`[${kind}] pages: public/index.html among its artifacts`);
        else this.fail(`[${kind}] pages: public/index.html missing from its artifacts`);
      }
    }
  }

  /**
   * The docker config files the jobs of a pipeline wrote (each job's own /kaniko,
   * /tmp and /root/.docker, adapters/job-shell): where the jobs have the credential
   * they must hold all of it (the registry's bcrypt checks only 72 bytes); in a
   * merge request, or where the credential does not reach (an unprotected ref and
   * a protected variable), it must not be there at all.
   */
  checkWrittenCredentials(kind: PipelineKind, spec: PipelineSpec): void {
    const files = findFiles(join(this.runDir, 'jobs', kind), (n) => n === 'config.json' || n === 'auth.json');
    let full = 0;
    const found: string[] = [];
    for (const f of files) {
      let auth: string | undefined;
      try {
        auth = (JSON.parse(readFileSync(f, 'utf8')) as { auths?: Record<string, { auth?: string }> }).auths?.[this.pushHost]?.auth;
      } catch {
        continue;
      }
      if (!auth) continue;
      const rel = relative(this.runDir, f);
      found.push(rel);
      const value = auth === this.login!.expectedAuth ? 'full' : this.o.wrongCredential ? 'wrong' : 'differs';
      this.report.credentials.push({ kind, file: rel, value });
      if (value === 'full') full += 1;
      if (value === 'differs') this.fail(`[${kind}] the credential the job wrote in ${rel} differs from the one given (truncated or altered)`);
    }
    if (!mayWriteCredential(spec, this.standIn.reach)) {
      const why = spec.source === 'merge_request_event'
        ? 'a merge request pipeline never reads the credential'
        : `unprotected ref: ${this.report.repo!.projectVariables.join(', ')} not given`;
      if (found.length > 0) this.fail(`[${kind}] a job wrote a credential for ${this.pushHost} (${found.join(' ')}), but ${why}`);
      else ok(`[${kind}] no job wrote a credential (${why})`);
    } else if (found.length === 0) info(`[${kind}] no docker config with an entry for ${this.pushHost} written by the jobs`);
    else if (this.o.wrongCredential) info(`[${kind}] ${found.length} docker config(s) written by the jobs hold the deliberately wrong credential`);
    else if (full === found.length) ok(`[${kind}] the ${found.length} docker config(s) the jobs wrote hold the full credential for ${this.pushHost}`);
  }

  /**
   * The login's service stand-in (Google's token endpoints), one instance per
   * pipeline on 127.0.0.1, so that each pipeline's calls are its own. The
   * pipeline must read every variable that points at it: otherwise its jobs
   * would call the real service.
   */
  async startLoginServices(login: Login): Promise<void> {
    const service = login.service;
    if (!service) return;
    const read = variablesReferenced(this.info, service.variables);
    const unread = service.variables.filter((v) => !read.includes(v));
    if (unread.length > 0)
      this.die(`the pipeline does not read ${unread.join(', ')}: its jobs would call the real service, not the harness's stand-in (${service.summary})`);
    for (const kind of this.o.kinds) this.services.set(kind, await service.start());
    const first = this.services.get(this.o.kinds[0]!);
    info(`login service stand-in: ${service.summary}; ${service.variables.join(', ')} (a harness variable per pipeline), e.g. ${first ? Object.values(first.variables).join(' ') : ''}`);
  }

  /**
   * GitLab gives every job that declares `id_tokens` those tokens as
   * variables, in every pipeline (protected ref or not); gitlab-ci-local
   * ignores them. The harness writes each into RUN/id-tokens/<job>/<NAME>
   * (mode 600) and adapters/job-shell exports them into that job only.
   */
  writeIdTokens(login: Login): void {
    const declaring = this.info.jobs.filter((j) => j.idTokens.length > 0);
    if (declaring.length === 0) return;
    if (!login.idToken) {
      info(`note: ${declaring.map((j) => j.name).join(', ')} declare id_tokens, but the login's stand-in issues none: not given`);
      return;
    }
    for (const j of declaring) {
      const dir = join(this.runDir, 'id-tokens', jobShellName(j.name));
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      for (const name of j.idTokens) writeFileSync(join(dir, name), login.idToken, { mode: 0o600 });
    }
    info(`ID tokens (id_tokens, ${login.idToken.length} bytes, random, JWT-shaped) given in every pipeline to: ${declaring.map((j) => `${j.name} (${j.idTokens.join(', ')})`).join(', ')}`);
  }

  /** Which ID tokens each job that ran found in its environment (adapters/job-shell records them): exactly those it declares. */
  checkIdTokens(kind: PipelineKind, p: PipelineReport, ran: Record<string, { status: string }>): void {
    const jobsDir = join(this.runDir, 'jobs', kind);
    const dirs = existsSync(jobsDir) ? readdirSync(jobsDir).map((d) => join(jobsDir, d)).filter((d) => existsSync(join(d, 'job-name'))) : [];
    for (const dir of dirs) {
      const job = readFileSync(join(dir, 'job-name'), 'utf8').trim();
      const file = join(dir, 'id-tokens');
      const names = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
      p.idTokens[job] = [...new Set([...(p.idTokens[job] ?? []), ...names])].sort();
    }
    if (!this.login?.idToken) return;
    const given: string[] = [];
    for (const j of this.info.jobs) {
      if (!ran[j.name]) continue;
      const got = p.idTokens[j.name] ?? [];
      const want = [...j.idTokens].sort();
      if (got.join() !== want.join()) this.fail(`[${kind}] ${j.name} got the ID tokens ${got.join(', ') || 'none'}, but declares ${want.join(', ') || 'none'} (GitLab gives exactly those)`);
      else if (want.length > 0) given.push(`${j.name} (${want.join(', ')})`);
    }
    if (given.length > 0) ok(`[${kind}] the jobs that declare id_tokens got their ID token, and no other job: ${given.join(', ')}`);
  }

  /**
   * What this pipeline's instance of the login's service stand-in saw: no
   * refused request; no call at all where the credential may not be written
   * (a merge request, an unprotected ref); elsewhere each of its endpoints
   * called once for each credential the jobs wrote. It is stopped here.
   */
  async checkService(kind: PipelineKind, spec: PipelineSpec, p: PipelineReport): Promise<void> {
    const svc = this.services.get(kind);
    const service = this.login?.service;
    if (!svc || !service) return;
    const calls = svc.calls();
    const problems = svc.problems();
    p.service = { calls, problems };
    this.services.delete(kind);
    await svc.stop();
    for (const pr of problems) this.fail(`[${kind}] the token stand-in refused a request: ${pr}`);
    for (const c of calls.filter((x) => !service.perLogin.includes(x.endpoint))) this.fail(`[${kind}] the token stand-in got a call to an unknown endpoint: ${c.method} ${c.path}`);
    if (!mayWriteCredential(spec, this.standIn.reach)) {
      const why = spec.source === 'merge_request_event' ? 'a merge request pipeline trades no token' : 'an unprotected ref: the protected variables are not given';
      if (calls.length > 0) this.fail(`[${kind}] the token stand-in got ${calls.length} call(s) (${calls.map((c) => c.endpoint).join(', ')}), but ${why}`);
      else ok(`[${kind}] the token stand-in got no call (${why})`);
      return;
    }
    const written = this.report.credentials.filter((c) => c.kind === kind).length;
    const counts = service.perLogin.map((e) => [e, calls.filter((c) => c.endpoint === e).length] as const);
    const off = counts.filter(([, n]) => n !== written);
    if (off.length > 0)
      this.fail(`[${kind}] the jobs wrote ${written} credential(s), but the token stand-in got ${counts.map(([e, n]) => `${n} ${e}`).join(' and ')} call(s): one login calls each once`);
    else if (written > 0) ok(`[${kind}] the token stand-in: ${written} login(s), each ${service.perLogin.join(' then ')}, nothing refused`);
  }

  /** No secret in any log of the run, nor in the report. */
  scanSecrets(reportText: string): void {
    const secrets = [...(this.login?.secrets ?? []), ...(this.cluster?.secrets ?? [])].filter((s) => s.length >= 16);
    if (secrets.length === 0) return;
    const logs = [
      ...findFiles(join(this.runDir, 'logs'), () => true),
      ...findFiles(join(this.runDir, 'registries'), (n) => n === 'log'),
      ...findFiles(join(this.runDir, 'clones'), (n, p) => p.includes('/.gitlab-ci-local/output/')),
    ];
    const hits = logs.filter((f) => secrets.some((s) => readFileSync(f, 'utf8').includes(s))).map((f) => relative(this.runDir, f));
    if (secrets.some((s) => reportText.includes(s))) hits.push('the report');
    this.report.secretsFound = hits;
    if (hits.length > 0) this.fail(`a secret appears in: ${hits.join(', ')}`);
    else ok(`no secret in the ${logs.length} log files of the run nor in the report`);
  }

  summary(): void {
    bold('summary');
    const r = this.report.repo;
    info(`repo: ${this.o.repo}${r ? ` (${r.platform}, ${r.builder})` : ''}`);
    for (const [kind, p] of Object.entries(this.report.pipelines)) {
      info(`${kind.padEnd(13)} ${p.seconds.toFixed(0).padStart(4)} s  exit ${p.exitCode}  ${Object.entries(p.jobs).map(([j, s]) => `${j}:${s.status}`).join(' ')}`);
    }
    const ir = this.report.imageRun;
    if (ir) {
      info(`${'images'.padEnd(13)} ${ir.seconds.toFixed(0).padStart(4)} s  ${ir.ok ? 'ok' : 'FAILED'}  ${ir.steps.map((s) => `${s.image}:${s.step.split(' (')[0]}:${s.ok ? 'PASS' : 'FAIL'}`).join(' ')}`);
      info(`              not proven: ${ir.notProven.map((n) => n.split(':')[0]).join('; ')} (scripts/e2e/README.md)`);
    } else info(`${'images'.padEnd(13)} not run: ${this.report.imageRunSkipped ?? '?'}`);
  }
}

class HarnessExit extends Error {}

// ------------------------------------------------------------------ helpers
/** A job's folder name as adapters/job-shell makes it from CI_JOB_NAME (tr -c "A-Za-z0-9_.-" "_"). */
/** The cluster job that runs Jobs of k8s/ (train:cluster), not a deploy. */
const isTrainJob = (j: { scripts: string[] }) => j.scripts.some((s) => /\bcluster\.sh run\b/.test(s));
const jobShellName = (job: string) => job.replace(/[^A-Za-z0-9_.-]/g, '_');
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 63);

function refName(spec: PipelineSpec, defaultBranch: string): string {
  const { ref } = spec;
  if (ref.type === 'default-branch') return defaultBranch;
  if (ref.type === 'tag') return `tag ${ref.name}`;
  if (ref.type === 'merge-request') return `MR from ${ref.name} into ${defaultBranch}`;
  return ref.name;
}

function describeGiven(g: GivenVariables): string {
  const part = (label: string, names: string[]) => `${label}: ${names.join(', ') || 'none'}`;
  return [
    part('project', g.project), part('pipeline', g.pipeline), part('predefined', g.predefined), part('harness', g.harness),
    ...(g.idTokens.length > 0 ? [part('ID tokens (to the jobs that declare them)', g.idTokens)] : []),
  ].join('; ');
}

function expandArgs(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (m, a?: string, def?: string, b?: string) => {
    const name = a ?? b!;
    return args[name] ?? def ?? m;
  });
}

/** REF -> HOST/PATH:TAG (docker.io/library/... for short names). */
function normRef(ref: string): string {
  if (ref.includes('@')) throw new Error(`base image by digest (${ref}) is not supported by the stand-in`);
  let name = ref;
  let tag = 'latest';
  const last = name.slice(name.lastIndexOf('/') + 1);
  if (last.includes(':')) {
    tag = name.slice(name.lastIndexOf(':') + 1);
    name = name.slice(0, name.lastIndexOf(':'));
  }
  const first = name.split('/')[0]!;
  if (!name.includes('/')) return `docker.io/library/${name}:${tag}`;
  if (first.includes('.') || first.includes(':') || first === 'localhost') return `${name}:${tag}`;
  return `docker.io/${name}:${tag}`;
}

function junitTotals(xml: string): { tests: number; failures: number; errors: number; skipped: number } {
  // The <testsuite> elements (pytest writes <testsuites><testsuite .../></testsuites>).
  const t = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const m of xml.matchAll(/<testsuite\b([^>]*)>/g)) {
    for (const k of Object.keys(t) as (keyof typeof t)[]) {
      const v = new RegExp(`\\b${k}="(\\d+)"`).exec(m[1]!);
      if (v) t[k] += Number(v[1]);
    }
  }
  return t;
}

const megabytes = (b: number) => (b < 1e6 ? `${(b / 1e3).toFixed(1)} kB` : `${(b / 1e6).toFixed(1)} MB`);

function findFiles(dir: string, want: (name: string, path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, want));
    else if (e.isFile() && want(e.name, p)) out.push(p);
  }
  return out.sort();
}

/**
 * Paths, sizes and mtimes of everything in DIR (gitlab-ci-local's cache
 * folder: one folder per key), or null when absent. A key folder's own mtime
 * is left out: gitlab-ci-local's copy-out (rsync -Ra PATHS KEY/.) sets it even
 * when PATHS are missing and nothing is copied.
 */
function fingerprint(dir: string): CacheFingerprint | null {
  if (!existsSync(dir)) return null;
  const h = createHash('sha256');
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const keyFolder = d === dir && st.isDirectory();
      h.update(`${relative(dir, p)}\0${keyFolder ? '' : `${st.size}\0${st.mtimeMs}`}\0${st.mode}\n`);
      if (st.isDirectory()) walk(p);
      else {
        files += 1;
        bytes += st.size;
      }
    }
  };
  walk(dir);
  return { files, bytes, hash: h.digest('hex') };
}

// ------------------------------------------------------------------ main
async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const h = new Harness(o);
  h.preflight();
  h.makeRunDir();
  let exiting = false;
  const finish = () => {
    if (exiting) return;
    exiting = true;
    const r = h.report;
    r.seconds = Math.round((Date.now() - h.t0) / 1000);
    r.exitCode = r.failures.length > 0 || (process.exitCode != null && process.exitCode !== 0) ? 1 : 0;
    r.ok = r.exitCode === 0;
    const text = JSON.stringify(r, null, 2);
    h.scanSecrets(text);
    if (r.secretsFound.length > 0) {
      r.exitCode = 1;
      r.ok = false;
    }
    if (o.report) writeFileSync(o.report, `${JSON.stringify(r, null, 2)}\n`);
    h.cleanup();
    process.exitCode = r.exitCode;
  };
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.on(sig, () => {
      h.report.failures.push(`interrupted (${sig})`);
      finish();
      process.exit(code);
    });
  }
  try {
    bold(`e2e pipeline harness: ${o.repo}`);
    info('stand-ins: conda -> shim (env create = venv from Debian packages, run -p, shell hook); base images -> one local');
    info('           Debian bookworm image via registries.conf; /kaniko/executor -> buildah adapter; crane -> skopeo adapter;');
    info('           registries -> docker-registry on 127.0.0.1 over HTTP (scripts/e2e/README.md)');
    info(`pipelines: ${o.kinds.join(', ')}; every job in its own checkout (--shell-isolation), its cache and artifacts the only channels`);
    h.sourceRepo();
    h.repoNameFrom();
    h.analyse();
    await h.registriesAndImages();
    await h.runPipelines();
    h.summary();
  } catch (e) {
    if (!(e instanceof HarnessExit)) {
      h.report.failures.push(`harness error: ${(e as Error).message}`);
      process.stderr.write(`e2e-pipeline: ${(e as Error).stack ?? String(e)}\n`);
    }
  } finally {
    finish();
  }
  const failures = h.report.failures;
  say(`   total time: ${h.report.seconds} s`);
  if (failures.length > 0 || process.exitCode !== 0) {
    say(`\n${paint('31', 'e2e-pipeline: FAILED')} (${failures.length} problem(s)):`);
    for (const f of failures) say(`  - ${f}`);
    process.exitCode = 1;
  } else say(`\n${paint('32', 'e2e-pipeline: all pipelines passed')}`);
}

void main();
