/**
 * Where images go and how the pipeline logs in there: one descriptor per
 * platform, and per way of logging in (an "auth"). Every list of platforms
 * (the answer's choices, the prompt, `--help`, the pipeline variants, the
 * GitLab step, the next steps, the test matrix) derives from this table
 * (variants.ts). A new platform is a descriptor here, an overlay in
 * template/ci-overlays/, a credential builder in src/gitlab/credentials.ts
 * (or none) and an e2e stand-in: see docs/contributing/architecture.md.
 * Pure: data and small functions over it.
 */

/** A CI/CD variable the pipeline reads, which the GitLab step sets (or the user, by hand). */
export interface PipelineVariable {
  key: string;
  /** Masked and, by default, protected; false: a plain value (an identifier, no secret). */
  secret: boolean;
  /** What it holds, for the docs and the variable's description. */
  what: string;
}

/** What the GitLab step reads from the environment to make a credential (asked on a terminal). */
export interface CredentialInput {
  name: string;
  /** What to put in it: shown in the error and in --help. */
  what: string;
  /** The question on a terminal. */
  prompt: string;
  /** A secret: typed hidden, redacted everywhere. */
  hidden: boolean;
}

/**
 * How the GitLab step makes the variables: a key of CREDENTIAL_BUILDERS in
 * src/gitlab/credentials.ts (a missing builder is a compile error there).
 */
export type CredentialKind = 'harbor-robot' | 'gcp-key' | 'gcp-workload-identity';

export interface AuthDescriptor {
  label: string;
  hint: string;
  /** How the jobs log in, as a clause: "each job logs in with ...". */
  summary: string;
  /** A next step before the variables can be set, if any (what to create in the cloud). */
  setup?: string;
  /** The overlay (template/ci-overlays/<name>.yml) this way of logging in adds after the platform's, if any. */
  overlay: string | null;
  /** The variables the pipeline reads, and how the GitLab step makes them; null: nothing to set (the job's own credentials). */
  credential: {
    kind: CredentialKind;
    variables: readonly PipelineVariable[];
    /** Made for the registry's host (a Docker config): a placeholder registry is refused. */
    hostBound: boolean;
    /** What the GitLab step reads to make the variables. */
    inputs: readonly CredentialInput[];
    /** On a terminal, after a refused value: the choice that asks the inputs again. */
    retype: string;
  } | null;
}

export interface RegistryDescriptor {
  /** Shown in every registry error and in `--help`. */
  example: string;
  /** The default when none is given: a placeholder to replace (it holds "change-me"), or a real value. */
  default: (repoName: string) => string;
  /** A GitLab variable the registry may start with instead of a host (GitLab expands it in the job). */
  variable?: string;
  /** The warning when the registry does not start with `variable`: what that means. */
  elsewhere?: string;
  /** The platform's own rule, after the general HOST/PATH one; a problem or undefined. */
  check?: (host: string, path: readonly string[]) => string | undefined;
}

export interface PlatformDescriptor {
  /** The choice in the prompt and the review. */
  label: string;
  hint: string;
  /** The short name in `--help` (`onprem | gcp | gitlab (Harbor | Artifact Registry | ...)`). */
  short: string;
  registry: RegistryDescriptor;
  /** The runner tag every job gets unless --runner-tag says otherwise. */
  runnerTag: string;
  /** The overlay (template/ci-overlays/<name>.yml) of this platform; null: the template's own (onprem). */
  overlay: string | null;
  /** The ways to log in, the first the default; more than one: the `authAnswer` answer picks. */
  auths: Readonly<Record<string, AuthDescriptor>>;
  /** The answer that picks one of several auths. */
  authAnswer?: 'gcpAuth';
  /** What the project needs before the first pipeline, besides the variables (a next step); none: undefined. */
  needs?: string;
}

const ARTIFACT_REGISTRY_HOST = /^[a-z0-9-]+-docker\.pkg\.dev$/;
const GCP_EXAMPLE = 'asia-southeast1-docker.pkg.dev/my-gcp-project/my-repo/my-project';

