/**
 * Seeded fuzz of the generator: random answers (unicode, quotes, YAML and
 * TOML words, control characters, very long text, empty optional answers)
 * through the core's planProject (most cases) and through the bin, by flags
 * and by --answers FILE. Each case either fails with one user error and
 * writes nothing, or makes a repo whose every YAML, TOML, JSON and Python
 * file reads, whose pipeline passes the checks, and which holds exactly the
 * answers given. `npm run fuzz` runs 1000 cases (scripts/fuzz.mjs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCreateArgs } from '../../src/cli/create-args.js';
import { parseAnswersFile } from '../../generators/project/answers-file.js';
import { UserError } from '../../generators/shared/errors.js';
import { DEPENDENCY_MODULES } from '../../generators/project/python-names.js';
import { create, readTree, removeDir, ROOT, tempDir } from '../support/cli.js';
import {
  argsOf,
  caseRng,
  collect,
  entriesOf,
  type FuzzCase,
  forArgv,
  installedDependencyModules,
  jsProblems,
  plan,
  pythonProblems,
  pythonReports,
  randomCase,
  reproduce,
  stderrProblems,
  userErrorProblems,
  writeForPython,
} from '../support/fuzz.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CORE = Number(process.env.FUZZ_CORE ?? 120);
const BIN = Number(process.env.FUZZ_BIN ?? 8);
const ONLY = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);
/** Bin cases are numbered from here, so a case number says which path it took. */
const BIN_FROM = 1_000_000;

const range = (from: number, count: number): number[] =>
  ONLY === undefined ? Array.from({ length: count }, (_, i) => from + i) : ONLY >= from && ONLY < from + Math.max(count, BIN_FROM) ? [ONLY] : [];

interface Failure {
  index: number;
  fuzz: FuzzCase;
  problems: string[];
}

function report(failures: Failure[]): string {
  return failures
    .map((f) => `seed ${SEED} case ${f.index} (${f.fuzz.via}): given ${JSON.stringify(f.fuzz.given)}${f.fuzz.stray === undefined ? '' : `, then ${JSON.stringify(f.fuzz.stray)}`}\n  ${f.problems.join('\n  ')}\n  rerun: ${reproduce(SEED, f.index)}`)
    .join('\n');
}

let work: string;
beforeAll(() => {
  work = tempDir('cmp-fuzz-');
});
afterAll(() => removeDir(work));

describe('the names a package must not take', () => {
  it.runIf(ONLY === undefined)('hold every module the requirements install (a package named so would shadow it)', () => {
    const installed = installedDependencyModules(join(ROOT, 'template')).filter((m) => /^[a-z][a-z0-9_]*$/.test(m));
    expect(installed.length).toBeGreaterThan(10);
    expect(installed.filter((m) => !DEPENDENCY_MODULES.has(m))).toEqual([]);
  });
});

