/** The pure parts: credentials, the masked rule, secrets, targets, the plan a dry run prints. */
import { inspect } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from 'execa';
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/gitlab/client.js';
import { gcpCredential, harborCredential, maskedProblem, registryHost } from '../../src/gitlab/credentials.js';
import { shellQuote } from '../../generators/shared/shell-quote.js';
import { calls, describePlan, pipelineVariablesChange, planGitLab, projectId, showCall } from '../../src/gitlab/plan.js';
import { authEnv, gitTooOld } from '../../src/gitlab/push.js';
import { Redactor, Secret } from '../../src/gitlab/secret.js';
import { checkGitLabUrl, resolveTarget } from '../../src/gitlab/target.js';
import { removeDir, tempDir } from '../support/cli.js';
import { leaks } from './helpers.js';
import { errorOf } from '../support/errors.js';

describe('maskedProblem (GitLab: \\A[a-zA-Z0-9_+=/@:.~-]{8,}\\z)', () => {
  it.each([
    ['eyJhdXRocyI6e30=', undefined],
    ['a/b+c=d@e:f.g~h-i_j', undefined],
    ['short', 'it is 5 characters long; a masked value needs at least 8'],
    ['eyJhdXRo\neyJhdXRo', 'it holds characters a masked value cannot have (\\n)'],
    ['robot$team+ci:pass word', 'it holds characters a masked value cannot have ("$", space)'],
  ])('%j -> %s', (value, problem) => {
    expect(maskedProblem(value)).toBe(problem);
  });
});

describe('harborCredential', () => {
  it('is the single-line base64 of a Docker config keyed by the host and port', () => {
    const c = harborCredential('harbor.example.com:8443/team/p', new Secret('robot$team+ci'), new Secret('pa:ss$`"word'));
    expect(c.variables[0]!.key).toBe('HARBOR_ROBOT_CREDS_JSON');
    expect(maskedProblem(c.variables[0]!.value.reveal())).toBeUndefined();
    const config = JSON.parse(Buffer.from(c.variables[0]!.value.reveal(), 'base64').toString()) as { auths: Record<string, { auth: string }> };
    expect(config).toEqual({ auths: { 'harbor.example.com:8443': { auth: Buffer.from('robot$team+ci:pa:ss$`"word').toString('base64') } } });
    expect(c.summary).toBe('Docker config for harbor.example.com:8443');
  });

  it('refuses a user name with ":"', () => {
    expect(errorOf(() => harborCredential('h.example.com/p', new Secret('a:b'), new Secret('password')))).toMatch(/must not contain ":"/);
  });

  it('registryHost stops at the first slash', () => {
    expect(registryHost('harbor.example.com:8443/team/p')).toBe('harbor.example.com:8443');
    expect(registryHost('europe-west4-docker.pkg.dev/acme/ml/p')).toBe('europe-west4-docker.pkg.dev');
  });
});

describe('gcpCredential', () => {
  const key = { type: 'service_account', client_email: 'ci@acme.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIsecret\n-----END PRIVATE KEY-----\n' };
  it('is the base64 of the bytes, unchanged', () => {
    const bytes = Buffer.from(`${JSON.stringify(key, null, 2)}\n`);
    const c = gcpCredential(bytes, 'key.json');
    expect(Buffer.from(c.variables[0]!.value.reveal(), 'base64').equals(bytes)).toBe(true);
    expect(c.summary).toBe('service account key of ci@acme.iam.gserviceaccount.com');
  });
  it.each([
    ['{"private_key": "MIIsecret"', /^key\.json is not valid JSON/],
    ['[1]', /^key\.json is not a service account key: expected a JSON object\.$/],
    [JSON.stringify({ ...key, type: 'authorized_user' }), /lacks "type": "service_account"\./],
    [JSON.stringify({ ...key, client_email: '' }), /lacks client_email\./],
  ])('refuses %s without echoing it', (text, message) => {
    const error = errorOf(() => gcpCredential(Buffer.from(text), 'key.json'));
    expect(error).toMatch(message);
    expect(error).not.toContain('MIIsecret');
  });
});

describe('Secret and Redactor', () => {
  it('a Secret prints, stringifies and inspects as [redacted]', () => {
    const s = new Secret('glpat-abcdefgh');
    expect(`${s}`).toBe('[redacted]');
    expect(JSON.stringify({ value: s })).toBe('{"value":"[redacted]"}');
    expect(inspect({ s })).not.toContain('glpat');
    expect(s.reveal()).toBe('glpat-abcdefgh');
  });
  it('redacts values, their base64, and each long line of a PEM key, also as JSON-escaped text', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
    const r = new Redactor().add(new Secret('glpat-abcdefgh'), pem);
    expect(r.redact('token glpat-abcdefgh and Z2xwYXQtYWJjZGVmZ2g= here')).toBe('token [redacted] and [redacted] here');
    expect(r.redact(JSON.stringify({ k: pem }))).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
  });
});

