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

/** One command of the images' chain (scripts/e2e/src/run-images.ts), in a buildah working container. */
export interface ImageRunStep {
  image: 'cpu' | 'gpu';
  step: string;
  /** As run: the image's ENTRYPOINT, then the arguments given or its CMD. */
  command: string[];
  /** The folders mounted into the container (their paths inside it). */
  mounts: string[];
  exitCode: number | null;
  seconds: number;
  ok: boolean;
  /** Its output, relative to the run folder (kept with --keep). */
  log: string;
}

/**
 * The built images RUN: after the push pipeline, the cpu and gpu images
 * pulled by the digests it pushed, then cpu `python src/process_data.py` ->
 * gpu's default command (training) -> cpu's default command (the service),
 * probed from inside a private network namespace. `notProven` says what this
 * does not show (no GPU, chroot isolation, the stand-in base image).
 */
export interface ImageRunReport {
  ok: boolean;
  seconds: number;
  images: {
    role: 'cpu' | 'gpu';
    /** REGISTRY/PATH/NAME@sha256:... as pulled. */
    reference: string;
    tag: string;
    pushedDigest: string;
    /** buildah's FromImageDigest of the pulled image. */
    pulledDigest: string | null;
    /** sha256 of the manifest as stored by the pull, computed by the harness. */
    manifestDigest: string | null;
    equal: boolean;
    pullSeconds: number;
    /** From the image config. */
    user: string;
    workingDir: string;
    cmd: string[];
    entrypoint: string[];
  }[];
  steps: ImageRunStep[];
  /** The files the cpu image's data step wrote into the mounted data folder. */
  data: string[];
  /** The model the gpu image's training wrote (at the cpu image's MODEL_PATH), and its owner on the host. */
  model: { path: string; bytes: number; uid: number; gid: number } | null;
  /** The metrics file training wrote next to it. */
  metrics: Record<string, unknown> | null;
  server: {
    command: string[];
    port: number;
    /** Its network namespace was not the harness's (0.0.0.0 there is reachable only from inside it). */
    privateNetwork: boolean;
    readySeconds: number | null;
    health: { status: number; body: unknown } | null;
    predict: { status: number; body: unknown } | null;
    /** It was still running and was stopped by its pid (false: it had exited by itself). */
    stopped: boolean;
    /** Processes in its network namespace after it was stopped by its pid. */
    processesLeft: number;
  } | null;
  /** Working containers left after the removal (must be none). */
  containersLeft: string[];
  failures: string[];
  notProven: string[];
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
  /** The images' chain after the push pipeline (run-images.ts); null when it did not run (imageRunSkipped says why). */
  imageRun: ImageRunReport | null;
  /** Why the chain did not run (no push pipeline, or not green; --job; --no-image-run), or null. */
  imageRunSkipped: string | null;
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
    imageRun: null,
    imageRunSkipped: null,
    credentials: [],
    secretsFound: [],
    failures: [],
  };
}
