/** `mlops-project gitlab-variables [flags]`: a thin shell over setupGitLab. */
import { resolve } from 'node:path';
import { say } from '../cli/output.js';
import { mlopsProjectCommand } from '../io/template-source.js';
import { GITLAB_VARIABLES_HELP, parseGitLabVariablesArgs } from './args.js';
import { setupGitLab } from './setup.js';

export async function gitlabVariables(argv: string[]): Promise<void> {
  const args = parseGitLabVariablesArgs(argv);
  if (args.help) return say(GITLAB_VARIABLES_HELP);
  await setupGitLab({
    dir: resolve(args.dir),
    dirShown: args.dir,
    gitlabUrl: args.gitlabUrl,
    project: args.project,
    namespace: args.namespace,
    create: args.create,
    push: args.push,
    protected: args.protected,
    keepPipelineVariablesRole: args.keepPipelineVariablesRole,
    updateToken: args.updateToken,
    dryRun: args.dryRun,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    say,
    commandName: mlopsProjectCommand(),
  });
}
