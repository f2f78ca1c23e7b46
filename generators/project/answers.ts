/**
 * The answers that shape a generated repo: their names, flags, defaults and
 * the one validation layer that flags, answers files and prompts share.
 * Pure: no fs, no prompts.
 */
import { suggestion } from '../shared/did-you-mean.js';
import { UserError } from '../shared/errors.js';
import { DEPENDENCY_MODULES, PROJECT_MODULES, PYTHON_KEYWORDS, STDLIB_MODULES } from './python-names.js';

import { BUILDER_IDS, type Builder, GCP_AUTHS, type GcpAuth, type Platform, PLATFORM_IDS, PLATFORMS } from '../platforms/platforms.js';

export type { Builder, GcpAuth, Platform };
export const PYTHON_VERSIONS = ['3.11', '3.12', '3.13'] as const;
export type PythonVersion = (typeof PYTHON_VERSIONS)[number];

export interface Answers {
  projectName: string;
  repoName: string;
  packageName: string;
  description: string;
  author: string;
  platform: Platform;
  /** How the pipeline logs in to Artifact Registry: only on gcp (see appliesTo). */
  gcpAuth?: GcpAuth;
  registry: string;
  runnerTag: string;
  python: PythonVersion;
  builder: Builder;
}

export type AnswerKey = keyof Answers;

/** Order in which answers are asked, validated and reported. */
export const ANSWER_KEYS: readonly AnswerKey[] = [
  'projectName',
  'repoName',
  'packageName',
  'description',
  'author',
  'platform',
  'gcpAuth',
  'registry',
  'runnerTag',
  'python',
  'builder',
];

/**
 * Whether an answer belongs to a repo with the answers known before it: the
 * auth answer only to a platform whose descriptor has it. An answer that
 * does not apply is never asked, defaulted or recorded.
 */
export function appliesTo(key: AnswerKey, known: Partial<Answers>): boolean {
  if (key !== 'gcpAuth') return true;
  const platform = known.platform === undefined ? undefined : PLATFORMS[known.platform];
  return platform !== undefined && 'authAnswer' in platform && platform.authAnswer === key;
}

/**
 * Answers added after 0.1.0: absent (a command line or a record of 0.1.0),
 * each means its default, the one way 0.1.0 had (gcp logs in with a key), so
 * a run without a terminal does not call it missing.
 */
export const ADDED_AFTER_0_1: readonly AnswerKey[] = ['gcpAuth'];

/** `projectName` -> `--project-name`. */
export function flagOf(key: AnswerKey): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}


// A control character (newline, tab, escape, the C1 controls) or a line separator breaks one-line
// fields: YAML 1.1 readers (GitLab's, PyYAML in mkdocs) fold U+0085, U+2028 and U+2029 as line
// breaks and refuse the other C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Not text: a lone surrogate has no UTF-8 form (TOML refuses its escape; a file would hold U+FFFD
// instead), and YAML readers refuse U+FFFE and U+FFFF.
const NOT_TEXT = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/;

/** A value as an error message shows it: quoted, its control characters escaped, so the message stays one line. */
export function quoted(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The problem of a one-line answer that is not one line of text, if any. */
function notOneLine(label: string, value: string): string | undefined {
  if (CONTROL_CHARS.test(value)) return `${label} must be one line, without control characters`;
  if (NOT_TEXT.test(value)) return `${label} must be Unicode text (no lone surrogates, U+FFFE or U+FFFF)`;
  return undefined;
}

function freeText(label: string, max: number, { required }: { required: boolean }) {
  return (value: string): string | undefined => {
    if (required && value.trim() === '') return `${label} must not be empty`;
    if (value !== value.trim()) return `${label} must not start or end with spaces`;
    const line = notOneLine(label, value);
    if (line !== undefined) return line;
    if ([...value].length > max) return `${label} is too long (at most ${max} characters)`;
    return undefined;
  };
}

function oneOf<T extends string>(label: string, allowed: readonly T[]) {
  return (value: string): string | undefined =>
    (allowed as readonly string[]).includes(value)
      ? undefined
      : `${label} must be one of ${allowed.join(', ')}; got ${quoted(value)}${suggestion(value, allowed)}`;
}

/** Docker reference path component rules (lower case, separators . _ - between alphanumerics). */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]{1,5})?$/;

