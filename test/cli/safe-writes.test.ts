/**
 * The first run never loses anything and never fails for where it writes:
 * `.`, a mount point, a folder in a read-only parent are filled in place
 * (the folder kept); --force keeps a user's file unless named; the first
 * commit holds only the generated files; inside a git repo, no nested one.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, CREATE_BIN, GIT_ENV, listFiles, removeDir, tempDir } from '../support/cli.js';

let work: string;
beforeEach(() => {
  work = tempDir();
});
afterEach(() => removeDir(work));

const REGISTRY = ['--registry', 'r.example.com/team/app'];
/** How many files a repo has: the `create` lines of a dry run. */
const FILES = await (async () => {
  const dir = tempDir();
  const dry = await create(['app', '--yes', '--dry-run', ...REGISTRY], dir);
  removeDir(dir);
  return dry.stdout.split('\n').filter((l) => l.startsWith('  create ')).length;
})();

const git = async (dir: string, args: string[]): Promise<string> => (await execa('git', args, { cwd: dir, env: GIT_ENV })).stdout;

/** A shell script run as root in a new mount namespace (its mounts vanish with it). */
async function inMountNamespace(script: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-ec', script], { reject: false, env: GIT_ENV });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const canMount = (await execa('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /mnt'], { reject: false })).exitCode === 0;
const canSetpriv = (await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true'], { reject: false })).exitCode === 0;
if (!canMount) console.warn('safe-writes: SKIPPED the mount-point case: `unshare --mount` + `mount -t tmpfs` is not allowed here (needs root)');
if (!canSetpriv) console.warn('safe-writes: SKIPPED the read-only-parent case: `setpriv` to uid 65534 is not available here (needs root)');

describe('an existing empty target is filled in place, the folder kept', () => {
  it('`.`: the shell stays in the same folder (same inode), which now holds the repo and its first commit', async () => {
    const dir = join(work, 'here');
    mkdirSync(dir);
    const inode = statSync(dir).ino;
    const result = await create(['.', '--yes', ...REGISTRY], dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(statSync(dir).ino).toBe(inode);
    expect(listFiles(dir)).toContain('.gitlab-ci.yml');
    expect(await git(dir, ['status', '--porcelain'])).toBe('');
    expect(readdirSync(dir).filter((f) => f.includes('staging'))).toEqual([]);
    expect(readdirSync(work)).toEqual(['here']);
  });

  it.skipIf(!canMount)('a mount point: written in place, still the mount, with its first commit', async () => {
    const out = await inMountNamespace(`
      cd ${JSON.stringify(work)} && mkdir m && mount -t tmpfs tmpfs m
      node ${JSON.stringify(CREATE_BIN)} m --yes ${REGISTRY.join(' ')} >/dev/null
      echo "mounted: $(mountpoint -q m && echo yes)"
      echo "commits: $(git -C m rev-list --count HEAD)"
      echo "status: [$(git -C m status --porcelain)]"
      echo "files: $(git -C m ls-files | wc -l)"`);
    expect(out.stderr).not.toMatch(/internal error|EBUSY/);
    expect(out.exitCode, out.stderr).toBe(0);
    expect(out.stdout.split('\n')).toEqual(['mounted: yes', 'commits: 1', 'status: []', `files: ${FILES}`]);
  });

  it.skipIf(!canMount)('a disk that fills up half-way: one line, exit 1, the folder as it was', async () => {
    const out = await inMountNamespace(`
      cd ${JSON.stringify(work)} && mkdir small && mount -t tmpfs -o size=64k tmpfs small && mkdir small/app
      node ${JSON.stringify(CREATE_BIN)} small/app --yes ${REGISTRY.join(' ')} 2>&1 >/dev/null | head -2 || true
      echo "left: [$(ls -A small/app)]"`);
    expect(out.stdout.split('\n')).toEqual([
      'error Cannot write into small/app: ENOSPC.',
      'Nothing was written; free some space, or pick a folder on another disk.',
      'left: []',
    ]);
  });

  it.skipIf(!canSetpriv)('a writable folder in a parent the user cannot write to (run as an unprivileged user)', async () => {
    // root owns the parent (0755): uid 65534 can write only inside the target it owns.
    chmodSync(work, 0o755);
    const parent = join(work, 'parent');
    const dir = join(parent, 'app');
    mkdirSync(dir, { recursive: true });
    chownSync(dir, 65534, 65534);
    const result = await execa(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CREATE_BIN, 'app', '--yes', ...REGISTRY],
      { cwd: parent, reject: false, env: { ...GIT_ENV, HOME: dir } },
    );
    expect(result.stderr).not.toMatch(/internal error|EACCES/);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(parent)).toEqual(['app']);
    expect(statSync(dir).uid).toBe(65534);
    expect(await git(dir, ['-c', `safe.directory=${dir}`, 'rev-list', '--count', 'HEAD'])).toBe('1');
  });

  it.skipIf(!canSetpriv)('a new folder in a parent the user cannot write to: one clear line, exit 1, nothing written', async () => {
    chmodSync(work, 0o755);
    const result = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CREATE_BIN, 'app', '--yes', ...REGISTRY], {
      cwd: work,
      reject: false,
      env: GIT_ENV,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(`error Cannot create app in ${work}: EACCES.`);
    expect(readdirSync(work)).toEqual([]);
  });
});

describe('what a killed run left', () => {
  it('--dry-run says it will be undone, and leaves it', async () => {
    const staging = join(work, '.app.create-mlops-project-staging-99999999-ab12cd34');
    mkdirSync(join(staging, 'docs'), { recursive: true });
    const dry = await create(['app', '--yes', '--dry-run', ...REGISTRY], work);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout.split('\n')[1]).toBe('  undo and remove .app.create-mlops-project-staging-99999999-ab12cd34 (left by an interrupted run)');
    expect(readdirSync(work)).toEqual(['.app.create-mlops-project-staging-99999999-ab12cd34']);
    const real = await create(['app', '--yes', ...REGISTRY], work);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(readdirSync(work)).toEqual(['app']);
  });

  it('its .git, moved in before the kill, is undone with the rest: not taken for a repo of the user', async () => {
    const dir = join(work, 'app');
    // As a run killed in the middle of its moves leaves it: .git and README.md moved in, src not yet.
    const staging = join(dir, '.create-mlops-project-staging-99999999-ab12cd34');
    mkdirSync(join(staging, 'tree/src'), { recursive: true });
    await execa('git', ['init', '--quiet', dir]);
    writeFileSync(join(dir, 'README.md'), 'from the killed run');
    writeFileSync(join(staging, 'moves.json'), JSON.stringify({ moves: ['.git', 'README.md', 'src'] }));
    const result = await create(['app', '--yes', ...REGISTRY], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`(${FILES} files, first commit on main)`);
    expect(await git(dir, ['rev-list', '--count', 'HEAD'])).toBe('1');
    expect(await git(dir, ['status', '--porcelain', '--ignored'])).toBe('');
    expect(readdirSync(dir).filter((n) => n.includes('staging'))).toEqual([]);
  });
});

