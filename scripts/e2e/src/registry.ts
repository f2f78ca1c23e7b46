// The harness's registries: Debian's docker-registry on 127.0.0.1, one
// anonymous (the base-image mirror), one with htpasswd auth standing in for
// Harbor, Artifact Registry or GitLab's container registry (where the jobs
// push). The user and password it accepts come from stand-ins.ts.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Registry {
  name: string;
  host: string;
  process: ChildProcess;
}

/** Starts docker-registry on 127.0.0.1:PORT; with HTPASSWD, password auth. */
export async function startRegistry(runDir: string, name: string, htpasswd?: string): Promise<Registry> {
  const port = await freePort();
  const dir = join(runDir, 'registries', name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const config = [
    'version: 0.1',
    'log: {level: warn, accesslog: {disabled: true}}',
    `storage: {filesystem: {rootdirectory: ${dir}/data}, delete: {enabled: true}}`,
    `http: {addr: 127.0.0.1:${port}, secret: e2e-${randomBytes(8).toString('hex')}}`,
    ...(htpasswd ? [`auth: {htpasswd: {realm: e2e-registry, path: ${htpasswd}}}`] : []),
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), `${config}\n`);
  const log = openSync(join(dir, 'log'), 'w');
  // A clean environment: docker-registry reads REGISTRY_* variables as config overrides.
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    env: { PATH: '/usr/bin:/bin' },
    stdio: ['ignore', log, log],
  });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    try {
      await fetch(`http://${host}/v2/`);
      return { name, host, process: child };
    } catch {
      await sleep(100);
    }
  }
  child.kill();
  throw new Error(`registry ${name} did not start:\n${readFileSync(join(dir, 'log'), 'utf8')}`);
}

export class RegistryApi {
  constructor(
    readonly host: string,
    private readonly user: string,
    private readonly password: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}`, ...extra };
  }

  /** The manifest digest of REPO:TAG, or null when the tag does not exist. */
  async digest(repository: string, tag: string): Promise<string | null> {
    const r = await fetch(`http://${this.host}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: this.headers({
        Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      }),
    });
    return r.ok ? r.headers.get('docker-content-digest') : null;
  }

  async repositories(): Promise<string[]> {
    const r = await fetch(`http://${this.host}/v2/_catalog`, { headers: this.headers() });
    if (!r.ok) return [];
    return ((await r.json()) as { repositories?: string[] }).repositories ?? [];
  }
}

/**
 * The htpasswd file of the push registry. htpasswd refuses passwords over 255
 * bytes (a GCP key's base64 is ~2 KB); bcrypt only uses the first 72 bytes, so
 * hashing those gives the same verifier. The password goes on stdin (-i), not
 * on a command line.
 */
export function writeHtpasswd(file: string, user: string, password: string): void {
  const r = spawnSync('htpasswd', ['-Bin', user], { input: password.slice(0, 72), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
  writeFileSync(file, r.stdout, { mode: 0o600 });
}
