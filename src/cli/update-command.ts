/**
 * `mlops-project update`: bring a generated repo to this version of the
 * template by a three-way merge (base: the render the repo last came from;
 * ours: the repo; theirs: this version's render of the same answers and
 * images), on a new branch, as a commit to review. Exit 0: done (or up to
 * date); 1: conflicts left as git leaves them (or, with --check, an update
 * exists); 2: it cannot start (nothing changed).
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import { planAddImage } from '../../generators/image/add-image.js';
import type { AnswerKey, Answers } from '../../generators/project/answers.js';
import { ANSWERS_FILE, GENERATOR_NAME, parseRecord, type ProjectRecord } from '../../generators/project/answers-file.js';
import { UPDATE_BRANCH } from '../../generators/project/plan.js';
import { docsUrl } from '../../generators/shared/docs.js';
import { UserError } from '../../generators/shared/errors.js';
import { shellQuote } from '../../generators/shared/shell-quote.js';
import { VERSION } from '../../generators/shared/version.js';
import { applySettings, compareVersions, type Outcome, parseSetting, planMerge } from '../../generators/update/plan-update.js';
import { baseImageOf, renderRepo, type Tree } from '../../generators/update/render.js';
import {
  abortUpdate,
  applyMerge,
  branchExists,
  commitTree,
  currentBranch,
  findBase,
  hasUpstream,
  identity,
  mergeFile,
  readTree,
  RENDER_SUBJECT,
  renderCommits,
  type Resolution,
  revParse,
  setRef,
  statusLines,
  workTreeRoot,
} from '../io/git-update.js';
import { mlopsProjectCommand, readBuiltFiles, readPipeline, readTemplate } from '../io/template-source.js';
import { flagError } from './flag-error.js';
import { flagTable } from './help-table.js';
import { bold, dim, green, say, yellow } from './output.js';
import { UPDATE_OPTIONS, UPDATE_ROWS } from './update-flags.js';

export const UPDATE_HELP = `Usage: mlops-project update [flags]

Bring a repo made by create-mlops-project to this version (${VERSION}) of the
template. A three-way merge: the render the repo last came from, the repo as
it is, and this version's render of the same answers and images. Your edits
are kept, files you deleted stay deleted, and the result is a commit on a new
branch mlops-project/update-<version> (yours is untouched), to review as a
merge request. Conflicts are left as git leaves them (markers, index stages;
git mergetool shows them). Needs a clean work tree. Exit 0: updated, or up to
date; 1: conflicts (or, with --check, an update exists); 2: cannot start.

Flags:
${flagTable([...UPDATE_ROWS, { flag: '-h, --help', what: 'show this help' }])}
Docs: ${docsUrl('update/')}
`;

/** An update that cannot start: one line, exit 2, nothing changed. */
const cannot = (message: string, hint?: string): UserError => new UserError(message, { docs: 'update', exitCode: 2, ...(hint ? { hint } : {}) });

/** `step()`'s value; a user error it throws (a bad --set, a bad record) becomes one that cannot start, with the same message. */
function orCannot<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof UserError) throw cannot(error.message);
    throw error;
  }
}

/** Where --render-base keeps the render it makes again. */
const RENDER_REF = (version: string): string => `refs/mlops-project/render-${version}`;

/** The newest commit `mlops-project render <the record's version>` anywhere in the repo that was made for the record's answers. */
async function renderOfRecord(dir: string, record: ProjectRecord): Promise<string | undefined> {
  for (const commit of await renderCommits(dir, record.version)) {
    const text = (await readTree(dir, commit, new Set([ANSWERS_FILE]))).get(ANSWERS_FILE);
    if (text !== undefined && isDeepStrictEqual(parseRecord(text, `${ANSWERS_FILE} of ${commit.slice(0, 8)}`).answers, record.answers)) return commit;
  }
  return undefined;
}

/**
 * The record says an update to its version was merged, but the base found is
 * an older render: the update's render commit is not in HEAD's history (a
 * squash merge drops it). What happened, and the fix: --base naming that
 * commit where the repo still has it; else making it again with that
 * version (only the version itself renders its files: a newer one cannot).
 */
