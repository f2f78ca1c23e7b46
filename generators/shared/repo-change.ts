/**
 * One type for a change to a repo, shared by every planner: `create` (every
 * file of a new repo), `image` and `set-registry` (edits), `update` (writes,
 * deletions, conflicts). Each is computed in full before anything is
 * written; src/io/repo-files.ts `writeChanges` writes edits to an existing
 * repo, src/io/apply-plan.ts `writePlan` a whole new one.
 */

/** Reads a file of the repo, or undefined when it does not exist. */
export type ReadRepoFile = (path: string) => string | undefined;

/** A file's new content. */
export interface FileWrite {
  /** POSIX path relative to the repo root. */
  path: string;
  content: string;
}

/** A file written (new, or changed: `created` says which) or deleted. */
export type RepoChange = (FileWrite & { created: boolean }) | { path: string; deleted: true };

/** A change that writes a file. */
export type FileChange = Extract<RepoChange, { content: string }>;
