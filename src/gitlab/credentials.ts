/**
 * The registry credentials a generated pipeline reads, built from what the
 * user gives. Pure: bytes in, masked-safe values out; no fs, no env.
 *
 * - onprem: HARBOR_ROBOT_CREDS_JSON = base64 of a Docker config JSON,
 *   `{"auths":{"<host[:port]>":{"auth":"<base64(user:password)>"}}}`; the
 *   pipeline does `printf '%s' "$HARBOR_ROBOT_CREDS_JSON" | base64 -d`.
 * - gcp: GCP_SERVICE_ACCOUNT_KEY = base64 of the key file's bytes; the
 *   pipeline logs in as `_json_key_base64` with it.
 */
import type { Platform } from '../../generators/project/answers.js';
import { UserError } from '../../generators/shared/errors.js';
import { Secret } from './secret.js';

export const VARIABLE_KEY: Record<Platform, string> = {
  onprem: 'HARBOR_ROBOT_CREDS_JSON',
  gcp: 'GCP_SERVICE_ACCOUNT_KEY',
};

/** GitLab's rule for a masked, non-raw value (app/models/concerns/ci/maskable.rb). */
export const MASKED_VALUE = /^[a-zA-Z0-9_+=/@:.~-]{8,}$/;
/** GitLab's rule for a variable key. */
export const VARIABLE_KEY_RULE = /^[A-Za-z0-9_]{1,255}$/;

/** Why GitLab would refuse `value` as a masked variable, or undefined. Never quotes the value. */
export function maskedProblem(value: string): string | undefined {
  if (value.length < 8) return `it is ${value.length} characters long; a masked value needs at least 8`;
  if (!MASKED_VALUE.test(value)) {
    const bad = [...new Set([...value].filter((c) => !/[a-zA-Z0-9_+=/@:.~-]/.test(c)))];
    const shown = bad.map((c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === ' ' ? 'space' : JSON.stringify(c))).join(', ');
    return `it holds characters a masked value cannot have (${shown})`;
  }
  return undefined;
}

/** `harbor.example.com:8443/team/p` -> `harbor.example.com:8443`: the key of the Docker config's `auths`. */
export function registryHost(registry: string): string {
  return registry.split('/')[0] ?? registry;
}

export interface Credential {
  key: string;
  value: Secret;
  /** Every secret form built on the way (for the redactor). */
  secrets: string[];
  /** What it is, for the variable's description and the output. */
  summary: string;
}

export function harborCredential(registry: string, username: Secret, password: Secret): Credential {
  const user = username.reveal();
  if (user.includes(':'))
    throw new UserError('HARBOR_USERNAME must not contain ":" (a Docker auth is "user:password"); use the robot account name, e.g. robot$team+ci.', { docs: 'credentials' });
  const host = registryHost(registry);
  const auth = Buffer.from(`${user}:${password.reveal()}`).toString('base64');
  const config = JSON.stringify({ auths: { [host]: { auth } } });
  const value = Buffer.from(config).toString('base64');
  return {
    key: VARIABLE_KEY.onprem,
    value: new Secret(value),
    secrets: [password.reveal(), `${user}:${password.reveal()}`, auth, config, value],
    summary: `Docker config for ${host}`,
  };
}

interface ServiceAccountKey {
  type?: unknown;
  client_email?: unknown;
  private_key?: unknown;
}

/** Check the bytes are a service-account key JSON; `where` names the file in errors. Never echoes the content. */
export function gcpCredential(bytes: Buffer, where: string): Credential {
  const text = bytes.toString('utf8');
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(text) as ServiceAccountKey;
  } catch {
    throw new UserError(
      `${where} is not valid JSON: expected a service account key file (IAM > Service accounts > Keys > Add key > JSON).`,
      { docs: 'credentials' },
    );
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key))
    throw new UserError(`${where} is not a service account key: expected a JSON object.`, { docs: 'credentials' });
  const missing: string[] = [];
  if (key.type !== 'service_account') missing.push('"type": "service_account"');
  if (typeof key.client_email !== 'string' || key.client_email === '') missing.push('client_email');
  if (typeof key.private_key !== 'string' || key.private_key === '') missing.push('private_key');
  if (missing.length > 0)
    throw new UserError(
      `${where} is not a service account key: it lacks ${missing.join(', ')}. Download a JSON key from IAM > Service accounts > Keys.`,
      { docs: 'credentials' },
    );
  const value = bytes.toString('base64');
  return {
    key: VARIABLE_KEY.gcp,
    value: new Secret(value),
    secrets: [text, key.private_key as string, value],
    summary: `service account key of ${key.client_email as string}`,
  };
}
