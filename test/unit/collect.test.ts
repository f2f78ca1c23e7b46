import { describe, expect, it } from 'vitest';
import type { Answers } from '../../generators/project/answers.js';
import { collectAnswers, type Question, reviseAnswer } from '../../generators/project/collect.js';
import { UserError } from '../../generators/shared/errors.js';

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

  it('a shell check (the repo name\'s folder) refuses at the prompt, with the rules', async () => {
    const questions: Question[] = [];
    const ask = async (q: Question): Promise<string> => {
      questions.push(q);
      return q.default;
    };
    await collectAnswers({ given: {}, yes: false, ask, check: (key, value) => (key === 'repoName' && value === 'taken' ? 'folder taken is not empty' : undefined) });
    const repoName = questions.find((q) => q.key === 'repoName')!;
    expect(repoName.validate('taken')).toBe('folder taken is not empty');
    expect(repoName.validate('Bad')).toMatch(/lower-case letter/);
    expect(repoName.validate('free')).toBeUndefined();
  });
});

describe('reviseAnswer (the review)', () => {
  const TYPED: Answers = {
    projectName: 'Churn Model',
    repoName: 'churn-model',
    packageName: 'churn_model',
    description: '',
    author: 'Ada',
    platform: 'onprem',
    registry: 'harbor.example.com/change-me/churn-model',
    runnerTag: 'on-prem',
    python: '3.12',
    builder: 'kaniko',
  };

  /** An ask that answers `replies` by key (else the default) and records each question. */
  function asker(replies: Partial<Record<keyof Answers, string>>) {
    const asked: Question[] = [];
    const ask = async (q: Question): Promise<string> => {
      asked.push(q);
      return replies[q.key] ?? q.default;
    };
    return { asked, ask };
  }

  it('asks that answer, with its current value as the default, and keeps the others', async () => {
    const { asked, ask } = asker({ builder: 'buildah' });
    const answers = await reviseAnswer({ answers: TYPED, key: 'builder', ask });
    expect(asked.map((q) => [q.key, q.default])).toEqual([['builder', 'kaniko']]);
    expect(answers).toEqual({ ...TYPED, builder: 'buildah' });
  });

  it('later answers that were their defaults follow the change; given ones and changed ones do not', async () => {
    const { asked, ask } = asker({ projectName: 'Fraud Model' });
    expect(await reviseAnswer({ answers: TYPED, key: 'projectName', ask })).toEqual({
      ...TYPED,
      projectName: 'Fraud Model',
      repoName: 'fraud-model',
      packageName: 'fraud_model',
      registry: 'harbor.example.com/change-me/fraud-model',
    });
    expect(asked.map((q) => q.key)).toEqual(['projectName']);
    // Given as a flag: the repo name stays.
    const given = await reviseAnswer({ answers: TYPED, key: 'projectName', ask, given: ['repoName'] });
    expect(given.repoName).toBe('churn-model');
    expect(given.packageName).toBe('churn_model');
  });

  it('a later answer the change makes invalid is asked again (a Harbor registry after picking gcp)', async () => {
    const own = { ...TYPED, registry: 'harbor.example.com/ml/churn-model', runnerTag: 'big-runner' };
    const { asked, ask } = asker({ platform: 'gcp', registry: 'europe-west4-docker.pkg.dev/p/r/churn' });
    const answers = await reviseAnswer({ answers: own, key: 'platform', ask, given: ['registry'] });
    // gcp's auth answer is new to this repo: asked, with its default.
    expect(asked.map((q) => q.key)).toEqual(['platform', 'gcpAuth', 'registry']);
    expect(asked[1]?.default).toBe('key');
    // Asked with the default of the new platform, and checked against it.
    expect(asked[2]?.default).toBe('asia-southeast1-docker.pkg.dev/change-me/change-me/churn-model');
    expect(asked[2]?.validate('harbor.example.com/ml/x')).toMatch(/Artifact Registry/);
    expect(answers).toEqual({ ...own, platform: 'gcp', gcpAuth: 'key', registry: 'europe-west4-docker.pkg.dev/p/r/churn' });
  });

  it('a placeholder registry and a default runner tag follow the platform without a question', async () => {
    const { asked, ask } = asker({ platform: 'gcp' });
    const answers = await reviseAnswer({ answers: TYPED, key: 'platform', ask });
    expect(asked.map((q) => q.key)).toEqual(['platform', 'gcpAuth']);
    expect(answers.registry).toBe('asia-southeast1-docker.pkg.dev/change-me/change-me/churn-model');
    expect(answers.runnerTag).toBe('gcp');
  });

  it('a followed answer the shell check refuses is asked again', async () => {
    const { asked, ask } = asker({ projectName: 'Taken', repoName: 'free' });
    const answers = await reviseAnswer({ answers: TYPED, key: 'projectName', ask, check: (key, value) => (key === 'repoName' && value === 'taken' ? 'in the way' : undefined) });
    expect(asked.map((q) => [q.key, q.default])).toEqual([['projectName', 'Churn Model'], ['repoName', 'taken']]);
    expect(answers.repoName).toBe('free');
    expect(answers.packageName).toBe('free');
  });
});
