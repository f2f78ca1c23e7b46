/**
 * The descriptor tables (generators/platforms) and what derives from them:
 * the variants and their overlays, the prompt's choices, the `--help` rows,
 * the GitLab step's inputs, the next steps. A test-only descriptor shows that
 * each list follows the tables, not a list of its own.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILDERS, PLATFORMS, type PlatformDescriptor } from '../../generators/platforms/platforms.js';
import {
  authChoices,
  builderChoices,
  type Builders,
  platformChoices,
  platformHelp,
  type Platforms,
  runnerTagHelp,
  variantOf,
  variantsOf,
} from '../../generators/platforms/variants.js';
import { type Answers, checkAnswers, defaultOf, VALIDATORS } from '../../generators/project/answers.js';
import { nextSteps, type Plan } from '../../generators/project/plan.js';
import { answerRows } from '../../src/cli/create-args.js';
import { CREDENTIAL_BUILDERS } from '../../src/gitlab/credentials.js';

const ROOT = join(import.meta.dirname, '../..');

/** A platform of tests only: two ways to log in, one with an overlay. */
const ACME: PlatformDescriptor = {
  label: 'Acme Registry (acme)',
  hint: 'for the test only',
  short: 'Acme',
  registry: { example: 'registry.acme.test/team/p', default: (repo) => `registry.acme.test/change-me/${repo}` },
  runnerTag: 'acme-runner',
  overlay: 'acme',
  auths: {
    token: { label: 'Token', hint: 'a token', summary: 'a token', overlay: null, credential: null },
    oidc: { label: 'OIDC', hint: 'no secret', summary: 'an ID token', overlay: 'acme-oidc', credential: null },
  },
};
const WITH_ACME: Platforms = { ...PLATFORMS, acme: ACME };
const WITH_PODMAN: Builders = { ...BUILDERS, podman: { label: 'podman', hint: 'rootless podman', overlay: 'podman' } };

describe('the variants', () => {
  it('are each platform x its auths x each builder, the auth named only where a platform has several', () => {
    expect(variantsOf().map((v) => v.id)).toEqual([
      'onprem-kaniko',
      'onprem-buildah',
      'gcp-key-kaniko',
      'gcp-key-buildah',
      'gcp-workload-identity-kaniko',
      'gcp-workload-identity-buildah',
      'gitlab-kaniko',
      'gitlab-buildah',
    ]);
  });

  it('apply the overlays of the platform, then the auth, then the builder', () => {
    const overlays = Object.fromEntries(variantsOf().map((v) => [v.id, v.overlays]));
    expect(overlays['onprem-kaniko']).toEqual([]);
    expect(overlays['gcp-workload-identity-buildah']).toEqual(['gcp', 'gcp-workload-identity', 'buildah']);
    expect(overlays['gitlab-buildah']).toEqual(['gitlab', 'buildah']);
  });

  it('name only overlays that exist, and every overlay file is named by a descriptor', () => {
    const named = new Set(variantsOf().flatMap((v) => v.overlays));
    for (const name of named) expect(existsSync(join(ROOT, 'template/ci-overlays', `${name}.yml`)), name).toBe(true);
    const files = readdirSync(join(ROOT, 'template/ci-overlays')).map((f) => f.replace(/\.yml$/, ''));
    expect(files.sort()).toEqual([...named].sort());
  });

  it('follow a test-only platform and builder: their variants, with their overlays', () => {
    const ids = variantsOf(WITH_ACME, WITH_PODMAN).map((v) => v.id);
    expect(ids).toContain('acme-token-kaniko');
    expect(ids).toContain('acme-oidc-podman');
    expect(ids).toContain('onprem-podman');
    expect(ids).toHaveLength((8 / 2) * 3 + 2 * 3);
    expect(variantsOf(WITH_ACME, WITH_PODMAN).find((v) => v.id === 'acme-oidc-podman')?.overlays).toEqual(['acme', 'acme-oidc', 'podman']);
  });

  it('of a set of answers is the one its platform, auth and builder name', () => {
    expect(variantOf({ platform: 'gcp', gcpAuth: 'workload-identity', builder: 'buildah' }).id).toBe('gcp-workload-identity-buildah');
    expect(variantOf({ platform: 'gcp', builder: 'kaniko' }).id).toBe('gcp-key-kaniko');
    expect(variantOf({ platform: 'gitlab', builder: 'kaniko' }).id).toBe('gitlab-kaniko');
  });
});

