/**
 * The fake GitLab answers as GitLab does (statuses and bodies to the byte,
 * per GitLab's lib/api/ci/variables.rb and maskable.rb): if it did not, the
 * CLI tests against it would prove nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCESS, type FakeGitLab, NEW_GITLAB_COM_PROJECT, startFakeGitLab } from '../support/fake-gitlab.js';

const TOKEN = 'glpat-fake-test-0000000';
let fake: FakeGitLab;

beforeEach(async () => {
  fake = await startFakeGitLab();
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
  fake.addToken({ token: 'glpat-read-only-0000', username: 'tester', scopes: ['read_api'] });
  fake.addToken({ token: 'glpat-expired-000000', username: 'tester', scopes: ['api'], expired: true });
  fake.addProject('group/sub/name', { tester: ACCESS.maintainer, dev: ACCESS.developer });
  fake.addToken({ token: 'glpat-developer-0000', username: 'dev', scopes: ['api'] });
});
afterEach(() => fake.stop());

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const response = await fetch(`${fake.url}/api/v4${path}`, {
    method,
    headers: { ...(token ? { 'PRIVATE-TOKEN': token } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

const V = '/projects/group%2Fsub%2Fname/variables';

describe('fake GitLab', () => {
  it('auth: none or unknown 401, expired 401 invalid_token, Bearer works', async () => {
    expect(await call('GET', '/user', undefined, null)).toMatchObject({ status: 401, text: '{"message":"401 Unauthorized"}' });
    expect(await call('GET', '/user', undefined, 'glpat-nope')).toMatchObject({ status: 401, text: '{"message":"401 Unauthorized"}' });
    expect(await call('GET', '/user', undefined, 'glpat-expired-000000')).toMatchObject({
      status: 401,
      text: '{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}',
    });
    const bearer = await fetch(`${fake.url}/api/v4/user`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(bearer.status).toBe(200);
  });

  it('scope and role: a write without api is 403 insufficient_scope; below Maintainer is 403 Forbidden', async () => {
    expect(await call('POST', V, { key: 'K', value: 'v' }, 'glpat-read-only-0000')).toMatchObject({
      status: 403,
      text: '{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}',
    });
    expect(await call('GET', V, undefined, 'glpat-developer-0000')).toMatchObject({ status: 403, text: '{"message":"403 Forbidden"}' });
    expect(JSON.parse((await call('GET', '/personal_access_tokens/self', undefined, 'glpat-read-only-0000')).text)).toMatchObject({ scopes: ['read_api'], active: true });
  });

  it('projects: encoded path or id; an unencoded slash does not match the route', async () => {
    expect((await call('GET', '/projects/group%2Fsub%2Fname')).status).toBe(200);
    expect((await call('GET', `/projects/${fake.project('group/sub/name')!.id}`)).status).toBe(200);
    expect(await call('GET', '/projects/group/sub/name')).toMatchObject({ status: 404, text: '{"error":"404 Not Found"}' });
    expect(await call('GET', '/projects/group%2Fnope')).toMatchObject({ status: 404, text: '{"message":"404 Project Not Found"}' });
  });

  it('variables: create 201, duplicate 400, masked rule, bad key, missing value, not found, 409 without filter', async () => {
    const good = { key: 'K', value: 'eyJhdXRocyI6e30=', masked: true };
    expect((await call('POST', V, good)).status).toBe(201);
    expect(await call('POST', V, good)).toMatchObject({ status: 400, text: '{"message":{"key":["(K) has already been taken"]}}' });
    expect(await call('POST', V, { key: 'W', value: 'eyJhdXRo\neyJhdXRo', masked: true })).toMatchObject({ status: 400, text: '{"message":{"value":["is invalid"]}}' });
    expect(await call('POST', V, { key: 'S', value: 'short', masked: true })).toMatchObject({ status: 400, text: '{"message":{"value":["is invalid"]}}' });
    expect((await call('POST', V, { key: 'R', value: 'has$dollar', masked: true, raw: true })).status).toBe(201);
    expect(await call('POST', V, { key: 'B-AD', value: 'v' })).toMatchObject({ status: 400, text: `{"message":{"key":["can contain only letters, digits and '_'."]}}` });
    expect(await call('POST', V, { key: 'K2' })).toMatchObject({ status: 400, text: '{"error":"value is missing"}' });
    expect(await call('GET', `${V}/NOPE`)).toMatchObject({ status: 404, text: '{"message":"404 Variable Not Found"}' });
    expect((await call('POST', V, { ...good, environment_scope: 'production' })).status).toBe(201);
    expect(await call('GET', `${V}/K`)).toMatchObject({
      status: 409,
      text: `{"message":"There are multiple variables with provided parameters. Please use 'filter[environment_scope]'"}`,
    });
    expect((await call('GET', `${V}/K?filter%5Benvironment_scope%5D=*`)).status).toBe(200);
  });

  it('a PUT without variable_type keeps the old type', async () => {
    await call('POST', V, { key: 'F', value: '/path/to/file', variable_type: 'file' });
    const put = await call('PUT', `${V}/F?filter%5Benvironment_scope%5D=*`, { value: 'new-value-1' });
    expect(JSON.parse(put.text)).toMatchObject({ variable_type: 'file', value: 'new-value-1' });
  });

  it('a plain (not masked) value may be anything; a masked one may become plain, a masked-and-hidden one never (Ci::HidableVariable)', async () => {
    expect((await call('POST', V, { key: 'PLAIN', value: 'projects/1/x y', masked: false })).status).toBe(201);
    await call('POST', V, { key: 'M', value: 'masked-value-1', masked: true });
    expect(JSON.parse((await call('PUT', `${V}/M?filter%5Benvironment_scope%5D=*`, { value: 'plain', masked: false })).text)).toMatchObject({ masked: false, value: 'plain' });
    await call('POST', V, { key: 'H', value: 'hidden-value-1', masked_and_hidden: true });
    expect(await call('PUT', `${V}/H?filter%5Benvironment_scope%5D=*`, { value: 'plain', masked: false })).toMatchObject({
      status: 400,
      text: '{"message":{"base":["The visibility setting cannot be changed for masked and hidden variables."]}}',
    });
    expect(JSON.parse((await call('GET', `${V}/H`)).text)).toMatchObject({ hidden: true, masked: true, value: null });
  });

  it('pagination headers, per_page capped at 100', async () => {
    for (let i = 0; i < 3; i += 1) await call('POST', V, { key: `K${i}`, value: 'value-of-8' });
    const page = await call('GET', `${V}?per_page=2`);
    expect(JSON.parse(page.text)).toHaveLength(2);
    expect(page.headers.get('x-page')).toBe('1');
    expect(page.headers.get('x-next-page')).toBe('2');
    expect(page.headers.get('x-total')).toBe('3');
    expect(page.headers.get('link')).toContain('page=2&per_page=2>; rel="next"');
    const last = await call('GET', `${V}?per_page=500&page=1`);
    expect(last.headers.get('x-per-page')).toBe('100');
    expect(last.headers.get('x-next-page')).toBe('');
  });

  it('429 is text/plain "Retry later" with Retry-After and RateLimit-*', async () => {
    fake.fault({ kind: '429', retryAfter: '7', times: 1 });
    const limited = await call('GET', '/user');
    expect(limited.status).toBe(429);
    expect(limited.text).toBe('Retry later\n');
    expect(limited.headers.get('content-type')).toBe('text/plain');
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('POST /projects: 201, then 400 has already been taken', async () => {
    expect((await call('POST', '/projects', { name: 'new', path: 'new' })).status).toBe(201);
    expect(await call('POST', '/projects', { name: 'new', path: 'new' })).toMatchObject({
      status: 400,
      text: '{"message":{"name":["has already been taken"],"path":["has already been taken"]}}',
    });
  });

  it('who may set pipeline variables: new projects nobody; GET shows it to Maintainers; PUT from a Maintainer, values checked', async () => {
    const ROLE = 'ci_pipeline_variables_minimum_override_role';
    const notOwner = { status: 400, text: '{"message":"Changing the restrict_user_defined_variables or ci_pipeline_variables_minimum_override_role is not allowed"}' };
    const created = JSON.parse((await call('POST', '/projects', { name: 'fresh', path: 'fresh' })).text) as Record<string, unknown>;
    expect(created).toMatchObject({ restrict_user_defined_variables: true, [ROLE]: 'no_one_allowed' });
    fake.addProject('group/dotcom', { tester: ACCESS.maintainer, dev: ACCESS.developer }, [], { pipelineVariables: NEW_GITLAB_COM_PROJECT });
    const P = '/projects/group%2Fdotcom';
    expect(JSON.parse((await call('GET', P)).text)).toMatchObject({ [ROLE]: 'no_one_allowed' });
    // A Developer sees no CI/CD settings, and may not change them.
    expect(JSON.parse((await call('GET', P, undefined, 'glpat-developer-0000')).text)).not.toHaveProperty(ROLE);
    expect(await call('PUT', P, { [ROLE]: 'developer' }, 'glpat-developer-0000')).toMatchObject({ status: 403, text: '{"message":"403 Forbidden"}' });
    expect(await call('PUT', P, { [ROLE]: 'everyone' })).toMatchObject({
      status: 400,
      text: '{"error":"ci_pipeline_variables_minimum_override_role does not have a valid value"}',
    });
    // From no_one_allowed (or owner), only an Owner may change it; to owner, too.
    expect(await call('PUT', P, { [ROLE]: 'developer' })).toMatchObject(notOwner);
    fake.project('group/dotcom')!.pipelineVariables![ROLE] = 'maintainer';
    expect(await call('PUT', P, { [ROLE]: 'owner' })).toMatchObject({
      status: 400,
      text: '{"message":"Changing the ci_pipeline_variables_minimum_override_role to the owner role is not allowed"}',
    });
    const put = await call('PUT', P, { [ROLE]: 'developer' });
    expect(put.status).toBe(200);
    expect(JSON.parse(put.text)).toMatchObject({ [ROLE]: 'developer' });
    expect(fake.project('group/dotcom')!.pipelineVariables?.[ROLE]).toBe('developer');
    // The Owner who made a project may lower its no_one_allowed.
    expect((await call('PUT', `/projects/${String(created.id)}`, { [ROLE]: 'developer' })).status).toBe(200);
    // A GitLab older than 17.1: no attribute, and a PUT of it alone is a PUT of nothing.
    fake.addProject('group/old', { tester: ACCESS.maintainer }, [], { pipelineVariables: null });
    expect(JSON.parse((await call('GET', '/projects/group%2Fold')).text)).not.toHaveProperty(ROLE);
    expect((await call('PUT', '/projects/group%2Fold', { [ROLE]: 'developer' })).status).toBe(400);
  });
});
