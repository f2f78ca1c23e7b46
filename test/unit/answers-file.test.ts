import { describe, expect, it } from 'vitest';
import { parseAnswersFile, parseRecord, renderRecord } from '../../generators/project/answers-file.js';

describe('parseAnswersFile', () => {
  it('reads flat JSON', async () => {
    expect(await parseAnswersFile('{"projectName": "A: \\"b\\"", "python": "3.11"}', 'a.json')).toEqual({
      projectName: 'A: "b"',
      python: '3.11',
    });
  });

  it('reads YAML, every value as its text', async () => {
    expect(await parseAnswersFile('projectName: Churn\npython: "3.12"\nrunnerTag: 42\n', 'a.yml')).toEqual({
      projectName: 'Churn',
      python: '3.12',
      runnerTag: '42',
    });
  });

  it('reads a whole .mlops-project.json record', async () => {
    const text = renderRecord({
      generator: 'create-mlops-project',
      version: '1.0.0',
      answers: {
        projectName: 'P', repoName: 'p', packageName: 'p', description: '', author: '',
        platform: 'gcp', registry: 'x-docker.pkg.dev/a/b', runnerTag: 'gcp', python: '3.12', builder: 'buildah',
      },
      images: [],
    });
    expect(await parseAnswersFile(text, '.mlops-project.json')).toMatchObject({ platform: 'gcp', builder: 'buildah' });
  });

  it.each([
    ['{"projectName": ', /not valid JSON or YAML/],
    ['[1, 2]', /expected a map of answers/],
    ['"text"', /expected a map of answers/],
    ['{"projectname": "x"}', /^Unknown answer "projectname" in f \(did you mean projectName\?\) \(allowed: projectName, repoName/],
    ['{"project-name": "x"}', /^Unknown answer "project-name" in f \(did you mean projectName\?\) \(allowed: /],
    ['{"name": "x"}', /^Unknown answer "name" in f \(allowed: /],
    ['{"projectName": ["x"]}', /Answer "projectName" in f must be a string/],
    ['{"answers": {}, "extra": 1}', /Unknown key in answers file f: extra \(allowed: /],
    ['{"answers": {}, "image": []}', /^Unknown key in answers file f: image \(did you mean images\?\) \(allowed: /],
    // A key with a newline is shown escaped: the error stays one line.
    ['{"a\\nb": "x"}', /^Unknown answer "a\\nb" in f /],
    ['{"a\\u2028b": ["x"]}', /^Unknown answer "a\\u2028b" in f /],
    ['{"answers": {}, "x\\ny": 1}', /^Unknown key in answers file f: x\\ny /],
  ])('refuses %j', async (text, problem) => {
    await expect(parseAnswersFile(text, 'f')).rejects.toThrow(problem);
    await expect(parseAnswersFile(text, 'f')).rejects.toThrow(/^[^\n\r\u2028]*$/);
  });
});

describe('parseRecord', () => {
  it('refuses files another tool wrote', () => {
    expect(() => parseRecord('{"name": "x"}', 'r/.mlops-project.json')).toThrow(/was not written by create-mlops-project/);
    expect(() => parseRecord('nope', 'r/.mlops-project.json')).toThrow(/is not valid JSON/);
  });
});

describe('values keep their text', () => {
  it('python: 3.10 stays "3.10", not 3.1', async () => {
    expect(await parseAnswersFile('python: 3.10\nrunnerTag: yes\n', 'a.yml')).toEqual({ python: '3.10', runnerTag: 'yes' });
    expect(await parseAnswersFile('{"python": 3.10}', 'a.json')).toEqual({ python: '3.10' });
  });
});
