// Helpers for the e2e tests: generate a repo with the real CLI, run
// scripts/e2e-pipeline on it, read its JSON report.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CREATE_BIN, MLOPS_BIN, ROOT } from '../support/cli.js';

export const HARNESS = join(ROOT, 'scripts/e2e-pipeline');

/**
 * The harness needs root on Linux (buildah, unshare --mount). Elsewhere the
 * e2e suite fails with this line rather than skip: a skipped e2e run proves nothing.
 */
export function requireRoot(): void {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    throw new Error('the e2e pipeline tests need root on Linux (buildah, unshare --mount): run them as .ci/run does');
}

/** One harness run, pipelines included: generous, the first run also builds the base image (~3 min). */
export const RUN_TIMEOUT = 12 * 60_000;

export type JobStatus = 'PASS' | 'FAIL' | 'WARN';
export interface Report {
  ok: boolean;
  exitCode: number;
  seconds: number;
  repo: { dir: string; platform: string; builder: string; name: string } | null;
  imageJobs: Record<string, string | null>;
  pipelines: Record<string, { seconds: number; exitCode: number; jobs: Record<string, JobStatus> }>;
  junit: { kind: string; path: string; tests: number; failures: number; errors: number; skipped: number }[];
  digests: { kind: string; repository: string; tag: string; digest: string }[];
  retag: { repository: string; from: string; to: string; fromDigest: string; toDigest: string | null; equal: boolean }[];
  credentials: { kind: string; file: string; value: 'full' | 'wrong' | 'differs' }[];
  failures: string[];
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `cmp-e2e-${prefix}-`));
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

export interface GenerateOptions {
  platform: 'onprem' | 'gcp';
  builder: 'kaniko' | 'buildah';
  registry: string;
  projectName?: string;
}

/** Generates a repo with the real generator CLI (non-interactive, no git). */
export async function generate(parent: string, name: string, o: GenerateOptions): Promise<string> {
  if (!existsSync(join(ROOT, 'dist'))) throw new Error('dist/ is missing: run `npm run build` first (npm run test:e2e does)');
  const dir = join(parent, name);
  const args = [CREATE_BIN, dir, '--yes', '--no-git', '--platform', o.platform, '--builder', o.builder, '--registry', o.registry];
  if (o.projectName) args.push('--project-name', o.projectName);
  await execa('node', args, { cwd: parent, stdin: 'ignore', all: true });
  return dir;
}

/** Adds an image with the project's own CLI, as a user would. */
export async function addImage(repo: string, name: string): Promise<void> {
  await execa('node', [MLOPS_BIN, 'image', '--name', name], { cwd: repo, stdin: 'ignore', all: true });
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export interface HarnessResult {
  exitCode: number;
  output: string;
  report: Report;
}

/** Runs scripts/e2e-pipeline on REPO; prints its output (jobs that ran, digests). */
export async function runHarness(repo: string, args: string[] = []): Promise<HarnessResult> {
  const work = await tempDir('report');
  const reportFile = join(work, 'report.json');
  try {
    const r = await execa(HARNESS, [repo, '--report', reportFile, ...args], {
      reject: false,
      all: true,
      stdin: 'ignore',
      timeout: RUN_TIMEOUT,
      env: { CI: 'true', NO_COLOR: '1' },
    });
    const output = (r.all ?? '').replace(ANSI, '');
    console.log(`$ scripts/e2e-pipeline ${repo} ${args.join(' ')}\n${output}`);
    if (!existsSync(reportFile)) throw new Error(`the harness wrote no report (exit ${r.exitCode})\n${output}`);
    const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
    return { exitCode: r.exitCode ?? -1, output, report };
  } finally {
    await removeDir(work);
  }
}

/** Appends to a file of the generated repo (used to break it on purpose). */
export async function appendTo(repo: string, path: string, text: string): Promise<void> {
  await appendFile(join(repo, path), text);
}

/**
 * What a green run of every pipeline kind must show: each kind ran, the
 * rules held, every image was built, pushed and retagged with the same digest.
 */
export function expectAllPipelinesGreen(r: HarnessResult, imageNames: string[]): void {
  const { report } = r;
  expect(report.failures, r.output).toEqual([]);
  expect(r.exitCode, r.output).toBe(0);
  expect(report.ok).toBe(true);

  const imageJobs = Object.keys(report.imageJobs);
  expect(Object.values(report.imageJobs).sort()).toEqual([...imageNames].sort());

  const { push, tag, web } = report.pipelines;
  const mrDocs = report.pipelines['mr-docs'];
  const mrSrc = report.pipelines['mr-src'];
  for (const [kind, p] of Object.entries({ push, tag, 'mr-docs': mrDocs, 'mr-src': mrSrc, web })) {
    expect(p, `pipeline ${kind} did not run`).toBeDefined();
    expect(p!.exitCode, `pipeline ${kind}`).toBe(0);
    for (const [job, status] of Object.entries(p!.jobs)) expect(status, `${kind}: ${job}`).not.toBe('FAIL');
  }

  // push to main: env, lint, tests, every image, pages
  for (const job of [...imageJobs, 'pages']) expect(push!.jobs[job], `push: ${job}`).toBe('PASS');
  expect(Object.keys(push!.jobs).length).toBeGreaterThanOrEqual(imageJobs.length + 4);
  const junit = report.junit.filter((j) => j.kind === 'push');
  expect(junit.length).toBeGreaterThan(0);
  for (const j of junit) {
    expect(j.tests).toBeGreaterThan(0);
    expect(j.failures + j.errors).toBe(0);
  }

  // tag: only the retag job; tag and SHA digests equal for every image
  expect(Object.keys(tag!.jobs)).toEqual(['build:retag-images']);
  for (const name of imageNames) {
    const entry = report.retag.find((e) => e.repository.endsWith(`/${name}`));
    expect(entry, `retag of ${name}`).toBeDefined();
    expect(entry!.equal, `${entry!.repository}: ${entry!.fromDigest} vs ${entry!.toDigest}`).toBe(true);
  }

  // MR docs-only: the docs check, no image build; MR src: lint, tests, every image, no docs check
  expect(mrDocs!.jobs['test:docs'], 'mr-docs: test:docs').toBe('PASS');
  for (const job of imageJobs) expect(mrDocs!.jobs[job], `mr-docs: ${job}`).toBeUndefined();
  for (const job of ['test:lint', 'test:pytest', ...imageJobs]) expect(mrSrc!.jobs[job], `mr-src: ${job}`).toBe('PASS');
  for (const p of [push, mrSrc, web]) expect(p!.jobs['test:docs'], 'test:docs outside a docs MR').toBeUndefined();

  // web with BUILD_ALL on a feature branch: every image
  for (const job of imageJobs) expect(web!.jobs[job], `web: ${job}`).toBe('PASS');

  // the jobs wrote the full credential they were given
  expect(report.credentials.length).toBeGreaterThan(0);
  for (const c of report.credentials) expect(c.value, c.file).toBe('full');
}
