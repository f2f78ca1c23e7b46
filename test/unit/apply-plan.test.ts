import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../generators/shared/errors.js';
import { type FileMark, markFiles, type Plan } from '../../generators/project/plan.js';
import { writePlan } from '../../src/io/apply-plan.js';
import { readExisting } from '../../src/io/target-dir.js';
import { listFiles, readTree, removeDir, tempDir } from '../support/cli.js';

let work: string;
beforeEach(() => {
  work = tempDir();
});
afterEach(() => removeDir(work));

const plan = (dir: string): Plan => ({
  dir,
  files: Array.from({ length: 20 }, (_, i) => ({ path: `d${i % 3}/f${i}.txt`, content: `file ${i}\n`, mark: 'create' as FileMark })),
  git: null,
  workTree: null,
  warnings: [],
});

/** The plan marked against what `dir` holds, as create does with --force. */
const marked = (dir: string, overwrite: string[] = []): Plan => {
  const p = plan(dir);
  return markFiles(p, readExisting(dir, p.files.map((f) => f.path)), overwrite);
};

/** Every entry of `dir`, hidden ones too (no staging folder may stay). */
const entries = (dir: string): string[] => readdirSync(dir).sort();

/** A pid no process has (above any pid_max). */
const DEAD_PID = 99_999_999;

describe('writePlan', () => {
  it('writes every file of the plan', async () => {
    await writePlan(plan(join(work, 'out')), { force: false });
    expect(listFiles(join(work, 'out'))).toHaveLength(20);
    expect(entries(work)).toEqual(['out']);
  });

  it('a new target under new folders: only the topmost new folder appears, whole', async () => {
    await writePlan(plan(join(work, 'a/b/out')), { force: false });
    expect(listFiles(work)).toHaveLength(20);
    expect(entries(work)).toEqual(['a']);
  });

  it.each([
    ['a cancel mid-way', 'cancel'],
    ['a failure mid-way', 'fail'],
  ])('%s into a new target leaves nothing, not even under new parents', async (_, how) => {
    const controller = new AbortController();
    const bad = plan(join(work, 'a/b/out'));
    if (how === 'fail') bad.files.splice(10, 0, { path: 'd0/f0.txt/child', content: 'x', mark: 'create' });
    let written = 0;
    const promise = writePlan(bad, {
      force: false,
      signal: controller.signal,
      onFile: () => {
        written += 1;
        if (how === 'cancel' && written === 5) controller.abort();
      },
    });
    if (how === 'cancel') await expect(promise).rejects.toBeInstanceOf(CancelledError);
    else await expect(promise).rejects.toThrow();
    expect(entries(work)).toEqual([]);
  });

  it('an empty existing directory is filled in place: the same folder (inode), no staging folder left', async () => {
    const dir = join(work, 'out');
    mkdirSync(dir);
    const inode = statSync(dir).ino;
    await writePlan(plan(dir), { force: false });
    expect(statSync(dir).ino).toBe(inode);
    expect(listFiles(dir)).toHaveLength(20);
    expect(entries(dir)).toEqual(['d0', 'd1', 'd2']);
  });

  // onFile counts the 20 files staged, then the moves into place (d0, d1, d2): a cancel at each point.
  it.each([3, 20, 21, 22, 23])('in place, a cancel after step %i leaves the folder as it was', async (at) => {
    const dir = join(work, 'out');
    mkdirSync(dir);
    const inode = statSync(dir).ino;
    const controller = new AbortController();
    let step = 0;
    const promise = writePlan(plan(dir), {
      force: false,
      signal: controller.signal,
      onFile: () => {
        step += 1;
        if (step === at) controller.abort();
      },
    });
    await expect(promise).rejects.toBeInstanceOf(CancelledError);
    expect(entries(dir)).toEqual([]);
    expect(statSync(dir).ino).toBe(inode);
  });

  it('refuses a non-empty directory without force', async () => {
    mkdirSync(join(work, 'out'));
    writeFileSync(join(work, 'out/keep'), 'k');
    await expect(writePlan(plan(join(work, 'out')), { force: false })).rejects.toThrow(/is not empty: keep/);
    expect(listFiles(work)).toEqual(['out/keep']);
  });
});

