/**
 * The GitLab step of create-mlops-project, prepared before anything is
 * written: flags, registry and secrets checked, then what only GitLab can
 * answer (the token, the project, the role) with GETs only, so a typo there
 * leaves nothing written. On a terminal a refused check asks again, or the
 * run goes on without the step. src/gitlab is loaded only here, and only
 * when the step is wanted.
 */
import { resolve } from 'node:path';
import type { Answers } from '../../generators/project/answers.js';
import { UserError } from '../../generators/shared/errors.js';
import type { PreparedGitLab } from '../gitlab/index.js';
import type { CreateArgs } from './create-args.js';

export interface GitLabStepOptions {
  /** The target directory, as the user gave it. */
  dir: string;
  answers: Answers;
  settings: CreateArgs['gitlab'];
  /** The plan makes a first commit (--gitlab-push needs one). */
  commits: boolean;
  dryRun: boolean;
  /** On a terminal: secrets are asked (even with --yes, which is about answers). */
  onTerminal: boolean;
  /** Answers are asked: a refused check asks again. */
  interactive: boolean;
  /** How the next steps name mlops-project. */
  mlopsProject: string;
  /** Told each change of the settings made on the terminal. */
  onChange: (settings: CreateArgs['gitlab']) => void;
}

/** The step ready to run after the write (undefined: none, or left out on the terminal), and the settings it ended with. */
export async function prepareGitLabStep(options: GitLabStepOptions): Promise<{ gitlab: PreparedGitLab | undefined; settings: CreateArgs['gitlab'] }> {
  const { dir, answers, dryRun } = options;
  if (options.settings.push && !options.commits)
    throw new UserError('--gitlab-push needs the first commit: drop --no-git, or generate outside an existing git work tree.', { docs: 'gitlab-push-needs-commit' });
  const { credentialInputsOf, prepareGitLab } = await import('../gitlab/index.js');
  const prepare = async (settings: CreateArgs['gitlab'], env: NodeJS.ProcessEnv): Promise<PreparedGitLab> => {
    const prepared = await prepareGitLab({
      dir: resolve(dir),
      dirShown: dir,
      answers,
      gitlabUrl: settings.url,
      project: settings.project,
      namespace: settings.namespace,
      create: settings.create,
      push: settings.push,
      protected: settings.protected,
      keepPipelineVariablesRole: settings.keepPipelineVariablesRole,
      dryRun,
      interactive: options.onTerminal,
      env,
      commandName: options.mlopsProject,
    });
    if (!dryRun) await prepared.check();
    return prepared;
  };
  if (!options.interactive) return { gitlab: await prepare(options.settings, process.env), settings: options.settings };
  const { prepareOnTerminal } = await import('./gitlab-prompt.js');
  return prepareOnTerminal({
    settings: options.settings,
    prepare,
    credential: credentialInputsOf(answers),
    repoName: answers.repoName,
    canPush: options.commits,
    dryRun,
    onChange: options.onChange,
  });
}
