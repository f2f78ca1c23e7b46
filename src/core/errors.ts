/**
 * A mistake the user can fix: printed as one line (plus an optional hint),
 * exit code 1, no stack. Anything else that is thrown is a bug and prints
 * its stack.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** The user cancelled (Ctrl-C at a prompt, or SIGINT): exit 130; by default nothing was written. */
export class CancelledError extends UserError {
  constructor(message = 'Cancelled: nothing was written.') {
    super(message, { exitCode: 130 });
    this.name = 'CancelledError';
  }
}
