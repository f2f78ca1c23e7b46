/**
 * Checks a `.gitlab-ci.yml` the way GitLab would before running it: GitLab's
 * own JSON schema (schema/gitlab-ci.schema.json, with the Ajv options GitLab's
 * tests use), then what the schema lets through: undefined stages, `needs` on
 * missing jobs, `extends` of missing jobs, jobs without a script.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parseDocument, visit } from 'yaml';
import { referenceTag } from '../../generators/project/pipeline.js';

const GLOBAL_KEYWORDS = new Set([
  'default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache',
  'before_script', 'after_script', 'spec',
]);
const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(new URL('../../schema/gitlab-ci.schema.json', import.meta.url), 'utf8')) as object;
    const ajv = new Ajv({ strictTypes: false, strictTuples: false, allowMatchingProperties: true });
    ajv.addKeyword('markdownDescription');
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    validator = ajv.compile(schema);
  }
  return validator;
}

type Job = Record<string, unknown>;

const REFERENCE = '$reference';

/**
 * The pipeline as GitLab reads it: YAML with merge keys, and every
 * `!reference [job, key, ...]` replaced by what it names in the file as
 * written (before `extends`), nested references included; a reference
 * inside a list is spliced into it, as GitLab flattens script arrays.
 * A reference to a missing job or key is an error, as on GitLab.
 */
export function parseCi(text: string): Record<string, unknown> {
  const doc = parseDocument(text, { merge: true, customTags: [referenceTag] });
  visit(doc, {
    Seq(_, node) {
      if (node.tag !== '!reference') return undefined;
      const marker = doc.createNode({ [REFERENCE]: (node.toJSON() as unknown[]).map(String) });
      return marker;
    },
  });
  const raw = doc.toJS() as Record<string, unknown>;
  return resolveReferences(raw, raw, 0) as Record<string, unknown>;
}

function referenceOf(value: unknown): string[] | undefined {
  return isObject(value) && Object.keys(value).length === 1 && Array.isArray(value[REFERENCE]) ? (value[REFERENCE] as string[]) : undefined;
}

function resolveReferences(value: unknown, raw: Record<string, unknown>, depth: number): unknown {
  if (depth > 10) throw new Error('!reference: nested more than 10 levels');
  const path = referenceOf(value);
  if (path) {
    let target: unknown = raw;
    for (const key of path) {
      if (!isObject(target) || !(key in target)) throw new Error(`!reference [${path.join(', ')}]: "${key}" does not exist`);
      target = target[key];
    }
    return resolveReferences(target, raw, depth + 1);
  }
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      const resolved = resolveReferences(item, raw, depth);
      return referenceOf(item) && Array.isArray(resolved) ? resolved : [resolved];
    });
  }
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(v, raw, depth)]));
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** GitLab's `extends`: hashes merge deeply, everything else (arrays included) is replaced. */
function merge(base: Job, over: Job): Job {
  const out: Job = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isObject(prev) && isObject(value) ? merge(prev, value) : value;
  }
  return out;
}

export function resolveJob(ci: Record<string, unknown>, name: string, seen: string[] = []): Job {
  const job = ci[name];
  if (!isObject(job)) throw new Error(`extends: job "${seen.at(-1) ?? name}" extends "${name}", which does not exist`);
  if (seen.includes(name)) throw new Error(`extends: cycle ${[...seen, name].join(' -> ')}`);
  const parents = job.extends === undefined ? [] : Array.isArray(job.extends) ? job.extends : [job.extends];
  let resolved: Job = {};
  for (const parent of parents as string[]) resolved = merge(resolved, resolveJob(ci, parent, [...seen, name]));
  const own = { ...job };
  delete own.extends;
  return merge(resolved, own);
}

export function jobNames(ci: Record<string, unknown>): string[] {
  return Object.keys(ci).filter((k) => !GLOBAL_KEYWORDS.has(k) && !k.startsWith('.') && isObject(ci[k]));
}

export function checkPipeline(text: string): string[] {
  const problems: string[] = [];
  let ci: Record<string, unknown>;
  try {
    ci = parseCi(text);
  } catch (error) {
    return [(error as Error).message];
  }
  const validate = schemaValidator();
  if (!validate(ci)) {
    for (const error of validate.errors ?? []) problems.push(`schema: ${error.instancePath || '/'} ${error.message ?? ''}`);
  }
  const stages = Array.isArray(ci.stages) ? (ci.stages as string[]) : DEFAULT_STAGES;
  const jobs = jobNames(ci);
  for (const name of jobs) {
    let job: Job;
    try {
      job = resolveJob(ci, name);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      continue;
    }
    const stage = (job.stage as string | undefined) ?? 'test';
    if (!stages.includes(stage) && !['.pre', '.post'].includes(stage)) problems.push(`${name}: stage "${stage}" is not in stages`);
    if (job.trigger === undefined && !(Array.isArray(job.script) && job.script.length > 0) && typeof job.script !== 'string')
      problems.push(`${name}: has no script`);
    const needs = Array.isArray(job.needs) ? job.needs : [];
    for (const need of needs) {
      const target = typeof need === 'string' ? need : isObject(need) ? (need.job as string | undefined) : undefined;
      if (target !== undefined && !jobs.includes(target)) problems.push(`${name}: needs "${target}", which is not a job`);
    }
  }
  return problems;
}

/** The script lines a job runs (before_script + script), after `extends`. */
export function scriptOf(ci: Record<string, unknown>, name: string): string {
  const job = resolveJob(ci, name);
  const lines = (key: string): string[] => {
    const value = job[key];
    return Array.isArray(value) ? (value.flat(Infinity) as string[]) : typeof value === 'string' ? [value] : [];
  };
  return [...lines('before_script'), ...lines('script')].join('\n');
}
