/** `mlops-project <command>`: commands that act on an existing generated repo. */
import { suggestion } from '../../generators/shared/did-you-mean.js';
import { UserError } from '../../generators/shared/errors.js';
import { VERSION } from '../../generators/shared/version.js';
import { DOCS_URL } from '../../generators/shared/docs.js';
import { GITLAB_VARIABLES_ROWS, GITLAB_VARIABLES_SECRETS } from '../gitlab/args.js';
import { type FlagRow, flagTable } from './help-table.js';
import { IMAGE_ROWS } from './image-command-flags.js';
import { SET_REGISTRY_ROWS } from './set-registry-flags.js';
import { UPDATE_ROWS } from './update-flags.js';
import { say } from './output.js';
import { runMain } from './run-main.js';

interface Command {
  /** One line for the command list. */
  summary: string;
  /** Its flags with their defaults, as listed in --help. */
  flags: FlagRow[];
  /** Listed under its flags. */
  more?: string;
  /** Loaded only when the command runs. */
  run: (argv: string[]) => Promise<void>;
}

/** One entry per command; add a command here. */
const COMMANDS: Record<string, Command> = {
  image: {
    summary: 'add a Docker image: Dockerfile, build job, BUILD_ switch, retag line, docs',
    flags: IMAGE_ROWS,
    run: async (argv) => (await import('./image-command.js')).imageCommand(argv),
  },
  'set-registry': {
    summary: 'set the image registry in .gitlab-ci.yml and .mlops-project.json (e.g. after a placeholder)',
    flags: SET_REGISTRY_ROWS,
    run: async (argv) => (await import('./set-registry-command.js')).setRegistryCommand(argv),
  },
  update: {
    summary: 'bring the repo to this version of the template: a three-way merge on a new branch',
    flags: UPDATE_ROWS,
    run: async (argv) => (await import('./update-command.js')).updateCommand(argv),
  },
  'gitlab-variables': {
    summary: 'set the registry credentials as CI/CD variables of the GitLab project (none on gitlab)',
    flags: GITLAB_VARIABLES_ROWS,
    more: GITLAB_VARIABLES_SECRETS,
    run: async (argv) => (await import('../gitlab/command.js')).gitlabVariables(argv),
  },
};

const OWN_ROWS: FlagRow[] = [
  { flag: '-h, --help', what: "show this help (mlops-project <command> --help: that command's)" },
  { flag: '-V, --version', what: 'show the version' },
];
const ALL_ROWS = [...Object.values(COMMANDS).flatMap((command) => command.flags), ...OWN_ROWS];

const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length), 'help'.length) + 2;

export const MLOPS_HELP = `Usage: mlops-project <command> [flags]

Commands for a repository made by create-mlops-project.

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(width)}${command.summary}`)
  .join('\n')}
  ${'help'.padEnd(width)}show this help

${Object.entries(COMMANDS)
  .map(([name, command]) => `Flags of ${name}:\n${flagTable(command.flags, ALL_ROWS)}${command.more ? `\n${command.more}` : ''}`)
  .join('\n')}
Flags:
${flagTable(OWN_ROWS, ALL_ROWS)}
Docs: ${DOCS_URL}
`;

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === undefined || name === 'help' || name === '-h' || name === '--help') return say(MLOPS_HELP);
  if (name === '-V' || name === '--version') return say(VERSION);
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined)
    throw new UserError(`Unknown command "${name}"${suggestion(name, Object.keys(COMMANDS))}.`, { docs: 'unknown-command', hint: 'Run mlops-project --help for the commands.' });
  await command.run(rest);
}

runMain(main);
