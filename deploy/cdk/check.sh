#!/usr/bin/env bash
# The CDK app's offline checks (make check, via tools/check_infra.sh): every environment synthesized to a
# temporary cdk.out, then cfn-lint and checkov over the templates, both with no finding. A finding is
# accepted only by a checkov skip in the CDK code (deploy/cdk/suppressions.py), with its reason.
set -euo pipefail
cd "$(dirname "$0")/../.."
# jsii supports node 22 and 24; an older node still synthesizes, and its banner would bury the check's
# output (use node 22+ where you can).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p 'process.versions.node.split(".")[0]')"
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

.venv/bin/python -m deploy.cdk.app "$out/cdk.out" >/dev/null
templates=("$out"/cdk.out/*.template.json)
echo "deploy/cdk: synthesized ${#templates[@]} environments" >&2

.venv/bin/cfn-lint -- "${templates[@]}"
echo "deploy/cdk: cfn-lint clean" >&2

# checkov lives in .venv-infra (requirements-checkov.txt says why), made by tools/bootstrap.sh --test.
[ -x .venv-infra/bin/checkov ] || { echo "deploy/cdk: no .venv-infra/bin/checkov (run tools/bootstrap.sh --test)" >&2; exit 1; }
# Only the templates: the assets and manifests beside them are not CloudFormation.
mkdir "$out/templates"
cp "${templates[@]}" "$out/templates/"
.venv-infra/bin/checkov -d "$out/templates" --framework cloudformation --compact --quiet \
  --skip-download  # offline: no guidelines from Prisma Cloud
echo "deploy/cdk: checkov clean" >&2
