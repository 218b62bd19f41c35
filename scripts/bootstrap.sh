#!/usr/bin/env bash
# Create .venv/ and install the project (with dev extras when "dev" is given). Installs Debian's python3-venv
# when the machine's Python lacks venv/ensurepip (a fresh Debian/Ubuntu). Re-runs are quick: pip is skipped
# while pyproject.toml is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
PYTHON="${PYTHON:-python3}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    echo "==> installing python3-venv (Debian package)"
    rm -rf .venv
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    "$PYTHON" -m venv .venv
  fi
fi

spec="."
stamp=".venv/.installed"
if [ "$extras" = "dev" ]; then spec=".[dev]"; stamp=".venv/.installed-dev"; fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> installing Python dependencies ($spec)"
  # Build-backend chatter goes to a log, shown only when the install fails.
  if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e "$spec"; } \
      >.venv/pip-install.log 2>&1; then
    cat .venv/pip-install.log
    echo "pip install failed (log: .venv/pip-install.log)"
    exit 1
  fi
  touch "$stamp"
fi
