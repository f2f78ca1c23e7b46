/**
 * Adding an image to generated repos of both platforms and both builders, to
 * a hand-edited pipeline, twice, and two in a row; through the core, the
 * `mlops-project image` bin and a real `plop image`.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planAddImage } from '../../generators/image/add-image.js';
import { BASES_WITHOUT_PYTHON, dockerfileShapeOf } from '../../generators/image/images.js';
import { repoReader, writeChanges } from '../../src/io/repo-files.js';
import { checkPipeline, parseCi, resolveJob } from '../support/gitlab-ci-check.js';
import { MATRIX, type MatrixEntry } from '../support/matrix.js';
import { create, readTree, removeDir, ROOT, tempDir } from '../support/cli.js';
import { insertedLines } from '../support/line-diff.js';


let work: string;
beforeAll(() => {
  work = tempDir();
});
afterAll(() => removeDir(work));

const variant = (id: string): MatrixEntry => {
  const entry = MATRIX.find((e) => e.id === id);
  if (entry === undefined) throw new Error(`no variant ${id}`);
  return entry;
};

async function generate(name: string, entry: MatrixEntry): Promise<string> {
  const result = await create(
    [name, '--yes', '--no-git', '--repo-name', 'ml-app', ...entry.flags],
    work,
  );
  expect(result.exitCode, result.stderr).toBe(0);
  return join(work, name);
}

function addImage(dir: string, name: string, baseImage?: string): void {
  writeChanges(dir, planAddImage(repoReader(dir), { name, ...(baseImage ? { baseImage } : {}) }));
}

/** The cpu job, with the names a new image `image` would have. */
function cpuJobRenamed(ci: Record<string, unknown>, image: string, switchName: string): unknown {
  const text = JSON.stringify(resolveJob(ci, 'build:cpu-image'))
    .replaceAll('ml-app-cpu.Dockerfile', `ml-app-${image}.Dockerfile`)
    .replaceAll('BUILD_DATAPREP', switchName)
    .replace('"IMAGE_NAME":"cpu"', `"IMAGE_NAME":"${image}"`);
  return JSON.parse(text);
}

