/** Flags of `mlops-project set-registry`, for its --help and the dispatcher's. */
import type { FlagRow } from './help-table.js';

export const SET_REGISTRY_ROWS: FlagRow[] = [
  { flag: 'HOST/PATH', what: 'the registry images go to, checked as create checks --registry', required: true },
  { flag: '--dir REPO', what: 'the generated repo', default: '. (the current directory)' },
  { flag: '--dry-run', what: 'print the changes; write nothing', default: 'off' },
];

/** Its flags for node:util parseArgs. */
export const SET_REGISTRY_OPTIONS = {
  dir: { type: 'string' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
