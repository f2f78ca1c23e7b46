/** `create-mlops-project [dir] [flags]`: a thin shell over the core plan. */
import { readFileSync, existsSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { type AnswerKey, type Answers, flagOf } from '../../generators/project/answers.js';
import { parseAnswersFile } from '../../generators/project/answers-file.js';
import { type Ask, collectAnswers } from '../../generators/project/collect.js';
import type { RunSettings } from '../../generators/project/command-line.js';
import { CancelledError, UserError } from '../../generators/shared/errors.js';
import { variantOf } from '../../generators/platforms/variants.js';
import { describePlan, markFiles, nextSteps, planProject, type Plan, type WorkTree } from '../../generators/project/plan.js';
import { VERSION } from '../../generators/shared/version.js';
import type { PreparedGitLab } from '../gitlab/index.js';
import { prepareGitLabStep } from './create-gitlab-step.js';
import { interruptedBetweenPrompts, printAnswersSoFar, sofar } from './create-session.js';
import { removeLeftovers, writePlan } from '../io/apply-plan.js';
import { checkTarget, inspectTarget, readExisting } from '../io/target-dir.js';
import { mlopsProjectCommand, readBuiltFiles, readPipeline, readTemplate } from '../io/template-source.js';
import { type CreateArgs, CREATE_HELP, parseCreateArgs, wantsGitLab } from './create-args.js';
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
  // A real run first undoes what a killed run of ours left (then the marks below may differ).
  for (const leftover of inspectTarget(plan.dir).leftovers) say(`  undo and remove ${relative(process.cwd(), leftover.path)} (left by an interrupted run)`);
  for (const line of describePlan(plan)) say(line);
}

/** `46 files`, or with --force `40 files written, 5 unchanged, 1 kept`. */
function writtenSummary(plan: Plan): string {
  const count = (marks: string[]): number => plan.files.filter((f) => marks.includes(f.mark)).length;
  const [written, unchanged, kept] = [count(['create', 'overwrite']), count(['unchanged']), count(['keep'])];
  const files = `${written} file${written === 1 ? '' : 's'}`;
  if (unchanged + kept === 0) return files;
  return [`${files} written`, unchanged ? `${unchanged} unchanged` : '', kept ? `${kept} kept` : ''].filter(Boolean).join(', ');
}