async function mergedWithoutHistory(dir: string, argv: string[], dirFlag: string, record: ProjectRecord, base: { rev: string; version: string }): Promise<UserError> {
  const what = `The update to ${record.version} was merged without its history (squashed, for instance): no commit "${RENDER_SUBJECT} ${record.version}" is in this branch's history, so this update would start again from the render of ${base.version} (${base.rev.slice(0, 8)}) and conflict where the template changed since.`;
  const found = await renderOfRecord(dir, record);
  if (found !== undefined)
    return cannot(`${what} That commit is still in this repo: run ${mlopsProjectCommand()} update ${[...argv, '--base', found.slice(0, 12)].map(shellQuote).join(' ')}`);
  const withIt = record.version === VERSION ? mlopsProjectCommand() : `npx -p ${GENERATOR_NAME}@${record.version} mlops-project`;
  return cannot(
    `${what} Make it again with ${record.version}: ${withIt} update --render-base${dirFlag}, then run this update with the --base it prints.`,
    "Or fetch it from GitLab, which keeps a merge request's commits (for some time after the merge): git fetch origin '+refs/merge-requests/*/head:refs/remotes/origin/merge-requests/*', then run update again.",
  );
}

/**
 * --render-base: this version's render of the record's answers and images
 * (`files`), made again as a commit `mlops-project render <version>` (the
 * same bytes the update's render had: renders are deterministic), kept by a
 * ref of its own; no file, index or branch changes. Only the version the
 * record names can: a newer one renders its own files, not that version's.
 */
async function renderBase(dir: string, shown: string, record: ProjectRecord, files: Tree): Promise<void> {
  const dirFlag = shown === '.' ? '' : ` --dir ${shellQuote(shown)}`;
  if (record.version !== VERSION)
    throw cannot(
      `--render-base makes the render of this version (${VERSION}), and this repo records ${record.version}: run it with that version: npx -p ${GENERATOR_NAME}@${record.version} mlops-project update --render-base${dirFlag}`,
    );
  // Its parent: the render the repo started from, as an update's render has (so git merge relates it to the branch).
  const parent = await findBase(dir, GENERATOR_NAME);
  const message = `${RENDER_SUBJECT} ${VERSION}\n\nThe files ${GENERATOR_NAME} ${VERSION} makes for this repo's answers and images, made again (mlops-project update --render-base): the update to ${VERSION} was merged without its history.`;
  const commit = await commitTree(dir, files, parent === undefined ? [] : [parent], message, await identity(dir));
  await setRef(dir, RENDER_REF(VERSION), commit);
  const short = commit.slice(0, 12);
  say(`${green('✔')} The render of ${GENERATOR_NAME} ${VERSION} for this repo's answers and images: commit ${short} (kept as ${RENDER_REF(VERSION)}); no file or branch changed.`);
  say(`Update from it (with this version or a later one): ${mlopsProjectCommand()} update --base ${short}${dirFlag}`);
  if (parent !== undefined)
    say(
      `Or record it in this branch's history, so that every update starts from it (the update:template job too, once pushed): git${shown === '.' ? '' : ` -C ${shellQuote(shown)}`} merge -s ours -m ${shellQuote(`Record the render of ${GENERATOR_NAME} ${VERSION}`)} ${short}`,
    );
}

const VERB: Record<Outcome['kind'], string> = {
  update: 'update',
  add: 'add',
  delete: 'delete',
  'keep-deleted': 'keep deleted (you deleted it; the template changed it)',
  'keep-yours': 'keep yours (the template no longer has it; you changed it)',
  merge: 'merge',
};

