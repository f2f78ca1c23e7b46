/** Shared by the gitlab tests: make repos, run the built bin hermetically, hunt for leaked secrets. */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execa, type Result } from 'execa';
import { CREATE_BIN, GIT_ENV, MLOPS_BIN } from '../support/cli.js';

export const HARBOR_REGISTRY = 'harbor.example.com:8443/team/p';
export const GCP_REGISTRY = 'europe-west4-docker.pkg.dev/acme/ml/p';
export const TOKEN = 'glpat-TestToken1234567890abcd';
export const HARBOR_USER = 'robot$team+ci';
export const HARBOR_PASSWORD = 'S3cr3t-Harbor-Pa55word!$`"\'';

/** Only what the bin needs: no GITLAB_*, HARBOR_* or GCP_* from the machine running the tests. */
function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...GIT_ENV };
}

export function mlops(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Result> {
  return execa(process.execPath, [MLOPS_BIN, ...args], {
    cwd,
    reject: false,
    stdin: 'ignore',
    extendEnv: false,
    env: { ...baseEnv(), ...env },
  });
}

/** A generated repo in `parent`/`name`, with its first commit unless `git` is false. */
export async function makeRepo(parent: string, name: string, platform: 'onprem' | 'gcp', { git = false } = {}): Promise<string> {
  const registry = platform === 'onprem' ? HARBOR_REGISTRY : GCP_REGISTRY;
  const result = await execa(
    process.execPath,
    [CREATE_BIN, name, '--yes', ...(git ? [] : ['--no-git']), '--platform', platform, '--registry', registry],
    { cwd: parent, reject: false, stdin: 'ignore', extendEnv: false, env: baseEnv() },
  );
  if (result.exitCode !== 0) throw new Error(`create-mlops-project failed: ${String(result.stderr)}`);
  return join(parent, name);
}

/** A service account key file as Google issues them (a real RSA key, fake account). */
export function writeServiceAccountKey(path: string): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = {
    type: 'service_account',
    project_id: 'acme',
    private_key_id: 'a1b2c3d4e5f6',
    private_key: pem,
    client_email: 'ci-pusher@acme.iam.gserviceaccount.com',
    client_id: '109876543210',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    universe_domain: 'googleapis.com',
  };
  const text = `${JSON.stringify(key, null, 2)}\n`;
  writeFileSync(path, text);
  return text;
}

/** Every secret a run may know, in every form: the needles no output or file may hold. */
export function secretForms(extra: Record<string, string> = {}): Record<string, string> {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const auth = b64(`${HARBOR_USER}:${HARBOR_PASSWORD}`);
  const config = JSON.stringify({ auths: { 'harbor.example.com:8443': { auth } } });
  const forms: Record<string, string> = {
    token: TOKEN,
    'token base64': b64(TOKEN),
    'git basic auth': b64(`tester:${TOKEN}`),
    password: HARBOR_PASSWORD,
    'password base64': b64(HARBOR_PASSWORD),
    'docker auth': auth,
    'docker config': config,
    'docker config base64': b64(config),
  };
  for (const [name, value] of Object.entries(extra)) {
    forms[name] = value;
    forms[`${name} base64`] = b64(value);
  }
  return forms;
}

/** Every file under `dir`, .git included: path -> bytes as latin1 text (binary-safe for a substring search). */
function allFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full).toString('latin1');
    }
  };
  walk(dir);
  return out;
}

/** Where any secret form shows up: in stdout, stderr or any file of the repo (.git/config included). */
export function leaks(result: Result, dir: string | undefined, needles: Record<string, string>): string[] {
  const places: Record<string, string> = { stdout: String(result.stdout), stderr: String(result.stderr) };
  if (dir !== undefined) for (const [path, text] of Object.entries(allFiles(dir))) places[path] = text;
  const found: string[] = [];
  for (const [where, text] of Object.entries(places))
    for (const [name, needle] of Object.entries(needles)) {
      const latin1 = Buffer.from(needle).toString('latin1');
      if (text.includes(needle) || text.includes(latin1)) found.push(`${name} in ${where}`);
    }
  return found;
}
