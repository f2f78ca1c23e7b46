/**
 * Answers files: the `--answers FILE` input (JSON or YAML) and the
 * `.mlops-project.json` record a generated repo keeps of what made it.
 */
import { ANSWER_KEYS, type AnswerKey, type Answers, quoted } from './answers.js';
import { suggestion } from '../shared/did-you-mean.js';
import { UserError } from '../shared/errors.js';
import type { ImageSpec } from '../image/images.js';

export const ANSWERS_FILE = '.mlops-project.json';
export const GENERATOR_NAME = 'create-mlops-project';

export interface ProjectRecord {
  generator: typeof GENERATOR_NAME;
  version: string;
  answers: Answers;
  images: ImageSpec[];
}

/** The keys a record may hold besides the answers themselves. */
const RECORD_KEYS = new Set(['generator', 'version', 'answers', 'images']);

/**
 * Parse an answers file: either flat answers (`{"projectName": ...}`) or a
 * whole `.mlops-project.json` record, whose `answers` are taken.
 * Values are validated later, with the flags, by the one validation layer.
 */
export async function parseAnswersFile(text: string, fileName: string): Promise<Partial<Record<AnswerKey, string>>> {
  let data: unknown;
  try {
    // JSON is YAML. The failsafe schema keeps every value a string, so `python: 3.10` stays "3.10".
    data = (await import('../shared/yaml-parse.js')).parse(text, { schema: 'failsafe' });
  } catch (error) {
    const first = String((error as Error).message).split('\n')[0];
    throw new UserError(`Cannot read answers file ${fileName}: not valid JSON or YAML (${first}).`, { docs: 'answers-file' });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new UserError(`Cannot read answers file ${fileName}: expected a map of answers, e.g. {"projectName": "My Project"}.`, { docs: 'answers-file' });
  let answers = data as Record<string, unknown>;
  if ('answers' in answers) {
    const extra = Object.keys(answers).filter((k) => !RECORD_KEYS.has(k));
    if (extra.length > 0)
      throw new UserError(
        `Unknown key in answers file ${fileName}: ${extra.map((k) => `${quoted(k).slice(1, -1)}${suggestion(k, [...RECORD_KEYS])}`).join(', ')} (allowed: ${[...RECORD_KEYS].join(', ')}).`,
        { docs: 'answers-file' },
      );
    answers = (answers.answers ?? {}) as Record<string, unknown>;
    if (typeof answers !== 'object' || Array.isArray(answers))
      throw new UserError(`Cannot read answers file ${fileName}: "answers" must be a map.`, { docs: 'answers-file' });
  }
  const result: Partial<Record<AnswerKey, string>> = {};
  for (const [key, value] of Object.entries(answers)) {
    if (!(ANSWER_KEYS as readonly string[]).includes(key))
      throw new UserError(`Unknown answer ${quoted(key)} in ${fileName}${suggestion(key, ANSWER_KEYS)} (allowed: ${ANSWER_KEYS.join(', ')}).`, { docs: 'answers-file' });
    if (typeof value !== 'string') throw new UserError(`Answer ${quoted(key)} in ${fileName} must be a string.`, { docs: 'answers-file' });
    result[key as AnswerKey] = String(value);
  }
  return result;
}

export function renderRecord(record: ProjectRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** Read a `.mlops-project.json`; `where` names the file in errors. */
export function parseRecord(text: string, where: string): ProjectRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new UserError(`${where} is not valid JSON: this does not look like a repo made by ${GENERATOR_NAME}.`, { docs: 'not-a-generated-repo' });
  }
  const record = data as Partial<ProjectRecord> | null;
  if (
    record === null ||
    typeof record !== 'object' ||
    record.generator !== GENERATOR_NAME ||
    typeof record.answers !== 'object' ||
    !Array.isArray(record.images)
  )
    throw new UserError(`${where} was not written by ${GENERATOR_NAME} (no generator, answers or images).`, { docs: 'not-a-generated-repo' });
  return record as ProjectRecord;
}
