import { describe, expect, it } from 'vitest';
import {
  type AnswerKey,
  type Answers,
  defaultOf,
  flagOf,
  packageNameOf,
  slugify,
  titleOf,
  VALIDATORS,
} from '../../generators/project/answers.js';

type Row = [key: AnswerKey, value: string, problem: RegExp | undefined, known?: Partial<Answers>];

const ok = undefined;

// Every rule, each with a value it accepts and the values it refuses.
const ROWS: Row[] = [
  ['projectName', 'My Project', ok],
  ['projectName', 'Détection de fraude: "v2" ✓', ok],
  ['projectName', '', /must not be empty/],
  ['projectName', '   ', /must not be empty/],
  ['projectName', ' padded', /must not start or end with spaces/],
  ['projectName', 'two\nlines', /one line/],
  ['projectName', 'tab\there', /one line/],
  ['projectName', 'x'.repeat(101), /too long \(at most 100/],
  ['projectName', 'é'.repeat(100), ok],
  ['projectName', 'Emoji 👩‍💻 and RTL שלום مرحبا', ok],
  // YAML 1.1 readers (GitLab's, mkdocs' PyYAML) fold U+0085, U+2028, U+2029 and refuse the other C1 controls.
  ['projectName', 'next\u0085line', /one line, without control characters/],
  ['projectName', 'c1\u009fcontrol', /one line, without control characters/],
  ['description', 'line\u2028separator', /one line, without control characters/],
  ['author', 'paragraph\u2029separator', /one line, without control characters/],
  // A lone surrogate has no UTF-8 form; YAML readers refuse U+FFFE and U+FFFF.
  ['projectName', 'lone \ud83d half', /must be Unicode text/],
  ['description', 'lone \udc00 half', /must be Unicode text/],
  ['author', 'not\uffffa character', /must be Unicode text/],
  ['repoName', 'my-project', ok],
  ['repoName', 'a', ok],
  ['repoName', 'a'.repeat(72), ok],
  ['repoName', 'a'.repeat(73), /too long \(73 characters; at most 72\)/],
  ['repoName', 'My-Project', /must start with a lower-case letter/],
  ['repoName', '1project', /must start with a lower-case letter/],
  ['repoName', 'my_project', /only a-z, 0-9 and "-"/],
  ['repoName', 'my project', /only a-z, 0-9 and "-"/],
  ['repoName', '', /must start with a lower-case letter/],
  ['repoName', 'trailing-', /must not end with "-"/],
  // A refused value is shown escaped, so the error stays one line.
  ['repoName', 'two\nlines', /got "two\\nlines"$/],
  ['repoName', 'sep\u2028x', /got "sep\\u2028x"$/],
  ['packageName', 'my_project', ok],
  ['packageName', 'match', ok],
  ['packageName', 'class', /is a Python keyword/],
  ['packageName', 'import', /is a Python keyword/],
  ['packageName', 'tests', /would shadow a module/],
  ['packageName', 'train_model', /would shadow a module/],
  ['packageName', 'tune_model', /would shadow a module/],
  // src/ is first on the path: a package named after a module the project imports replaces it.
  ['packageName', 'logging', /would shadow Python's standard module logging/],
  ['packageName', 'json', /standard module json/],
  ['packageName', 'typing', /standard module typing/],
  ['packageName', 'yaml', /would shadow the module yaml of a dependency/],
  ['packageName', 'sklearn', /of a dependency/],
  ['packageName', 'pandas', /of a dependency/],
  ['packageName', 'optuna', /of a dependency/],
  ['packageName', 'sqlalchemy', /of a dependency/],
  ['packageName', 'logging_utils', ok],
  ['packageName', 'my-project', /only a-z, 0-9 and "_"/],
  ['packageName', '_private', /must start with a lower-case letter/],
  ['packageName', 'Pkg', /must start with a lower-case letter/],
  ['packageName', 'p'.repeat(73), /too long/],
  ['description', '', ok],
  ['description', 'Says "hi": a model\\with: colons # and hashes', ok],
  ['description', 'line\r\nbreak', /one line/],
  ['description', 'd'.repeat(256), /too long \(at most 255/],
  ['author', 'Zoë O\'Brien <zoe@example.com>', ok],
  ['author', 'a'.repeat(101), /too long/],
  ['platform', 'onprem', ok],
  ['platform', 'gcp', ok],
  ['platform', 'aws', /must be one of onprem, gcp, gitlab; got "aws"$/],
  ['platform', 'gpc', /must be one of onprem, gcp, gitlab; got "gpc" \(did you mean gcp\?\)$/],
  ['platform', 'GCP', /must be one of onprem, gcp, gitlab; got "GCP" \(did you mean gcp\?\)$/],
  ['platform', 'on-prem', /got "on-prem" \(did you mean onprem\?\)$/],
  ['platform', 'on\nprem', /got "on\\nprem" \(did you mean onprem\?\)$/],
  ['platform', 'gitlab', ok],
  ['gcpAuth', 'key', ok],
  ['gcpAuth', 'workload-identity', ok],
  ['gcpAuth', 'wif', /gcp auth must be one of key, workload-identity; got "wif"$/],
  ['gcpAuth', 'Key', /got "Key" \(did you mean key\?\)$/],
  ['registry', '$CI_REGISTRY_IMAGE', ok, { platform: 'gitlab' }],
  ['registry', '$CI_REGISTRY_IMAGE/sub', ok, { platform: 'gitlab' }],
  ['registry', '$CI_REGISTRY_IMAGE/Sub', /"Sub" is not a valid path part/, { platform: 'gitlab' }],
  ['registry', 'registry.gitlab.com/group/project', ok, { platform: 'gitlab' }],
  ['registry', '$CI_REGISTRY_IMAGE', /"\$CI_REGISTRY_IMAGE" is not a registry host/, { platform: 'onprem' }],
  ['registry', 'harbor.example.com/team/my-project', ok, { platform: 'onprem' }],
  ['registry', 'registry.local:5000/team/p', ok, { platform: 'onprem' }],
  ['registry', 'localhost/p', ok, { platform: 'onprem' }],
  ['registry', 'https://harbor.example.com/team/p', /must not have a scheme/, { platform: 'onprem' }],
  ['registry', 'harbor.example.com', /no path after the host/, { platform: 'onprem' }],
  ['registry', 'harbor/team', /is not a registry host/, { platform: 'onprem' }],
  ['registry', 'harbor.example.com/Team/p', /"Team" is not a valid path part/, { platform: 'onprem' }],
  ['registry', 'harbor.example.com/team/p:latest', /"p:latest" is not a valid path part/, { platform: 'onprem' }],
  ['registry', 'harbor.example.com//p', /"" is not a valid path part/, { platform: 'onprem' }],
  ['registry', 'harbor.example.com/a\nb', /"a\\nb" is not a valid path part/, { platform: 'onprem' }],
  ['registry', 'har\tbor/p', /"har\\tbor" is not a registry host/, { platform: 'onprem' }],
  ['registry', 'asia-southeast1-docker.pkg.dev/proj/repo/my-project', ok, { platform: 'gcp' }],
  ['registry', 'asia-southeast1-docker.pkg.dev/proj/repo', ok, { platform: 'gcp' }],
  ['registry', 'harbor.example.com/team/p', /must be on Artifact Registry/, { platform: 'gcp' }],
  ['registry', 'asia-southeast1-docker.pkg.dev/proj', /needs at least PROJECT\/REPOSITORY/, { platform: 'gcp' }],
  ['runnerTag', 'on-prem', ok],
  ['runnerTag', 'gpu runner', ok],
  ['runnerTag', '', /must not be empty/],
  ['runnerTag', 'a,b', /without commas/],
  ['runnerTag', ' x', /surrounding spaces/],
  ['runnerTag', 'a\nb', /one line/],
  ['runnerTag', 'a\u0085b', /one line/],
  ['runnerTag', 'a\u2028b', /one line/],
  ['runnerTag', 'a\ud800b', /must be Unicode text/],
  ['python', '3.12', ok],
  ['python', '3.11', ok],
  ['python', '3.13', ok],
  // As near to 3.11 as to 3.12 and 3.13: no guess.
  ['python', '3.10', /must be one of 3.11, 3.12, 3.13; got "3.10"$/],
  ['python', '3.2', /got "3.2" \(did you mean 3.12\?\)$/],
  ['python', '3', /must be one of/],
  ['builder', 'kaniko', ok],
  ['builder', 'buildah', ok],
  ['builder', 'docker', /must be one of kaniko, buildah; got "docker"$/],
  ['builder', 'kanico', /must be one of kaniko, buildah; got "kanico" \(did you mean kaniko\?\)$/],
  ['builder', 'biuldah', /got "biuldah" \(did you mean buildah\?\)$/],
];

describe('answer validation', () => {
  it.each(ROWS)('%s = %j', (key, value, problem, known = {}) => {
    const result = VALIDATORS[key](value, known);
    if (problem === undefined) expect(result).toBeUndefined();
    else {
      expect(result).toMatch(problem);
      expect(result).toMatch(/^[^\n\r\u0085\u2028\u2029]*$/);
    }
  });

  it('covers every answer', () => {
    expect(new Set(ROWS.map(([key]) => key))).toEqual(new Set(Object.keys(VALIDATORS)));
  });
});

describe('derived names and defaults', () => {
  it.each([
    ['My Project', 'my-project'],
    ['Détection de Fraude!', 'detection-de-fraude'],
    ['  42 Things  ', 'things'],
    ['---', 'my-project'],
    ['日本語', 'my-project'],
    ['x'.repeat(80), 'x'.repeat(72)],
  ])('slugify(%j) = %j', (input, slug) => {
    expect(slugify(input)).toBe(slug);
    expect(VALIDATORS.repoName(slug, {})).toBeUndefined();
  });

  it.each([
    ['fraud-model', 'fraud_model'],
    ['tests', 'tests_pkg'],
    ['class', 'class_pkg'],
    ['logging', 'logging_pkg'],
    ['yaml', 'yaml_pkg'],
  ])('packageNameOf(%j) = %j', (repo, pkg) => {
    expect(packageNameOf(repo)).toBe(pkg);
    expect(VALIDATORS.packageName(pkg, {})).toBeUndefined();
  });

  it('titles a directory name', () => {
    expect(titleOf('fraud-model_v2')).toBe('Fraud Model V2');
  });

  it('derives defaults from earlier answers', () => {
    expect(defaultOf('projectName', {}, {})).toBe('My Project');
    expect(defaultOf('projectName', {}, { dirName: 'churn-model' })).toBe('Churn Model');
    expect(defaultOf('repoName', { projectName: 'Churn Model' }, {})).toBe('churn-model');
    expect(defaultOf('packageName', { repoName: 'churn-model' }, {})).toBe('churn_model');
    expect(defaultOf('runnerTag', { platform: 'gcp' }, {})).toBe('gcp');
    expect(defaultOf('runnerTag', { platform: 'onprem' }, {})).toBe('on-prem');
    expect(defaultOf('registry', { platform: 'gcp', repoName: 'x' }, {})).toMatch(/-docker\.pkg\.dev\/change-me\/change-me\/x$/);
    expect(defaultOf('registry', { platform: 'onprem', repoName: 'x' }, {})).toBe('harbor.example.com/change-me/x');
    // Defaults are valid answers.
    expect(VALIDATORS.registry(defaultOf('registry', { platform: 'gcp', repoName: 'x' }, {}), { platform: 'gcp' })).toBeUndefined();
  });

  it('names flags after answers', () => {
    expect(flagOf('projectName')).toBe('--project-name');
    expect(flagOf('runnerTag')).toBe('--runner-tag');
    expect(flagOf('python')).toBe('--python');
  });
});
