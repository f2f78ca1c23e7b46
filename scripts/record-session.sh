#!/usr/bin/env bash
# record-session.sh: record an interactive run of create-mlops-project, as
# text, for the docs site (docs/session.md).
#
#   npm run build && scripts/record-session.sh [OUT]      (OUT: default docs/session.md)
#
# The generator runs in a real pseudo-terminal: a tmux pane of a private tmux
# server (its own socket, -L, killed at the end). The script answers each
# prompt by typing (text, Enter, arrow keys on the choice prompts) and
# captures the screen (tmux capture-pane) after each step, once the screen has
# settled. Deterministic: fixed 100x40 terminal, NO_COLOR, C.UTF-8, no user
# tmux config, a fixed git identity, an empty temp directory (removed at the
# end). Wrapped lines are joined (capture-pane -J) so the page reads well.
# test/docs/docs.test.ts records again into a temp file and fails when
# docs/session.md differs: re-run this script after changing a prompt.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/session.md}
bin="$root/bin/create-mlops-project.js"
[ -f "$root/dist/create.js" ] || { echo "error: $root/dist/create.js is missing: run npm run build first" >&2; exit 1; }
command -v tmux > /dev/null || { echo "error: tmux is not installed (apt-get install tmux)" >&2; exit 1; }

socket="cmp-record-$$"
work=$(mktemp -d "${TMPDIR:-/tmp}/cmp-record-XXXXXX")
tmux_() { tmux -L "$socket" -f /dev/null "$@"; }
socket_path=''
cleanup() {
  tmux_ kill-server 2> /dev/null || true
  # tmux leaves its socket file behind.
  if [ -n "$socket_path" ]; then rm -f "$socket_path"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The pane runs this: the generator with a clean, fixed environment, then
# writes its exit code and stays open so that the last screen can be captured.
cat > "$work/run.sh" << EOF
#!/bin/sh
cd "$work/home"
env -i PATH="$PATH" HOME="$work/home" TERM=screen LANG=C.UTF-8 NO_COLOR=1 \\
  GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com \\
  GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.com \\
  GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \\
  GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \\
  "$(command -v node)" "$bin"
echo \$? > "$work/rc"
exec sleep 600
EOF
chmod +x "$work/run.sh"
mkdir "$work/home"

screen() { tmux_ capture-pane -p -J -t rec | sed 's/[[:space:]]*$//' | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}'; }

# Wait until the screen shows $1 (a fixed string) and then stops changing.
settle() {
  local want=$1 tries=0 previous='' current
  until screen | grep -qF -- "$want"; do
    tries=$((tries + 1))
    if [ "$tries" -gt 200 ]; then
      echo "error: the screen never showed: $want" >&2
      screen >&2
      exit 1
    fi
    sleep 0.05
  done
  current=$(screen)
  while [ "$current" != "$previous" ]; do
    previous=$current
    sleep 0.2
    current=$(screen)
  done
}

md() { printf '%s\n' "$@" >> "$work/session.md"; }
# Run from this checkout, the generator names its own bin (node $root/bin/mlops-project.js)
# where a user of the npm package sees npx at this version: the page shows the latter, the
# same on every machine (re-record after a version bump).
version=$(node -p "require('$root/package.json').version")
as_from_npm() { sed "s|node $root/bin/mlops-project.js|npx -p create-mlops-project@$version mlops-project|g"; }
shot() { md '```text' "$(screen | as_from_npm)" '```' ''; }

# step TITLE WAIT_FOR KEY... : send the keys (text is typed literally; Enter,
# Up, Down, BSpace... are keys), wait for WAIT_FOR, then capture.
step_n=0
step() {
  local title=$1 want=$2
  shift 2
  local key
  for key in "$@"; do
    case $key in
      Enter | Up | Down | BSpace | C-c) tmux_ send-keys -t rec "$key" ;;
      *) tmux_ send-keys -t rec -l -- "$key" ;;
    esac
    sleep 0.05
  done
  settle "$want"
  step_n=$((step_n + 1))
  md "### $step_n. $title" ''
  shot
}

