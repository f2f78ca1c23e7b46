/**
 * The registry credentials a generated pipeline reads, built from what the
 * user gives: one builder per credential kind of the platform descriptors
 * (generators/platforms/platforms.ts). Pure: bytes in, masked-safe values
 * out; no env (the key file is read by the caller's `readFile`).
 *
 * - harbor-robot: HARBOR_ROBOT_CREDS_JSON = base64 of a Docker config JSON,
 *   `{"auths":{"<host[:port]>":{"auth":"<base64(user:password)>"}}}`; the
 *   pipeline does `printf '%s' "$HARBOR_ROBOT_CREDS_JSON" | base64 -d`.
 * - gcp-key: GCP_SERVICE_ACCOUNT_KEY = base64 of the key file's bytes; the
 *   pipeline logs in as `_json_key_base64` with it.
 * - gcp-workload-identity: GCP_WORKLOAD_IDENTITY_PROVIDER and
 *   GCP_SERVICE_ACCOUNT, plain values (names, not secrets): the jobs trade
 *   their ID token for a short-lived access token.
 */
import { type CredentialKind, type PipelineVariable, PLATFORMS } from '../../generators/platforms/platforms.js';
import { UserError } from '../../generators/shared/errors.js';
import { Secret } from './secret.js';

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

/** One CI/CD variable to set: masked (a secret) or a plain value. */
export interface CredentialVariable {
  key: string;
  value: Secret;
  masked: boolean;
  /** Its own description in GitLab; default: the registry credential's. */
  description?: string;
}

export interface Credential {
  variables: CredentialVariable[];
  /** Every secret form built on the way (for the redactor). */
  secrets: string[];
  /** What it is, for the variables' description and the output. */
  summary: string;
}

/** One variable of a descriptor with its value. */
function variable(spec: PipelineVariable, value: string): CredentialVariable {
  return { key: spec.key, value: new Secret(value), masked: spec.secret };
}

const [HARBOR_VARIABLE] = PLATFORMS.onprem.auths['robot-account'].credential.variables;
const [GCP_KEY_VARIABLE] = PLATFORMS.gcp.auths.key.credential.variables;
const [PROVIDER_VARIABLE, SERVICE_ACCOUNT_VARIABLE] = PLATFORMS.gcp.auths['workload-identity'].credential.variables;

export function harborCredential(registry: string, username: Secret, password: Secret): Credential {
  const user = username.reveal();
  if (user.includes(':'))
    throw new UserError('HARBOR_USERNAME must not contain ":" (a Docker auth is "user:password"); use the robot account name, e.g. robot$team+ci.', { docs: 'credentials' });
  const host = registryHost(registry);
  const auth = Buffer.from(`${user}:${password.reveal()}`).toString('base64');
  const config = JSON.stringify({ auths: { [host]: { auth } } });
  const value = Buffer.from(config).toString('base64');
  return {
    variables: [variable(HARBOR_VARIABLE, value)],
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
    variables: [variable(GCP_KEY_VARIABLE, value)],
    secrets: [text, key.private_key as string, value],
    summary: `service account key of ${key.client_email as string}`,
  };
}

const PROVIDER = /^projects\/[0-9]+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/;
const SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/;

/**
 * The workload identity provider and service account, checked: Google's
 * resource name of the provider (as `gcloud iam workload-identity-pools
 * providers describe --format='value(name)'` prints it) and a service
 * account email. Neither is a secret.
 */
export function workloadIdentityCredential(provider: string, serviceAccount: string): Credential {
  const name = provider.replace(/^(https:)?\/\/iam\.googleapis\.com\//, '');
  if (!PROVIDER.test(name))
    throw new UserError(
      `GCP_WORKLOAD_IDENTITY_PROVIDER must be projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (the provider's name, a project number, not its id); got ${JSON.stringify(provider)}.`,
      { docs: 'credentials' },
    );
  if (!SERVICE_ACCOUNT.test(serviceAccount))
    throw new UserError(`GCP_SERVICE_ACCOUNT must be a service account email, NAME@PROJECT.iam.gserviceaccount.com; got ${JSON.stringify(serviceAccount)}.`, {
      docs: 'credentials',
    });
  return {
    variables: [
      variable(PROVIDER_VARIABLE, name),
      variable(SERVICE_ACCOUNT_VARIABLE, serviceAccount),
    ],
    secrets: [],
    summary: `workload identity federation as ${serviceAccount}`,
  };
}

/** How the GitLab step makes the variables of one credential kind from its inputs (the descriptor's). */
export interface CredentialBuilder {
  /** The variables, from the inputs (all present); `readFile` reads a path an input names. */
  build(registry: string, inputs: ReadonlyMap<string, Secret>, readFile: (path: string) => Buffer): Credential;
}

const input = (inputs: ReadonlyMap<string, Secret>, name: string): Secret => {
  const value = inputs.get(name);
  if (value === undefined) throw new Error(`credential input ${name} missing`);
  return value;
};

/** One builder per credential kind: a kind without one does not compile. */
export const CREDENTIAL_BUILDERS: Record<CredentialKind, CredentialBuilder> = {
  'harbor-robot': {
    build: (registry, inputs) => harborCredential(registry, input(inputs, 'HARBOR_USERNAME'), input(inputs, 'HARBOR_PASSWORD')),
  },
  'gcp-key': {
    build: (_registry, inputs, readFile) => {
      const path = input(inputs, 'GCP_SERVICE_ACCOUNT_KEY_FILE').reveal();
      return gcpCredential(readFile(path), `GCP_SERVICE_ACCOUNT_KEY_FILE ${path}`);
    },
  },
  'gcp-workload-identity': {
    build: (_registry, inputs) =>
      workloadIdentityCredential(input(inputs, 'GCP_WORKLOAD_IDENTITY_PROVIDER').reveal(), input(inputs, 'GCP_SERVICE_ACCOUNT').reveal()),
  },
};
