/** Every platform x builder a repo can be generated for, and a valid registry for each platform. */
export const MATRIX = [
  ['onprem', 'kaniko'],
  ['onprem', 'buildah'],
  ['gcp', 'kaniko'],
  ['gcp', 'buildah'],
] as const;

export const REGISTRY = { onprem: 'harbor.example.com/team/p', gcp: 'europe-west4-docker.pkg.dev/acme/ml/p' } as const;