: > "$work/session.md"
md '# A recorded session' '' \
  '<!-- Written by scripts/record-session.sh: do not edit by hand; run it again after changing a prompt. -->' '' \
  'What `npm create mlops-project@latest` (here: `create-mlops-project` with no' \
  'arguments) shows on a terminal, step by step. Recorded from a real' \
  'pseudo-terminal (a tmux pane, 100 columns, no colours); each block is the' \
  'whole screen after the keys named in its title. `?` marks the question' \
  'being asked, with its default in parentheses (Enter takes it), `✔` an' \
  'answer given, `❯` the highlighted choice of a choice prompt (arrow keys move' \
  'it), and `>` a problem with what was typed. The last question offers to set' \
  'the registry credential in GitLab now (see' \
  '[GitLab CI/CD variables](gitlab-variables.md)); here: later. Then every' \
  'answer is listed for review: Enter creates the repo, or pick one to change' \
  'it (here: the description, left empty at first). The same answers as flags:' '' \
  '```sh' \
  "npm create mlops-project@latest -- --project-name 'Churn Model' --repo-name churn-model \\" \
  "  --package-name churn_model --description 'Predicts which customers leave.' \\" \
  "  --author 'Ada Lovelace' --platform gcp --gcp-auth workload-identity \\" \
  '  --registry asia-southeast1-docker.pkg.dev/acme-ml/images/churn-model \' \
  '  --runner-tag gcp --python 3.11 --builder buildah' \
  '```' '' \
  'See [Getting started](getting-started.md) for what comes next, and' \
  '[Flags](reference/flags.md) for each answer.' ''

tmux_ new-session -d -s rec -x 100 -y 40 "$work/run.sh"
socket_path=$(tmux_ display-message -p -t rec '#{socket_path}')

step 'Start: the first question, with its default' '? Project name (My Project)'
step 'Type `Churn Model`, Enter' '? Repository name (slug) (churn-model)' 'Churn Model' Enter
step 'Type `churn_model` (not a valid slug), Enter: the problem is shown, nothing is taken' '> repo name must' 'churn_model' Enter
# Erase what was typed: the default comes back.
step 'Erase it (Backspace 11 times)' '? Repository name (slug) (churn-model)' \
  BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
step 'Enter: take the default `churn-model`' '? Python package name (churn_model)' Enter
step 'Enter: take the default `churn_model`' '? One-line description' Enter
step 'Enter: no description for now (it is given in the review, below)' '? Author' Enter
step 'Type `Ada Lovelace`, Enter: a choice prompt' '? Where do images go?' 'Ada Lovelace' Enter
step 'Down arrow' '❯ GCP Artifact Registry' Down
step 'Enter: pick GCP; gcp asks how the jobs log in' '❯ Service account key (key)' Enter
step 'Down arrow' '❯ Workload identity federation' Down
step 'Enter: pick workload identity (no key)' '? Image repository prefix' Enter
step 'Type the Artifact Registry path, Enter' '? GitLab runner tag (gcp)' 'asia-southeast1-docker.pkg.dev/acme-ml/images/churn-model' Enter
step 'Enter: take the default runner tag `gcp`' '? Python version' Enter
step 'Up arrow' '❯ 3.11' Up
step 'Enter: pick 3.11' '? Image builder in CI' Enter
step 'Down arrow' '❯ buildah' Down
step 'Enter: pick buildah; last, the GitLab step is offered' '❯ Later' Enter
step 'Enter: later; then every answer, for review' '❯ Create the repo' Enter
step 'Down arrow 4 times: the description' '❯ One-line description' Down Down Down Down
step 'Enter: it is asked again' '? One-line description' Enter
step 'Type the description, Enter: back to the review, with the new answer' '❯ Create the repo' 'Predicts which customers leave.' Enter

# The last Enter: the repo is written and committed; wait for the exit code.
tmux_ send-keys -t rec Enter
tries=0
until [ -s "$work/rc" ]; do
  tries=$((tries + 1))
  [ "$tries" -le 600 ] || { echo "error: the generator did not exit" >&2; screen >&2; exit 1; }
  sleep 0.05
done
settle 'Next steps:'
rc=$(cat "$work/rc")
[ "$rc" = 0 ] || { echo "error: the generator exited $rc" >&2; screen >&2; exit 1; }
step_n=$((step_n + 1))
md "### $step_n. Enter: create the repo; it is written, with its first commit" ''
shot
md "The generator exited with code $rc and left \`churn-model/\` with $(cd "$work/home/churn-model" && git ls-files | wc -l | tr -d ' ') files" \
  "committed on \`main\`. Ctrl-C at any prompt exits with code 130 and writes nothing;" \
  "it prints the answers given so far as one command line, to start again without typing them."

mkdir -p "$(dirname "$out")"
cp "$work/session.md" "$out"
echo "wrote $out"
