import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeVariant } from '../../generators/project/pipeline.js';
import { setPipelineSettings, yamlScalar } from '../../generators/project/pipeline-settings.js';

const BASE = `# The pipeline
variables:
  IMAGE_REGISTRY: harbor.example.com/team/mlops-template-repo # where images go
  KEEP: "1"
default:
  tags:
    - on-prem
.registry-auth:
  before_script:
    - echo onprem # onprem credentials
  variables:
    A: "1"
job:
  extends: [.registry-auth]
  script:
    - !reference [.registry-auth, before_script]
`;

describe('composeVariant', () => {
  it('with no overlay, gives the template back byte for byte', () => {
    expect(composeVariant(BASE, [])).toBe(BASE);
  });

  it('an overlay replaces, adds and removes second-level keys, keeping comments', () => {
    const overlay = `.registry-auth:
  before_script:
    - echo gcp # gcp credentials
  variables: null
  image: google/cloud-sdk
`;
    const out = composeVariant(BASE, [{ name: 'gcp.yml', text: overlay }]);
    expect(out).toContain('    - echo gcp # gcp credentials');
    expect(out).not.toContain('onprem');
    expect(out).not.toContain('A: "1"');
    expect(out).toContain('  image: google/cloud-sdk');
    expect(out).toContain('# The pipeline');
    expect(out).toContain('- !reference [.registry-auth, before_script]');
    // Keys the overlay does not name stay: the sample runner tag, for setPipelineSettings.
    expect(out).toContain('    - on-prem');
  });

  it('an overlay key missing from the pipeline is an error', () => {
    expect(() => composeVariant(BASE, [{ name: 'o.yml', text: '.nope:\n  a: 1\n' }])).toThrow(
      'overlay o.yml: ".nope" is not a map in the pipeline',
    );
  });
});

describe('setPipelineSettings', () => {
  const rendered = BASE.replace('mlops-template-repo', 'fraud');

  it('sets the runner tag and the registry, nothing else', () => {
    const out = setPipelineSettings(rendered, { runnerTag: 'gpu-runner', registry: 'r.example.com:5000/a/b' }, 'fraud');
    expect(out).toBe(rendered.replace('- on-prem', '- gpu-runner').replace('harbor.example.com/team/fraud', 'r.example.com:5000/a/b'));
  });

  it.each([
    ['on-prem', 'on-prem'],
    ['gpu runner', '"gpu runner"'],
    ['yes', '"yes"'],
    ['ON', '"ON"'],
    ['1:20', '"1:20"'],
    ['10.0.0.5:5000/team/p', '"10.0.0.5:5000/team/p"'],
    ['tag #1', '"tag #1"'],
    ['é', '"é"'],
    ['a:', '"a:"'],
  ])('yamlScalar(%j) = %s, read back as the same string', (value, scalar) => {
    expect(yamlScalar(value)).toBe(scalar);
    expect(parse(`k: ${scalar}`, { version: '1.1' })).toEqual({ k: value });
    expect(parse(`k: ${scalar}`)).toEqual({ k: value });
  });

  it('fails loudly when the sample values are not there', () => {
    expect(() => setPipelineSettings('a: 1\n', { runnerTag: 't', registry: 'r.io/a' }, 'x')).toThrow(/template drift/);
  });
});
