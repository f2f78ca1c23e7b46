import { describe, expect, it } from 'vitest';
import { collectAnswers, type Question } from '../../src/core/collect.js';
import { UserError } from '../../src/core/errors.js';

describe('collectAnswers', () => {
  it('--yes takes every default', async () => {
    const answers = await collectAnswers({ given: {}, yes: true });
    expect(answers).toEqual({
      projectName: 'My Project',
      repoName: 'my-project',
      packageName: 'my_project',
      description: '',
      author: '',
      platform: 'onprem',
      registry: 'harbor.example.com/change-me/my-project',
      runnerTag: 'on-prem',
      python: '3.12',
      builder: 'kaniko',
    });
  });

  it('derives later defaults from given answers', async () => {
    const answers = await collectAnswers({ given: { projectName: 'Churn Model', platform: 'gcp' }, yes: true });
    expect(answers.repoName).toBe('churn-model');
    expect(answers.packageName).toBe('churn_model');
    expect(answers.runnerTag).toBe('gcp');
    expect(answers.registry).toContain('-docker.pkg.dev/');
  });

  it('without a terminal and without --yes, names every missing answer', async () => {
    const error = await collectAnswers({ given: { projectName: 'X' }, yes: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'Missing answers: --repo-name, --package-name, --description, --author, --platform, --registry, --runner-tag, --python, --builder.',
    );
  });

  it('a bad given answer fails before anything is asked', async () => {
    const asked: string[] = [];
    const ask = async (q: Question): Promise<string> => {
      asked.push(q.key);
      return q.default;
    };
    await expect(collectAnswers({ given: { builder: 'docker' }, yes: false, ask })).rejects.toThrow(
      'Invalid --builder: builder must be one of kaniko, buildah; got "docker".',
    );
    expect(asked).toEqual([]);
  });

  it('checks the registry against the platform, whichever order they come in', async () => {
    await expect(
      collectAnswers({ given: { platform: 'gcp', registry: 'harbor.example.com/team/p' }, yes: true }),
    ).rejects.toThrow(/Invalid --registry: registry for gcp must be on Artifact Registry/);
  });

  it('asks only what is not given, with defaults and the shared validation', async () => {
    const questions: Question[] = [];
    const ask = async (q: Question): Promise<string> => {
      questions.push(q);
      return q.key === 'projectName' ? 'Fraud Model' : q.default;
    };
    const answers = await collectAnswers({ given: { platform: 'gcp' }, yes: false, ask });
    expect(questions.map((q) => q.key)).not.toContain('platform');
    expect(questions.find((q) => q.key === 'repoName')?.default).toBe('fraud-model');
    expect(questions.find((q) => q.key === 'repoName')?.validate('Bad Name')).toMatch(/lower-case letter/);
    expect(questions.find((q) => q.key === 'registry')?.validate('harbor.example.com/x')).toMatch(/Artifact Registry/);
    expect(answers.runnerTag).toBe('gcp');
  });

  it('refuses an answer the prompt returned that the rules refuse', async () => {
    const ask = async (q: Question): Promise<string> => (q.key === 'python' ? '2.7' : q.default);
    await expect(collectAnswers({ given: {}, yes: false, ask })).rejects.toThrow(/Invalid --python/);
  });
});
