/**
 * `plop image` / `mlops-project image`: add a Docker image to a generated
 * repo. Pure: takes the repo's files, returns every edit, computed before
 * anything is written. The new build job is a copy of the cpu job (its
 * builder, credentials, rules and needs) up to names.
 */
import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { quoted } from '../project/answers.js';
import { ANSWERS_FILE, parseRecord, renderRecord, type ProjectRecord } from '../project/answers-file.js';
import { UserError } from '../shared/errors.js';
import { buildSwitchOf, dockerfileOf, dockerfileShapeOf, type ImageSpec } from './images.js';
import { PipelineError, parsePipeline } from '../project/pipeline.js';
import type { FileChange, ReadRepoFile } from '../shared/repo-change.js';
import { applySplices, itemLines, pairLines, type Splice } from '../shared/text-splice.js';

export const PIPELINE_FILE = '.gitlab-ci.yml';
export const IMAGES_DOC = 'docs/images.md';
export const PIPELINE_DOC = 'docs/pipeline.md';
export const RETAG_JOB = 'build:retag-images';

export const IMAGE_NAME_RULE = /^[a-z][a-z0-9-]*$/;
const BASE_IMAGE_RULE = /^[a-zA-Z0-9][a-zA-Z0-9._/:@+-]*$/;

export interface AddImageRequest {
  name: string;
  /** Base image of the new Dockerfile; default: the one of the image it is copied from. */
  baseImage?: string;
}

export type { FileChange, ReadRepoFile } from '../shared/repo-change.js';

export const jobOf = (image: string): string => `build:${image}-image`;

export function checkImageName(name: string): string | undefined {
  if (!IMAGE_NAME_RULE.test(name))
    return `image name must start with a lower-case letter and hold only a-z, 0-9 and "-"; got ${quoted(name)}`;
  if (name.endsWith('-')) return `image name must not end with "-"; got ${quoted(name)}`;
  if (name.length > 40) return `image name is too long (${name.length} characters; at most 40)`;
  return undefined;
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key) as Pair | undefined;
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

/** Replace `from` by `to` in `slice` wherever `from` stands as a whole word of a name. */
function renameIn(slice: string, from: string, to: string): string {
  const escaped = from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return slice.replace(new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, 'g'), to);
}

interface Names {
  job: string;
  image: string;
  dockerfile: string;
  buildSwitch: string;
}

/** The text of `slice` with every name of `from` replaced by the names of `to`. */
function renameAll(slice: string, from: Names, to: Names): string {
  let out = slice;
  out = renameIn(out, from.job, to.job);
  out = renameIn(out, from.dockerfile, to.dockerfile);
  out = renameIn(out, from.buildSwitch, to.buildSwitch);
  out = out.replace(new RegExp(`(IMAGE_NAME:\\s*["']?)${from.image}(["']?\\s*(#.*)?)$`, 'm'), `$1${to.image}$2`);
  out = out.replaceAll(`/${from.image}:`, `/${to.image}:`);
  out = out.replace(new RegExp(`(cannot_retag\\s+)${from.image}\\b`, 'g'), `$1${to.image}`);
  return out;
}

