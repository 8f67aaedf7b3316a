#!/usr/bin/env bash
# The infrastructure's offline checks, part of `make check`: each part's own script, run in turn —
# the AWS CDK app synthesized and linted (deploy/cdk/check.sh), every Kubernetes overlay built and
# validated (k8s/check.sh), the CI workflows and Dockerfiles linted (.github/check.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for part in deploy/cdk/check.sh k8s/check.sh .github/check.sh; do
  [ -f "$part" ] || continue
  echo "check_infra: $part" >&2
  bash "$part" || status=1
done
exit "$status"