/** The registry rule: HOST/PATH (or the platform's variable, then /PATH), then the platform's own check. */
export function validateRegistry(value: string, platform: Platform): string | undefined {
  const registry = PLATFORMS[platform].registry;
  const { example } = registry;
  const what = 'registry must be HOST/PATH, e.g.';
  if (/^[a-z]+:\/\//i.test(value)) return `registry must not have a scheme (drop "${value.split('://')[0]}://"); e.g. ${example}`;
  const [host = '', ...path] = value.split('/');
  const variable = 'variable' in registry ? registry.variable : undefined;
  if (variable !== undefined && host === variable) {
    const bad = path.find((p) => !PATH_COMPONENT.test(p));
    if (bad !== undefined)
      return `registry ${variable}/PATH: ${quoted(bad)} is not a valid path part (lower-case letters, digits, and . _ - between them; no tag)`;
    return value.length > 200 ? 'registry is too long (at most 200 characters)' : undefined;
  }
  if (!HOST.test(host) || !(host.includes('.') || host.includes(':') || host === 'localhost'))
    return `${what} ${example}; ${quoted(host)} is not a registry host`;
  if (path.length === 0) return `${what} ${example}; it has no path after the host`;
  const bad = path.find((p) => !PATH_COMPONENT.test(p));
  if (bad !== undefined)
    return `${what} ${example}; ${quoted(bad)} is not a valid path part (lower-case letters, digits, and . _ - between them; no tag)`;
  if (value.length > 200) return 'registry is too long (at most 200 characters)';
  return 'check' in registry ? registry.check(host, path) : undefined;
}

type Validator = (value: string, all: Partial<Answers>) => string | undefined;

export const VALIDATORS: Record<AnswerKey, Validator> = {
  projectName: freeText('project name', 100, { required: true }),
  repoName: (v) => {
    if (!/^[a-z][a-z0-9-]*$/.test(v))
      return `repo name must start with a lower-case letter and hold only a-z, 0-9 and "-"; got ${quoted(v)}`;
    if (v.length > 72) return `repo name is too long (${v.length} characters; at most 72)`;
    if (v.endsWith('-')) return `repo name must not end with "-"; got ${quoted(v)}`;
    return undefined;
  },
  packageName: (v) => {
    if (!/^[a-z][a-z0-9_]*$/.test(v))
      return `package name must start with a lower-case letter and hold only a-z, 0-9 and "_"; got ${quoted(v)}`;
    if (v.length > 72) return `package name is too long (${v.length} characters; at most 72)`;
    if (PYTHON_KEYWORDS.has(v)) return `package name ${quoted(v)} is a Python keyword; pick another name`;
    if (PROJECT_MODULES.has(v))
      return `package name ${quoted(v)} would shadow a module the project already has in src/; pick another name`;
    if (STDLIB_MODULES.has(v)) return `package name ${quoted(v)} would shadow Python's standard module ${v}; pick another name`;
    if (DEPENDENCY_MODULES.has(v))
      return `package name ${quoted(v)} would shadow the module ${v} of a dependency (requirements.txt); pick another name`;
    return undefined;
  },
  description: freeText('description', 255, { required: false }),
  author: freeText('author', 100, { required: false }),
  platform: oneOf('platform', PLATFORM_IDS),
  gcpAuth: oneOf('gcp auth', GCP_AUTHS),
  registry: (v, all) => validateRegistry(v, all.platform ?? PLATFORM_IDS[0]!),
  runnerTag: (v) => {
    if (v.trim() === '') return 'runner tag must not be empty';
    if (v !== v.trim() || v.includes(','))
      return `runner tag must be one tag without commas or surrounding spaces; got ${quoted(v)}`;
    const line = notOneLine('runner tag', v);
    if (line !== undefined) return line;
    if (v.length > 255) return 'runner tag is too long (at most 255 characters)';
    return undefined;
  },
  python: oneOf('python', PYTHON_VERSIONS),
  builder: oneOf('builder', BUILDER_IDS),
};

/** "Fraud Model" -> "fraud-model"; never returns an invalid repo name (falls back to my-project). */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 72)
    .replace(/-+$/, '');
  return VALIDATORS.repoName(slug, {}) === undefined ? slug : 'my-project';
}

