/**
 * Secrets come from the environment only, never from flags. On a terminal a
 * missing one is asked (hidden input for secrets; @inquirer/prompts is
 * imported only then); without one, a missing secret is one error line
 * naming the variable to export.
 */
import { readFileSync } from 'node:fs';
import type { CredentialInput } from '../../generators/platforms/platforms.js';
import { cancellable, UserError } from '../../generators/shared/errors.js';
import { Secret } from './secret.js';

/** What the step reads: the token, and each credential's inputs (generators/platforms). */
export type Wanted = CredentialInput;

export const TOKEN: Wanted = {
  name: 'GITLAB_TOKEN',
  what: 'a GitLab personal access token with the api scope',
  prompt: 'GitLab token (api scope)',
  hidden: true,
};

/**
 * The update:template job's token (ci/update-template.sh of a generated repo):
 * optional (--update-token), the same for every platform, not a registry
 * credential. Read from the environment variable of the CI/CD variable's name.
 * A project access token with the Developer role and the api scope: api
 * opens the merge request, and includes Git over HTTPS (write_repository was
 * split out of api in GitLab 11.11 and stayed part of it), so no other scope
 * is needed; Developer may push a branch that is not protected.
 */
export const UPDATE_TOKEN: Wanted = {
  name: 'MLOPS_UPDATE_TOKEN',
  what: 'a project access token of the project (Settings > Access tokens), role Developer, scope api, for the update:template job',
  prompt: 'Project access token for the update:template job (role Developer, scope api)',
  hidden: true,
};

/** The CI/CD variable's description (GitLab allows 255 characters). */
export const UPDATE_TOKEN_DESCRIPTION =
  'Project access token (Developer, api) of the update:template job: it pushes mlops-project/update-* and opens the merge request; set by mlops-project gitlab-variables --update-token.';

export interface SecretSource {
  env: NodeJS.ProcessEnv;
  /** True on a terminal: a missing value is asked. */
  interactive: boolean;
}

async function ask(wanted: Wanted): Promise<string> {
  const { input, password } = await import('@inquirer/prompts');
  const message = `${wanted.prompt} (${wanted.name})`;
  const validate = (value: string): true | string => (value === '' ? `${wanted.name} must not be empty` : true);
  // No mask characters and no ctrl+t reveal: nothing of a secret reaches the screen.
  return cancellable(wanted.hidden ? password({ message, validate, toggleMask: false }) : input({ message, validate }));
}

/**
 * The values of `wanted`, by name. `required: false` (a dry run) takes what
 * the environment has, asks nothing and never fails on a missing one.
 */
export async function readSecrets(
  wanted: Wanted[],
  source: SecretSource,
  { required }: { required: boolean },
): Promise<Map<string, Secret>> {
  const found = new Map<string, Secret>();
  const missing: Wanted[] = [];
  for (const item of wanted) {
    // Only surrounding line breaks go (a value from `$(cat file)` or a file read); a secret may have spaces.
    const value = source.env[item.name]?.replace(/^[\r\n]+|[\r\n]+$/g, '');
    if (value) found.set(item.name, new Secret(value));
    else missing.push(item);
  }
  if (!required || missing.length === 0) return found;
  if (!source.interactive) {
    const names = missing.map((m) => m.name);
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    throw new UserError(
      `${list} ${names.length === 1 ? 'is' : 'are'} not set, and there is no terminal to ask: export ${missing
        .map((m) => `${m.name} (${m.what})`)
        .join(', ')}; secrets and settings are read from the environment only, never from flags.`,
      { docs: 'secrets-not-set' },
    );
  }
  for (const item of missing) found.set(item.name, new Secret(await ask(item)));
  return found;
}

/** The bytes of the key file named by GCP_SERVICE_ACCOUNT_KEY_FILE. */
export function readKeyFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UserError(`Cannot read GCP_SERVICE_ACCOUNT_KEY_FILE ${path}: ${code === 'ENOENT' ? 'no such file' : code}.`, { docs: 'credentials' });
  }
}
