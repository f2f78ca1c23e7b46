// How the harness stands in for each platform's registry login: one entry per
// platform and way of logging in ("auth") of the descriptor tables
// (generators/platforms/platforms.ts). The record's type is built from those
// tables, so a platform or an auth added there without an entry here is a
// compile error, never a fallback. Each stand-in says who gets the credential
// (a protected project variable, or every job, as GitLab's job token), which
// variables the pipeline must read to log in (the harness checks the
// pipeline against them), and makes the per-run secret the push registry
// stand-in (docker-registry with htpasswd, registry.ts) accepts.
import { randomBytes, randomInt } from 'node:crypto';
import { type AuthDescriptor, PLATFORMS, type Platform } from '../../../generators/platforms/platforms.js';
import { credentialVariables } from '../../../generators/platforms/variants.js';

/** The auth ids of platform P (`robot-account`; `key` | `workload-identity`; `job-token`). */
export type AuthOf<P extends Platform> = Extract<keyof (typeof PLATFORMS)[P]['auths'], string>;

/** Who gets the registry credential. */
export type CredentialReach =
  /** A protected project CI/CD variable: pipelines of protected refs (default branch, v* tags) only. */
  | 'protected-refs'
  /** Predefined in every job of every pipeline, MRs and unprotected branches included (GitLab's job token). */
  | 'every-job';

export interface LoginContext {
  /** host:port of the push registry stand-in. */
  pushHost: string;
  /** The project's path on the GitLab stand-in, GROUP/PROJECT (CI_PROJECT_PATH). */
  projectPath: string;
  /** Give the jobs a wrong secret: the registry must refuse the push. */
  wrong: boolean;
}

/** One run's login: what the registry accepts and what the jobs are given. */
export interface Login {
  /** The push registry's htpasswd user and the password it accepts. */
  user: string;
  password: string;
  /** base64 of user:password: what a correct Docker config entry for the push registry holds. */
  expectedAuth: string;
  /** Project CI/CD variables (reach `protected-refs`): given to pipelines of protected refs only. */
  projectVariables: Record<string, string>;
  /** Predefined variables every job of every pipeline gets (reach `every-job`), over gitlab-ci-local's own. */
  jobVariables: Record<string, string>;
  /** Every string that must never appear in a log or the report. */
  secrets: string[];
}

export interface StandIn {
  /** What stands in for what, for the harness's output. */
  summary: string;
  reach: CredentialReach;
  /** The variables the pipeline's jobs must read to log in (its scripts name them). */
  reads: readonly string[];
  login(ctx: LoginContext): Login;
}

/** An auth the harness cannot run yet: it stops with this reason (a deliberate entry, not a fallback). */
export interface NoStandIn {
  none: string;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const b64 = (s: string) => Buffer.from(s).toString('base64');

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
  return { base64: b64(JSON.stringify(key)), keyId };
}

/** The one variable of an auth that has exactly one (its key). */
function onlyVariable(auth: AuthDescriptor): string {
  const keys = credentialVariables(auth);
  if (keys.length !== 1) throw new Error(`expected one credential variable, the descriptor has ${keys.join(', ') || 'none'}`);
  return keys[0]!;
}

const HARBOR = PLATFORMS.onprem.auths['robot-account'];
const HARBOR_VARIABLE = onlyVariable(HARBOR);
const GCP_KEY = PLATFORMS.gcp.auths.key;
const GCP_KEY_VARIABLE = onlyVariable(GCP_KEY);

/** GitLab's user name for the job token (CI_REGISTRY_USER, CI_DEPENDENCY_PROXY_USER). */
export const JOB_TOKEN_USER = 'gitlab-ci-token';

/** A job token's shape: GitLab's `glcbt-` prefix, then random text (well within bcrypt's 72 bytes). */
const jobToken = () => `glcbt-${randomBytes(24).toString('base64url')}`;

/** Every platform x auth: a stand-in, or a deliberate NoStandIn. */
export type StandIns = { readonly [P in Platform]: { readonly [A in AuthOf<P>]: StandIn | NoStandIn } };

