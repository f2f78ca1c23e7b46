#!/usr/bin/env node
// Benchmarks, as ratios against a baseline measured in the same run (the
// machines are shared and noisy: never read the absolute times alone).
//   1. start-up: `create-mlops-project DIR --yes --no-git` vs `node -e 0`
//   2. `plop image` in a generated repo (after its npm install) vs `node -e 0`
//   3. install: size and package count of the packed tarball, --omit=dev
//   4. pipeline: a generated repo's main-push pipeline run twice on one cache,
//      cold then warm (scripts/e2e-pipeline --bench; root on Linux): wall
//      time, critical path along `needs`, the env job cold vs warm, and that
//      the warm env job did no environment work and uploaded nothing.
// Sections can be picked: node scripts/bench.mjs [startup] [plop] [install] [pipeline]
// (npm run bench -- pipeline); none = all. Benchmarks print; they assert nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const runs = Number(process.env.BENCH_RUNS ?? 21);
const work = mkdtempSync(join(tmpdir(), 'cmp-bench-'));

function time(args, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

function startup() {
  const base = [];
  const create = [];
  for (let i = 0; i < runs; i += 1) {
    // Interleaved, so both see the same machine load.
    base.push(time(['-e', '0'], work));
    create.push(time([join(root, 'bin/create-mlops-project.js'), `app-${i}`, '--yes', '--no-git'], work));
  }
  const b = median(base);
  const c = median(create);
  console.log(`start-up (median of ${runs}):`);
  console.log(`  node -e 0                                 ${b.toFixed(1)} ms  1.00x`);
  console.log(`  create-mlops-project DIR --yes --no-git   ${c.toFixed(1)} ms  ${(c / b).toFixed(2)}x  (target <= 1.75x)`);
  return c / b;
}

function plopImage() {
  const repo = join(work, 'plop-repo');
  execFileSync(process.execPath, [join(root, 'bin/create-mlops-project.js'), repo, '--yes', '--no-git'], { stdio: 'ignore' });
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'ignore' });
  const plop = join(repo, 'node_modules/plop/bin/plop.js');
  const n = Math.max(5, Math.floor(runs / 2));
  const base = [];
  const times = [];
  for (let i = 0; i < n; i += 1) {
    base.push(time(['-e', '0'], repo));
    times.push(time([plop, 'image', '--', '--name', `img-${i}`, '--base-image', 'python:3.12-slim'], repo));
  }
  const b = median(base);
  const p = median(times);
  console.log(`plop image in a generated repo (median of ${n}):`);
  console.log(`  node -e 0                                 ${b.toFixed(1)} ms  1.00x`);
  console.log(`  plop image -- --name N --base-image B     ${p.toFixed(1)} ms  ${(p / b).toFixed(2)}x  (target: under 1 s)`);
}

function duSize(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const st = statSync(full, { throwIfNoEntry: false });
    if (!st) continue;
    total += st.isDirectory() ? duSize(full) : st.size;
  }
  return total;
}

function install() {
  const packDir = join(work, 'pack');
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' });
  const tarball = join(work, out.trim().split('\n').pop());
  const prefix = join(work, 'install');
  execFileSync('npm', ['init', '-y'], { cwd: work, stdio: 'ignore' });
  rmSync(packDir, { recursive: true, force: true });
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefix', prefix, tarball], { stdio: 'ignore' });
  const modules = join(prefix, 'node_modules');
  const packages = readdirSync(modules).flatMap((n) =>
    n.startsWith('@') ? readdirSync(join(modules, n)).map((m) => `${n}/${m}`) : n.startsWith('.') ? [] : [n],
  );
  const bytes = duSize(modules);
  console.log('install (npm pack, then npm install --omit=dev):');
  console.log(`  ${(bytes / 1e6).toFixed(2)} MB in ${packages.length} package(s)  (target < 8 MB, < 10 packages; create-vite 1.9 MB, 1)`);
}

