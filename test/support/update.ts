/**
 * What the tests of `mlops-project update` and of the update:template job
 * share: this version and its update branch, git with the tests' identity,
 * the "older render" fixture (a repo this version renders, changed where the
 * old template differed, recorded as 0.1.0 and committed as the generator
 * commits), the packed package the job runs, and the checks that the job's
 * token leaks nowhere.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { create, GIT_ENV, ROOT } from './cli.js';

/** This checkout's version: the one `update` brings a repo to. */
export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** The branch `update` makes. */
export const BRANCH = `mlops-project/update-${VERSION}`;

/** git in `dir` with the tests' identity: its output, trimmed; a failure throws. */
export async function git(dir: string, ...args: string[]): Promise<string> {
  return String((await execa('git', args, { cwd: dir, env: GIT_ENV })).stdout).trim();
}

/** Change the file `path` of `dir`; an edit that changes nothing is a broken fixture. */
export function edit(dir: string, path: string, change: (text: string) => string): void {
  const full = join(dir, path);
  const before = readFileSync(full, 'utf8');
  const after = change(before);
  if (after === before) throw new Error(`edit of ${path} changed nothing`);
  writeFileSync(full, after);
}

/** What the old template did differently: applied to this version's render, it gives the old one (0.1.0). */
export function makeOld(dir: string): void {
  edit(dir, '.mlops-project.json', (t) => t.replace(`"version": "${VERSION}"`, '"version": "0.1.0"'));
  edit(dir, '.gitlab-ci.yml', (t) => t.replace('# GitLab CI/CD pipeline of this repository\n', '# GitLab CI/CD pipeline of this repository (0.1.0)\n'));
  edit(dir, '.gitlab-ci.yml', (t) => t.replace('    value: latest\n', '    value: stable\n'));
  edit(dir, 'docs/index.md', (t) => `${t}\nA line the old template had.\n`);
  edit(dir, 'docs/releasing.md', (t) => `${t}\nAnother line the old template had.\n`);
}

/** `dir`'s files as the one commit of a new repo on main (the generator's first commit, by default). */
export async function commitAll(dir: string, subject = 'Initial commit from create-mlops-project 0.1.0'): Promise<void> {
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-qm', subject);
}

/** A repo `name` in `work` as the old template made it for `answers` (create's flags), committed as the generator does. */
export async function oldRender(work: string, name: string, answers: string[]): Promise<string> {
  const made = await create([name, '--yes', '--no-git', ...answers], work);
  expect(made.exitCode, made.stderr).toBe(0);
  const dir = join(work, name);
  makeOld(dir);
  await commitAll(dir);
  return dir;
}

/** The tarball `npm pack` makes of this checkout, in `work`: the package as npm installs it. */
export async function packTarball(work: string): Promise<string> {
  const packed = await execa('npm', ['pack', '--silent', '--pack-destination', work, ROOT], { cwd: work });
  return join(work, String(packed.stdout).trim().split('\n').at(-1)!);
}

/** `repo`'s main as the default branch of the bare repo `bare` (a project on the fake GitLab). */
export async function pushMain(repo: string, bare: string): Promise<void> {
  await git(repo, 'push', '-q', bare, 'main:main');
  await git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
}

/** The environment the job's tools get besides PATH: a home, npm's cache, no git config of the machine. */
export function jobToolsEnv(work: string): Record<string, string> {
  return {
    HOME: join(work, 'home'),
    npm_config_cache: join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
  };
}

/** The forms of the job's token a leak could take: itself, and the Basic credential git sends. */
export function leaksOf(token: string): string[] {
  return [token, Buffer.from(`mlops-project-update:${token}`).toString('base64')];
}

/** Every file under `dir`, dot folders (.git) included. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** No form of the token in `texts` (output, logs), in the contents of `files`, or in the URL of any request the fake GitLab saw. */
export function expectNoLeak(leaks: readonly string[], where: { texts: string[]; files: string[]; requests: readonly { url: string }[] }): void {
  for (const leak of leaks) {
    for (const text of where.texts) expect(text).not.toContain(leak);
    for (const file of where.files) expect(readFileSync(file).includes(leak), file).toBe(false);
    for (const r of where.requests) expect(r.url).not.toContain(leak);
  }
}
