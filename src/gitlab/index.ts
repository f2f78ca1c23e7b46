/**
 * GitLab: registry credentials as CI/CD variables, through the REST API.
 * `setupGitLab` is the whole step (for the end of create-mlops-project);
 * `planGitLab` + `describePlan` are the pure plan (for a dry run).
 */
export { setupGitLab, prepareGitLab, credentialInputsOf, nothingToSet, readRepoAnswers, type PreparedGitLab, type GitLabSetupOptions, type GitLabSetupResult, type RepoAnswers } from './setup.js';
export { planGitLab, describePlan, type GitLabPlan } from './plan.js';