const fmt = (s) => (s == null ? '?' : `${s.toFixed(1)} s`);
const pathLine = (cp) => `${cp.jobs.map((j) => `${j.name} ${fmt(j.seconds)}`).join(' -> ')}  = ${fmt(cp.seconds)}`;

function pipeline() {
  console.log('pipeline (scripts/e2e-pipeline --bench: the main-push pipeline twice on one cache, cold then warm):');
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    console.log('  skipped: the harness needs root on Linux (buildah, mount namespaces)');
    return;
  }
  const repo = join(work, 'bench-model');
  execFileSync(process.execPath, [join(root, 'bin/create-mlops-project.js'), repo, '--yes', '--no-git', '--platform', 'onprem',
    '--builder', 'kaniko', '--registry', 'harbor.example.com/bench/bench-model'], { stdio: 'ignore' });
  const reportFile = join(work, 'bench-report.json');
  const start = process.hrtime.bigint();
  // --no-image-run: running the pushed images beside the warm pipeline would skew its times (the e2e tests run them).
  const r = spawnSync(join(root, 'scripts/e2e-pipeline'), [repo, '--bench', '--no-image-run', '--report', reportFile], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 << 20,
  });
  const harnessSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (!existsSync(reportFile)) {
    console.log(`  the harness wrote no report (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    process.exitCode = 1;
    return;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const cold = report.pipelines.push;
  const warm = report.pipelines['push-warm'];
  if (!cold || !warm) {
    console.log(`  the pipelines did not both run: ${report.failures.join('; ')}`);
    process.exitCode = 1;
    return;
  }
  const envJob = report.jobs.find((j) => j.kind === 'env')?.name;
  const envCold = cold.jobs[envJob]?.seconds;
  const envWarm = warm.jobs[envJob]?.seconds;
  console.log(`  harness run (setup, both pipelines, checks)   ${fmt(harnessSeconds)}`);
  console.log(`  main-push pipeline wall time               cold ${fmt(cold.seconds)}   warm ${fmt(warm.seconds)}`);
  console.log(`  critical path, cold: ${pathLine(cold.criticalPath)}`);
  console.log(`  critical path, warm: ${pathLine(warm.criticalPath)}`);
  console.log('  (warm image builds reuse the layers the cold run left in the harness\'s buildah storage, which a fresh');
  console.log('   GitLab runner does not have; kaniko\'s --cache-repo is not exercised: compare the env job, not the images)');
  console.log(`  env job ${envJob}               cold ${fmt(envCold)}   warm ${fmt(envWarm)}${envCold && envWarm ? `  (warm/cold ${(envWarm / envCold).toFixed(2)}x)` : ''}`);
  console.log('  (the stand-in env is a venv over Debian\'s packages, made in about a second: a real conda env takes minutes)');
  for (const l of warm.logLines) console.log(`  warm ${l.job}: ${l.found ? l.line.slice(l.job.length + 3) : `NOT FOUND: ${l.what}`}`);
  const c = warm.cache;
  if (c?.after) {
    console.log(`  cache (gitlab-ci-local's .gitlab-ci-local/cache) after the warm run: ${c.unchanged ? 'unchanged' : 'CHANGED'}` +
      ` (${c.after.files} entries, ${(c.after.bytes / 1e3).toFixed(1)} kB; paths, sizes and mtimes compared)`);
    console.log(`  left for a GitLab runner to archive after the warm env job: ${c.leftToUpload.length === 0
      ? 'nothing ("Archive is up to date!")' : c.leftToUpload.join(', ')}`);
  }
  if (!report.ok) {
    console.log(`  the harness reported problems: ${report.failures.join('; ')}`);
    process.exitCode = 1;
  }
}

const sections = { startup, plop: plopImage, install, pipeline };
const picked = process.argv.slice(2);
for (const p of picked) if (!(p in sections)) throw new Error(`unknown section ${p} (sections: ${Object.keys(sections).join(', ')})`);
try {
  for (const [name, fn] of Object.entries(sections)) if (picked.length === 0 || picked.includes(name)) fn();
} finally {
  rmSync(work, { recursive: true, force: true });
}
