// What gitlab-ci-local 4.73 prints, read back: each job's result (the
// PASS/FAIL/WARN summary), its duration ("<job> finished in 12.3 s") and its
// log lines ("<job> > ..." and "<job> $ ..." with --max-job-name-padding 0).
import type { JobStatus } from './report.js';

/** pretty-hrtime's "345 ms", "12.3 s", "1.5 min", "1 h" (then maybe " FAIL 1") -> seconds */
export function parseDuration(text: string): number | null {
  const m = /^([\d.]+) ?(ns|μs|us|ms|s|min|h)\b/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const per = { ns: 1e9, μs: 1e6, us: 1e6, ms: 1e3, s: 1 }[m[2] as 'ns'];
  if (per) return n / per;
  return n * (m[2] === 'min' ? 60 : 3600);
}

export interface JobOutcome {
  status: JobStatus;
  seconds: number | null;
}

/** The jobs of `names` that ran, with their result and duration. */
export function jobOutcomes(log: string, names: string[]): Record<string, JobOutcome> {
  const out: Record<string, JobOutcome> = {};
  const known = [...names].sort((a, b) => b.length - a.length);
  const lines = log.split('\n');
  for (const line of lines) {
    const m = /^ (PASS|FAIL|WARN) +(.*[^ ]) *$/.exec(line);
    if (!m) continue;
    const rest = m[2]!;
    if (/\bafter_script$/.test(rest)) continue;
    const name = known.find((n) => rest === n || rest.startsWith(`${n} `));
    if (name) out[name] = { status: m[1] as JobStatus, seconds: null };
  }
  for (const line of lines) {
    const name = known.find((n) => line.startsWith(`${n} finished in `));
    if (name && out[name]) out[name].seconds = parseDuration(line.slice(`${name} finished in `.length));
  }
  return out;
}

/** A job's own log lines (its output and the commands it ran). */
export function jobLog(log: string, name: string): string[] {
  return log.split('\n').filter((l) => l.startsWith(`${name} > `) || l.startsWith(`${name} $ `));
}

/** Progress lines worth showing while a pipeline runs. */
export function isProgressLine(line: string): boolean {
  return /^[^ ]+ (starting|finished)\b|^ (PASS|FAIL|WARN) /.test(line);
}
