/**
 * The end of an interactive run: the GitLab step is offered, then every
 * answer is listed for review: Enter creates the repo, or pick one answer to
 * change (asked again, then back to the list). Loaded only on a terminal.
 */
import { select } from '@inquirer/prompts';
import { authOf } from '../../generators/platforms/variants.js';
import { ANSWER_KEYS, type AnswerKey, type Answers, appliesTo, isPlaceholderRegistry } from '../../generators/project/answers.js';
import { type Ask, type CollectOptions, reviseAnswer } from '../../generators/project/collect.js';
import { cancellable } from '../../generators/shared/errors.js';
import { askGitLabStep, describeStep, type GitLabStep } from './gitlab-prompt.js';
import { MESSAGES } from './prompts.js';

export interface ReviewOptions {
  answers: Answers;
  /** The answer prompt (the same as for the first answers). */
  ask: Ask;
  /** True when an answer was asked: then the review is shown. */
  asked: boolean;
  /** Answers from flags or the answers file (they never follow a change of another). */
  given: readonly AnswerKey[];
  dirName?: string;
  check?: CollectOptions['check'];
  /** No GitLab flag was given: the step is offered (while the registry is not the placeholder, and there is a credential to set). */
  offerGitLab: boolean;
  canPush: boolean;
  gitlabUrl: string | undefined;
  /** Told every change, for the command line printed if the run ends here. */
  onChange: (answers: Answers, step: GitLabStep | undefined) => void;
}

const CREATE = 'create';
const GITLAB = 'gitlab';
const GITLAB_LABEL = 'GitLab credential';
const QUESTION = 'Create the repo with these answers?';

export async function reviewAnswers(options: ReviewOptions): Promise<{ answers: Answers; step: GitLabStep | undefined }> {
  let answers = options.answers;
  let step: GitLabStep | undefined;
  // The placeholder registry has no credential yet: no GitLab step for it.
  // Not where the jobs log in with their own credentials (gitlab): there is no credential to set.
  const offered = (): boolean => options.offerGitLab && !isPlaceholderRegistry(answers.registry) && authOf(answers).credential !== null;
  const askStep = async (): Promise<void> => {
    step = await askGitLabStep({ repoName: answers.repoName, canPush: options.canPush, gitlabUrl: options.gitlabUrl, current: step });
    options.onChange(answers, step);
  };
  if (offered()) await askStep();
  if (!options.asked && !offered()) return { answers, step };
  const width = Math.max(...ANSWER_KEYS.map((key) => MESSAGES[key].length), GITLAB_LABEL.length);
  // One screen line per choice, so that the whole list shows.
  const room = Math.max(20, (process.stdout.columns || 80) - width - 6);
  const line = (label: string, value: string): string =>
    `${label.padEnd(width)}  ${value === '' ? '(empty)' : [...value].length > room ? `${[...value].slice(0, room - 1).join('')}…` : value}`;
  for (;;) {
    if (!offered()) step = undefined;
    const choices = [
      { value: CREATE, name: 'Create the repo', short: 'Yes' },
      ...ANSWER_KEYS.filter((key) => appliesTo(key, answers)).map((key) => ({
        value: key,
        name: line(MESSAGES[key], answers[key] ?? ''),
        short: `No, change: ${MESSAGES[key]}`,
      })),
      ...(offered() ? [{ value: GITLAB, name: line(GITLAB_LABEL, describeStep(step, options.canPush)), short: `No, change: ${GITLAB_LABEL}` }] : []),
    ];
    const picked = await cancellable(
      select<string>({
        message: `${QUESTION} (or pick one to change)`,
        choices,
        default: CREATE,
        pageSize: choices.length,
        loop: false,
        // Once answered, the line shows the question without the hint.
        theme: { style: { message: (text: string, status: string) => (status === 'done' ? QUESTION : text) } },
      }),
    );
    if (picked === CREATE) return { answers, step };
    if (picked === GITLAB) await askStep();
    else {
      answers = await reviseAnswer({ answers, key: picked as AnswerKey, ask: options.ask, given: options.given, ...(options.dirName !== undefined ? { dirName: options.dirName } : {}), ...(options.check ? { check: options.check } : {}) });
      options.onChange(answers, step);
    }
  }
}
