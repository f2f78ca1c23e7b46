/**
 * A job's script run as GitLab Runner runs it: the one way every test of the
 * generated pipeline's job scripts runs them.
 *
 * What the runner generates for its `bash` and `sh` shells
 * (gitlab-org/gitlab-runner, shells/bash.go, BashWriter.Finish; the lines
 * come from shells/abstract.go, writeUserScript: before_script and script as
 * one step, each entry trimmed, one after the other):
 *
 *     if set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit
 *     set +o noclobber
 *     : | eval '<the job's lines>'
 *     exit 0
 *
 * So errexit everywhere, and pipefail in the shells that have it: bash and
 * busybox sh, where a command failing on the LEFT of a pipe fails the job;
 * dash has no pipefail, and the guard leaves it off (as on the runner, not
 * an error). The lines' stdin is empty (`: |`). The Docker executor (unless
 * FF_DISABLE_UMASK_FOR_DOCKER_EXECUTOR is set) and the Kubernetes executor
 * run jobs with umask 0000 (gitlab-org/gitlab-runner#1736, #28867): a file a
 * job writes is world-readable and -writable unless the job says otherwise.
 *
 * Which shell: the runner picks bash when the image has it, else sh
 * (BashDetectShellScript): bash in the Python, node, buildah and kubectl
 * images, busybox sh in kaniko's and crane's debug images, dash where
 * /bin/sh is dash and there is no bash. `sh ci/x.sh` in a job line starts a
 * NEW shell: it inherits the umask, not errexit or pipefail (its own
 * `set -eu` is what it runs with). Here `sh` on PATH is the job's own shell
 * (bash as `sh` is bash's POSIX mode, as on Fedora's buildah image), or the
 * one `options.sh` names: dash in the Debian-based Python and node images,
 * busybox in alpine's (the kubectl image), where the job's shell is bash.
 *
 * The exit code: a line's `exit N` ends the job with N. A command that fails
 * under errexit ends it with its own status in dash and busybox sh, but with
 * 1 in bash (4.0 to 5.3: errexit inside `eval` on the right of a pipe),
 * which is what a bash job reports unless FF_USE_NEW_BASH_EVAL_STRATEGY
 * runs the eval in a subshell (gitlab-org/gitlab-runner#27668, !2818):
 * `errexitCode()`.
 *
 * Not reproduced: the runner's `$ <line>` echo of each line (it would mix
 * into the output the tests compare), its `export` of the job's variables
 * and `cd` into the checkout (the test gives `env` and `cwd`), the
 * Kubernetes executor's exit-code trap.
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const RUNNER_SHELLS = ['dash', 'bash', 'busybox sh'] as const;
export type RunnerShell = (typeof RUNNER_SHELLS)[number];

/** The runner's first lines (shells/bash.go), after the executor's umask. */
export const RUNNER_PRELUDE = 'umask 0000\nif set -o | grep pipefail > /dev/null; then set -o pipefail; fi; set -o errexit\nset +o noclobber\n';

/** POSIX single quotes around any text. */
export const shellQuote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** The text the runner's shell reads for a job whose before_script and script are `lines`. */
export function runnerScript(lines: string | readonly string[]): string {
  const body = (typeof lines === 'string' ? [lines] : lines).map((line) => line.trim()).join('\n');
  return `${RUNNER_PRELUDE}: | eval ${shellQuote(body)}\nexit 0\n`;
}

/** The job's exit code when a command failing with `status` ends it under errexit (bash: always 1, see above). */
export const errexitCode = (shell: RunnerShell, status: number): number => (shell === 'bash' && status !== 0 ? 1 : status);

export interface JobRun {
  code: number;
  out: string;
  err: string;
  /** stdout and stderr as the job log has them, interleaved. */
  all: string;
}

export interface JobRunOptions {
  /** The job's variables: the whole environment (nothing of the test's own but PATH's folders given below). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The folders of PATH after the one holding `sh`; default `tools(shell)`. */
  path?: readonly string[];
  /** The image's `sh`, when it is not the job's shell (bash): what `sh ci/x.sh` runs. */
  sh?: RunnerShell;
}

export interface RunnerShells {
  /** A folder holding only `sh`, which is `shell`: first on PATH, so that `sh ci/x.sh` runs the job's shell. */
  shBin(shell: RunnerShell): string;
  /** A folder of busybox applets, each a link to busybox, as busybox images have them (default: every applet). */
  busybox(applets?: readonly string[]): string;
  /** The tools of the job's image: the machine's PATH for dash and bash, every busybox applet for busybox sh. */
  tools(shell: RunnerShell): string[];
  /** Runs `lines` (a job's before_script and script) as the runner does, in `shell`. */
  run(shell: RunnerShell, lines: string | readonly string[], options?: JobRunOptions): Promise<JobRun>;
}

async function which(tool: string): Promise<string> {
  const path = String((await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).stdout).trim();
  if (path === '') throw new Error(`runner-shell: ${tool} is not installed on this machine (apt-get install ${tool})`);
  return path;
}

/** The shells, set up under `work` (the test removes it). */
export async function runnerShells(work: string): Promise<RunnerShells> {
  const root = join(work, `runner-shells-${Math.random().toString(36).slice(2)}`);
  const files: Record<RunnerShell, string> = { dash: await which('dash'), bash: await which('bash'), 'busybox sh': await which('busybox') };
  const busyboxFile = files['busybox sh'];
  const allApplets = String((await execa(busyboxFile, ['--list'])).stdout).split('\n').filter(Boolean);
  const shBins = {} as Record<RunnerShell, string>;
  for (const shell of RUNNER_SHELLS) {
    const dir = join(root, shell.replace(' ', '-'));
    mkdirSync(dir, { recursive: true });
    symlinkSync(files[shell], join(dir, 'sh'));
    shBins[shell] = dir;
  }
  let count = 0;
  const busybox = (applets: readonly string[] = allApplets): string => {
    const dir = join(root, `busybox-applets-${++count}`);
    mkdirSync(dir);
    for (const applet of applets) symlinkSync(busyboxFile, join(dir, applet));
    return dir;
  };
  const allBusybox = busybox();
  const machinePath = (process.env.PATH ?? '/usr/bin:/bin').split(':');
  const tools = (shell: RunnerShell): string[] => (shell === 'busybox sh' ? [allBusybox] : machinePath);

  return {
    shBin: (shell) => shBins[shell],
    busybox,
    tools,
    async run(shell, lines, options = {}) {
      const path = [shBins[options.sh ?? shell], ...(options.path ?? tools(shell))];
      // Without grep the runner's guard leaves pipefail off: a run here would then not be the runner's.
      if (shell !== 'dash' && !path.some((dir) => existsSync(join(dir, 'grep'))))
        throw new Error(`runner-shell: no grep on the PATH of this ${shell} run: the runner's \`set -o | grep pipefail\` would leave pipefail off`);
      const text = runnerScript(lines);
      // busybox through its link named sh, as the images run it; bash --norc: no ~/.bashrc (bash reads it when stdin is a socket).
      const file = shell === 'busybox sh' ? join(shBins[shell], 'sh') : files[shell];
      const args = shell === 'bash' ? ['--norc', '-c', text] : ['-c', text];
      const result = await execa(file, args, {
        env: { ...options.env, PATH: path.join(':') },
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
        all: true,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      });
      return { code: result.exitCode ?? -1, out: String(result.stdout), err: String(result.stderr), all: String(result.all) };
    },
  };
}
