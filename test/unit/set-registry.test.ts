/** The registry edits of `mlops-project set-registry`: string -> string, every other byte kept. */
import { describe, expect, it } from 'vitest';
import { planSetRegistry, readPipelineRegistry, setPipelineRegistry, setRecordRegistry } from '../../generators/project/set-registry.js';
import { errorOf } from '../support/errors.js';

const PIPELINE = `# The pipeline.
default:
  tags:
    - on-prem

variables:
  # Where images go.
  IMAGE_REGISTRY: harbor.example.com/change-me/app   # placeholder
  IMAGE_TAG:
    value: ""
    description: "tag"

build:cpu-image:
  variables:
    IMAGE_REGISTRY: not-this-one.example.com/x
  script:
    - echo "$IMAGE_REGISTRY"
`;

const record = (registry: string, platform = 'onprem'): string =>
  `${JSON.stringify(
    {
      generator: 'create-mlops-project',
      version: '1.0.0',
      answers: { projectName: 'App', repoName: 'app', platform, registry, runnerTag: 'on-prem' },
      images: [],
    },
    null,
    2,
  )}\n`;

describe('setPipelineRegistry', () => {
  it('changes the value of the top-level IMAGE_REGISTRY line and nothing else (its comment stays)', () => {
    expect(setPipelineRegistry(PIPELINE, 'harbor.acme.io:8443/ml/app')).toMatchInlineSnapshot(`
      "# The pipeline.
      default:
        tags:
          - on-prem

      variables:
        # Where images go.
        IMAGE_REGISTRY: harbor.acme.io:8443/ml/app   # placeholder
        IMAGE_TAG:
          value: ""
          description: "tag"

      build:cpu-image:
        variables:
          IMAGE_REGISTRY: not-this-one.example.com/x
        script:
          - echo "$IMAGE_REGISTRY"
      "
    `);
  });

  it('is a no-op, byte for byte, when the value is there already; keeps CRLF line ends', () => {
    expect(setPipelineRegistry(PIPELINE, 'harbor.example.com/change-me/app')).toBe(PIPELINE);
    const crlf = PIPELINE.replace(/\n/g, '\r\n');
    expect(setPipelineRegistry(crlf, 'h.example.com/p')).toBe(crlf.replace('harbor.example.com/change-me/app', 'h.example.com/p'));
  });

  it('reads plain, double- and single-quoted values', () => {
    expect(readPipelineRegistry(PIPELINE)).toBe('harbor.example.com/change-me/app');
    expect(readPipelineRegistry('variables:\n  IMAGE_REGISTRY: "h.example.com/p"\n')).toBe('h.example.com/p');
    expect(readPipelineRegistry("variables:\n  IMAGE_REGISTRY: 'h.example.com/p' # c\n")).toBe('h.example.com/p');
    expect(setPipelineRegistry('variables:\n  IMAGE_REGISTRY: "h.example.com/p"\n', 'x.example.com/q')).toBe('variables:\n  IMAGE_REGISTRY: x.example.com/q\n');
  });

  it('refuses a pipeline without exactly one such line under the top-level variables', () => {
    expect(readPipelineRegistry('build:\n  variables:\n    IMAGE_REGISTRY: h.example.com/p\n')).toBeUndefined();
    expect(errorOf(() => setPipelineRegistry('variables:\n  FOO: bar\n', 'h.example.com/p'))).toMatchInlineSnapshot(
      `".gitlab-ci.yml has no "IMAGE_REGISTRY: <registry>" line under its top-level variables: put one back (as the generator wrote it), then run again."`,
    );
    expect(errorOf(() => setPipelineRegistry('variables:\n  IMAGE_REGISTRY: a.example.com/p\n  IMAGE_REGISTRY: b.example.com/p\n', 'h.example.com/p'))).toMatch(
      /^\.gitlab-ci\.yml has 2 "IMAGE_REGISTRY: <registry>" lines/,
    );
  });
});

describe('setRecordRegistry', () => {
  it('edits the one "registry" line', () => {
    const before = record('harbor.example.com/change-me/app');
    const after = setRecordRegistry(before, 'harbor.acme.io/ml/app');
    expect(after).toBe(before.replace('"registry": "harbor.example.com/change-me/app"', '"registry": "harbor.acme.io/ml/app"'));
    expect(setRecordRegistry(after, 'harbor.acme.io/ml/app')).toBe(after);
  });

  it('writes the record again when its "registry" line cannot be told apart', () => {
    const oneLine = JSON.stringify(JSON.parse(record('harbor.example.com/change-me/app')));
    const after = JSON.parse(setRecordRegistry(oneLine, 'h.example.com/p')) as { answers: { registry: string } };
    expect(after.answers.registry).toBe('h.example.com/p');
  });
});

describe('planSetRegistry', () => {
  const repo = (files: Record<string, string>) => (path: string) => files[path];

  it('both files, checked for the platform as create checks --registry', () => {
    const plan = planSetRegistry(repo({ '.mlops-project.json': record('harbor.example.com/change-me/app'), '.gitlab-ci.yml': PIPELINE }), 'harbor.acme.io/ml/app');
    expect(plan.changes.map((c) => c.path)).toEqual(['.gitlab-ci.yml', '.mlops-project.json']);
    expect(plan.from).toEqual({ record: 'harbor.example.com/change-me/app', pipeline: undefined });
    const gcp = repo({ '.mlops-project.json': record('asia-southeast1-docker.pkg.dev/change-me/change-me/app', 'gcp'), '.gitlab-ci.yml': PIPELINE });
    expect(errorOf(() => planSetRegistry(gcp, 'harbor.acme.io/ml/app'))).toMatchInlineSnapshot(
      `"Invalid registry "harbor.acme.io/ml/app": registry for gcp must be on Artifact Registry (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/...), e.g. asia-southeast1-docker.pkg.dev/my-gcp-project/my-repo/my-project."`,
    );
  });

  it('refuses a placeholder, a bad registry, a repo it does not know', () => {
    const files = { '.mlops-project.json': record('harbor.example.com/change-me/app'), '.gitlab-ci.yml': PIPELINE };
    expect(errorOf(() => planSetRegistry(repo(files), 'harbor.example.com/change-me/app2'))).toMatch(/is a placeholder \(it holds "change-me"\)/);
    expect(errorOf(() => planSetRegistry(repo(files), 'https://harbor.acme.io/ml'))).toMatch(/^Invalid registry "https:\/\/harbor\.acme\.io\/ml": registry must not have a scheme/);
    expect(errorOf(() => planSetRegistry(repo({}), 'h.example.com/p'))).toMatch(/^No \.mlops-project\.json here/);
  });

  it('says what the pipeline had when it disagreed with the record, and sets both', () => {
    const plan = planSetRegistry(repo({ '.mlops-project.json': record('harbor.example.com/change-me/app'), '.gitlab-ci.yml': setPipelineRegistry(PIPELINE, 'h.example.com/p') }), 'h.example.com/p');
    expect(plan.from).toEqual({ record: 'harbor.example.com/change-me/app', pipeline: 'h.example.com/p' });
    expect(plan.changes.map((c) => c.path)).toEqual(['.mlops-project.json']);
  });
});
