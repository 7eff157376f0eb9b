#!/usr/bin/env bash
# Installs this package's pinned dependencies (npm ci from package-lock.json). Idempotent and fast
# when up to date: npm ci runs only when package-lock.json differs from the copy stamped into
# node_modules by the last successful install.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.package-lock.stamp
if [ ! -d node_modules ] || ! cmp -s package-lock.json "$stamp"; then
  echo "node-reader: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