/** "fraud-model" -> "fraud_model"; keeps the result a valid package name. */
export function packageNameOf(repoName: string): string {
  const name = repoName.replace(/-/g, '_');
  return VALIDATORS.packageName(name, {}) === undefined ? name : `${name}_pkg`.replace(/^_+/, 'pkg_');
}

/** "fraud-model" -> "Fraud Model". */
export function titleOf(dirName: string): string {
  return dirName
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** The default of each answer, given the answers known so far (defaults depend on earlier answers). */
export function defaultOf(key: AnswerKey, known: Partial<Answers>, context: { dirName?: string }): string {
  switch (key) {
    case 'projectName':
      return context.dirName ? titleOf(context.dirName) || 'My Project' : 'My Project';
    case 'repoName':
      return slugify(known.projectName ?? 'My Project');
    case 'packageName':
      return packageNameOf(known.repoName ?? slugify(known.projectName ?? 'My Project'));
    case 'description':
      return '';
    case 'author':
      return '';
    case 'platform':
      return PLATFORM_IDS[0]!;
    case 'gcpAuth':
      return GCP_AUTHS[0]!;
    case 'registry':
      return PLATFORMS[known.platform ?? PLATFORM_IDS[0]!].registry.default(known.repoName ?? 'my-project');
    case 'runnerTag':
      return PLATFORMS[known.platform ?? PLATFORM_IDS[0]!].runnerTag;
    case 'python':
      return '3.12';
    case 'builder':
      return BUILDER_IDS[0]!;
  }
}

export function isPlaceholderRegistry(registry: string): boolean {
  return registry.includes('change-me');
}

/** Validate one answer against what is known; throws a UserError naming where it came from (default: its flag). */
export function checkAnswer(key: AnswerKey, value: string, known: Partial<Answers>, source = flagOf(key)): void {
  const problem = VALIDATORS[key](value, known);
  if (problem !== undefined) throw new UserError(`Invalid ${source}: ${problem}.`, { docs: key === 'registry' ? 'invalid-registry' : 'invalid-answer' });
}

/** Validate a complete set of answers, in order. */
export function checkAnswers(answers: Answers): Answers {
  for (const key of ANSWER_KEYS) {
    const value = answers[key];
    const applies = appliesTo(key, answers);
    if (applies && value === undefined) throw new UserError(`Missing answer ${flagOf(key)}.`, { docs: 'missing-answers' });
    if (!applies && value !== undefined) throw notApplicable(key, answers);
    if (value !== undefined) checkAnswer(key, value, answers);
  }
  return answers;
}

/** The platform a record names (`file` in the error), checked against the descriptors. */
export function recordedPlatform(value: unknown, file: string): Platform {
  if (typeof value !== 'string' || !(PLATFORM_IDS as readonly string[]).includes(value))
    throw new UserError(`${file} has no valid answers.platform (${PLATFORM_IDS.join(', ')}).`, { docs: 'not-a-generated-repo' });
  return value as Platform;
}

/** An answer given for a repo it does not belong to: `--gcp-auth` with `--platform onprem`. */
export function notApplicable(key: AnswerKey, known: Partial<Answers>, source = flagOf(key), { defaulted = false } = {}): UserError {
  const owners = PLATFORM_IDS.filter((p) => appliesTo(key, { platform: p }));
  return new UserError(
    `${source} applies only to ${owners.map((p) => `--platform ${p}`).join(' or ')}; this repo's platform is ${known.platform ?? PLATFORM_IDS[0]!}${defaulted ? ' (the default; pass --platform gcp)' : ''}.`,
    { docs: 'invalid-answer' },
  );
}
