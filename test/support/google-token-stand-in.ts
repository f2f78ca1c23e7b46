/**
 * A stand-in for Google's two token endpoints of workload identity
 * federation, on 127.0.0.1 over plain HTTP, started and stopped by the test
 * that uses it (or by the e2e harness, scripts/e2e/src/stand-ins.ts):
 *
 * - Security Token Service, `POST /v1/token` (RFC 8693 token exchange,
 *   form-encoded): it checks what Google checks of the request's form:
 *   grant_type, subject_token_type, requested_token_type, the scope, the
 *   audience `//iam.googleapis.com/<provider>`, and that the subject token is
 *   the job's ID token; it answers `{"access_token": <federated token>, ...}`.
 * - IAM Service Account Credentials, `POST /v1/projects/-/serviceAccounts/
 *   <email>:generateAccessToken`: the Bearer federated token, the service
 *   account, a JSON body with the scope; it answers
 *   `{"accessToken": ..., "expireTime": ...}`.
 *
 * A request that fails a check gets Google's kind of error answer and is
 * recorded in `problems` (a correct client leaves it empty). `refuse` makes
 * it answer as Google does when the provider's attribute condition rejects
 * the token (STS, 400) or the pool may not act as the service account (IAM,
 * 403). What it does not do: verify the ID token (signature against the
 * issuer's keys, expiry, the `aud` claim), evaluate an attribute condition
 * or IAM policy, or speak TLS; so it proves the requests a client makes and
 * how it reads the answers, not that Google would accept a given token.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

export interface TokenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface TokenStandIn {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** For GCP_STS_URL: `<url>/v1/token`. */
  stsUrl: string;
  /** For GCP_IAM_CREDENTIALS_URL: `<url>/v1`. */
  iamCredentialsUrl: string;
  /** What STS gives for the ID token, and generateAccessToken for that. */
  federatedToken: string;
  accessToken: string;
  refuse: { sts: boolean; iam: boolean };
  requests: TokenRequest[];
  problems: string[];
  /** Forget the requests and problems, answer again. */
  reset(): void;
  stop(): Promise<void>;
}

