// The JSON report `scripts/e2e-pipeline --report FILE` writes, read by the
// e2e tests and by `npm run bench`. Variables appear by NAME only, never a value.
import type { CriticalPath } from './critical-path.js';
import type { JobKind, PipelineKind } from './expectations.js';
import type { CredentialReach, ServiceCall } from './stand-ins.js';

export type JobStatus = 'PASS' | 'FAIL' | 'WARN';

/** The names of the variables a pipeline was given, by where they came from. */
export interface GivenVariables {
  /** Project CI/CD variables (gitlab-ci-local's variables file): a protected credential, on protected refs only. */
  project: string[];
  /** Pipeline variables (Run pipeline form, schedule): the switches. */
  pipeline: string[];
  /** Predefined variables the harness sets as GitLab would for this ref and source (and GitLab's registry login, in every job). */
  predefined: string[];
  /** The harness's own stand-ins (the local registry, buildah's storage driver, a login service's endpoints). */
  harness: string[];
  /** ID tokens (`id_tokens`), given as GitLab does to the jobs that declare them, protected ref or not. */
  idTokens: string[];
}

export interface ImageResult {
  job: string;
  image: string;
  tag: string;
  /** The registry has $IMAGE_REGISTRY/<image>:<tag> after the pipeline. */
  pushed: boolean;
  digest: string | null;
  /** The job printed the build-only line. */
  buildOnlyLine: boolean;
}

export interface CacheFingerprint {
  files: number;
  bytes: number;
  /** sha256 over every path, size and mtime */
  hash: string;
}

export interface PipelineReport {
  kind: PipelineKind;
  title: string;
  ref: string;
  source: string;
  protected: boolean;
  commit: string;
  variables: GivenVariables;
  seconds: number;
  exitCode: number;
  jobs: Record<string, { status: JobStatus; seconds: number | null }>;
  images: ImageResult[];
  criticalPath: CriticalPath;
  logLines: { job: string; what: string; found: boolean; line: string | null }[];
  /**
   * The cache before and after the pipeline, and the cache paths the uploading
   * jobs left in their checkout (none: GitLab's runner finds nothing newer to
   * archive, "Archive is up to date!").
   */
  cache?: { before: CacheFingerprint | null; after: CacheFingerprint | null; unchanged: boolean; leftToUpload: string[] };
  /** The ID token names each job that ran found in its environment (adapters/job-shell records them), by job. */
  idTokens: Record<string, string[]>;
  /** What this pipeline's instance of the login's service stand-in (Google's token endpoints) saw, when the login has one. */
  service?: { calls: ServiceCall[]; problems: string[] };
  /** What the stand-in cluster was asked (--cluster): each object applied, by the call that applied it, and the problems found. */
  cluster?: { calls: number; applied: { selector: string | null; objects: string[] }[]; problems: string[] };
}

export interface Report {
  ok: boolean;
  exitCode: number;
  seconds: number;
  repo: {
    dir: string;
    name: string;
    /** From .mlops-project.json, checked against the pipeline. */
    platform: string;
    auth: string;
    builder: string;
    /** The pipeline variant (onprem-kaniko, gitlab-buildah, ...). */
    variant: string;
    /** Who gets the registry credential (scripts/e2e/src/stand-ins.ts). */
    reach: CredentialReach;
    /** The project variables given to protected refs (a protected credential). */
    projectVariables: string[];
    /** The predefined variables given to every job of every pipeline (GitLab's registry login). */
    jobVariables: string[];
  } | null;
  /** The pipeline's jobs, as the harness classified them. */
  jobs: {
    name: string;
    kind: JobKind | 'other';
    stage: string;
    needs: string[] | null;
    switches: string[];
    imageName: string | null;
    junit: string[];
    idTokens: string[];
  }[];
  imageJobs: Record<string, string | null>;
  pipelines: Partial<Record<PipelineKind, PipelineReport>>;
  junit: { kind: PipelineKind; job: string; path: string; tests: number; failures: number; errors: number; skipped: number }[];
  digests: { kind: PipelineKind; repository: string; tag: string; digest: string }[];
  retag: { repository: string; from: string; to: string; fromDigest: string; toDigest: string | null; equal: boolean }[];
  /** Docker config files the jobs wrote with an entry for the push registry. */
  credentials: { kind: PipelineKind; file: string; value: 'full' | 'wrong' | 'differs' }[];
  /** Files of the run (logs, job output, this report) that held a secret: must stay empty. */
  secretsFound: string[];
  failures: string[];
}

export function emptyReport(): Report {
  return {
    ok: false,
    exitCode: 1,
    seconds: 0,
    repo: null,
    jobs: [],
    imageJobs: {},
    pipelines: {},
    junit: [],
    digests: [],
    retag: [],
    credentials: [],
    secretsFound: [],
    failures: [],
  };
}
