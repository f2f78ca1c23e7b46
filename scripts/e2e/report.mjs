#!/usr/bin/env node
// Turns the harness's tab-separated record (RUN/report.tsv) into the JSON
// written by `scripts/e2e-pipeline --report FILE`:
// {
//   ok, exitCode, seconds,
//   repo: { dir, platform, builder, name },
//   imageJobs: { "build:cpu-image": "cpu", ... },
//   pipelines: { push: { seconds, exitCode, jobs: { "test:lint": "PASS", ... } }, ... },
//   junit: [{ kind, path, tests, failures, errors, skipped }],
//   digests: [{ kind, repository, tag, digest }],
//   retag: [{ repository, from, to, fromDigest, toDigest, equal }],
//   credentials: [{ kind, file, value: "full" | "wrong" | "differs" }],
//   failures: [message, ...]
// }
import { readFileSync } from 'node:fs';

const [file, exitCode, seconds] = process.argv.slice(2);
const out = {
  ok: Number(exitCode) === 0,
  exitCode: Number(exitCode),
  seconds: Number(seconds),
  repo: null,
  imageJobs: {},
  pipelines: {},
  junit: [],
  digests: [],
  retag: [],
  credentials: [],
  failures: [],
};
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (!line) continue;
  const [type, ...f] = line.split('\t');
  switch (type) {
    case 'repo': out.repo = { dir: f[0], platform: f[1], builder: f[2], name: f[3] }; break;
    case 'imagejob': out.imageJobs[f[0]] = f[1] || null; break;
    case 'pipeline':
      out.pipelines[f[0]] = { ...(out.pipelines[f[0]] ?? { jobs: {} }), seconds: Number(f[1]), exitCode: Number(f[2]) };
      break;
    case 'job':
      out.pipelines[f[0]] ??= { jobs: {} };
      out.pipelines[f[0]].jobs[f[1]] = f[2];
      break;
    case 'junit':
      out.junit.push({ kind: f[0], path: f[1], tests: Number(f[2]), failures: Number(f[3]), errors: Number(f[4]), skipped: Number(f[5]) });
      break;
    case 'digest': out.digests.push({ kind: f[0], repository: f[1], tag: f[2], digest: f[3] }); break;
    case 'retag':
      out.retag.push({ repository: f[0], from: f[1], to: f[2], fromDigest: f[3], toDigest: f[4] || null, equal: !!f[4] && f[3] === f[4] });
      break;
    case 'credential': out.credentials.push({ kind: f[0], file: f[1], value: f[2] }); break;
    case 'failure': out.failures.push(f.join('\t')); break;
    default: break;
  }
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
