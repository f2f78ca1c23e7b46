/** Flags of `mlops-project update`, for its --help and the dispatcher's. */
import type { FlagRow } from './help-table.js';

export const UPDATE_ROWS: FlagRow[] = [
  { flag: '--dir REPO', what: 'the generated repo (its root)', default: '. (the current directory)' },
  { flag: '--check', what: 'exit 0 when up to date, 1 when an update exists; write nothing', default: 'off' },
  { flag: '--dry-run', what: 'list what the update would change, and which files would conflict; write nothing', default: 'off' },
  { flag: '--set KEY=VALUE', what: 'change an answer through the same merge (platform, gcpAuth, registry, runnerTag, python, builder, description, author); repeatable', default: 'none' },
  { flag: '--base REV', what: 'the commit whose files are the render this repo started from', default: 'the last render an update merged, else the first commit' },
  { flag: '--abort', what: 'undo an update with conflicts: back to your branch, the update branch deleted', default: 'off' },
  {
    flag: '--render-base',
    what: "make this version's render of the repo's answers and images again, as a commit to pass as --base (an update of this version was merged without its history, e.g. squashed); changes no file or branch",
    default: 'off',
  },
];

/** Its flags for node:util parseArgs. */
export const UPDATE_OPTIONS = {
  dir: { type: 'string' },
  check: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  set: { type: 'string', multiple: true },
  base: { type: 'string' },
  abort: { type: 'boolean' },
  'render-base': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;
