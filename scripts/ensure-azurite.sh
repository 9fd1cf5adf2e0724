#!/usr/bin/env bash
# Installs the Azurite version pinned in package-lock.json with `npm ci`, unless exactly that
# version is installed already (npm ci always reinstalls, which costs ~40 s per run).
set -euo pipefail
cd "$(dirname "$0")/.."
pinned=$(node -p "require('./package-lock.json').packages['node_modules/azurite'].version")
installed=$(node -p "try { require('./node_modules/azurite/package.json').version } catch { '' }")
if [ "$pinned" != "$installed" ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
