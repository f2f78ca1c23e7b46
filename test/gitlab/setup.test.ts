/**
 * The library entry create-mlops-project calls: prepareGitLab (everything
 * local, before any file is written) and setupGitLab (the whole step), with
 * the answers given directly instead of read from a repo.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../generators/shared/errors.js';
import { prepareGitLab, setupGitLab, type GitLabSetupOptions } from '../../src/gitlab/index.js';
import { ACCESS, type FakeGitLab, startFakeGitLab } from '../support/fake-gitlab.js';
import { HARBOR_PASSWORD, HARBOR_USER, secretForms, TOKEN } from './helpers.js';

let fake: FakeGitLab;
beforeEach(async () => {
  fake = await startFakeGitLab();
  fake.addToken({ token: TOKEN, username: 'tester', scopes: ['api'] });
});
afterEach(() => fake.stop());

const answers = { platform: 'onprem' as const, registry: 'harbor.example.com/team/fraud', repoName: 'fraud' };
const base = (over: Partial<GitLabSetupOptions> = {}): GitLabSetupOptions => ({
  dir: join('/nonexistent', 'fraud'),
  answers,
  gitlabUrl: fake.url,
  project: 'team/fraud',
  interactive: false,
  env: { GITLAB_TOKEN: TOKEN, HARBOR_USERNAME: HARBOR_USER, HARBOR_PASSWORD },
  say: () => {},
  ...over,
});

describe('prepareGitLab', () => {
  it('checks everything it can without the network, before create writes a file', async () => {
    const refuse = async (over: Partial<GitLabSetupOptions>): Promise<string> => {
      const error = await prepareGitLab(base(over)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      return (error as Error).message;
    };
    expect(await refuse({ answers: { ...answers, registry: 'harbor.example.com/change-me/fraud' } })).toMatch(/^No --registry given: the credentials would be for the placeholder host harbor\.example\.com\. Pass --registry HOST\/PATH/);
    expect(await refuse({ project: undefined })).toMatch(/--gitlab-project is required/);
    expect(await refuse({ env: {} })).toMatch(/^GITLAB_TOKEN, HARBOR_USERNAME and HARBOR_PASSWORD are not set/);
    expect(await refuse({ gitlabUrl: 'http://gitlab.example.com' })).toMatch(/plain http/);
    expect(fake.requests).toEqual([]);
  });

  it('a dry-run preparation lists the calls with the created project and the push', async () => {
    const prepared = await prepareGitLab(base({ dryRun: true, env: {}, project: undefined, create: true, namespace: 'team', push: true }));
    const text = prepared.describe().join('\n');
    expect(text).toContain('GitLab ' + fake.url + ', project team/fraud');
    expect(text).toContain('GET  /api/v4/namespaces/team');
    expect(text).toContain('POST /api/v4/projects {"name":"fraud","path":"fraud","namespace_id":<id of the namespace>,"visibility":"private"}');
    expect(text).toContain('git push --set-upstream origin <current branch>');
    await expect(prepared.run()).rejects.toThrow(/after a dry-run preparation/);
    expect(fake.requests).toEqual([]);
  });
});

describe('setupGitLab', () => {
  it('sets the variable and reports what it did', async () => {
    const project = fake.addProject('team/fraud', { tester: ACCESS.maintainer });
    const lines: string[] = [];
    const result = await setupGitLab(base({ say: (line) => void lines.push(line), commandName: 'npx -p create-mlops-project mlops-project' }));
    expect(result?.variables).toEqual([{ key: 'HARBOR_ROBOT_CREDS_JSON', action: 'created' }]);
    expect(lines).toEqual(['✔ HARBOR_ROBOT_CREDS_JSON created in team/fraud (env_var, masked, protected, all environments)']);
    expect(project.variables).toHaveLength(1);
    const shown = lines.join('\n');
    for (const [name, secret] of Object.entries(secretForms())) expect(shown, name).not.toContain(secret);
  });

  it('the finishing command uses the command name create passes', async () => {
    fake.addProject('team/fraud', { tester: ACCESS.maintainer });
    fake.fault({ method: 'POST', kind: '5xx', status: 503, times: 3 });
    const error = (await setupGitLab(
      base({ dirShown: 'fraud', commandName: 'npx -p create-mlops-project mlops-project', client: { backoffMs: [1] } }),
    ).catch((e: unknown) => e)) as UserError;
    expect(error.hint?.split('\n').at(-1)).toBe(
      `  npx -p create-mlops-project mlops-project gitlab-variables --dir fraud --gitlab-url ${fake.url} --gitlab-project team/fraud`,
    );
    for (const [name, secret] of Object.entries(secretForms())) expect(`${error.message}\n${error.hint ?? ''}`, name).not.toContain(secret);
  });
});
