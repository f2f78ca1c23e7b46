/**
 * The built generator killed at random moments, from start-up to completion,
 * with SIGKILL (no cleanup code runs) and SIGINT (Ctrl-C), into a new folder
 * and into an existing empty one. After each kill the target is as it was
 * or complete (files and first commit), or, after a SIGKILL only, holds
 * nothing but a staging folder of ours that the next run recognises. Then a
 * second run into the same target must succeed and leave a complete repo.
 *
 * The kill moments come from a seed, printed with every failure; replay one
 * with CRASH_SEED=<seed> npx vitest run test/cli/crash.test.ts.
 */
import { existsSync, type FSWatcher, mkdirSync, readdirSync, readlinkSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_BIN, GIT_ENV, readTree, removeDir, tempDir } from '../support/cli.js';
import { rngOf } from '../support/fuzz.js';

const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ARGS = ['app', '--yes', '--registry', 'r.example.com/team/app'];
/** Kill moments per signal and kind of target, spread over the whole run (one in each slice of it). */
const KILLS = 3;
const STAGING = /create-mlops-project-staging-\d+-/;

let work: string;
let complete: Record<string, string>;
/** How long a whole run takes here (ms): the kill moments are fractions of it. */
let runTime: number;

const generate = (cwd: string, extra: string[] = []) => execa(process.execPath, [CREATE_BIN, ...ARGS, ...extra], { cwd, env: GIT_ENV, reject: false });

beforeAll(async () => {
  work = tempDir('cmp-crash-');
  mkdirSync(join(work, 'ref'));
  const start = performance.now();
  const result = await generate(join(work, 'ref'));
  runTime = performance.now() - start;
  if (result.exitCode !== 0) throw new Error(`the reference run failed: ${result.stderr}`);
  complete = readTree(join(work, 'ref/app'));
});
afterAll(() => removeDir(work));

/** Until no process (an orphaned git of a killed run) has its working directory under `dir`. */
async function settled(dir: string): Promise<void> {
  for (let i = 0; i < 250; i += 1) {
    const busy = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .some((p) => {
        try {
          return readlinkSync(`/proc/${p}/cwd`).startsWith(dir);
        } catch {
          return false;
        }
      });
    if (!busy) return;
    await sleep(20);
  }
  throw new Error(`processes still running in ${dir}`);
}

const git = async (dir: string, args: string[]): Promise<string> => String((await execa('git', args, { cwd: dir, env: GIT_ENV, reject: false })).stdout).trim();

/** True when `dir` holds the complete repo: every file as the reference run wrote it, one commit, nothing uncommitted. */
async function isComplete(dir: string): Promise<boolean> {
  let tree: Record<string, string>;
  try {
    tree = readTree(dir);
  } catch {
    return false;
  }
  if (JSON.stringify(tree) !== JSON.stringify(complete)) return false;
  return (await git(dir, ['rev-list', '--count', 'HEAD'])) === '1' && (await git(dir, ['status', '--porcelain', '--ignored'])) === '';
}

type Kind = 'new' | 'empty';

interface Case {
  signal: 'SIGKILL' | 'SIGINT';
  kind: Kind;
  /** When: a fraction of a whole run after the spawn, or the instant the run starts putting its files into place. */
  at: number | 'moving';
}

const next = rngOf(SEED);
const CASES: Case[] = [];
for (const signal of ['SIGKILL', 'SIGINT'] as const)
  for (const kind of ['new', 'empty'] as const) {
    for (let slice = 0; slice < KILLS; slice += 1) CASES.push({ signal, kind, at: (slice + next()) / KILLS });
    CASES.push({ signal, kind, at: 'moving' });
  }

/**
 * Resolves the instant the run starts putting files into place: into an
 * empty target, when its journal of moves appears in the staging folder;
 * into a new one, when the target appears (renamed from the staging folder).
 */
function moving(parent: string, kind: Kind): { promise: Promise<void>; close: () => void } {
  const watchers: FSWatcher[] = [];
  const close = (): void => watchers.forEach((w) => w.close());
  const promise = new Promise<void>((resolve) => {
    const target = join(parent, 'app');
    if (kind === 'new')
      watchers.push(watch(parent, (_, name) => name === 'app' && existsSync(target) && resolve()));
    else
      watchers.push(
        watch(target, (_, name) => {
          if (!name || !STAGING.test(name) || watchers.length > 1 || !existsSync(join(target, name))) return;
          watchers.push(watch(join(target, name), (__, inner) => inner === 'moves.json' && resolve()));
        }),
      );
  });
  return { promise, close };
}

describe(`killed at random moments (seed ${SEED})`, () => {
  it.each(CASES.map((c, i) => [i, c.signal, c.kind, typeof c.at === 'number' ? `${Math.round(c.at * 115)}% of a run in` : 'moving into place', c] as const))(
    'case %i: %s into a %s target, %s',
    async (i, _signal, _kind, _when, c) => {
    const parent = join(work, `case-${i}`);
    const target = join(parent, 'app');
    mkdirSync(parent);
    if (c.kind === 'empty') mkdirSync(target);
    const inode = c.kind === 'empty' ? statSync(target).ino : undefined;

    const trigger = c.at === 'moving' ? moving(parent, c.kind) : undefined;
    const start = performance.now();
    const child = generate(parent);
    if (trigger) await Promise.race([trigger.promise, child]);
    else await sleep(Math.round((c.at as number) * runTime * 1.15));
    const where = `seed ${SEED}, case ${i}: ${c.signal} ${Math.round(performance.now() - start)} ms into a run into a ${c.kind} target`;
    child.kill(c.signal);
    trigger?.close();
    const first = await child;
    await settled(parent);

    // Ours, which a later run removes: staging folders beside the target or in it.
    const inTarget = existsSync(target) ? readdirSync(target) : [];
    const leftovers = [...readdirSync(parent), ...inTarget].filter((n) => STAGING.test(n));
    const others = readdirSync(parent).filter((n) => !STAGING.test(n));
    let state: 'as it was' | 'complete' | 'a staging folder';
    if (await isComplete(target)) state = 'complete';
    else if (c.kind === 'new' && others.length === 0) state = 'as it was';
    else if (c.kind === 'empty' && others.join() === 'app' && inTarget.every((n) => STAGING.test(n))) state = 'as it was';
    else if (c.signal === 'SIGKILL' && inTarget.some((n) => STAGING.test(n) && readdirSync(join(target, n)).includes('moves.json')))
      // The instant between two renames of the in-place moves: the journal says what to undo.
      state = 'a staging folder';
    else throw new Error(`${where}: neither as it was nor complete: ${Object.keys(readTree(parent)).join(', ')}\nstderr: ${first.stderr}`);
    if (c.signal === 'SIGINT') expect(leftovers, `${where}: a Ctrl-C leaves no staging folder`).toEqual([]);
    if (c.kind === 'empty') expect(statSync(target).ino, `${where}: the folder itself is kept`).toBe(inode);

    // A second run into the same target: a complete repo, nothing of the first left.
    const second = await generate(parent, state === 'complete' ? ['--force'] : []);
    expect(second.exitCode, `${where} (${state}): the second run failed: ${second.stderr}`).toBe(0);
    expect(await isComplete(target), `${where} (${state}): the second run did not leave a complete repo`).toBe(true);
    expect(readdirSync(parent), `${where}: a staging folder is left beside the target`).toEqual(['app']);
    expect(readdirSync(target).filter((n) => STAGING.test(n)), `${where}: a staging folder is left in the target`).toEqual([]);
    },
  );
});