describe('the choices and --help', () => {
  it('list every platform, auth and builder of the tables, in order', () => {
    expect(platformChoices().map((c) => c.value)).toEqual(['onprem', 'gcp', 'gitlab']);
    expect(authChoices().map((c) => c.value)).toEqual(['key', 'workload-identity']);
    expect(builderChoices().map((c) => c.value)).toEqual(['kaniko', 'buildah']);
    expect(platformHelp()).toBe("onprem | gcp | gitlab (Harbor | Artifact Registry | GitLab's registry)");
  });

  it('follow a test-only descriptor: its choice, its help row, its runner tag default', () => {
    expect(platformChoices(WITH_ACME).at(-1)).toEqual({ value: 'acme', name: 'Acme Registry (acme)', description: 'for the test only' });
    expect(builderChoices(WITH_PODMAN).at(-1)).toEqual({ value: 'podman', name: 'podman', description: 'rootless podman' });
    const rows = answerRows(WITH_ACME, WITH_PODMAN);
    expect(rows.find((r) => r.flag === '--platform NAME')?.what).toBe("onprem | gcp | gitlab | acme (Harbor | Artifact Registry | GitLab's registry | Acme)");
    expect(rows.find((r) => r.flag === '--builder NAME')?.what).toMatch(/^kaniko \| buildah \| podman: .*podman: rootless podman\)$/);
    expect(rows.find((r) => r.flag === '--runner-tag TAG')?.default).toBe(runnerTagHelp(WITH_ACME));
    expect(runnerTagHelp(WITH_ACME)).toBe('on-prem (gcp: gcp, gitlab: saas-linux-small-amd64, acme: acme-runner)');
  });
});

describe('the answers', () => {
  it('take their defaults from the platform descriptor', () => {
    expect(defaultOf('runnerTag', { platform: 'gitlab' }, {})).toBe(PLATFORMS.gitlab.runnerTag);
    expect(defaultOf('registry', { platform: 'gitlab', repoName: 'r' }, {})).toBe('$CI_REGISTRY_IMAGE');
    expect(defaultOf('registry', { platform: 'gcp', repoName: 'r' }, {})).toBe(PLATFORMS.gcp.registry.default('r'));
  });

  it('check the registry by the platform: gcp needs Artifact Registry, gitlab takes its variable', () => {
    expect(VALIDATORS.registry('harbor.example.com/a', { platform: 'gcp' })).toMatch(/Artifact Registry/);
    expect(VALIDATORS.registry('$CI_REGISTRY_IMAGE/models', { platform: 'gitlab' })).toBeUndefined();
  });

  it('hold gcp auth only for gcp', () => {
    const base: Answers = {
      projectName: 'P', repoName: 'p', packageName: 'p', description: '', author: '',
      platform: 'onprem', registry: 'harbor.example.com/a/p', runnerTag: 'on-prem', python: '3.12', builder: 'kaniko',
    };
    expect(checkAnswers(base)).toBe(base);
    expect(() => checkAnswers({ ...base, gcpAuth: 'key' })).toThrow(/^--gcp-auth applies only to --platform gcp; this repo's platform is onprem\.$/);
    expect(() => checkAnswers({ ...base, platform: 'gcp', registry: 'europe-docker.pkg.dev/a/b/p' })).toThrow(/^Missing answer --gcp-auth\.$/);
  });
});

describe('the GitLab step', () => {
  it('has a credential builder for every auth that has a credential, reading what the variables need', () => {
    for (const platform of Object.values(PLATFORMS as Platforms))
      for (const auth of Object.values(platform.auths)) {
        if (auth.credential === null) continue;
        expect(typeof CREDENTIAL_BUILDERS[auth.credential.kind].build).toBe('function');
        expect(auth.credential.inputs.length).toBeGreaterThan(0);
      }
  });
});

describe('the next steps', () => {
  const plan: Plan = { dir: 'p', files: [], git: { commitMessage: 'c' }, workTree: null, warnings: [] };
  const answers = (platform: 'onprem' | 'gcp' | 'gitlab', registry: string, gcpAuth?: 'key' | 'workload-identity'): Answers => ({
    projectName: 'P', repoName: 'p', packageName: 'p', description: '', author: '',
    platform, ...(gcpAuth ? { gcpAuth } : {}), registry, runnerTag: 'r', python: '3.12', builder: 'kaniko',
  });
  const done = { variables: false, pushed: false, generatorIdentity: false };

  it('of a gitlab repo are cd and push: nothing to set, no tag protection for a protected variable', () => {
    expect(nextSteps(plan, answers('gitlab', '$CI_REGISTRY_IMAGE'), 'p', done, 'mlops-project', '0.2.0')).toEqual([
      'cd p',
      `git remote add origin <your GitLab project URL> && git push -u origin main; the project needs ${PLATFORMS.gitlab.needs}`,
    ]);
  });

  it('name the variables of the auth; workload identity first says what to create in Google Cloud', () => {
    const wif = nextSteps(plan, answers('gcp', 'europe-docker.pkg.dev/a/b/p', 'workload-identity'), 'p', done, 'mlops-project', '0.2.0');
    expect(wif[1]).toBe(PLATFORMS.gcp.auths['workload-identity'].setup);
    expect(wif[2]).toMatch(/^set the CI\/CD variables GCP_WORKLOAD_IDENTITY_PROVIDER and GCP_SERVICE_ACCOUNT before the first push: mlops-project gitlab-variables/);
    const key = nextSteps(plan, answers('gcp', 'europe-docker.pkg.dev/a/b/p', 'key'), 'p', done, 'mlops-project', '0.2.0');
    expect(key[1]).toMatch(/^set the masked CI\/CD variable GCP_SERVICE_ACCOUNT_KEY before the first push/);
    expect(key.at(-1)).toMatch(/^protect release tags/);
  });
});
