/**
 * `setupGitLab`: the whole step, for `mlops-project gitlab-variables` and
 * for the end of `create-mlops-project`: resolve the target, read the
 * secrets, build the credential, plan, then print the plan (--dry-run) or
 * apply it.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type Answers, appliesTo, isPlaceholderRegistry, recordedPlatform, validateRegistry, VALIDATORS } from '../../generators/project/answers.js';
import { type PlatformDescriptor, PLATFORMS } from '../../generators/platforms/platforms.js';
import { authOf } from '../../generators/platforms/variants.js';
import { ANSWERS_FILE, parseRecord } from '../../generators/project/answers-file.js';
import { UserError } from '../../generators/shared/errors.js';
import { PIPELINE_FILE, readPipelineRegistry } from '../../generators/project/set-registry.js';
import { applyGitLabPlan, type ApplyOptions, type ApplyResult, type Preflight, preflightGitLab } from './apply.js';
import { type ClientOptions, createClient } from './client.js';
import { type Credential, CREDENTIAL_BUILDERS, maskedProblem } from './credentials.js';
import { readKeyFile, readSecrets, TOKEN, UPDATE_TOKEN, UPDATE_TOKEN_DESCRIPTION, type Wanted } from './inputs.js';
import { shellQuote } from '../../generators/shared/shell-quote.js';
import { describePlan, type GitLabPlan, planGitLab } from './plan.js';
import { Redactor, Secret } from './secret.js';
import { checkGitLabUrl, DEFAULT_GITLAB_URL, resolveTarget } from './target.js';

export type RepoAnswers = Pick<Answers, 'platform' | 'gcpAuth' | 'registry' | 'repoName'>;

export interface GitLabSetupOptions {
  /** The generated repo; `--gitlab-push` pushes it. */
  dir: string;
  /** How `dir` is shown in the finishing command; default `dir`. Omitted from it when `.`. */
  dirShown?: string;
  /** Platform, registry and repo name; default: read from `dir`/.mlops-project.json. */
  answers?: RepoAnswers;
  /** Default: $GITLAB_URL, then https://gitlab.com. */
  gitlabUrl?: string;
  /** Full path (group/sub/name) or numeric id. Required unless `create`. */
  project?: string;
  /** With `create`: the group (or user) to create the project in. */
  namespace?: string;
  create?: boolean;
  push?: boolean;
  /** Default true. */
  protected?: boolean;
  /** Also set MLOPS_UPDATE_TOKEN, the update:template job's token, from the environment (--update-token). */
  updateToken?: boolean;
  /** Leave who may set pipeline variables as it is (--keep-pipeline-variables-role); default: let Developers. */
  keepPipelineVariablesRole?: boolean;
  dryRun?: boolean;
  /** True on a terminal: missing secrets are asked with hidden input. */
  interactive: boolean;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** The command shown to finish after a failure; default `mlops-project`. */
  commandName?: string;
  /** Output; default: stdout lines. */
  say?: (line: string) => void;
  /** Client knobs (retries, timeouts); tests only. */
  client?: Pick<ClientOptions, 'attempts' | 'backoffMs' | 'maxWaitMs' | 'timeoutMs'>;
}

/** What was done; undefined after a dry run. */
export type GitLabSetupResult = ApplyResult | undefined;