export const STAND_INS = {
  onprem: {
    'robot-account': {
      summary: `Harbor robot account -> htpasswd user 'robot$proj+ci' with a random password; ${HARBOR_VARIABLE} a protected project variable`,
      reach: 'protected-refs',
      reads: credentialVariables(HARBOR),
      login: ({ pushHost, wrong }) => {
        const user = 'robot$proj+ci';
        const password = hex(16);
        const jobPassword = wrong ? hex(16) : password;
        const dockerConfig = JSON.stringify({ auths: { [pushHost]: { auth: b64(`${user}:${jobPassword}`) } } });
        return {
          user,
          password,
          expectedAuth: b64(`${user}:${password}`),
          projectVariables: { [HARBOR_VARIABLE]: b64(dockerConfig) },
          jobVariables: {},
          secrets: [password, jobPassword, b64(`${user}:${password}`), b64(`${user}:${jobPassword}`), b64(dockerConfig)],
        };
      },
    },
  },
  gcp: {
    key: {
      summary: `service account key -> htpasswd user '_json_key_base64' with a fake key's base64; ${GCP_KEY_VARIABLE} a protected project variable`,
      reach: 'protected-refs',
      reads: credentialVariables(GCP_KEY),
      login: ({ wrong }) => {
        const right = gcpKey();
        const given = wrong ? gcpKey() : right;
        const user = '_json_key_base64';
        return {
          user,
          password: right.base64,
          expectedAuth: b64(`${user}:${right.base64}`),
          projectVariables: { [GCP_KEY_VARIABLE]: given.base64 },
          jobVariables: {},
          secrets: [right.base64, given.base64, right.keyId, given.keyId, b64(`${user}:${right.base64}`), b64(`${user}:${given.base64}`)],
        };
      },
    },
    'workload-identity': {
      none: "gcp with workload-identity needs a stand-in for Google's STS and IAM credentials endpoints and for the jobs' ID token (gitlab-ci-local ignores id_tokens); the harness has none yet",
    },
  },
  gitlab: {
    'job-token': {
      summary: `GitLab's container registry -> htpasswd user '${JOB_TOKEN_USER}' with a random per-run job token; CI_REGISTRY, CI_REGISTRY_IMAGE, CI_REGISTRY_USER, CI_REGISTRY_PASSWORD and CI_JOB_TOKEN predefined in every job of every pipeline`,
      reach: 'every-job',
      reads: ['CI_REGISTRY_USER', 'CI_REGISTRY_PASSWORD'],
      login: ({ pushHost, projectPath, wrong }) => {
        const token = jobToken();
        const given = wrong ? jobToken() : token;
        return {
          user: JOB_TOKEN_USER,
          password: token,
          expectedAuth: b64(`${JOB_TOKEN_USER}:${token}`),
          projectVariables: {},
          // As GitLab sets them when the project's container registry is enabled
          // (CI_REGISTRY_IMAGE: the registry, then the project path in lower case).
          jobVariables: {
            CI_REGISTRY: pushHost,
            CI_REGISTRY_IMAGE: `${pushHost}/${projectPath.toLowerCase()}`,
            CI_REGISTRY_USER: JOB_TOKEN_USER,
            CI_REGISTRY_PASSWORD: given,
            CI_JOB_TOKEN: given,
          },
          secrets: [token, given, b64(`${JOB_TOKEN_USER}:${token}`), b64(`${JOB_TOKEN_USER}:${given}`)],
        };
      },
    },
  },
} satisfies StandIns;

export const hasStandIn = (s: StandIn | NoStandIn): s is StandIn => !('none' in s);

/** The stand-in of a platform's auth, or undefined when the auth is not one of the platform's. */
export function standInOf(platform: Platform, auth: string): StandIn | NoStandIn | undefined {
  const auths = STAND_INS[platform] as Readonly<Record<string, StandIn | NoStandIn>>;
  return Object.hasOwn(auths, auth) ? auths[auth] : undefined;
}

/** Every variable any stand-in or descriptor logs in with: the names the harness looks for in a pipeline. */
export function loginVariables(): string[] {
  const names = new Set<string>();
  for (const [platform, p] of Object.entries(PLATFORMS) as [Platform, (typeof PLATFORMS)[Platform]][]) {
    for (const [auth, a] of Object.entries(p.auths) as [string, AuthDescriptor][]) {
      for (const v of credentialVariables(a)) names.add(v);
      const s = standInOf(platform, auth);
      if (s && hasStandIn(s)) for (const v of s.reads) names.add(v);
    }
  }
  return [...names];
}

/**
 * Whether a pipeline that reads READ (of loginVariables()) agrees with the
 * stand-in of the recorded platform and auth: it reads every variable the
 * stand-in gives and none that only another way of logging in uses. One line
 * saying what differs, or null.
 */
export function loginDisagreement(platform: Platform, auth: string, s: StandIn, read: readonly string[]): string | null {
  const missing = s.reads.filter((v) => !read.includes(v));
  const foreign = read.filter((v) => !s.reads.includes(v));
  if (missing.length === 0 && foreign.length === 0) return null;
  const parts = [
    ...(missing.length > 0 ? [`does not read ${missing.join(', ')}`] : []),
    ...(foreign.length > 0 ? [`reads ${foreign.join(', ')} (another platform's login)`] : []),
  ];
  return `the pipeline ${parts.join(' and ')}, but .mlops-project.json says platform ${platform} (auth ${auth}), which logs in with ${s.reads.join(', ')}: was .gitlab-ci.yml made for another platform?`;
}
