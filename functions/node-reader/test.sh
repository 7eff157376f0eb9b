#!/usr/bin/env bash
# Runs the reader's tests against a real S3-compatible server (moto) that the tests start:
# MOTO_SERVER names its binary (default ../../.venv/bin/moto_server, installed by scripts/setup).
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
npm run --silent build
exec node --test test/