function editPipeline(text: string, doc: Document.Parsed, images: string[], from: Names, to: Names): string {
  const root = doc.contents as YAMLMap;
  const splices: Splice[] = [];

  // 1. The build job: a copy of the source job's lines, after the last image job.
  const source = pairOf(root, from.job);
  if (!source || !isMap(source.value)) throw new UserError(`${PIPELINE_FILE} has no job ${from.job} to copy the new job from.`, { docs: 'image-command' });
  const imageJobs = root.items.filter((p) => {
    const key = isScalar(p.key) ? String(p.key.value) : '';
    return /^build:.+-image$/.test(key) && key !== RETAG_JOB && isMap(p.value);
  }) as Pair[];
  const jobLines = pairLines(text, source);
  const after = Math.max(...imageJobs.map((p) => pairLines(text, p).end));
  splices.push({
    at: after,
    text: `\n# ${to.image} image (added by plop image or mlops-project image: a copy of ${from.job}).\n${renameAll(text.slice(jobLines.start, jobLines.end), from, to)}`,
  });

  // 2. Its manual switch, beside the other switches.
  const variables = root.get('variables', true);
  if (!isMap(variables)) throw new UserError(`${PIPELINE_FILE} has no variables: map to add ${to.buildSwitch} to.`, { docs: 'image-command' });
  const sourceSwitch = pairOf(variables, from.buildSwitch);
  const allSwitch = pairOf(variables, 'BUILD_ALL');
  if (!sourceSwitch) throw new UserError(`${PIPELINE_FILE} has no variable ${from.buildSwitch} to copy ${to.buildSwitch} from.`, { docs: 'image-command' });
  const switches = variables.items.filter((p) => /^BUILD_/.test(scalarText(p.key) ?? '') && scalarText(p.key) !== 'BUILD_CONDA') as Pair[];
  const switchLines = pairLines(text, sourceSwitch);
  let switchText = renameAll(text.slice(switchLines.start, switchLines.end), from, to);
  switchText = switchText.replace(/(description:[ \t]*)(["']?).*\2[ \t]*$/m, `$1"true: build the ${to.image} image."`);
  splices.push({ at: Math.max(...[...switches, allSwitch ?? sourceSwitch].map((p) => pairLines(text, p).end)), text: switchText });

  // 3. The retag line (and a needs entry, if the retag job lists image jobs), after the last image's.
  const retag = root.get(RETAG_JOB, true);
  if (isMap(retag)) {
    const forImage = {
      script: (item: unknown, image: string) => isScalar(item) && String(item.value).includes(`/${image}:`),
      needs: (item: unknown, image: string) =>
        (isScalar(item) ? item.value : isMap(item) ? item.get('job') : undefined) === jobOf(image),
    };
    for (const key of ['script', 'needs'] as const) {
      const seq = retag.get(key, true);
      if (!isSeq(seq)) continue;
      const sourceItem = seq.items.find((item) => forImage[key](item, from.image));
      if (!sourceItem) continue;
      const lines = itemLines(text, sourceItem as Node);
      const imageItems = seq.items.filter((item) => images.some((image) => forImage[key](item, image)));
      const at = Math.max(...imageItems.map((item) => itemLines(text, item as Node).end));
      splices.push({ at, text: renameAll(text.slice(lines.start, lines.end), from, to) });
    }
  }
  return applySplices(text, splices);
}

function editImagesDoc(text: string, from: Names, to: Names): string {
  const lines = text.split('\n');
  const row = lines.findIndex((l) => /^\s*\|/.test(l) && l.includes(from.dockerfile));
  if (row === -1) return text;
  let last = row;
  while (last + 1 < lines.length && /^\s*\|/.test(lines[last + 1] ?? '')) last += 1;
  const source = lines[row] ?? '';
  const cells = source.split('|');
  // `| cpu | docker/x-cpu.Dockerfile | BUILD_DATAPREP |`: rename the first cell's image name too.
  if (cells[1] !== undefined) cells[1] = cells[1].replace(from.image, to.image);
  lines.splice(last + 1, 0, renameAll(cells.join('|'), from, to));
  return lines.join('\n');
}

/**
 * docs/pipeline.md's variables table gains a row for the new switch, after
 * the last BUILD_ row; a page without that table is left as it is.
 */
function editPipelineDoc(text: string, to: Names): string {
  const lines = text.split('\n');
  const last = lines.findLastIndex((l) => /^\| `BUILD_[A-Z0-9_]+` \|/.test(l));
  if (last === -1) return text;
  lines.splice(last + 1, 0, `| \`${to.buildSwitch}\` | \`false\` | \`true\`: build the ${to.image} image (Run pipeline, schedules, API, triggers) |`);
  return lines.join('\n');
}

/**
 * The new image's Dockerfile: a copy of the source image's, with its own
 * names in the usage comments, a first comment line saying what it is, and
 * the base image if one was given.
 */
function editDockerfile(text: string, path: string, from: Names, to: Names, repoName: string, baseImage: string | undefined): string {
  let out = renameIn(text, from.dockerfile, to.dockerfile);
  out = renameIn(out, `${repoName}-${from.image}`, `${repoName}-${to.image}`);
  out = out.replace(/^# [^\n]*\bimage:[^\n]*$/im, `# ${to.image} image (a copy of the ${from.image} image's Dockerfile: adapt what it installs and runs).`);
  if (baseImage === undefined) return out;
  const pattern = /^ARG BASE_IMAGE=.*$/m;
  if (!pattern.test(out)) throw new UserError(`${path} has no "ARG BASE_IMAGE=" line to set the base image in.`, { docs: 'image-command' });
  return out.replace(pattern, `ARG BASE_IMAGE=${baseImage}`);
}

/** The base image of the cpu image (the default base of a new image), if the repo has one. */
export function defaultBaseImage(read: ReadRepoFile): string | undefined {
  const recordText = read(ANSWERS_FILE);
  if (recordText === undefined) return undefined;
  const record = parseRecord(recordText, ANSWERS_FILE);
  const cpu = record.images.find((i) => i.name === 'cpu') ?? record.images[0];
  return cpu ? /^ARG BASE_IMAGE=(.*)$/m.exec(read(cpu.dockerfile) ?? '')?.[1]?.trim() : undefined;
}

/** Every change `image` makes to the repo, or a UserError; nothing is written here. */
export function planAddImage(read: ReadRepoFile, request: AddImageRequest): FileChange[] {
  const recordText = read(ANSWERS_FILE);
  if (recordText === undefined)
    throw new UserError(`No ${ANSWERS_FILE} here: run this in a repo made by create-mlops-project (or pass --dir).`, { docs: 'not-a-generated-repo' });
  const record: ProjectRecord = parseRecord(recordText, ANSWERS_FILE);
  const problem = checkImageName(request.name);
  if (problem) throw new UserError(`Invalid image name: ${problem}.`, { docs: 'image-command' });
  if (request.baseImage !== undefined && !BASE_IMAGE_RULE.test(request.baseImage))
    throw new UserError(`Invalid base image ${quoted(request.baseImage)}: expected an image reference like python:3.12-slim.`, { docs: 'image-command' });

  const repo = record.answers.repoName;
  const to: Names = {
    image: request.name,
    job: jobOf(request.name),
    dockerfile: dockerfileOf(repo, request.name),
    buildSwitch: buildSwitchOf(request.name),
  };
  if (record.images.some((i) => i.name === to.image))
    throw new UserError(`Image "${to.image}" already exists (see ${ANSWERS_FILE}); pick another name.`, { docs: 'image-command' });

  const pipelineText = read(PIPELINE_FILE);
  if (pipelineText === undefined) throw new UserError(`No ${PIPELINE_FILE} in this repo.`, { docs: 'image-command' });
  let doc: Document.Parsed;
  try {
    doc = parsePipeline(pipelineText, PIPELINE_FILE);
  } catch (error) {
    if (error instanceof PipelineError) throw new UserError(`${error.message}; fix it, then add the image.`, { docs: 'image-command' });
    throw error;
  }
  if ((doc.contents as YAMLMap).has(to.job)) throw new UserError(`${PIPELINE_FILE} already has a job ${to.job}.`, { docs: 'image-command' });
  if (read(to.dockerfile) !== undefined) throw new UserError(`${to.dockerfile} already exists.`, { docs: 'image-command' });
  const variables = doc.get('variables', true);
  if (isMap(variables) && variables.has(to.buildSwitch))
    throw new UserError(`${PIPELINE_FILE} already has a variable ${to.buildSwitch} (image "${to.image}" would use it).`, { docs: 'image-command' });

  // The image to copy: cpu, as the guide's first image, else the first one still in the pipeline.
  const candidates: ImageSpec[] = [...record.images].sort((a, b) => Number(b.name === 'cpu') - Number(a.name === 'cpu'));
  const sourceSpec = candidates.find((i) => (doc.contents as YAMLMap).has(jobOf(i.name)) && read(i.dockerfile) !== undefined);
  if (!sourceSpec) throw new UserError(`No image job to copy: none of ${record.images.map((i) => jobOf(i.name)).join(', ')} is in ${PIPELINE_FILE} with its Dockerfile.`, { docs: 'image-command' });
  const namesOf = (spec: ImageSpec): Names => ({ image: spec.name, job: jobOf(spec.name), dockerfile: spec.dockerfile, buildSwitch: spec.buildSwitch });
  const from = namesOf(sourceSpec);
  // The Dockerfile: the cpu one, or the gpu one on a base without python3 (images.ts, BASES_WITHOUT_PYTHON).
  let dockerFrom = from;
  if (request.baseImage !== undefined && dockerfileShapeOf(request.baseImage) === 'gpu') {
    const gpu = record.images.find((i) => i.name === 'gpu');
    if (!gpu || read(gpu.dockerfile) === undefined)
      throw new UserError(
        `Base image ${quoted(request.baseImage)} has no python3, and this repo has no gpu Dockerfile to copy (it installs python3): add the image on a python base, then set its ARG BASE_IMAGE= line.`,
        { docs: 'image-command' },
      );
    dockerFrom = namesOf(gpu);
  }

  const changes: FileChange[] = [
    { path: PIPELINE_FILE, content: editPipeline(pipelineText, doc, record.images.map((i) => i.name), from, to), created: false },
    {
      path: to.dockerfile,
      content: editDockerfile(read(dockerFrom.dockerfile) ?? '', dockerFrom.dockerfile, dockerFrom, to, repo, request.baseImage),
      created: true,
    },
  ];
  const imagesDoc = read(IMAGES_DOC);
  if (imagesDoc !== undefined) {
    const edited = editImagesDoc(imagesDoc, from, to);
    if (edited !== imagesDoc) changes.push({ path: IMAGES_DOC, content: edited, created: false });
  }
  const pipelineDoc = read(PIPELINE_DOC);
  if (pipelineDoc !== undefined) {
    const edited = editPipelineDoc(pipelineDoc, to);
    if (edited !== pipelineDoc) changes.push({ path: PIPELINE_DOC, content: edited, created: false });
  }
  const newRecord: ProjectRecord = { ...record, images: [...record.images, { name: to.image, dockerfile: to.dockerfile, buildSwitch: to.buildSwitch }] };
  changes.push({ path: ANSWERS_FILE, content: renderRecord(newRecord), created: false });

  // The edited pipeline must still parse, and hold the new job.
  const check = parsePipeline(changes[0]!.content, `edited ${PIPELINE_FILE}`);
  if (!(check.contents as YAMLMap).has(to.job)) throw new Error(`internal: ${to.job} missing after the edit`);
  return changes;
}
