/**
 * `mlops-project set-registry`, the built bin: from a repo made with the
 * placeholder registry to one gitlab-variables accepts, two values changed
 * and every other byte kept; refusals are one line and write nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, errorLines, GIT_ENV, MLOPS_BIN, readTree, removeDir, run, tempDir } from '../support/cli.js';

let work: string;
beforeAll(() => {
  work = tempDir('cmp-set-registry-');
});
afterAll(() => removeDir(work));

let count = 0;
/** A repo made with --yes and no --registry: the placeholder. */
async function placeholderRepo(extra: string[] = []): Promise<string> {
  const name = `app${(count += 1)}`;
  const result = await create([name, '--yes', ...extra], work);
  expect(result.exitCode, result.stderr).toBe(0);
  return join(work, name);
}

const setRegistry = (args: string[], cwd = work) => run(MLOPS_BIN, ['set-registry', ...args], cwd);

describe('mlops-project set-registry', () => {
  it('a placeholder repo without git: its next steps start with the command, which sets both files and nothing else', async () => {
    const name = `app${(count += 1)}`;
    const created = await create([name, '--yes', '--no-git'], work);
    expect(created.stdout).toContain(`  1. set the registry your images go to (harbor.example.com/change-me/${name} is a placeholder): node ${MLOPS_BIN} set-registry HOST/PATH --dir ${name}`);
    const dir = join(work, name);
    for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-qm', 'first']]) await execa('git', args, { cwd: dir, env: GIT_ENV });
    const before = readTree(dir);

    const result = await setRegistry(['harbor.acme.io:8443/ml/app', '--dir', name]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`✔ Registry set to harbor.acme.io:8443/ml/app (was harbor.example.com/change-me/${name}):`);
    const after = readTree(dir);
    const changed = Object.keys(after).filter((path) => after[path] !== before[path]);
    expect(changed.filter((p) => !p.startsWith('.git/')).sort()).toEqual(['.gitlab-ci.yml', '.mlops-project.json']);
    const diff = await execa('git', ['diff', '--unified=0', '--no-color'], { cwd: dir, env: GIT_ENV });
    expect(diff.stdout.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toEqual([
      `-  IMAGE_REGISTRY: harbor.example.com/change-me/${name}`,
      '+  IMAGE_REGISTRY: harbor.acme.io:8443/ml/app',
      `-    "registry": "harbor.example.com/change-me/${name}",`,
      '+    "registry": "harbor.acme.io:8443/ml/app",',
    ]);

    // gitlab-variables now takes it (a dry run asks GitLab nothing).
    const dry = await run(MLOPS_BIN, ['gitlab-variables', '--dir', dir, '--gitlab-project', 'g/p', '--dry-run'], work, { GITLAB_TOKEN: '' });
    expect(dry.exitCode, dry.stderr).toBe(0);
    // Again: nothing to change.
    const again = await setRegistry(['harbor.acme.io:8443/ml/app'], dir);
    expect(again.stdout).toContain('nothing to change');
  });

  it('a repo made with --registry: no set-registry step', async () => {
    const result = await create([`app${(count += 1)}`, '--yes', '--registry', 'harbor.acme.io/ml/app'], work);
    expect(result.stdout).not.toContain('set-registry');
  });

  it('--dry-run lists the two files and writes nothing', async () => {
    const dir = await placeholderRepo(['--no-git']);
    const before = readTree(dir);
    const result = await setRegistry(['harbor.acme.io/ml/app', '--dry-run'], dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split('\n').slice(1, 3)).toEqual(['  update .gitlab-ci.yml (IMAGE_REGISTRY)', '  update .mlops-project.json (answers.registry)']);
    expect(readTree(dir)).toEqual(before);
  });

  it.each([
    ['a gcp repo, a Harbor registry', ['--platform', 'gcp'], 'harbor.acme.io/ml/app', /^error Invalid registry "harbor\.acme\.io\/ml\/app": registry for gcp must be on Artifact Registry/, 'invalid-registry'],
    ['a placeholder given', [], 'harbor.example.com/change-me/x', /^error "harbor\.example\.com\/change-me\/x" is a placeholder/, 'set-registry'],
  ])('%s: one line, nothing written', async (_name, flags, registry, line, anchor) => {
    const dir = await placeholderRepo(flags);
    const before = readTree(dir);
    const result = await setRegistry([registry], dir);
    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(line);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`/troubleshooting/#${anchor}$`));
    expect(readTree(dir)).toEqual(before);
  });

  it('a repo with uncommitted changes to the two files is refused in one line, nothing written', async () => {
    const dir = await placeholderRepo();
    const ci = join(dir, '.gitlab-ci.yml');
    writeFileSync(ci, `${readFileSync(ci, 'utf8')}# my edit\n`);
    const before = readTree(dir);
    const result = await setRegistry(['harbor.acme.io/ml/app'], dir);
    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stderr)).toEqual([
      'error .gitlab-ci.yml has changes that are not committed in this repo: commit or stash them first, so the registry change can be reviewed (and undone) on its own.',
    ]);
    expect(readTree(dir)).toEqual(before);
  });

  it('not a generated repo, or no registry given: one line', async () => {
    const empty = tempDir('cmp-set-registry-empty-');
    try {
      const result = await setRegistry(['harbor.acme.io/ml/app'], empty);
      expect(errorLines(result.stderr)).toEqual(['error No .mlops-project.json here: run this in a repo made by create-mlops-project (or pass --dir).']);
    } finally {
      removeDir(empty);
    }
    const missing = await setRegistry([]);
    expect(errorLines(missing.stderr)).toEqual(['error Missing the registry: mlops-project set-registry HOST/PATH, e.g. harbor.example.com/team/my-project.']);
  });

  it('--help and mlops-project --help list it', async () => {
    expect((await setRegistry(['--help'])).stdout).toMatch(/^Usage: mlops-project set-registry HOST\/PATH/);
    expect((await run(MLOPS_BIN, ['--help'], work)).stdout).toMatch(/^ {2}set-registry {2,}set the image registry/m);
  });
});
