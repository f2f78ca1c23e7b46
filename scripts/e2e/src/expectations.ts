// THE table of pipeline kinds the e2e harness runs and what each must show.
// scripts/e2e-pipeline (main.ts) runs and checks them from this table, and the
// e2e tests (test/e2e/harness.ts) check the harness's report against the same
// table: one description of what GitLab does with the generated pipeline.
//
// Jobs are named by their kind (pipeline-info.ts classifies them by what their
// scripts do), so the table holds for any generated repo: either builder,
// either platform, images added later.

/** What a job does (pipeline-info.ts): env = creates the environment, image = builds an image, ... */
export type JobKind = 'env' | 'test' | 'docs' | 'image' | 'retag' | 'pages';

export const PIPELINE_KINDS = [
  'push',
  'tag',
  'mr-docs',
  'mr-src',
  'web',
  'schedule',
  'web-no-build',
  'cold',
  'push-warm',
] as const;
export type PipelineKind = (typeof PIPELINE_KINDS)[number];

/** What the image jobs of a pipeline must do. */
export type ImageExpectation =
  /** every image job runs and pushes $IMAGE_REGISTRY/<name>:<short sha> */
  | { mode: 'push' }
  /** every image job runs, prints the build-only line, and the registry has no tag for the commit */
  | { mode: 'build-only' }
  /** no image job runs */
  | { mode: 'none' }
  /** only the image jobs whose rules name SWITCH run, and push; the others do not run */
  | { mode: 'switch'; switch: string };

/** The ref a pipeline runs for. `branch` and `mergeRequest` name a feature branch. */
export type PipelineRef =
  | { type: 'default-branch' }
  | { type: 'branch'; name: string }
  | { type: 'merge-request'; name: string }
  | { type: 'tag'; name: string };

/** A commit the pipeline's ref adds on top of the default branch's. */
export type Change = 'docs' | 'src' | 'readme';

export interface PipelineSpec {
  title: string;
  ref: PipelineRef;
  /** CI_PIPELINE_SOURCE */
  source: 'push' | 'merge_request_event' | 'web' | 'schedule';
  change?: Change;
  /** Pipeline variables (the Run pipeline form, a schedule's variables). */
  variables: Record<string, string>;
  /**
   * A protected ref (the default branch, v* tags): CI_COMMIT_REF_PROTECTED=true and the
   * protected credential variable is given. Otherwise neither (MR and feature-branch pipelines).
   */
  protected: boolean;
  /** Run only these job kinds (gitlab-ci-local JOB...), their needs not run: the `cold` runner case. */
  onlyJobs?: { kind: JobKind; junit?: boolean };
  /** Runs in the clone (and so on the cache) of that pipeline, after it: the warm run of `push`. */
  sameCloneAs?: PipelineKind;
  /** Runs after these pipelines have finished (it reads what they pushed, or their cache). */
  after: PipelineKind[];
  /** Every job of these kinds runs and passes. */
  run: JobKind[];
  /** No job of these kinds runs. */
  notRun: JobKind[];
  images: ImageExpectation;
  /** The retag job's tag must point at the digests the push pipeline pushed. */
  retag?: boolean;
  /** Lines the jobs of a kind must print (the conda-env and image-build lines of the pipeline). */
  logLines?: { kind: JobKind; line: RegExp; what: string }[];
  /** The cache folder must be the same before and after this pipeline (nothing uploaded). */
  cacheUnchanged?: boolean;
}

