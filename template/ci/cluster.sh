#!/bin/sh
# The cluster jobs of .gitlab-ci.yml (train:cluster, deploy:staging,
# deploy:production): k8s/ applied to a Kubernetes cluster with the images
# this pipeline pushed, pinned by digest. docs/kubernetes.md ("From the
# pipeline") says how to switch them on.
#
#   sh ci/cluster.sh deploy OVERLAY       the service: the objects of
#                                         k8s/overlays/OVERLAY labelled
#                                         app.kubernetes.io/component=environment,
#                                         then waits until each Deployment is ready
#   sh ci/cluster.sh run OVERLAY JOB...   the storage and identity first, then each
#                                         Job labelled app.kubernetes.io/name=JOB,
#                                         one after the other, each waited for
#
# Exit 0: done (the Jobs completed, the service is ready). Exit 1: one line
# says why (a Job failed, with its reason and logs; a rollout did not finish;
# an image this pipeline did not build; no such context).
#
# Reads:
#   KUBE_CONTEXT    the context: the GitLab agent's (path/to/agent-project:agent-name,
#                   in the kubeconfig GitLab gives every job of a project the
#                   agent is shared with), or one in your kubeconfig File variable
#   KUBECONFIG      that kubeconfig (never printed)
#   IMAGE_REGISTRY  the images are $IMAGE_REGISTRY/<name>@<digest>
#   image-digests/<name>   the digest each image job of this pipeline pushed
#                   (its artifact); cpu and gpu are the images k8s/ names
#   CLUSTER_WAIT    seconds to wait for one Job (default 20700, 5 h 45 min:
#                   train:cluster's timeout is 6 h) or a rollout (default 600)
#   CLUSTER_POLL    seconds between two looks at a Job (default 10)
#   CLUSTER_PULL_WAIT  seconds a pod may fail to pull its image before the
#                   run stops (default 300)
# POSIX sh: the kubectl image runs busybox sh.
set -eu

say() { printf 'cluster: %s\n' "$*"; }
fail() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

# Lines as one list: "a, b, c".
list() { tr '\n' ' ' | sed 's/  */ /g; s/^ //; s/ $//; s/ /, /g'; }

usage="usage: sh ci/cluster.sh deploy OVERLAY | sh ci/cluster.sh run OVERLAY JOB..."
[ $# -ge 2 ] || fail "$usage"
action=$1
overlay=$2
shift 2
case $action in
  deploy) [ $# -eq 0 ] || fail "$usage" ;;
  run) [ $# -ge 1 ] || fail "no Job to run: TRAIN_JOBS is empty (e.g. \"process-data train\"); $usage" ;;
  *) fail "$usage" ;;
