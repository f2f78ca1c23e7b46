#!/usr/bin/env node
// Reads a pipeline as gitlab-ci-local --preview prints it (includes and
// `extends` resolved) and tells the e2e harness what it needs to know:
//   node pipeline-info.mjs info PREVIEW.yml            -> JSON on stdout
//   node pipeline-info.mjs overlay PREVIEW.yml SCRIPTS_DIR CI_FILE -> overlay YAML
//   node pipeline-info.mjs busybox-scripts PREVIEW.yml  -> scripts of busybox-image jobs (JSON)
//
// Jobs are classified by what their scripts do, not by their names, so that
// any generated repo works (either builder, images added later):
//   env    a `conda env create` / `conda create` job (gets the stand-in script)
//   image  runs /kaniko/executor, `buildah build|bud|push` or `docker build`
//   retag  runs `crane tag|copy`, `skopeo copy`, `gcloud ... add-tag` (and is
//          not an image job)
//   pages  the job named `pages` (or one with a `pages:` keyword)
//   docs   any other job that runs `mkdocs build` (the MR docs check)
//   test   any other job of stage `test`
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const RESERVED = new Set([
  'default', 'include', 'stages', 'variables', 'workflow', 'image', 'services',
  'cache', 'before_script', 'after_script', 'spec',
]);

const asList = (v) => (v == null ? [] : Array.isArray(v) ? v.flat(Infinity) : [v]);

// Expand $VAR / ${VAR} from the pipeline's top-level variables (image names).
function expandGlobal(text, doc) {
  const vars = doc.variables ?? {};
  return String(text ?? '').replace(/\$\{?(\w+)\}?/g, (m, name) => {
    const v = vars[name];
    return v == null ? m : String(typeof v === 'object' ? v.value ?? '' : v);
  });
}

function loadJobs(file) {
  const doc = parse(readFileSync(file, 'utf8'), { merge: true }) ?? {};
  const jobs = [];
  for (const [name, job] of Object.entries(doc)) {
    if (RESERVED.has(name) || name.startsWith('.') || job == null || typeof job !== 'object') continue;
    const before = asList(job.before_script).map(String);
    const script = asList(job.script).map(String);
    const text = [...before, ...script].join('\n');
    let kind = 'other';
    if (/\bconda\s+(env\s+create|create)\b/.test(text)) kind = 'env';
    else if (/\/kaniko\/executor|\bbuildah\s+(build|bud|push)\b|\bdocker\s+build\b/.test(text)) kind = 'image';
    else if (/\bcrane\s+(tag|copy|cp)\b|\bskopeo\s+copy\b|\bgcloud\b.*\badd-tag\b/.test(text)) kind = 'retag';
    else if (name === 'pages' || job.pages != null) kind = 'pages';
    else if (/\bmkdocs\s+build\b/.test(text)) kind = 'docs';
    else if ((job.stage ?? 'test') === 'test') kind = 'test';
    const junit = asList(job.artifacts?.reports?.junit).map(String);
    const image = expandGlobal(typeof job.image === 'object' ? job.image?.name : job.image, doc);
    // The kaniko and crane debug images (and busybox) run job scripts in busybox sh.
    const busybox = /busybox|((kaniko|crane)[^:]*:debug)/.test(image);
    jobs.push({ name, stage: job.stage ?? 'test', kind, script, before, junit, image, busybox, variables: job.variables ?? {} });
  }
  return { doc, jobs };
}