export const PLATFORMS = {
  onprem: {
    label: 'On-prem Harbor (onprem)',
    hint: 'credentials in HARBOR_ROBOT_CREDS_JSON',
    short: 'Harbor',
    registry: {
      example: 'harbor.example.com/team/my-project',
      default: (repo) => `harbor.example.com/change-me/${repo}`,
    },
    runnerTag: 'on-prem',
    overlay: null,
    auths: {
      'robot-account': {
        label: 'Harbor robot account',
        hint: 'a Docker config for the registry host',
        summary: 'the jobs log in with the Harbor robot account in HARBOR_ROBOT_CREDS_JSON',
        overlay: null,
        credential: {
          kind: 'harbor-robot',
          hostBound: true,
          inputs: [
            { name: 'HARBOR_USERNAME', what: 'the Harbor robot account name, e.g. robot$team+ci', prompt: 'Harbor robot account name', hidden: false },
            { name: 'HARBOR_PASSWORD', what: "the Harbor robot account's secret", prompt: 'Harbor robot account secret', hidden: true },
          ],
          retype: 'Type the Harbor robot account again',
          variables: [{ key: 'HARBOR_ROBOT_CREDS_JSON', secret: true, what: 'base64 of a Docker config JSON for the registry host (the robot account)' }],
        },
      },
    },
  },
  gcp: {
    label: 'GCP Artifact Registry (gcp)',
    hint: 'a service account key, or workload identity federation (no key)',
    short: 'Artifact Registry',
    registry: {
      example: GCP_EXAMPLE,
      default: (repo) => `asia-southeast1-docker.pkg.dev/change-me/change-me/${repo}`,
      check: (host, path) => {
        if (!ARTIFACT_REGISTRY_HOST.test(host))
          return `registry for gcp must be on Artifact Registry (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/...), e.g. ${GCP_EXAMPLE}`;
        if (path.length < 2) return `registry for gcp needs at least PROJECT/REPOSITORY after the host, e.g. ${GCP_EXAMPLE}`;
        return undefined;
      },
    },
    runnerTag: 'gcp',
    overlay: 'gcp',
    authAnswer: 'gcpAuth',
    auths: {
      key: {
        label: 'Service account key (key)',
        hint: 'a long-lived key in GCP_SERVICE_ACCOUNT_KEY, as the guide does',
        summary: 'the jobs log in with the service account key in GCP_SERVICE_ACCOUNT_KEY',
        overlay: null,
        credential: {
          kind: 'gcp-key',
          hostBound: false,
          inputs: [
            {
              name: 'GCP_SERVICE_ACCOUNT_KEY_FILE',
              what: 'the path of the service account key JSON file',
              prompt: 'Path of the service account key JSON',
              hidden: false,
            },
          ],
          retype: 'Type the key file path again',
          variables: [{ key: 'GCP_SERVICE_ACCOUNT_KEY', secret: true, what: 'base64 of the service account key JSON' }],
        },
      },
      'workload-identity': {
        label: 'Workload identity federation (workload-identity)',
        hint: "no key: each job trades GitLab's ID token for a short-lived token",
        summary: "each job trades its GitLab ID token for a short-lived token of GCP_SERVICE_ACCOUNT, through the provider GCP_WORKLOAD_IDENTITY_PROVIDER",
        overlay: 'gcp-workload-identity',
        setup:
          'create the workload identity pool, its GitLab provider and the service account\'s roles in Google Cloud: docs/ci-variables.md has the gcloud commands (no key is made)',
        credential: {
          kind: 'gcp-workload-identity',
          hostBound: false,
          inputs: [
            {
              name: 'GCP_WORKLOAD_IDENTITY_PROVIDER',
              what: 'the pool provider, projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER (docs/ci-variables.md)',
              prompt: 'Workload identity provider (projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER)',
              hidden: false,
            },
            { name: 'GCP_SERVICE_ACCOUNT', what: 'the email of the service account the jobs act as', prompt: 'Service account email', hidden: false },
          ],
          retype: 'Type the provider and service account again',
          variables: [
            {
              key: 'GCP_WORKLOAD_IDENTITY_PROVIDER',
              secret: false,
              what: 'the pool provider, projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER',
            },
            { key: 'GCP_SERVICE_ACCOUNT', secret: false, what: 'the email of the service account the jobs act as' },
          ],
        },
      },
    },
  },
  gitlab: {
    label: "GitLab's container registry (gitlab)",
    hint: "the project's own registry and the job's own credentials: nothing to set",
    short: "GitLab's registry",
    registry: {
      example: '$CI_REGISTRY_IMAGE (the project\'s own registry) or registry.gitlab.com/group/project',
      default: () => '$CI_REGISTRY_IMAGE',
      variable: '$CI_REGISTRY_IMAGE',
      elsewhere:
        "the jobs log in with their job token, which may push to this project's own container registry; keep $CI_REGISTRY_IMAGE (or a path under it) unless that token may push there too.",
    },
    runnerTag: 'saas-linux-small-amd64',
    overlay: 'gitlab',
    auths: {
      'job-token': {
        label: 'The job token',
        hint: 'CI_REGISTRY_USER / CI_REGISTRY_PASSWORD',
        summary: "images go to the project's own container registry, and each job logs in with its own job token (CI_REGISTRY_USER, CI_REGISTRY_PASSWORD)",
        overlay: null,
        credential: null,
      },
    },
    needs: 'its container registry enabled (Settings > General > Visibility, project features, permissions > Container registry; on by default)',
  },
} as const satisfies Record<string, PlatformDescriptor>;

export type Platform = keyof typeof PLATFORMS;
export type GcpAuth = keyof (typeof PLATFORMS)['gcp']['auths'];
export const PLATFORM_IDS = Object.keys(PLATFORMS) as Platform[];
export const GCP_AUTHS = Object.keys(PLATFORMS.gcp.auths) as GcpAuth[];

export interface BuilderDescriptor {
  label: string;
  hint: string;
  /** The overlay (template/ci-overlays/<name>.yml) of this builder; null: the template's own (kaniko). */
  overlay: string | null;
}

export const BUILDERS = {
  kaniko: { label: 'kaniko', hint: 'maintained kaniko fork; no privileged runner needed', overlay: null },
  buildah: {
    label: 'buildah',
    hint: 'buildah in chroot isolation; needs a privileged runner (or SYS_ADMIN, seccomp unconfined)',
    overlay: 'buildah',
  },
} as const satisfies Record<string, BuilderDescriptor>;

export type Builder = keyof typeof BUILDERS;
export const BUILDER_IDS = Object.keys(BUILDERS) as Builder[];
