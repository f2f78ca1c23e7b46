// The built images RUN, not only build: after the default-branch push
// pipeline, the harness pulls the cpu and gpu images BY DIGEST (the digests
// that pipeline pushed) into a buildah storage of its own, inside its private
// mount namespace, and runs the chain a team would run, each step in a
// buildah working container (`buildah from` + `buildah run --isolation
// chroot`) as the image's configured USER and WORKDIR, with its ENV, and its
// ENTRYPOINT/CMD read from the image config:
//   cpu  `python src/process_data.py`  host data dir at WORKDIR/data
//   gpu  its default command (training) data and models dirs mounted: a model and metrics appear
//   cpu  its default command (the service) models dir mounted, in a PRIVATE network namespace
//        (unshare --net, lo up): its 0.0.0.0 is reachable only from inside it; probed there at
//        http://127.0.0.1:PORT/health (bounded wait), then /predict; stopped by its process id
// Every problem is one line: which image, which step, the last lines of its output.
// What this does not prove: NOT_PROVEN below (and scripts/e2e/README.md).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import type { ImageRunReport, ImageRunStep } from './report.js';

export type ImageRole = 'cpu' | 'gpu';

/** What a run in a buildah working container does not show: in the report, the README and the test comments. */
export const NOT_PROVEN = [
  'no GPU: the gpu image trains on the CPU here (the sample model is scikit-learn; no CUDA device, driver or --gpus)',
  'not a container runtime: buildah run --isolation chroot has no cgroups (no memory or CPU limits), no seccomp profile '
    + 'or dropped capabilities, no read-only root filesystem; the image\'s user, working directory, environment, '
    + 'command and mounts are real, the confinement is not',
  'not the real base images: both images are built on the stand-in Debian bookworm image (Debian\'s python3 3.11 and '
    + 'packages), not python:3.12-slim nor nvidia/cuda with pip\'s wheels; the two images here share one Python and '
    + 'scikit-learn, so a model moving between two library versions is not tried',
  'not a real network: the service listens in a private network namespace with loopback only; published ports, '
    + 'Kubernetes probes and ingress are not exercised',
] as const;

export interface ImageToRun {
  role: ImageRole;
  /** REGISTRY_PATH/NAME on the push registry. */
  repository: string;
  /** The tag the push pipeline pushed it under (for the record; the pull is by digest). */
  tag: string;
  /** The manifest digest the push pipeline pushed. */
  digest: string;
}

export interface ImageRunContext {
  /** The run folder: this step works in RUN/image-run and logs to RUN/logs/image-run/. */
  runDir: string;
  /** The push registry, 127.0.0.1:PORT. */
  host: string;
  /** base64 of user:password the push registry accepts (written to an auth file, mode 600, removed after the pulls). */
  basicAuth: string;
  images: Record<ImageRole, ImageToRun>;
  /** The push pipeline's clone: conf/process_data.yaml says where the test split is written. */
  repoDir: string;
  /** `unshare` arguments that run CMD in the harness's private mount namespace and clean environment. */
  nsArgs(cmd: string[]): string[];
  keep: boolean;
  ok(line: string): void;
  fail(line: string): void;
  /** An indented line of detail (a failed step's output). */
  detail(line: string): void;
}

interface ImageConfig {
  user: string;
  workingDir: string;
  env: string[];
  cmd: string[];
  entrypoint: string[];
  exposedPorts: string[];
}

interface Exec {
  code: number | null;
  signal: string | null;
  /** stdout and stderr as they came. */
  output: string;
  /** stdout alone (buildah inspect's JSON). */
  stdout: string;
  seconds: number;
  timedOut: boolean;
}

