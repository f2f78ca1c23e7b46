/**
 * The interactive generator in a real pseudo-terminal: a tmux pane of a
 * private tmux server (its own socket in a temp dir, killed after each test).
 * Every prompt is answered by typing, arrow keys on the choice prompts; the
 * repo it makes must equal, file by file and byte for byte (and as a git
 * tree), the one made by the same answers given as flags with --yes.
 * Ctrl-C at a prompt exits 130 and leaves nothing behind.
 */
import { readFileSync, readdirSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { create, CREATE_BIN, GIT_ENV, listFiles, readTree, removeDir, tempDir } from '../support/cli.js';
import { ACCESS, startFakeGitLab } from '../support/fake-gitlab.js';

/** The locale tmux (client and pane) runs with: UTF-8, so typed and shown non-ASCII text is exact. */
const LOCALE = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

/** One tmux server on a socket of its own, one session `t` of 100x40. */
class Terminal {
  private readonly socket: string;
  constructor(private readonly home: string) {
    this.socket = join(home, 'tmux.sock');
  }

  private tmux(args: string[]) {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: this.home, ...LOCALE };
    return execa('tmux', ['-u', '-S', this.socket, '-f', '/dev/null', ...args], { env, extendEnv: false, stdin: 'ignore' });
  }

  /**
   * Run `node create-mlops-project ARGS` in `cwd` in the pane, with a clean,
   * fixed environment; its exit code goes to a file, and the pane stays open
   * so that the last screen can be read.
   */
  async start(cwd: string, args: string[]): Promise<void> {
    const env = { PATH: process.env.PATH ?? '', HOME: this.home, TERM: 'screen', ...LOCALE, ...GIT_ENV };
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const script = [
      '#!/bin/sh',
      `cd ${quote(cwd)}`,
      `env -i ${Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`).join(' ')} ${[process.execPath, CREATE_BIN, ...args].map(quote).join(' ')}`,
      `echo $? > ${quote(join(this.home, 'rc'))}`,
      'exec sleep 600',
      '',
    ].join('\n');
    const run = join(this.home, 'run.sh');
    writeFileSync(run, script, { mode: 0o755 });
    await this.tmux(['new-session', '-d', '-s', 't', '-x', '100', '-y', '40', run]);
  }

  async screen(): Promise<string> {
    return String((await this.tmux(['capture-pane', '-p', '-J', '-t', 't'])).stdout);
  }

  /** Wait until the screen shows `text`; fail with the screen after 15 s. */
  async waitFor(text: string): Promise<string> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const screen = await this.screen();
      if (screen.includes(text)) return screen;
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${JSON.stringify(text)}; it shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Type text literally (no key names). */
  async type(text: string): Promise<void> {
    await this.tmux(['send-keys', '-t', 't', '-l', '--', text]);
  }

  /** Wait for `prompt`, type `text`, press Enter. */
  async answer(prompt: string, text: string): Promise<void> {
    await this.waitFor(prompt);
    await this.type(text);
    await this.press('Enter');
  }

  /** Press keys: Enter, Up, Down, BSpace, C-c... */
  async press(...keys: string[]): Promise<void> {
    for (const key of keys) await this.tmux(['send-keys', '-t', 't', key]);
  }

  /** Wait for the generator to exit; its exit code. */
  async exitCode(): Promise<number> {
    const file = join(this.home, 'rc');
    const deadline = Date.now() + 30_000;
    while (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') {
      if (Date.now() > deadline) throw new Error(`the generator did not exit; the terminal shows:\n${await this.screen()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Number(readFileSync(file, 'utf8').trim());
  }

  async kill(): Promise<void> {
    await this.tmux(['kill-server']).catch(() => undefined);
  }
}

const ANSWERS = {
  projectName: 'Churn Model',
  repoName: 'churn-predictor',
  packageName: 'churn',
  description: 'Predicts churn: "who leaves" # not a comment \\ ok',
  author: "Zoë O'Brien ✓",
  platform: 'gcp',
  registry: 'asia-southeast1-docker.pkg.dev/acme-ml/images/churn-predictor',
  runnerTag: 'gcp-large',
  python: '3.11',
  builder: 'buildah',
};