describe('--force never overwrites a file of the user silently', () => {
  const setup = (): string => {
    const dir = join(work, 'app');
    mkdirSync(dir);
    writeFileSync(join(dir, 'README.md'), '# my notes\n');
    writeFileSync(join(dir, 'data.csv'), 'a,b\n');
    return dir;
  };

  it('--dry-run --force marks each file: keep, unchanged, create, overwrite', async () => {
    const dir = setup();
    // One file that is already as generated.
    const generated = join(work, 'ref');
    expect((await create(['ref', '--yes', '--no-git', '--project-name', 'App', ...REGISTRY], work)).exitCode).toBe(0);
    writeFileSync(join(dir, 'pyproject.toml'), readFileSync(join(generated, 'pyproject.toml')));
    const dry = await create(['app', '--yes', '--force', '--dry-run', ...REGISTRY], work);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^ {2}keep README\.md \(\d+ B\)$/m);
    expect(dry.stdout).toMatch(/^ {2}unchanged pyproject\.toml \(\d+ B\)$/m);
    expect(dry.stdout).toMatch(/^ {2}create \.gitlab-ci\.yml \(\d+ B\)$/m);
    expect(dry.stdout).toContain(`git add the ${FILES - 1} files not kept`);
    expect(dry.stderr.split('\n')[0]).toBe(
      'warning Keeping 1 file of yours that differs from the generated one (not in the first commit): README.md. To replace one, add --overwrite PATH (repeatable; --overwrite . for all).',
    );
    const named = await create(['app', '--yes', '--overwrite', 'README.md', '--dry-run', ...REGISTRY], work);
    expect(named.stdout).toMatch(/^ {2}overwrite README\.md \(\d+ B\)$/m);
    expect(named.stderr).toBe('');
    expect(listFiles(dir)).toEqual(['README.md', 'data.csv', 'pyproject.toml']);
  });

  it('the first commit holds only the generated files: not the kept README.md, not data.csv', async () => {
    const dir = setup();
    const result = await create(['app', '--yes', '--force', ...REGISTRY], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('# my notes\n');
    const committed = (await git(dir, ['ls-files'])).split('\n');
    expect(committed).toHaveLength(FILES - 1);
    expect(committed).toContain('.gitlab-ci.yml');
    expect(committed).not.toContain('README.md');
    expect(committed).not.toContain('data.csv');
    expect(await git(dir, ['status', '--porcelain'])).toBe('?? README.md\n?? data.csv');
  });

  it('--overwrite README.md replaces it, and it is in the first commit', async () => {
    const dir = setup();
    const result = await create(['app', '--yes', '--overwrite', 'README.md', ...REGISTRY], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^# App\n/);
    expect((await git(dir, ['ls-files'])).split('\n')).toContain('README.md');
    expect(await git(dir, ['status', '--porcelain'])).toBe('?? data.csv');
  });

  it('--overwrite with a path the plan does not have: one line, nothing written', async () => {
    const dir = setup();
    const result = await create(['app', '--yes', '--overwrite', 'READNE.md', ...REGISTRY], work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('error --overwrite READNE.md: no generated file is at or under that path.');
    expect(listFiles(dir)).toEqual(['README.md', 'data.csv']);
  });
});

describe('inside an existing git repository', () => {
  it('a subfolder: a warning that GitLab reads only the root .gitlab-ci.yml, no nested repo, no git init advice', async () => {
    await execa('git', ['init', '--quiet', work]);
    const result = await create(['ml app', '--yes', ...REGISTRY], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(
      `warning ml app is inside the git repository ${work}, not at its root: GitLab runs only the .gitlab-ci.yml at the root of a repository, so this pipeline will not run there (no git init, no first commit: the files are for that repository to take).`,
    );
    expect(readdirSync(join(work, 'ml app'))).not.toContain('.git');
    expect(result.stdout).not.toContain('git init');
    expect(result.stdout).toContain(`  1. cd 'ml app'\n  2. commit the files in the repository ${work}: git add . && git commit -m 'Add Ml App'\n`);
  });

  it('its root (a fresh git init): no warning, no nested repo', async () => {
    await execa('git', ['init', '--quiet', work]);
    const result = await create(['.', '--yes', '--force', ...REGISTRY], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('git init');
  });
});

it('next steps quote every path for the shell', async () => {
  const result = await create(["it's here", '--yes', '--no-git', ...REGISTRY], work);
  expect(result.exitCode, result.stderr).toBe(0);
  expect(result.stdout).toContain(`  1. cd 'it'\\''s here'\n`);
});
