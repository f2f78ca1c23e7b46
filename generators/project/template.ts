/**
 * Turning template files into a generated repo's files: sample values are
 * replaced by the answers (see docs/templates.md), dotfiles renamed.
 * Pure: takes file contents, returns file contents.
 */
import type { Answers } from './answers.js';

export interface SourceFile {
  /** POSIX path relative to the template root. */
  path: string;
  content: string;
}

export const SAMPLE = {
  repoName: 'mlops-template-repo',
  packageName: 'mlops_template_pkg',
  projectName: 'MLOps Template Project',
  description: 'An MLOps template project.',
  author: 'MLOps Template Author',
} as const;

/** Template folders that drive generation but are not part of a generated repo. */
export const TEMPLATE_ONLY_DIRS = ['ci-overlays/'];

const DOTFILES: Record<string, string> = {
  _gitignore: '.gitignore',
  _dockerignore: '.dockerignore',
  '_gitlab-ci.yml': '.gitlab-ci.yml',
};

/** Files whose free text sits inside double-quoted strings and is JSON-escaped. */
const QUOTED_TEXT = /\.(py|toml|ya?ml|json)$/;

/**
 * Replace every sample value by its answer in one pass: an answer that holds
 * another sample value (a project name "Churn An MLOps template project.")
 * is never replaced again.
 */
function replaceAll(text: string, pairs: readonly (readonly [string, string])[]): string {
  const to = new Map(pairs);
  const pattern = new RegExp(pairs.map(([from]) => from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text.replace(pattern, (match) => to.get(match) ?? match);
}

export function renderPath(path: string, answers: Pick<Answers, 'repoName' | 'packageName'>): string {
  const parts = path.split('/');
  const last = parts.pop() ?? '';
  parts.push(DOTFILES[last] ?? last);
  return replaceAll(parts.join('/'), [
    [SAMPLE.repoName, answers.repoName],
    [SAMPLE.packageName, answers.packageName],
  ]);
}

/**
 * Drop every line holding `sample` (an optional answer left empty), and one
 * of the blank lines that would then stand side by side.
 */
function dropLinesWith(content: string, sample: string): string {
  if (!content.includes(sample)) return content;
  const lines = content.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!(lines[i] ?? '').includes(sample)) {
      out.push(lines[i] ?? '');
      continue;
    }
    if (out.length > 0 && out.at(-1) === '' && (lines[i + 1] ?? '') === '') i += 1;
  }
  return out.join('\n');
}

export function renderContent(path: string, content: string, answers: Answers): string {
  const text = (value: string): string => (QUOTED_TEXT.test(path) ? JSON.stringify(value).slice(1, -1) : value);
  let out = content;
  if (answers.description === '') out = dropLinesWith(out, SAMPLE.description);
  if (answers.author === '') out = dropLinesWith(out, SAMPLE.author);
  return replaceAll(out, [
    [SAMPLE.repoName, answers.repoName],
    [SAMPLE.packageName, answers.packageName],
    [SAMPLE.projectName, text(answers.projectName)],
    [SAMPLE.description, text(answers.description)],
    [SAMPLE.author, text(answers.author)],
  ]);
}

/**
 * Replace exactly one match of `pattern` in `content`, or fail loudly: an edit
 * that matches nothing means the template drifted from the generator.
 */
export function editOnce(path: string, content: string, pattern: RegExp, replacement: string): string {
  const matches = content.match(new RegExp(pattern.source, `${pattern.flags.replace('g', '')}g`)) ?? [];
  if (matches.length !== 1)
    throw new Error(`template drift: expected one match of ${String(pattern)} in ${path}, found ${matches.length}`);
  return content.replace(pattern, replacement);
}

/** Set the Python version in the files that name it (docs/templates.md). */
export function setPythonVersion(path: string, content: string, repoName: string, python: string): string {
  if (path === `${repoName}-conda-env.yaml`)
    return editOnce(path, content, /^(\s*- python)=3\.12$/m, `$1=${python}`);
  if (path === `docker/${repoName}-cpu.Dockerfile`)
    return editOnce(path, content, /^(ARG BASE_IMAGE=python:)3\.12(-slim)$/m, `$1${python}$2`);
  return content;
}
