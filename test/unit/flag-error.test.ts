/** "did you mean" for the flags of each command: its parser's error, as the user sees it. */
import { describe, expect, it } from 'vitest';
import { parseCreateArgs } from '../../src/cli/create-args.js';
import { imageCommand } from '../../src/cli/image-command.js';
import { setRegistryCommand } from '../../src/cli/set-registry-command.js';
import { UserError } from '../../generators/shared/errors.js';
import { parseGitLabVariablesArgs } from '../../src/gitlab/args.js';

async function errorOf(run: () => unknown): Promise<UserError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('an unknown flag', () => {
  it.each([
    [['--platfrom', 'gcp'], "Unknown option '--platfrom' (did you mean --platform?)."],
    [['--platfrom=gcp'], "Unknown option '--platfrom' (did you mean --platform?)."],
    [['--no-gti'], "Unknown option '--no-gti' (did you mean --no-git?)."],
    [['--gitlab-porject', 'x'], "Unknown option '--gitlab-porject' (did you mean --gitlab-project?)."],
    [['--dryrun'], "Unknown option '--dryrun' (did you mean --dry-run?)."],
    [['--frobnicate'], "Unknown option '--frobnicate'."],
    [['-q'], "Unknown option '-q'."],
  ])('create-mlops-project %j', async (argv, message) => {
    const error = await errorOf(() => parseCreateArgs(argv));
    expect(error.message).toBe(message);
    expect(error.hint).toBe('Run create-mlops-project --help for the flags.');
    expect(error.docs).toBe('unknown-option');
  });

  it.each([
    [['--nmae', 'x'], "Unknown option '--nmae' (did you mean --name?)."],
    [['--base-imgae', 'x'], "Unknown option '--base-imgae' (did you mean --base-image?)."],
  ])('mlops-project image %j', async (argv, message) => {
    const error = await errorOf(() => imageCommand(argv));
    expect(error.message).toBe(message);
    expect(error.hint).toBe('Run mlops-project image --help.');
  });

  it.each([
    [['--gitlab-projet', 'x'], "Unknown option '--gitlab-projet' (did you mean --gitlab-project?)."],
    [['--no-protcted'], "Unknown option '--no-protcted' (did you mean --no-protected?)."],
    [['--token', 'x'], "Unknown option '--token'."],
  ])('mlops-project gitlab-variables %j', async (argv, message) => {
    const error = await errorOf(() => parseGitLabVariablesArgs(argv));
    expect(error.message).toBe(message);
    expect(error.hint).toBe('Run mlops-project gitlab-variables --help for the flags.');
  });

  it.each([
    [['harbor.example.com/x', '--dryrun'], "Unknown option '--dryrun' (did you mean --dry-run?)."],
    [['--frob'], "Unknown option '--frob'."],
  ])('mlops-project set-registry %j', async (argv, message) => {
    const error = await errorOf(() => setRegistryCommand(argv));
    expect(error.message).toBe(message);
    expect(error.hint).toBe('Run mlops-project set-registry --help.');
  });

  it('a value starting with "-" keeps its hint: how to pass it', async () => {
    const error = await errorOf(() => parseCreateArgs(['--description', '-x']));
    expect(error.message).toBe("Option '--description' argument is ambiguous.");
    expect(error.hint).toMatch(/--description=-XYZ/);
  });
});
