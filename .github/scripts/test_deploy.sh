#!/usr/bin/env bash
# deploy.sh against stand-ins for kubectl, kustomize and docker (part of .github/check.sh): the pins it
# asks for, and that a failed rollout undoes exactly the Deployments the apply changed, each to its
# revision before the apply.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
export FAKE="$work" RUNNER_TEMP="$work/runner" PATH="$work/bin:$PATH"

# kubectl: Deployments "namespace name revision" in $FAKE/cluster; apply bumps those in $FAKE/changes;
# rollout status fails for the names in $FAKE/failing.
cat >"$work/bin/kubectl" <<'FAKE'
#!/usr/bin/env bash
echo "kubectl $*" >>"$FAKE/log"
case "$1 $2" in
  "get -k") cat "$FAKE/cluster" 2>/dev/null || true ;;
  "apply -k")
    touch "$FAKE/cluster"
    while read -r ns name; do
      revision=$(awk -v n="$name" '$2 == n {print $3}' "$FAKE/cluster")
      grep -v " $name " "$FAKE/cluster" >"$FAKE/cluster.new" || true
      echo "$ns $name $((${revision:-0} + 1))" >>"$FAKE/cluster.new"
      mv "$FAKE/cluster.new" "$FAKE/cluster"
    done <"$FAKE/changes" ;;
  "rollout status") ! grep -qx "${3#deployment/}" "$FAKE/failing" 2>/dev/null ;;
  "rollout undo") ;;
  *) echo "fake kubectl: unexpected $*" >&2; exit 2 ;;
esac
FAKE
cat >"$work/bin/kustomize" <<'FAKE'
#!/usr/bin/env bash
echo "kustomize $*" >>"$FAKE/log"
FAKE
printf '#!/usr/bin/env bash\necho sha256:%s\n' "$(printf 'c%.0s' {1..64})" >"$work/bin/docker"
chmod +x "$work/bin/"*

fail() { echo ".github/scripts/test_deploy.sh: $*" >&2; cat "$work/log" >&2; exit 1; }
a=sha256:$(printf 'a%.0s' {1..64})
b=sha256:$(printf 'b%.0s' {1..64})

# Pins: both images by digest, amazon/aws-cli by the digest its tag names; a tag is refused.
.github/scripts/deploy.sh pin staging 1.dkr.ecr.eu-west-1.amazonaws.com "$a" "$b"
grep -q "kustomize edit set image filmstudio/services=1.dkr.ecr.eu-west-1.amazonaws.com/filmstudio/services@$a filmstudio/triton=1.dkr.ecr.eu-west-1.amazonaws.com/filmstudio/triton@$b" "$work/log" \
  || fail "services and triton not pinned by digest"
if grep -q 'image: *amazon/aws-cli:' k8s/base/*.yaml; then
  grep -q "kustomize edit set image amazon/aws-cli=amazon/aws-cli@sha256:c" "$work/log" || fail "amazon/aws-cli not pinned"
fi
if .github/scripts/deploy.sh pin staging r "v1.2" "$b" 2>/dev/null; then fail "a tag was taken for a digest"; fi

# A release that changes three Deployments, one of whose rollouts fails: those three are undone, each to
# its own revision before, and the unchanged gateway is not touched.
printf '%s\n' "ns orchestrator 3" "ns composer 2" "ns gateway 5" "ns triton 7" >"$work/cluster"
printf '%s\n' "ns orchestrator" "ns composer" "ns triton" >"$work/changes"
echo composer >"$work/failing"
: >"$work/log"
if .github/scripts/deploy.sh apply staging 2>/dev/null; then fail "a failed rollout passed"; fi
rm "$work/failing"
.github/scripts/deploy.sh undo staging 2>/dev/null
undone=$(grep 'rollout undo' "$work/log" | sort)
expected=$(printf '%s\n' \
  "kubectl rollout undo deployment/composer -n ns --to-revision=2" \
  "kubectl rollout undo deployment/orchestrator -n ns --to-revision=3" \
  "kubectl rollout undo deployment/triton -n ns --to-revision=7")
[ "$undone" = "$expected" ] || fail "undid: $undone"

# A first deploy has nothing to go back to: undo leaves the new Deployments as they are.
rm -f "$work/cluster" "$RUNNER_TEMP/filmstudio-deploy/"*
printf '%s\n' "ns orchestrator" >"$work/changes"
echo orchestrator >"$work/failing"
: >"$work/log"
if .github/scripts/deploy.sh apply development 2>/dev/null; then fail "a failed rollout passed"; fi
.github/scripts/deploy.sh undo development 2>/dev/null
if grep -q 'rollout undo' "$work/log"; then fail "undid a Deployment new in this release"; fi
echo ".github/scripts/test_deploy.sh: pin, apply and undo behave" >&2
