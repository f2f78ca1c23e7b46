import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Answers } from '../../generators/project/answers.js';
import { editOnce, renderContent, renderPath, setPythonVersion } from '../../generators/project/template.js';

const answers: Answers = {
  projectName: 'Fraud "Radar": v2 \\ ünï',
  repoName: 'fraud-radar',
  packageName: 'fraud_radar',
  description: 'Finds fraud: "fast" # not a comment',
  author: "Zoë O'Brien",
  platform: 'onprem',
  registry: 'harbor.example.com/team/fraud-radar',
  runnerTag: 'on-prem',
  python: '3.11',
  builder: 'kaniko',
};

describe('renderPath', () => {
  it.each([
    ['_gitignore', '.gitignore'],
    ['_dockerignore', '.dockerignore'],
    ['_gitlab-ci.yml', '.gitlab-ci.yml'],
    ['docs/_gitignore', 'docs/.gitignore'],
    ['src/mlops_template_pkg/serve.py', 'src/fraud_radar/serve.py'],
    ['docker/mlops-template-repo-cpu.Dockerfile', 'docker/fraud-radar-cpu.Dockerfile'],
    ['src/_private.py', 'src/_private.py'],
  ])('%s -> %s', (from, to) => {
    expect(renderPath(from, answers)).toBe(to);
  });
});

describe('renderContent keeps free text intact in every file kind', () => {
  it('YAML double-quoted strings', () => {
    const out = renderContent('mkdocs.yml', 'site_name: "MLOps Template Project"\nsite_description: "An MLOps template project."\n', answers);
    expect(parseYaml(out)).toEqual({ site_name: answers.projectName, site_description: answers.description });
  });

  it('TOML basic strings (parsed as JSON strings, the same escapes)', () => {
    const out = renderContent('pyproject.toml', 'description = "An MLOps template project."\n', answers);
    const value = out.slice('description = '.length).trim();
    expect(JSON.parse(value)).toBe(answers.description);
  });

  it('Python strings', () => {
    const out = renderContent('src/x.py', 'NAME = "MLOps Template Project"\nAUTHOR = "MLOps Template Author"\n', answers);
    expect(out).toBe(`NAME = ${JSON.stringify(answers.projectName)}\nAUTHOR = ${JSON.stringify(answers.author)}\n`);
  });

  it('Markdown as is', () => {
    expect(renderContent('README.md', '# MLOps Template Project\n', answers)).toBe(`# ${answers.projectName}\n`);
  });

  it('drops the lines of an empty description or author, and the blank line left over', () => {
    const empty = { ...answers, description: '', author: '' };
    expect(renderContent('README.md', '# MLOps Template Project\n\nAn MLOps template project.\n\nText.\n\nAuthor: MLOps Template Author\n', empty)).toBe(
      `# ${answers.projectName}\n\nText.\n`,
    );
    expect(renderContent('pyproject.toml', 'description = "An MLOps template project."\nauthors = [{ name = "MLOps Template Author" }]\nx = 1\n', empty)).toBe('x = 1\n');
  });

  it('never replaces an answer again: one that holds another sample value stays as given', () => {
    const nested = {
      ...answers,
      projectName: 'Churn An MLOps template project. by MLOps Template Author',
      description: 'About MLOps Template Project and mlops-template-repo',
      author: 'MLOps Template Project',
    };
    const out = renderContent('mkdocs.yml', 'site_name: "MLOps Template Project"\nsite_description: "An MLOps template project."\nsite_author: "MLOps Template Author"\n', nested);
    expect(parseYaml(out)).toEqual({ site_name: nested.projectName, site_description: nested.description, site_author: nested.author });
    expect(renderContent('README.md', '# MLOps Template Project\n\nAn MLOps template project.\n', nested)).toBe(`# ${nested.projectName}\n\n${nested.description}\n`);
  });

  it('identifiers everywhere', () => {
    expect(renderContent('a.sh', 'mlops-template-repo mlops_template_pkg', answers)).toBe('fraud-radar fraud_radar');
  });
});

describe('precise edits', () => {
  it('sets the Python version in the conda env and the CPU Dockerfile only', () => {
    expect(setPythonVersion('fraud-radar-conda-env.yaml', 'dependencies:\n  - python=3.12\n  - pip\n', 'fraud-radar', '3.11')).toBe(
      'dependencies:\n  - python=3.11\n  - pip\n',
    );
    expect(setPythonVersion('docker/fraud-radar-cpu.Dockerfile', 'ARG BASE_IMAGE=python:3.12-slim\nFROM ${BASE_IMAGE}\n', 'fraud-radar', '3.13')).toBe(
      'ARG BASE_IMAGE=python:3.13-slim\nFROM ${BASE_IMAGE}\n',
    );
    expect(setPythonVersion('README.md', 'python=3.12', 'fraud-radar', '3.11')).toBe('python=3.12');
  });

  it('fails loudly when the template drifted', () => {
    expect(() => editOnce('f', 'nothing here', /x=1/, 'x=2')).toThrow('template drift: expected one match of /x=1/ in f, found 0');
    expect(() => editOnce('f', 'x=1 x=1', /x=1/, 'x=2')).toThrow(/found 2/);
  });
});