describe.each(MATRIX)('image added to a $id repo', (entry) => {
  let dir: string;
  let before: Record<string, string>;
  beforeAll(async () => {
    dir = await generate(entry.id, entry);
    before = readTree(dir);
    addImage(dir, 'serving', 'python:3.12-slim');
  });

  it('passes the schema and semantic checks', () => {
    expect(checkPipeline(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'))).toEqual([]);
  });

  it('makes a job equal to the cpu job up to names', () => {
    const ci = parseCi(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'));
    expect(resolveJob(ci, 'build:serving-image')).toEqual(cpuJobRenamed(ci, 'serving', 'BUILD_SERVING'));
    expect(JSON.stringify((ci.variables as Record<string, unknown>).BUILD_SERVING)).toContain('serving image');
  });

  it('changes nothing else in the pipeline: only whole lines are inserted', () => {
    const blocks = insertedLines(before['.gitlab-ci.yml']!, readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'));
    const joined = blocks.map((b) => b.join('\n'));
    expect(joined).toHaveLength(3);
    expect(joined[0]).toMatch(/^\s+BUILD_SERVING:/);
    expect(joined[1]).toMatch(/build:serving-image:/);
    expect(joined[2]).toMatch(/^\s+- crane tag "\$IMAGE_REGISTRY\/serving:\$CI_COMMIT_SHORT_SHA" "\$CI_COMMIT_TAG" \|\| cannot_retag serving$/);
  });

  it('writes the Dockerfile, the answers record and the docs row', () => {
    const after = readTree(dir);
    const dockerfile = after['docker/ml-app-serving.Dockerfile']!;
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=python:3\.12-slim$/m);
    // The cpu Dockerfile, with its own names in the comments and a first comment line of its own.
    expect(dockerfile).toMatch(/^# serving image \(a copy of the cpu image's Dockerfile/m);
    expect(dockerfile).toContain('docker build -f docker/ml-app-serving.Dockerfile -t ml-app-serving .');
    expect(dockerfile.split('\n').filter((l) => /cpu/i.test(l))).toEqual([
      "# serving image (a copy of the cpu image's Dockerfile: adapt what it installs and runs).",
    ]);
    // Line for line the cpu Dockerfile: the lines that differ are the ones naming the image, and the base image.
    const cpuLines = before['docker/ml-app-cpu.Dockerfile']!.split('\n');
    const newLines = dockerfile.split('\n');
    expect(newLines).toHaveLength(cpuLines.length);
    expect(newLines.filter((l, i) => l !== cpuLines[i]).every((l) => /serving|^ARG BASE_IMAGE=/.test(l))).toBe(true);
    const record = JSON.parse(after['.mlops-project.json']!);
    expect(record.images.at(-1)).toEqual({ name: 'serving', dockerfile: 'docker/ml-app-serving.Dockerfile', buildSwitch: 'BUILD_SERVING' });
    const docBlocks = insertedLines(before['docs/images.md']!, after['docs/images.md']!);
    expect(docBlocks).toHaveLength(1);
    expect(docBlocks[0]![0]).toMatch(/serving/);
    expect(docBlocks[0]![0]).toMatch(/BUILD_SERVING/);
    // docs/pipeline.md: one row for the new switch, right after the other BUILD_ rows.
    const pipelineDoc = insertedLines(before['docs/pipeline.md']!, after['docs/pipeline.md']!);
    expect(pipelineDoc).toEqual([['| `BUILD_SERVING` | `false` | `true`: build the serving image (Run pipeline, schedules, API, triggers) |']]);
    const rows = after['docs/pipeline.md']!.split('\n');
    expect(rows[rows.indexOf(pipelineDoc[0]![0]!) - 1]).toMatch(/^\| `BUILD_MODEL` \|/);
    const changed = Object.keys(after).filter((f) => after[f] !== before[f]).sort();
    expect(changed).toEqual(['.gitlab-ci.yml', '.mlops-project.json', 'docker/ml-app-serving.Dockerfile', 'docs/images.md', 'docs/pipeline.md']);
  });

  it('refuses the same image twice and changes nothing', () => {
    const snapshot = readTree(dir);
    expect(() => addImage(dir, 'serving')).toThrow('Image "serving" already exists (see .mlops-project.json); pick another name.');
    expect(readTree(dir)).toEqual(snapshot);
  });

  it('adds a second image after the first', () => {
    addImage(dir, 'batch-infer');
    const text = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
    expect(checkPipeline(text)).toEqual([]);
    const ci = parseCi(text);
    expect(resolveJob(ci, 'build:batch-infer-image')).toEqual(cpuJobRenamed(ci, 'batch-infer', 'BUILD_BATCH_INFER'));
    expect(text.indexOf('build:batch-infer-image:')).toBeGreaterThan(text.indexOf('build:serving-image:'));
    expect(text.indexOf('cannot_retag batch-infer')).toBeGreaterThan(text.indexOf('cannot_retag serving'));
  });
});

/** A Dockerfile's instructions: its lines without comments, blank lines and the ARG BASE_IMAGE= line. */
function instructions(dockerfile: string): string[] {
  return dockerfile.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#') && !l.startsWith('ARG BASE_IMAGE='));
}

describe('the Dockerfile shape follows the base image', () => {
  it.each([
    ['python:3.12-slim', 'cpu'],
    ['python:3.11-bookworm', 'cpu'],
    ['docker.io/library/python:3.13', 'cpu'],
    ['pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime', 'cpu'],
    ['ubuntu/python:3.12-24.04', 'cpu'],
    ['nvidia/cuda:12.8.0-runtime-ubuntu24.04', 'gpu'],
    ['nvcr.io/nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04', 'gpu'],
    ['docker.io/nvidia/cuda@sha256:0123456789abcdef', 'gpu'],
    ['ubuntu:24.04', 'gpu'],
    ['ubuntu', 'gpu'],
    ['docker.io/library/ubuntu:22.04', 'gpu'],
    ['registry.local:5000/debian:bookworm-slim', 'gpu'],
    ['localhost/library/debian', 'gpu'],
  ])('%s -> %s', (base, shape) => {
    expect(dockerfileShapeOf(base)).toBe(shape);
  });

  it('is the table both images.md pages show', () => {
    const rows = BASES_WITHOUT_PYTHON.map((b) => `| \`${b.repository}\` | ${b.what} |`);
    for (const page of [join(ROOT, 'template/docs/images.md'), join(ROOT, 'docs/images.md')]) {
      const text = readFileSync(page, 'utf8');
      const table = text.split('\n').map((l) => l.trim()).filter((l) => /^\| `[^`]+` \| /.test(l) && rows.some((r) => r.split(' | ')[0] === l.split(' | ')[0]));
      expect(table, page).toEqual(rows);
    }
  });

  it('a CUDA base gets a copy of the gpu Dockerfile, a python base a copy of the cpu one', async () => {
    const dir = await generate('cuda', variant('onprem-kaniko'));
    const before = readTree(dir);
    addImage(dir, 'trainer', 'nvcr.io/nvidia/cuda:12.4.1-runtime-ubuntu22.04');
    addImage(dir, 'server', 'python:3.11-slim');
    const after = readTree(dir);
    const trainer = after['docker/ml-app-trainer.Dockerfile']!;
    expect(trainer).toMatch(/^ARG BASE_IMAGE=nvcr\.io\/nvidia\/cuda:12\.4\.1-runtime-ubuntu22\.04$/m);
    expect(trainer).toMatch(/^# trainer image \(a copy of the gpu image's Dockerfile/m);
    expect(trainer).toContain('docker build -f docker/ml-app-trainer.Dockerfile -t ml-app-trainer .');
    const gpu = instructions(before['docker/ml-app-gpu.Dockerfile']!);
    const cpu = instructions(before['docker/ml-app-cpu.Dockerfile']!);
    expect(gpu).not.toEqual(cpu);
    expect(instructions(trainer)).toEqual(gpu);
    expect(instructions(after['docker/ml-app-server.Dockerfile']!)).toEqual(cpu);
    // The build job is a copy of the cpu job either way.
    const ci = parseCi(after['.gitlab-ci.yml']!);
    expect(checkPipeline(after['.gitlab-ci.yml']!)).toEqual([]);
    expect(resolveJob(ci, 'build:trainer-image')).toEqual(cpuJobRenamed(ci, 'trainer', 'BUILD_TRAINER'));
  });

  it('a base without python3 in a repo without the gpu Dockerfile: one line, nothing changed', async () => {
    const dir = await generate('no-gpu', variant('onprem-kaniko'));
    rmSync(join(dir, 'docker/ml-app-gpu.Dockerfile'));
    const snapshot = readTree(dir);
    expect(() => addImage(dir, 'trainer', 'ubuntu:24.04')).toThrow(/^Base image "ubuntu:24\.04" has no python3, and this repo has no gpu Dockerfile to copy/);
    expect(readTree(dir)).toEqual(snapshot);
  });
});

describe('image added to a hand-edited pipeline', () => {
  it('keeps comments, anchors, key order and the user jobs byte for byte', async () => {
    const dir = await generate('edited', variant('onprem-kaniko'));
    const path = join(dir, '.gitlab-ci.yml');
    let text = readFileSync(path, 'utf8');
    // A user's edits: an anchor and its alias, an extra job, comments, a reordered job, odd spacing.
    text = text.replace('variables:\n', 'variables:   # edited by hand\n');
    text += `
# our own job
.notify: &notify
  image: alpine:3.20   # pinned
  script: [ "echo done" ]

notify:slack:
  <<: *notify
  stage: deploy-docs
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  needs: []
`;
    // Move build:gpu-image's keys around: needs before rules.
    text = text.replace(/(build:gpu-image:\n)((?: {2}.*\n|\n(?= {2}))*)/, (_m, head: string, body: string) => {
      const needs = body.match(/ {2}needs:\n(?: {4}.*\n)+/)?.[0] ?? '';
      return head + needs + body.replace(needs, '');
    });
    expect(text).toMatch(/^build:gpu-image:\n {2}needs:\n/m);
    writeFileSync(path, text);
    expect(checkPipeline(text)).toEqual([]);

    addImage(dir, 'serving');
    const edited = readFileSync(path, 'utf8');
    expect(checkPipeline(edited)).toEqual([]);
    const blocks = insertedLines(text, edited);
    expect(blocks).toHaveLength(3);
    expect(blocks.flat().join('\n')).not.toMatch(/notify|edited by hand/);
    const ci = parseCi(edited);
    expect(resolveJob(ci, 'build:serving-image')).toEqual(cpuJobRenamed(ci, 'serving', 'BUILD_SERVING'));
    expect(resolveJob(ci, 'notify:slack')).toMatchObject({ image: 'alpine:3.20', script: ['echo done'] });
  });
});

describe('image errors: one line, nothing changed', () => {
  let dir: string;
  let snapshot: Record<string, string>;
  beforeAll(async () => {
    dir = await generate('errors', variant('gcp-key-buildah'));
    snapshot = readTree(dir);
  });

  it.each([
    ['Serving', /^Invalid image name: image name must start with a lower-case letter/],
    ['9lives', /^Invalid image name/],
    ['my_image', /only a-z, 0-9 and "-"/],
    ['cpu', /^Image "cpu" already exists/],
    ['gpu', /^Image "gpu" already exists/],
    // Shown escaped: the error stays one line.
    ['two\nlines', /^Invalid image name: [^\n]*; got "two\\nlines"\.$/],
  ])('name %j', (name, message) => {
    expect(() => addImage(dir, name)).toThrow(message);
    expect(readTree(dir)).toEqual(snapshot);
  });

  it('a bad base image', () => {
    expect(() => addImage(dir, 'x', 'python 3.12')).toThrow(/^Invalid base image "python 3\.12"/);
    expect(() => addImage(dir, 'x', 'python\n3.12')).toThrow(/^Invalid base image "python\\n3\.12": [^\n]*$/);
  });

  it('a repo that is not a generated one', () => {
    const other = tempDir();
    try {
      expect(() => addImage(other, 'x')).toThrow(/^No \.mlops-project\.json here/);
      writeFileSync(join(other, '.mlops-project.json'), '{"name": "other"}');
      expect(() => addImage(other, 'x')).toThrow(/was not written by create-mlops-project/);
    } finally {
      removeDir(other);
    }
  });

  it('a pipeline that does not parse', () => {
    const copy = join(work, 'broken');
    cpSync(dir, copy, { recursive: true });
    writeFileSync(join(copy, '.gitlab-ci.yml'), 'stages: [build\njob: {');
    const broken = readTree(copy);
    expect(() => addImage(copy, 'x')).toThrow(/^\.gitlab-ci\.yml does not parse as YAML: .*; fix it, then add the image\.$/);
    expect(readTree(copy)).toEqual(broken);
  });
});
