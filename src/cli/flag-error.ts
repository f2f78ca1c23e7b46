/** A flag parser's error (node:util parseArgs) as one UserError line, with "did you mean" for an unknown flag. */
import { suggestion } from '../../generators/shared/did-you-mean.js';
import { UserError } from '../../generators/shared/errors.js';

type Options = Record<string, { type: 'string' | 'boolean'; default?: unknown }>;

/** Every long flag of `options`: `--name`, and `--no-name` for a boolean that is on by default. */
export function longFlags(options: Options): string[] {
  return Object.entries(options).flatMap(([name, option]) => [
    `--${name}`,
    ...(option.type === 'boolean' && option.default === true ? [`--no-${name}`] : []),
  ]);
}

/**
 * Node's first sentence says what is wrong (`Unknown option '--platfrom'`);
 * an unknown long flag gets the nearest real one. Its last line, for a value
 * starting with "-", says how to pass it: that is the hint, else `hint`.
 */
export function flagError(error: unknown, options: Options, hint: string): UserError {
  const lines = (error instanceof Error ? error.message : String(error)).split('\n');
  const first = (lines[0] ?? '').replace(/\. To specify a positional.*$/, '').replace(/\.$/, '');
  const unknown = /^Unknown option '(--[^']+)'$/.exec(first)?.[1];
  const near = unknown === undefined ? '' : suggestion(unknown, longFlags(options));
  const dash = lines.find((l) => l.includes('=-XYZ'));
  return new UserError(`${first}${near}.`, { docs: 'unknown-option', hint: dash ?? hint });
}
