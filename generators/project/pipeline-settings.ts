/**
 * The answers a composed pipeline still needs: runner tag and registry, set
 * by two precise line edits (no YAML parser on the create path).
 */
import { editOnce } from './template.js';

/** The runner tag and registry the template pipeline carries; every composed variant keeps them. */
export const SAMPLE_SETTINGS = { runnerTag: 'on-prem', registry: 'harbor.example.com/team/mlops-template-repo' } as const;

export interface PipelineSettings {
  runnerTag: string;
  registry: string;
}

/**
 * A YAML scalar for `value`: plain when no YAML reader (GitLab's is YAML 1.1)
 * can take it for anything but that string; double-quoted (JSON escapes) otherwise.
 */
export function yamlScalar(value: string): string {
  const plain =
    /^[A-Za-z_][A-Za-z0-9._/:@-]*$/.test(value) &&
    !value.endsWith(':') &&
    !/^(y|n|yes|no|true|false|on|off|null)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

/**
 * Put the runner tag and registry into a composed variant whose sample
 * values were already renamed for `repoName`: two precise line edits.
 */
export function setPipelineSettings(text: string, settings: PipelineSettings, repoName: string): string {
  const escape = (value: string): string => value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const sampleRegistry = escape(SAMPLE_SETTINGS.registry.replace('mlops-template-repo', repoName));
  const sampleTag = new RegExp(`^(\\s+- )${escape(SAMPLE_SETTINGS.runnerTag)}$`, 'm');
  let out = editOnce('.gitlab-ci.yml', text, sampleTag, `$1${yamlScalar(settings.runnerTag)}`);
  out = editOnce(
    '.gitlab-ci.yml',
    out,
    new RegExp(`^(\\s+IMAGE_REGISTRY:\\s+(?:value:\\s+)?)${sampleRegistry}((?:\\s+#.*)?)$`, 'm'),
    `$1${yamlScalar(settings.registry)}$2`,
  );
  return out;
}
