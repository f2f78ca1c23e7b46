/**
 * REGISTRY_CA_FILE for real: a registry on 127.0.0.1 with TLS from a test
 * CA (Debian's docker-registry), and the generated pipeline's own
 * `.registry-ca` step run in the same job shell as a real `buildah pull` and
 * `skopeo inspect` (containers/image, the library buildah builds and pushes
 * with), as GitLab's runner runs a job (test/support/runner-shell.ts) in
 * dash, bash (buildah's image) and busybox sh (kaniko's and crane's, its
 * applets first on PATH). Without the variable, TLS is refused (x509); with it, TLS passes and
 * the registry answers (the image does not exist: "manifest unknown").
 * kaniko and crane are not on this machine: they are Go programs too, and
 * read SSL_CERT_DIR through Go's crypto/x509 as these do, which this test
 * does not prove for them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/e2e/src/registry.js';
import { parseCi, resolveJob } from '../support/gitlab-ci-check.js';
import { create, removeDir, tempDir } from '../support/cli.js';
import { RUNNER_SHELLS, runnerShells, type RunnerShell, type RunnerShells } from '../support/runner-shell.js';

let work: string;
let registry: ChildProcess | undefined;
let port = 0;
let caStep: string[] = [];
let shells: RunnerShells;

beforeAll(async () => {
  work = tempDir('cmp-ca-');
  const ssl = (args: string[]) => execa('openssl', args, { cwd: work });
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=create-mlops-project test CA']);
  await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(work, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
  await ssl(['x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '2', '-extfile', 'ext']);
  port = await freePort();
  mkdirSync(join(work, 'data'));
  writeFileSync(
    join(work, 'registry.yml'),
    `version: 0.1\nlog: {level: warn, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: ${join(work, 'data')}}}\nhttp: {addr: 127.0.0.1:${port}, tls: {certificate: ${join(work, 'srv.crt')}, key: ${join(work, 'srv.key')}}}\n`,
  );
  // docker-registry reads REGISTRY_* variables as configuration: start it with none.
  registry = spawn('docker-registry', ['serve', join(work, 'registry.yml')], { env: { PATH: '/usr/bin:/bin' }, stdio: 'ignore' });
  for (let i = 0; i < 50; i += 1) {
    const probe = await execa('curl', ['-s', '-o', '/dev/null', '--cacert', join(work, 'ca.crt'), `https://127.0.0.1:${port}/v2/`], { reject: false });
    if (probe.exitCode === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const made = await create(['p', '--yes', '--no-git', '--builder', 'buildah', '--registry', `127.0.0.1:${port}/ml/p`], work);
  expect(made.exitCode, made.stderr).toBe(0);
  const ci = parseCi(readFileSync(join(work, 'p/.gitlab-ci.yml'), 'utf8'));
  caStep = resolveJob(ci, '.registry-ca').before_script as string[];
  shells = await runnerShells(work);
});
afterAll(() => {
  if (registry?.pid) process.kill(registry.pid, 'SIGTERM');
  removeDir(work);
});

describe.each(RUNNER_SHELLS)('REGISTRY_CA_FILE with a registry behind a private CA (%s)', (shell: RunnerShell) => {
  const run = async (tool: string, caFile: string | undefined): Promise<string> => {
    const jobTmp = join(work, `job-${Math.random().toString(36).slice(2)}`);
    mkdirSync(jobTmp);
    const env: Record<string, string> = { HOME: jobTmp, TMPDIR: jobTmp };
    if (caFile) env.REGISTRY_CA_FILE = caFile;
    const image = `docker://127.0.0.1:${port}/ml/p/cpu:none`;
    const command = tool === 'buildah' ? `buildah --root "$TMPDIR/storage" --runroot "$TMPDIR/run" pull ${image}` : `skopeo inspect ${image}`;
    const system = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];
    const path = shell === 'busybox sh' ? [...shells.tools(shell), ...system] : system;
    const result = await shells.run(shell, [...caStep, command], { env, path });
    return `${result.out}\n${result.err}`;
  };

  it.each(['buildah', 'skopeo'])('%s: refused without it, trusted with it', async (tool) => {
    expect(await run(tool, undefined)).toMatch(/x509: certificate signed by unknown authority/);
    const trusted = await run(tool, join(work, 'ca.crt'));
    expect(trusted).toMatch(/Trusting the registry CA of REGISTRY_CA_FILE/);
    expect(trusted).not.toMatch(/x509/);
    expect(trusted).toMatch(/manifest unknown/);
  });
});
