/**
 * `plop image` as users run it: in a generated repo after `npm install`
 * (plop and yaml from the npm registry, nothing from this package), from this
 * repo with --dest, and `mlops-project image` from the bin.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPipeline } from '../support/gitlab-ci-check.js';
import { create, errorLines, MLOPS_BIN, readTree, removeDir, ROOT, run, tempDir } from '../support/cli.js';

let work: string;
beforeAll(() => {
  work = tempDir();
});
afterAll(() => removeDir(work));

async function generate(name: string): Promise<string> {
  const result = await create([name, '--yes', '--no-git', '--registry', 'harbor.example.com/t/p'], work);
  expect(result.exitCode, result.stderr).toBe(0);
  return join(work, name);
}

describe('plop image in a generated repo', () => {
  it('before npm install: one line, exit 1, nothing written', async () => {
    const dir = await generate('no-install');
    const before = readTree(dir);
    // plop as npx fetches it, in a repo without node_modules: the generator's yaml is missing.
    const result = await execa(join(ROOT, 'node_modules/.bin/plop'), ['image', '--', '--name', 'serving', '--base-image', 'python:3.12-slim'], {
      cwd: dir, reject: false, all: true, stdin: 'ignore',
    });
    expect(result.exitCode).toBe(1);
    expect(result.all.trim().split('\n')).toEqual([
      "error npx plop image needs this repo's npm packages (yaml is not installed): run npm install first; see docs/images.md.",
    ]);
    expect(readTree(dir)).toEqual(before);

    // A generator that does not load at all: plop prints why, and the exit code says it failed.
    rmSync(join(dir, 'tools/plop/add-image.mjs'));
    const broken = await execa(join(ROOT, 'node_modules/.bin/plop'), ['image', '--', '--name', 'serving'], { cwd: dir, reject: false, all: true, stdin: 'ignore' });
    expect(broken.exitCode).toBe(1);
    expect(broken.all).toMatch(/tools\/plop\/add-image\.mjs/);
  });

  // npm install and five plop runs: on a loaded machine this takes longer than the default timeout.
  it('adds an image without a prompt after npm install', { timeout: 180_000 }, async () => {
    const dir = await generate('with-plop');
    const install = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, reject: false, all: true });
    expect(install.exitCode, install.all).toBe(0);
    const plop = join(dir, 'node_modules/.bin/plop');
    const result = await execa(plop, ['image', '--', '--name', 'serving', '--base-image', 'python:3.12-slim'], {
      cwd: dir, reject: false, all: true, stdin: 'ignore',
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('created docker/with-plop-serving.Dockerfile');
    expect(checkPipeline(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'))).toEqual([]);
    expect(readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8')).toContain('build:serving-image:');

    // plop's own spelling, --baseImage, is the same flag; on a CUDA base the Dockerfile is the gpu one's copy.
    const cuda = await execa(plop, ['image', '--', '--name', 'trainer', '--baseImage', 'nvidia/cuda:12.8.0-runtime-ubuntu24.04'], {
      cwd: dir, reject: false, all: true, stdin: 'ignore',
    });
    expect(cuda.exitCode, cuda.all).toBe(0);
    const trainer = readFileSync(join(dir, 'docker/with-plop-trainer.Dockerfile'), 'utf8');
    expect(trainer).toMatch(/^ARG BASE_IMAGE=nvidia\/cuda:12\.8\.0-runtime-ubuntu24\.04$/m);
    expect(trainer).toMatch(/^# trainer image \(a copy of the gpu image's Dockerfile/m);
    // Without a terminal nothing is asked: --name alone takes the cpu image's base.
    const nameOnly = await execa(plop, ['image', '--', '--name', 'notebook'], { cwd: dir, reject: false, all: true, stdin: 'ignore' });
    expect(nameOnly.exitCode, nameOnly.all).toBe(0);
    const cpuBase = /^ARG BASE_IMAGE=.*$/m.exec(readFileSync(join(dir, 'docker/with-plop-cpu.Dockerfile'), 'utf8'))?.[0];
    expect(readFileSync(join(dir, 'docker/with-plop-notebook.Dockerfile'), 'utf8')).toMatch(new RegExp(`^${cpuBase!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));

    // A bad name is refused by plop's own validation, with exit 1 and nothing changed.
    const before = readTree(dir);
    const bad = await execa(plop, ['image', '--', '--name', 'Bad_Name', '--base-image', 'python:3.12-slim'], {
      cwd: dir, reject: false, all: true, stdin: 'ignore',
    });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.all).toMatch(/image name must start with a lower-case letter/);
    // The same name twice: the action refuses, nothing changed.
    const twice = await execa(plop, ['image', '--', '--name', 'serving', '--base-image', 'python:3.12-slim'], {
      cwd: dir, reject: false, all: true, stdin: 'ignore',
    });
    expect(twice.exitCode).toBe(1);
    expect(twice.all).toMatch(/Image "serving" already exists.* Docs: https:\/\/\S+\/troubleshooting\/#image-command$/m);
    expect(readTree(dir)).toEqual(before);
  });
});

describe('this repo plop image --dest', () => {
  it('adds an image to another directory', async () => {
    const dir = await generate('dest');
    const result = await execa(join(ROOT, 'node_modules/.bin/plop'), ['image', '--dest', dir, '--', '--name', 'notebook', '--base-image', 'python:3.11-slim'], {
      cwd: ROOT, reject: false, all: true, stdin: 'ignore',
    });
    expect(result.exitCode, result.all).toBe(0);
    expect(readFileSync(join(dir, 'docker/dest-notebook.Dockerfile'), 'utf8')).toMatch(/^ARG BASE_IMAGE=python:3\.11-slim$/m);
  });
});

describe('mlops-project image', () => {
  it('adds an image, then refuses it twice with one line', async () => {
    const dir = await generate('bin');
    const ok = await run(MLOPS_BIN, ['image', '--name', 'serving', '--dir', dir], work);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('created docker/bin-serving.Dockerfile');
    const snapshot = readTree(dir);
    const again = await run(MLOPS_BIN, ['image', '--name', 'serving', '--dir', dir], work);
    expect(again.exitCode).toBe(1);
    expect(errorLines(again.stderr)).toEqual(['error Image "serving" already exists (see .mlops-project.json); pick another name.']);
    expect(readTree(dir)).toEqual(snapshot);
  });

  it('takes --baseImage, plop\'s spelling, as --base-image; both, if they differ, fail with one line', async () => {
    const dir = await generate('spelling');
    const ok = await run(MLOPS_BIN, ['image', '--name', 'serving', '--baseImage', 'python:3.11-slim', '--dir', dir], work);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(readFileSync(join(dir, 'docker/spelling-serving.Dockerfile'), 'utf8')).toMatch(/^ARG BASE_IMAGE=python:3\.11-slim$/m);
    const snapshot = readTree(dir);
    const both = await run(MLOPS_BIN, ['image', '--name', 'x', '--base-image', 'python:3.12-slim', '--baseImage', 'python:3.11-slim', '--dir', dir], work);
    expect(both.exitCode).toBe(1);
    expect(errorLines(both.stderr)).toEqual(['error Give the base image once: --base-image python:3.12-slim or --baseImage python:3.11-slim, not both.']);
    expect(readTree(dir)).toEqual(snapshot);
  });

  it('--dry-run lists the changes and writes nothing', async () => {
    const dir = await generate('dry');
    const snapshot = readTree(dir);
    const result = await run(MLOPS_BIN, ['image', '--name', 'serving', '--dir', dir, '--dry-run'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('create docker/dry-serving.Dockerfile');
    expect(readTree(dir)).toEqual(snapshot);
  });

  it.each([
    [['image'], /^error Missing --name/],
    [['image', '--name', 'x', '--frob'], /^error Unknown option '--frob'/],
    [['image', '--name', 'x', '--dir', '/nonexistent'], /^error No \.mlops-project\.json here/],
  ])('%j fails with one line', async (args, line) => {
    const result = await run(MLOPS_BIN, args, work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(line);
    expect(errorLines(result.stderr).length).toBeLessThanOrEqual(2);
  });
});
