/** Flags of `mlops-project image`, for its --help and the dispatcher's. */
import type { FlagRow } from './help-table.js';

export const IMAGE_ROWS: FlagRow[] = [
  { flag: '--name NAME', what: 'image name, ^[a-z][a-z0-9-]*$', required: true },
  { flag: '--base-image IMAGE', what: 'base image of the new Dockerfile', default: "the cpu image's" },
  { flag: '--dir REPO', what: 'the generated repo', default: '. (the current directory)' },
  { flag: '--dry-run', what: 'print the changes; write nothing', default: 'off' },
];

/** Its flags for node:util parseArgs. */
export const IMAGE_OPTIONS = {
  name: { type: 'string' },
  'base-image': { type: 'string' },
  // plop's spelling (it names flags after its questions), which older docs gave: the same flag.
  baseImage: { type: 'string' },
  dir: { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
