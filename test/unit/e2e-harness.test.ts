// The e2e harness's pure parts (scripts/e2e/src): its table of pipeline
// kinds, reading gitlab-ci-local's output, the critical path. The harness
// itself runs in npm run test:e2e (root, buildah).
import { describe, expect, it } from 'vitest';
import { criticalPath } from '../../scripts/e2e/src/critical-path.js';
import { PIPELINE_KINDS, PIPELINE_SETS, PIPELINES } from '../../scripts/e2e/src/expectations.js';
import { PIPELINE_KINDS as GITLAB_KINDS } from '../support/pipeline-kinds.js';
import { jobLog, jobOutcomes, parseDuration } from '../../scripts/e2e/src/gitlab-ci-local.js';
import { readPipeline, safeJobName } from '../../scripts/e2e/src/pipeline-info.js';

describe('the pipeline kinds table', () => {
  it('runs every kind of the GitLab table (test/support/pipeline-kinds.ts) as that table says', () => {
    for (const k of GITLAB_KINDS) {
      const spec = PIPELINES[k.name as keyof typeof PIPELINES];
      expect(spec, k.name).toBeDefined();
      expect({ source: spec.source, protected: spec.protected, variables: spec.variables, run: spec.run }, k.name)
        .toEqual({ source: k.source, protected: k.protected, variables: k.variables ?? {}, run: k.runs });
      expect(spec.images.mode === 'push' || spec.images.mode === 'switch', k.name).toBe(k.push && k.images !== 'none');
    }
    expect(PIPELINE_SETS.all).toEqual(expect.arrayContaining(GITLAB_KINDS.map((k) => k.name)));
  });

  it('gives the credential to protected refs only: the default branch and tags', () => {
    for (const kind of PIPELINE_KINDS) {
      const { ref, protected: isProtected } = PIPELINES[kind];
      expect(isProtected, kind).toBe(ref.type === 'default-branch' || ref.type === 'tag');
    }
  });

  it('never expects a push from a pipeline without the credential', () => {
    for (const kind of PIPELINE_KINDS) {
      const spec = PIPELINES[kind];
      if (!spec.protected) expect(['build-only', 'none'], kind).toContain(spec.images.mode);
    }
  });

  it('names each job kind at most once per pipeline, and every set only known kinds', () => {
    for (const kind of PIPELINE_KINDS) {
      const { run, notRun } = PIPELINES[kind];
      expect(run.filter((k) => notRun.includes(k)), kind).toEqual([]);
    }
    for (const set of Object.values(PIPELINE_SETS)) for (const k of set) expect(PIPELINE_KINDS).toContain(k);
  });
});

const LOG = `build:conda-env starting shell (build)
build:conda-env > conda-env: creating the environment in /builds/e2e/churn/.conda-env (reason: no environment)
build:conda-env finished in 12.3 s
test:pytest starting shell (test)
test:pytest $ conda run -p "$VENV_DIRECTORY" python -m pytest
test:pytest > 1 failed
test:pytest finished in 1.5 min  FAIL 1
build:cpu-image finished in 345 ms
 PASS  build:conda-env
 FAIL  test:pytest
 WARN  build:cpu-image  pre_script
`;

describe("gitlab-ci-local's output", () => {
  it('gives each job its result and duration', () => {
    expect(jobOutcomes(LOG, ['build:conda-env', 'test:pytest', 'build:cpu-image', 'pages'])).toEqual({
      'build:conda-env': { status: 'PASS', seconds: 12.3 },
      'test:pytest': { status: 'FAIL', seconds: 90 },
      'build:cpu-image': { status: 'WARN', seconds: 0.345 },
    });
    expect(parseDuration('2 h')).toBe(7200);
    expect(parseDuration('soon')).toBeNull();
  });

  it("gives a job's own log lines", () => {
    expect(jobLog(LOG, 'test:pytest')).toEqual(['test:pytest $ conda run -p "$VENV_DIRECTORY" python -m pytest', 'test:pytest > 1 failed']);
  });

  it('names job folders as gitlab-ci-local 4.73 does', () => {
    expect(safeJobName('build:conda-env')).toBe('buildOgconda-env');
    expect(safeJobName('pages')).toBe('pages');
  });
});

describe('reading the pipeline', () => {
  const preview = `
stages: [build, test, deploy]
variables:
  BASE_IMAGE_MIRROR: {value: docker.io, description: mirror}
  KANIKO_IMAGE: ghcr.io/osscontainertools/kaniko:v1.28.5-debug
  CRANE_IMAGE: gcr.io/go-containerregistry/crane/debug:v0.22.1
build:conda-env:
  stage: build
  cache: {paths: [.conda-env/], policy: pull-push}
  script: [sh ci/conda-env.sh --for-cache]
test:pytest:
  stage: test
  needs: [build:conda-env]
  script: [conda run -p "$VENV_DIRECTORY" python -m pytest]
  artifacts: {reports: {junit: junit.xml}}
build:gpu-image:
  stage: deploy
  image: {name: $KANIKO_IMAGE}
  variables: {IMAGE_NAME: gpu}
  needs: [{job: test:pytest}]
  rules: [{if: '$CI_PIPELINE_SOURCE != "push" && $BUILD_MODEL == "true"'}, {if: '$BUILD_ALL == "true"'}]
  script: [/kaniko/executor --no-push]
build:retag-images:
  stage: deploy
  image: {name: $CRANE_IMAGE}
  script: [crane tag "$IMAGE_REGISTRY/gpu:$CI_COMMIT_SHORT_SHA" "$CI_COMMIT_TAG"]
pages:
  stage: deploy
  image: $PYTHON_IMAGE
  script: [conda run -p "$VENV_DIRECTORY" python -m mkdocs build --strict --site-dir public]
`;
  it('classifies jobs by their scripts, with needs, switches, junit, cache and busybox images', () => {
    const info = readPipeline(preview);
    expect(info.variables.BASE_IMAGE_MIRROR).toBe('docker.io');
    const by = Object.fromEntries(info.jobs.map((j) => [j.name, j]));
    expect(by['build:conda-env']).toMatchObject({ kind: 'env', needs: null, cachePaths: ['.conda-env/'], cachePush: true });
    expect(by['test:pytest']).toMatchObject({ kind: 'pytest', needs: ['build:conda-env'], junit: ['junit.xml'] });
    expect(by['build:gpu-image']).toMatchObject({ kind: 'image', needs: ['test:pytest'], switches: ['BUILD_MODEL'], imageName: 'gpu', busybox: true });
    expect(by['build:retag-images']).toMatchObject({ kind: 'retag', busybox: true });
    expect(by.pages).toMatchObject({ kind: 'pages', busybox: false });
  });
});

describe('the critical path', () => {
  it('follows needs, and earlier stages for a job without needs', () => {
    const stages = ['build', 'test', 'deploy', 'docs'];
    const cp = criticalPath([
      { name: 'env', stage: 'build', needs: [], seconds: 10 },
      { name: 'lint', stage: 'test', needs: ['env'], seconds: 30 },
      { name: 'pytest', stage: 'test', needs: ['env'], seconds: 5 },
      { name: 'cpu', stage: 'deploy', needs: ['lint', 'pytest'], seconds: 40 },
      { name: 'pages', stage: 'docs', needs: ['env'], seconds: 8 },
      { name: 'late', stage: 'docs', needs: null, seconds: 1 },
    ], stages);
    expect(cp.jobs.map((j) => j.name)).toEqual(['env', 'lint', 'cpu', 'late']);
    expect(cp.seconds).toBe(81);
  });
});
