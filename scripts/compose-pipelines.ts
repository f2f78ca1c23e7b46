/**
 * Build step: compose the pipeline of every platform + builder from
 * template/_gitlab-ci.yml and template/ci-overlays/, into dist/pipelines/,
 * so that creating a repo needs no YAML parser (start-up time).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeVariant } from '../generators/project/pipeline.js';
import { overlaysOf, PIPELINE_VARIANTS } from '../generators/project/pipeline-settings.js';

const root = process.cwd();
const read = (path: string): string => readFileSync(join(root, 'template', path), 'utf8');
const out = join(root, 'dist/pipelines');
mkdirSync(out, { recursive: true });
for (const variant of PIPELINE_VARIANTS) {
  const overlays = overlaysOf(variant).map((name) => ({ name: `ci-overlays/${name}.yml`, text: read(`ci-overlays/${name}.yml`) }));
  writeFileSync(join(out, `${variant}.yml`), composeVariant(read('_gitlab-ci.yml'), overlays));
}
