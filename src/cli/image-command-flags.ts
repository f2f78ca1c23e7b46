/** Flags of `mlops-project image`, for its --help and the dispatcher's. */
export const IMAGE_FLAGS = `  --name NAME              image name, ^[a-z][a-z0-9-]*$      required
  --base-image IMAGE       base image of the new Dockerfile    default: the cpu image's
  --dir REPO               the generated repo                  default: . (the current directory)
  --dry-run                print the changes; write nothing    default: off
`;
