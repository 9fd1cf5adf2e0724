#!/usr/bin/env bash
# Runs Azurite in the foreground on 127.0.0.1:10000-10002 with its data in .azurite/, the storage
# local.settings.json's "UseDevelopmentStorage=true" points to; for VS Code's "azurite: start" task
# and anyone who wants it in a terminal of its own. Where something already listens on the queue
# port it says so and exits 0, so a second F5 uses the Azurite the first one started.
set -euo pipefail
cd "$(dirname "$0")/.."
if (exec 3<>/dev/tcp/127.0.0.1/10001) 2>/dev/null; then
  echo "Azurite is already listening on 127.0.0.1:10001 (or something else is); using it."
  exit 0
fi
bash scripts/ensure-azurite.sh
mkdir -p .azurite
exec node_modules/.bin/azurite --location .azurite --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1
