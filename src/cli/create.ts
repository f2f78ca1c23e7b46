/** `create-mlops-project [dir] [flags]`: a thin shell over the core plan. */
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { type Answers, flagOf, isPlaceholderRegistry } from '../core/answers.js';
import { parseAnswersFile } from '../core/answers-file.js';
import { collectAnswers } from '../core/collect.js';
import { CancelledError, UserError } from '../core/errors.js';
import { variantOf } from '../core/pipeline-settings.js';
import { nextSteps, planProject, type Plan } from '../core/plan.js';
import { VERSION } from '../core/version.js';
import type { PreparedGitLab } from '../gitlab/index.js';
import { writePlan } from '../io/apply-plan.js';
import { checkTarget } from '../io/target-dir.js';
import { mlopsProjectCommand, readBuiltFiles, readPipeline, readTemplate } from '../io/template-source.js';
import { CREATE_HELP, parseCreateArgs, wantsGitLab } from './create-args.js';
import { bold, cyan, dim, green, say, warn } from './output.js';
import { printUserError, runMain } from './run-main.js';

async function readAnswersFile(file: string): ReturnType<typeof parseAnswersFile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (code ?? String(error));
    throw new UserError(`Cannot read answers file ${file}: ${reason}.`, { docs: 'answers-file' });
  }
  return parseAnswersFile(text, file);
}

function printPlan(plan: Plan): void {
  say(`${bold('Plan')} for ${plan.dir} ${dim('(dry run: nothing written)')}`);
  for (const file of plan.files) say(`  create ${file.path} ${dim(`(${Buffer.byteLength(file.content)} B)`)}`);
  if (plan.git) say(`  git init -b main, git add --all, git commit -m "${plan.git.commitMessage}"`);
  else say(`  ${dim('no git steps')}`);
}

/** The nearest existing folder at or above `dir`. */
function existingAncestor(dir: string): string {
  let current = resolve(dir);
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

async function main(): Promise<void> {
  const args = parseCreateArgs(process.argv.slice(2));
  if (args.help) return say(CREATE_HELP);
  if (args.version) return say(VERSION);

  const fromFile = args.answersFile ? await readAnswersFile(args.answersFile) : {};
  const given = { ...fromFile, ...args.given };
  if (args.dir !== undefined) {
    if (args.dir.trim() === '') throw new UserError('The target directory must not be empty.', { docs: 'target-not-empty' });
    checkTarget(args.dir, args.force);
  }
  const onTerminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const interactive = !args.yes && onTerminal;
  const ask = interactive ? (await import('./prompts.js')).askOnTerminal : undefined;
  const answers: Answers = await collectAnswers({
    given,
    yes: args.yes,
    ...(ask ? { ask } : {}),
    ...(args.dir !== undefined ? { dirName: basename(resolve(args.dir)) } : {}),
    sourceOf: (key) => (key in args.given || !args.answersFile ? flagOf(key) : `"${key}" in ${args.answersFile}`),
  });
  const dir = args.dir ?? answers.repoName;
  if (args.dir === undefined) checkTarget(dir, args.force);

  let git = args.git;
  if (git) {
    const { insideWorkTree } = await import('../io/git.js');
    git = !(await insideWorkTree(existingAncestor(dir)));
  }
  // On a terminal without GitLab flags: offer the GitLab step (not for a placeholder registry, which has no credential yet).
  let gitlabArgs = args.gitlab;
  if (interactive && !wantsGitLab(args.gitlab) && !isPlaceholderRegistry(answers.registry)) {
    const { askGitLabStep } = await import('./gitlab-prompt.js');
    const step = await askGitLabStep({ repoName: answers.repoName, canPush: git, gitlabUrl: args.gitlab.url ?? process.env.GITLAB_URL });
    if (step) gitlabArgs = { ...gitlabArgs, url: step.url, project: step.project, create: step.create, push: step.create && git };
  }
  const plan = planProject({
    dir,
    answers,
    template: readTemplate(),
    built: readBuiltFiles(),
    pipeline: readPipeline(variantOf(answers)),
    version: VERSION,
    git,
  });
  for (const warning of plan.warnings) warn(warning.message, warning.docs);

  const mlopsProject = mlopsProjectCommand();
  // The GitLab step is checked (flags, registry, secrets) before anything is written.
  let gitlab: PreparedGitLab | undefined;
  if (wantsGitLab(gitlabArgs)) {
    if (gitlabArgs.push && !plan.git)
      throw new UserError('--gitlab-push needs the first commit: drop --no-git, or generate outside an existing git work tree.', { docs: 'gitlab-push-needs-commit' });
    const { prepareGitLab } = await import('../gitlab/index.js');
    gitlab = await prepareGitLab({
      dir: resolve(dir),
      dirShown: dir,
      answers,
      gitlabUrl: gitlabArgs.url,
      project: gitlabArgs.project,
      namespace: gitlabArgs.namespace,
      create: gitlabArgs.create,
      push: gitlabArgs.push,
      protected: gitlabArgs.protected,
      keepPipelineVariablesRole: gitlabArgs.keepPipelineVariablesRole,
      dryRun: args.dryRun,
      // Secrets are asked on a terminal even with --yes, which is about answers.
      interactive: onTerminal,
      commandName: mlopsProject,
    });
  }
  // What only GitLab can answer (the token, the project, the role) is asked too, with GETs only:
  // a typo there leaves nothing written.
  if (gitlab && !args.dryRun) await gitlab.check();
  if (args.dryRun) {
    printPlan(plan);
    if (gitlab) {
      say('GitLab (dry run: no request is made):');
      for (const line of gitlab.describe()) say(line);
    }
    return;
  }

  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await writePlan(plan, { force: args.force, signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // writePlan throws when it sees the cancel before the rename; a Ctrl-C during the rename comes too late to undo it.
  if (controller.signal.aborted)
    throw new CancelledError(`Cancelled after ${dir} was complete: the files are there; the git and GitLab steps did not run.`);
  if (plan.git) {
    const { initRepo } = await import('../io/git.js');
    await initRepo(resolve(dir), plan.git.commitMessage);
  }

  // A GitLab failure now (a write refused, GitLab gone, the push): the repo is complete, so it is
  // reported with the repo and what is left to do, and the exit code is 1.
  let gitlabError: UserError | undefined;
  if (gitlab) {
    try {
      await gitlab.run();
    } catch (error) {
      if (!(error instanceof UserError) || error instanceof CancelledError) throw error;
      gitlabError = error;
    }
  }
  const gitlabDone = gitlab !== undefined && gitlabError === undefined;

  const shown = relative(process.cwd(), resolve(dir)) || '.';
  say(`${green('✔')} Created ${bold(answers.projectName)} in ${cyan(shown)} ${dim(`(${plan.files.length} files${plan.git ? ', first commit on main' : ''})`)}`);
  if (gitlabError) {
    printUserError(gitlabError);
    say(`The repo is complete; only the GitLab step did not finish (see the error). The next steps include it.`);
  }
  say();
  say('Next steps:');
  nextSteps(plan, answers, shown, { variables: gitlabDone, pushed: gitlabDone && gitlabArgs.push }, mlopsProject).forEach((step, i) => say(`  ${i + 1}. ${step}`));
  if (gitlabError) process.exitCode = gitlabError.exitCode;
}

runMain(main);
