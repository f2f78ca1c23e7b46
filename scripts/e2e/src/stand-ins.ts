// How the harness stands in for each platform's registry login: one entry per
// platform and way of logging in ("auth") of the descriptor tables
// (generators/platforms/platforms.ts). The record's type is built from those
// tables, so a platform or an auth added there without an entry here is a
// compile error, never a fallback. Each stand-in says who gets the credential
// (a protected project variable, or every job, as GitLab's job token), which
// variables the pipeline must read to log in (the harness checks the
// pipeline against them), and makes the per-run secret the push registry
// stand-in (docker-registry with htpasswd, registry.ts) accepts. A login
// that calls more than the registry (workload identity: Google's token
// endpoints) brings a stand-in service for that too, and the ID token GitLab
// gives the jobs that declare `id_tokens` (gitlab-ci-local ignores them).
import { randomBytes, randomInt } from 'node:crypto';
import { type AuthDescriptor, type Builder, PLATFORMS, type Platform } from '../../../generators/platforms/platforms.js';
import { credentialVariables } from '../../../generators/platforms/variants.js';
import { gitlabIdToken, standInToken, startTokenStandIn, type TokenRequest } from '../../../test/support/google-token-stand-in.js';
import type { Role } from '../../../test/support/pipeline-kinds.js';

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
  /**
   * The ID token GitLab issues (`id_tokens`) to every job that declares one,
   * in every pipeline, protected or not: the harness gives it, under each name
   * a job declares, to those jobs only (adapters/job-shell). Absent: the
   * login uses none.
   */
  idToken?: string;
  /** A service the login calls besides the registry (Google's token endpoints), stood in on 127.0.0.1. */
  service?: LoginService;
  /** With `wrong`, where the wrong secret is when it is not in the variables (said in the output). */
  wrongSecret?: string;
}

/** A service a login calls besides the registry, and its stand-in. */
export interface LoginService {
  /** What stands in for what, for the harness's output. */
  summary: string;
  /** The variables that point the jobs at it (the pipeline's overridable endpoints): the pipeline must read each, or its jobs would call the real one. */
  variables: readonly string[];
  /** The endpoints one login calls, once each (the harness checks each was called once per credential the jobs wrote). */
  perLogin: readonly string[];
  /** Starts an instance on 127.0.0.1; the harness starts one per pipeline, so that each pipeline's calls are its own, and stops it by its end. */
  start(): Promise<RunningService>;
}

export interface RunningService {
  /** VARIABLE -> value (its URL), given to every job of the pipeline. */
  variables: Record<string, string>;
  /** The calls it received, told without a secret. */
  calls(): ServiceCall[];
  /** The requests it refused, and why (a correct client causes none). */
  problems(): string[];
  stop(): Promise<void>;
}

/** A call a service stand-in received. No value in it is a secret: a given value is named ($VARIABLE), any other is "other". */
export interface ServiceCall {
  /** The endpoint (one of LoginService.perLogin), or "unknown". */
  endpoint: string;
  method: string;
  /** The path, the values the harness gave written as $NAME. */
  path: string;
  /** What the call carried that the stand-in checks, each told as the $NAME it was given as, "other" or "none". */
  carried: Record<string, string>;
}

