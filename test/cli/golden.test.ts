/**
 * Golden trees: the whole repo generated for fixed answers, file by file.
 * A template change shows up here as a reviewable diff; accept it with
 * `npx vitest run test/cli/golden.test.ts -u`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, readTree, removeDir, tempDir } from '../support/cli.js';

const CASES = {
  'onprem-kaniko': ['--platform', 'onprem', '--builder', 'kaniko', '--registry', 'harbor.example.com/fraud/fraud-radar'],
  'gcp-buildah': ['--platform', 'gcp', '--builder', 'buildah', '--registry', 'asia-southeast1-docker.pkg.dev/acme-ml/images/fraud-radar'],
  'gcp-workload-identity-kaniko': ['--platform', 'gcp', '--gcp-auth', 'workload-identity', '--builder', 'kaniko', '--registry', 'asia-southeast1-docker.pkg.dev/acme-ml/images/fraud-radar'],
  'gitlab-buildah': ['--platform', 'gitlab', '--builder', 'buildah'],
} as const;

const COMMON = [
  '--project-name', 'Fraud "Radar": v2 ✓',
  '--repo-name', 'fraud-radar',
  '--package-name', 'fraud_radar',
  '--description', 'Finds fraud: "fast" # not a comment \\ ok',
  '--author', "Zoë O'Brien",
  '--python', '3.11',
  '--yes', '--no-git',
];

let work: string;
beforeAll(() => {
  work = tempDir();
});
afterAll(() => removeDir(work));

describe.each(Object.entries(CASES))('golden tree %s', (name, flags) => {
  let tree: Record<string, string>;
  beforeAll(async () => {
    const result = await create([name, ...COMMON, ...flags], work);
    expect(result.exitCode, result.stderr).toBe(0);
    tree = readTree(join(work, name));
    // The version is in the answers record; keep the golden tree stable across releases.
    const record = JSON.parse(tree['.mlops-project.json'] ?? '{}') as { version: string };
    tree['.mlops-project.json'] = tree['.mlops-project.json']!.replace(`"version": "${record.version}"`, '"version": "<version>"');
  });

  it('lists the same files', async () => {
    await expect(`${Object.keys(tree).join('\n')}\n`).toMatchFileSnapshot(`../golden/${name}/FILES.txt`);
  });

  it('has the same content in every file', async () => {
    for (const [path, content] of Object.entries(tree))
      await expect(content).toMatchFileSnapshot(`../golden/${name}/${path}.snap`);
  });
});
