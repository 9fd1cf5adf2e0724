#!/usr/bin/env bash
# Runs every test (unit, Azurite integration, end to end through the worker process) on a fresh
# clone: installs the pinned Azurite, builds, tests, and ends with one line "N passed, N failed".
# Extra arguments go to `dotnet test`, e.g.  scripts/test.sh --filter "FullyQualifiedName~.Unit."
# The benchmark (category Benchmark, scripts/benchmark.sh) is left out unless a --filter is given.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# The tests start and stop Azurite themselves; this only catches what a crashed test run left.
cleanup() { pkill -f "$root/node_modules/azurite/" 2>/dev/null || true; }
trap cleanup EXIT

bash scripts/ensure-azurite.sh || { echo "Azurite could not be installed (npm ci failed)"; echo "0 passed, 1 failed"; exit 1; }

filter=(--filter "Category!=Benchmark")
for arg in "$@"; do
  case "$arg" in --filter|--filter=*) filter=() ;; esac
done

log=$(mktemp)
dotnet test FunctionsApp.sln -c Release "${filter[@]}" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 57, ...") into the one line CI reads.
passed=$(grep -Eo 'Passed: +[0-9]+, Skipped' "$log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo -- '- Failed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status before counting any failure (build error or crashed test host)"
  failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
