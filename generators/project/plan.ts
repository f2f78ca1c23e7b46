/**
 * Compute, then apply: everything `create-mlops-project` will do, as data.
 * `--dry-run` prints this plan; src/io/apply-plan.ts is the one place that
 * carries it out.
 */
import { posix } from 'node:path';
import type { TroubleshootingAnchor } from '../shared/docs.js';
import { type Answers, isPlaceholderRegistry } from './answers.js';
import { type PlatformDescriptor, PLATFORMS, type RegistryDescriptor } from '../platforms/platforms.js';
import { authOf } from '../platforms/variants.js';
import { ANSWERS_FILE, GENERATOR_NAME, renderRecord } from './answers-file.js';
import { UserError } from '../shared/errors.js';
import type { FileWrite } from '../shared/repo-change.js';
import { defaultImages } from '../image/images.js';
import { setPipelineSettings } from './pipeline-settings.js';
import { shellQuote } from '../shared/shell-quote.js';
import {
  renderContent,
  renderPath,
  setPythonVersion,
  TEMPLATE_ONLY_DIRS,
  type SourceFile,
} from './template.js';

/**
 * What writing does to a file: `create` (new), `overwrite` (exists, differs,
 * named with --overwrite), `keep` (exists, differs, not named: left as it is,
 * not in the first commit), `unchanged` (exists with the same content).
 */
export type FileMark = 'create' | 'overwrite' | 'keep' | 'unchanged';

/** A file of a new repo: the shared FileWrite, with what writing does to it. */
export interface PlannedFile extends FileWrite {
  mark: FileMark;
}

/** The enclosing git work tree of the target, when there is one (then the generator makes no repo of its own). */
export interface WorkTree {
  root: string;
  /** True when the target is that work tree's root. */
  atRoot: boolean;
}

export interface Plan {
  /** Target directory, as the user gave it (relative or absolute). */
  dir: string;
  files: PlannedFile[];
  /** `git init` + first commit of the written files, unless --no-git or already inside a work tree. */
  git: { commitMessage: string } | null;
  workTree: WorkTree | null;
  /** Printed before writing; each names the troubleshooting section that explains it. */
  warnings: { message: string; docs: TroubleshootingAnchor }[];
}

export interface PlanInput {
  dir: string;
  answers: Answers;
  template: SourceFile[];
  /** Files the build made (the plop generator), copied as they are. */
  built: SourceFile[];
  /** The template pipeline composed with the overlays of the answers' platform + builder (dist/pipelines/). */
  pipeline: string;
  version: string;
  git: boolean;
  /** The enclosing git work tree of the target; none when left out. */
  workTree?: WorkTree | null;
}

const PIPELINE = '.gitlab-ci.yml';

