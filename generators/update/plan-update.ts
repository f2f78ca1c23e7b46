/**
 * `mlops-project update`, as data: what changes between the render a repo
 * started from (base), the repo as it is (ours) and the render of this
 * version (theirs), file by file; and the answers an update renders with
 * (`--set key=value`). The content merge of a file both sides changed is
 * git's (`git merge-file`, in src/io/git-update.ts). Pure.
 */
import {
  ANSWER_KEYS,
  type AnswerKey,
  type Answers,
  appliesTo,
  checkAnswer,
  defaultOf,
  flagOf,
  notApplicable,
  quoted,
} from '../project/answers.js';
import { ANSWERS_FILE } from '../project/answers-file.js';
import { suggestion } from '../shared/did-you-mean.js';
import { UserError } from '../shared/errors.js';
import type { Tree } from './render.js';

/** What the update does to one file. */
export type Outcome =
  /** The template changed it, and yours was as generated: the new one. */
  | { kind: 'update'; path: string; content: string }
  /** New in the template. */
  | { kind: 'add'; path: string; content: string }
  /** The template no longer has it, and yours was as generated: removed. */
  | { kind: 'delete'; path: string }
  /** You deleted it; the template changed it: it stays deleted. */
  | { kind: 'keep-deleted'; path: string }
  /** The template no longer has it, but you changed it: yours stays. */
  | { kind: 'keep-yours'; path: string }
  /** Both changed it: a three-way merge of the contents (base undefined: both added it). */
  | { kind: 'merge'; path: string; base: string | undefined; ours: string; theirs: string };

/**
 * Every file the update touches or decides about, in path order. Files only
 * in ours (the user's own) are not listed: they stay as they are. The
 * record (.mlops-project.json) is the generator's: it always takes theirs.
 */
export function planMerge(base: Tree, ours: Tree, theirs: Tree): Outcome[] {
  const paths = [...new Set([...base.keys(), ...theirs.keys()])].sort();
  const outcomes: Outcome[] = [];
  for (const path of paths) {
    const b = base.get(path);
    const o = ours.get(path);
    const t = theirs.get(path);
    if (t === o) continue;
    if (path === ANSWERS_FILE && t !== undefined) {
      outcomes.push({ kind: o === undefined ? 'add' : 'update', path, content: t });
      continue;
    }
    // The template did not change it: yours stands (deleted or not).
    if (t === b) continue;
    if (o === b) {
      if (t === undefined) outcomes.push({ kind: 'delete', path });
      else outcomes.push({ kind: o === undefined ? 'add' : 'update', path, content: t });
    } else if (o === undefined) outcomes.push({ kind: 'keep-deleted', path });
    else if (t === undefined) outcomes.push({ kind: 'keep-yours', path });
    else outcomes.push({ kind: 'merge', path, base: b, ours: o, theirs: t });
  }
  return outcomes;
}

/** The answers `--set` may change: those that change files in place (not names, which move files). */
export const SETTABLE: readonly AnswerKey[] = ['platform', 'gcpAuth', 'registry', 'runnerTag', 'python', 'builder', 'description', 'author'];

/** `registry=harbor.acme.io/ml/p` -> ['registry', 'harbor.acme.io/ml/p'], checked; a flag's spelling is taken too. */
export function parseSetting(text: string): [AnswerKey, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UserError(`--set takes KEY=VALUE, e.g. --set registry=harbor.example.com/team/p; got ${quoted(text)}.`, { docs: 'update' });
  const raw = text.slice(0, eq);
  const camel = raw.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const key = ANSWER_KEYS.find((k) => k === camel);
  if (key === undefined || !SETTABLE.includes(key))
    throw new UserError(
      `--set cannot change ${quoted(raw)}${suggestion(camel, SETTABLE)}: it takes ${SETTABLE.join(', ')} (a new name would move files: generate a new repo for that).`,
      { docs: 'update' },
    );
  return [key, text.slice(eq + 1)];
}

/**
 * The answers with the settings applied, each checked as its flag is, in
 * answer order: a new platform gets its auth answer's default (or loses it),
 * and a registry that no longer fits the platform must be set too.
 */
export function applySettings(answers: Answers, settings: ReadonlyMap<AnswerKey, string>): Answers {
  const next: Partial<Answers> = {};
  for (const key of ANSWER_KEYS) {
    const given = settings.get(key);
    if (!appliesTo(key, next)) {
      if (given !== undefined) throw notApplicable(key, next, `--set ${key}`);
      continue;
    }
    const value = given ?? answers[key] ?? defaultOf(key, next, {});
    checkAnswer(key, value, next, given !== undefined ? `--set ${key}` : `${flagOf(key)} ${quoted(value)} (kept from ${ANSWERS_FILE}; --set ${key}=... to change it too)`);
    (next as Record<AnswerKey, string>)[key] = value;
  }
  return next as Answers;
}

/** `0.1.0` < `0.2.0`: -1, 0 or 1 by the numeric parts (a pre-release sorts before its release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number[], boolean] => {
    const [core = '', pre] = v.split('-', 2);
    return [core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre !== undefined];
  };
  const [pa, preA] = parse(a);
  const [pb, preB] = parse(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return preA === preB ? 0 : preA ? -1 : 1;
}