export async function updateCommand(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: UPDATE_OPTIONS, strict: true, allowPositionals: false });
  } catch (error) {
    throw flagError(error, UPDATE_OPTIONS, 'Run mlops-project update --help.');
  }
  const { values } = parsed;
  if (values.help) return say(UPDATE_HELP);
  const shown = values.dir ?? '.';
  const dirFlag = shown === '.' ? '' : ` --dir ${shellQuote(shown)}`;
  const dir = resolve(shown);
  const root = await workTreeRoot(dir);
  if (root === undefined || realpathSync(root) !== realpathSync(dir))
    throw cannot(`${shown} is not the root of a git work tree: run update at the root of the generated repo (or pass --dir REPO).`);
  if (values['render-base'] && (values.abort || values.check || values['dry-run'] || values.base !== undefined || values.set !== undefined))
    throw cannot('--render-base goes alone (with --dir at most): it makes one commit and changes nothing else.');
  if (values.abort) {
    const { branch, back } = await abortUpdate(dir);
    return say(`${green('✔')} Update aborted: back on ${back ?? 'the commit it started from'}, branch ${branch} deleted.`);
  }
  const settings = orCannot(() => new Map<AnswerKey, string>((values.set ?? []).map(parseSetting)));
  const readOnly = Boolean(values.check || values['dry-run'] || values['render-base']);

  const head = await revParse(dir, 'HEAD');
  if (head === undefined) throw cannot('This repo has no commit yet: commit the generated files first.');
  if (!readOnly) {
    const dirty = await statusLines(dir);
    if (dirty.length > 0)
      throw cannot(
        `The work tree has changes that are not committed (${dirty.length === 1 ? dirty[0]!.slice(3) : `${dirty.length} files`}): commit or stash them first, so the update is a commit of its own.`,
      );
  }
  // Only the files the update needs are read (a repo may hold much else: data, models).
  const recordText = (await readTree(dir, 'HEAD', new Set([ANSWERS_FILE]))).get(ANSWERS_FILE);
  if (recordText === undefined) throw cannot(`No ${ANSWERS_FILE} in the last commit: run update in a repo made by ${GENERATOR_NAME}.`);
  const record = orCannot(() => parseRecord(recordText, ANSWERS_FILE));
  if (compareVersions(record.version, VERSION) > 0)
    throw cannot(`This repo was made by ${GENERATOR_NAME} ${record.version}, newer than this one (${VERSION}): update with that version or a later one (npx -p ${GENERATOR_NAME}@${record.version} mlops-project update).`);

  // The base with the images added since, as `image` adds them (the base's own render has only those it had).
  const dockerfiles = await readTree(dir, 'HEAD', new Set(record.images.map((i) => i.dockerfile)));
  const baseImages = Object.fromEntries(record.images.map((i) => [i.name, baseImageOf(dockerfiles.get(i.dockerfile))]));
  const renderFor = (answers: Answers): Tree =>
    renderRepo({ answers, images: record.images, baseImages, template: readTemplate(), built: readBuiltFiles(), pipelineOf: readPipeline, version: VERSION });
  if (values['render-base']) return renderBase(dir, shown, record, renderFor(orCannot(() => applySettings(record.answers, new Map()))));

  const baseRev = values.base !== undefined ? await revParse(dir, values.base) : await findBase(dir, GENERATOR_NAME);
  if (baseRev === undefined)
    throw values.base !== undefined
      ? cannot(`--base ${values.base} is not a commit of this repo.`)
      : cannot(
          `Cannot find the render this repo started from (no update merged yet, and the first commit is not "Initial commit from ${GENERATOR_NAME} ..."): pass --base REV, the commit with the generated files as they were.`,
        );
  const baseTree = new Map(await readTree(dir, baseRev));
  const baseRecordText = baseTree.get(ANSWERS_FILE);
  const baseRecord = baseRecordText === undefined ? undefined : parseRecord(baseRecordText, `${ANSWERS_FILE} of ${baseRev.slice(0, 8)}`);
  // An older base than the record's version: the update that wrote the record was merged, its render commit was not.
  if (values.base === undefined && baseRecord !== undefined && compareVersions(baseRecord.version, record.version) < 0)
    throw await mergedWithoutHistory(dir, argv, dirFlag, record, { rev: baseRev, version: baseRecord.version });

  const answers = orCannot(() => applySettings(record.answers, settings));
  const had = new Set(baseRecord === undefined ? [] : baseRecord.images.map((i) => i.name));
  let baseChanged = false;
  for (const image of record.images) {
    if (had.has(image.name)) continue;
    const baseImage = baseImages[image.name];
    for (const change of planAddImage((p) => baseTree.get(p), { name: image.name, ...(baseImage === undefined ? {} : { baseImage }) }))
      baseTree.set(change.path, change.content);
    baseChanged = true;
  }
  const theirs = renderFor(answers);
  const ours = await readTree(dir, 'HEAD', new Set([...baseTree.keys(), ...theirs.keys()]));
  const outcomes = planMerge(baseTree, ours, theirs);
  const target = `${GENERATOR_NAME} ${VERSION}${settings.size > 0 ? ` with ${[...settings].map(([k, v]) => `${k}=${v}`).join(', ')}` : ''}`;

  if (values.check) {
    if (outcomes.length === 0) return say(`${green('✔')} Up to date with ${GENERATOR_NAME} ${VERSION}.`);
    say(`An update to ${target} exists: ${outcomes.length} file${outcomes.length === 1 ? '' : 's'} (mlops-project update --dry-run lists them).`);
    process.exitCode = 1;
    return;
  }
  if (outcomes.length === 0) return say(`${green('✔')} Up to date with ${target}: nothing to change.`);

  const labels = { ours: 'yours', base: `render of ${record.version}`, theirs: `render of ${VERSION}` };
  const resolutions: Resolution[] = [];
  const lines: string[] = [];
  const conflicts: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind === 'merge') {
      const merged = await mergeFile(dir, outcome, labels);
      if (merged.conflicts > 0) {
        conflicts.push(outcome.path);
        resolutions.push({ path: outcome.path, conflict: { text: merged.text, base: outcome.base, ours: outcome.ours, theirs: outcome.theirs } });
        lines.push(`  ${yellow('conflict')} ${outcome.path} (${merged.conflicts} conflict${merged.conflicts === 1 ? '' : 's'})`);
      } else {
        resolutions.push({ path: outcome.path, content: merged.text, created: false });
        lines.push(`  merge ${outcome.path} (yours and the template's changes)`);
      }
      continue;
    }
    lines.push(`  ${VERB[outcome.kind]} ${outcome.path}`);
    if (outcome.kind === 'update' || outcome.kind === 'add') resolutions.push({ path: outcome.path, content: outcome.content, created: outcome.kind === 'add' });
    else if (outcome.kind === 'delete') resolutions.push({ path: outcome.path, deleted: true });
  }

  // A change of answers on its own branch: it may come after the version's update was merged.
  const branch = UPDATE_BRANCH(VERSION, [...settings.keys()]);
  if (values['dry-run']) {
    say(`${bold('Update')} to ${target} ${dim(`(dry run: nothing written; from the render of ${baseRev.slice(0, 8)})`)}:`);
    for (const line of lines) say(line);
    say(conflicts.length > 0 ? `${conflicts.length} file${conflicts.length === 1 ? '' : 's'} would conflict.` : 'No conflicts: it would merge cleanly.');
    return;
  }
  if (await branchExists(dir, branch))
    throw cannot(`The branch ${branch} exists already: merge or delete it first (git branch -D ${branch}).`);

  const ident = await identity(dir);
  const from = (await currentBranch(dir)) ?? head;
  const base = baseChanged
    ? await commitTree(dir, baseTree, [baseRev], `mlops-project base ${record.version}: the render of ${baseRev.slice(0, 8)} with the images added since`, ident)
    : baseRev;
  const render = await commitTree(dir, theirs, [base], `${RENDER_SUBJECT} ${VERSION}\n\nThe files ${GENERATOR_NAME} ${VERSION} makes for this repo's answers and images.`, ident);
  const message = `Update to ${target}\n\nmlops-project update: a three-way merge of the render of ${record.version}, this branch and the render of ${VERSION}.`;
  const { commit } = await applyMerge(dir, { branch, from: from === head ? undefined : from, theirs: render, message, resolutions, ident });
  if (commit === undefined) {
    say(`Update to ${target} on branch ${bold(branch)}: ${conflicts.length} file${conflicts.length === 1 ? '' : 's'} conflict (markers in the files; git mergetool shows them):`);
    for (const path of conflicts) say(`  ${path}`);
    say(`Resolve them, then: git add ${conflicts.length === 1 ? shellQuote(conflicts[0]!) : '<file>...'} && git commit`);
    say(`Or undo it: mlops-project update --abort${shown === '.' ? '' : ` --dir ${shellQuote(shown)}`}`);
    process.exitCode = 1;
    return;
  }
  say(`${green('✔')} Updated to ${target} on branch ${bold(branch)} (commit ${commit.slice(0, 8)}); ${typeof from === 'string' && from !== head ? `${from} is untouched` : 'your branch is untouched'}:`);
  for (const line of lines) say(line);
  if (from !== head && !(await hasUpstream(dir, from)))
    // Nothing pushed yet (a new repo): the branch can take the update at once.
    say(`${from} is not pushed yet: take the update on it with git checkout ${shellQuote(from)} && git merge --ff-only ${branch}`);
  else say(`Review it (git diff ${from === head ? head.slice(0, 8) : from}...${branch}), then push it and open a merge request: git push -u origin ${branch}`);
}
