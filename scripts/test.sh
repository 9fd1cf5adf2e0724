#!/usr/bin/env bash
# Runs every test (unit, Azurite integration, end to end through the worker process) on a fresh
# clone: installs the pinned Azurite and Chromium, builds, tests, and ends with one line "N passed, N failed".
# Extra arguments go to `dotnet test`, e.g.  scripts/test.sh --filter "FullyQualifiedName~.Unit."
# The benchmark (category Benchmark, scripts/benchmark.sh) is left out unless a --filter names it.
# The counts come from a TRX report (a logger of our own, beside any the arguments add), so no
# console logger or verbosity changes them; a run that fails, crashes or runs no test never ends
# with a passing line (see scripts/test-summary.mjs).
# With CI=true (as .ci/run has it) restore is locked: a packages.lock.json that does not match its
# project fails the build (Directory.Build.props; README "Packages and lock files").
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

# The benchmark stays out unless the caller's own filter names its category: a filter such as
# "Category!=Load" is combined with it ("(Category!=Load)&Category!=Benchmark").
no_benchmark="Category!=Benchmark"
with_filter() {
  case "$1" in
    *Benchmark*) printf '%s' "$1" ;;
    *) printf '(%s)&%s' "$1" "$no_benchmark" ;;
  esac
}
filter=(--filter "$no_benchmark")
# The TRX goes to TestResults/ (git-ignored), or to the caller's --results-directory.
results="$root/TestResults"
results_arg=(--results-directory "$results")
args=()
expect=""
for arg in "$@"; do
  case "$expect" in
    dir) results=$arg; expect=""; args+=("$arg"); continue ;;
    filter) filter=(--filter "$(with_filter "$arg")"); expect=""; continue ;;
  esac
  case "$arg" in
    --filter) expect=filter ;;
    --filter=*) filter=(--filter "$(with_filter "${arg#--filter=}")") ;;
    --results-directory) expect=dir; results_arg=(); args+=("$arg") ;;
    --results-directory=*) results=${arg#--results-directory=}; results_arg=(); args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done
rm -f "$results"/summary*.trx

# -m:1: the test projects (FunctionsApp.Tests, FunctionsHost.Tests, the benchmark's own unit tests)
# run one after another, not side by side: each project's load and fault collection runs alone
# after its parallel tests, and on a two-core machine the timing those tests are sized for must
# not depend on another project's tests running beside them. Each project writes its own TRX.
dotnet test FunctionsApp.sln -c Release -m:1 "${filter[@]}" --logger "trx;LogFilePrefix=summary" "${results_arg[@]}" "${args[@]}"
status=$?

node scripts/test-summary.mjs "$results" "$status"
summary_status=$?
[ "$status" -ne 0 ] && exit "$status"
exit "$summary_status"
