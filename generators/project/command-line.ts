/**
 * The create-mlops-project command line that gives a run's answers and
 * settings again, as flags: printed when an interactive run ends early (an
 * error, Ctrl-C, a refused check), so that a retry needs no retyping.
 * Secrets are never flags, so never in it. Pure.
 */
import { ANSWER_KEYS, type AnswerKey, flagOf } from './answers.js';
import { shellQuote } from '../shared/shell-quote.js';

/** The GitLab step's settings, from flags or from the last question. */
export interface GitLabSettings {
  url: string | undefined;
  project: string | undefined;
  namespace: string | undefined;
  create: boolean;
  push: boolean;
  protected: boolean;
  keepPipelineVariablesRole: boolean;
}

export interface RunSettings {
  dir: string | undefined;
  answers: Partial<Record<AnswerKey, string>>;
  force: boolean;
  git: boolean;
  dryRun: boolean;
  gitlab: GitLabSettings;
}

/** `command` (already quoted, e.g. `npx create-mlops-project@1.0.0`) and the flags of `run`, shell-quoted. */
export function commandLine(command: string, run: RunSettings): string {
  const { gitlab } = run;
  const wantsGitLab = gitlab.project !== undefined || gitlab.create;
  const args = [
    ...(run.dir !== undefined ? [run.dir.startsWith('-') ? `./${run.dir}` : run.dir] : []),
    ...ANSWER_KEYS.flatMap((key) => {
      const value = run.answers[key];
      // `--description=-x`: a value that starts with "-" would be read as a flag.
      return value === undefined ? [] : value.startsWith('-') ? [`${flagOf(key)}=${value}`] : [flagOf(key), value];
    }),
    ...(run.force ? ['--force'] : []),
    ...(run.git ? [] : ['--no-git']),
    ...(run.dryRun ? ['--dry-run'] : []),
    ...(wantsGitLab
      ? [
          ...(gitlab.url !== undefined ? ['--gitlab-url', gitlab.url] : []),
          ...(gitlab.project !== undefined ? ['--gitlab-project', gitlab.project] : []),
          ...(gitlab.namespace !== undefined ? ['--gitlab-namespace', gitlab.namespace] : []),
          ...(gitlab.create ? ['--gitlab-create'] : []),
          ...(gitlab.push ? ['--gitlab-push'] : []),
          ...(gitlab.protected ? [] : ['--no-protected']),
          ...(gitlab.keepPipelineVariablesRole ? ['--keep-pipeline-variables-role'] : []),
        ]
      : []),
  ];
  return [command, ...args.map(shellQuote)].join(' ');
}
