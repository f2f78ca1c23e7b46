import { describe, expect, it } from 'vitest';
import { composePipeline } from '../../src/core/pipeline.js';

const BASE = `# The pipeline
variables:
  IMAGE_REGISTRY:
    value: harbor.example.com/team/x # where images go
    description: Image repository prefix
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

describe('composePipeline', () => {
  it('with no overlay, sets only the runner tag and registry and keeps comments', () => {
    const out = composePipeline(BASE, [], { runnerTag: 'gpu-runner', registry: 'r.example.com/a/b' });
    expect(out).toBe(
      BASE.replace('harbor.example.com/team/x', 'r.example.com/a/b').replace('- on-prem', '- gpu-runner'),
    );
  });

  it('an overlay replaces, adds and removes second-level keys', () => {
    const overlay = `.registry-auth:
  before_script:
    - echo gcp # gcp credentials
  variables: null
  image: google/cloud-sdk
`;
    const out = composePipeline(BASE, [{ name: 'gcp.yml', text: overlay }], { runnerTag: 'gcp', registry: 'x-docker.pkg.dev/p/r' });
    expect(out).toContain('    - echo gcp # gcp credentials');
    expect(out).not.toContain('onprem');
    expect(out).not.toContain('A: "1"');
    expect(out).toContain('  image: google/cloud-sdk');
    expect(out).toContain('# The pipeline');
    expect(out).toContain('- !reference [.registry-auth, before_script]');
  });

  it('an overlay key missing from the pipeline is an error', () => {
    expect(() => composePipeline(BASE, [{ name: 'o.yml', text: '.nope:\n  a: 1\n' }], { runnerTag: 't', registry: 'r.io/a' })).toThrow(
      'overlay o.yml: ".nope" is not a map in the pipeline',
    );
  });
});
