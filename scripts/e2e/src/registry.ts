// The harness's registries: Debian's docker-registry on 127.0.0.1, one
// anonymous (the base-image mirror), one with htpasswd auth like Harbor or
// Artifact Registry (where the jobs push). And the credentials: what the
// registry accepts and what the pipeline's credential variable holds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
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

export interface Credentials {
  /** registry user and the password it accepts */
  user: string;
  password: string;
  /** the credential variable's value (a wrong one with --wrong-credential) */
  variableValue: string;
  /** base64 of user:password, what a correct docker config holds */
  expectedAuth: string;
  /** every string that must never appear in a log or the report */
  secrets: string[];
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A fake service-account key (base64 of its JSON): a random project_id within its first 72 bytes. */
function gcpKey(): { base64: string; keyId: string } {
  const project = `e2e-${hex(5)}`;
  const pem = (randomBytes(600).toString('base64').match(/.{1,64}/g) ?? []).join('\n');
  const keyId = hex(20);
  const key = {
    type: 'service_account',
    project_id: project,
    private_key_id: keyId,
    private_key: `-----BEGIN PRIVATE KEY-----\n${pem}\n-----END PRIVATE KEY-----\n`,
    client_email: `e2e-ci@${project}.iam.gserviceaccount.com`,
    client_id: String(randomInt(1e12)) + String(randomInt(1e9)),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    universe_domain: 'googleapis.com',
  };
  return { base64: Buffer.from(JSON.stringify(key)).toString('base64'), keyId };
}

export function makeCredentials(platform: 'onprem' | 'gcp', pushHost: string, wrong: boolean): Credentials {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  if (platform === 'gcp') {
    const right = gcpKey();
    const given = wrong ? gcpKey() : right;
    const user = '_json_key_base64';
    return {
      user,
      password: right.base64,
      variableValue: given.base64,
      expectedAuth: b64(`${user}:${right.base64}`),
      secrets: [right.base64, given.base64, right.keyId, given.keyId, b64(`${user}:${right.base64}`), b64(`${user}:${given.base64}`)],
    };
  }
  const user = 'robot$proj+ci';
  const password = hex(16);
  const jobPassword = wrong ? hex(16) : password;
  const dockerConfig = JSON.stringify({ auths: { [pushHost]: { auth: b64(`${user}:${jobPassword}`) } } });
  return {
    user,
    password,
    variableValue: b64(dockerConfig),
    expectedAuth: b64(`${user}:${password}`),
    secrets: [password, jobPassword, b64(`${user}:${password}`), b64(`${user}:${jobPassword}`), b64(dockerConfig)],
  };
}

/**
 * The htpasswd file of the push registry. htpasswd refuses passwords over 255
 * bytes (a GCP key's base64 is ~2 KB); bcrypt only uses the first 72 bytes, so
 * hashing those gives the same verifier. The password goes on stdin (-i), not
 * on a command line.
 */
export function writeHtpasswd(file: string, c: Credentials): void {
  const r = spawnSync('htpasswd', ['-Bin', c.user], { input: c.password.slice(0, 72), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`htpasswd failed: ${r.stderr}`);
  writeFileSync(file, r.stdout, { mode: 0o600 });
}
