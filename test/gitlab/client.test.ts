/**
 * The client's retry policy and apply's guards, in process against the fake
 * GitLab: small timeouts and recorded sleeps instead of real waits.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../generators/shared/errors.js';
import { applyGitLabPlan, type ApplyOptions } from '../../src/gitlab/apply.js';
import { createClient, endpointOf, GitLabUnavailable, type ClientOptions } from '../../src/gitlab/client.js';
import { calls, type GitLabPlan } from '../../src/gitlab/plan.js';
import { Redactor, Secret } from '../../src/gitlab/secret.js';
import { ACCESS, type FakeGitLab, startFakeGitLab } from '../support/fake-gitlab.js';

const TOKEN = 'glpat-client-test-000000';
let fake: FakeGitLab;
let waits: number[];

beforeEach(async () => {
  fake = await startFakeGitLab();
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
  fake.addProject('g/p', { tester: ACCESS.maintainer });
  waits = [];
});
afterEach(() => fake.stop());

function client(options: Partial<ClientOptions> = {}) {
  return createClient({
    gitlabUrl: fake.url,
    token: new Secret(TOKEN),
    redactor: new Redactor().add(TOKEN),
    sleep: async (ms) => void waits.push(ms),
    ...options,
  });
}

async function unavailable(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(GitLabUnavailable);
  return (error as GitLabUnavailable).reason;
}

describe('createClient', () => {
  it('sends PRIVATE-TOKEN and parses JSON', async () => {
    const response = await client().request(calls.user());
    expect(response).toMatchObject({ status: 200, data: { username: 'tester' } });
    expect(fake.requests[0]!.headers['private-token']).toBe(TOKEN);
  });

  it('429: sleeps Retry-After (seconds or date), then retries', async () => {
    fake.fault({ kind: '429', retryAfter: '2', times: 1 });
    fake.fault({ kind: '429', retryAfter: new Date(Date.now() + 4000).toUTCString(), times: 1 });
    expect((await client().request(calls.user())).status).toBe(200);
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeGreaterThan(2000);
    expect(waits[1]).toBeLessThanOrEqual(4000);
    expect(fake.requests).toHaveLength(3);
  });

  it('429 three times: gives up after 3 tries, bounded', async () => {
    fake.fault({ kind: '429', retryAfter: '1', times: 10 });
    expect(await unavailable(client().request(calls.user()))).toBe('GET /user: GitLab rate limit (429) (3 tries)');
    expect(waits).toEqual([1000, 1000]);
  });

  it('5xx: short backoff, 3 tries, then a clear reason', async () => {
    fake.fault({ kind: '5xx', status: 502, times: 10 });
    expect(await unavailable(client().request(calls.user()))).toBe('GET /user: GitLab answered 502 Bad Gateway (3 tries)');
    expect(waits).toEqual([500, 1500]);
  });

  it('a call that must not be repeated is tried once on 5xx or a lost connection, but still waits out a 429', async () => {
    fake.fault({ kind: '5xx', status: 500, times: 1 });
    expect(await unavailable(client().request(calls.user(), { retry: false }))).toBe('GET /user: GitLab answered 500 Internal Server Error (not retried)');
    fake.fault({ kind: 'drop', times: 1 });
    expect(await unavailable(client().request(calls.user(), { retry: false }))).toMatch(/^GET \/user: .* \(not retried: it may have been applied\)$/);
    fake.fault({ kind: '429', retryAfter: '1', times: 1 });
    expect((await client().request(calls.user(), { retry: false })).status).toBe(200);
  });

  it('timeouts and refused connections are retried, then reported', async () => {
    fake.fault({ kind: 'hang', times: 10 });
    expect(await unavailable(client({ timeoutMs: 150 }).request(calls.user()))).toBe(`GET /user: no answer from ${fake.url} within 150 ms (3 tries)`);
    const url = fake.url;
    await fake.stop();
    expect(await unavailable(createClient({ gitlabUrl: url, token: new Secret(TOKEN), redactor: new Redactor(), sleep: async () => {} }).request(calls.user())))
      .toBe(`GET /user: ${url} refused the connection (ECONNREFUSED) (3 tries)`);
  });

  it('a connection error names the scheme, host and port it tried: TLS to a plain-HTTP port, a dropped connection', async () => {
    const port = new URL(fake.url).port;
    const tls = createClient({ gitlabUrl: `https://127.0.0.1:${port}`, token: new Secret(TOKEN), redactor: new Redactor(), attempts: 1 });
    expect(await unavailable(tls.request(calls.user()))).toMatch(new RegExp(`^GET /user: TLS with https://127\\.0\\.0\\.1:${port} failed \\(ERR_SSL_WRONG_VERSION_NUMBER\\) \\(1 try\\)$`));
    fake.fault({ kind: 'drop', times: 1 });
    expect(await unavailable(client({ attempts: 1 }).request(calls.user()))).toMatch(new RegExp(`^GET /user: ${fake.url.replace(/\./g, '\\.')} closed the connection \\((ECONNRESET|UND_ERR_SOCKET)\\) \\(1 try\\)$`));
    expect(endpointOf('https://gitlab.example.com')).toBe('https://gitlab.example.com:443');
    expect(endpointOf('https://gitlab.example.com:8443/gitlab')).toBe('https://gitlab.example.com:8443');
  });

  it('never follows a redirect (it would carry the token elsewhere)', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(302, { Location: 'https://elsewhere.example.com/api/v4/user' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const c = createClient({ gitlabUrl: `http://127.0.0.1:${port}`, token: new Secret(TOKEN), redactor: new Redactor() });
      expect(await unavailable(c.request(calls.user()))).toMatch(/redirects to https:\/\/elsewhere\.example\.com\/api\/v4\/user; pass the address GitLab really answers on as --gitlab-url$/);
      expect(seen).toEqual(['/api/v4/user']);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('applyGitLabPlan guards', () => {
  const report: string[] = [];
  const options = (): ApplyOptions => ({
    client: client(),
    token: new Secret(TOKEN),
    redactor: new Redactor().add(TOKEN),
    report: { done: (line) => void report.push(line) },
    finishCommand: ({ project }) => `mlops-project gitlab-variables --gitlab-project ${project ?? '?'}`,
    secretsNeeded: 'GITLAB_TOKEN',
  });
  const plan = (values: Record<string, string>): GitLabPlan => ({
    gitlabUrl: fake.url,
    project: 'g/p',
    create: undefined,
    variables: Object.entries(values).map(([key, value]) => ({ key, value: new Secret(value), masked: true, protected: true, description: 'd' })),
    pipelineVariablesForDevelopers: true,
    push: undefined,
  });

  it('a value GitLab would refuse as masked is never sent: no request at all', async () => {
    // What GNU base64 without -w0 gives: wrapped at 76 columns.
    const wrapped = `${'QUFB'.repeat(19)}\n${'QUFB'.repeat(5)}`;
    const error = await applyGitLabPlan(plan({ HARBOR_ROBOT_CREDS_JSON: wrapped }), options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'Refusing to send HARBOR_ROBOT_CREDS_JSON: GitLab would reject it as a masked variable, it holds characters a masked value cannot have (\\n). Nothing was sent.',
    );
    expect(fake.requests).toEqual([]);
  });

  it('a failure between two variables names the one set and the one not set', async () => {
    // The second POST (and its retries) meets a 503.
    let posts = 0;
    const c = client();
    const wrapped: ApplyOptions = {
      ...options(),
      client: {
        request: async (call, o) => {
          if (call.method === 'POST' && (posts += 1) > 1) fake.fault({ kind: '5xx', status: 503, times: 3 });
          return c.request(call, o);
        },
      },
    };
    const error = await applyGitLabPlan(plan({ FIRST_VAR: 'value-one-ok', SECOND_VAR: 'value-two-ok' }), wrapped).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('GitLab did not answer: POST /projects/g%2Fp/variables: GitLab answered 503 Service Unavailable (3 tries).');
    expect((error as UserError).hint).toBe(
      'Done before the failure: FIRST_VAR set. Not done: SECOND_VAR not set.\n' +
        'To finish, run again (it updates what is already set, never duplicates), with GITLAB_TOKEN in the environment:\n' +
        '  mlops-project gitlab-variables --gitlab-project g/p',
    );
    expect(fake.project('g/p')!.variables.map((v) => v.key)).toEqual(['FIRST_VAR']);
  });

  it('GitLab error text is shown only after redaction', async () => {
    fake.fault({ method: 'POST', kind: 'json', status: 422, body: { message: `bad ${TOKEN} and value-one-ok` }, times: 1 });
    const o = options();
    o.redactor.add('value-one-ok');
    const error = await applyGitLabPlan(plan({ FIRST_VAR: 'value-one-ok' }), o).catch((e: unknown) => e);
    expect((error as Error).message).toBe('GitLab answered 422 to POST /api/v4/projects/g%2Fp/variables: {"message":"bad [redacted] and [redacted]"}');
  });
});
