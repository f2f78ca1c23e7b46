// The README's two commands, as written: the generator one runs in a fresh
// clone of this repo's last commit (npm ci, build, generate); the test one is
// what .ci/run calls after its installs (.ci/run itself runs from a fresh clone).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GIT_ENV, removeDir, ROOT, tempDir } from '../support/cli.js';

/** The ```sh blocks of the README's "The two commands" section. */
function twoCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = /\n## The two commands\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)\n```/g)].map((m) => m[1]!.trim());
}

describe("the README's two commands", () => {
  const [generator, tests] = twoCommands();
  let work: string;
  beforeAll(() => {
    work = tempDir('cmp-readme-');
  });
  afterAll(() => removeDir(work));

  it('are there: one runs the generator, one runs the tests', () => {
    expect(twoCommands()).toHaveLength(2);
    expect(generator).toMatch(/create-mlops-project/);
    expect(tests).toMatch(/\bnpm (test|run check)\b/);
  });

  it('the test command is what .ci/run calls', () => {
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(ci).toMatch(/^npm ci\b/m);
    // .ci/run calls `npm run check`, which ends with `npm test`.
    expect(ci).toMatch(/^npm run check$/m);
    expect(scripts.check).toMatch(/&& npm test$/);
    expect(tests).toBe('npm ci && npm test');
  });

  it('the generator command, as written, makes a repo with its first commit from a fresh clone', async () => {
    const clone = join(work, 'clone');
    await execa('git', ['clone', '--quiet', ROOT, clone]);
    const result = await execa('sh', ['-c', generator!], {
      cwd: clone,
      reject: false,
      all: true,
      stdin: 'ignore',
      env: { ...GIT_ENV, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' },
    });
    expect(result.exitCode, String(result.all)).toBe(0);
    const repo = join(work, 'my-project');
    for (const file of ['.gitlab-ci.yml', '.mlops-project.json', 'mkdocs.yml', 'src/my_project/__init__.py'])
      expect(existsSync(join(repo, file)), file).toBe(true);
    // Its own repository, not a folder of the clone's.
    const top = await execa('git', ['rev-parse', '--show-toplevel'], { cwd: repo });
    expect(top.stdout).toBe(repo);
    const log = await execa('git', ['log', '--format=%s'], { cwd: repo });
    expect(log.stdout).toMatch(/^Initial commit from create-mlops-project \S+$/);
    expect(String(result.all)).toContain('Created My Project in ../my-project');
  });
});
