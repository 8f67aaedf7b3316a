#!/usr/bin/env bash
# The Kubernetes manifests' offline checks (part of `make check`, through tools/check_infra.sh): every
# overlay, and the cluster-wide k8s/cluster, is built with kustomize and its build
#   - has its custom resources (cert-manager, KEDA, Karpenter) match k8s/schemas/ (custom_resources.py),
#   - passes kubernetes-validate --strict against Kubernetes 1.30 (EKS) for everything else,
#   - passes checkov (framework kubernetes) with no failed check; a waiver is only an inline
#     `checkov.io/skipN: CKV_K8S_<id>=<reason>` annotation on the resource.
# The builds are left in .build/k8s/<name>.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
KUBERNETES_VERSION=1.30.0
out=.build/k8s
mkdir -p "$out"

python=.venv/bin/python
[ -x "$python" ] || { echo "k8s/check.sh: no .venv (run tools/bootstrap.sh --test)" >&2; exit 1; }
"$python" -m kubernetes_validate --version >/dev/null 2>&1 \
  || { echo "k8s/check.sh: kubernetes-validate missing from .venv (tools/bootstrap.sh --test installs requirements-infra.txt)" >&2; exit 1; }
# checkov lives in .venv-infra (requirements-checkov.txt says why), made by tools/bootstrap.sh --test.
checkov=.venv-infra/bin/checkov
[ -x "$checkov" ] || { echo "k8s/check.sh: no $checkov (run tools/bootstrap.sh --test)" >&2; exit 1; }

status=0
for dir in k8s/overlays/*/ k8s/cluster/; do
  name=$(basename "$dir")
  built=$out/$name.yaml
  if ! kubectl kustomize "$dir" >"$built"; then
    echo "k8s/check.sh: $name: kustomize build failed" >&2; status=1; continue
  fi
  "$python" k8s/custom_resources.py "$built" "$out/$name.core.yaml" || status=1
  if grep -q '^kind:' "$out/$name.core.yaml"; then
    if ! "$python" -m kubernetes_validate -k "$KUBERNETES_VERSION" --strict --quiet "$out/$name.core.yaml"; then
      echo "k8s/check.sh: $name: kubernetes-validate failed" >&2; status=1
    else
      echo "$name: kubernetes-validate --strict ($KUBERNETES_VERSION): $(grep -c '^kind:' "$out/$name.core.yaml") resources passed"
    fi
  fi
  # --skip-download: offline (no Prisma Cloud guidelines); the checks themselves ship with checkov.
  "$checkov" -f "$built" --framework kubernetes --skip-download -o json 2>"$out/$name.checkov.log" \
    | "$python" k8s/checkov_summary.py "$name" || { echo "k8s/check.sh: $name: checkov failed" >&2; status=1; }
done
exit "$status"
