/**
 * Which jobs each kind of pipeline runs, as gitlab-ci-local evaluates the
 * generated rules (`--list-json`, offline: nothing runs), against the table
 * in test/support/pipeline-kinds.ts that the e2e harness also runs for real.
 * What this does not show: GitLab's own evaluation of `workflow:rules`
 * (gitlab-ci-local ignores them) and `changes` against a real MR's diff
 * (here: the branch against origin/main).
 */
import { readFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, GIT_ENV, MLOPS_BIN, removeDir, ROOT, run, tempDir } from '../support/cli.js';
import { expectedJobs, PIPELINE_KINDS, type PipelineKind } from '../support/pipeline-kinds.js';

const GCL = join(ROOT, 'node_modules/gitlab-ci-local/dist/index.js');

let work: string;
beforeAll(() => {
  work = tempDir('cmp-kinds-');
});
afterAll(() => removeDir(work));

async function git(dir: string, ...args: string[]): Promise<string> {
  return (await execa('git', args, { cwd: dir, env: GIT_ENV })).stdout;
}

/** The jobs that would run (when != never) in `kind`, on a fresh clone of `repo`. */
async function jobsOf(repo: string, kind: PipelineKind): Promise<string[]> {
  const dir = join(work, `${repo.split('/').pop() ?? 'repo'}-${kind.name}`);
  await execa('git', ['clone', '-q', repo, dir]);
  await git(dir, 'remote', 'set-url', 'origin', 'https://gitlab.example.com/g/p.git');
  await git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD');
  await git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
  const vars: Record<string, string> = { CI_PIPELINE_SOURCE: kind.source, CI_COMMIT_REF_PROTECTED: String(kind.protected), ...kind.variables };
  const unset: string[] = [];
  if (kind.ref === 'feature') {
    await git(dir, 'checkout', '-q', '-b', 'feature/x');
    vars.CI_COMMIT_BRANCH = 'feature/x';
    vars.CI_COMMIT_REF_NAME = 'feature/x';
  }
  if (kind.ref === 'tag') {
    vars.CI_COMMIT_TAG = 'v0.1.0';
    unset.push('CI_COMMIT_BRANCH');
  }
  if (kind.changes) {
    const file = kind.changes === 'docs' ? 'docs/index.md' : 'src/process_data.py';
    appendFileSync(join(dir, file), kind.changes === 'docs' ? '\nA change.\n' : '# a change\n');
    await git(dir, 'commit', '-q', '-am', `change ${file}`);
  }
  if (kind.source === 'merge_request_event') {
    vars.CI_MERGE_REQUEST_IID = '7';
    unset.push('CI_COMMIT_BRANCH');
  }
  const args = ['--list-json', '--no-color', '--ignore-predefined-vars', Object.keys(vars).join(',')];
  for (const [key, value] of Object.entries(vars)) args.push('--variable', `${key}=${value}`);
  for (const key of unset) args.push('--unset-variable', key);
  const result = await execa('node', [GCL, ...args], { cwd: dir, env: { CI: 'true' }, stdin: 'ignore' });
  const jobs = JSON.parse(result.stdout) as { name: string; when: string }[];
  // A manual job (deploy:production, train:cluster) is listed as `name [manual]`.
  return jobs.filter((job) => job.when !== 'never').map((job) => (job.when === 'manual' ? `${job.name} [manual]` : job.name)).sort();
}