const AS_FLAGS = [
  '--project-name', ANSWERS.projectName,
  '--repo-name', ANSWERS.repoName,
  '--package-name', ANSWERS.packageName,
  '--description', ANSWERS.description,
  '--author', ANSWERS.author,
  '--platform', ANSWERS.platform,
  '--registry', ANSWERS.registry,
  '--runner-tag', ANSWERS.runnerTag,
  '--python', ANSWERS.python,
  '--builder', ANSWERS.builder,
];

async function git(dir: string, args: string[]): Promise<string> {
  return String((await execa('git', args, { cwd: dir, env: GIT_ENV })).stdout).trim();
}

let work: string;
let terminal: Terminal;
beforeEach(() => {
  work = tempDir('cmp-tty-');
  mkdirSync(join(work, 'home'));
  terminal = new Terminal(join(work, 'home'));
});
afterEach(async () => {
  await terminal.kill();
  removeDir(work);
});

describe('create-mlops-project on a terminal', () => {
  it('answers typed at every prompt (arrow keys on the choices) make the same repo as the flags', async () => {
    const tty = join(work, 'tty');
    mkdirSync(tty);
    await terminal.start(tty, ['churn']);

    await terminal.answer('? Project name (Churn)', ANSWERS.projectName);

    await terminal.waitFor('? Repository name (slug) (churn-model)');
    // A bad value is refused with the reason, and asked again.
    await terminal.type('Churn_Predictor');
    await terminal.press('Enter');
    await terminal.waitFor('> repo name must start with a lower-case letter');
    await terminal.press(...Array<string>(15).fill('BSpace'));
    await terminal.answer('? Repository name (slug) (churn-model)', ANSWERS.repoName);

    await terminal.answer('? Python package name (churn_predictor)', ANSWERS.packageName);

    await terminal.answer('? One-line description', ANSWERS.description);

    await terminal.answer('? Author', ANSWERS.author);

    await terminal.waitFor('❯ On-prem Harbor');
    await terminal.press('Down');
    await terminal.waitFor('❯ GCP Artifact Registry');
    await terminal.press('Enter');

    // The placeholder default follows the platform just picked (the prompt wraps long lines itself).
    const registryPrompt = await terminal.waitFor('? Image repository prefix');
    expect(registryPrompt.replace(/\n/g, '')).toContain('(asia-southeast1-docker.pkg.dev/change-me/change-me/churn-predictor)');
    await terminal.type(ANSWERS.registry);
    await terminal.press('Enter');

    await terminal.answer('? GitLab runner tag (gcp)', ANSWERS.runnerTag);

    await terminal.waitFor('❯ 3.12');
    await terminal.press('Up');
    await terminal.waitFor('❯ 3.11');
    await terminal.press('Enter');

    await terminal.waitFor('❯ kaniko');
    await terminal.press('Down');
    await terminal.waitFor('❯ buildah');
    await terminal.press('Enter');

    // The GitLab step is offered last; its default is "Later", as with the flags.
    await terminal.waitFor('? Set the registry credential in GitLab now?');
    await terminal.waitFor('❯ Later');
    await terminal.press('Enter');

    expect(await terminal.exitCode(), await terminal.screen()).toBe(0);
    const last = await terminal.screen();
    expect(last).toContain(`✔ Author ${ANSWERS.author}`);
    expect(last).toContain('✔ Image builder in CI buildah');
    expect(last).toContain('✔ Set the registry credential in GitLab now? Later');
    expect(last).toMatch(/✔ Created Churn Model in churn \(\d+ files, first commit on main\)/);
    // Nothing but the repo was written (no staging folder left beside it).
    expect(readdirSync(tty)).toEqual(['churn']);

    const flags = join(work, 'flags');
    mkdirSync(flags);
    const result = await create(['churn', ...AS_FLAGS, '--yes'], flags);
    expect(result.exitCode, result.stderr).toBe(0);

    const typed = join(tty, 'churn');
    const given = join(flags, 'churn');
    const record = JSON.parse(readFileSync(join(typed, '.mlops-project.json'), 'utf8')) as { answers: unknown };
    expect(record.answers).toEqual(ANSWERS);
    expect(listFiles(typed)).toEqual(listFiles(given));
    expect(readTree(typed)).toEqual(readTree(given));
    for (const file of listFiles(typed))
      expect(readFileSync(join(typed, file)).equals(readFileSync(join(given, file))), file).toBe(true);
    // The first commits hold the same tree (paths, bytes and file modes), on main, with the same message.
    expect(await git(typed, ['rev-parse', 'HEAD^{tree}'])).toBe(await git(given, ['rev-parse', 'HEAD^{tree}']));
    expect(await git(typed, ['symbolic-ref', '--short', 'HEAD'])).toBe('main');
    expect(await git(typed, ['log', '--format=%s'])).toBe(await git(given, ['log', '--format=%s']));
    expect(await git(typed, ['status', '--porcelain'])).toBe('');
  });

  it('the GitLab step, picked at the prompt: a new project gets the credential and the first commit; no secret on the screen', async () => {
    const fake = await startFakeGitLab(join(work, 'git-server'));
    try {
      const token = 'glpat-interactive-token-0001';
      const password = 'harbor-secret-typed-hidden-42';
      fake.addToken({ token, username: 'tester', scopes: ['api'] });
      fake.addGroup('team', { tester: ACCESS.maintainer });
      const cwd = join(work, 'cwd');
      mkdirSync(cwd);
      const answers = ['--project-name', 'Churn', '--repo-name', 'churn', '--package-name', 'churn', '--description', '', '--author', '',
        '--platform', 'onprem', '--registry', 'harbor.example.com/ml/churn', '--runner-tag', 'on-prem', '--python', '3.12', '--builder', 'kaniko'];
      await terminal.start(cwd, ['churn', ...answers]);

      await terminal.waitFor('? Set the registry credential in GitLab now?');
      await terminal.press('Down', 'Down');
      await terminal.waitFor('❯ Yes, in a new private GitLab project, then push');
      await terminal.press('Enter');
      await terminal.answer('? GitLab URL (https://gitlab.com)', fake.url);
      await terminal.waitFor('? New project path');
      // A bad path is refused at the prompt, and asked again.
      await terminal.type('team/bad name');
      await terminal.press('Enter');
      await terminal.waitFor('> the project path must be a path like group/sub/name');
      await terminal.press(...Array<string>(13).fill('BSpace'));
      await terminal.type('team/churn');
      await terminal.press('Enter');

      await terminal.answer('(GITLAB_TOKEN)', token);
      await terminal.answer('(HARBOR_USERNAME)', 'robot$ml+ci');
      await terminal.answer('(HARBOR_PASSWORD)', password);

      expect(await terminal.exitCode(), await terminal.screen()).toBe(0);
      const screen = await terminal.screen();
      expect(screen).not.toContain(token);
      expect(screen).not.toContain(password);
      expect(screen).toMatch(/✔ Created Churn in churn/);
      expect(screen).not.toMatch(/set the masked CI\/CD variable/);
      const project = fake.project('team/churn');
      expect(project?.variables.map((v) => [v.key, v.masked, v.protected])).toEqual([['HARBOR_ROBOT_CREDS_JSON', true, true]]);
      const pushed = await execa('git', ['--git-dir', join(work, 'git-server', 'team/churn.git'), 'log', '--format=%s', 'main'], { reject: false });
      expect(pushed.stdout).toMatch(/^Initial commit from create-mlops-project /);
    } finally {
      await fake.stop();
    }
  });

  it('Ctrl-C at the first prompt exits 130 and writes nothing', async () => {
    const cwd = join(work, 'cwd');
    mkdirSync(cwd);
    await terminal.start(cwd, ['app']);
    await terminal.waitFor('? Project name (App)');
    await terminal.press('C-c');
    expect(await terminal.exitCode()).toBe(130);
    expect(await terminal.screen()).toContain('error Cancelled: nothing was written.');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('Ctrl-C at a choice prompt, after some answers, exits 130 and writes nothing', async () => {
    const cwd = join(work, 'cwd');
    mkdirSync(cwd);
    await terminal.start(cwd, []);
    for (const prompt of ['? Project name (My Project)', '? Repository name (slug) (my-project)', '? Python package name (my_project)', '? One-line description', '? Author']) {
      await terminal.waitFor(prompt);
      await terminal.press('Enter');
    }
    await terminal.waitFor('❯ On-prem Harbor');
    await terminal.press('Down');
    await terminal.waitFor('❯ GCP Artifact Registry');
    await terminal.press('C-c');
    expect(await terminal.exitCode()).toBe(130);
    expect(await terminal.screen()).toContain('error Cancelled: nothing was written.');
    expect(readdirSync(cwd)).toEqual([]);
  });
});
