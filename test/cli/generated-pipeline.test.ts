/**
 * The generated .gitlab-ci.yml for every platform x builder: GitLab's schema,
 * semantic checks, busybox-sh syntax of the scripts that run in busybox
 * images, only the chosen platform's credentials, and the fixes of the
 * guide's defects (shared notes: pipeline.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPipeline, jobNames, parseCi, resolveJob, scriptOf } from '../support/gitlab-ci-check.js';
import { type AuthDescriptor, PLATFORMS } from '../../generators/platforms/platforms.js';
import type { Platforms } from '../../generators/platforms/variants.js';
import { MATRIX, REGISTRY } from '../support/matrix.js';
import { create, removeDir, tempDir } from '../support/cli.js';


let work: string;
beforeAll(() => {
  work = tempDir();
});
afterAll(() => removeDir(work));

/** Every CI/CD variable any auth of any platform reads. */
const ALL_VARIABLES = Object.values(PLATFORMS as Platforms).flatMap((p) => Object.values(p.auths).flatMap((a) => a.credential?.variables.map((v) => v.key) ?? []));

describe.each(MATRIX)('pipeline for $id', (entry) => {
  const { platform } = entry;
  const auth: AuthDescriptor = (PLATFORMS as Platforms)[platform]!.auths[entry.auth]!;
  let text: string;
  let ci: Record<string, unknown>;
  beforeAll(async () => {
    const name = entry.id;
    const result = await create([name, '--yes', '--no-git', '--repo-name', 'p', ...entry.flags, '--runner-tag', 'my-runner'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    text = readFileSync(join(work, name, '.gitlab-ci.yml'), 'utf8');
    ci = parseCi(text);
  });

  it('validates against GitLab schema and the semantic checks', () => {
    expect(checkPipeline(text)).toEqual([]);
  });

  it('keeps the guide stages, jobs and variables', () => {
    expect(ci.stages).toEqual(['build', 'test', 'deploy', 'cluster', 'deploy-docs']);
    for (const job of ['build:conda-env', 'test:lint', 'test:pytest', 'build:cpu-image', 'build:gpu-image', 'build:retag-images', 'pages'])
      expect(jobNames(ci)).toContain(job);
    expect(jobNames(ci)).toContain('test:docs');
    const variables = Object.keys(ci.variables as object);
    for (const v of ['PYTHON_IMAGE', 'VENV_DIRECTORY', 'IMAGE_TAG', 'BUILD_CONDA', 'BUILD_ALL', 'BUILD_DATAPREP', 'BUILD_MODEL', 'IMAGE_REGISTRY'])
      expect(variables).toContain(v);
  });

  it('carries the answers: runner tag and registry', () => {
    expect((ci.default as { tags: string[] }).tags).toEqual(['my-runner']);
    const registry = (ci.variables as Record<string, unknown>).IMAGE_REGISTRY;
    expect(typeof registry === 'string' ? registry : (registry as { value: string }).value).toBe(REGISTRY[platform]);
  });

  it('names only the chosen platform and auth credentials (defect 2)', () => {
    const own = auth.credential?.variables.map((v) => v.key) ?? [];
    for (const key of own) expect(text).toMatch(new RegExp(`\\b${key}\\b`));
    for (const key of ALL_VARIABLES.filter((k) => !own.includes(k))) expect(text).not.toMatch(new RegExp(`\\b${key}\\b`));
  });

  it('decodes the base64 credential instead of echoing it (defect 1)', () => {
    const script = scriptOf(ci, 'build:cpu-image');
    // Only a credential given as base64 is decoded; the job token and workload identity are not base64.
    if (platform !== 'gitlab' && entry.auth !== 'workload-identity') expect(script).toMatch(/base64 -d/);
    expect(script).not.toMatch(/echo \$\{?HARBOR_ROBOT_CREDS_JSON\}? >/);
    expect(script).not.toMatch(/echo \$\{?GCP_SERVICE_ACCOUNT_KEY\}? > .*config\.json/);
  });

  it('runs the retag job on tags without testing CI_COMMIT_BRANCH (defect 3)', () => {
    const retag = resolveJob(ci, 'build:retag-images');
    const rules = JSON.stringify(retag.rules);
    expect(rules).toContain('CI_COMMIT_TAG');
    expect(rules).not.toContain('CI_COMMIT_BRANCH');
  });

  it('keys the env cache on the env file content (defect 4) and publishes Pages from the default branch (defect 6)', () => {
    expect(JSON.stringify(resolveJob(ci, 'build:conda-env').cache)).toMatch(/"files":\["p-conda-env\.yaml"/);
    const pages = JSON.stringify(resolveJob(ci, 'pages').rules);
    expect(pages).toContain('$CI_DEFAULT_BRANCH');
    expect(pages).not.toMatch(/== "?main"?/);
  });

  it('builds the docs, publishing nothing, in merge requests that change them', () => {
    const job = resolveJob(ci, 'test:docs');
    expect(job.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"', changes: ['docs/**/*', 'mkdocs.yml', 'dev-requirements.txt'] }]);
    expect(job.artifacts).toBeUndefined();
    // The same build as pages, into a folder that is not published.
    const build = (name: string): string => /python -m mkdocs build --strict/.exec(scriptOf(ci, name))?.[0] ?? '';
    expect(build('test:docs')).not.toBe('');
    expect(build('test:docs')).toBe(build('pages'));
    expect(scriptOf(ci, 'test:docs')).not.toMatch(/public/);
  });

  it('never uses `source activate` (defect 8)', () => {
    expect(text).not.toMatch(/source activate/);
  });

  it('scripts of busybox images are valid busybox sh (defect 10)', async () => {
    const busyboxJobs = jobNames(ci).filter((name) => {
      const image = JSON.stringify(resolveJob(ci, name).image ?? '');
      return /KANIKO|kaniko|CRANE|crane/.test(image);
    });
    expect(busyboxJobs.length).toBeGreaterThan(0);
    for (const name of busyboxJobs) {
      const result = await execa('busybox', ['sh', '-n'], { input: scriptOf(ci, name), reject: false });
      expect(result.exitCode, `${name}: ${result.stderr}`).toBe(0);
    }
  });
});