describe('which jobs each kind of pipeline runs', () => {
  let base: string;
  let added: string;
  beforeAll(async () => {
    const made = await create(['base', '--yes', '--registry', 'harbor.acme.io/ml/base'], work);
    expect(made.exitCode, made.stderr).toBe(0);
    base = join(work, 'base');
    added = join(work, 'added');
    await execa('git', ['clone', '-q', base, added]);
    const image = await run(MLOPS_BIN, ['image', '--name', 'serving'], added);
    expect(image.exitCode, image.stderr).toBe(0);
    await git(added, 'add', '-A');
    await git(added, 'commit', '-q', '-m', 'add the serving image');
  });

  describe.each(PIPELINE_KINDS.map((kind) => [kind.name, kind] as const))('%s', (_, kind) => {
    it(`${kind.how}: ${kind.runs.join(', ')}`, async () => {
      expect(await jobsOf(base, kind)).toEqual(expectedJobs(kind, { cpu: 'BUILD_DATAPREP', gpu: 'BUILD_MODEL' }));
    });
    it('the same with an image added by mlops-project image', async () => {
      expect(await jobsOf(added, kind)).toEqual(expectedJobs(kind, { cpu: 'BUILD_DATAPREP', gpu: 'BUILD_MODEL', serving: 'BUILD_SERVING' }));
    });
  });

  it('a switch is on only when it is "true": BUILD_ALL=false, =1 and =yes build nothing', async () => {
    const web = PIPELINE_KINDS.find((kind) => kind.name === 'web-false');
    if (!web) throw new Error('no web-false kind');
    for (const value of ['false', '1', 'yes']) {
      const jobs = await jobsOf(base, { ...web, name: `switch-${value}`, variables: { BUILD_ALL: value } });
      expect(jobs.filter((job) => job.endsWith('-image'))).toEqual([]);
    }
  });

  it('update:template runs only in a schedule or Run pipeline of the default branch with UPDATE_TEMPLATE exactly "true"', async () => {
    const schedule = PIPELINE_KINDS.find((kind) => kind.name === 'schedule');
    const web = PIPELINE_KINDS.find((kind) => kind.name === 'web-false');
    if (!schedule || !web) throw new Error('no schedule or web-false kind');
    // The schedule kind with the update switch instead of BUILD_MODEL: its jobs, and update:template.
    const update: PipelineKind = { ...schedule, name: 'update', variables: { UPDATE_TEMPLATE: 'true' }, runs: ['env', 'lint', 'pytest', 'pages', 'update'], images: 'none' };
    expect(await jobsOf(base, update)).toEqual(expectedJobs(update, { cpu: 'BUILD_DATAPREP', gpu: 'BUILD_MODEL' }));
    expect(await jobsOf(base, { ...update, name: 'update-web', source: 'web' })).toContain('update:template');
    // Not on another branch, not with any other value, not in a push pipeline of main.
    expect(await jobsOf(base, { ...web, name: 'update-feature', variables: { UPDATE_TEMPLATE: 'true' } })).not.toContain('update:template');
    for (const value of ['false', '1', 'yes'])
      expect(await jobsOf(base, { ...update, name: `update-${value}`, variables: { UPDATE_TEMPLATE: value } })).not.toContain('update:template');
    const push = PIPELINE_KINDS.find((kind) => kind.name === 'push')!;
    expect(await jobsOf(base, { ...push, name: 'update-push', variables: { UPDATE_TEMPLATE: 'true' } })).not.toContain('update:template');
  });

  describe('the cluster jobs (train:cluster, deploy:staging, deploy:production)', () => {
    const cluster = ['deploy:production [manual]', 'deploy:staging', 'train:cluster [manual]'];
    const withContext = (kind: PipelineKind, variables: Record<string, string> = {}): PipelineKind => ({
      ...kind, name: `${kind.name}-cluster`, variables: { ...kind.variables, ...variables, KUBE_CONTEXT: 'ml/agents:gpu-cluster' },
    });
    const kind = (name: string) => PIPELINE_KINDS.find((k) => k.name === name)!;
    const images = { cpu: 'BUILD_DATAPREP', gpu: 'BUILD_MODEL' };

    it('never run while KUBE_CONTEXT is empty, in any kind above (the table has none of them)', () => {
      for (const k of PIPELINE_KINDS) expect(expectedJobs(k, images).filter((j) => /^(deploy|train):/.test(j))).toEqual([]);
    });

    it('with KUBE_CONTEXT: a push to the default branch deploys staging, and offers production and training as manual jobs', async () => {
      expect(await jobsOf(base, withContext(kind('push')))).toEqual([...expectedJobs(kind('push'), images), ...cluster].sort());
    });

    it('with KUBE_CONTEXT: no cluster job in a branch push, a merge request, a tag, a Run pipeline of a branch or a schedule without the switch', async () => {
      for (const name of ['branch', 'mr-src', 'tag', 'web', 'schedule'])
        expect(await jobsOf(base, withContext(kind(name))), name).toEqual(expectedJobs(kind(name), images));
    });

    it('TRAIN_ON_CLUSTER=true in a schedule or Run pipeline of the default branch: both images, then train:cluster (not manual)', async () => {
      const schedule = kind('schedule');
      const train = { ...withContext({ ...schedule, variables: {} }, { TRAIN_ON_CLUSTER: 'true' }), name: 'train-schedule' };
      const expected = [...expectedJobs({ ...schedule, images: 'all' }, images), 'train:cluster'].sort();
      expect(await jobsOf(base, train)).toEqual(expected);
      expect(await jobsOf(base, { ...train, name: 'train-web', source: 'web' })).toEqual(expected);
      // Not on another branch, not without a cluster, not with another value.
      const feature = await jobsOf(base, { ...withContext({ ...kind('web-false'), variables: {} }, { TRAIN_ON_CLUSTER: 'true' }), name: 'train-feature' });
      expect(feature.filter((j) => /image|cluster/.test(j))).toEqual([]);
      const none = await jobsOf(base, { ...schedule, name: 'train-no-context', variables: { TRAIN_ON_CLUSTER: 'true' } });
      expect(none.filter((j) => /image|cluster/.test(j))).toEqual([]);
      const yes = await jobsOf(base, { ...withContext({ ...schedule, variables: {} }, { TRAIN_ON_CLUSTER: 'yes' }), name: 'train-yes' });
      expect(yes.filter((j) => /image|cluster/.test(j))).toEqual([]);
    });
  });

  it('the switches read in the Run pipeline form are the ones the rules use', () => {
    const text = readFileSync(join(base, '.gitlab-ci.yml'), 'utf8');
    for (const name of ['BUILD_ALL', 'BUILD_DATAPREP', 'BUILD_MODEL', 'UPDATE_TEMPLATE', 'TRAIN_ON_CLUSTER']) expect(text).toMatch(new RegExp(`\\$${name} == "true"`));
  });
});
