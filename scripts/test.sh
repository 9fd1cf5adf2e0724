#!/usr/bin/env bash
# Runs every test (unit, Azurite integration, end to end through the worker process) on a fresh
# clone: installs the pinned Azurite and Chromium, builds, tests, and ends with one line "N passed, N failed".
# Extra arguments go to `dotnet test`, e.g.  scripts/test.sh --filter "FullyQualifiedName~.Unit."
# The benchmark (category Benchmark, scripts/benchmark.sh) is left out unless a --filter is given.
# The counts come from a TRX report (a logger of our own, beside any the arguments add), so no
# console logger or verbosity changes them; a run that fails, crashes or runs no test never ends
# with a passing line (see scripts/test-summary.mjs).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

# The tests start and stop Azurite themselves; this only catches what a crashed test run left.
# A stopped process (state T) does not act on SIGTERM until continued, so continue it first.
cleanup() {
  pkill -CONT -f "$root/node_modules/azurite/" 2>/dev/null || true
  pkill -f "$root/node_modules/azurite/" 2>/dev/null || true
}
trap cleanup EXIT

bash scripts/ensure-azurite.sh || { echo "Azurite could not be installed (npm ci failed)"; echo "0 passed, 1 failed"; exit 1; }
# The dead-letter console's page test drives Debian's headless Chromium.
bash scripts/ensure-chromium.sh || { echo "Chromium could not be installed (see above)"; echo "0 passed, 1 failed"; exit 1; }

filter=(--filter "Category!=Benchmark")
# The TRX goes to TestResults/ (git-ignored), or to the caller's --results-directory.
results="$root/TestResults"
results_arg=(--results-directory "$results")
expect_dir=0
for arg in "$@"; do
  if [ "$expect_dir" -eq 1 ]; then results=$arg; expect_dir=0; fi
  case "$arg" in
    --filter|--filter=*) filter=() ;;
    --results-directory) expect_dir=1; results_arg=() ;;
    --results-directory=*) results=${arg#--results-directory=}; results_arg=() ;;
  esac
done
rm -f "$results"/summary*.trx

dotnet test FunctionsApp.sln -c Release "${filter[@]}" --logger "trx;LogFilePrefix=summary" "${results_arg[@]}" "$@"
status=$?

node scripts/test-summary.mjs "$results" "$status"
summary_status=$?
[ "$status" -ne 0 ] && exit "$status"
exit "$summary_status"
