/**
 * The only place that exits: a user error prints its one line, its hint if
 * any, and the address of the docs section that explains it (exit 1, or 130
 * on cancel); anything else is a bug and prints its stack.
 */
import { UserError } from '../../generators/shared/errors.js';
import { dim, docsLine, red } from './output.js';


/** A user error as printed: its line, its hint if any, and the address of the docs that explain it. */
export function printUserError(error: UserError): void {
  process.stderr.write(`${red('error', process.stderr)} ${error.message}\n`);
  if (error.hint) process.stderr.write(`${dim(error.hint, process.stderr)}\n`);
  docsLine(error.docs);
}

export function runMain(main: () => Promise<void>): void {
  // `create-mlops-project --help | head -2`: a closed pipe is not an error worth a stack.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  main().then(
    () => {
      process.exitCode ??= 0;
    },
    (error: unknown) => {
      if (error instanceof UserError) {
        printUserError(error);
        process.exitCode = error.exitCode;
      } else {
        process.stderr.write(`${red('internal error', process.stderr)} (a bug: please report it with this output)\n`);
        process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 70;
      }
    },
  );
}