const PULL_TIMEOUT = 300_000;
const STEP_TIMEOUT = 300_000;
/** The service must answer /health within this (it loads no model at start-up). */
const READY_TIMEOUT = 90_000;
const TAIL = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** buildah run's own lines after the command ends ("subprocess exited with status 1", "Error: exit status 1"): not the command's output. */
const BUILDAH_TRAILER = /^(subprocess exited (with status \d+|on \w+)|Error: exit status \d+)$/;
const lastLines = (text: string, n: number) => text.split('\n').filter((l) => l.trim() !== '' && !BUILDAH_TRAILER.test(l.trim())).slice(-n);

/** Runs the chain; never throws: every problem goes to ctx.fail and the report. */
export class ImageRun {
  private readonly dir: string;
  private readonly logDir: string;
  private readonly buildah: string[];
  /** The service while it runs: buildah run's pid, its exit, its network namespace. */
  private server: { pid: number; closed: Promise<void>; exited: boolean; netns: string } | null = null;
  private readonly containers: string[] = [];
  /** The commands running now (buildah pull, run...): stopped by pid when the harness is interrupted. */
  private readonly children = new Set<number>();
  readonly report: ImageRunReport;

  constructor(private readonly ctx: ImageRunContext) {
    this.dir = join(ctx.runDir, 'image-run');
    this.logDir = join(ctx.runDir, 'logs', 'image-run');
    // A storage of its own: the pull cannot be satisfied by anything the image jobs left behind.
    this.buildah = ['buildah', '--root', join(this.dir, 'storage'), '--runroot', join(this.dir, 'runroot'), '--storage-driver', 'overlay'];
    this.report = {
      ok: false, seconds: 0, images: [], steps: [], data: [], model: null, metrics: null, server: null, containersLeft: [],
      failures: [], notProven: [...NOT_PROVEN],
    };
  }

  private problem(line: string): void {
    this.report.failures.push(line);
    this.ctx.fail(line);
  }