describe('--force: a file of the user is kept unless named', () => {
  const setup = (): string => {
    const dir = join(work, 'out');
    mkdirSync(join(dir, 'd1'), { recursive: true });
    writeFileSync(join(dir, 'd1/f1.txt'), 'mine\n');
    writeFileSync(join(dir, 'd1/f4.txt'), 'file 4\n');
    writeFileSync(join(dir, 'd1/notes'), 'notes\n');
    return dir;
  };

  it('marks: keep (differs, not named), unchanged (same bytes), create (absent)', () => {
    const p = marked(setup());
    const mark = (path: string): FileMark | undefined => p.files.find((f) => f.path === path)?.mark;
    expect([mark('d1/f1.txt'), mark('d1/f4.txt'), mark('d0/f0.txt')]).toEqual(['keep', 'unchanged', 'create']);
    expect(p.warnings.map((w) => w.message)).toEqual([
      'Keeping 1 file of yours that differs from the generated one (not in the first commit): d1/f1.txt. To replace one, add --overwrite PATH (repeatable; --overwrite . for all).',
    ]);
  });

  it.each([[['d1/f1.txt']], [['./d1/']], [['.']]])('--overwrite %j names it', (names) => {
    expect(marked(setup(), names).files.find((f) => f.path === 'd1/f1.txt')?.mark).toBe('overwrite');
  });

  it('--overwrite of a path with no generated file is an error, not a silent keep', () => {
    expect(() => marked(setup(), ['d1/f1.md'])).toThrow('--overwrite d1/f1.md: no generated file is at or under that path.');
    expect(() => marked(setup(), [''])).toThrow(/no generated file/);
  });

  it('writes create and overwrite, keeps the rest byte for byte, leaves the unchanged file untouched', async () => {
    const dir = setup();
    const unchanged = statSync(join(dir, 'd1/f4.txt'));
    await writePlan(marked(dir), { force: true });
    expect(readFileSync(join(dir, 'd1/f1.txt'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(dir, 'd1/notes'), 'utf8')).toBe('notes\n');
    expect(statSync(join(dir, 'd1/f4.txt')).ino).toBe(unchanged.ino);
    expect(listFiles(dir)).toHaveLength(21);
    expect(entries(dir)).toEqual(['d0', 'd1', 'd2']);

    const again = setup();
    await writePlan(marked(again, ['d1/f1.txt']), { force: true });
    expect(readFileSync(join(again, 'd1/f1.txt'), 'utf8')).toBe('file 1\n');
  });

  it('a cancel while moving into place puts the overwritten file of the user back', async () => {
    const dir = setup();
    const before = readTree(dir);
    const controller = new AbortController();
    let step = 0;
    const promise = writePlan(marked(dir, ['.']), {
      force: true,
      signal: controller.signal,
      onFile: () => {
        step += 1;
        // 19 files staged (f4 is unchanged), then the moves: d0, d1/f1.txt (an overwrite), ...
        if (step === 21) controller.abort();
      },
    });
    await expect(promise).rejects.toBeInstanceOf(CancelledError);
    expect(readTree(dir)).toEqual(before);
    expect(entries(dir)).toEqual(['d1']);
  });

  it('a folder where the plan writes a file is refused before anything is written', () => {
    const dir = join(work, 'out');
    mkdirSync(join(dir, 'd0/f0.txt'), { recursive: true });
    expect(() => marked(dir)).toThrow('Cannot write d0/f0.txt into');
    writeFileSync(join(dir, 'd1'), 'a file');
    expect(() => readExisting(dir, ['d1/f1.txt'])).toThrow(/d1 is a file, and the plan needs a folder there/);
  });
});

describe('leftovers of a run that was killed', () => {
  it('a staging folder beside a new target is removed; one of a live run is not touched', async () => {
    const dead = join(work, `.out.create-mlops-project-staging-${DEAD_PID}-ab12`);
    const live = join(work, `.out.create-mlops-project-staging-1-ab12`);
    mkdirSync(join(dead, 'd0'), { recursive: true });
    mkdirSync(live);
    await writePlan(plan(join(work, 'out')), { force: false });
    expect(entries(work)).toEqual([live.slice(work.length + 1), 'out']);
  });

  it('a staging folder inside the target does not make it "not empty", and is removed', async () => {
    const dir = join(work, 'out');
    mkdirSync(join(dir, `.create-mlops-project-staging-${DEAD_PID}-ab12/tree/d0`), { recursive: true });
    await writePlan(plan(dir), { force: false });
    expect(entries(dir)).toEqual(['d0', 'd1', 'd2']);
  });

  it('moves half done (killed between two renames) are undone, and the user file moved aside is put back', async () => {
    const dir = join(work, 'out');
    const staging = join(dir, `.create-mlops-project-staging-${DEAD_PID}-ab12`);
    // The journal lists three moves: a folder moved in whole (done), an overwrite (user file aside, new one in), one not done.
    mkdirSync(join(staging, 'tree/later'), { recursive: true });
    mkdirSync(join(staging, 'old'), { recursive: true });
    mkdirSync(join(dir, 'moved'));
    writeFileSync(join(dir, 'moved/x'), 'ours');
    writeFileSync(join(staging, 'old/README'), 'the user wrote this');
    writeFileSync(join(dir, 'README'), 'generated');
    writeFileSync(join(staging, 'moves.json'), JSON.stringify({ moves: ['moved', 'README', 'later'], replaced: ['README'] }));
    await expect(writePlan(plan(dir), { force: false })).rejects.toThrow(/is not empty: README\.$/);
    expect(readTree(dir)).toEqual({ README: 'the user wrote this' });
    expect(entries(dir)).toEqual(['README']);
  });

  it('an undo that was itself killed is not done twice: the file of the user already put back stays', async () => {
    const dir = join(work, 'out');
    const staging = join(dir, `.create-mlops-project-staging-${DEAD_PID}-ab12`);
    // README.md was replaced, then put back by an undo; the run was killed while removing its staging folder.
    mkdirSync(join(staging, 'tree'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), 'the user wrote this');
    writeFileSync(join(staging, 'moves.json'), JSON.stringify({ moves: ['README.md', 'd0'], replaced: ['README.md'] }));
    await writePlan(marked(dir), { force: true });
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('the user wrote this');
    expect(entries(dir)).toEqual(['README.md', 'd0', 'd1', 'd2']);
  });
});
