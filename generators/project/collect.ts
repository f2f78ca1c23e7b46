/**
 * Gather answers from flags, an answers file, prompts or defaults, through
 * the one validation layer. Prompts are injected (`ask`), so this is pure
 * and testable; without `ask` nothing is ever prompted.
 */
import {
  ADDED_AFTER_0_1,
  ANSWER_KEYS,
  type AnswerKey,
  appliesTo,
  type Answers,
  checkAnswer,
  defaultOf,
  flagOf,
  notApplicable,
  VALIDATORS,
} from './answers.js';
import { UserError } from '../shared/errors.js';

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
  /** A check of the shell's own, for prompts only (e.g. that the repo name's folder is free); a problem or undefined. */
  check?: (key: AnswerKey, value: string) => string | undefined;
}

/** The question for `key`, checked against the answers known before it. */
function question(key: AnswerKey, fallback: string, known: Partial<Answers>, check: CollectOptions['check']): Question {
  return { key, default: fallback, validate: (v) => VALIDATORS[key](v, known) ?? check?.(key, v) };
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
    const missing = ANSWER_KEYS.filter(
      (key) => given[key] === undefined && appliesTo(key, given as Partial<Answers>) && !ADDED_AFTER_0_1.includes(key),
    );
    if (missing.length > 0)
      throw new UserError(`Missing answers: ${missing.map(flagOf).join(', ')}.`, {
        docs: 'missing-answers',
        hint: 'There is no terminal to ask them: pass them as flags, in --answers FILE, or use --yes to take the defaults.',
      });
  }
  const known: Partial<Answers> = {};
  for (const key of ANSWER_KEYS) {
    const preset = given[key];
    if (!appliesTo(key, known)) {
      if (preset !== undefined) throw notApplicable(key, known, sourceOf(key), { defaulted: given.platform === undefined });
      continue;
    }
    const fallback = defaultOf(key, known, dirName === undefined ? {} : { dirName });
    let value: string;
    if (preset !== undefined) value = preset;
    else if (yes || !ask) value = fallback;
    else value = await ask(question(key, fallback, known, options.check));
    checkAnswer(key, value, known, preset !== undefined ? sourceOf(key) : flagOf(key));
    (known as Record<AnswerKey, string>)[key] = value;
  }
  return known as Answers;
}

export interface ReviseOptions {
  /** A complete set of answers (from collectAnswers, or a previous revision). */
  answers: Answers;
  /** The answer to ask again; its current value is the default. */
  key: AnswerKey;
  ask: Ask;
  /** Answers given as flags or in the answers file: they never follow a change. */
  given?: readonly AnswerKey[];
  dirName?: string;
  check?: CollectOptions['check'];
}

/**
 * Ask one answer again (the review at the end of an interactive run). A later
 * answer that was still its default follows the change (a new project name
 * gives a new repo name, a new platform its runner tag); one the change makes
 * invalid (a Harbor registry after picking gcp) is asked again.
 */
export async function reviseAnswer(options: ReviseOptions): Promise<Answers> {
  const { answers: before, key, ask, given = [] } = options;
  const context = options.dirName === undefined ? {} : { dirName: options.dirName };
  const known: Partial<Answers> = {};
  let reached = false;
  for (const k of ANSWER_KEYS) {
    let value = before[k];
    if (!appliesTo(k, known)) continue;
    if (value === undefined) {
      // An answer the change brought in (gcp's auth after picking gcp): asked, as it was never seen.
      value = await ask(question(k, defaultOf(k, known, context), known, options.check));
    } else if (k === key) {
      reached = true;
      value = await ask(question(k, value, known, options.check));
    } else if (reached) {
      if (!given.includes(k) && before[k] === defaultOf(k, before, context)) value = defaultOf(k, known, context);
      if ((VALIDATORS[k](value, known) ?? options.check?.(k, value)) !== undefined) value = await ask(question(k, defaultOf(k, known, context), known, options.check));
    }
    checkAnswer(k, value, known, flagOf(k));
    (known as Record<AnswerKey, string>)[k] = value;
  }
  return known as Answers;
}
