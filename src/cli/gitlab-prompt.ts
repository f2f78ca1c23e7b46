/**
 * On a terminal, after the answers: offer to set the registry credential in
 * GitLab now, so that the first pipeline passes. Loaded only on a terminal.
 * The choice becomes the same settings as --gitlab-url, --gitlab-project,
 * --gitlab-create and --gitlab-push, checked the same way.
 */
import { input, select } from '@inquirer/prompts';
import { cancellable, UserError } from '../core/errors.js';
import { checkGitLabUrl, DEFAULT_GITLAB_URL, resolveTarget } from '../gitlab/target.js';

export interface GitLabStep {
  url: string;
  /** The project's path; for a new one, `name` alone puts it in the token user's own namespace. */
  project: string;
  create: boolean;
}

/** The message of a UserError as a prompt's validation result. */
function problemOf(check: () => unknown): true | string {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof UserError) return error.message.replace(/^--gitlab-project /, 'the project path ');
    throw error;
  }
}

interface StepOptions {
  repoName: string;
  canPush: boolean;
  gitlabUrl: string | undefined;
}

/** undefined: later (the next steps say how). */
export async function askGitLabStep(options: StepOptions): Promise<GitLabStep | undefined> {
  return cancellable(ask(options));
}

async function ask(options: StepOptions): Promise<GitLabStep | undefined> {
  const choice = await select({
    message: 'Set the registry credential in GitLab now?',
    choices: [
      { value: 'later', name: 'Later', description: 'the next steps print the command; the first pipeline needs it before the first push' },
      { value: 'existing', name: 'Yes, in an existing GitLab project', description: 'needs a GitLab token with the api scope (asked, hidden)' },
      {
        value: 'create',
        name: options.canPush ? 'Yes, in a new private GitLab project, then push' : 'Yes, in a new private GitLab project',
        description: 'needs a GitLab token with the api scope (asked, hidden)',
      },
    ],
    default: 'later',
  });
  if (choice === 'later') return undefined;
  const create = choice === 'create';
  const url = await input({
    message: 'GitLab URL',
    default: options.gitlabUrl ?? DEFAULT_GITLAB_URL,
    validate: (value) => problemOf(() => checkGitLabUrl(value.trim(), 'the GitLab URL')),
  });
  const project = await input({
    message: create ? 'New project path (group/name, or a name for your own namespace)' : 'Project path (group/name, as in its URL)',
    ...(create ? { default: options.repoName } : {}),
    validate: (value) =>
      value.trim() === ''
        ? 'give the path of the project, e.g. team/churn-model'
        : problemOf(() => resolveTarget({ project: value.trim(), namespace: undefined, create, repoName: options.repoName })),
  });
  return { url: checkGitLabUrl(url.trim(), 'the GitLab URL'), project: project.trim(), create };
}
