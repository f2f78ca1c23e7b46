/**
 * The seeded fuzz of the generator (test/cli/fuzz.test.ts, scripts/fuzz.mjs):
 * random answers, then either one user error or a repo whose every YAML,
 * TOML, JSON and Python file reads, whose pipeline passes the checks, and
 * whose files and `.mlops-project.json` hold exactly the answers given.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ANSWER_KEYS, type AnswerKey, type Answers, flagOf } from '../../generators/project/answers.js';
import { ANSWERS_FILE } from '../../generators/project/answers-file.js';
import { collectAnswers } from '../../generators/project/collect.js';
import { UserError } from '../../generators/shared/errors.js';
import { planProject } from '../../generators/project/plan.js';
import { PLATFORM_IDS } from '../../generators/platforms/platforms.js';
import { variantOf } from '../../generators/platforms/variants.js';
import type { SourceFile } from '../../generators/project/template.js';
import { readBuiltFiles, readPipeline, readTemplate } from '../../src/io/template-source.js';
import { checkPipeline } from './gitlab-ci-check.js';

// ---------------------------------------------------------------- PRNG

export type Rng = () => number;

/** mulberry32: small, fast, good enough for test data. */
export function rngOf(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each case has its own stream, so case I of seed S is reproducible alone. */
export function caseRng(seed: number, index: number): Rng {
  return rngOf(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
const chance = (rng: Rng, p: number): boolean => rng() < p;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));

// ---------------------------------------------------------------- values

/** Pieces of text that break naive YAML, TOML, JSON, Python or shell quoting. */
const NASTY = [
  '"', "'", '#', ' #', ':', ': ', '{}', '{', '}', '[]', '$', '${X}', '$(id)', '`', '\\', '\\n', '\\"', '\\u0041', '\\x41',
  'true', 'false', 'null', '~', '- x', '&a', '*a', '!tag', '%', '@', '|', '>', '?', ',', '=', '<<', '---', '...',
  'yes', 'no', 'on', 'off', 'NaN', '.inf', '0x1F', '1e3', '3.10', '"""', "'''", '<b>', '**x**', '[x](y)',
  'é', 'ñ', 'Ünïcödé', '日本語', 'Ω≈ç√', '😀', '👩‍💻', '🏳️‍🌈', 'مرحبا', 'שלום', '\u200f', '\u202e', '\u200b', '\u00a0',
  '\ufeff', '\u{10ffff}', '\ufdd0', '\u{1fffe}', '\ue000',
  'MLOps Template Project', 'An MLOps template project.', 'MLOps Template Author', 'mlops-template-repo', 'mlops_template_pkg',
  'on-prem', 'harbor.example.com/team/mlops-template-repo',
];
/**
 * Not one line of text: control characters (only a flag or a JSON file can carry them), C1 controls,
 * line separators, lone surrogates and U+FFFE/U+FFFF. Every one-line answer must refuse them.
 */
const NOT_TEXT = [
  '\n', '\t', '\r', '\r\n', '\u0007', '\u001b[31m', '\u007f', '\u0000', '\u0085', '\u0080', '\u009f', '\u2028', '\u2029',
  '\ufffe', '\uffff', '\ud83d', '\udc00',
];
const WORDS = ['Fraud', 'model', 'Churn', 'data', 'O\'Brien', 'Team "A"', 'ML', 'pipeline', 'v2', 'x'];

function freeText(rng: Rng): string {
  const roll = rng();
  if (roll < 0.05) return '';
  if (roll < 0.1) return pick(rng, NASTY);
  const parts: string[] = [];
  const n = int(rng, 1, 8);
  for (let i = 0; i < n; i += 1) {
    const r = rng();
    parts.push(r < 0.45 ? pick(rng, NASTY) : r < 0.47 ? pick(rng, NOT_TEXT) : pick(rng, WORDS));
  }
  let text = parts.join(chance(rng, 0.7) ? ' ' : '');
  // Very long text, about the limits (100 for names, 255 for the description).
  if (chance(rng, 0.08)) text = [...text.repeat(60)].slice(0, int(rng, 90, 300)).join('');
  // Mostly trimmed, as a user types it; sometimes with the spaces every answer refuses.
  if (chance(rng, 0.9)) text = text.trim();
  return text;
}

/** A name of `alphabet`, with single separators between its characters. */
function plainName(rng: Rng, alphabet: string, sep: string): string {
  const length = chance(rng, 0.05) ? int(rng, 60, 80) : int(rng, 1, 20);
  let out = pick(rng, [...'abcdefghijklmnopqrstuvwxyz']);
  for (let i = 1; i < length; i += 1)
    out += chance(rng, 0.12) && i < length - 1 && !out.endsWith(sep) ? sep : pick(rng, [...alphabet]);
  return out;
}

/** Mostly valid, sometimes not: the fuzz covers both outcomes. */
function nameLike(rng: Rng, alphabet: string, sep: string): string {
  const roll = rng();
  if (roll < 0.04) return freeText(rng);
  if (roll < 0.12)
    return pick(rng, ['mlops-template-repo', 'mlops_template_pkg', 'on-prem', 'cpu', 'gpu', 'tests', 'conftest', 'true', 'null', 'import',
      'x', 'a--b', 'a__b', 'x-', 'x_', '-x', '_x', '9x', 'X', 'a'.repeat(72), 'a'.repeat(73), 'harbor',
      // Modules a package would shadow: standard ones, dependencies, the project's own.
      'logging', 'json', 'typing', 'string', 'test', 'yaml', 'pandas', 'sklearn', 'numpy', 'fastapi', 'pydantic', 'serve', 'src']);
  return plainName(rng, alphabet, sep);
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz0123456789';

function registryFor(rng: Rng, platform: string): string {
  const roll = rng();
  if (roll < 0.04) return freeText(rng);
  if (roll < 0.12)
    return pick(rng, ['https://harbor.example.com/a/b', 'Harbor.example.com/a/b', 'harbor.example.com', 'harbor.example.com/a/b:tag',
      'harbor/a', 'localhost/a', 'localhost:5000/a/b', '127.0.0.1:5000/a', 'europe-docker.pkg.dev/p', 'x.y/' + 'a'.repeat(200),
      'harbor.example.com/a//b', 'harbor.example.com/a/-b', 'harbor.example.com/a/b/']);
  const part = (): string => (chance(rng, 0.1) ? nameLike(rng, LOWER, '-') : plainName(rng, LOWER, pick(rng, ['-', '_', '.', '__'])));
  const path = Array.from({ length: int(rng, platform === 'gcp' ? 2 : 1, 4) }, part).join('/');
  if (platform === 'gcp') return `${pick(rng, ['europe-west1', 'asia-southeast1', 'us'])}-docker.pkg.dev/${path}`;
  if (platform === 'gitlab' && chance(rng, 0.6)) return chance(rng, 0.5) ? '$CI_REGISTRY_IMAGE' : `$CI_REGISTRY_IMAGE/${path}`;
  return `${pick(rng, ['harbor.example.com', 'registry.local:5000', 'localhost:5000', 'r.io', 'a-b.c-d.example'])}/${path}`;
}

export interface FuzzCase {
  /** Answers given, by flags or the answers file; a missing key takes its default (--yes). */
  given: Partial<Record<AnswerKey, string>>;
  /** How the bin gets them. */
  via: 'flags' | 'file';
  /** Per key, for flags: `--key=value` (true) or `--key value`. */
  inline: Partial<Record<AnswerKey, boolean>>;
  /** For flags: a word after them, as from an unquoted value (`--project-name Churn Model`): always refused. */
  stray?: string;
}

export function randomCase(rng: Rng): FuzzCase {
  const given: Partial<Record<AnswerKey, string>> = {};
  const inline: Partial<Record<AnswerKey, boolean>> = {};
  const platform = chance(rng, 0.95) ? pick(rng, PLATFORM_IDS) : pick(rng, ['GCP', 'aws', '', ' onprem', 'GitLab', freeText(rng)]);
  const values: Record<AnswerKey, () => string> = {
    projectName: () => freeText(rng) || 'P',
    repoName: () => nameLike(rng, LOWER, '-'),
    packageName: () => nameLike(rng, LOWER, '_'),
    description: () => freeText(rng),
    author: () => freeText(rng),
    platform: () => platform,
    // Mostly with gcp (where it belongs); otherwise refused in one line.
    gcpAuth: () => (chance(rng, 0.9) ? pick(rng, ['key', 'workload-identity']) : pick(rng, ['wif', 'Key', ''])),
    registry: () => registryFor(rng, platform),
    runnerTag: () => (chance(rng, 0.3) ? pick(rng, ['on-prem', 'gcp', 'docker', 'gpu,cpu', 'k8s runner']) : freeText(rng)),
    python: () => (chance(rng, 0.92) ? pick(rng, ['3.11', '3.12', '3.13']) : pick(rng, ['3.10', '3.12.1', '3', ' 3.12', 'python3.12', ''])),
    builder: () => (chance(rng, 0.95) ? pick(rng, ['kaniko', 'buildah']) : pick(rng, ['docker', 'Kaniko', ''])),
  };
  for (const key of ANSWER_KEYS) {
    // The platform is given whenever the registry is, so a registry made for it meets it.
    const likely = key === 'platform' ? 0.8 : key === 'gcpAuth' ? (platform === 'gcp' ? 0.7 : 0.05) : 0.7;
    if (chance(rng, likely)) given[key] = values[key]();
    inline[key] = chance(rng, 0.5);
  }
  if (given.registry !== undefined && given.platform === undefined && platform !== 'onprem') given.platform = platform;
  const via = chance(rng, 0.5) ? 'flags' : 'file';
  const stray = via === 'flags' && chance(rng, 0.15) ? `${pick(rng, WORDS)}${pick(rng, [' ', '\n', '\t', '\r\n'])}${pick(rng, [...NASTY, ...WORDS])}` : undefined;
  return { given, via, inline, ...(stray === undefined ? {} : { stray }) };
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** What a command line can carry: no NUL, no lone surrogates (argv is UTF-8). */
export function forArgv(fuzz: FuzzCase): FuzzCase {
  const given: Partial<Record<AnswerKey, string>> = {};
  for (const [key, value] of Object.entries(fuzz.given) as [AnswerKey, string][])
    given[key] = value.replace(/\0/g, '').replace(LONE_SURROGATE, '\ufffd');
  return { ...fuzz, given };
}

/** The bin's arguments (after `out --yes --no-git`) and, for `via: 'file'`, the answers file's text. */
export function argsOf(fuzz: FuzzCase): { args: string[]; file?: string } {
  if (fuzz.via === 'file') return { args: ['--answers', 'answers.json'], file: JSON.stringify(fuzz.given, null, 2) };
  const args: string[] = [];
  for (const [key, value] of Object.entries(fuzz.given) as [AnswerKey, string][]) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (fuzz.inline[key] || value.startsWith('-')) args.push(`${flag}=${value}`);
    else args.push(flag, value);
  }
  if (fuzz.stray !== undefined) args.push(fuzz.stray);
  return { args };
}

/** A shell command line that reruns one case of a seed. */
export function reproduce(seed: number, index: number): string {
  return `npm run fuzz -- --seed ${seed} --case ${index}`;
}

// ---------------------------------------------------------------- checks

/** The user error a failed run must be: one line, an optional one-line hint. */
export function userErrorProblems(error: UserError): string[] {
  const problems: string[] = [];
  if (/[\n\r]/.test(error.message)) problems.push(`error message is not one line: ${JSON.stringify(error.message)}`);
  if (error.hint !== undefined && /[\n\r]/.test(error.hint)) problems.push(`hint is not one line: ${JSON.stringify(error.hint)}`);
  if (error.exitCode !== 1) problems.push(`exit code ${error.exitCode}`);
  return problems;
}

/** The stderr of a failed bin run: `error <line>`, an optional hint, the docs line. */
export function stderrProblems(stderr: string): string[] {
  const lines = stderr.replace(/\n$/, '').split('\n');
  const docs = lines.pop() ?? '';
  const problems: string[] = [];
  if (!/^docs: https:\/\/\S+\/troubleshooting\/#[a-z0-9-]+$/.test(docs)) problems.push(`last line is not the docs line: ${JSON.stringify(docs)}`);
  if (lines.length < 1 || lines.length > 2 || !(lines[0] ?? '').startsWith('error '))
    problems.push(`expected one error line and an optional hint, got ${JSON.stringify(lines)}`);
  return problems;
}

let templateCache: SourceFile[] | undefined;
let builtCache: SourceFile[] | undefined;
const pipelineCache = new Map<string, string>();

/** The inputs of planProject, read once. */
export function planInputs(answers: Answers): { template: SourceFile[]; built: SourceFile[]; pipeline: string } {
  templateCache ??= readTemplate();
  builtCache ??= readBuiltFiles();
  const variant = variantOf(answers).id;
  if (!pipelineCache.has(variant)) pipelineCache.set(variant, readPipeline(variant));
  return { template: templateCache, built: builtCache, pipeline: pipelineCache.get(variant)! };
}

/** The answers the core makes of a case (given + defaults), or the UserError it refuses it with. */
export async function collect(fuzz: FuzzCase, dirName: string): Promise<Answers | UserError> {
  try {
    // Named as the bin names them: the flag, or the key in the answers file.
    const sourceOf = (key: AnswerKey): string => (fuzz.via === 'file' ? `"${key}" in answers.json` : flagOf(key));
    return await collectAnswers({ given: fuzz.given, yes: true, dirName, sourceOf });
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
}

export function plan(answers: Answers): Record<string, string> {
  const files = planProject({ dir: 'out', answers, ...planInputs(answers), version: '0.0.0-fuzz', git: false }).files;
  return Object.fromEntries(files.map((f) => [f.path, f.content]));
}

/** The checks that need no Python: JSON, YAML (yaml, YAML 1.2), the pipeline, the record. */
export function jsProblems(files: Record<string, string>, answers: Answers, given: FuzzCase['given']): string[] {
  const problems: string[] = [];
  for (const [path, content] of Object.entries(files)) {
    try {
      if (path.endsWith('.json')) JSON.parse(content);
      else if (/\.ya?ml$/.test(path) && path !== '.gitlab-ci.yml') parseYaml(content, { uniqueKeys: true });
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  try {
    problems.push(...checkPipeline(files['.gitlab-ci.yml'] ?? '').map((p) => `.gitlab-ci.yml: ${p}`));
  } catch (error) {
    problems.push(`.gitlab-ci.yml: ${(error as Error).message.split('\n')[0]}`);
  }
  const record = JSON.parse(files[ANSWERS_FILE] ?? '{}') as { answers?: Record<string, string> };
  for (const key of ANSWER_KEYS) {
    const wanted = given[key] ?? answers[key];
    if (record.answers?.[key] !== wanted)
      problems.push(`${ANSWERS_FILE}: answers.${key} is ${JSON.stringify(record.answers?.[key])}, given ${JSON.stringify(wanted)}`);
  }
  return problems;
}

const PYTHON_READ = /\.(py|toml|ya?ml)$/;

/** Write the files Python must read under `dir` (a plan's, for in-process cases). */
export function writeForPython(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    if (!PYTHON_READ.test(path)) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

interface PythonReport {
  problems: string[];
  values: {
    pyproject?: { name: string; description?: string; authors?: { name: string }[] };
    mkdocs?: { site_name?: string; site_description?: string; site_author?: string };
    gitlab?: { tags: string[]; registry: string };
  };
}

const CHECKER = new URL('./check_files.py', import.meta.url).pathname;

/** One Python process for many repos: py_compile, tomllib and PyYAML, and the values they read. */
export function pythonReports(dirs: string[]): Record<string, PythonReport> {
  if (dirs.length === 0) return {};
  const out = execFileSync('/usr/bin/python3', [CHECKER], { input: JSON.stringify(dirs), maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(out.toString('utf8')) as Record<string, PythonReport>;
}

/** The import names of what a repo's requirements install, as installed on this machine. */
export function installedDependencyModules(repo: string): string[] {
  return JSON.parse(execFileSync('/usr/bin/python3', [CHECKER, '--dependency-modules', repo]).toString('utf8')) as string[];
}

/** Problems of one repo's Python report: files that did not read, values that are not the answers. */
export function pythonProblems(report: PythonReport | undefined, answers: Answers): string[] {
  if (!report) return ['no report from the Python checker'];
  const problems = [...report.problems];
  const expect = (what: string, got: unknown, wanted: unknown): void => {
    if (JSON.stringify(got) !== JSON.stringify(wanted)) problems.push(`${what} is ${JSON.stringify(got)}, expected ${JSON.stringify(wanted)}`);
  };
  const { pyproject, mkdocs, gitlab } = report.values;
  if (report.problems.length > 0) return problems;
  expect('pyproject.toml project.name', pyproject?.name, answers.repoName);
  expect('pyproject.toml project.description', pyproject?.description ?? undefined, answers.description || undefined);
  expect('pyproject.toml project.authors', pyproject?.authors ?? undefined, answers.author ? [{ name: answers.author }] : undefined);
  expect('mkdocs.yml site_name', mkdocs?.site_name, answers.projectName);
  expect('mkdocs.yml site_description', mkdocs?.site_description ?? undefined, answers.description || undefined);
  expect('mkdocs.yml site_author', mkdocs?.site_author ?? undefined, answers.author || undefined);
  expect('.gitlab-ci.yml default.tags', gitlab?.tags, [answers.runnerTag]);
  expect('.gitlab-ci.yml variables.IMAGE_REGISTRY', gitlab?.registry, answers.registry);
  return problems;
}

/** Every file under `dir`, for "nothing written". */
export function entriesOf(dir: string): string[] {
  return readdirSync(dir).sort();
}