export interface StandIn {
  /** What stands in for what, for the harness's output. */
  summary: string;
  reach: CredentialReach;
  /** The variables the pipeline's jobs must read to log in (its scripts name them). */
  reads: readonly string[];
  login(ctx: LoginContext): Login;
  /** What the harness cannot run with this login, and why: a builder, or the jobs of a role (the harness stops with the reason). */
  cannotRun?: { builders?: Partial<Record<Builder, string>>; roles?: Partial<Record<Role, string>> };
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

const GCP_WIF = PLATFORMS.gcp.auths['workload-identity'];
/** The two plain (protected) variables of workload identity, by the names the overlay's script reads. */
export const WIF_PROVIDER_VARIABLE = 'GCP_WORKLOAD_IDENTITY_PROVIDER';
export const WIF_SERVICE_ACCOUNT_VARIABLE = 'GCP_SERVICE_ACCOUNT';
/** The overridable endpoints of the overlay's token exchange (buildah's image jobs). */
export const WIF_ENDPOINT_VARIABLES = ['GCP_STS_URL', 'GCP_IAM_CREDENTIALS_URL'] as const;
/** Artifact Registry's user name for an OAuth access token. */
export const ACCESS_TOKEN_USER = 'oauth2accesstoken';

/** How a value a stand-in saw is told in the report: the $NAME it was given as, "other", or "none". */
function told(value: string | null | undefined, known: readonly (readonly [string, string])[]): string {
  if (value == null || value === '') return 'none';
  return known.find(([v]) => v === value)?.[1] ?? 'other';
}

/**
 * Google's STS and IAM Credentials, as test/support/google-token-stand-in.ts
 * plays them (it checks what Google checks of the requests' form: see there),
 * one instance per pipeline, all issuing the run's fixed tokens.
 */
function googleTokenService(o: { provider: string; serviceAccount: string; idToken: string; federated: string; access: string }): LoginService {
  const audience = `//iam.googleapis.com/${o.provider}`;
  const iamPath = `/v1/projects/-/serviceAccounts/${o.serviceAccount}:generateAccessToken`;
  const describe = (r: TokenRequest): ServiceCall => {
    if (r.path === '/v1/token') {
      const form = new URLSearchParams(r.body);
      return {
        endpoint: 'sts', method: r.method, path: r.path,
        carried: {
          audience: told(form.get('audience'), [[audience, `//iam.googleapis.com/$${WIF_PROVIDER_VARIABLE}`]]),
          subject_token: told(form.get('subject_token'), [[o.idToken, '$GCP_ID_TOKEN (the ID token given to the job)']]),
        },
      };
    }
    const iam = r.path.startsWith('/v1/projects/');
    return {
      endpoint: iam ? 'iam-credentials' : 'unknown', method: r.method,
      path: r.path === iamPath ? `/v1/projects/-/serviceAccounts/$${WIF_SERVICE_ACCOUNT_VARIABLE}:generateAccessToken` : iam ? 'other' : r.path,
      carried: { authorization: told(String(r.headers.authorization ?? ''), [[`Bearer ${o.federated}`, 'Bearer (the federated token STS issued)']]) },
    };
  };
  return {
    summary: "Google's STS and IAM Credentials -> test/support/google-token-stand-in.ts on 127.0.0.1 (HTTP), one per pipeline",
    variables: WIF_ENDPOINT_VARIABLES,
    perLogin: ['sts', 'iam-credentials'],
    start: async () => {
      const s = await startTokenStandIn(
        { provider: o.provider, serviceAccount: o.serviceAccount, idToken: o.idToken },
        { federated: o.federated, access: o.access },
      );
      return {
        variables: { GCP_STS_URL: s.stsUrl, GCP_IAM_CREDENTIALS_URL: s.iamCredentialsUrl },
        calls: () => s.requests.map(describe),
        problems: () => [...s.problems],
        stop: () => s.stop(),
      };
    },
  };
}

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
    // What this does NOT prove: Google's real token exchange (that STS takes a
    // real GitLab ID token: its signature, expiry and `aud`; the provider's
    // attribute condition; the service account's IAM policy), TLS to Google
    // and to Artifact Registry, and kaniko's and gcrane's Google keychain
    // (they read GOOGLE_APPLICATION_CREDENTIALS and trade the token
    // themselves, in Go). The harness's /kaniko/executor is itself a stand-in
    // over buildah that reads only the Docker config, and its crane over
    // skopeo has no gcrane: the kaniko variant's push and the retag job cannot
    // run here (cannotRun); the file they read is checked against gcloud's and
    // Google's Node library in test/cli/gcp-workload-identity.test.ts.
    'workload-identity': {
      summary: `workload identity federation -> ${WIF_PROVIDER_VARIABLE} and ${WIF_SERVICE_ACCOUNT_VARIABLE} plain protected project variables; `
        + 'GCP_ID_TOKEN a random JWT-shaped ID token given to every job that declares id_tokens, in every pipeline; '
        + `htpasswd user '${ACCESS_TOKEN_USER}' with the access token the token stand-in issues (fixed for the run)`,
      reach: 'protected-refs',
      reads: credentialVariables(GCP_WIF),
      cannotRun: {
        builders: {
          kaniko: "kaniko trades the ID token itself through Google's keychain (GOOGLE_APPLICATION_CREDENTIALS), and the harness's /kaniko/executor is a stand-in over buildah that reads only the Docker config: generate with --builder buildah, whose job trades the token with curl",
        },
        roles: {
          retag: "the retag job runs gcrane, which trades the ID token itself through Google's keychain; the harness has no gcrane (its crane is skopeo reading the Docker config)",
        },
      },
      login: ({ projectPath, wrong }) => {
        const provider = `projects/${randomInt(1e11, 1e12)}/locations/global/workloadIdentityPools/gitlab-e2e/providers/gitlab-e2e`;
        const serviceAccount = `e2e-images@e2e-${hex(4)}.iam.gserviceaccount.com`;
        const idToken = gitlabIdToken(provider, projectPath);
        const federated = standInToken('federated');
        const access = standInToken('access');
        // --wrong-credential: the token stand-in issues another access token than the registry accepts.
        const issued = wrong ? standInToken('access') : access;
        return {
          user: ACCESS_TOKEN_USER,
          password: access,
          expectedAuth: b64(`${ACCESS_TOKEN_USER}:${access}`),
          projectVariables: { [WIF_PROVIDER_VARIABLE]: provider, [WIF_SERVICE_ACCOUNT_VARIABLE]: serviceAccount },
          jobVariables: {},
          idToken,
          service: googleTokenService({ provider, serviceAccount, idToken, federated, access: issued }),
          ...(wrong ? { wrongSecret: 'the access token the token stand-in issues is not the one the registry takes' } : {}),
          secrets: [
            idToken, idToken.slice(idToken.lastIndexOf('.') + 1), federated, access, issued,
            b64(`${ACCESS_TOKEN_USER}:${access}`), b64(`${ACCESS_TOKEN_USER}:${issued}`),
          ],
        };
      },
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
