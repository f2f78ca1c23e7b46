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
