/**
 * The registry of a generated repo, where it is kept twice: the
 * `IMAGE_REGISTRY` line under the top-level `variables:` of .gitlab-ci.yml
 * (what the pipeline pushes to) and `answers.registry` in .mlops-project.json
 * (what `mlops-project gitlab-variables` writes credentials for). Pure:
 * string -> string edits that leave every other byte as it was.
 */
import type { FileChange, ReadRepoFile } from '../shared/repo-change.js';
import { checkAnswer, recordedPlatform, isPlaceholderRegistry } from './answers.js';
import { ANSWERS_FILE, parseRecord } from './answers-file.js';
import { UserError } from '../shared/errors.js';
import { yamlScalar } from './pipeline-settings.js';

export const PIPELINE_FILE = '.gitlab-ci.yml';

interface RegistryLine {
  /** Offsets of the value in the text. */
  start: number;
  end: number;
  value: string;
}

/** A YAML scalar as one line holds it: plain, "double-quoted" (JSON escapes) or 'single-quoted'. */
const SCALAR = /"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^#]*?/;
const LINE = new RegExp(`^([ \\t]+IMAGE_REGISTRY:[ \\t]+)(${SCALAR.source})[ \\t]*(?:#.*)?$`);

function unquote(scalar: string): string {
  if (scalar.startsWith('"')) return JSON.parse(scalar) as string;
  if (scalar.startsWith("'")) return scalar.slice(1, -1).replace(/''/g, "'");
  return scalar;
}

/**
 * The `IMAGE_REGISTRY: <value>` lines directly under the top-level
 * `variables:` (the first indentation level of that block).
 */
function registryLines(text: string): RegistryLine[] {
  const found: RegistryLine[] = [];
  let offset = 0;
  let inVariables = false;
  let indent: number | undefined;
  for (const line of text.split('\n')) {
    const body = line.replace(/\r$/, '');
    if (/^\S/.test(body) && !body.startsWith('#')) {
      inVariables = /^variables:[ \t]*(?:#.*)?$/.test(body);
      indent = undefined;
    } else if (inVariables && body.trim() !== '' && !body.trimStart().startsWith('#')) {
      const own = body.length - body.trimStart().length;
      indent ??= own;
      const match = own === indent ? LINE.exec(body) : null;
      if (match) {
        const start = offset + match[1]!.length;
        found.push({ start, end: start + match[2]!.length, value: unquote(match[2]!) });
      }
    }
    offset += line.length + 1;
  }
  return found;
}

/** The registry the pipeline pushes to, or undefined when .gitlab-ci.yml has no single IMAGE_REGISTRY line to read. */
export function readPipelineRegistry(text: string): string | undefined {
  const lines = registryLines(text);
  return lines.length === 1 ? lines[0]!.value : undefined;
}

/** .gitlab-ci.yml with `registry` on its IMAGE_REGISTRY line; identical bytes when it is there already. */
export function setPipelineRegistry(text: string, registry: string): string {
  const lines = registryLines(text);
  if (lines.length !== 1)
    throw new UserError(
      `${PIPELINE_FILE} has ${lines.length === 0 ? 'no' : lines.length} "IMAGE_REGISTRY: <registry>" line${lines.length > 1 ? 's' : ''} under its top-level variables: put one back (as the generator wrote it), then run again.`,
      { docs: 'set-registry' },
    );
  const line = lines[0]!;
  if (line.value === registry) return text;
  return `${text.slice(0, line.start)}${yamlScalar(registry)}${text.slice(line.end)}`;
}

/** .mlops-project.json with `registry` as answers.registry: its one "registry" line, or the record written again. */
export function setRecordRegistry(text: string, registry: string): string {
  const record = parseRecord(text, ANSWERS_FILE);
  if (record.answers.registry === registry) return text;
  const pattern = /^(\s*"registry"\s*:\s*)"(?:[^"\\]|\\.)*"/gm;
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 1) {
    const edited = text.replace(pattern, `$1${JSON.stringify(registry).replace(/\$/g, '$$$$')}`);
    if (parseRecord(edited, ANSWERS_FILE).answers.registry === registry) return edited;
  }
  const data = JSON.parse(text) as { answers: Record<string, unknown> };
  data.answers.registry = registry;
  return `${JSON.stringify(data, null, 2)}\n`;
}

export interface SetRegistryPlan {
  /** What the repo had: the record's registry, and the pipeline's when it differs. */
  from: { record: string; pipeline: string | undefined };
  registry: string;
  /** Empty when both files hold `registry` already. */
  changes: FileChange[];
}

/**
 * Set the registry of the repo `read` reads, checked as create checks
 * `--registry` for the repo's platform. Every change is computed first.
 */
export function planSetRegistry(read: ReadRepoFile, registry: string): SetRegistryPlan {
  const recordText = read(ANSWERS_FILE);
  if (recordText === undefined)
    throw new UserError(`No ${ANSWERS_FILE} here: run this in a repo made by create-mlops-project (or pass --dir).`, { docs: 'not-a-generated-repo' });
  const record = parseRecord(recordText, ANSWERS_FILE);
  const platform = recordedPlatform(record.answers.platform, ANSWERS_FILE);
  checkAnswer('registry', registry, { platform }, `registry "${registry}"`);
  if (isPlaceholderRegistry(registry))
    throw new UserError(`"${registry}" is a placeholder (it holds "change-me"): give the registry your images go to, e.g. harbor.example.com/team/${record.answers.repoName}.`, {
      docs: 'set-registry',
    });
  const pipelineText = read(PIPELINE_FILE);
  if (pipelineText === undefined)
    throw new UserError(`No ${PIPELINE_FILE} here: the registry is set in it and in ${ANSWERS_FILE}; restore it from git, then run again.`, { docs: 'set-registry' });
  const pipeline = setPipelineRegistry(pipelineText, registry);
  const answers = setRecordRegistry(recordText, registry);
  const changes: FileChange[] = [];
  if (pipeline !== pipelineText) changes.push({ path: PIPELINE_FILE, content: pipeline, created: false });
  if (answers !== recordText) changes.push({ path: ANSWERS_FILE, content: answers, created: false });
  const inPipeline = readPipelineRegistry(pipelineText);
  return { from: { record: record.answers.registry, pipeline: inPipeline === record.answers.registry ? undefined : inPipeline }, registry, changes };
}
