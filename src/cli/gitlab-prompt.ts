/**
 * On a terminal, after the answers: offer to set the registry credential in
 * GitLab now, so that the first pipeline passes. Loaded only on a terminal.
 * The choice becomes the same settings as --gitlab-url, --gitlab-project,
 * --gitlab-create and --gitlab-push, checked the same way.
 */
import { input, select } from '@inquirer/prompts';
import type { TroubleshootingAnchor } from '../../generators/shared/docs.js';
import { CancelledError, cancellable, UserError } from '../../generators/shared/errors.js';
import type { PreparedGitLab } from '../gitlab/index.js';
import { readSecrets, TOKEN, type Wanted } from '../gitlab/inputs.js';
import { checkGitLabUrl, DEFAULT_GITLAB_URL, resolveTarget } from '../gitlab/target.js';
import type { CreateArgs } from './create-args.js';
import { printUserError } from './run-main.js';

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
  /** The step as it is now (asked again: at the review, or after a refused check): the defaults. */
  current?: GitLabStep | undefined;
}

/** One line for the review: what the step will do. */
export function describeStep(step: GitLabStep | undefined, canPush: boolean): string {
  if (step === undefined) return 'Later';
  return step.create
    ? `new private project ${step.project} on ${step.url}${canPush ? ', then push' : ''}`
    : `project ${step.project} on ${step.url}`;
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
    default: options.current === undefined ? 'later' : options.current.create ? 'create' : 'existing',
  });
  if (choice === 'later') return undefined;
  const create = choice === 'create';
  const url = await input({
    message: 'GitLab URL',
    default: options.current?.url ?? options.gitlabUrl ?? DEFAULT_GITLAB_URL,
    validate: (value) => problemOf(() => checkGitLabUrl(value.trim(), 'the GitLab URL')),
  });
  const project = await input({
    message: create ? 'New project path (group/name, or a name for your own namespace)' : 'Project path (group/name, as in its URL)',
    ...(options.current?.project !== undefined ? { default: options.current.project } : create ? { default: options.repoName } : {}),
    validate: (value) =>
      value.trim() === ''
        ? 'give the path of the project, e.g. team/churn-model'
        : problemOf(() => resolveTarget({ project: value.trim(), namespace: undefined, create, repoName: options.repoName })),
  });
  return { url: checkGitLabUrl(url.trim(), 'the GitLab URL'), project: project.trim(), create };
}

type Settings = CreateArgs['gitlab'];

/** What to do after a refused check: ask one thing again, go on without the step, or stop. */
type Next = 'token' | 'secrets' | 'target' | 'again' | 'skip' | 'stop';

/** The questions worth asking again after each kind of refusal (by its troubleshooting section), best first. */
const ASK_AGAIN: Partial<Record<TroubleshootingAnchor, Next[]>> = {
  'gitlab-token': ['token'],
  'gitlab-project-not-found': ['target', 'token'],
  'gitlab-forbidden': ['target', 'token'],
  'gitlab-project-exists': ['target'],
  'gitlab-namespace-not-found': ['target'],
  'gitlab-flags': ['target'],
  'gitlab-unreachable': ['again', 'target'],
  credentials: ['secrets'],
};

const LABELS: Record<Exclude<Next, 'secrets'>, string> = {
  token: 'Type the GitLab token again',
  target: 'Change the GitLab project (or its URL)',
  again: 'Try again',
  skip: 'Create the repo without the GitLab step',
  stop: 'Stop here (nothing is written)',
};

export interface OnTerminalOptions {
  settings: Settings;
  /** Prepare the step with these settings and secrets, and run its read-only checks. */
  prepare: (settings: Settings, env: NodeJS.ProcessEnv) => Promise<PreparedGitLab>;
  /** What the credential of the repo's platform needs (CREDENTIAL_BUILDERS), and the choice that asks it again; undefined: nothing. */
  credential: { inputs: Wanted[]; retype: string } | undefined;
  repoName: string;
  canPush: boolean;
  /** A dry run checks nothing online and asks no secret. */
  dryRun: boolean;
  /** Told each change of the settings (for the command line printed if the run ends). */
  onChange: (settings: Settings) => void;
}

/**
 * The GitLab step on a terminal: the secrets are asked once and kept, then
 * the checks; a refused check (token, project, role, key file...) is shown
 * and the question behind it asked again, or the run goes on without the
 * step (`gitlab` undefined), or stops with that error.
 */
export async function prepareOnTerminal(options: OnTerminalOptions): Promise<{ gitlab: PreparedGitLab | undefined; settings: Settings }> {
  let settings = options.settings;
  const inputs = options.credential?.inputs ?? [];
  const wanted = [TOKEN, ...inputs];
  // Secrets typed (or taken from the environment) so far; undefined: ask again.
  const secrets: Record<string, string | undefined> = {};
  for (;;) {
    try {
      if (!options.dryRun)
        for (const [name, secret] of await readSecrets(wanted, { env: { ...process.env, ...secrets }, interactive: true }, { required: true }))
          secrets[name] = secret.reveal();
      return { gitlab: await options.prepare(settings, { ...process.env, ...secrets }), settings };
    } catch (error) {
      if (!(error instanceof UserError) || error instanceof CancelledError) throw error;
      printUserError(error);
      const next = await cancellable(
        select<Next>({
          message: 'The GitLab step cannot go on like this: what now?',
          choices: [...(ASK_AGAIN[error.docs] ?? []), 'skip' as const, 'stop' as const].map((value) => ({
            value,
            name: value === 'secrets' ? (options.credential?.retype ?? 'Type them again') : LABELS[value],
          })),
        }),
      );
      if (next === 'stop') throw error;
      if (next === 'token') secrets[TOKEN.name] = undefined;
      if (next === 'secrets') for (const item of inputs) secrets[item.name] = undefined;
      const step =
        next === 'target'
          ? await askGitLabStep({ repoName: options.repoName, canPush: options.canPush, gitlabUrl: settings.url, current: stepOf(settings, options.repoName) })
          : next === 'skip'
            ? undefined
            : stepOf(settings, options.repoName);
      if (step === undefined) return { gitlab: undefined, settings: { ...settings, project: undefined, namespace: undefined, create: false, push: false } };
      if (next === 'target') {
        settings = { ...settings, url: step.url, project: step.project, namespace: undefined, create: step.create, push: step.create && options.canPush };
        options.onChange(settings);
      }
    }
  }
}

/** The settings as the prompt's answer (its defaults when asked again); undefined: no step. */
export function stepOf(settings: Settings, repoName: string): GitLabStep | undefined {
  if (settings.project === undefined && !settings.create) return undefined;
  // A name alone is a new project in the token user's own namespace.
  const project = settings.project ?? (settings.namespace !== undefined ? `${settings.namespace}/${repoName}` : repoName);
  return { url: settings.url ?? process.env.GITLAB_URL ?? DEFAULT_GITLAB_URL, project, create: settings.create };
}
