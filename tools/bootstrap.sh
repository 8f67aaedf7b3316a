#!/usr/bin/env bash
# Make this machine ready to run Film Studio: Debian packages if missing, a virtual environment in
# .venv with every Python dependency, the generated contract code checked. Safe to run again: it only
# does what is missing. Usage: tools/bootstrap.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf 'bootstrap: %s\n' "$*" >&2; }
# pip, minus the noise of this machine's extra (absent) package indexes; keeps pip's exit status.
pip_install() {
  .venv/bin/python -m pip install -q "$@" 2>&1 | { grep -v '^WARNING: Location' >&2 || true; }
  return "${PIPESTATUS[0]}"
}

# --- Debian packages ---------------------------------------------------------------------------------
need_debs=()
command -v espeak-ng >/dev/null || need_debs+=(espeak-ng)       # the embedded TTS voice
# The one typeface of every card, caption, poster and sheet (filmstudio/fonts.py): Latin, Greek, Cyrillic.
[ "$(dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null)" = "install ok installed" ] || need_debs+=(fonts-dejavu-core)
command -v node >/dev/null && command -v npm >/dev/null || need_debs+=(nodejs npm)   # builds the studio
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null || need_debs+=(chromium)       # the gateway's browser test
fi
if [ "${#need_debs[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "installing Debian packages: ${need_debs[*]}"
  $sudo apt-get update -qq >/dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_debs[@]}" >/dev/null \
    || { say "could not install ${need_debs[*]} (need root or sudo)"; exit 1; }
fi

# --- Python virtual environment ------------------------------------------------------------------------
python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { say "Python 3.11 or newer is needed ($python is $("$python" --version 2>&1))"; exit 1; }
[ -x .venv/bin/python ] || { say "creating .venv"; "$python" -m venv .venv; }

# Reinstall only when a requirements file changed.
stamp=.venv/.filmstudio-requirements
digest=$(cat requirements.txt requirements-ml.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  say "installing Python packages into .venv (first time takes a few minutes)"
  pip_install --upgrade pip
  # torch first and pinned: the CPU wheel that lies on these machines; an unpinned torch pulls CUDA.
  pip_install -r requirements-ml.txt
  pip_install -r requirements.txt -e .
  .venv/bin/python -m pip check >/dev/null 2>&1 || { .venv/bin/python -m pip check >&2; say "dependency conflict"; exit 1; }
  echo "$digest" >"$stamp"
fi
# The infrastructure checkers, for `make check` and the tests only (large: not for `make film`).
infra_stamp=.venv/.filmstudio-infra
infra_digest=$(sha256sum requirements-infra.txt | cut -d' ' -f1)
if [ "$want_test" = 1 ] && [ "$(cat "$infra_stamp" 2>/dev/null)" != "$infra_digest" ]; then
  if grep -qv '^\s*\(#\|$\)' requirements-infra.txt; then
    say "installing the infrastructure checkers into .venv"
    pip_install -r requirements-infra.txt
  fi
  echo "$infra_digest" >"$infra_stamp"
fi
checkov_stamp=.venv-infra/.filmstudio-checkov
checkov_digest=$(sha256sum requirements-checkov.txt | cut -d' ' -f1)
if [ "$want_test" = 1 ] && [ "$(cat "$checkov_stamp" 2>/dev/null)" != "$checkov_digest" ]; then
  say "installing checkov into .venv-infra (its pins conflict with .venv's)"
  [ -x .venv-infra/bin/python ] || "$python" -m venv .venv-infra
  .venv-infra/bin/python -m pip install -q --disable-pip-version-check -r requirements-checkov.txt
  echo "$checkov_digest" >"$checkov_stamp"
fi

# --- The studio (gateway/studio): the web page the gateway serves at / --------------------------------
studio=gateway/studio
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -d "$studio/node_modules" ] || [ "$studio/package-lock.json" -nt "$studio/node_modules" ]; then
    say "installing the studio's packages"
    npm ci --prefix "$studio" --silent --no-audit --no-fund >/dev/null 2>&1 \
      || { say "npm ci failed in $studio (run it there to see why)"; exit 1; }
    touch "$studio/node_modules"
  fi
  # Build when there is none, or a source is newer than the build.
  if [ ! -f "$studio/dist/index.html" ] || [ -n "$(find "$studio/src" "$studio/index.html" "$studio/package-lock.json" \
      "$studio/vite.config.ts" -newer "$studio/dist/index.html" -print -quit)" ]; then
    say "building the studio"
    build_log=$(mktemp)
    npm run build --prefix "$studio" --silent >"$build_log" 2>&1 \
      || { cat "$build_log" >&2; rm -f "$build_log"; say "the studio did not build (see above)"; exit 1; }
    rm -f "$build_log"
  fi
else
  say "Node.js and npm are not installed: the gateway will not serve the studio at / (the REST API works)"
fi

# --- Node.js client for the tests ---------------------------------------------------------------------
if [ "$want_test" = 1 ] && [ -f gateway/clients/node/package.json ] && [ ! -d gateway/clients/node/node_modules ]; then
  say "installing the Node.js test client's packages"
  npm ci --prefix gateway/clients/node --silent --no-audit --no-fund >/dev/null 2>&1 \
    || say "npm install failed: the Node.js client test will skip"
fi
