/**
 * The interactive generator in a real pseudo-terminal: a tmux pane of a
 * private tmux server (its own socket in a temp dir, killed after each test).
 * Every prompt is answered by typing, arrow keys on the choice prompts; the
 * repo it makes must equal, file by file and byte for byte (and as a git
 * tree), the one made by the same answers given as flags with --yes.
 * The run ends with a review of every answer (one can be changed); a refused
 * GitLab check asks again or goes on without the step. Ctrl-C at a prompt
 * exits 130, leaves nothing behind, and prints the answers typed so far as
 * one command line (never a secret).
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
      // A Ctrl-C outside a prompt is a SIGINT to the whole pane: this shell outlives it, as a login shell does.
      'trap : INT',
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
  gcpAuth: 'workload-identity',
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
  '--gcp-auth', ANSWERS.gcpAuth,
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

    // gcp only: how the jobs log in.
    await terminal.waitFor('❯ Service account key (key)');
    await terminal.press('Down');
    await terminal.waitFor('❯ Workload identity federation');
    await terminal.press('Enter');

    // The placeholder default follows the platform just picked (the prompt wraps long lines itself).
    const registryPrompt = await terminal.waitFor('? Image repository prefix');
    expect(registryPrompt.replace(/\n/g, '')).toContain('(asia-southeast1-docker.pkg.dev/change-me/change-me/churn-predictor)');
    await terminal.type(ANSWERS.registry);
    await terminal.press('Enter');

    await terminal.answer('? GitLab runner tag (gcp)', ANSWERS.runnerTag);

    // Python: the default for now; changed in the review below.
    await terminal.waitFor('❯ 3.12');
    await terminal.press('Enter');

    await terminal.waitFor('❯ kaniko');
    await terminal.press('Down');
    await terminal.waitFor('❯ buildah');
    await terminal.press('Enter');

    // The GitLab step is offered last; its default is "Later", as with the flags.
    await terminal.waitFor('? Set the registry credential in GitLab now?');
    await terminal.waitFor('❯ Later');
    await terminal.press('Enter');

    // The review: every answer, "Create the repo" highlighted; pick the Python version, change it.
    const review = await terminal.waitFor('? Create the repo with these answers?');
    expect(review).toContain('❯ Create the repo');
    expect(review).toMatch(/^ {2}Python version +3\.12$/m);
    expect(review).toMatch(/^ {2}GitLab credential +Later$/m);
    await terminal.press(...Array<string>(10).fill('Down'));
    await terminal.waitFor('❯ Python version');
    await terminal.press('Enter');
    await terminal.waitFor('✔ Create the repo with these answers? No, change: Python version');
    await terminal.waitFor('❯ 3.12');
    await terminal.press('Up');
    await terminal.waitFor('❯ 3.11');
    await terminal.press('Enter');
    // Back to the review, with the new answer, and the rest as they were.
    // Labels are padded to the longest (gcp's auth question).
    await terminal.waitFor(`  ${'Python version'.padEnd(40)}  3.11`);
    const again = await terminal.screen();
    expect(again).toMatch(/^ {2}Image builder in CI +buildah$/m);
    expect(again).toMatch(/^ {2}GitLab runner tag +gcp-large$/m);
    await terminal.waitFor('❯ Create the repo');
    await terminal.press('Enter');

    expect(await terminal.exitCode(), await terminal.screen()).toBe(0);
    const last = await terminal.screen();
    expect(last).toContain(`✔ Author ${ANSWERS.author}`);
    expect(last).toContain('✔ Image builder in CI buildah');
    expect(last).toContain('✔ Python version 3.11');
    expect(last).toContain('✔ Create the repo with these answers? Yes');
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
      await terminal.waitFor(`${'GitLab credential'.padEnd(40)}  new private project team/churn on`);
      await terminal.waitFor('❯ Create the repo');
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

  describe('a refused GitLab check, after the answers', () => {
    const token = 'glpat-interactive-token-0002';
    const password = 'harbor-secret-typed-hidden-43';
    const answers = ['--repo-name', 'churn', '--package-name', 'churn', '--description', '', '--author', '',
      '--platform', 'onprem', '--registry', 'harbor.example.com/ml/churn', '--runner-tag', 'on-prem', '--python', '3.12', '--builder', 'kaniko'];

    /** Type the project name, pick an existing project at `path`, pass the review. */
    async function upToTheSecrets(url: string, path: string): Promise<void> {
      await terminal.answer('? Project name (Churn)', 'Churn');
      await terminal.waitFor('? Set the registry credential in GitLab now?');
      await terminal.press('Down');
      await terminal.waitFor('❯ Yes, in an existing GitLab project');
      await terminal.press('Enter');
      await terminal.answer('? GitLab URL (https://gitlab.com)', url);
      await terminal.answer('? Project path', path);
      await terminal.waitFor('? Create the repo with these answers?');
      await terminal.waitFor('❯ Create the repo');
      await terminal.press('Enter');
    }

    it('a project not found: the project is asked again, the secrets are not; then the repo and the variable', async () => {
      const fake = await startFakeGitLab();
      try {
        fake.addToken({ token, username: 'tester', scopes: ['api'] });
        fake.addProject('team/churn', { tester: ACCESS.maintainer });
        const cwd = join(work, 'cwd');
        mkdirSync(cwd);
        await terminal.start(cwd, ['churn', ...answers]);
        await upToTheSecrets(fake.url, 'team/chrun');
        await terminal.answer('(GITLAB_TOKEN)', token);
        await terminal.answer('(HARBOR_USERNAME)', 'robot$ml+ci');
        await terminal.answer('(HARBOR_PASSWORD)', password);

        // The check is refused: the error, then what to do; nothing is written yet.
        await terminal.waitFor('error GitLab project team/chrun was not found');
        await terminal.waitFor('? The GitLab step cannot go on like this: what now?');
        await terminal.waitFor('❯ Change the GitLab project (or its URL)');
        expect(await terminal.screen()).toContain('  Create the repo without the GitLab step');
        expect(readdirSync(cwd)).toEqual([]);
        await terminal.press('Enter');
        // The step's questions again, with what was given as defaults.
        await terminal.waitFor('❯ Yes, in an existing GitLab project');
        await terminal.press('Enter');
        await terminal.waitFor(`? GitLab URL (${fake.url})`);
        await terminal.press('Enter');
        await terminal.answer('? Project path (group/name, as in its URL) (team/chrun)', 'team/churn');

        expect(await terminal.exitCode(), await terminal.screen()).toBe(0);
        const screen = await terminal.screen();
        expect(screen).toMatch(/✔ Created Churn in churn/);
        // The token was asked once, and no secret reached the screen.
        expect(screen.split('(GITLAB_TOKEN)').length).toBe(2);
        expect(screen).not.toContain(token);
        expect(screen).not.toContain(password);
        expect(fake.project('team/churn')?.variables.map((v) => v.key)).toEqual(['HARBOR_ROBOT_CREDS_JSON']);
      } finally {
        await fake.stop();
      }
    });

    it('a key file path that cannot be read: only that is asked again; then the variable is set', async () => {
      const fake = await startFakeGitLab();
      try {
        fake.addToken({ token, username: 'tester', scopes: ['api'] });
        fake.addProject('team/churn', { tester: ACCESS.maintainer });
        const key = join(work, 'key.json');
        writeFileSync(key, JSON.stringify({ type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' }));
        const cwd = join(work, 'cwd');
        mkdirSync(cwd);
        const gcp = answers.map((a) => (a === 'onprem' ? 'gcp' : a === 'harbor.example.com/ml/churn' ? 'europe-west4-docker.pkg.dev/p/images/churn' : a === 'on-prem' ? 'gcp' : a)).concat('--gcp-auth', 'key');
        await terminal.start(cwd, ['churn', ...gcp]);
        await upToTheSecrets(fake.url, 'team/churn');
        await terminal.answer('(GITLAB_TOKEN)', token);
        await terminal.answer('(GCP_SERVICE_ACCOUNT_KEY_FILE)', join(work, 'no-such-key.json'));

        await terminal.waitFor(`error Cannot read GCP_SERVICE_ACCOUNT_KEY_FILE ${join(work, 'no-such-key.json')}: no such file.`);
        await terminal.waitFor('❯ Type the key file path again');
        await terminal.press('Enter');
        await terminal.answer('? Path of the service account key JSON (GCP_SERVICE_ACCOUNT_KEY_FILE)', key);

        expect(await terminal.exitCode(), await terminal.screen()).toBe(0);
        const screen = await terminal.screen();
        expect(screen).toMatch(/✔ Created Churn in churn/);
        expect(screen.split('(GITLAB_TOKEN)').length).toBe(2);
        expect(screen).not.toContain(token);
        expect(fake.project('team/churn')?.variables.map((v) => v.key)).toEqual(['GCP_SERVICE_ACCOUNT_KEY']);
      } finally {
        await fake.stop();
      }
    });

    it('a bad token: going on without the GitLab step writes the repo, and the next steps say how to set it later', async () => {
      const fake = await startFakeGitLab();
      try {
        fake.addProject('team/churn', { tester: ACCESS.maintainer });
        const cwd = join(work, 'cwd');
        mkdirSync(cwd);
        await terminal.start(cwd, ['churn', ...answers]);
        await upToTheSecrets(fake.url, 'team/churn');
        await terminal.answer('(GITLAB_TOKEN)', 'glpat-not-a-known-token');
        await terminal.answer('(HARBOR_USERNAME)', 'robot$ml+ci');
        await terminal.answer('(HARBOR_PASSWORD)', password);

        await terminal.waitFor('error GITLAB_TOKEN is invalid or expired');
        await terminal.waitFor('❯ Type the GitLab token again');
        await terminal.press('Down');
        await terminal.waitFor('❯ Create the repo without the GitLab step');
        await terminal.press('Enter');

        expect(await terminal.exitCode(), await terminal.screen()).toBe(0);
        const screen = await terminal.screen();
        expect(screen).toMatch(/✔ Created Churn in churn/);
        expect(screen).toContain('gitlab-variables');
        expect(screen).not.toContain('glpat-not-a-known-token');
        expect(readdirSync(join(cwd, 'churn'))).toContain('.mlops-project.json');
        expect(fake.project('team/churn')?.variables).toEqual([]);
      } finally {
        await fake.stop();
      }
    });

    it('Ctrl-C while the check waits on GitLab: exit 130, the command line, nothing written', async () => {
      const fake = await startFakeGitLab();
      try {
        fake.addToken({ token, username: 'tester', scopes: ['api'] });
        fake.fault({ url: /\/api\/v4\/user$/, kind: 'hang', times: 1 });
        const cwd = join(work, 'cwd');
        mkdirSync(cwd);
        await terminal.start(cwd, ['churn', ...answers]);
        await upToTheSecrets(fake.url, 'team/churn');
        await terminal.answer('(GITLAB_TOKEN)', token);
        await terminal.answer('(HARBOR_USERNAME)', 'robot$ml+ci');
        await terminal.answer('(HARBOR_PASSWORD)', password);
        // GitLab never answers the first call: Ctrl-C there.
        const deadline = Date.now() + 15_000;
        while (!fake.requests.some((r) => r.url.endsWith('/api/v4/user'))) {
          if (Date.now() > deadline) throw new Error(`GitLab was never asked; the terminal shows:\n${await terminal.screen()}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        await terminal.press('C-c');
        expect(await terminal.exitCode()).toBe(130);
        const screen = await terminal.screen();
        expect(screen).toContain(`--gitlab-url ${fake.url} --gitlab-project team/churn\nerror Cancelled: nothing was written.`);
        expect(screen).not.toContain(token);
        expect(screen).not.toContain(password);
        expect(readdirSync(cwd)).toEqual([]);
      } finally {
        await fake.stop();
      }
    });

    it('Ctrl-C at a secret prompt: the command line has the answers and the GitLab step, never the token', async () => {
      const fake = await startFakeGitLab();
      try {
        const cwd = join(work, 'cwd');
        mkdirSync(cwd);
        await terminal.start(cwd, ['churn', ...answers]);
        await upToTheSecrets(fake.url, 'team/churn');
        await terminal.answer('(GITLAB_TOKEN)', token);
        await terminal.waitFor('(HARBOR_USERNAME)');
        await terminal.press('C-c');
        expect(await terminal.exitCode()).toBe(130);
        const screen = await terminal.screen();
        expect(screen).toContain(
          `\n  node ${CREATE_BIN} churn --project-name Churn --repo-name churn --package-name churn --description '' --author '' --platform onprem --registry harbor.example.com/ml/churn --runner-tag on-prem --python 3.12 --builder kaniko --gitlab-url ${fake.url} --gitlab-project team/churn\nerror Cancelled: nothing was written.`,
        );
        expect(screen).not.toContain(token);
        expect(readdirSync(cwd)).toEqual([]);
      } finally {
        await fake.stop();
      }
    });
  });

  it('Ctrl-C at the first prompt exits 130 and writes nothing', async () => {
    const cwd = join(work, 'cwd');
    mkdirSync(cwd);
    await terminal.start(cwd, ['app']);
    await terminal.waitFor('? Project name (App)');
    await terminal.press('C-c');
    expect(await terminal.exitCode()).toBe(130);
    const screen = await terminal.screen();
    expect(screen).toContain('error Cancelled: nothing was written.');
    // Nothing was typed: no command line to start again with.
    expect(screen).not.toContain('The answers so far');
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
    const screen = await terminal.screen();
    // The answers given so far (Enter took each default), as one command line, before the error.
    expect(screen).toContain(
      `The answers so far, as one command (to start again without typing them; secrets are never in it):\n  node ${CREATE_BIN} --project-name 'My Project' --repo-name my-project --package-name my_project --description '' --author ''\nerror Cancelled: nothing was written.`,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('without [dir], the repo name prompt refuses a folder in the way; Ctrl-C then gives the answers typed', async () => {
    const cwd = join(work, 'cwd');
    mkdirSync(join(cwd, 'churn'), { recursive: true });
    writeFileSync(join(cwd, 'churn', 'notes.txt'), 'mine\n');
    await terminal.start(cwd, ['--platform', 'gcp']);
    await terminal.answer('? Project name (My Project)', 'Churn');
    await terminal.waitFor('? Repository name (slug) (churn)');
    await terminal.press('Enter');
    await terminal.waitFor('> Target directory churn is not empty: notes.txt: pick another name, or pass --force');
    await terminal.press('C-c');
    expect(await terminal.exitCode()).toBe(130);
    const screen = await terminal.screen();
    // Flags given and answers typed; not the repo name, which was refused.
    expect(screen).toContain(`\n  node ${CREATE_BIN} --project-name Churn --platform gcp\nerror Cancelled: nothing was written.`);
    expect(readdirSync(cwd)).toEqual(['churn']);
    expect(readdirSync(join(cwd, 'churn'))).toEqual(['notes.txt']);
  });
});
