/**
 * Every variant a repo can be generated for (each platform x its auths x
 * each builder), from the descriptor tables, with the flags that make it and
 * a valid registry per platform (a platform without one does not compile).
 */
import { appliesTo } from '../../generators/project/answers.js';
import type { Platform } from '../../generators/platforms/platforms.js';
import { type Variant, variantsOf } from '../../generators/platforms/variants.js';

export const REGISTRY: Record<Platform, string> = {
  onprem: 'harbor.example.com/team/p',
  gcp: 'europe-west4-docker.pkg.dev/acme/ml/p',
  gitlab: '$CI_REGISTRY_IMAGE',
};

export interface MatrixEntry extends Variant {
  platform: Platform;
  /** The answer flags that make this variant: --platform, --gcp-auth (gcp), --builder, --registry. */
  flags: string[];
}

export const MATRIX: MatrixEntry[] = variantsOf().map((variant) => {
  const platform = variant.platform as Platform;
  const authFlag = appliesTo('gcpAuth', { platform }) ? ['--gcp-auth', variant.auth] : [];
  return {
    ...variant,
    platform,
    flags: ['--platform', platform, ...authFlag, '--builder', variant.builder, '--registry', REGISTRY[platform]],
  };
});