describe(`fuzz, seed ${SEED}`, () => {
  const core = range(0, CORE);
  it.runIf(core.length > 0)(`${core.length} cases through planProject`, { timeout: 60_000 + core.length * 500 }, async () => {
    const failures: Failure[] = [];
    const made: { index: number; fuzz: FuzzCase; dir: string; answers: Exclude<Awaited<ReturnType<typeof collect>>, UserError> }[] = [];
    let refused = 0;
    for (const index of core) {
      const fuzz = randomCase(caseRng(SEED, index));
      const problems: string[] = [];
      if (fuzz.via === 'file') {
        // The answers file reads back as the answers written, or is refused in one line.
        try {
          const read = await parseAnswersFile(JSON.stringify(fuzz.given, null, 2), 'answers.json');
          if (JSON.stringify(read) !== JSON.stringify(fuzz.given)) problems.push(`answers file read as ${JSON.stringify(read)}`);
        } catch (error) {
          if (!(error instanceof UserError)) throw error;
          problems.push(...userErrorProblems(error));
          refused += 1;
          if (problems.length > 0) failures.push({ index, fuzz, problems });
          continue;
        }
      }
      const answers = await collect(fuzz, 'out');
      if (answers instanceof UserError) {
        refused += 1;
        problems.push(...userErrorProblems(answers));
        if (problems.length > 0) failures.push({ index, fuzz, problems });
        continue;
      }
      let files: Record<string, string>;
      try {
        files = plan(answers);
      } catch (error) {
        failures.push({ index, fuzz, problems: [...problems, `planProject threw: ${(error as Error).stack ?? String(error)}`] });
        continue;
      }
      problems.push(...jsProblems(files, answers, fuzz.given));
      if (problems.length > 0) failures.push({ index, fuzz, problems });
      const dir = join(work, `core-${index}`);
      writeForPython(dir, files);
      made.push({ index, fuzz, dir, answers });
    }
    const reports = pythonReports(made.map((m) => m.dir));
    for (const m of made) {
      const problems = pythonProblems(reports[m.dir], m.answers);
      if (problems.length > 0) failures.push({ index: m.index, fuzz: m.fuzz, problems });
    }
    expect(failures, report(failures)).toEqual([]);
    if (ONLY === undefined) {
      // Both outcomes are exercised, or the fuzz tests nothing.
      expect(made.length).toBeGreaterThan(core.length / 4);
      expect(refused).toBeGreaterThan(core.length / 10);
    }
  });

  const bin = range(BIN_FROM, BIN);
  it.runIf(bin.length > 0)(`${bin.length} cases through the bin, by flags and --answers`, { timeout: 60_000 + bin.length * 3_000 }, async () => {
    const failures: Failure[] = [];
    const made: { index: number; fuzz: FuzzCase; dir: string; answers: Exclude<Awaited<ReturnType<typeof collect>>, UserError> }[] = [];
    for (const index of bin) {
      const fuzz = forArgv(randomCase(caseRng(SEED, index)));
      const cwd = join(work, `bin-${index}`);
      mkdirSync(cwd);
      const { args, file } = argsOf(fuzz);
      if (file !== undefined) writeFileSync(join(cwd, 'answers.json'), file);
      const before = entriesOf(cwd);
      const argv = ['out', '--yes', '--no-git', ...args];
      const result = await create(argv, cwd);
      // What the flags parser and the core make of the same arguments and answers: the bin must agree.
      const expected = await collect(fuzz, 'out');
      let refusal = expected instanceof UserError ? expected : undefined;
      try {
        parseCreateArgs(argv);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        refusal = error;
      }
      const problems: string[] = [];
      if (result.exitCode !== 0) {
        if (result.exitCode !== 1) problems.push(`exit ${result.exitCode}: ${result.stderr}`);
        else problems.push(...stderrProblems(result.stderr));
        // The line printed is the refusal's message, and that is one line (a hint could hide a second one).
        if (refusal) {
          problems.push(...userErrorProblems(refusal));
          if (!result.stderr.startsWith(`error ${refusal.message}\n`)) problems.push(`expected the error ${JSON.stringify(refusal.message)}, got ${JSON.stringify(result.stderr)}`);
        }
        if (JSON.stringify(entriesOf(cwd)) !== JSON.stringify(before)) problems.push(`wrote ${JSON.stringify(entriesOf(cwd))}`);
        if (!(expected instanceof UserError) && fuzz.stray === undefined) problems.push(`the core accepts these answers: ${result.stderr}`);
        if (problems.length > 0) failures.push({ index, fuzz, problems });
        continue;
      }
      if (expected instanceof UserError || fuzz.stray !== undefined) {
        failures.push({ index, fuzz, problems: [`the bin accepted ${fuzz.stray === undefined ? `answers the core refuses (${(expected as UserError).message})` : `a stray word ${JSON.stringify(fuzz.stray)}`}`] });
        continue;
      }
      const dir = join(cwd, 'out');
      problems.push(...jsProblems(readTree(dir), expected, fuzz.given));
      if (problems.length > 0) failures.push({ index, fuzz, problems });
      made.push({ index, fuzz, dir, answers: expected });
    }
    const reports = pythonReports(made.map((m) => m.dir));
    for (const m of made) {
      const problems = pythonProblems(reports[m.dir], m.answers);
      if (problems.length > 0) failures.push({ index: m.index, fuzz: m.fuzz, problems });
    }
    expect(failures, report(failures)).toEqual([]);
    if (ONLY === undefined && bin.length >= 4) expect(made.length).toBeGreaterThan(0);
  });
});
