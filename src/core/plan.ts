/**
 * Compute, then apply: everything `create-mlops-project` will do, as data.
 * `--dry-run` prints this plan; src/io/apply-plan.ts is the one place that
 * carries it out.
 */
import type { TroubleshootingAnchor } from './docs.js';
import { type Answers, isPlaceholderRegistry } from './answers.js';
import { ANSWERS_FILE, GENERATOR_NAME, renderRecord } from './answers-file.js';
import { defaultImages } from './images.js';
import { setPipelineSettings } from './pipeline-settings.js';
import { shellQuote } from './shell-quote.js';
import {
  renderContent,
  renderPath,
  setPythonVersion,
  TEMPLATE_ONLY_DIRS,
  type SourceFile,
} from './template.js';

export interface PlannedFile {
  path: string;
  content: string;
}

export interface Plan {
  /** Target directory, as the user gave it (relative or absolute). */
  dir: string;
  files: PlannedFile[];
  /** `git init` + first commit, unless --no-git or already inside a work tree. */
  git: { commitMessage: string } | null;
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
    files.push({ path, content });
  }
  for (const file of input.built) files.push({ path: file.path, content: file.content });
  files.push({
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
        'Set yours before the first pipeline with mlops-project set-registry HOST/PATH (the next steps show it), or generate again with --registry.',
      docs: 'placeholder-registry',
    });

  return {
    dir: input.dir,
    files,
    git: input.git ? { commitMessage: `Initial commit from ${GENERATOR_NAME} ${input.version}` } : null,
    warnings,
  };
}

/** What the user must do next, in order; `mlopsProject` is how they run mlops-project (see mlopsProjectCommand). */
export function nextSteps(
  plan: Plan,
  answers: Answers,
  cdPath: string,
  done: { variables: boolean; pushed: boolean },
  mlopsProject: string,
): string[] {
  const variable = answers.platform === 'gcp' ? 'GCP_SERVICE_ACCOUNT_KEY' : 'HARBOR_ROBOT_CREDS_JSON';
  const steps: string[] = [];
  // A placeholder registry first: the credential and the first pipeline need the real one.
  if (isPlaceholderRegistry(answers.registry))
    steps.push(`set the registry your images go to (${answers.registry} is a placeholder): ${mlopsProject} set-registry HOST/PATH${cdPath === '.' ? '' : ` --dir ${shellQuote(cdPath)}`}`);
  steps.push(`cd ${cdPath}`);
  if (!plan.git) steps.push('git init -b main && git add -A && git commit -m "Initial commit"');
  // The variable first: the first pipeline on main needs it.
  if (!done.variables)
    steps.push(
      `set the masked CI/CD variable ${variable} before the first push: ${mlopsProject} gitlab-variables --gitlab-project <group/project>` +
        ' (add --gitlab-create --gitlab-push to create the project and push too; by hand: docs/ci-variables.md)',
    );
  if (!done.pushed) steps.push('git remote add origin <your GitLab project URL> && git push -u origin main');
  steps.push('protect release tags (Settings > Repository > Protected tags, e.g. v*) so tag pipelines can read protected variables');
  return steps;
}
