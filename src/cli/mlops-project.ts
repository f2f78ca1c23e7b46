/** `mlops-project <command>`: commands that act on an existing generated repo. */
import { UserError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { say } from './output.js';
import { runMain } from './run-main.js';

export const MLOPS_HELP = `Usage: mlops-project <command> [flags]

Commands for a repository made by create-mlops-project.

Commands:
  help                  show this help

Flags:
  -h, --help            show this help
  -V, --version         show the version
`;

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === undefined || command === 'help' || command === '-h' || command === '--help') return say(MLOPS_HELP);
  if (command === '-V' || command === '--version') return say(VERSION);
  void rest;
  throw new UserError(`Unknown command "${command}".`, { hint: 'Run mlops-project --help for the commands.' });
}

runMain(main);
