/**
 * The kinds of pipeline GitLab starts for a generated repo, and what each
 * must run: one table for the rules test (gitlab-ci-local --list-json) and
 * the e2e harness. Jobs are named by role, so that a repo with images added
 * later (build:<name>-image, switch BUILD_<NAME>) reads the same table.
 * update:template (role `update`) runs in none of these kinds: only a
 * schedule or Run pipeline of the default branch with UPDATE_TEMPLATE=true
 * starts it (test/cli/pipeline-kinds.test.ts checks those rules; the e2e
 * harness does not run such a pipeline: test/e2e/update-job.test.ts runs the
 * job against a fake GitLab). The cluster jobs (role `cluster`:
 * deploy:staging, deploy:production, train:cluster) run in none of them
 * either: they are off while KUBE_CONTEXT is empty (pipeline-kinds.test.ts
 * checks their rules with it set; the e2e harness runs them with --cluster).
 */

/** A role of the generated pipeline's jobs. */
export type Role = 'env' | 'lint' | 'pytest' | 'docs' | 'pages' | 'retag' | 'image' | 'update' | 'cluster';

export interface PipelineKind {
  /** Short name, used in reports and test titles. */
  name: string;
  /** What a user does to start it. */
  how: string;
  /** CI_PIPELINE_SOURCE as GitLab sets it. */
  source: 'push' | 'merge_request_event' | 'web' | 'schedule';
  /** The ref: the default branch, a feature branch, or a tag. */
  ref: 'default' | 'feature' | 'tag';
  /** Protected refs (the default branch, v* tags) get the protected credential; others do not. */
  protected: boolean;
  /** For merge requests: what the MR changes. */
  changes?: 'docs' | 'src';
  /** Pipeline variables given (Run pipeline form, schedule variables). */
  variables?: Record<string, string>;
  /** The roles that run. */
  runs: Role[];
  /**
   * Which image jobs run: every one, none, or only those whose own switch is
   * among `variables` (e.g. BUILD_MODEL: gpu).
   */
  images: 'all' | 'none' | 'switched';
  /** Whether the image jobs that run push (false: build only). */
  push: boolean;
}

export const PIPELINE_KINDS: readonly PipelineKind[] = [
  { name: 'push', how: 'push to the default branch', source: 'push', ref: 'default', protected: true, runs: ['env', 'lint', 'pytest', 'image', 'pages'], images: 'all', push: true },
  { name: 'branch', how: 'push to a feature branch without an MR', source: 'push', ref: 'feature', protected: false, runs: ['env', 'lint', 'pytest'], images: 'none', push: false },
  { name: 'tag', how: 'push of tag v0.1.0', source: 'push', ref: 'tag', protected: true, runs: ['retag'], images: 'none', push: false },
  { name: 'mr-docs', how: 'merge request changing docs/ only', source: 'merge_request_event', ref: 'feature', protected: false, changes: 'docs', runs: ['env', 'lint', 'pytest', 'docs'], images: 'none', push: false },
  { name: 'mr-src', how: 'merge request changing src/', source: 'merge_request_event', ref: 'feature', protected: false, changes: 'src', runs: ['env', 'lint', 'pytest', 'image'], images: 'all', push: false },
  { name: 'web', how: 'Run pipeline on a feature branch, BUILD_ALL=true', source: 'web', ref: 'feature', protected: false, variables: { BUILD_ALL: 'true' }, runs: ['env', 'lint', 'pytest', 'image'], images: 'all', push: false },
  { name: 'web-false', how: 'Run pipeline on a feature branch, BUILD_ALL=false', source: 'web', ref: 'feature', protected: false, variables: { BUILD_ALL: 'false' }, runs: ['env', 'lint', 'pytest'], images: 'none', push: false },
  { name: 'schedule', how: 'scheduled pipeline on the default branch, BUILD_MODEL=true', source: 'schedule', ref: 'default', protected: true, variables: { BUILD_MODEL: 'true' }, runs: ['env', 'lint', 'pytest', 'image', 'pages'], images: 'switched', push: true },
];

/** The job names of the roles in a repo whose image jobs are `images` (name -> switch). */
export function expectedJobs(kind: PipelineKind, images: Record<string, string>): string[] {
  const fixed: Record<Exclude<Role, 'image'>, string> = {
    env: 'build:conda-env',
    lint: 'test:lint',
    pytest: 'test:pytest',
    docs: 'test:docs',
    pages: 'pages',
    retag: 'build:retag-images',
    update: 'update:template',
    cluster: 'deploy:staging',
  };
  const jobs = kind.runs.filter((role): role is Exclude<Role, 'image'> => role !== 'image').map((role) => fixed[role]);
  if (kind.runs.includes('image')) {
    for (const [name, buildSwitch] of Object.entries(images)) {
      const on = kind.images === 'all' || (kind.images === 'switched' && kind.variables?.[buildSwitch] === 'true');
      if (on) jobs.push(`build:${name}-image`);
    }
  }
  return jobs.sort();
}
