#!/usr/bin/env bash
# Creates .venv beside this script with the reader's runtime and test dependencies
# (requirements.txt, requirements-dev.txt). Idempotent: does nothing when .venv was built from
# the same two files (a stamp of their hash). PYTHON picks the interpreter (default python3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "python-reader: creating .venv" >&2
rm -rf .venv
"${PYTHON:-python3}" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
echo "$want" > "$stamp"
