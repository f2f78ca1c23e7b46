/** The update planner: what a three-way merge does to each file, the answers --set gives, versions. */
import { describe, expect, it } from 'vitest';
import type { Answers } from '../../generators/project/answers.js';
import { applySettings, compareVersions, parseSetting, planMerge } from '../../generators/update/plan-update.js';
import { baseImageOf } from '../../generators/update/render.js';

const tree = (files: Record<string, string>): Map<string, string> => new Map(Object.entries(files));

describe('planMerge', () => {
  it.each([
    ['the template changed it, you did not: the new one', { b: 'a', o: 'a', t: 'b' }, [{ kind: 'update', path: 'f', content: 'b' }]],
    ['you changed it, the template did not: yours', { b: 'a', o: 'x', t: 'a' }, []],
    ['both made the same change: nothing to do', { b: 'a', o: 'b', t: 'b' }, []],
    ['both changed it: a merge of the three', { b: 'a', o: 'x', t: 'b' }, [{ kind: 'merge', path: 'f', base: 'a', ours: 'x', theirs: 'b' }]],
    ['new in the template: added', { t: 'n' }, [{ kind: 'add', path: 'f', content: 'n' }]],
    ['both added it, differently: a merge without a base', { o: 'x', t: 'n' }, [{ kind: 'merge', path: 'f', base: undefined, ours: 'x', theirs: 'n' }]],
    ['you deleted it, the template changed it: stays deleted', { b: 'a', t: 'b' }, [{ kind: 'keep-deleted', path: 'f' }]],
    ['you deleted it, the template did not change it: nothing', { b: 'a', t: 'a' }, []],
    ['the template removed it, you did not change it: removed', { b: 'a', o: 'a' }, [{ kind: 'delete', path: 'f' }]],
    ['the template removed it, you changed it: yours stays', { b: 'a', o: 'x' }, [{ kind: 'keep-yours', path: 'f' }]],
    ['both removed it: nothing', { b: 'a' }, []],
  ] as const)('%s', (_, { b, o, t }: { b?: string; o?: string; t?: string }, expected) => {
    const at = (v: string | undefined): Map<string, string> => tree(v === undefined ? {} : { f: v });
    expect(planMerge(at(b), at(o), at(t))).toEqual(expected);
  });

  it("leaves your own files alone and always takes the generator's record", () => {
    const outcomes = planMerge(
      tree({ '.mlops-project.json': '{"version":"0.1.0"}' }),
      tree({ '.mlops-project.json': '{"version":"0.1.0","images":["x"]}', 'notes.md': 'mine' }),
      tree({ '.mlops-project.json': '{"version":"0.2.0","images":["x"]}' }),
    );
    expect(outcomes).toEqual([{ kind: 'update', path: '.mlops-project.json', content: '{"version":"0.2.0","images":["x"]}' }]);
  });
});

describe('--set', () => {
  const answers: Answers = {
    projectName: 'P', repoName: 'p', packageName: 'p', description: '', author: '',
    platform: 'onprem', registry: 'harbor.example.com/change-me/p', runnerTag: 'on-prem', python: '3.12', builder: 'kaniko',
  };

  it('parses KEY=VALUE, also in a flag spelling; refuses keys that would move files', () => {
    expect(parseSetting('registry=harbor.acme.io/ml/p')).toEqual(['registry', 'harbor.acme.io/ml/p']);
    expect(parseSetting('runner-tag=gpu=big')).toEqual(['runnerTag', 'gpu=big']);
    expect(() => parseSetting('registry')).toThrow(/^--set takes KEY=VALUE/);
    expect(() => parseSetting('packageName=x')).toThrow(/^--set cannot change "packageName"/);
    expect(() => parseSetting('registy=x')).toThrow(/did you mean registry\?/);
  });

  it('applies settings through the one validation layer, in answer order', () => {
    expect(applySettings(answers, new Map([['registry', 'harbor.acme.io/ml/p']]))).toEqual({ ...answers, registry: 'harbor.acme.io/ml/p' });
    expect(() => applySettings(answers, new Map([['python', '3.10']]))).toThrow(/^Invalid --set python: python must be one of/);
    // A new platform: its auth answer's default, and the registry must fit it (here it does not).
    expect(() => applySettings(answers, new Map([['platform', 'gcp']]))).toThrow(/kept from \.mlops-project\.json; --set registry=\.\.\. to change it too/);
    const gcp = applySettings(answers, new Map([['platform', 'gcp'], ['registry', 'europe-docker.pkg.dev/a/b/p']]));
    expect(gcp).toMatchObject({ platform: 'gcp', gcpAuth: 'key', registry: 'europe-docker.pkg.dev/a/b/p' });
    expect(() => applySettings(answers, new Map([['gcpAuth', 'key']]))).toThrow(/^--set gcpAuth applies only to --platform gcp/);
  });
});

describe('versions and base images', () => {
  it.each([
    ['0.1.0', '0.2.0', -1],
    ['0.2.0', '0.2.0', 0],
    ['0.10.0', '0.9.1', 1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0', '0.99.99', 1],
  ] as const)('%s vs %s: %d', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });

  it('reads the base image a Dockerfile names', () => {
    expect(baseImageOf('# x\nARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\n')).toBe('python:3.11-slim');
    expect(baseImageOf('ARG BASE_IMAGE="nvidia/cuda:12.4.1-runtime-ubuntu22.04"\n')).toBe('nvidia/cuda:12.4.1-runtime-ubuntu22.04');
    expect(baseImageOf('FROM python:3.12\n')).toBeUndefined();
    expect(baseImageOf(undefined)).toBeUndefined();
  });
});