/** Platform, registry and repo name recorded in `dir`/.mlops-project.json. */
export function readRepoAnswers(dir: string): RepoAnswers {
  const file = join(dir, ANSWERS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`No ${ANSWERS_FILE} in ${dir}: run this in a repo made by create-mlops-project, or pass --dir REPO.`, { docs: 'not-a-generated-repo' });
  }
  const { answers } = parseRecord(text, file);
  const platform = recordedPlatform(answers.platform, file);
  if (typeof answers.registry !== 'string') throw new UserError(`${file} has no answers.registry.`, { docs: 'not-a-generated-repo' });
  const repoName = typeof answers.repoName === 'string' && answers.repoName !== '' ? answers.repoName : basename(resolve(dir));
  // A gcp repo made before --gcp-auth existed (0.1.0) has none: it logs in with a key.
  const gcpAuth = appliesTo('gcpAuth', { platform }) ? (answers.gcpAuth ?? 'key') : undefined;
  if (gcpAuth !== undefined && VALIDATORS.gcpAuth(gcpAuth, {}) !== undefined)
    throw new UserError(`${file} has an invalid answers.gcpAuth ${JSON.stringify(gcpAuth)} (${VALIDATORS.gcpAuth(gcpAuth, {})}).`, { docs: 'not-a-generated-repo' });
  return { platform, ...(gcpAuth === undefined ? {} : { gcpAuth }), registry: answers.registry, repoName };
}

function checkRegistry(answers: RepoAnswers, where: string, commandName: string): void {
  const problem = validateRegistry(answers.registry, answers.platform);
  if (problem !== undefined) throw new UserError(`The registry in ${where} is invalid: ${problem}.`, { docs: 'invalid-registry' });
  if (authOf(answers).credential?.hostBound === true && isPlaceholderRegistry(answers.registry))
    throw new UserError(
      where === '--registry'
        ? `No --registry given: the credentials would be for the placeholder host ${answers.registry.split('/')[0]}. Pass --registry HOST/PATH of your Harbor project.`
        : `The registry in ${where} is still the placeholder ${answers.registry}: the credentials would be for the wrong host. Set your Harbor project first: ${commandName} set-registry HOST/PATH`, { docs: 'registry-placeholder-credentials' },
    );
}

/**
 * The pipeline pushes to its IMAGE_REGISTRY; the credential is for
 * answers.registry: they must be the same. A pipeline without a readable
 * IMAGE_REGISTRY line is not checked.
 */
function checkPipelineAgrees(dir: string, answers: RepoAnswers, commandName: string): void {
  let text: string;
  try {
    text = readFileSync(join(dir, PIPELINE_FILE), 'utf8');
  } catch {
    return;
  }
  const pipeline = readPipelineRegistry(text);
  if (pipeline === undefined || pipeline === answers.registry) return;
  // The fix: the real one of the two, when only one is real.
  const real = [pipeline, answers.registry].filter((r) => !isPlaceholderRegistry(r));
  const fix = real.length === 1 ? shellQuote(real[0]!) : 'HOST/PATH';
  throw new UserError(
    `The registry in ${PIPELINE_FILE} (IMAGE_REGISTRY ${pipeline}) and in ${ANSWERS_FILE} (answers.registry ${answers.registry}) disagree: set the one images go to in both with ${commandName} set-registry ${fix}`,
    { docs: 'registry-mismatch' },
  );
}

/** What the GitLab step reads for a repo's credential, and the choice that asks it again; undefined: no credential. */
export function credentialInputsOf(answers: Pick<RepoAnswers, 'platform' | 'gcpAuth'>): { inputs: Wanted[]; retype: string } | undefined {
  const { credential } = authOf(answers);
  if (credential === null) return undefined;
  return { inputs: [...credential.inputs], retype: credential.retype };
}

/** Why a repo needs no CI/CD variable (its platform's jobs log in with their own credentials). */
export function nothingToSet(answers: Pick<RepoAnswers, 'platform' | 'gcpAuth'>): string {
  const platform: PlatformDescriptor = PLATFORMS[answers.platform];
  return `Nothing to set in GitLab: ${authOf(answers).summary}${platform.needs !== undefined ? `; the project needs ${platform.needs}` : ''}.`;
}