  /** Runs CMD in the harness's namespace; its output goes to RUN/logs/image-run/LOG.log. */
  private exec(cmd: string[], log: string, timeoutMs: number): Promise<Exec> {
    const t0 = Date.now();
    return new Promise((resolve) => {
      const child = spawn('unshare', this.ctx.nsArgs(cmd), { stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid != null) this.children.add(child.pid);
      const chunks: Buffer[] = [];
      const out: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => {
        chunks.push(b);
        out.push(b);
      });
      child.stderr.on('data', (b: Buffer) => chunks.push(b));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }, timeoutMs);
      const done = (code: number | null, signal: string | null, extra = '') => {
        clearTimeout(timer);
        if (child.pid != null) this.children.delete(child.pid);
        const output = Buffer.concat(chunks).toString('utf8') + extra;
        writeFileSync(join(this.logDir, `${log}.log`), `$ ${cmd.join(' ')}\n${output}`);
        resolve({ code, signal, output, stdout: Buffer.concat(out).toString('utf8'), seconds: (Date.now() - t0) / 1000, timedOut });
      };
      child.on('error', (e) => done(null, null, `\n${e.message}`));
      child.on('close', (code, signal) => done(code, signal));
    });
  }

  /** One line for a failed command: which image, which step, why, the last lines of its output. */
  private failed(role: ImageRole, step: string, what: string, r: Exec): void {
    const why = r.timedOut ? 'timed out' : r.signal ? `was killed (${r.signal})` : `exited ${r.code}`;
    const tail = lastLines(r.output, TAIL);
    this.problem(`[images] ${role}: ${step}: ${what} ${why}${tail.length ? `: ${tail.join(' | ')}` : ''}`);
    for (const l of lastLines(r.output, 20)) this.ctx.detail(l);
  }

  async run(): Promise<ImageRunReport> {
    const t0 = Date.now();
    try {
      for (const d of [this.dir, this.logDir]) mkdirSync(d, { recursive: true });
      await this.chain();
    } catch (e) {
      this.problem(`[images] harness error: ${(e as Error).message}`);
    } finally {
      await this.stopServer();
      await this.removeContainers();
      if (!this.ctx.keep) rmSync(join(this.dir, 'storage'), { recursive: true, force: true });
      this.report.seconds = Math.round((Date.now() - t0) / 100) / 10;
      this.report.ok = this.report.failures.length === 0;
    }
    if (this.report.ok) this.ctx.ok(`[images] the chain ran in ${this.report.seconds} s (pull, process data, train, serve)`);
    return this.report;
  }

  /** Aborts a run in progress (the harness is interrupted): the service and the running command, by their process ids. */
  abort(): void {
    const pids = [...this.children, ...(this.server && !this.server.exited ? [this.server.pid] : [])];
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }

  private async chain(): Promise<void> {
    const configs = await this.pull();
    if (!configs) return;
    const cpu = configs.cpu;
    const gpu = configs.gpu;

    const data = join(this.dir, 'data');
    const models = join(this.dir, 'models');
    const cpuOwner = await this.owner('cpu', cpu);
    const gpuOwner = await this.owner('gpu', gpu);
    if (!cpuOwner || !gpuOwner) return;
    for (const [d, o] of [[data, cpuOwner], [models, gpuOwner]] as const) {
      mkdirSync(d, { recursive: true });
      chownSync(d, o.uid, o.gid);
    }
    const dataIn = (c: ImageConfig) => posix.join(c.workingDir || '/', 'data');
    const modelsIn = (c: ImageConfig) => posix.join(c.workingDir || '/', 'models');

    // 1. cpu: prepare the data, the command the Dockerfile documents (`docker run ... cpu python src/process_data.py`).
    const prep = await this.step('cpu', cpu, 'process data', 'cpu-process-data', ['python', 'src/process_data.py'], [[data, dataIn(cpu)]]);
    if (!prep) return;
    this.report.data = listFiles(data);
    if (this.report.data.length === 0) {
      this.problem(`[images] cpu: process data: nothing was written to the mounted ${dataIn(cpu)}`);
      return;
    }
    this.ctx.ok(`[images] cpu: python src/process_data.py wrote ${this.report.data.join(', ')} to the mounted ${dataIn(cpu)}`);

    // 2. gpu: its default command, training: reads the data, writes a model and metrics.
    const train = await this.step('gpu', gpu, 'train (default command)', 'gpu-train', null, [[data, dataIn(gpu)], [models, modelsIn(gpu)]]);
    if (!train) return;
    const written = listFiles(models);
    // The model the service serves: MODEL_PATH of the cpu image, under its mounted models folder.
    const modelPath = envOf(cpu, 'MODEL_PATH') ?? posix.join(modelsIn(cpu), 'model.joblib');
    const rel = posix.relative(modelsIn(cpu), modelPath);
    if (rel.startsWith('..') || posix.isAbsolute(rel)) {
      this.problem(`[images] cpu: MODEL_PATH=${modelPath} is not under ${modelsIn(cpu)}, where the models are mounted`);
      return;
    }
    const hostModel = join(models, rel);
    if (!existsSync(hostModel)) {
      this.problem(`[images] gpu: train (default command): no model at ${posix.join(modelsIn(gpu), rel)} (the cpu image's MODEL_PATH); it wrote: ${written.join(', ') || 'nothing'}${train.output ? `: ${lastLines(train.output, TAIL).join(' | ')}` : ''}`);
      return;
    }
    const st = statSync(hostModel);
    this.report.model = { path: posix.join(modelsIn(gpu), rel), bytes: st.size, uid: st.uid, gid: st.gid };
    if (st.size === 0) this.problem(`[images] gpu: train (default command): the model ${this.report.model.path} is empty`);
    if (st.uid !== gpuOwner.uid) this.problem(`[images] gpu: train (default command): the model is owned by uid ${st.uid}, not the image's user ${gpu.user || 'root'} (uid ${gpuOwner.uid})`);
    const metricsFile = written.find((f) => /(^|\/)metrics\.json$/.test(f));
    if (!metricsFile) this.problem(`[images] gpu: train (default command): no metrics.json next to the model (it wrote: ${written.join(', ')})`);
    else {
      try {
        this.report.metrics = JSON.parse(readFileSync(join(models, metricsFile), 'utf8')) as Record<string, unknown>;
      } catch (e) {
        this.problem(`[images] gpu: train (default command): ${metricsFile} is not JSON (${(e as Error).message})`);
      }
    }
    const accuracy = this.report.metrics?.accuracy;
    this.ctx.ok(`[images] gpu: ${shown([...gpu.entrypoint, ...gpu.cmd])} (its default command, on the CPU) wrote ${written.join(', ')}`
      + ` (model ${st.size} bytes, uid ${st.uid}${typeof accuracy === 'number' ? `, accuracy ${accuracy.toFixed(3)}` : ''})`);

    // 3. cpu: its default command, the service, with the models mounted, in a private network namespace.
    await this.serve(cpu, [[models, modelsIn(cpu)]], data);
  }

  /** Pulls both images by digest; checks each stored manifest's digest against the pushed one; reads their configs. */
  private async pull(): Promise<Record<ImageRole, ImageConfig> | null> {
    const auth = join(this.dir, 'auth.json');
    writeFileSync(auth, JSON.stringify({ auths: { [this.ctx.host]: { auth: this.ctx.basicAuth } } }), { mode: 0o600 });
    const out: Partial<Record<ImageRole, ImageConfig>> = {};
    try {
      for (const role of ['cpu', 'gpu'] as const) {
        const image = this.ctx.images[role];
        const ref = `${this.ctx.host}/${image.repository}@${image.digest}`;
        const entry: ImageRunReport['images'][number] = {
          role, reference: ref, tag: image.tag, pushedDigest: image.digest, pulledDigest: null, manifestDigest: null, equal: false,
          pullSeconds: 0, user: '', workingDir: '', cmd: [], entrypoint: [],
        };
        this.report.images.push(entry);
        const r = await this.exec([...this.buildah, 'pull', '--quiet', '--tls-verify=false', '--authfile', auth, ref], `pull-${role}`, PULL_TIMEOUT);
        entry.pullSeconds = Math.round(r.seconds * 10) / 10;
        if (r.code !== 0) {
          this.failed(role, 'pull', `buildah pull ${ref}`, r);
          continue;
        }
        const ins = await this.exec([...this.buildah, 'inspect', '--type', 'image', ref], `inspect-${role}`, STEP_TIMEOUT);
        if (ins.code !== 0) {
          this.failed(role, 'pull', `buildah inspect ${ref}`, ins);
          continue;
        }
        const j = JSON.parse(ins.stdout) as {
          FromImageDigest?: string;
          Manifest?: string;
          OCIv1?: { config?: { User?: string; WorkingDir?: string; Env?: string[]; Cmd?: string[]; Entrypoint?: string[]; ExposedPorts?: Record<string, unknown> } };
        };
        entry.pulledDigest = j.FromImageDigest ?? null;
        // The digest of the manifest as stored, computed here (not buildah's word for it).
        entry.manifestDigest = j.Manifest ? `sha256:${createHash('sha256').update(j.Manifest, 'utf8').digest('hex')}` : null;
        entry.equal = entry.manifestDigest === image.digest && entry.pulledDigest === image.digest;
        if (!entry.equal) {
          this.problem(`[images] ${role}: pull: the pulled manifest's digest ${entry.manifestDigest ?? 'missing'} (buildah: ${entry.pulledDigest ?? 'none'}) is not the pushed ${image.digest}`);
          continue;
        }
        const c = j.OCIv1?.config ?? {};
        const config: ImageConfig = {
          user: c.User ?? '', workingDir: c.WorkingDir ?? '', env: c.Env ?? [], cmd: c.Cmd ?? [], entrypoint: c.Entrypoint ?? [],
          exposedPorts: Object.keys(c.ExposedPorts ?? {}),
        };
        Object.assign(entry, { user: config.user, workingDir: config.workingDir, cmd: config.cmd, entrypoint: config.entrypoint });
        out[role] = config;
        this.ctx.ok(`[images] ${role}: pulled ${image.repository}@${image.digest} in ${entry.pullSeconds} s; its stored manifest hashes to the pushed digest`
          + ` (USER ${config.user || 'root'}, WORKDIR ${config.workingDir || '/'}, ${config.entrypoint.length ? `ENTRYPOINT ${shown(config.entrypoint)}, ` : ''}CMD ${shown(config.cmd)})`);
      }
    } finally {
      rmSync(auth, { force: true });
    }
    return out.cpu && out.gpu ? { cpu: out.cpu, gpu: out.gpu } : null;
  }

  /** The numeric uid and gid of the image's USER (a name is resolved inside the image). */
  private async owner(role: ImageRole, c: ImageConfig): Promise<{ uid: number; gid: number } | null> {
    const m = /^(\d+)(?::(\d+))?$/.exec(c.user);
    if (c.user === '') return { uid: 0, gid: 0 };
    if (m) return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
    const name = await this.from(role, `${role}-id`);
    if (!name) return null;
    const r = await this.exec([...this.buildah, 'run', '--isolation', 'chroot', '--user', c.user, name, '--', 'sh', '-c', 'id -u; id -g'], `${role}-id`, STEP_TIMEOUT);
    const ids = r.stdout.trim().split('\n').map(Number);
    if (r.code !== 0 || ids.length !== 2 || ids.some((n) => !Number.isInteger(n))) {
      this.failed(role, 'user', `id of USER ${c.user}`, r);
      return null;
    }
    return { uid: ids[0]!, gid: ids[1]! };
  }

  /** A new working container of ROLE's pulled image (`buildah from`, nothing pulled). */
  private async from(role: ImageRole, name: string): Promise<string | null> {
    const image = this.ctx.images[role];
    const ref = `${this.ctx.host}/${image.repository}@${image.digest}`;
    const container = `e2e-image-run-${name}`;
    const r = await this.exec([...this.buildah, 'from', '--quiet', '--pull-never', '--name', container, ref], `from-${name}`, STEP_TIMEOUT);
    if (r.code !== 0) {
      this.failed(role, name, `buildah from ${ref}`, r);
      return null;
    }
    this.containers.push(container);
    return container;
  }

  /** buildah run's arguments for a command of image C (its USER and WORKDIR; buildah applies its ENV) with MOUNTS. */
  private runArgs(c: ImageConfig, container: string, mounts: [string, string][], command: string[]): string[] {
    return [
      ...this.buildah, 'run', '--isolation', 'chroot',
      ...(c.user ? ['--user', c.user] : []), ...(c.workingDir ? ['--workingdir', c.workingDir] : []),
      ...mounts.flatMap(([h, ctr]) => ['--volume', `${h}:${ctr}`]),
      container, '--', ...command,
    ];
  }

  /** As `docker run IMAGE [ARGS]`: the ENTRYPOINT, then ARGS or else the CMD. */
  private command(role: ImageRole, c: ImageConfig, args: string[] | null, step: string): string[] | null {
    const command = [...c.entrypoint, ...(args ?? c.cmd)];
    if (command.length === 0) {
      this.problem(`[images] ${role}: ${step}: the image has neither ENTRYPOINT nor CMD`);
      return null;
    }
    return command;
  }

  /** One step of the chain in a working container of its own; the Exec when it exited 0. */
  private async step(role: ImageRole, c: ImageConfig, step: string, name: string, args: string[] | null, mounts: [string, string][]): Promise<Exec | null> {
    const command = this.command(role, c, args, step);
    if (!command) return null;
    const container = await this.from(role, name);
    if (!container) return null;
    const r = await this.exec(this.runArgs(c, container, mounts, command), name, STEP_TIMEOUT);
    this.record({ image: role, step, command, mounts: mounts.map(([, ctr]) => ctr), exitCode: r.code, seconds: r.seconds, ok: r.code === 0, log: `logs/image-run/${name}.log` });
    if (r.code !== 0) {
      this.failed(role, step, shown(command), r);
      return null;
    }
    return r;
  }

  private record(s: ImageRunStep): void {
    this.report.steps.push({ ...s, seconds: Math.round(s.seconds * 10) / 10 });
  }

  /**
   * The cpu image's default command (the service) in a private network
   * namespace: `unshare --net`, loopback up, then buildah run. The service's
   * 0.0.0.0 is that namespace's only: /health and /predict are asked there
   * (nsenter --net curl http://127.0.0.1:PORT). Stopped by its process id.
   */
  private async serve(c: ImageConfig, mounts: [string, string][], data: string): Promise<void> {
    const step = 'serve (default command)';
    const command = this.command('cpu', c, null, step);
    if (!command) return;
    const container = await this.from('cpu', 'cpu-serve');
    if (!container) return;
    const port = Number((c.exposedPorts.find((p) => /^\d+(\/tcp)?$/.test(p)) ?? '8000').split('/')[0]);
    const server: NonNullable<ImageRunReport['server']> = {
      command, port, privateNetwork: false, readySeconds: null, health: null, predict: null, stopped: false, processesLeft: 0,
    };
    this.report.server = server;
    const log = 'cpu-serve';
    // exec all the way down (unshare, ns-run.sh, chroot, env, unshare --net, sh): the child's pid is buildah run's.
    const inner = ['unshare', '--net', '--', 'sh', '-c', 'busybox ip link set lo up && exec "$@"', 'sh', ...this.runArgs(c, container, mounts, command)];
    const t0 = Date.now();
    const child = spawn('unshare', this.ctx.nsArgs(inner), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => chunks.push(b));
    let code: number | null = null;
    let signal: string | null = null;
    const closed = new Promise<void>((res) => {
      child.on('error', (e) => {
        chunks.push(Buffer.from(`\n${e.message}`));
        res();
      });
      child.on('close', (c2, s2) => {
        code = c2;
        signal = s2;
        res();
      });
    });
    const s = { pid: child.pid ?? -1, closed, exited: false, netns: '' };
    void closed.then(() => { s.exited = true; });
    this.server = s;
    const output = () => Buffer.concat(chunks).toString('utf8');
    const tail = () => lastLines(output(), TAIL).join(' | ');
    const exec = (timedOut: boolean): Exec => ({ code, signal, output: output(), stdout: '', seconds: (Date.now() - t0) / 1000, timedOut });

    // Its network namespace must be the private one before anything is asked (else 127.0.0.1 would be the host's).
    const hostNet = readlinkSync('/proc/self/ns/net');
    while (!s.exited && Date.now() - t0 < READY_TIMEOUT) {
      try {
        s.netns = readlinkSync(`/proc/${s.pid}/ns/net`);
      } catch {
        s.netns = '';
      }
      if (s.netns !== '' && s.netns !== hostNet) break;
      await sleep(50);
    }
    server.privateNetwork = !s.exited && s.netns !== '' && s.netns !== hostNet;
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    if (!server.privateNetwork) {
      s.netns = '';
      this.problem(`[images] cpu: ${step}: the service ${s.exited ? 'exited before it got' : 'did not get'} a network namespace of its own: ${tail()}`);
    } else {
      while (!s.exited && Date.now() - t0 < READY_TIMEOUT) {
        server.health = await this.curl(s.pid, url('/health'));
        if (server.health) break;
        await sleep(250);
      }
      server.readySeconds = server.health ? Math.round((Date.now() - t0) / 100) / 10 : null;
      const health = server.health;
      const body = health?.body as { model_available?: unknown } | undefined;
      if (!health && s.exited) this.failed('cpu', step, `${shown(command)}, before anything answered on ${url('/health')},`, exec(false));
      else if (!health) this.problem(`[images] cpu: ${step}: ${shown(command)}: nothing answered on ${url('/health')} within ${READY_TIMEOUT / 1000} s: ${tail()}`);
      else if (health.status !== 200 || body?.model_available !== true)
        this.problem(`[images] cpu: ${step}: GET ${url('/health')} answered ${health.status} ${JSON.stringify(health.body)}, not 200 with model_available true: ${tail()}`);
      else {
        this.ctx.ok(`[images] cpu: ${shown(command)} (its default command, in a private network namespace) answered GET ${url('/health')} 200 ${JSON.stringify(health.body)} after ${server.readySeconds} s`);
        await this.predict(s.pid, url('/predict'), data, tail);
      }
    }
    if (server.health && s.exited) this.failed('cpu', step, `${shown(command)} answered, then ended by itself: it`, exec(false));
    await this.stopServer();
    writeFileSync(join(this.logDir, `${log}.log`), `$ ${inner.join(' ')}\n${output()}`);
    this.record({
      image: 'cpu', step, command, mounts: mounts.map(([, ctr]) => ctr), exitCode: code, seconds: (Date.now() - t0) / 1000,
      ok: server.health?.status === 200 && server.stopped && server.processesLeft === 0, log: `logs/image-run/${log}.log`,
    });
  }

  /** The model the gpu image trained, served: POST one row of the test split the cpu image wrote, without its target. */
  private async predict(pid: number, url: string, data: string, tail: () => string): Promise<void> {
    const server = this.report.server!;
    const instance = this.testRow(data);
    if (typeof instance === 'string') {
      this.problem(`[images] cpu: serve (default command): nothing to POST to ${url}: ${instance}`);
      return;
    }
    server.predict = await this.curl(pid, url, JSON.stringify({ instances: [instance] }));
    const p = server.predict;
    const predictions = (p?.body as { predictions?: unknown[] } | undefined)?.predictions;
    if (p?.status === 200 && Array.isArray(predictions) && predictions.length === 1)
      this.ctx.ok(`[images] cpu: POST ${url} with one row of the test split: 200 ${JSON.stringify(predictions[0])}`);
    else this.problem(`[images] cpu: serve (default command): POST ${url} answered ${p ? `${p.status} ${JSON.stringify(p.body)}` : 'nothing'}, not 200 with one prediction: ${tail()}`);
  }

  /**
   * The first row of the test split without its target column (numbers as
   * numbers), where the repo's conf/process_data.yaml says the cpu image
   * wrote it (processed_dir, target; paths relative to WORKDIR), or why not.
   */
  private testRow(data: string): Record<string, number | string> | string {
    const confFile = join(this.ctx.repoDir, 'conf/process_data.yaml');
    if (!existsSync(confFile)) return 'the repo has no conf/process_data.yaml';
    const conf = parse(readFileSync(confFile, 'utf8')) as { processed_dir?: unknown; target?: unknown } | null;
    const dir = conf?.processed_dir;
    const target = conf?.target;
    if (typeof dir !== 'string' || typeof target !== 'string') return 'conf/process_data.yaml names no processed_dir and target';
    const rel = posix.relative('data', posix.normalize(dir));
    if (rel.startsWith('..') || posix.isAbsolute(rel)) return `processed_dir ${dir} is not under data/, the mounted folder`;
    const file = join(data, rel, 'test.csv');
    if (!existsSync(file)) return `no ${posix.join(dir, 'test.csv')} among the files the cpu image wrote`;
    const [header, row] = readFileSync(file, 'utf8').split('\n');
    const cols = header?.split(',') ?? [];
    if (!row || !cols.includes(target)) return `${posix.join(dir, 'test.csv')} has no row, or no ${target} column`;
    const cells = row.split(',');
    const out: Record<string, number | string> = {};
    cols.forEach((col, i) => {
      const v = cells[i] ?? '';
      if (col !== target) out[col] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    });
    return out;
  }

  /** Stops the service by its process id (SIGTERM, then SIGKILL after 10 s); no process may be left in its network namespace. */
  private async stopServer(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    const report = this.report.server!;
    const running = !s.exited;
    if (running) {
      try {
        process.kill(s.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const ended = await Promise.race([s.closed.then(() => true), sleep(10_000).then(() => false)]);
      if (!ended) {
        try {
          process.kill(s.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await s.closed;
      }
    }
    report.stopped = running;
    // Processes still in the service's network namespace (buildah run passes the signal on to the service).
    const left = s.netns ? pidsInNetns(s.netns) : [];
    report.processesLeft = left.length;
    if (left.length > 0) {
      this.problem(`[images] cpu: serve (default command): ${left.length} process(es) left in the service's network namespace after it was stopped (pids ${left.join(' ')}): killed`);
      for (const p of left) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    } else if (s.netns && running) this.ctx.ok(`[images] cpu: the service stopped by its process id (${s.pid}); no process left in its network namespace`);
  }

  /** GET (or POST JSON) URL from inside the service's network namespace; null when nothing answers. */
  private curl(pid: number, url: string, json?: string): Promise<{ status: number; body: unknown } | null> {
    const args = ['--target', String(pid), '--net', '--', 'curl', '-sS', '--max-time', '5', '-w', '\n%{http_code}'];
    if (json !== undefined) args.push('-H', 'Content-Type: application/json', '--data-binary', json);
    args.push(url);
    return new Promise((resolve) => {
      const child = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'ignore'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => chunks.push(b));
      child.on('error', () => resolve(null));
      child.on('close', (code) => {
        if (code !== 0) return resolve(null);
        const text = Buffer.concat(chunks).toString('utf8');
        const nl = text.lastIndexOf('\n');
        const status = Number(text.slice(nl + 1));
        const raw = text.slice(0, nl);
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          /* not JSON: kept as text */
        }
        resolve(status > 0 ? { status, body } : null);
      });
    });
  }

  /** Removes the working containers; none may be left. */
  private async removeContainers(): Promise<void> {
    if (this.containers.length > 0) {
      const r = await this.exec([...this.buildah, 'rm', ...this.containers], 'rm', STEP_TIMEOUT);
      if (r.code !== 0) this.failed(this.containers[0]!.includes('gpu') ? 'gpu' : 'cpu', 'cleanup', 'buildah rm', r);
    }
    if (!existsSync(join(this.dir, 'storage'))) return;
    const list = await this.exec([...this.buildah, 'containers', '--json'], 'containers', STEP_TIMEOUT);
    let left: string[];
    try {
      if (list.code !== 0) throw new Error(lastLines(list.output, 1).join(''));
      left = ((JSON.parse(list.stdout) as { containername?: string; id?: string }[] | null) ?? []).map((c) => c.containername ?? c.id ?? '?');
    } catch (e) {
      left = [`(buildah containers --json failed: ${(e as Error).message})`];
    }
    this.report.containersLeft = left;
    if (this.report.containersLeft.length > 0) this.problem(`[images] working containers left after removal: ${this.report.containersLeft.join(' ')}`);
    else if (this.containers.length > 0) this.ctx.ok(`[images] the ${this.containers.length} working containers removed (${this.containers.join(' ')})`);
  }
}

function shown(cmd: string[]): string {
  return cmd.map((a) => (/^[\w./:=@-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

function envOf(c: ImageConfig, name: string): string | undefined {
  const e = c.env.find((x) => x.startsWith(`${name}=`));
  return e?.slice(name.length + 1);
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

/** The pids whose network namespace is NETNS (e.g. net:[4026532123]). */
function pidsInNetns(netns: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/ns/net`) === netns) out.push(Number(d));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}