/** A JWT-shaped ID token as GitLab issues for `id_tokens` (claims of GitLab's docs; the signature is random bytes). */
export function gitlabIdToken(provider: string, projectPath = 'group/project'): string {
  const b64url = (value: object | Buffer): string => (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    namespace_id: '72', namespace_path: projectPath.split('/')[0], project_id: '4242', project_path: projectPath,
    user_login: 'ci-user', pipeline_source: 'push', ref: 'main', ref_type: 'branch', ref_protected: 'true',
    iss: 'https://gitlab.com', sub: `project_path:${projectPath}:ref_type:branch:ref:main`,
    aud: `https://iam.googleapis.com/${provider}`, iat: now, nbf: now - 5, exp: now + 3600, jti: randomBytes(8).toString('hex'),
  };
  return `${b64url({ alg: 'RS256', kid: 'stand-in', typ: 'JWT' })}.${b64url(claims)}.${b64url(randomBytes(256))}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: object, pretty = false): void {
  const text = pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(text);
}

/** Google's error shape on the IAM API (google.rpc.Status). */
const rpcError = (code: number, status: string, message: string): object => ({ error: { code, message, status } });

/** A token of the shape the stand-in issues (Google's `ya29.` prefix, then random text). */
export const standInToken = (kind: 'federated' | 'access'): string =>
  `ya29.${kind === 'federated' ? 'd' : 'c'}.stand-in-${kind}-${randomBytes(16).toString('hex')}`;

/**
 * Starts the stand-in on 127.0.0.1 (a free port). It accepts EXPECT's ID token
 * for EXPECT's provider and service account. TOKENS fixes what it issues (a
 * caller that must know the access token before the first exchange, such as a
 * registry's htpasswd written beforehand); by default each is random.
 */
export async function startTokenStandIn(
  expect: { provider: string; serviceAccount: string; idToken: string },
  tokens: { federated?: string; access?: string } = {},
): Promise<TokenStandIn> {
  const audience = `//iam.googleapis.com/${expect.provider}`;
  const iamPath = `/v1/projects/-/serviceAccounts/${expect.serviceAccount}:generateAccessToken`;

  const state = {
    federatedToken: tokens.federated ?? standInToken('federated'),
    accessToken: tokens.access ?? standInToken('access'),
    refuse: { sts: false, iam: false },
    requests: [] as TokenRequest[],
    problems: [] as string[],
  };

  function sts(req: IncomingMessage, body: string, res: ServerResponse): void {
    const problem = (what: string, error = 'invalid_request'): void => {
      state.problems.push(`STS: ${what}`);
      answer(res, 400, { error, error_description: what });
    };
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return problem(`content-type must be application/x-www-form-urlencoded, got ${String(req.headers['content-type'])}`);
    const form = new URLSearchParams(body);
    const checks: [string, string][] = [
      ['grant_type', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      ['subject_token_type', 'urn:ietf:params:oauth:token-type:jwt'],
      ['requested_token_type', 'urn:ietf:params:oauth:token-type:access_token'],
      ['audience', audience],
    ];
    for (const [field, wanted] of checks)
      if (form.get(field) !== wanted) return problem(`${field} must be ${wanted}, got ${JSON.stringify(form.get(field))}`);
    if (!(form.get('scope') ?? '').split(' ').includes(CLOUD_PLATFORM)) return problem(`scope must include ${CLOUD_PLATFORM}`, 'invalid_scope');
    // Never echo a token: say only that it is not the one issued.
    if (form.get('subject_token') !== expect.idToken) return problem('subject_token is not the ID token GitLab issued to the job', 'invalid_grant');
    if (state.refuse.sts)
      return answer(res, 400, { error: 'unauthorized_client', error_description: 'The given credential is rejected by the attribute condition.' });
    answer(res, 200, {
      access_token: state.federatedToken,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 3599,
    });
  }

  function iam(req: IncomingMessage, path: string, body: string, res: ServerResponse): void {
    const problem = (code: number, status: string, what: string): void => {
      state.problems.push(`IAM: ${what}`);
      answer(res, code, rpcError(code, status, what), true);
    };
    if (path !== iamPath) return problem(404, 'NOT_FOUND', `unknown service account or method: ${path}`);
    if (req.headers.authorization !== `Bearer ${state.federatedToken}`)
      return problem(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return problem(400, 'INVALID_ARGUMENT', 'the body must be JSON');
    let scope: unknown;
    try {
      scope = (JSON.parse(body) as { scope?: unknown }).scope;
    } catch {
      return problem(400, 'INVALID_ARGUMENT', 'the body is not valid JSON');
    }
    if (!Array.isArray(scope) || !scope.includes(CLOUD_PLATFORM)) return problem(400, 'INVALID_ARGUMENT', `scope must be a list including ${CLOUD_PLATFORM}`);
    if (state.refuse.iam)
      return answer(res, 403, rpcError(403, 'PERMISSION_DENIED', "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."), true);
    answer(res, 200, { accessToken: state.accessToken, expireTime: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z') }, true);
  }

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      state.requests.push({ method: req.method ?? '', path, headers: { ...req.headers }, body });
      if (req.method !== 'POST') {
        state.problems.push(`${req.method ?? ''} ${path}: only POST is served`);
        return answer(res, 405, rpcError(405, 'METHOD_NOT_ALLOWED', 'only POST'), true);
      }
      if (path === '/v1/token') return sts(req, body, res);
      if (path.startsWith('/v1/projects/')) return iam(req, path, body, res);
      state.problems.push(`POST ${path}: no such endpoint`);
      answer(res, 404, rpcError(404, 'NOT_FOUND', 'no such endpoint'), true);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    stsUrl: `${url}/v1/token`,
    iamCredentialsUrl: `${url}/v1`,
    get federatedToken() {
      return state.federatedToken;
    },
    get accessToken() {
      return state.accessToken;
    },
    get refuse() {
      return state.refuse;
    },
    get requests() {
      return state.requests;
    },
    get problems() {
      return state.problems;
    },
    reset() {
      state.requests = [];
      state.problems = [];
      state.refuse = { sts: false, iam: false };
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
