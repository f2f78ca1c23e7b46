/**
 * Build step: compose the pipeline of every platform + builder from
 * template/_gitlab-ci.yml and template/ci-overlays/, into dist/pipelines/,
 * so that creating a repo needs no YAML parser (start-up time).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeVariant } from '../generators/project/pipeline.js';
import { variantsOf } from '../generators/platforms/variants.js';

const root = process.cwd();
const read = (path: string): string => readFileSync(join(root, 'template', path), 'utf8');
const out = join(root, 'dist/pipelines');
mkdirSync(out, { recursive: true });
for (const variant of variantsOf()) {
  const overlays = variant.overlays.map((name) => ({ name: `ci-overlays/${name}.yml`, text: read(`ci-overlays/${name}.yml`) }));
  writeFileSync(join(out, `${variant.id}.yml`), composeVariant(read('_gitlab-ci.yml'), overlays));
}
