/**
 * An interactive run of create-mlops-project so far: the answers and
 * settings given and typed, printed as one command line when the run ends
 * before the repo is written (an error, Ctrl-C, a refused check), so that a
 * retry needs no retyping. Secrets are never in it.
 */
import { sep } from 'node:path';
import { commandLine, type RunSettings } from '../../generators/project/command-line.js';
import { CancelledError } from '../../generators/shared/errors.js';
import { shellQuote } from '../../generators/shared/shell-quote.js';
import { VERSION } from '../../generators/shared/version.js';
import { dim } from './output.js';
import { printUserError } from './run-main.js';

/** An interactive run so far: printed as one command line if it ends before the repo is written. */
export const sofar: { run: RunSettings | undefined; typed: boolean; written: boolean } = { run: undefined, typed: false, written: false };

/** How the user runs this command again: npx at this version when it came from npm, else this bin by its path. */
function createCommand(): string {
  const bin = process.argv[1] ?? 'create-mlops-project';
  return bin.split(sep).includes('node_modules') ? `npx create-mlops-project@${VERSION}` : `node ${shellQuote(bin)}`;
}

/** The answers of an interactive run that ends before the repo is written, as one command line for a retry. */
export function printAnswersSoFar(): void {
  if (sofar.typed && !sofar.written && sofar.run)
    process.stderr.write(`${dim('The answers so far, as one command (to start again without typing them; secrets are never in it):', process.stderr)}\n  ${commandLine(createCommand(), sofar.run)}\n`);
}

/**
 * Ctrl-C between two prompts (the GitLab checks wait on the network): the same
 * end as at a prompt. A prompt has the terminal in raw mode, so Ctrl-C there
 * is a key it handles, not this signal.
 */
export function interruptedBetweenPrompts(): void {
  printAnswersSoFar();
  printUserError(new CancelledError());
  process.exit(130);
}

