/** The Docker images a generated repo builds, and the names derived from each. */

export interface ImageSpec {
  /** `cpu`, `gpu`, `serving`... */
  name: string;
  /** Path of its Dockerfile in the repo. */
  dockerfile: string;
  /** The manual-pipeline variable that builds it alone, e.g. `BUILD_MODEL`. */
  buildSwitch: string;
}

export function dockerfileOf(repoName: string, image: string): string {
  return `docker/${repoName}-${image}.Dockerfile`;
}

/** `batch-infer` -> `BUILD_BATCH_INFER`. */
export function buildSwitchOf(image: string): string {
  return `BUILD_${image.toUpperCase().replace(/-/g, '_')}`;
}

/** The guide's two images keep the guide's switch names. */
export function defaultImages(repoName: string): ImageSpec[] {
  return [
    { name: 'cpu', dockerfile: dockerfileOf(repoName, 'cpu'), buildSwitch: 'BUILD_DATAPREP' },
    { name: 'gpu', dockerfile: dockerfileOf(repoName, 'gpu'), buildSwitch: 'BUILD_MODEL' },
  ];
}

/**
 * The Dockerfile a new image is copied from, by the shape its base image
 * needs: `cpu` expects python3 on the base (python:*-slim); `gpu` installs
 * python3 and venv with apt when the base has none.
 */
export type DockerfileShape = 'cpu' | 'gpu';

/**
 * Base images without python3, by repository (any registry, any tag or
 * digest; `docker.io/library/` dropped): a new image on one of them gets the
 * gpu Dockerfile's shape. `*` ends a prefix. Documented as a table in
 * template/docs/images.md ("Add an image"), which a test keeps in step.
 */
export const BASES_WITHOUT_PYTHON: readonly { repository: string; what: string }[] = [
  { repository: 'nvidia/cuda*', what: 'NVIDIA CUDA images (Ubuntu or other Linux, no Python)' },
  { repository: 'ubuntu', what: 'Ubuntu' },
  { repository: 'debian', what: 'Debian' },
];

/** `nvcr.io/nvidia/cuda:12.8.0-runtime-ubuntu24.04` -> `nvidia/cuda`; `docker.io/library/ubuntu@sha256:...` -> `ubuntu`. */
export function repositoryOf(reference: string): string {
  const parts = reference.replace(/@.*$/, '').split('/');
  const last = parts.length - 1;
  parts[last] = (parts[last] ?? '').replace(/:[^:]*$/, '');
  // A first part with a dot or a port, or `localhost`, is a registry host.
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) parts.shift();
  if (parts.length > 1 && parts[0] === 'library') parts.shift();
  return parts.join('/').toLowerCase();
}

export function dockerfileShapeOf(baseImage: string): DockerfileShape {
  const repository = repositoryOf(baseImage);
  const withoutPython = BASES_WITHOUT_PYTHON.some(({ repository: rule }) =>
    rule.endsWith('*') ? repository.startsWith(rule.slice(0, -1)) : repository === rule,
  );
  return withoutPython ? 'gpu' : 'cpu';
}