/** The nearest existing folder at or above `dir`. */
function existingAncestor(dir: string): string {
  let current = resolve(dir);
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/** The problem with `dir` as the target, as a prompt shows it, or undefined. */
function targetProblem(dir: string, force: boolean): string | undefined {
  try {
    checkTarget(dir, force);
    return undefined;
  } catch (error) {
    if (error instanceof UserError) return `${error.message.replace(/\.$/, '')}: pick another name${force ? '' : ', or pass --force'}`;
    throw error;
  }
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
  const run: RunSettings = { dir: args.dir, answers: { ...given }, force: args.force, git: args.git, dryRun: args.dryRun, gitlab: args.gitlab };
  sofar.run = run;
  const prompts = interactive ? await import('./prompts.js') : undefined;
  if (prompts) process.on('SIGINT', interruptedBetweenPrompts);
  // Each answer typed is kept, for the command line printed if the run ends early.
  const ask: Ask | undefined =
    prompts &&
    (async (question) => {
      const value = await prompts.askOnTerminal(question);
      run.answers[question.key] = value;
      sofar.typed = true;
      return value;
    });
  const dirName = args.dir !== undefined ? basename(resolve(args.dir)) : undefined;
  // Without [dir], the repo goes to ./<repo name>: its prompt refuses a folder in the way.
  const check = args.dir === undefined ? (key: AnswerKey, value: string) => (key === 'repoName' ? targetProblem(value, args.force) : undefined) : undefined;
  let answers: Answers = await collectAnswers({
    given,
    yes: args.yes,
    ...(ask ? { ask, ...(check ? { check } : {}) } : {}),
    ...(dirName !== undefined ? { dirName } : {}),
    sourceOf: (key) => (key in args.given || !args.answersFile ? flagOf(key) : `"${key}" in ${args.answersFile}`),
  });

  const firstDir = args.dir ?? answers.repoName;
  if (args.dir === undefined) checkTarget(firstDir, args.force);

  // What an interrupted run of ours left is undone first (not on a dry run, which writes nothing): its .git
  // must not pass for the user's work tree. Inside a git work tree the generator makes no repo of its own.
  const workTreeOf = async (dir: string): Promise<WorkTree | null> => {
    if (!args.dryRun) await removeLeftovers(dir);
    return (await import('../io/git.js')).enclosingWorkTree(existingAncestor(dir), dir);
  };
  let workTree = await workTreeOf(firstDir);
  let git = args.git && !workTree;
  let gitlabArgs = args.gitlab;
  // On a terminal: the GitLab step is offered (without GitLab flags), then every answer is reviewed.
  if (ask) {
    const { reviewAnswers } = await import('./review.js');
    const settingsOf = (step: { url: string; project: string; create: boolean } | undefined): CreateArgs['gitlab'] =>
      step ? { ...args.gitlab, url: step.url, project: step.project, create: step.create, push: step.create && git } : args.gitlab;
    const reviewed = await reviewAnswers({
      answers,
      ask,
      asked: sofar.typed,
      given: Object.keys(given) as AnswerKey[],
      ...(dirName !== undefined ? { dirName } : {}),
      ...(check ? { check } : {}),
      offerGitLab: !wantsGitLab(args.gitlab),
      canPush: git,
      gitlabUrl: args.gitlab.url ?? process.env.GITLAB_URL,
      onChange: (changed, step) => {
        run.answers = { ...changed };
        run.gitlab = settingsOf(step);
        sofar.typed = true;
      },
    });
    answers = reviewed.answers;
    run.answers = { ...answers };
    // A new repo name at the review is a new target folder.
    if ((args.dir ?? answers.repoName) !== firstDir) {
      checkTarget(answers.repoName, args.force);
      workTree = await workTreeOf(answers.repoName);
      git = args.git && !workTree;
    }
    if (!wantsGitLab(args.gitlab)) gitlabArgs = run.gitlab = settingsOf(reviewed.step);
  }
  const dir = args.dir ?? answers.repoName;
  const planned = planProject({
    dir,
    answers,
    template: readTemplate(),
    built: readBuiltFiles(),
    pipeline: readPipeline(variantOf(answers).id),
    version: VERSION,
    git: args.git,
    workTree,
  });
  // Each file of the plan marked against the target: create, overwrite, keep or unchanged.
  const plan = markFiles(planned, readExisting(dir, planned.files.map((f) => f.path)), args.overwrite);
  for (const warning of plan.warnings) warn(warning.message, warning.docs);

  const mlopsProject = mlopsProjectCommand();
  // The GitLab step is checked (flags, registry, secrets, then GitLab's answers) before anything is written.
  let gitlab: PreparedGitLab | undefined;
  if (wantsGitLab(gitlabArgs)) {
    const prepared = await prepareGitLabStep({
      dir,
      answers,
      settings: gitlabArgs,
      commits: plan.git !== null,
      dryRun: args.dryRun,
      onTerminal,
      interactive: ask !== undefined,
      mlopsProject,
      onChange: (settings) => {
        run.gitlab = settings;
      },
    });
    gitlab = prepared.gitlab;
    gitlabArgs = run.gitlab = prepared.settings;
  }
  if (args.dryRun) {
    printPlan(plan);
    if (gitlab) {
      say('GitLab (dry run: no request is made):');
      for (const line of gitlab.describe()) say(line);
    }
    return;
  }

  // From here on, writePlan handles a Ctrl-C.
  process.off('SIGINT', interruptedBetweenPrompts);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let written;
  try {
    // The files and the first commit, staged and then put into place: a cancel or a failure undoes them.
    written = await writePlan(plan, { force: args.force, signal: controller.signal });
    sofar.written = true;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted)
    throw new CancelledError(`Cancelled after ${dir} was complete: the files are there${written.git ? ', with the first commit' : ''}; the GitLab step did not run.`);

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
  say(`${green('✔')} Created ${bold(answers.projectName)} in ${cyan(shown)} ${dim(`(${writtenSummary(plan)}${written.git ? ', first commit on main' : ''})`)}`);
  if (gitlabError) {
    printUserError(gitlabError);
    say(`The repo is complete; only the GitLab step did not finish (see the error). The next steps include it.`);
  }
  say();
  say('Next steps:');
  const done = { variables: gitlabDone, pushed: gitlabDone && gitlabArgs.push, generatorIdentity: written.git?.generatorIdentity ?? false };
  nextSteps(plan, answers, shown, done, mlopsProject, VERSION).forEach((step, i) => say(`  ${i + 1}. ${step}`));
  if (gitlabError) process.exitCode = gitlabError.exitCode;
}

runMain(async () => {
  try {
    await main();
  } catch (error) {
    printAnswersSoFar();
    throw error;
  } finally {
    process.off('SIGINT', interruptedBetweenPrompts);
  }
});
