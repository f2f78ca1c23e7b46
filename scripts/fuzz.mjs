#!/usr/bin/env node
// The seeded fuzz of the generator, at length: test/cli/fuzz.test.ts with
// many cases (npm test runs a bounded count of the same test).
//   npm run fuzz                          1000 cases, a random seed
//   npm run fuzz -- --seed 42 --count 5000
//   npm run fuzz -- --seed 42 --case 17   one case again (the number a failure printed)
// Most cases go through the core's planProject in-process, one in 20 through the bin.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({
  options: { seed: { type: 'string' }, count: { type: 'string' }, case: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  strict: true,
});
if (values.help) {
  process.stdout.write('Usage: npm run fuzz -- [--seed N] [--count N (default 1000)] [--case I]\n');
  process.exit(0);
}
const integer = (name, text, fallback) => {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) {
    process.stderr.write(`error --${name} must be a whole number; got ${JSON.stringify(text)}\n`);
    process.exit(1);
  }
  return Number(text);
};
const seed = integer('seed', values.seed, randomInt(2 ** 31));
const count = integer('count', values.count, 1000);
const only = integer('case', values.case, undefined);
const bin = Math.max(1, Math.round(count / 20));
const core = Math.max(0, count - bin);

process.stdout.write(only === undefined ? `fuzz: seed ${seed}, ${core} core cases + ${bin} bin cases\n` : `fuzz: seed ${seed}, case ${only}\n`);
const env = { ...process.env, FUZZ_SEED: String(seed), FUZZ_CORE: String(core), FUZZ_BIN: String(bin) };
if (only !== undefined) env.FUZZ_CASE = String(only);
const result = spawnSync(join(root, 'node_modules/.bin/vitest'), ['run', '--project', 'unit', 'test/cli/fuzz.test.ts'], { cwd: root, env, stdio: 'inherit' });
if (result.status !== 0) {
  process.stdout.write(`\nfuzz failed with seed ${seed}. Run it again: npm run fuzz -- --seed ${seed} --count ${count}\n`);
  process.stdout.write('(each failing case above has its own rerun line: npm run fuzz -- --seed S --case I)\n');
}
process.exit(result.status ?? 1);