describe('targets', () => {
  it.each([
    ['https://gitlab.example.com/', 'https://gitlab.example.com'],
    ['https://example.com/gitlab/api/v4', 'https://example.com/gitlab'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('checkGitLabUrl(%s) = %s', (input, output) => {
    expect(checkGitLabUrl(input, '--gitlab-url')).toBe(output);
  });
  it.each([
    ['gitlab.example.com', /must be the address of a GitLab instance/],
    ['ftp://gitlab.example.com', /must start with https:\/\//],
    ['https://me:glpat-x@gitlab.example.com', /must not hold credentials/],
    ['http://gitlab.example.com', /plain http to gitlab\.example\.com/],
  ])('checkGitLabUrl refuses %s', (input, message) => {
    expect(errorOf(() => checkGitLabUrl(input, '--gitlab-url'))).toMatch(message);
  });

  const t = (project?: string, namespace?: string, create = false) => resolveTarget({ project, namespace, create, repoName: 'fraud' });
  it('resolves the project to use or to create', () => {
    expect(t('group/sub/name')).toEqual({ project: 'group/sub/name', create: undefined });
    expect(t('42')).toEqual({ project: '42', create: undefined });
    expect(t(undefined, 'team', true)).toEqual({ project: 'team/fraud', create: { path: 'fraud', namespace: 'team' } });
    expect(t(undefined, undefined, true)).toEqual({ project: undefined, create: { path: 'fraud', namespace: undefined } });
    expect(t('team/ml/x', undefined, true)).toEqual({ project: 'team/ml/x', create: { path: 'x', namespace: 'team/ml' } });
    expect(t('x', 'team', true)).toEqual({ project: 'team/x', create: { path: 'x', namespace: 'team' } });
  });
  it.each([
    [undefined, undefined, false, /--gitlab-project is required/],
    ['group//x', undefined, false, /--gitlab-project must be a path like group\/sub\/name/],
    ['https://gitlab.com/g/p.git', undefined, false, /takes the project's path, not its URL: e.g\. g\/p\./],
    ['g/p', 'team', false, /--gitlab-namespace only goes with --gitlab-create/],
    ['a/x', 'b', true, /is not in --gitlab-namespace b/],
    ['42', undefined, true, /needs --gitlab-project as a path/],
  ])('refuses project %s namespace %s create %s', (project, namespace, create, message) => {
    expect(errorOf(() => t(project, namespace, create))).toMatch(message);
  });
});

describe('plan', () => {
  const credential = harborCredential('harbor.example.com/team/p', new Secret('robot$t+ci'), new Secret('password123'));
  const plan = planGitLab({ gitlabUrl: 'https://gitlab.example.com', project: 'g/p', create: undefined, credential, protected: true, push: undefined });

  it('encodes a path, keeps an id', () => {
    expect(projectId('group/sub/name')).toBe('group%2Fsub%2Fname');
    expect(projectId('42')).toBe('42');
  });

  it('always sends variable_type, masked, raw false and scope * (on PUT too)', () => {
    const put = calls.updateVariable('1', plan.variables[0]!);
    expect(put.query).toEqual({ 'filter[environment_scope]': '*' });
    expect(JSON.parse(JSON.stringify(put.body))).toEqual({
      value: '[redacted]', variable_type: 'env_var', masked: true, protected: true, raw: false, environment_scope: '*',
      description: 'Registry credentials for the pipeline (Docker config for harbor.example.com); set by mlops-project gitlab-variables.',
    });
  });

  it('the dry-run listing holds every call and no secret', () => {
    const text = describePlan(plan).join('\n');
    expect(text).toMatchInlineSnapshot(`
      "GitLab https://gitlab.example.com, project g/p
        every request sends the header PRIVATE-TOKEN: [redacted]
        check the token, its scope and the project before any write:
          GET  /api/v4/user
          GET  /api/v4/personal_access_tokens/self
          GET  /api/v4/projects/g%2Fp
          GET  /api/v4/projects/g%2Fp/variables?per_page=1
        set HARBOR_ROBOT_CREDS_JSON (env_var, masked, protected, scope *):
          GET  /api/v4/projects/g%2Fp/variables/HARBOR_ROBOT_CREDS_JSON?filter[environment_scope]=*
          then, on 404: POST /api/v4/projects/g%2Fp/variables {"key":"HARBOR_ROBOT_CREDS_JSON","value":"[redacted]","variable_type":"env_var","masked":true,"protected":true,"raw":false,"environment_scope":"*","description":"Registry credentials for the pipeline (Docker config for harbor.example.com); set by mlops-project gitlab-variables."}
          or, on 200:   PUT  /api/v4/projects/g%2Fp/variables/HARBOR_ROBOT_CREDS_JSON?filter[environment_scope]=* {"value":"[redacted]","variable_type":"env_var","masked":true,"protected":true,"raw":false,"environment_scope":"*","description":"Registry credentials for the pipeline (Docker config for harbor.example.com); set by mlops-project gitlab-variables."}
        let Developers set pipeline variables, so they can run the pipeline's manual switches (ci_pipeline_variables_minimum_override_role as GET /api/v4/projects/g%2Fp above gives it):
          when it is no_one_allowed (GitLab.com's default for new projects), maintainer or owner: PUT  /api/v4/projects/g%2Fp {"ci_pipeline_variables_minimum_override_role":"developer"}
          (nothing is sent when it is developer already, restrict_user_defined_variables is false, or this GitLab has no such setting;
          from no_one_allowed or owner only an Owner may change it, which the check before any write looks at)"
    `);
    for (const secret of credential.secrets) expect(text).not.toContain(secret);
    expect(showCall(calls.user())).toBe('GET  /api/v4/user');
  });

  it.each([
    [{ restrict_user_defined_variables: true, ci_pipeline_variables_minimum_override_role: 'no_one_allowed' }, 'no_one_allowed'],
    [{ restrict_user_defined_variables: true, ci_pipeline_variables_minimum_override_role: 'owner' }, 'owner'],
    [{ restrict_user_defined_variables: true, ci_pipeline_variables_minimum_override_role: 'maintainer' }, 'maintainer'],
    [{ ci_pipeline_variables_minimum_override_role: 'no_one_allowed' }, 'no_one_allowed'],
    [{ restrict_user_defined_variables: true, ci_pipeline_variables_minimum_override_role: 'developer' }, undefined],
    // GitLab ignores the role then: anyone who may run a pipeline may set variables.
    [{ restrict_user_defined_variables: false, ci_pipeline_variables_minimum_override_role: 'maintainer' }, undefined],
    // GitLab before 17.1, or a user who may not see the CI/CD settings.
    [{ restrict_user_defined_variables: true }, undefined],
    [{}, undefined],
  ])('pipelineVariablesChange(%j) -> %s', (project, from) => {
    expect(pipelineVariablesChange(project)).toBe(from);
  });

  it('shellQuote quotes only what needs it', () => {
    expect(shellQuote('/tmp/a-b')).toBe('/tmp/a-b');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});

describe('git auth through the environment', () => {
  it('needs git 2.31 for GIT_CONFIG_COUNT', () => {
    expect(gitTooOld('git version 2.30.9')).toBe(true);
    expect(gitTooOld('git version 2.39.5')).toBe(false);
    expect(gitTooOld('git version 3.0.0')).toBe(false);
  });

  it('adds the header for the project URL only and clears credential helpers, keeping GIT_CONFIG_* already set', () => {
    const env = authEnv('https://gitlab.com/g/p.git', 'me', new Secret('glpat-x'), { GIT_CONFIG_COUNT: '1' });
    expect(env).toEqual({
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_1: 'http.https://gitlab.com/g/p.git.extraHeader',
      GIT_CONFIG_VALUE_1: `Authorization: Basic ${Buffer.from('me:glpat-x').toString('base64')}`,
      GIT_CONFIG_KEY_2: 'credential.helper',
      GIT_CONFIG_VALUE_2: '',
    });
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('the leak detector itself', () => {
  it('finds a secret in stderr and in .git/config', () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir, '.git'));
      writeFileSync(join(dir, '.git/config'), '[remote "origin"]\n\turl = https://oauth2:glpat-leaked@gitlab.com/g/p.git\n');
      const result = { stdout: '', stderr: 'Z2xwYXQtbGVha2Vk' } as unknown as Result;
      expect(leaks(result, dir, { token: 'glpat-leaked', 'token base64': 'Z2xwYXQtbGVha2Vk' })).toEqual([
        'token base64 in stderr',
        'token in .git/config',
      ]);
    } finally {
      removeDir(dir);
    }
  });
});
