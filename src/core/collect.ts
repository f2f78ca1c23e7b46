/**
 * Gather answers from flags, an answers file, prompts or defaults, through
 * the one validation layer. Prompts are injected (`ask`), so this is pure
 * and testable; without `ask` nothing is ever prompted.
 */
import {
  ANSWER_KEYS,
  type AnswerKey,
  type Answers,
  checkAnswer,
  defaultOf,
  flagOf,
  VALIDATORS,
} from './answers.js';
import { UserError } from './errors.js';

export interface Question {
  key: AnswerKey;
  default: string;
  /** Returns a problem to show, or undefined when the value is fine. */
  validate: (value: string) => string | undefined;
}

export type Ask = (question: Question) => Promise<string>;

export interface CollectOptions {
  /** Answers from flags and the answers file (flags win; merged by the caller). */
  given: Partial<Record<AnswerKey, string>>;
  /** --yes: take the default of every answer not given. */
  yes: boolean;
  /** Present only when prompting is possible (a TTY, no --yes). */
  ask?: Ask;
  /** Base name of the target directory, when the user named one. */
  dirName?: string;
  /** How to name where a given answer came from in an error; default its flag. */
  sourceOf?: (key: AnswerKey) => string;
}

export async function collectAnswers(options: CollectOptions): Promise<Answers> {
  const { given, yes, ask, dirName } = options;
  const sourceOf = options.sourceOf ?? flagOf;
  // Fail on a bad given answer before asking anything. The registry rule
  // depends on the platform, which may still be unknown: it is checked below.
  for (const key of ANSWER_KEYS) {
    const value = given[key];
    if (value !== undefined && key !== 'registry') checkAnswer(key, value, given as Partial<Answers>, sourceOf(key));
  }
  if (!yes && !ask) {
    const missing = ANSWER_KEYS.filter((key) => given[key] === undefined);
    if (missing.length > 0)
      throw new UserError(`Missing answers: ${missing.map(flagOf).join(', ')}.`, {
        docs: 'missing-answers',
        hint: 'There is no terminal to ask them: pass them as flags, in --answers FILE, or use --yes to take the defaults.',
      });
  }
  const known: Partial<Answers> = {};
  for (const key of ANSWER_KEYS) {
    const preset = given[key];
    const fallback = defaultOf(key, known, dirName === undefined ? {} : { dirName });
    let value: string;
    if (preset !== undefined) value = preset;
    else if (yes || !ask) value = fallback;
    else value = await ask({ key, default: fallback, validate: (v) => VALIDATORS[key](v, known) });
    checkAnswer(key, value, known, preset !== undefined ? sourceOf(key) : flagOf(key));
    (known as Record<AnswerKey, string>)[key] = value;
  }
  return known as Answers;
}
