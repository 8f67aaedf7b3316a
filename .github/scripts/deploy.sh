#!/usr/bin/env bash
# One environment's deploy, in the steps .github/workflows/deploy-environment.yml runs (and an operator
# can run by hand with the same kubeconfig):
#   deploy.sh pin ENV REGISTRY SERVICES_DIGEST TRITON_DIGEST   pin both images by digest in the overlay
#   deploy.sh apply ENV                                         note each Deployment's revision, apply, wait
#   deploy.sh undo ENV                                          roll back what the last apply changed
# Digests, never tags: what was tested in one environment is byte for byte what the next one runs.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-15m}  # triton's first start syncs weights from S3 and loads them
STATE_DIR=${RUNNER_TEMP:-/tmp}/filmstudio-deploy

overlay() {
  local env=$1
  case "$env" in
    development | testing | staging | production) ;;
    *) echo "deploy: unknown environment '$env'" >&2; exit 2 ;;
  esac
  echo "k8s/overlays/$env"
}

# "namespace name revision" for each Deployment of the overlay that exists in the cluster now.
deployments() {
  kubectl get -k "$(overlay "$1")" --ignore-not-found \
    -o jsonpath='{range .items[?(@.kind=="Deployment")]}{.metadata.namespace} {.metadata.name} {.metadata.annotations.deployment\.kubernetes\.io/revision}{"\n"}{end}'
}

pin() {
  local env=$1 registry=$2 services=$3 triton=$4 digest
  for digest in "$services" "$triton"; do
    [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "deploy: '$digest' is not an image digest (sha256:...)" >&2; exit 2; }
  done
  (cd "$(overlay "$env")" && kustomize edit set image \
    "filmstudio/services=$registry/filmstudio/services@$services" \
    "filmstudio/triton=$registry/filmstudio/triton@$triton")
  echo "deploy: $env pinned to services@$services, triton@$triton" >&2
  # The other images the base names by tag (amazon/aws-cli, Triton's weight-sync init container): by
  # digest too, the one their tag names now.
  local ref name
  while read -r ref; do
    name=${ref%:*}
    digest=$(docker buildx imagetools inspect "$ref" --format '{{.Manifest.Digest}}')
    [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "deploy: no digest for $ref" >&2; exit 1; }
    (cd "$(overlay "$env")" && kustomize edit set image "$name=$name@$digest")
    echo "deploy: $env pinned $ref to $digest" >&2
  done < <(grep -ho 'image: *[^ ]*:[^ ]*' k8s/base/*.yaml | awk '{print $2}' | grep -v '^filmstudio/' | sort -u)
}

apply() {
  local env=$1 namespace name _
  mkdir -p "$STATE_DIR"
  # Before: the revision to go back to. A Deployment the apply does not change keeps its revision and
  # is left alone by undo (undoing it would step it back to an older release).
  deployments "$env" >"$STATE_DIR/$env.before"
  kubectl apply -k "$(overlay "$env")"
  deployments "$env" >"$STATE_DIR/$env.after"
  while read -r namespace name _; do
    kubectl rollout status "deployment/$name" -n "$namespace" --timeout="$ROLLOUT_TIMEOUT"
  done <"$STATE_DIR/$env.after"
}

undo() {
  local env=$1 namespace name revision before status=0
  [ -f "$STATE_DIR/$env.before" ] || { echo "deploy: nothing was applied to $env: nothing to undo" >&2; return 0; }
  # After the apply, as it is now (a failed apply may have changed some Deployments and not others).
  deployments "$env" >"$STATE_DIR/$env.after" || true
  while read -r namespace name revision; do
    before=$(awk -v ns="$namespace" -v n="$name" '$1 == ns && $2 == n {print $3}' "$STATE_DIR/$env.before")
    if [ -z "$before" ]; then
      echo "deploy: $namespace/$name is new in this release: no earlier revision, left as it is" >&2
    elif [ "$before" != "$revision" ]; then
      echo "deploy: rolling $namespace/$name back to revision $before" >&2
      kubectl rollout undo "deployment/$name" -n "$namespace" --to-revision="$before" || status=1
      kubectl rollout status "deployment/$name" -n "$namespace" --timeout="$ROLLOUT_TIMEOUT" || status=1
    fi
  done <"$STATE_DIR/$env.after"
  return "$status"
}

command=${1:-}
shift || true
case "$command" in
  pin) [ $# = 4 ] || { echo "usage: deploy.sh pin ENV REGISTRY SERVICES_DIGEST TRITON_DIGEST" >&2; exit 2; }; pin "$@" ;;
  apply) [ $# = 1 ] || { echo "usage: deploy.sh apply ENV" >&2; exit 2; }; apply "$@" ;;
  undo) [ $# = 1 ] || { echo "usage: deploy.sh undo ENV" >&2; exit 2; }; undo "$@" ;;
  *) echo "usage: deploy.sh pin|apply|undo ENV ..." >&2; exit 2 ;;
esac