/** The line ci/conda-env.sh prints when it reuses the environment from the cache. */
export const ENV_REUSED = /conda-env: reusing the environment from the cache/;
/** The line ci/conda-env.sh prints when it creates the environment. */
export const ENV_CREATED = /conda-env: creating the environment in /;
/** The line ci/conda-env.sh --for-cache prints when the cache has nothing new. */
export const ENV_UNCHANGED = /conda-env: unchanged: nothing for the cache to upload/;
/** The line an image job prints when it builds without pushing. */
export const BUILD_ONLY = /image-build: build only, nothing is pushed \(/;

export const PIPELINES: Record<PipelineKind, PipelineSpec> = {
  push: {
    title: 'push to the default branch',
    ref: { type: 'default-branch' },
    source: 'push',
    variables: {},
    protected: true,
    after: [],
    run: ['env', 'test', 'image', 'pages'],
    notRun: ['retag', 'docs'],
    images: { mode: 'push' },
  },
  tag: {
    title: 'tag v0.1.0 (CI_COMMIT_BRANCH unset, as GitLab does)',
    ref: { type: 'tag', name: 'v0.1.0' },
    source: 'push',
    variables: {},
    protected: true,
    after: ['push'],
    run: ['retag'],
    notRun: ['env', 'test', 'image', 'pages', 'docs'],
    images: { mode: 'none' },
    retag: true,
  },
  'mr-docs': {
    title: 'merge request changing only docs/',
    ref: { type: 'merge-request', name: 'e2e/docs-only' },
    source: 'merge_request_event',
    change: 'docs',
    variables: {},
    protected: false,
    after: [],
    run: ['env', 'test', 'docs'],
    notRun: ['image', 'retag', 'pages'],
    images: { mode: 'none' },
  },
  'mr-src': {
    title: 'merge request changing src/',
    ref: { type: 'merge-request', name: 'e2e/src-change' },
    source: 'merge_request_event',
    change: 'src',
    variables: {},
    protected: false,
    after: [],
    run: ['env', 'test', 'image'],
    notRun: ['retag', 'pages', 'docs'],
    images: { mode: 'build-only' },
    logLines: [{ kind: 'image', line: BUILD_ONLY, what: 'the build-only line' }],
  },
  web: {
    title: 'Run pipeline on a feature branch with BUILD_ALL=true',
    ref: { type: 'branch', name: 'e2e/web' },
    source: 'web',
    change: 'readme',
    variables: { BUILD_ALL: 'true' },
    protected: false,
    after: [],
    run: ['env', 'test', 'image'],
    notRun: ['retag', 'pages', 'docs'],
    images: { mode: 'build-only' },
    logLines: [{ kind: 'image', line: BUILD_ONLY, what: 'the build-only line' }],
  },
  schedule: {
    title: 'scheduled pipeline on the default branch with BUILD_MODEL=true',
    ref: { type: 'default-branch' },
    source: 'schedule',
    change: 'readme',
    variables: { BUILD_MODEL: 'true' },
    protected: true,
    after: [],
    run: ['env', 'test'],
    notRun: ['retag', 'docs'],
    images: { mode: 'switch', switch: 'BUILD_MODEL' },
  },
  'web-no-build': {
    title: 'Run pipeline on the default branch with BUILD_ALL=false',
    ref: { type: 'default-branch' },
    source: 'web',
    change: 'readme',
    variables: { BUILD_ALL: 'false' },
    protected: true,
    after: [],
    run: ['env', 'test'],
    notRun: ['image', 'retag', 'docs'],
    images: { mode: 'none' },
  },
  cold: {
    title: 'the unit tests alone on a runner without a shared cache',
    ref: { type: 'default-branch' },
    source: 'push',
    variables: {},
    protected: true,
    onlyJobs: { kind: 'test', junit: true },
    after: [],
    run: ['test'],
    notRun: ['env', 'image', 'retag', 'pages', 'docs'],
    images: { mode: 'none' },
    logLines: [{ kind: 'test', line: ENV_CREATED, what: 'the job creates the environment itself' }],
  },
  'push-warm': {
    title: 'push to the default branch again, on the cache of the first (warm)',
    ref: { type: 'default-branch' },
    source: 'push',
    variables: {},
    protected: true,
    sameCloneAs: 'push',
    after: ['push'],
    run: ['env', 'test', 'image', 'pages'],
    notRun: ['retag', 'docs'],
    images: { mode: 'push' },
    logLines: [
      { kind: 'env', line: ENV_REUSED, what: 'the env job reused the cached environment' },
      { kind: 'env', line: ENV_UNCHANGED, what: 'the env job left nothing for the cache to upload' },
    ],
    cacheUnchanged: true,
  },
};

/**
 * Which pipelines a run makes. `all` (the default) is every kind a generated
 * repo must pass; `core` leaves out the schedule, BUILD_ALL=false and cold
 * runs, whose rules and env script do not depend on the builder or platform
 * (the e2e suite runs them for onprem+kaniko and for the repo with an added
 * image, whose image job comes from `mlops-project image`); `bench` is the
 * push pipeline twice on one cache, cold then warm (npm run bench).
 */
export const PIPELINE_SETS = {
  all: ['push', 'tag', 'mr-docs', 'mr-src', 'web', 'schedule', 'web-no-build', 'cold'],
  core: ['push', 'tag', 'mr-docs', 'mr-src', 'web'],
  bench: ['push', 'push-warm'],
} as const satisfies Record<string, readonly PipelineKind[]>;
export type PipelineSet = keyof typeof PIPELINE_SETS;
