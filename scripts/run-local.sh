#!/usr/bin/env bash
# Runs FunctionsApp locally: installs Azurite, starts it unless something already listens on its
# ports, creates local.settings.json from the sample if missing, then starts the app with Core
# Tools (`dotnet run`, which runs `func start` in the build output).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v func >/dev/null 2>&1; then
  cat >&2 <<'MSG'
Azure Functions Core Tools v4 (`func`) is not installed. Install it, then run this script again:
  npm install -g azure-functions-core-tools@4 --unsafe-perm true
(or see https://learn.microsoft.com/azure/azure-functions/functions-run-local for apt, brew and winget)
MSG
  exit 1
fi

bash scripts/ensure-azurite.sh

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

azurite_pid=""
if listening 10000 || listening 10001; then
  echo "Something already listens on 127.0.0.1:10000/10001; using it as Azurite."
else
  mkdir -p .azurite
  node_modules/.bin/azurite --silent --location .azurite --skipApiVersionCheck --disableTelemetry \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >.azurite/azurite.log 2>&1 &
  azurite_pid=$!
  trap '[ -n "$azurite_pid" ] && kill "$azurite_pid" 2>/dev/null' EXIT
  for _ in $(seq 1 100); do listening 10001 && break; sleep 0.1; done
  listening 10001 || { echo "Azurite did not start; see .azurite/azurite.log" >&2; exit 1; }
  echo "Azurite started (data in .azurite/, log in .azurite/azurite.log)."
fi

if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  echo "Created local.settings.json from local.settings.sample.json."
fi

# Core Tools runs in the build output, which dotnet run names relative to the project folder.
cd FunctionsApp && dotnet run
