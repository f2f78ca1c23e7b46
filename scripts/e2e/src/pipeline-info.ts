// Reads a pipeline as `gitlab-ci-local --preview` prints it (includes and
// `extends` resolved) and tells the harness what it needs to know. Jobs are
// classified by what their scripts do, not by their names, so that any
// generated repo works (either builder, images added later):
//   env    creates the conda environment for the cache (`conda env create`, or
//          `ci/conda-env.sh --for-cache`)
//   image  runs /kaniko/executor, `buildah build|bud|push` or `docker build`
//   retag  runs `crane tag|copy`, `skopeo copy`, `gcloud ... add-tag` (and is
//          not an image job)
//   pages  the job named `pages` (or one with a `pages:` keyword)
//   docs   any other job that runs `mkdocs build` (the MR docs check)
//   pytest any other job that runs pytest
//   lint   any other job that runs pylint, ruff or flake8
//   update runs ci/update-template.sh or `mlops-project update` (update:template)
//   cluster runs ci/cluster.sh (deploy:staging, deploy:production, train:cluster)
import { parse } from 'yaml';
import type { JobKind } from './expectations.js';

const RESERVED = new Set([
  'default', 'include', 'stages', 'variables', 'workflow', 'image', 'services',
  'cache', 'before_script', 'after_script', 'spec',
]);

export interface JobInfo {
  name: string;
  stage: string;
  kind: JobKind | 'other';
  /** Jobs it waits for: its `needs`, or null when it has none (then: every job of earlier stages). */
  needs: string[] | null;
  /** junit report paths */
  junit: string[];
  /** artifacts:paths */
  artifacts: string[];
  /** cache:paths (every cache entry), and whether the job uploads them (policy push or pull-push) */
  cachePaths: string[];
  cachePush: boolean;
  image: string;
  /** Its image runs scripts in busybox sh (the kaniko and crane `:debug` images). */
  busybox: boolean;
  /** before_script + script entries, as written */
  scripts: string[];
  /** IMAGE_NAME of an image job */
  imageName: string | null;
  /** BUILD_* variables its rules test, BUILD_ALL aside (an image's own switch), and TRAIN_ON_CLUSTER */
  switches: string[];
  /** The names of the ID tokens it declares (`id_tokens`), which GitLab gives it as variables. */
  idTokens: string[];
}

export interface PipelineInfo {
  jobs: JobInfo[];
  stages: string[];
  /** Top-level variables (values, descriptions dropped). */
  variables: Record<string, string>;
}

type Yaml = Record<string, unknown>;

const asList = (v: unknown): unknown[] => (v == null ? [] : Array.isArray(v) ? (v.flat(Infinity) as unknown[]) : [v]);
const str = (v: unknown): string => (v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function variableValue(v: unknown): string {
  if (v != null && typeof v === 'object' && 'value' in v) return str((v as { value: unknown }).value);
  return str(v);
}

/** Expands $VAR / ${VAR} from the given variables (unknown ones stay as written). */
export function expandVariables(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{?(\w+)\}?/g, (m, name: string) => vars[name] ?? m);
}

function classify(name: string, job: Yaml, text: string): JobKind | 'other' {
  if (/\bconda\s+(env\s+create|create)\b|conda-env\.sh\b[^\n]*--for-cache/.test(text)) return 'env';
  if (/\/kaniko\/executor|\bbuildah\s+(build|bud|push)\b|\bdocker\s+build\b/.test(text)) return 'image';
  if (/\bcrane\s+(tag|copy|cp)\b|\bskopeo\s+copy\b|\bgcloud\b.*\badd-tag\b/.test(text)) return 'retag';
  if (/\bupdate-template\.sh\b|\bmlops-project\s+update\b/.test(text)) return 'update';
  if (/\bci\/cluster\.sh\b/.test(text)) return 'cluster';
  if (name === 'pages' || job.pages != null) return 'pages';
  if (/\bmkdocs\s+build\b/.test(text)) return 'docs';
  if (/\bpytest\b/.test(text)) return 'pytest';
  if (/\b(pylint|ruff|flake8)\b/.test(text)) return 'lint';
  return 'other';
}

export function readPipeline(previewYaml: string): PipelineInfo {
  const doc = (parse(previewYaml, { merge: true }) ?? {}) as Yaml;
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries((doc.variables ?? {}) as Yaml)) variables[k] = variableValue(v);
  const stages = asList(doc.stages).map(str);
  const jobs: JobInfo[] = [];
  for (const [name, raw] of Object.entries(doc)) {
    if (RESERVED.has(name) || name.startsWith('.') || raw == null || typeof raw !== 'object') continue;
    const job = raw as Yaml;
    const scripts = [...asList(job.before_script), ...asList(job.script)].map(str);
    const text = scripts.join('\n');
    const imageRaw = job.image != null && typeof job.image === 'object' ? (job.image as Yaml).name : job.image;
    const image = expandVariables(str(imageRaw), variables);
    const artifacts = (job.artifacts ?? {}) as Yaml;
    const reports = (artifacts.reports ?? {}) as Yaml;
    const jobVars = (job.variables ?? {}) as Yaml;
    const rulesText = JSON.stringify(job.rules ?? []);
    const switches = [...new Set([...rulesText.matchAll(/\$\{?(BUILD_[A-Z0-9_]+|TRAIN_ON_CLUSTER)\}?/g)].map((m) => m[1]!))]
      .filter((v) => v !== 'BUILD_ALL' && v !== 'BUILD_CONDA');
    const caches = asList(job.cache).filter((c): c is Yaml => c != null && typeof c === 'object');
    jobs.push({
      name,
      cachePaths: caches.flatMap((c) => asList(c.paths).map(str)),
      cachePush: caches.some((c) => ['push', 'pull-push', ''].includes(str(c.policy))),
      stage: str(job.stage ?? 'test'),
      kind: classify(name, job, text),
      needs: job.needs == null ? null : asList(job.needs).map((n) => (typeof n === 'object' && n ? str((n as Yaml).job) : str(n))),
      junit: asList(reports.junit).map(str),
      artifacts: asList(artifacts.paths).map(str),
      image,
      busybox: /busybox|(kaniko|crane)[^ ]*debug/.test(image),
      scripts,
      imageName: jobVars.IMAGE_NAME == null ? null : variableValue(jobVars.IMAGE_NAME),
      switches,
      idTokens: job.id_tokens != null && typeof job.id_tokens === 'object' ? Object.keys(job.id_tokens as Yaml) : [],
    });
  }
  return { jobs, stages, variables };
}

/** Which of NAMES the jobs' scripts reference (`$NAME`, `${NAME}`, `${NAME:-...}`), in the order given. */
export function variablesReferenced(info: PipelineInfo, names: readonly string[]): string[] {
  const text = info.jobs.map((j) => j.scripts.join('\n')).join('\n');
  return names.filter((n) => new RegExp(`\\$\\{?${n}(?![A-Za-z0-9_])`).test(text));
}

export const jobsOfKind = (info: PipelineInfo, kind: JobKind): JobInfo[] => info.jobs.filter((j) => j.kind === kind);

/** The file and folder name gitlab-ci-local 4.73 uses for a job (Utils.safeDockerString). */
export function safeJobName(name: string): string {
  return name.replace(/[^\w-]+/g, (m) => Buffer.from(m).toString('base64url'));
}
