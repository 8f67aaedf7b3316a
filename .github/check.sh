#!/usr/bin/env bash
# The CI workflows and the Dockerfiles, linted offline (part of `make check`, via tools/check_infra.sh):
# actionlint on .github/workflows (with shellcheck on every `run:` script), shellcheck on the scripts
# the workflows call, hadolint on both images' Dockerfiles, each reporting nothing; and the deploy
# script's steps against stand-ins for kubectl, kustomize and docker (.github/scripts/test_deploy.sh).
# The linters come from requirements-infra.txt (tools/bootstrap.sh --test installs them into .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
PATH="$PWD/.venv/bin:$PATH"

for tool in actionlint shellcheck hadolint; do
  command -v "$tool" >/dev/null || { echo ".github/check.sh: $tool is not installed (tools/bootstrap.sh --test)" >&2; exit 1; }
done

status=0
actionlint -shellcheck="$(command -v shellcheck)" .github/workflows/*.yml || status=1
shellcheck .github/check.sh .github/scripts/*.sh || status=1
bash .github/scripts/test_deploy.sh || status=1
# Every action from another repository by its full commit SHA, its version in a comment beside it.
if unpinned=$(grep -nE '^\s*(- )?uses:' .github/workflows/*.yml | grep -v 'uses: \./' \
    | grep -vE 'uses: [A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v[0-9]'); then
  echo ".github/check.sh: actions not pinned by commit SHA with a version comment:" >&2
  echo "$unpinned" >&2
  status=1
fi
# Warnings fail too (hadolint's default threshold is error); an ignore is written inline with its reason.
hadolint --no-color --failure-threshold info deploy/Dockerfile deploy/triton.Dockerfile || status=1
[ "$status" = 0 ] && echo ".github/check.sh: workflows, scripts and Dockerfiles clean" >&2
exit "$status"
