/**
 * Everything derived from the descriptor tables (platforms.ts): the pipeline
 * variants and their overlays, the choices of the prompts, the `--help`
 * rows, the auth of a set of answers. Each function takes the tables as an
 * argument (default: the real ones), so a test can add a descriptor and see
 * it everywhere. Pure.
 */
import {
  type AuthDescriptor,
  BUILDERS,
  type BuilderDescriptor,
  type Builder,
  type GcpAuth,
  type Platform,
  type PlatformDescriptor,
  PLATFORMS,
} from './platforms.js';

export type Platforms = Readonly<Record<string, PlatformDescriptor>>;
export type Builders = Readonly<Record<string, BuilderDescriptor>>;

/** One composed pipeline: a platform, one of its auths and a builder. */
export interface Variant {
  /** `onprem-kaniko`, `gcp-workload-identity-buildah`: the auth is named only for a platform with more than one. */
  id: string;
  platform: string;
  auth: string;
  builder: string;
  /** The overlays (template/ci-overlays/<name>.yml), in order: the platform's, the auth's, the builder's. */
  overlays: string[];
}

export function variantId(platform: string, auth: string, builder: string, platforms: Platforms = PLATFORMS): string {
  const descriptor = platforms[platform];
  if (descriptor === undefined) throw new Error(`unknown platform ${platform}`);
  const named = Object.keys(descriptor.auths).length > 1;
  return [platform, ...(named ? [auth] : []), builder].join('-');
}

/** Every variant: each platform x its auths x each builder. */
export function variantsOf(platforms: Platforms = PLATFORMS, builders: Builders = BUILDERS): Variant[] {
  return Object.entries(platforms).flatMap(([platform, p]) =>
    Object.entries(p.auths).flatMap(([auth, a]) =>
      Object.entries(builders).map(([builder, b]) => ({
        id: variantId(platform, auth, builder, platforms),
        platform,
        auth,
        builder,
        overlays: [p.overlay, a.overlay, b.overlay].filter((o): o is string => o !== null),
      })),
    ),
  );
}

/** What picks the variant: the platform, its auth answer (gcp only) and the builder. */
export interface VariantAnswers {
  platform: Platform;
  gcpAuth?: GcpAuth | undefined;
  builder: Builder;
}

/** The auth of a set of answers: the one its auth answer names, or the platform's only (or first) one. */
export function authIdOf(answers: Pick<VariantAnswers, 'platform' | 'gcpAuth'>): string {
  const platform: PlatformDescriptor = PLATFORMS[answers.platform];
  const chosen = platform.authAnswer === 'gcpAuth' ? answers.gcpAuth : undefined;
  return chosen ?? Object.keys(platform.auths)[0]!;
}

export function authOf(answers: Pick<VariantAnswers, 'platform' | 'gcpAuth'>): AuthDescriptor {
  const platform: PlatformDescriptor = PLATFORMS[answers.platform];
  return platform.auths[authIdOf(answers)]!;
}

export function variantOf(answers: VariantAnswers): Variant {
  const id = variantId(answers.platform, authIdOf(answers), answers.builder);
  const variant = variantsOf().find((v) => v.id === id);
  if (variant === undefined) throw new Error(`no pipeline variant ${id}`);
  return variant;
}

export interface Choice {
  value: string;
  name: string;
  description: string;
}

export const platformChoices = (platforms: Platforms = PLATFORMS): Choice[] =>
  Object.entries(platforms).map(([value, p]) => ({ value, name: p.label, description: p.hint }));

export const builderChoices = (builders: Builders = BUILDERS): Choice[] =>
  Object.entries(builders).map(([value, b]) => ({ value, name: b.label, description: b.hint }));

export const authChoices = (auths: Readonly<Record<string, AuthDescriptor>> = PLATFORMS.gcp.auths): Choice[] =>
  Object.entries(auths).map(([value, a]) => ({ value, name: a.label, description: a.hint }));

/** `onprem | gcp | gitlab (Harbor | Artifact Registry | GitLab's registry)`: the `--platform` row of `--help`. */
export function platformHelp(platforms: Platforms = PLATFORMS): string {
  return `${Object.keys(platforms).join(' | ')} (${Object.values(platforms).map((p) => p.short).join(' | ')})`;
}

/** `--runner-tag`'s default in `--help`: the first platform's, then the others'. */
export function runnerTagHelp(platforms: Platforms = PLATFORMS): string {
  const [first, ...rest] = Object.entries(platforms);
  if (first === undefined) return '';
  return `${first[1].runnerTag}${rest.length > 0 ? ` (${rest.map(([id, p]) => `${id}: ${p.runnerTag}`).join(', ')})` : ''}`;
}

/** The secrets and settings the GitLab step reads from the environment, per auth, for `--help`. */
export function credentialVariables(auth: AuthDescriptor): readonly string[] {
  return auth.credential?.variables.map((v) => v.key) ?? [];
}

/** Each platform and auth, named as `--help` names them (`onprem`, `gcp key`, `gitlab`), with its descriptor. */
export function credentialAuths(platforms: Platforms = PLATFORMS): { name: string; auth: AuthDescriptor }[] {
  return Object.entries(platforms).flatMap(([id, platform]) => {
    const auths = Object.entries(platform.auths);
    return auths.map(([authId, auth]) => ({ name: auths.length > 1 ? `${id} ${authId}` : id, auth }));
  });
}
