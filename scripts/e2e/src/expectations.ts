// What the e2e harness runs and what each pipeline must show. WHICH jobs a
// kind of pipeline runs, and whether its images push, is ONE table:
// test/support/pipeline-kinds.ts (GitLab's pipeline kinds for a generated
// repo; the rules test checks it with gitlab-ci-local --list-json). This file
// only adds, per kind, how the harness starts it for real (ref name, the
// commit it adds, the lines its jobs must print), plus two harness-only runs
// (a cold runner, a warm second push). scripts/e2e-pipeline (main.ts) runs and
// checks pipelines from PIPELINES, and the e2e tests (test/e2e/harness.ts)
// check the harness's report against the same PIPELINES.
//
// Jobs are named by role (pipeline-info.ts finds each job's role from what its
// script does), so the table holds for any generated repo: either builder,
// either platform, images added later.
import { PIPELINE_KINDS as GITLAB_KINDS, type PipelineKind as GitLabKind, type Role } from '../../../test/support/pipeline-kinds.js';
import type { CredentialReach } from './stand-ins.js';

/** A job's role: env creates the environment, image builds an image, ... (test/support/pipeline-kinds.ts). */
export type JobKind = Role;
const ROLES: readonly JobKind[] = ['env', 'lint', 'pytest', 'docs', 'pages', 'retag', 'image', 'update', 'cluster'];

/** The pipeline kinds of the GitLab table, then the harness's two extra runs. */
export const PIPELINE_KINDS = [
  'push', 'branch', 'tag', 'mr-docs', 'mr-src', 'web', 'web-false', 'schedule', 'cold', 'push-warm', 'schedule-train',
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
  /** only the image jobs whose rules name a switch set to "true" run, and push; the others do not run */
  | { mode: 'switch'; switches: string[] };

/** The ref a pipeline runs for. `branch` and `merge-request` name a feature branch. */
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
  source: GitLabKind['source'];
  /**
   * The commit the ref adds: an MR's change, and on every other branch or
   * schedule a README change, so that what the pipeline pushes (or must not)
   * is told apart by its commit's tag from what the push pipeline pushed.
   */
  change?: Change;
  /** Pipeline variables (the Run pipeline form, a schedule's variables). */
  variables: Record<string, string>;
  /**
   * A protected ref (the default branch, v* tags): CI_COMMIT_REF_PROTECTED=true and the
   * protected credential variable is given. Otherwise neither (MR and feature-branch pipelines).
   * A credential that reaches every job (GitLab's job token) is given to all (credentialGiven);
   * the image jobs of an unprotected ref build only all the same.
   */
  protected: boolean;
  /** Run only the jobs of this role (gitlab-ci-local JOB...), their needs not run: the cold runner. */
  onlyJobs?: JobKind;
  /** Runs in the clone (and so on the cache) of that pipeline: the warm run of `push`. */
  sameCloneAs?: PipelineKind;
  /** Runs after these pipelines have finished (it reads what they pushed, or their cache). */
  after: PipelineKind[];
  /** Every job of these roles runs and passes (image jobs: as `images` says). */
  run: JobKind[];
  /** No job of these roles runs. */
  notRun: JobKind[];
  images: ImageExpectation;
  /** The retag job's tag must point at the digests the push pipeline pushed. */
  retag?: boolean;
  /** Lines the jobs of a role must print (the conda-env and image-build lines of the pipeline). */
  logLines?: { kind: JobKind; line: RegExp; what: string }[];
  /** The cache must be the same after the pipeline, and no cache path left to upload. */
  cacheUnchanged?: boolean;
  /** Runs only with a cluster (--cluster): the kind starts cluster jobs. */
  needsCluster?: boolean;
  /** Which cluster jobs run when `run` has the role: every one (a push), or training only (a schedule). */
  clusterJobs?: 'all' | 'train';
}

