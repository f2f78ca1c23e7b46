/**
 * Interactive questions over @inquirer/prompts. Loaded only on a terminal:
 * the non-interactive path never imports it.
 */
import { input, select } from '@inquirer/prompts';
import { PYTHON_VERSIONS, type AnswerKey } from '../../generators/project/answers.js';
import { authChoices, builderChoices, platformChoices } from '../../generators/platforms/variants.js';
import type { Ask } from '../../generators/project/collect.js';
import { cancellable } from '../../generators/shared/errors.js';

/** The question of each answer; also its label in the review. */
export const MESSAGES: Record<AnswerKey, string> = {
  projectName: 'Project name',
  repoName: 'Repository name (slug)',
  packageName: 'Python package name',
  description: 'One-line description',
  author: 'Author',
  platform: 'Where do images go?',
  gcpAuth: 'How do jobs log in to Artifact Registry?',
  registry: 'Image repository prefix (HOST/PATH)',
  runnerTag: 'GitLab runner tag',
  python: 'Python version',
  builder: 'Image builder in CI',
};

const CHOICES: Partial<Record<AnswerKey, { value: string; name: string; description?: string }[]>> = {
  platform: platformChoices(),
  gcpAuth: authChoices(),
  python: PYTHON_VERSIONS.map((v) => ({ value: v, name: v })),
  builder: builderChoices(),
};

export const askOnTerminal: Ask = async (question) => {
  const choices = CHOICES[question.key];
  if (choices) return cancellable(select({ message: MESSAGES[question.key], choices, default: question.default }));
  const hint = question.key === 'registry' ? ' (Enter: a placeholder to edit later)' : '';
  return cancellable(
    input({
      message: MESSAGES[question.key] + hint,
      default: question.default,
      validate: (value) => question.validate(value) ?? true,
      // Once answered, the line shows the question without the hint.
      theme: { style: { message: (text: string, status: string) => (status === 'done' ? MESSAGES[question.key] : text) } },
    }),
  );
};
