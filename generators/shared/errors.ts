import type { TroubleshootingAnchor } from './docs.js';

/**
 * A mistake the user can fix: printed as one line, an optional hint (what to
 * do), and the address of the troubleshooting section that explains it;
 * exit code 1, no stack. Anything else that is thrown is a bug and prints
 * its stack.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;
  /** The section of docs/troubleshooting.md that explains this error. */
  readonly docs: TroubleshootingAnchor;

  constructor(message: string, options: { docs: TroubleshootingAnchor; hint?: string; exitCode?: number }) {
    super(message);
    this.name = 'UserError';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
    this.docs = options.docs;
  }
}

/** The user cancelled (Ctrl-C at a prompt, or SIGINT): exit 130; by default nothing was written. */
export class CancelledError extends UserError {
  constructor(message = 'Cancelled: nothing was written.') {
    super(message, { docs: 'cancelled', exitCode: 130 });
    this.name = 'CancelledError';
  }
}

/**
 * Awaits a prompt of @inquirer/prompts (or several, in one promise): Ctrl-C
 * there (ExitPromptError) or an aborted prompt becomes a CancelledError.
 */
export async function cancellable<T>(prompt: Promise<T>): Promise<T> {
  try {
    return await prompt;
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) throw new CancelledError();
    throw error;
  }
}
