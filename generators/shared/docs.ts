/**
 * Where the tool's docs site is published (GitLab Pages of this repo; the same
 * address as `homepage` in package.json and `site_url` in mkdocs.yml, which a
 * test keeps equal), and the troubleshooting sections errors point to.
 */
export const DOCS_URL = 'https://create-mlops-project.gitlab.io/create-mlops-project/';

/** The `{#anchor}` of each section of docs/troubleshooting.md an error can point to. */
export type TroubleshootingAnchor =
  | 'missing-answers'
  | 'invalid-answer'
  | 'invalid-registry'
  | 'placeholder-registry'
  | 'target-not-empty'
  | 'too-many-directories'
  | 'unknown-option'
  | 'answers-file'
  | 'cancelled'
  | 'git-failed'
  | 'cannot-create-parent'
  | 'existing-files'
  | 'inside-git-repo'
  | 'gitlab-push-needs-commit'
  | 'secrets-not-set'
  | 'gitlab-token'
  | 'gitlab-project-not-found'
  | 'gitlab-forbidden'
  | 'gitlab-hidden-variable'
  | 'gitlab-pipeline-variables'
  | 'gitlab-project-exists'
  | 'gitlab-namespace-not-found'
  | 'gitlab-flags'
  | 'registry-placeholder-credentials'
  | 'registry-mismatch'
  | 'credentials'
  | 'gitlab-unreachable'
  | 'gitlab-push'
  | 'image-command'
  | 'set-registry'
  | 'update'
  | 'not-a-generated-repo'
  | 'unknown-command';

/** The address of a docs page, e.g. docsUrl('gitlab-variables/'). */
export const docsUrl = (page: string): string => `${DOCS_URL}${page}`;

/** The address of one troubleshooting section. */
export const troubleshootingUrl = (anchor: TroubleshootingAnchor): string => docsUrl(`troubleshooting/#${anchor}`);