// Split one shell command line into words (quotes kept off, $VARS kept raw).
function shellWords(line) {
  const words = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  let m;
  while ((m = re.exec(line))) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

// From the env job's original script: the env file, the prefix (raw, as the
// script spells it, so the shell expands it the same way) and the arguments
// of any `pip install` in the job.
function envJobDetails(job) {
  let envFile = null;
  let prefix = null;
  const pipArgs = [];
  for (const chunk of job.script) {
    for (const rawLine of chunk.split('\n')) {
      const line = rawLine.replace(/#.*$/, '');
      const create = line.match(/\bconda\s+(?:env\s+create|create)\b(.*)$/);
      if (create) {
        const rest = create[1];
        const f = rest.match(/(?:--file|-f)[=\s]+("[^"]*"|'[^']*'|\S+)/);
        const p = rest.match(/(?:--prefix|-p)[=\s]+("[^"]*"|'[^']*'|\S+)/);
        if (f) envFile = f[1];
        if (p) prefix = p[1];
      }
      const pip = line.match(/\bpip\s+install\s+(.*)$/);
      if (pip) pipArgs.push(...shellWords(pip[1]).filter((w) => w !== '\\'));
    }
  }
  return { envFile, prefix, pipArgs };
}

const shq = (s) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'"'"'`)}'`);
// A raw word from the original script ("$VENV_DIRECTORY") stays as written.
const rawWord = (s) => (/^["']/.test(s) || /^\$\{?\w+\}?$/.test(s) ? s : shq(s));

const [cmd, file, scriptsDir, ciFile = '.gitlab-ci.yml'] = process.argv.slice(2);
const { jobs } = loadJobs(file);
const envJobs = jobs.filter((j) => j.kind === 'env');

if (cmd === 'info') {
  const out = {
    jobs: jobs.map(({ name, stage, kind, junit, image, busybox }) => ({ name, stage, kind, junit, image, busybox })),
    env: envJobs.map((j) => ({ name: j.name, ...envJobDetails(j) })),
    image: jobs.filter((j) => j.kind === 'image').map((j) => ({
      name: j.name,
      imageName: j.variables.IMAGE_NAME ?? null,
      dockerfile: j.variables.DOCKERFILE ?? null,
    })),
    retag: jobs.filter((j) => j.kind === 'retag').map((j) => j.name),
    pages: jobs.filter((j) => j.kind === 'pages').map((j) => j.name),
    docs: jobs.filter((j) => j.kind === 'docs').map((j) => j.name),
    test: jobs.filter((j) => j.kind === 'test').map((j) => j.name),
    junit: jobs.flatMap((j) => j.junit.map((path) => ({ job: j.name, path }))),
    credentialVariables: ['HARBOR_ROBOT_CREDS_JSON', 'GCP_SERVICE_ACCOUNT_KEY'].filter((v) =>
      jobs.some((j) => [...j.before, ...j.script].join('\n').includes(v))),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else if (cmd === 'busybox-scripts') {
  // Each script entry of the jobs that run in busybox sh, as a JSON list, for `busybox sh -n`.
  const out = jobs.filter((j) => j.busybox).flatMap((j) =>
    [...j.before, ...j.script].map((text, i) => ({ job: j.name, index: i, image: j.image, text })));
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else if (cmd === 'overlay') {
  // Includes the generated pipeline and replaces ONLY the env job's script.
  const overlay = { include: [{ local: ciFile }] };
  for (const job of envJobs) {
    const { envFile, prefix, pipArgs } = envJobDetails(job);
    if (!envFile || !prefix) {
      throw new Error(`${job.name}: cannot find --file/--prefix of conda env create in its script`);
    }
    overlay[job.name] = {
      script: [
        `echo "E2E STAND-IN (scripts/e2e-pipeline): this job's script is replaced; the original one is:"`,
        ...job.script.map((s) => `printf '%s\\n' ${shq(s.replace(/\n$/, ''))} | sed 's/^/  | /'`),
        [
          `bash ${shq(`${scriptsDir}/conda-env-standin.sh`)}`,
          rawWord(envFile),
          rawWord(prefix),
          '--',
          ...pipArgs.map(rawWord),
        ].join(' '),
      ],
    };
  }
  process.stdout.write(stringify(overlay, { lineWidth: 0 }));
} else {
  process.stderr.write('usage: pipeline-info.mjs info|overlay PREVIEW.yml [SCRIPTS_DIR CI_FILE]\n');
  process.exit(2);
}