/** A step ready to run: everything checked that can be without the network. */
export interface PreparedGitLab {
  /** undefined: nothing to do in GitLab (see nothingToSet). */
  plan: GitLabPlan | undefined;
  /** The dry-run listing: every call, secrets as [redacted]. */
  describe(): string[];
  /** The read-only checks only (GETs), before anything is written. Not available after a dry-run preparation. */
  check(): Promise<void>;
  /** Preflight (unless check() did it), then the writes. Not available after a dry-run preparation. */
  run(): Promise<ApplyResult | undefined>;
}

/**
 * Check the flags, the answers and the registry, read the secrets (asking on
 * a terminal, unless a dry run), build and check the credential, and plan.
 * No request is made. create-mlops-project can call this before writing any
 * file, and `run()` after.
 */
export async function prepareGitLab(options: GitLabSetupOptions): Promise<PreparedGitLab> {
  const env = options.env ?? process.env;
  const say = options.say ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const commandName = options.commandName ?? 'mlops-project';
  const answers = options.answers ?? readRepoAnswers(options.dir);
  // A repo being generated has both from the same answer; an existing one may have drifted.
  if (!options.answers) checkPipelineAgrees(options.dir, answers, commandName);
  checkRegistry(answers, options.answers ? '--registry' : join(options.dir, ANSWERS_FILE), commandName);

  const auth = authOf(answers);
  const builder = auth.credential === null ? undefined : CREDENTIAL_BUILDERS[auth.credential.kind];
  // The jobs' own credentials (GitLab's registry): no variable. Without a token, or with nothing but
  // a project to look at, no request is made; with a token and a project, the step still lets
  // Developers set pipeline variables (GitLab.com's new projects let nobody: the BUILD_ switches).
  const updateToken = options.updateToken ?? false;
  const nothing = builder === undefined && !updateToken ? nothingToSet(answers) : undefined;
  if (nothing !== undefined && !(options.create ?? false) && !options.push && (options.project === undefined || !env.GITLAB_TOKEN)) {
    return { plan: undefined, describe: () => [`  ${nothing}`], check: () => Promise.resolve(), run: () => (say(nothing), Promise.resolve(undefined)) };
  }
  const gitlabUrl =
    options.gitlabUrl !== undefined
      ? checkGitLabUrl(options.gitlabUrl, '--gitlab-url')
      : env.GITLAB_URL
        ? checkGitLabUrl(env.GITLAB_URL, 'GITLAB_URL')
        : DEFAULT_GITLAB_URL;
  const create = options.create ?? false;
  const target = resolveTarget({ project: options.project, namespace: options.namespace, create, repoName: answers.repoName });
  const isProtected = options.protected ?? true;
  const dryRun = options.dryRun ?? false;

  const inputs = auth.credential?.inputs ?? [];
  // The update job's token is not the registry's: any platform may have it, besides its credential.
  const wanted = [TOKEN, ...inputs, ...(updateToken ? [UPDATE_TOKEN] : [])];
  const secrets = await readSecrets(wanted, { env, interactive: options.interactive && !dryRun }, { required: !dryRun });
  const redactor = new Redactor();
  // What is typed hidden is secret (the token, a password); names, paths and identifiers are not.
  for (const item of wanted) {
    const secret = secrets.get(item.name);
    if (item.hidden && secret) redactor.add(secret);
  }

  let credential: Credential;
  if (builder === undefined) credential = { variables: [], secrets: [], summary: 'none' };
  else if (inputs.every((item) => secrets.has(item.name))) credential = builder.build(answers.registry, secrets, readKeyFile);
  else
    // Dry run without the inputs: the values are unknown, and secrets are shown as [redacted] anyway.
    credential = {
      variables: (auth.credential?.variables ?? []).map((v) => ({ key: v.key, value: new Secret(''), masked: v.secret })),
      secrets: [],
      summary: 'not read in a dry run',
    };
  redactor.add(...credential.secrets);
  if (updateToken)
    credential.variables.push({
      key: UPDATE_TOKEN.name,
      value: secrets.get(UPDATE_TOKEN.name) ?? new Secret(''),
      masked: true,
      description: UPDATE_TOKEN_DESCRIPTION,
    });

  const plan = planGitLab({
    gitlabUrl,
    project: target.project,
    create: target.create,
    credential,
    protected: isProtected,
    pipelineVariablesForDevelopers: !(options.keepPipelineVariablesRole ?? false),
    push: options.push ? { dir: options.dir } : undefined,
  });

  for (const variable of credential.variables) {
    const value = variable.value.reveal();
    const problem = variable.masked && value !== '' ? maskedProblem(value) : undefined;
    if (problem !== undefined)
      throw new UserError(`Refusing to send ${variable.key}: GitLab would reject it as a masked variable, ${problem}. Nothing was sent.`, { docs: 'credentials' });
  }
  const missing = wanted.filter((w) => !secrets.has(w.name)).map((w) => w.name);
  const describe = (): string[] => [
    ...(nothing === undefined ? [] : [`  ${nothing}`]),
    ...describePlan(plan),
    ...(missing.length > 0 ? [`  (${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: a real run needs ${missing.length === 1 ? 'it' : 'them'})`] : []),
  ];
  const token = secrets.get(TOKEN.name);
  if (dryRun || token === undefined)
    return {
      plan,
      describe,
      check: () => Promise.reject(new Error('prepareGitLab: check() after a dry-run preparation')),
      run: () => Promise.reject(new Error('prepareGitLab: run() after a dry-run preparation')),
    };

  const dirShown = options.dirShown ?? options.dir;
  const finishCommand = (rest: { create: boolean; push: boolean; project: string | undefined }): string =>
    `${commandName} ${[
      'gitlab-variables',
      ...(dirShown === '.' || dirShown === '' ? [] : ['--dir', dirShown]),
      '--gitlab-url',
      gitlabUrl,
      ...(rest.project !== undefined ? ['--gitlab-project', rest.project] : []),
      ...(rest.create ? ['--gitlab-create', ...(target.create?.namespace ? ['--gitlab-namespace', target.create.namespace] : [])] : []),
      ...(isProtected ? [] : ['--no-protected']),
      ...(plan.pipelineVariablesForDevelopers ? [] : ['--keep-pipeline-variables-role']),
      ...(updateToken ? ['--update-token'] : []),
      ...(rest.push ? ['--gitlab-push'] : []),
    ]
      .map(shellQuote)
      .join(' ')}`;
  const names = wanted.map((w) => w.name);
  const applyOptions: ApplyOptions = {
    client: createClient({ gitlabUrl, token, redactor, ...options.client }),
    token,
    redactor,
    report: { done: (line) => say(`✔ ${line}`) },
    finishCommand,
    secretsNeeded: `${names.slice(0, -1).join(', ')}${names.length > 1 ? ' and ' : ''}${names.at(-1)}`,
  };
  // What check() found, so that run() does not ask GitLab the same again.
  let checked: Preflight | undefined;
  return {
    plan,
    describe,
    check: async () => {
      checked = await preflightGitLab(plan, applyOptions);
    },
    run: () => {
      if (nothing !== undefined) say(nothing);
      return applyGitLabPlan(plan, applyOptions, checked);
    },
  };
}

const readRepoAnswersOf = (options: GitLabSetupOptions): RepoAnswers => options.answers ?? readRepoAnswers(options.dir);

/** The whole step: prepare, then print the plan (dry run) or run it. */
export async function setupGitLab(options: GitLabSetupOptions): Promise<GitLabSetupResult> {
  const prepared = await prepareGitLab(options);
  const say = options.say ?? ((line: string) => void process.stdout.write(`${line}\n`));
  if (prepared.plan === undefined) {
    say(nothingToSet(readRepoAnswersOf(options)));
    return undefined;
  }
  if (options.dryRun) {
    say('GitLab plan (dry run: no request is made, nothing is written):');
    for (const line of prepared.describe()) say(line);
    return undefined;
  }
  return prepared.run();
}
