#!/bin/sh
# The update:template job of .gitlab-ci.yml: brings this repository to the
# newest create-mlops-project template with `mlops-project update` (a
# three-way merge that keeps your changes), on a branch
# mlops-project/update-<version>, and opens a merge request for it through
# the GitLab API, or refreshes the one that is open already.
# docs/pipeline.md ("update:template") says how to switch it on.
#
# It needs MLOPS_UPDATE_TOKEN, a project access token (Settings > Access
# tokens) with the Developer role and the api scope: it pushes the branch
# (git over HTTPS) and opens the merge request (the API), which the job's own
# CI_JOB_TOKEN may not. The token reaches git in an http.<url>.extraHeader
# given through GIT_CONFIG_* environment variables, and curl in a header file
# only this job can read: never on a command line, in a URL, in .git/config
# or in the log. The npm package run below never sees it.
#
# Exit 0: up to date, or the merge request opened or refreshed. Exit 1: the
# update conflicts with your changes (the files and the commands to resolve
# them on your machine are printed; nothing is pushed), or GitLab refused
# (its reason is printed).
set -eu

say() { printf 'update:template: %s\n' "$*"; }
fail() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

for name in CI_API_V4_URL CI_PROJECT_ID CI_PROJECT_URL CI_DEFAULT_BRANCH; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set: this script runs in a GitLab CI/CD job (update:template)."
done
token=${MLOPS_UPDATE_TOKEN:-}
[ -n "$token" ] || fail "CI/CD variable MLOPS_UPDATE_TOKEN is not set: a project access token (Settings > Access tokens, role Developer, scope api), masked and protected (it then reaches only protected branches: protect $CI_DEFAULT_BRANCH); \`mlops-project gitlab-variables --update-token\` sets it. See docs/ci-variables.md."
# Only this shell keeps it: mlops-project (a package from npm) and git run without it.
unset MLOPS_UPDATE_TOKEN

package=${MLOPS_PROJECT_PACKAGE:-create-mlops-project@latest}
default_branch=$CI_DEFAULT_BRANCH
repo_url="$CI_PROJECT_URL.git"
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID"
# Who makes the update's commits; the job recognises its own branch by it.
export GIT_AUTHOR_NAME='mlops-project update' GIT_COMMITTER_NAME='mlops-project update'
export GIT_AUTHOR_EMAIL=mlops-project-update@users.noreply.invalid GIT_COMMITTER_EMAIL=mlops-project-update@users.noreply.invalid
export NO_COLOR=1 GIT_TERMINAL_PROMPT=0

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'PRIVATE-TOKEN: %s\n' "$token" > "$work/header"
basic=$(printf 'mlops-project-update:%s' "$token" | base64 | tr -d '\n')
token=
umask 022

# git with the token, for this project's URL only (any user name goes with a
# project access token). No credential helper is asked, so none stores it.
git_auth() (
  n=${GIT_CONFIG_COUNT:-0}
  export "GIT_CONFIG_KEY_$n=http.$repo_url.extraHeader" "GIT_CONFIG_VALUE_$n=Authorization: Basic $basic"
  n=$((n + 1))
  export "GIT_CONFIG_KEY_$n=credential.helper" "GIT_CONFIG_VALUE_$n="
  export GIT_CONFIG_COUNT=$((n + 1))
  git "$@"
)

# One GitLab API call: `api_call METHOD PATH [curl options]` sets $status
# (000: no answer; curl says why) and leaves GitLab's answer, its reason on a
# refusal included, in $work/answer. The status decides, not curl's exit
# code (a 409 is an answer the job handles), and `|| true` keeps a failing
# curl from ending the script before the line that explains it.
api_call() {
  method=$1 path=$2
  shift 2
  status=$(curl -sS --retry 3 -o "$work/answer" -w '%{http_code}' -X "$method" -H @"$work/header" "$@" "$api$path") || true
}
gitlab_says() { head -c 300 "$work/answer" 2>/dev/null | tr '\n' ' '; }
# The first "iid" of the answer: the merge request's own (GitLab lists it second, after "id").
iid_of_answer() { grep -o '"iid":[0-9]*' "$work/answer" | head -n 1 | cut -d : -f 2; }
refused() {
  case $status in
    401 | 403) fail "GitLab refused MLOPS_UPDATE_TOKEN ($status to $1: $(gitlab_says)): it must be an unexpired project access token of this project with the api scope and at least the Developer role; see docs/ci-variables.md." ;;
    000) fail "no answer from $CI_API_V4_URL to $1 (curl's reason is above)." ;;
    *) fail "GitLab answered $status to $1: $(gitlab_says)" ;;
  esac
}

# The default branch as GitLab has it now, with all its history: update
# starts from the commit that made this repository (a shallow clone lacks it).
if git rev-parse -q --verify MERGE_HEAD > /dev/null; then git merge --abort; fi
unshallow=
if [ "$(git rev-parse --is-shallow-repository)" = true ]; then unshallow=--unshallow; fi
git_auth fetch --quiet $unshallow "$repo_url" "refs/heads/$default_branch" ||
  fail "could not fetch $default_branch from $repo_url (git's reason is above): MLOPS_UPDATE_TOKEN must be an unexpired token of this project with the api scope; see docs/ci-variables.md."
git checkout --quiet --force -B "$default_branch" FETCH_HEAD
# A runner that reuses its checkout may keep the branches of an earlier run.
git for-each-ref --format='%(refname:short)' 'refs/heads/mlops-project/update-*' | while read -r old; do git branch --quiet -D "$old"; done

mlops_project() { npx --yes -p "$package" mlops-project "$@"; }

