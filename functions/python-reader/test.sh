#!/usr/bin/env bash
# Runs the reader's tests (against moto's S3 server, which they start) in .venv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./setup.sh
exec .venv/bin/python -m pytest -q tests "$@"
