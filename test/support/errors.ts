import { expect } from 'vitest';
import { UserError } from '../../generators/shared/errors.js';

/** The message of the UserError that `fn` throws (the test fails if it throws nothing or something else). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}