export function planProject(input: PlanInput): Plan {
  const { answers } = input;
  const files: PlannedFile[] = [];
  for (const source of input.template) {
    if (TEMPLATE_ONLY_DIRS.some((dir) => source.path.startsWith(dir))) continue;
    const path = renderPath(source.path, answers);
    const text = path === PIPELINE ? input.pipeline : source.content;
    let content = renderContent(path, text, answers);
    content = setPythonVersion(path, content, answers.repoName, answers.python);
    if (path === PIPELINE) content = setPipelineSettings(content, answers, answers.repoName);
    files.push({ path, content, mark: 'create' });
  }
  for (const file of input.built) files.push({ path: file.path, content: file.content, mark: 'create' });
  files.push({
    mark: 'create',
    path: ANSWERS_FILE,
    content: renderRecord({
      generator: GENERATOR_NAME,
      version: input.version,
      answers,
      images: defaultImages(answers.repoName),
    }),
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const warnings: Plan['warnings'] = [];
  if (isPlaceholderRegistry(answers.registry))
    warnings.push({
      message:
        `No --registry given: images will be pushed to the placeholder ${answers.registry}. ` +
        'Set yours before the first pipeline (the next steps show how), or generate again with --registry.',
      docs: 'placeholder-registry',
    });
  const registry: RegistryDescriptor = PLATFORMS[answers.platform].registry;
  if (registry.elsewhere !== undefined && registry.variable !== undefined && !answers.registry.startsWith(registry.variable))
    warnings.push({ message: `Images go to ${answers.registry}, not ${registry.variable}: ${registry.elsewhere}`, docs: 'invalid-registry' });
  if (input.workTree && !input.workTree.atRoot)
    warnings.push({
      message:
        `${input.dir} is inside the git repository ${input.workTree.root}, not at its root: GitLab runs only the .gitlab-ci.yml at the root of a repository, ` +
        `so this pipeline will not run there (no git init, no first commit: the files are for that repository to take).`,
      docs: 'inside-git-repo',
    });

  return {
    dir: input.dir,
    files,
    git: input.git && !input.workTree ? { commitMessage: `Initial commit from ${GENERATOR_NAME} ${input.version}` } : null,
    workTree: input.workTree ?? null,
    warnings,
  };
}

/** What the target holds at the plan's paths: a file's bytes, or 'other' (a symbolic link...); a path it lacks is absent. */
export type Existing = ReadonlyMap<string, Uint8Array | 'other'>;

/** `./docs/` -> `docs`; `.` stays `.` (every file). */
const normalPath = (path: string): string => (path.trim() === '' ? '' : posix.normalize(path).replace(/\/+$/, '') || '.');

const listed = (paths: string[]): string => paths.slice(0, 8).join(', ') + (paths.length > 8 ? `, and ${paths.length - 8} more` : '');

/**
 * Marks each file against what the target holds. `overwrite`: the paths named
 * with --overwrite (a file, a folder for every file under it, `.` for all);
 * one that names no file of the plan is an error (a typo would otherwise keep
 * the file silently). Files kept are said in a warning.
 */
export function markFiles(plan: Plan, existing: Existing, overwrite: readonly string[]): Plan {
  const named = overwrite.map(normalPath);
  const covers = (name: string, path: string): boolean => name === '.' || path === name || path.startsWith(`${name}/`);
  for (const [i, name] of named.entries())
    if (!plan.files.some((file) => covers(name, file.path)))
      throw new UserError(`--overwrite ${overwrite[i]}: no generated file is at or under that path.`, {
        docs: 'existing-files',
        hint: 'Paths are relative to the target, as --dry-run --force lists them; --overwrite . names every file.',
      });
  const same = (a: Uint8Array, b: string): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
  const files = plan.files.map((file): PlannedFile => {
    const found = existing.get(file.path);
    if (found === undefined) return { ...file, mark: 'create' };
    if (found !== 'other' && same(found, file.content)) return { ...file, mark: 'unchanged' };
    return { ...file, mark: named.some((name) => covers(name, file.path)) ? 'overwrite' : 'keep' };
  });
  const kept = files.filter((f) => f.mark === 'keep').map((f) => f.path);
  const warnings = [...plan.warnings];
  if (kept.length > 0)
    warnings.push({
      message:
        `Keeping ${kept.length} file${kept.length > 1 ? 's' : ''} of yours that differ${kept.length > 1 ? '' : 's'} from the generated one${kept.length > 1 ? 's' : ''} ` +
        `(not in the first commit): ${listed(kept)}. To replace one, add --overwrite PATH (repeatable; --overwrite . for all).`,
      docs: 'existing-files',
    });
  return { ...plan, files, warnings };
}

/** The files the first commit holds: every file of the plan but those kept. */
export const committedFiles = (plan: Plan): PlannedFile[] => plan.files.filter((f) => f.mark !== 'keep');

/** The plan as --dry-run prints it: each file with its mark, then the git steps. */
export function describePlan(plan: Plan): string[] {
  const lines = plan.files.map((file) => `  ${file.mark} ${file.path} (${Buffer.byteLength(file.content)} B)`);
  const committed = committedFiles(plan).length;
  if (plan.git)
    lines.push(
      `  git init -b main, git add the ${committed} file${committed === 1 ? '' : 's'} not kept, git commit -m ${shellQuote(plan.git.commitMessage)}`,
    );
  else lines.push('  no git steps');
  return lines;
}

/** The branch `mlops-project update` makes: its version, and the answers `--set` changes. */
export const UPDATE_BRANCH = (version: string, setKeys: readonly string[] = []): string =>
  `mlops-project/update-${version}${setKeys.map((k) => `-${k}`).join('')}`;

/** The identity of the first commit when git has none configured: given on that one command, never written to git config. */
export const GENERATOR_IDENTITY = { name: GENERATOR_NAME, email: `${GENERATOR_NAME}@users.noreply.invalid` };

/**
 * What the user must do next, in order; `mlopsProject` is how they run
 * mlops-project (see mlopsProjectCommand). Every path is quoted for the shell.
 */
export function nextSteps(
  plan: Plan,
  answers: Answers,
  cdPath: string,
  done: { variables: boolean; pushed: boolean; generatorIdentity: boolean },
  mlopsProject: string,
  version: string,
): string[] {
  const { credential, setup } = authOf(answers);
  const platform: PlatformDescriptor = PLATFORMS[answers.platform];
  const steps: string[] = [];
  const placeholder = isPlaceholderRegistry(answers.registry);
  // Without the generator's first commit there is no render to update from: set-registry edits the two lines.
  if (placeholder && !plan.git)
    steps.push(`set the registry your images go to (${answers.registry} is a placeholder): ${mlopsProject} set-registry HOST/PATH${cdPath === '.' ? '' : ` --dir ${shellQuote(cdPath)}`}`);
  steps.push(`cd ${shellQuote(cdPath)}`);
  // A placeholder registry first: the credential and the first pipeline need the real one. The update
  // makes it a commit on a branch, which main (not pushed yet) takes at once.
  if (placeholder && plan.git)
    steps.push(
      `set the registry your images go to (${answers.registry} is a placeholder): ${mlopsProject} update --set registry=HOST/PATH && git checkout main && git merge --ff-only ${UPDATE_BRANCH(version, ['registry'])}`,
    );
  const setIdentity = "git config --global user.name 'Your Name' && git config --global user.email you@example.com";
  if (plan.workTree)
    steps.push(`commit the files in the repository ${shellQuote(plan.workTree.root)}: git add . && git commit -m ${shellQuote(`Add ${answers.projectName}`)}`);
  else if (!plan.git) steps.push('git init -b main && git add -A && git commit -m "Initial commit"');
  else if (done.generatorIdentity)
    steps.push(
      done.pushed
        ? `git knows no user.name / user.email here, so the first commit (pushed) is by ${GENERATOR_IDENTITY.name}; for your next ones: ${setIdentity}`
        : `make the first commit yours (git knows no user.name / user.email here, so it is by ${GENERATOR_IDENTITY.name}): ${setIdentity} && git commit --amend --reset-author --no-edit`,
    );
  // The variables first: the first pipeline on main needs them.
  if (!done.variables && credential !== null) {
    if (setup !== undefined) steps.push(setup);
    const keys = credential.variables.map((v) => v.key);
    const list = keys.length === 1 ? keys[0] : `${keys.slice(0, -1).join(', ')} and ${keys.at(-1)}`;
    const kind = credential.variables.every((v) => v.secret) ? 'masked CI/CD variable' : 'CI/CD variable';
    steps.push(
      `set the ${kind}${keys.length === 1 ? '' : 's'} ${list} before the first push: ${mlopsProject} gitlab-variables --gitlab-project <group/project>` +
        ' (add --gitlab-create --gitlab-push to create the project and push too; by hand: docs/ci-variables.md)',
    );
  }
  const needs = platform.needs === undefined ? '' : `; the project needs ${platform.needs}`;
  if (!done.pushed) steps.push(`git remote add origin <your GitLab project URL> && git push -u origin main${needs}`);
  else if (needs !== '') steps.push(`the first pipeline is running${needs}`);
  // Protected variables reach a tag pipeline only from a protected tag; the job's own credentials reach every pipeline.
  if (credential !== null)
    steps.push('protect release tags (Settings > Repository > Protected tags, e.g. v*) so tag pipelines can read protected variables');
  return steps;
}
