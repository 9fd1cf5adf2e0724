#!/usr/bin/env bash
# Runs FunctionsApp locally on http://localhost:7071 with Azurite as its storage.
#   1. installs the pinned tools (npm ci: Azurite, and Core Tools where its download works; a
#      missing Core Tools is tried again at most once a day);
#   2. starts Azurite (data in .azurite/) unless something already listens on its ports;
#   3. creates local.settings.json from the sample if missing, builds the app;
#   4. runs it with Core Tools (node_modules/.bin/func, else func on the PATH), else with the
#      project's own host (FunctionsHost/), and on Ctrl-C stops it and the Azurite it started.
# Ports: FUNCTIONS_HTTP_PORT (default: local.settings.json Host.LocalHttpPort, else 7071),
# AZURITE_BLOB_PORT / AZURITE_QUEUE_PORT / AZURITE_TABLE_PORT (default 10000-10002);
# AZURITE_LOCATION (default .azurite). With other Azurite ports, AzureWebJobsStorage is set in the
# environment (which wins over local.settings.json) to point there.
# FUNCTIONS_LOCAL_HOST=builtin runs the project's own host even where Core Tools is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

blob_port=${AZURITE_BLOB_PORT:-10000}
queue_port=${AZURITE_QUEUE_PORT:-10001}
table_port=${AZURITE_TABLE_PORT:-10002}
azurite_location=${AZURITE_LOCATION:-.azurite}
configuration=Release
app_output="FunctionsApp/bin/$configuration/net10.0"

bash scripts/ensure-azurite.sh

# Core Tools is an optional dependency whose installer downloads its binaries from outside the npm
# registry; where that failed, npm skipped it (and records it as done: only a new npm ci tries
# again), while ensure-azurite.sh runs npm ci only for a new Azurite. So when Core Tools is pinned
# but missing and no func is on the PATH, npm ci runs again, at most once a day (delete
# .core-tools-attempted to retry now), and never while an Azurite from node_modules is running.
core_tools=$(node -p "(require('./package-lock.json').packages['node_modules/azure-functions-core-tools'] || {}).version || ''")
if [ -n "$core_tools" ] && [ "${FUNCTIONS_LOCAL_HOST:-auto}" != builtin ] && [ ! -x node_modules/.bin/func ] \
  && ! command -v func >/dev/null 2>&1 && ! pgrep -f "$PWD/node_modules/azurite/|node_modules/.bin/azurite" >/dev/null \
  && [ -z "$(find .core-tools-attempted -mmin -1440 2>/dev/null)" ]; then
  echo "Core Tools $core_tools is pinned but not installed; trying npm ci again (its download may work now) ..."
  npm ci --no-audit --no-fund --loglevel=error || true
  touch .core-tools-attempted
fi

if [ "${FUNCTIONS_LOCAL_HOST:-auto}" = builtin ]; then
  func_path=""
  echo "Runs with the project's own host (FunctionsHost/): FUNCTIONS_LOCAL_HOST=builtin."
elif [ -x node_modules/.bin/func ]; then
  func_path="$PWD/node_modules/.bin/func"
  echo "Runs with Core Tools from node_modules/.bin/func (installed by npm ci)."
elif command -v func >/dev/null 2>&1; then
  func_path=$(command -v func)
  echo "Runs with Core Tools from the PATH ($func_path): npm ci could not install it here."
else
  func_path=""
  echo "Runs with the project's own host (FunctionsHost/): Core Tools is not installed (npm ci could not download it, and no func is on the PATH)."
fi

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

azurite_pid=""
app_pid=""
stop_children() {
  # Ctrl-C reaches the whole foreground group; a SIGINT or SIGTERM sent to this script alone is
  # passed on, so the app stops the same way either way.
  if [ -n "$app_pid" ]; then kill -TERM "$app_pid" 2>/dev/null || true; fi
}
cleanup() {
  if [ -n "$azurite_pid" ]; then
    kill "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
    echo "Stopped the Azurite this script started."
  fi
}
trap cleanup EXIT
trap stop_children INT TERM

if listening "$blob_port" || listening "$queue_port"; then
  echo "Something already listens on 127.0.0.1:$blob_port/$queue_port; using it as Azurite."
else
  mkdir -p "$azurite_location"
  node_modules/.bin/azurite --silent --location "$azurite_location" --skipApiVersionCheck --disableTelemetry \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort "$blob_port" --queuePort "$queue_port" --tablePort "$table_port" >"$azurite_location/azurite.log" 2>&1 &
  azurite_pid=$!
  for _ in $(seq 1 100); do listening "$queue_port" && listening "$blob_port" && break; sleep 0.1; done
  if ! listening "$queue_port"; then
    echo "error: Azurite did not start; see $azurite_location/azurite.log" >&2
    exit 1
  fi
  echo "Azurite started (blob $blob_port, queue $queue_port; data and log in $azurite_location/)."
fi

if [ "$blob_port" != 10000 ] || [ "$queue_port" != 10001 ]; then
  # Azurite's well-known development account, on the ports asked for.
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue_port/devstoreaccount1;"
fi

if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  echo "Created local.settings.json from local.settings.sample.json."
fi

port_args=()
if [ -n "${FUNCTIONS_HTTP_PORT:-}" ]; then port_args=(--port "$FUNCTIONS_HTTP_PORT"); fi
if [ -n "$func_path" ]; then
  dotnet build FunctionsApp/FunctionsApp.csproj -c "$configuration" -nologo -v:q
  # Core Tools runs a built app from its output folder, reading host.json and the copy of
  # local.settings.json the build has just made there.
  (cd "$app_output" && exec "$func_path" host start "${port_args[@]}") &
else
  dotnet build FunctionsHost/FunctionsHost.csproj -c "$configuration" -nologo -v:q
  dotnet build FunctionsApp/FunctionsApp.csproj -c "$configuration" -nologo -v:q
  # Started here at the root, the host reads this folder's local.settings.json, as Core Tools would.
  dotnet "FunctionsHost/bin/$configuration/net10.0/FunctionsHost.dll" "$app_output" "${port_args[@]}" &
fi
app_pid=$!

# wait returns early when a trapped signal arrives; wait again until the app has exited, then
# take its exit code (bash keeps it for a second wait).
while kill -0 "$app_pid" 2>/dev/null; do
  wait "$app_pid" || true
done
status=0
wait "$app_pid" || status=$?
exit "$status"
