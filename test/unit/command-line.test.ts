import { describe, expect, it } from 'vitest';
import { commandLine, type RunSettings } from '../../generators/project/command-line.js';

const NO_GITLAB: RunSettings['gitlab'] = { url: undefined, project: undefined, namespace: undefined, create: false, push: false, protected: true, keepPipelineVariablesRole: false };
const run = (over: Partial<RunSettings>): RunSettings => ({ dir: undefined, answers: {}, force: false, git: true, dryRun: false, gitlab: NO_GITLAB, ...over });

describe('commandLine', () => {
  it('gives every answer as its flag, in the order they are asked, shell-quoted', () => {
    const line = commandLine('npx create-mlops-project@1.2.3', run({
      dir: 'my dir',
      answers: { builder: 'buildah', projectName: "Zoë's Model", description: '', python: '3.11' },
    }));
    expect(line).toBe(`npx create-mlops-project@1.2.3 'my dir' --project-name 'Zoë'\\''s Model' --description '' --python 3.11 --builder buildah`);
  });

  it('keeps the other flags and the GitLab step; a value starting with "-" is given with =', () => {
    const line = commandLine('cmp', run({
      dir: '-odd',
      answers: { description: '-x y' },
      force: true,
      git: false,
      dryRun: true,
      gitlab: { url: 'https://gitlab.example.com', project: 'team/churn', namespace: undefined, create: true, push: true, protected: false, keepPipelineVariablesRole: true },
    }));
    expect(line).toBe(`cmp ./-odd '--description=-x y' --force --no-git --dry-run --gitlab-url https://gitlab.example.com --gitlab-project team/churn --gitlab-create --gitlab-push --no-protected --keep-pipeline-variables-role`);
  });

  it('without a GitLab project, no GitLab flag (a --gitlab-url alone does nothing)', () => {
    expect(commandLine('cmp', run({ gitlab: { ...NO_GITLAB, url: 'https://gitlab.example.com', protected: false } }))).toBe('cmp');
  });
});
