/**
 * Push a repo's branch to its new GitLab project. The token travels only in
 * an `http.<url>.extraHeader` given to this one git process through
 * GIT_CONFIG_COUNT/KEY/VALUE environment variables: never in a command-line
 * argument (visible in `ps`), a remote URL or .git/config. `origin` is the
 * plain https URL. Credential helpers are switched off for the push, so none
 * can prompt or store anything.
 */
import { UserError } from '../../generators/shared/errors.js';
import type { Redactor, Secret } from './secret.js';

export interface LocalRepo {
  dir: string;
  branch: string;
  /** URL of `origin`, if set. */
  origin: string | undefined;
}

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

async function git(dir: string, args: string[], env: Record<string, string> = {}): Promise<GitResult> {
  const { execa } = await import('execa');
  try {
    const result = await execa('git', args, {
      cwd: dir,
      reject: false,
      stdin: 'ignore',
      env: { GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never', ...env },
    });
    return { ok: result.exitCode === 0, stdout: String(result.stdout), stderr: String(result.stderr) };
  } catch (error) {
    throw new UserError(`git could not run (${(error as Error).message.split('\n')[0] ?? ''}); install git to use --gitlab-push.`, { docs: 'gitlab-push' });
  }
}

/** GIT_CONFIG_COUNT (how the token reaches git) exists since git 2.31. */
export function gitTooOld(versionOutput: string): boolean {
  const match = /(\d+)\.(\d+)/.exec(versionOutput);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major < 2 || (major === 2 && minor < 31);
}

/** The branch to push and the current origin; fails (before anything is sent) when there is nothing to push. */
export async function inspectRepo(dir: string): Promise<LocalRepo> {
  const version = await git(dir, ['version']);
  if (gitTooOld(version.stdout))
    throw new UserError(`--gitlab-push needs git 2.31 or later (${version.stdout.trim()} here): update git, or push by hand.`, { docs: 'gitlab-push' });
  const head = await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!head.ok)
    throw new UserError(`${dir} has no commit to push (--gitlab-push).`, {
      docs: 'gitlab-push',
      hint: `Make the first commit: cd ${dir} && git init -b main && git add -A && git commit -m "Initial commit"`,
    });
  const branch = await git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (!branch.ok) throw new UserError(`${dir} is not on a branch (detached HEAD): check out the branch to push, e.g. git switch main.`, { docs: 'gitlab-push' });
  const origin = await git(dir, ['remote', 'get-url', 'origin']);
  return { dir, branch: branch.stdout.trim(), origin: origin.ok ? origin.stdout.trim() : undefined };
}

const normalise = (url: string): string => url.replace(/\/+$/, '').replace(/\.git$/, '').toLowerCase();

/** Undefined when `origin` is unset or already `url`; else what is in the way. */
export function originConflict(repo: LocalRepo, url: string): string | undefined {
  if (repo.origin === undefined || normalise(repo.origin) === normalise(url)) return undefined;
  return `the remote origin of ${repo.dir} already points to ${repo.origin.replace(/\/\/[^/@]*@/, '//[redacted]@')}, not ${url}: remove it (git remote remove origin) or push by hand`;
}

/** The environment that gives git the auth header for `url` only, keeping any GIT_CONFIG_* already set. */
export function authEnv(url: string, username: string, token: Secret, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const start = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  const basic = Buffer.from(`${username}:${token.reveal()}`).toString('base64');
  const entries: [string, string][] = [
    [`http.${url}.extraHeader`, `Authorization: Basic ${basic}`],
    // An empty helper clears the list: no helper is asked, none stores anything.
    ['credential.helper', ''],
  ];
  const out: Record<string, string> = { GIT_CONFIG_COUNT: String(start + entries.length) };
  entries.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${start + i}`] = key;
    out[`GIT_CONFIG_VALUE_${start + i}`] = value;
  });
  return out;
}

export interface PushInput {
  repo: LocalRepo;
  url: string;
  username: string;
  token: Secret;
  redactor: Redactor;
}

export async function pushBranch(input: PushInput): Promise<void> {
  const { repo, url } = input;
  const basic = Buffer.from(`${input.username}:${input.token.reveal()}`).toString('base64');
  input.redactor.add(basic);
  if (repo.origin === undefined) {
    const added = await git(repo.dir, ['remote', 'add', 'origin', url]);
    if (!added.ok) throw new UserError(`git remote add origin failed: ${firstLine(input.redactor.redact(added.stderr))}`, { docs: 'gitlab-push' });
  }
  const pushed = await git(
    repo.dir,
    ['push', '--quiet', '--set-upstream', 'origin', repo.branch],
    authEnv(url, input.username, input.token),
  );
  if (!pushed.ok) throw new UserError(`git push to ${url} failed: ${firstLine(input.redactor.redact(pushed.stderr))}`, { docs: 'gitlab-push' });
}

function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('hint:'));
  return lines.find((l) => /^(fatal|error|remote: error|! \[)/.test(l)) ?? lines[0] ?? 'unknown error';
}