/** The line ci/conda-env.sh prints when it reuses the environment from the cache. */
export const ENV_REUSED = /conda-env: reusing the environment from the cache/;
/** The line ci/conda-env.sh prints when it creates the environment. */
export const ENV_CREATED = /conda-env: creating the environment in /;
/** The line ci/conda-env.sh --for-cache prints when the cache has nothing new. */
export const ENV_UNCHANGED = /conda-env: unchanged: nothing for the cache to upload/;
/** The line an image job prints when it builds without pushing. */
export const BUILD_ONLY = /image-build: build only, nothing is pushed \(/;

const TAG = 'v0.1.0';

/** How the harness starts a kind of the GitLab table, and what it must show. */
function fromGitLab(k: GitLabKind): PipelineSpec {
  const ref: PipelineRef =
    k.ref === 'default' ? { type: 'default-branch' }
      : k.ref === 'tag' ? { type: 'tag', name: TAG }
        : k.source === 'merge_request_event' ? { type: 'merge-request', name: `e2e/${k.name}` }
          : { type: 'branch', name: `e2e/${k.name}` };
  const imagesRun = k.runs.includes('image') && k.images !== 'none';
  const images: ImageExpectation = !imagesRun ? { mode: 'none' }
    : k.images === 'switched' ? { mode: 'switch', switches: Object.entries(k.variables ?? {}).filter(([, v]) => v === 'true').map(([n]) => n) }
      : k.push ? { mode: 'push' } : { mode: 'build-only' };
  return {
    title: `${k.how}${k.ref === 'tag' ? ' (CI_COMMIT_BRANCH unset, as GitLab does)' : ''}`,
    ref,
    source: k.source,
    change: k.changes ?? (k.ref === 'feature' || k.source === 'schedule' ? 'readme' : undefined),
    variables: k.variables ?? {},
    protected: k.protected,
    after: k.ref === 'tag' ? ['push'] : [],
    run: k.runs,
    notRun: ROLES.filter((r) => !k.runs.includes(r)),
    images,
    retag: k.runs.includes('retag'),
    logLines: images.mode === 'build-only' ? [{ kind: 'image', line: BUILD_ONLY, what: 'the build-only line' }] : undefined,
  };
}

function gitlabKind(name: string): GitLabKind {
  const k = GITLAB_KINDS.find((x) => x.name === name);
  if (!k) throw new Error(`test/support/pipeline-kinds.ts has no kind "${name}"`);
  return k;
}

const push = fromGitLab(gitlabKind('push'));

export const PIPELINES: Record<PipelineKind, PipelineSpec> = {
  push,
  branch: fromGitLab(gitlabKind('branch')),
  tag: fromGitLab(gitlabKind('tag')),
  'mr-docs': fromGitLab(gitlabKind('mr-docs')),
  'mr-src': fromGitLab(gitlabKind('mr-src')),
  web: fromGitLab(gitlabKind('web')),
  'web-false': fromGitLab(gitlabKind('web-false')),
  schedule: fromGitLab(gitlabKind('schedule')),
  // Harness-only: the unit-test job alone, without its needs, on an empty cache.
  cold: {
    ...push,
    title: 'the pytest job alone on a runner without a shared cache',
    onlyJobs: 'pytest',
    run: ['pytest'],
    notRun: ROLES.filter((r) => r !== 'pytest'),
    images: { mode: 'none' },
    logLines: [{ kind: 'pytest', line: ENV_CREATED, what: 'the job creates the environment itself' }],
  },
  // Harness-only: push again in the first push's clone, on its cache (npm run bench).
  'push-warm': {
    ...push,
    title: 'push to the default branch again, on the cache of the first (warm)',
    sameCloneAs: 'push',
    after: ['push'],
    logLines: [
      { kind: 'env', line: ENV_REUSED, what: 'the env job reused the cached environment' },
      { kind: 'env', line: ENV_UNCHANGED, what: 'the env job left nothing for the cache to upload' },
    ],
    cacheUnchanged: true,
  },
  // Harness-only, with --cluster: the schedule that trains in the cluster.
  'schedule-train': {
    ...fromGitLab(gitlabKind('schedule')),
    title: 'scheduled pipeline on the default branch, TRAIN_ON_CLUSTER=true (a cluster set up)',
    variables: { TRAIN_ON_CLUSTER: 'true' },
    run: ['env', 'lint', 'pytest', 'image', 'pages', 'cluster'],
    notRun: ['docs', 'retag', 'update'],
    images: { mode: 'switch', switches: ['TRAIN_ON_CLUSTER'] },
    needsCluster: true,
    clusterJobs: 'train',
  },
};

/**
 * A kind's spec in a run with a cluster (--cluster): a push to the default
 * branch also runs the cluster jobs (deploy:staging, and the manual
 * deploy:production and train:cluster, which the harness presses play on).
 */
export function withCluster(spec: PipelineSpec): PipelineSpec {
  if (spec.source !== 'push' || spec.ref.type !== 'default-branch' || spec.onlyJobs) return spec;
  return { ...spec, run: [...spec.run, 'cluster'], notRun: spec.notRun.filter((r) => r !== 'cluster') };
}

/** Whether the jobs of a pipeline of SPEC get the registry credential. */
export const credentialGiven = (spec: PipelineSpec, reach: CredentialReach): boolean => reach === 'every-job' || spec.protected;

/** Whether a job of a pipeline of SPEC may write the credential: never in a merge request, never without it. */
export const mayWriteCredential = (spec: PipelineSpec, reach: CredentialReach): boolean =>
  credentialGiven(spec, reach) && spec.source !== 'merge_request_event';

/**
 * Which pipelines a run makes. `all` (the default) is every kind of the GitLab
 * table and the cold runner; `core` is the kinds whose outcome depends on the
 * builder and platform (images pushed, only built, retagged, the docs check):
 * the feature-branch push, BUILD_ALL=false, the schedule and the cold runner
 * run the same rules and env script for every builder and platform;
 * `bench` is the push pipeline twice on one cache, cold then warm.
 */
export const PIPELINE_SETS = {
  all: ['push', 'branch', 'tag', 'mr-docs', 'mr-src', 'web', 'web-false', 'schedule', 'cold'],
  core: ['push', 'tag', 'mr-docs', 'mr-src', 'web', 'schedule'],
  bench: ['push', 'push-warm'],
} as const satisfies Record<string, readonly PipelineKind[]>;
export type PipelineSet = keyof typeof PIPELINE_SETS;