result=0
mlops_project update --check > "$work/check" 2>&1 || result=$?
cat "$work/check"
case $result in
  0)
    say "$default_branch is up to date with $package: nothing to do."
    exit 0
    ;;
  1) ;;
  *) fail "mlops-project update --check could not run (exit $result; its reason is above)." ;;
esac

result=0
mlops_project update > "$work/update" 2>&1 || result=$?
cat "$work/update"
branch=$(git symbolic-ref --quiet --short HEAD || true)
if [ "$result" = 1 ]; then
  conflicts=$(git -c core.quotePath=false diff --name-only --diff-filter=U)
  {
    echo "ERROR: the update conflicts with changes of this repository, where both changed the same lines:"
    printf '%s\n' "$conflicts" | sed 's/^/  /'
    echo "Nothing was pushed. Resolve them on your machine:"
    echo "  git switch $default_branch && git pull"
    echo "  npx --yes -p $package mlops-project update"
    echo "  (edit the files above: keep what you want between the <<<<<<< and >>>>>>> markers)"
    echo "  git add <the files> && git commit"
    echo "  git push -u origin $branch   (then open a merge request; merge it with a merge commit)"
  } >&2
  exit 1
fi
[ "$result" = 0 ] || fail "mlops-project update could not start (exit $result; its reason is above)."
case $branch in
  mlops-project/update-*) ;;
  *)
    say "$default_branch is up to date with $package: nothing to do."
    exit 0
    ;;
esac
title=$(git log -1 --format=%s HEAD)

# The branch on GitLab: absent, made by an earlier run (replaced, or left
# alone when it holds this very update), or with commits of someone else
# (never overwritten).
remote=$(git_auth ls-remote "$repo_url" "refs/heads/$branch") ||
  fail "could not read the branches of $repo_url (git's reason is above)."
lease="refs/heads/$branch:"
push=true
open=false
if [ -n "$remote" ]; then
  git_auth fetch --quiet "$repo_url" "refs/heads/$branch" || fail "could not fetch $branch from $repo_url (git's reason is above)."
  lease="refs/heads/$branch:$(git rev-parse FETCH_HEAD)"
  if [ "$(git log -1 --format=%ce FETCH_HEAD)" != "$GIT_COMMITTER_EMAIL" ]; then
    say "NOTE: $branch on GitLab has commits this job did not make (the last by $(git log -1 --format=%cn FETCH_HEAD)): it is left as it is, and so is its merge request. Merge it, or delete the branch to have the next run make the update again."
    exit 0
  fi
  # Its merge requests: one open is refreshed; one closed without merging means "not this one".
  api_call GET /merge_requests -G --data-urlencode state=all --data-urlencode "source_branch=$branch" --data-urlencode "target_branch=$default_branch"
  [ "$status" = 200 ] || refused "GET /merge_requests?source_branch=$branch"
  if grep -q '"state":"opened"' "$work/answer"; then
    open=true
  elif grep -q '"state":"closed"' "$work/answer"; then
    say "the merge request of $branch was closed without merging: it is not opened again. Delete the branch $branch to have the next run open one."
    exit 0
  fi
  if [ "$(git rev-parse 'FETCH_HEAD^{tree}')" = "$(git rev-parse 'HEAD^{tree}')" ] && [ "$(git rev-parse 'FETCH_HEAD^1')" = "$(git rev-parse 'HEAD^1')" ]; then
    push=false
    say "$branch on GitLab holds this update already: nothing to push."
  fi
fi

fence='```'
{
  echo "This merge request brings the repository to the newest template of create-mlops-project ($package), by a three-way merge that keeps your changes: \`mlops-project update\`, run by the scheduled job update:template${CI_JOB_URL:+ ($CI_JOB_URL)}."
  echo
  echo "$fence text"
  sed '/^Review it (git diff /d' "$work/update"
  echo "$fence"
  echo
  echo "Review it and let its pipeline pass. Merge it with a merge commit, not squashed or rebased: its second parent, the commit \"mlops-project render\", is where the next update starts from. While it is open, each run of the job brings it up to date with $default_branch."
} > "$work/description"

if [ "$push" = true ]; then
  git_auth push --quiet --force-with-lease="$lease" "$repo_url" "HEAD:refs/heads/$branch" ||
    fail "git push of $branch to $repo_url failed (git's reason is above): the token needs the Developer role, and $branch must not be a protected branch."
  say "pushed $branch ($(git rev-parse --short HEAD))."
fi

# The open merge request of the branch gets this run's title and description.
refresh() {
  api_call GET /merge_requests -G --data-urlencode state=opened --data-urlencode "source_branch=$branch" --data-urlencode "target_branch=$default_branch"
  [ "$status" = 200 ] || refused "GET /merge_requests?source_branch=$branch"
  iid=$(iid_of_answer)
  [ -n "$iid" ] || fail "GitLab lists no open merge request of $branch into $default_branch, though it said one exists: run the job again."
  api_call PUT "/merge_requests/$iid" --data-urlencode "title=$title" --data-urlencode "description@$work/description"
  [ "$status" = 200 ] || refused "PUT /merge_requests/$iid"
  say "refreshed merge request !$iid: $CI_PROJECT_URL/-/merge_requests/$iid"
}

if [ "$open" = true ]; then
  refresh
  exit 0
fi
api_call POST /merge_requests --data-urlencode "source_branch=$branch" --data-urlencode "target_branch=$default_branch" \
  --data-urlencode "title=$title" --data-urlencode "description@$work/description" --data remove_source_branch=true --data squash=false
case $status in
  201) say "opened merge request !$(iid_of_answer): $CI_PROJECT_URL/-/merge_requests/$(iid_of_answer)" ;;
  # "Another open merge request already exists for this source branch: !N" (one
  # this run did not see: the branch had been deleted, or another run was faster).
  409) refresh ;;
  *) refused "POST /merge_requests" ;;
esac
