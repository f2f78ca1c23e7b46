/**
 * A generated repo as a given version of the template renders it for a set
 * of answers and images: the files `create-mlops-project` writes, then each
 * image added since, as `mlops-project image` adds it. Deterministic (no
 * dates, no random values), so an unchanged template renders the same bytes.
 * Pure: the template, the built files and the pipelines come in as data.
 */
import type { ImageSpec } from '../image/images.js';
import { planAddImage } from '../image/add-image.js';
import { defaultImages } from '../image/images.js';
import type { Answers } from '../project/answers.js';
import { planProject } from '../project/plan.js';
import type { SourceFile } from '../project/template.js';
import { variantOf } from '../platforms/variants.js';

/** A repo's files by path (POSIX, relative to its root). */
export type Tree = ReadonlyMap<string, string>;

export interface RenderInputs {
  answers: Answers;
  /** Every image of the repo's record, the defaults (cpu, gpu) included. */
  images: readonly ImageSpec[];
  /** The base image of each added image, by name (from its Dockerfile); absent: the one `image` copies. */
  baseImages: Readonly<Record<string, string | undefined>>;
  template: SourceFile[];
  built: SourceFile[];
  /** The composed pipeline of a variant id (dist/pipelines/<id>.yml). */
  pipelineOf: (variantId: string) => string;
  version: string;
}

export function renderRepo(inputs: RenderInputs): Tree {
  const { answers } = inputs;
  const plan = planProject({
    dir: '.',
    answers,
    template: inputs.template,
    built: inputs.built,
    pipeline: inputs.pipelineOf(variantOf(answers).id),
    version: inputs.version,
    git: false,
  });
  const files = new Map(plan.files.map((f) => [f.path, f.content]));
  const defaults = new Set(defaultImages(answers.repoName).map((i) => i.name));
  for (const image of inputs.images) {
    if (defaults.has(image.name)) continue;
    const baseImage = inputs.baseImages[image.name];
    const changes = planAddImage((path) => files.get(path), { name: image.name, ...(baseImage === undefined ? {} : { baseImage }) });
    for (const change of changes) files.set(change.path, change.content);
  }
  return files;
}

/** The base image a Dockerfile names (`ARG BASE_IMAGE=...`), if any. */
export function baseImageOf(dockerfile: string | undefined): string | undefined {
  const match = /^ARG BASE_IMAGE=["']?([^"'\s]+)["']?\s*$/m.exec(dockerfile ?? '');
  return match?.[1];
}