esac
overlays=$(ls k8s/overlays 2>/dev/null | list)
case $overlay in
  '' | */* | .*) fail "overlay '$overlay': the name of a folder of k8s/overlays ($overlays)" ;;
esac
[ -f "k8s/overlays/$overlay/kustomization.yaml" ] || fail "k8s/overlays/$overlay/kustomization.yaml does not exist (the overlays: $overlays)"

for name in KUBE_CONTEXT IMAGE_REGISTRY; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set: this script runs in a cluster job of .gitlab-ci.yml (docs/kubernetes.md)."
done
[ -n "${KUBECONFIG:-}" ] || fail "no kubeconfig in this job (KUBECONFIG is not set): share the GitLab agent with this project (ci_access in the agent's config.yaml), or add a CI/CD variable KUBECONFIG of type File; see docs/kubernetes.md."
contexts=$(kubectl config get-contexts -o name) || fail "kubectl cannot read the kubeconfig in KUBECONFIG (its reason is above)."
if ! printf '%s\n' "$contexts" | grep -Fxq -- "$KUBE_CONTEXT"; then
  fail "KUBE_CONTEXT '$KUBE_CONTEXT' is not a context of this job's kubeconfig (it has: $(printf '%s\n' "$contexts" | list)); an agent's context is path/to/agent-project:agent-name, and the agent's ci_access must list this project; see docs/kubernetes.md."
fi
kc() { kubectl --context "$KUBE_CONTEXT" "$@"; }

wait_default=20700
[ "$action" = deploy ] && wait_default=600
wait_seconds=${CLUSTER_WAIT:-$wait_default}
poll=${CLUSTER_POLL:-10}
pull_wait=${CLUSTER_PULL_WAIT:-300}
for value in "$wait_seconds" "$poll" "$pull_wait"; do
  case $value in
    '' | *[!0-9]*) fail "CLUSTER_WAIT, CLUSTER_POLL and CLUSTER_PULL_WAIT are whole seconds (got '$value')" ;;
  esac
done

# A kustomization of the overlay with this pipeline's images: each image by
# its short name (cpu, gpu) and by its registry name (a pin already in the
# overlay), both pinned to the digest this pipeline pushed.
work=.cluster/$overlay
rm -rf "$work"
mkdir -p "$work"
built=
{
  echo "# Written by ci/cluster.sh: k8s/overlays/$overlay with the images of pipeline ${CI_PIPELINE_ID:-?}."
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  echo "  - ../../k8s/overlays/$overlay"
  echo "images:"
  for file in image-digests/*; do
    [ -f "$file" ] || continue
    image=${file#image-digests/}
    digest=$(tr -d ' \r\n' < "$file")
    printf '%s\n' "$digest" | grep -Eq '^sha256:[0-9a-f]{64}$' || fail "$file does not hold an image digest (sha256:<64 hex digits>): '$digest'"
    for name in "$image" "$IMAGE_REGISTRY/$image"; do
      printf '  - name: %s\n    newName: %s\n    digest: %s\n' "$name" "$IMAGE_REGISTRY/$image" "$digest"
    done
    built="$built $IMAGE_REGISTRY/$image@$digest"
  done
} > "$work/kustomization.yaml"
[ -n "$built" ] || built=" none"

kc kustomize "$work" > "$work/objects.yaml" || fail "kubectl kustomize k8s/overlays/$overlay failed (its reason is above)."
# One line per object (kind, app.kubernetes.io/name, component, namespace)
# and per container image, from kustomize's output (one object per
# document, its labels and namespace under metadata).
awk '
  function flush() { if (kind != "") print "object", kind, (name == "" ? "-" : name), (component == "" ? "-" : component), (ns == "" ? "-" : ns) }
  /^---/ { flush(); kind = name = component = ns = ""; meta = 0; next }
  /^kind: / { kind = $2 }
  /^metadata:/ { meta = 1; next }
  /^[^ ]/ { meta = 0 }
  meta && /^  namespace: / { ns = $2 }
  meta && /^    app.kubernetes.io\/name: / && name == "" { name = $2 }
  meta && /^    app.kubernetes.io\/component: / && component == "" { component = $2 }
  /^[ -]*image: / { sub(/^[ -]*image: /, ""); print "image", (name == "" ? "-" : name), $0 }
  END { flush() }
' "$work/objects.yaml" > "$work/objects.txt"
awk '$1 == "object"' "$work/objects.txt" > "$work/list.txt"

# The objects of a selection: "component VALUE" or "name VALUE".
select_objects() {
  case $1 in
    component) awk -v v="$2" '$4 == v' "$work/list.txt" ;;
    name) awk -v v="$2" '$3 == v' "$work/list.txt" ;;
  esac
}

# Every image of the objects named $1... must be one this pipeline pushed.
check_images() {
  refs=
  for object in "$@"; do
    refs="$refs $(awk -v n="$object" '$1 == "image" && $2 == n { printf "%s=%s ", n, $3 }' "$work/objects.txt")"
  done
  for pair in $refs; do
    object=${pair%%=*}
    ref=${pair#*=}
    case " $built " in
      *" $ref "*) ;;
      *)
        case $ref in
          cpu | gpu) fail "$object runs the $ref image, which this pipeline did not build (build:$ref-image did not run or pushed nothing), so there is no digest to run: run the default branch's pipeline, or a pipeline with TRAIN_ON_CLUSTER=true." ;;
          *) fail "$object runs $ref, not an image this pipeline pushed ($built ): remove that pin from k8s/overlays/$overlay/kustomization.yaml (the pipeline pins cpu and gpu itself)." ;;
        esac ;;
    esac
  done
}

namespace_of() { awk -v n="$1" '$3 == n { print $5; exit }' "$work/list.txt"; }

# Prints the pods of a Job when what they show changes; fails on an image
# that cannot be pulled for longer than CLUSTER_PULL_WAIT.
last_pods=
pull_since=
show_pods() {
  pods=$(kc get pods -n "$2" -l "job-name=$1" -o 'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.containerStatuses[*].state.waiting.reason} {.status.conditions[?(@.type=="PodScheduled")].message}{"\n"}{end}') || return 0
  if [ "$pods" != "$last_pods" ]; then
    printf '%s\n' "$pods" | sed '/^$/d; s/^/cluster:   pod /'
    last_pods=$pods
  fi
  case $pods in
    *ErrImagePull* | *ImagePullBackOff* | *InvalidImageName*)
      now=$(date +%s)
      [ -n "$pull_since" ] || pull_since=$now
      if [ $((now - pull_since)) -ge "$pull_wait" ]; then
        kc get events -n "$2" --field-selector reason=Failed -o 'jsonpath={range .items[*]}{.message}{"\n"}{end}' 2>/dev/null | tail -n 3 | sed 's/^/cluster:   event /' || true
        fail "the cluster cannot pull the image of Job $1 in $2 (for ${pull_wait}s): the nodes need the registry-pull secret, or their own access to $IMAGE_REGISTRY; see docs/kubernetes.md#pull-secret."
      fi ;;
    *) pull_since= ;;
  esac
}

show_logs() {
  echo "--- logs of $1 in $2 (last 200 lines) ---"
  kc logs "$1" -n "$2" --all-containers --tail=200 || echo "(no logs: the pod did not start)"
  echo "--- end of logs ---"
}

# Waits for Job $1 in namespace $2 to complete; fails with its reason and logs.
wait_job() {
  start=$(date +%s)
  last_pods=
  pull_since=
  while :; do
    state=$(kc get job "$1" -n "$2" -o 'jsonpath={.status.conditions[?(@.status=="True")].type}') || fail "could not read Job $1 in $2 (kubectl's reason is above)."
    case " $state " in
      *" Complete "*)
        show_logs "job/$1" "$2"
        say "Job $1 completed in $2 ($(($(date +%s) - start)) s)"
        return 0 ;;
      *" Failed "*)
        why=$(kc get job "$1" -n "$2" -o 'jsonpath={.status.conditions[?(@.type=="Failed")].reason}: {.status.conditions[?(@.type=="Failed")].message}') || why=unknown
        show_logs "job/$1" "$2"
        fail "Job $1 failed in $2 ($why); its logs are above. kubectl describe job/$1 -n $2 shows its events." ;;
    esac
    show_pods "$1" "$2"
    if [ $(($(date +%s) - start)) -ge "$wait_seconds" ]; then
      show_logs "job/$1" "$2"
      fail "Job $1 did not finish in ${wait_seconds}s (CLUSTER_WAIT); it still runs in $2: kubectl logs -f job/$1 -n $2, or kubectl delete job/$1 -n $2 to stop it."
    fi
    sleep "$poll"
  done
}

case $action in
  deploy)
    objects=$(select_objects component environment | awk '{ print $3 }' | sort -u)
    [ -n "$objects" ] || fail "k8s/overlays/$overlay has no object labelled app.kubernetes.io/component=environment"
    # shellcheck disable=SC2086
    check_images $objects
    ns=$(select_objects component environment | awk '{ print $5; exit }')
    say "deploying to namespace ${ns:-?} ($overlay) with$built"
    kc apply -k "$work" -l app.kubernetes.io/component=environment || fail "kubectl apply of k8s/overlays/$overlay failed (its reason is above)."
    for deployment in $(select_objects component environment | awk '$2 == "Deployment" { print $3 }'); do
      dns=$(namespace_of "$deployment")
      if ! kc rollout status "deployment/$deployment" -n "$dns" --timeout="${wait_seconds}s"; then
        kc get pods -n "$dns" -l "app.kubernetes.io/name=$deployment" || true
        show_logs "deployment/$deployment" "$dns"
        fail "deployment/$deployment in $dns did not become ready in ${wait_seconds}s (CLUSTER_WAIT); its pods and logs are above."
      fi
    done
    say "deployed to ${ns:-?} ($overlay)" ;;
  run)
    for job in "$@"; do
      case $job in
        '' | *[!a-z0-9-]*) fail "'$job' in TRAIN_JOBS is not a Job name (lowercase letters, digits, -)" ;;
      esac
      kind=$(select_objects name "$job" | awk '{ print $2; exit }')
      [ "$kind" = Job ] || fail "k8s/overlays/$overlay has no Job labelled app.kubernetes.io/name=$job (its Jobs: $(awk '$2 == "Job" { print $3 }' "$work/list.txt" | list))"
    done
    check_images "$@"
    # The storage and identity the Jobs use, not the service (deploy:* jobs roll that out).
    kc apply -k "$work" -l 'app.kubernetes.io/component=environment,app.kubernetes.io/name notin (serve)' || fail "kubectl apply of k8s/overlays/$overlay failed (its reason is above)."
    for job in "$@"; do
      ns=$(namespace_of "$job")
      # A Job's pod template cannot change: the one of an earlier run is
      # deleted first, unless it still runs (an earlier pipeline's).
      seen=$(kc get job "$job" -n "$ns" --ignore-not-found -o 'jsonpath={.metadata.name} {.status.conditions[?(@.status=="True")].type}') || fail "could not read Job $job in $ns (kubectl's reason is above)."
      case " $seen " in
        "  ") ;;
        *" Complete "* | *" Failed "*) kc delete job "$job" -n "$ns" --wait=true ;;
        *) fail "Job $job in $ns still runs (an earlier pipeline started it): wait for it (kubectl logs -f job/$job -n $ns) or stop it (kubectl delete job/$job -n $ns), then retry this job." ;;
      esac
      say "starting Job $job in $ns ($overlay) with$built"
      kc apply -k "$work" -l "app.kubernetes.io/name=$job" || fail "kubectl apply of Job $job failed (its reason is above)."
      wait_job "$job" "$ns"
    done ;;
esac
