import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, CREATE_BIN, errorLines, listFiles, readTree, removeDir, tempDir } from '../support/cli.js';

let work: string;
beforeEach(() => {
  work = tempDir();
});
afterEach(() => removeDir(work));

const FULL = [
  '--project-name', 'Churn Model', '--platform', 'gcp', '--registry', 'europe-west4-docker.pkg.dev/acme/ml/churn-model',
  '--description', 'd', '--author', 'a', '--runner-tag', 'gcp', '--python', '3.11', '--builder', 'buildah',
  '--repo-name', 'churn-model', '--package-name', 'churn',
];

describe('create-mlops-project', () => {
  it('--help lists every flag; --version prints the version', async () => {
    const help = await create(['--help'], work);
    expect(help.exitCode).toBe(0);
    for (const flag of ['--project-name', '--repo-name', '--package-name', '--description', '--author', '--platform',
      '--registry', '--runner-tag', '--python', '--builder', '--yes', '--answers', '--dry-run', '--force', '--no-git',
      '--help', '--version', '--gitlab-project', '--gitlab-url', '--gitlab-create', '--gitlab-namespace', '--gitlab-push',
      '--no-protected'])
      expect(help.stdout).toContain(flag);
    const version = await create(['-V'], work);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('--yes makes a repo with the defaults, warns about the placeholder registry, records the answers', async () => {
    const result = await create(['app', '--yes', '--no-git'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^warning No --registry given: images will be pushed to the placeholder harbor\.example\.com\/change-me\/app\./m);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/\/troubleshooting\/#placeholder-registry$/);
    expect(result.stdout).toContain('Created App in app');
    expect(result.stdout).toContain('Next steps:');
    const dir = join(work, 'app');
    const record = JSON.parse(readFileSync(join(dir, '.mlops-project.json'), 'utf8'));
    expect(record).toMatchObject({
      generator: 'create-mlops-project',
      answers: { projectName: 'App', repoName: 'app', packageName: 'app', platform: 'onprem', builder: 'kaniko' },
      images: [{ name: 'cpu', buildSwitch: 'BUILD_DATAPREP' }, { name: 'gpu', buildSwitch: 'BUILD_MODEL' }],
    });
    expect(existsSync(join(dir, 'src/app/__init__.py'))).toBe(true);
    expect(existsSync(join(dir, 'docker/app-cpu.Dockerfile'))).toBe(true);
    expect(existsSync(join(dir, '.gitlab-ci.yml'))).toBe(true);
    expect(existsSync(join(dir, '.git'))).toBe(false);
    expect(listFiles(dir).some((f) => f.startsWith('ci-overlays'))).toBe(false);
    // No staging directory left beside it.
    expect(listFiles(work).every((f) => f.startsWith('app/'))).toBe(true);
  });

  it('without a directory, creates ./<repo-name>', async () => {
    const result = await create(FULL.concat(['--no-git']), work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(existsSync(join(work, 'churn-model/src/churn/__init__.py'))).toBe(true);
  });

  it('--dry-run prints the plan and writes nothing', async () => {
    const result = await create(['app', '--yes', '--dry-run'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('create .gitlab-ci.yml');
    expect(result.stdout).toContain('create .mlops-project.json');
    expect(result.stdout).toMatch(/git init -b main, git add the \d+ files not kept, git commit -m 'Initial commit from create-mlops-project /);
    expect(listFiles(work)).toEqual([]);
  });

  it('refuses a non-empty directory, listing what is in the way, and writes nothing', async () => {
    mkdirSync(join(work, 'app'));
    writeFileSync(join(work, 'app/notes.txt'), 'mine');
    const result = await create(['app', '--yes'], work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe('error Target directory app is not empty: notes.txt.');
    expect(result.stderr).toContain('--force');
    expect(listFiles(work)).toEqual(['app/notes.txt']);
  });

  it('--force writes into a non-empty directory, keeps files outside the plan, and keeps a file of the plan unless named', async () => {
    mkdirSync(join(work, 'app'));
    writeFileSync(join(work, 'app/notes.txt'), 'mine');
    writeFileSync(join(work, 'app/.gitlab-ci.yml'), 'old');
    const result = await create(['app', '--yes', '--force', '--no-git'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(join(work, 'app/notes.txt'), 'utf8')).toBe('mine');
    expect(readFileSync(join(work, 'app/.gitlab-ci.yml'), 'utf8')).toBe('old');
    expect(result.stderr).toContain('warning Keeping 1 file of yours that differs from the generated one (not in the first commit): .gitlab-ci.yml.');
    expect(result.stdout).toMatch(/\(\d+ files written, 1 kept\)/);
    const named = await create(['app', '--yes', '--overwrite', '.gitlab-ci.yml', '--no-git'], work);
    expect(named.exitCode, named.stderr).toBe(0);
    expect(readFileSync(join(work, 'app/.gitlab-ci.yml'), 'utf8')).toContain('build:cpu-image');
    expect(readFileSync(join(work, 'app/notes.txt'), 'utf8')).toBe('mine');
    expect(named.stdout).toMatch(/\(1 file written, \d+ unchanged\)/);
    expect(readdirSync(join(work, 'app')).filter((f) => f.includes('staging') || f.endsWith('.tmp'))).toEqual([]);
  });

  it.each([
    [['app', '--yes', '--repo-name', 'Bad Name'], /^error Invalid --repo-name: repo name must start with a lower-case letter/],
    [['app', '--yes', '--platform', 'aws'], /^error Invalid --platform: platform must be one of onprem, gcp, gitlab; got "aws"\.$/],
    [['app', '--yes', '--python', '2.7'], /^error Invalid --python: python must be one of 3\.11, 3\.12, 3\.13; got "2\.7"\.$/],
    [['app', '--yes', '--platform', 'gcp', '--registry', 'harbor.example.com/a/b'], /^error Invalid --registry: registry for gcp must be on Artifact Registry/],
    [['app', '--yes', '--frobnicate'], /^error Unknown option '--frobnicate'\.$/],
    [['a', 'b', '--yes'], /^error Expected at most one directory, got 2: a b\.$/],
    [['app'], /^error Missing answers: --project-name, --repo-name, .*--builder\.$/],
    [['app', '--yes', '--answers', 'nope.json'], /^error Cannot read answers file nope\.json: no such file\.$/],
  ])('%j: one clear line, exit 1, nothing written', async (args, line) => {
    const result = await create(args, work);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(line);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(listFiles(work)).toEqual([]);
  });

  it('--answers reads JSON or YAML; flags win over the file', async () => {
    writeFileSync(join(work, 'a.yml'), 'projectName: "Fraud: v2"\nplatform: gcp\nregistry: us-docker.pkg.dev/p/r/fraud\npython: "3.11"\n');
    const result = await create(['fraud', '--yes', '--no-git', '--answers', 'a.yml', '--python', '3.13'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(work, 'fraud/.mlops-project.json'), 'utf8'));
    expect(record.answers).toMatchObject({ projectName: 'Fraud: v2', repoName: 'fraud-v2', platform: 'gcp', python: '3.13' });
  });

  it('the answers record of one repo regenerates the same repo', async () => {
    expect((await create(['one', ...FULL, '--no-git'], work)).exitCode).toBe(0);
    const again = await create(['two', '--no-git', '--answers', 'one/.mlops-project.json'], work);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(readTree(join(work, 'two'))).toEqual(readTree(join(work, 'one')));
  });

  it('makes the first commit on main, and skips git inside an existing work tree', async () => {
    const result = await create(['app', '--yes'], work);
    expect(result.exitCode, result.stderr).toBe(0);
    const dir = join(work, 'app');
    const branch = await execa('git', ['branch', '--show-current'], { cwd: dir });
    expect(branch.stdout).toBe('main');
    const log = await execa('git', ['log', '--format=%s'], { cwd: dir });
    expect(log.stdout).toMatch(/^Initial commit from create-mlops-project /);
    const status = await execa('git', ['status', '--porcelain'], { cwd: dir });
    expect(status.stdout).toBe('');

    const nested = await create(['sub', '--yes'], dir);
    expect(nested.exitCode, nested.stderr).toBe(0);
    expect(existsSync(join(dir, 'sub/.git'))).toBe(false);
  });

  it('a failing git step says the files are written and how to finish', async () => {
    const result = await create(['app', '--yes', '--registry', 'r.example.com/a/b'], work, { PATH: '/nonexistent' });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(/^error git could not run \(.*ENOENT.*\); is git installed\?$/);
    expect(result.stderr).toContain('The files are written; to finish by hand: cd ');
  });
});

describe('errors name where a bad answer came from', () => {
  it('an answers file value is named by file and key', async () => {
    const work2 = tempDir();
    try {
      writeFileSync(join(work2, 'a.yml'), 'python: 3.10\n');
      const result = await create(['app', '--yes', '--answers', 'a.yml'], work2);
      expect(result.exitCode).toBe(1);
      expect(errorLines(result.stderr)).toEqual(['error Invalid "python" in a.yml: python must be one of 3.11, 3.12, 3.13; got "3.10".']);
    } finally {
      removeDir(work2);
    }
  });
});

describe('flag values that are easy to get wrong', () => {
  it.each([
    [['--project-name', 'Churn', 'Model', '--yes'], 'error "Model" follows --project-name "Churn": if it is part of the value, quote it (--project-name "Churn Model"); if it is the directory, put it first.'],
    [['app', '--description', '-x', '--yes'], "error Option '--description' argument is ambiguous.\nTo specify an option argument starting with a dash use '--description=-XYZ'."],
    // Values with a newline are shown escaped: the error stays one line.
    [['--project-name', 'Churn\nx', 'Mo\tdel', '--yes'], 'error "Mo\\tdel" follows --project-name "Churn\\nx": if it is part of the value, quote it (--project-name "Churn\\nx Mo\\tdel"); if it is the directory, put it first.'],
    [['a\nb', 'c', '--yes'], 'error Expected at most one directory, got 2: a\\nb c.'],
  ])('%j', async (args, stderr) => {
    const work2 = tempDir();
    try {
      const result = await create(args, work2);
      expect(result.exitCode).toBe(1);
      expect(errorLines(result.stderr).join('\n')).toBe(stderr);
      expect(listFiles(work2)).toEqual([]);
    } finally {
      removeDir(work2);
    }
  });

  it('a closed stdout pipe ends quietly', async () => {
    const result = await execa('bash', ['-c', `node ${JSON.stringify(CREATE_BIN)} app --yes --dry-run --registry r.io/a/b | head -1`], { cwd: work, reject: false });
    expect(result.stdout).toMatch(/^Plan for app/);
    expect(result.stderr).toBe('');
  });
});

describe('git without an identity', () => {
  it('the first commit is still made, as the generator, for that commit only; the next steps say how to make it yours', async () => {
    const work2 = tempDir();
    try {
      mkdirSync(join(work2, 'home'));
      // Nothing anywhere: no global or XDG config, no system config, no identity in the environment.
      const env: Record<string, string | undefined> = {
        ...process.env, HOME: join(work2, 'home'), XDG_CONFIG_HOME: join(work2, 'home/.config'), GIT_CONFIG_GLOBAL: join(work2, 'home/none'),
        GIT_CONFIG_NOSYSTEM: '1', NO_COLOR: '1', GIT_AUTHOR_NAME: undefined, GIT_AUTHOR_EMAIL: undefined, GIT_COMMITTER_NAME: undefined,
        GIT_COMMITTER_EMAIL: undefined, EMAIL: undefined,
      };
      const result = await execa(process.execPath, [CREATE_BIN, 'my app', '--yes', '--registry', 'r.io/a/b'], { cwd: work2, env, extendEnv: false, reject: false });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      const dir = join(work2, 'my app');
      const log = await execa('git', ['log', '--format=%an <%ae> %cn <%ce>'], { cwd: dir, env, extendEnv: false });
      expect(log.stdout).toBe('create-mlops-project <create-mlops-project@users.noreply.invalid> create-mlops-project <create-mlops-project@users.noreply.invalid>');
      expect(result.stdout).toContain(
        "  2. make the first commit yours (git knows no user.name / user.email here, so it is by create-mlops-project): git config --global user.name 'Your Name' && git config --global user.email you@example.com && git commit --amend --reset-author --no-edit\n",
      );
      // Never written to a config file.
      expect(readFileSync(join(dir, '.git/config'), 'utf8')).not.toMatch(/user|create-mlops-project/);
      expect(readdirSync(join(work2, 'home'))).toEqual([]);
      const status = await execa('git', ['status', '--porcelain'], { cwd: dir, env, extendEnv: false });
      expect(status.stdout).toBe('');
    } finally {
      removeDir(work2);
    }
  });
});
