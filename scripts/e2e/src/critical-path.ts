// The critical path of a pipeline run: the chain of jobs, each waiting for the
// one before it (its `needs`, or every job of the earlier stages when it has
// none), whose durations add up to the longest time.

export interface TimedJob {
  name: string;
  stage: string;
  needs: string[] | null;
  seconds: number;
}

export interface CriticalPath {
  jobs: { name: string; seconds: number }[];
  seconds: number;
}

export function criticalPath(jobs: TimedJob[], stages: string[]): CriticalPath {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const stageIndex = (j: TimedJob) => stages.indexOf(j.stage);
  const waitsFor = (j: TimedJob): TimedJob[] =>
    j.needs != null
      ? j.needs.flatMap((n) => byName.get(n) ?? [])
      : jobs.filter((o) => o !== j && stageIndex(o) < stageIndex(j));
  const memo = new Map<string, CriticalPath>();
  const longest = (j: TimedJob, seen: Set<string>): CriticalPath => {
    const known = memo.get(j.name);
    if (known) return known;
    let best: CriticalPath = { jobs: [], seconds: 0 };
    for (const d of waitsFor(j)) {
      if (seen.has(d.name)) continue;
      const p = longest(d, new Set([...seen, j.name]));
      if (p.seconds > best.seconds) best = p;
    }
    const path = { jobs: [...best.jobs, { name: j.name, seconds: j.seconds }], seconds: best.seconds + j.seconds };
    memo.set(j.name, path);
    return path;
  };
  let result: CriticalPath = { jobs: [], seconds: 0 };
  for (const j of jobs) {
    const p = longest(j, new Set());
    if (p.seconds > result.seconds) result = p;
  }
  return result;
}
