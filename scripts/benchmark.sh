#!/usr/bin/env bash
# The benchmark: builds Release and runs the tests of category Benchmark
# (FunctionsApp.Benchmarks/), each figure next to its baseline measured in the same run.
# Writes results/benchmark.md and results/benchmark.json and prints the table at the end.
#
#   scripts/benchmark.sh                    every scenario, full size (about 15 minutes on 2 cores)
#   scripts/benchmark.sh --quick http       one scenario, small sizes (under a minute once built)
#   scripts/benchmark.sh --no-build ...     skip the build (the Release build must be current)
#
# Scenarios: cold (start-up, first request and first queue message), http (greeting throughput), queue (backlog drain),
# steady (queue steady state with a producer); telemetry (the app exporting over OTLP next to the
# app with telemetry off); replay (10,000 parked messages replayed over
# repeated calls, progress in results/replay-throughput.txt; not part of a full run); dead-letters
# (the console listing 10,000 parked messages: time and storage calls per page, in
# results/dead-letter-list.txt; not part of a full run either); latency (host.json's batchSize x
# newBatchThreshold for the app and the template behind an Azure-like storage latency, about 20
# minutes on 2 cores, the full grid in results/latency-grid.md; not part of a full run either).
# Sizes can be set with BENCHMARK_COLD_REPETITIONS, BENCHMARK_HTTP_SECONDS, BENCHMARK_QUEUE_BACKLOG,
# BENCHMARK_QUEUE_WARMUP, BENCHMARK_QUEUE_ROUNDS, BENCHMARK_QUEUE_STEADY_DEPTH,
# BENCHMARK_QUEUE_STEADY_SECONDS, and for the latency grid BENCHMARK_LATENCY_BATCH_SIZES (e.g. 8,16,32),
# BENCHMARK_LATENCY_WARMUP, BENCHMARK_LATENCY_BACKLOG, BENCHMARK_LATENCY_STEADY_SECONDS,
# BENCHMARK_LATENCY_STEADY_DEPTH, BENCHMARK_LATENCY_CHECK_MESSAGES, BENCHMARK_LATENCY_MEDIAN_MS (5),
# BENCHMARK_LATENCY_P99_MS (30); BENCHMARK_READY_TO_RUN=0/1 skips or forces the ReadyToRun cold starts
# (full runs have them, quick runs not: they cost three publishes);
# Flex Consumption prices (FunctionsApp.Benchmarks/FlexConsumptionPrices.cs says where the defaults
# come from) with BENCHMARK_FLEX_PER_GB_SECOND, BENCHMARK_FLEX_PER_MILLION_EXECUTIONS,
# BENCHMARK_FLEX_FREE_GB_SECONDS, BENCHMARK_FLEX_FREE_EXECUTIONS,
# BENCHMARK_FLEX_ALWAYS_READY_BASELINE_PER_GB_SECOND, BENCHMARK_FLEX_ALWAYS_READY_EXECUTION_PER_GB_SECOND,
# BENCHMARK_FLEX_INSTANCE_MEMORY_MB, and the fixed server to compare with, BENCHMARK_FIXED_SERVER_PER_MONTH.
# Every scenario runs the template baseline (FunctionsApp.Benchmarks/Baselines/TemplateApp, what
# `func new` gives a user) next to the app through the same host.
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0
build=1
replay=0
filter="Category=Benchmark"
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    cold) filter="$filter&FullyQualifiedName~ColdStartBenchmarks" ;;
    http) filter="$filter&FullyQualifiedName~HttpGreetingBenchmarks" ;;
    queue) filter="$filter&FullyQualifiedName~QueueDrainBenchmarks" ;;
    steady) filter="$filter&FullyQualifiedName~QueueSteadyStateBenchmarks" ;;
    telemetry) filter="$filter&FullyQualifiedName~TelemetryCostBenchmarks" ;;
    replay) filter="$filter&FullyQualifiedName~ReplayThroughputBenchmarks"; replay=1 ;;
    dead-letters) filter="$filter&FullyQualifiedName~DeadLetterListBenchmarks"; replay=1 ;;
    latency) filter="$filter&FullyQualifiedName~LatencyGridBenchmarks"; replay=1 ;;
    *) echo "Unknown argument '$arg'. Usage: scripts/benchmark.sh [--quick] [--no-build] [cold|http|queue|steady|telemetry|replay|dead-letters|latency]" >&2; exit 2 ;;
  esac
done

bash scripts/ensure-azurite.sh || { echo "Azurite could not be installed (npm ci failed)" >&2; exit 1; }
if [ "$build" -eq 1 ]; then
  dotnet build FunctionsApp.sln -c Release -nologo -v:q || exit 1
fi

# The replay of 10,000 parked messages, the console's listing of as many and the latency grid take
# minutes: only when asked for.
if [ "$replay" -eq 0 ] && [ "$filter" = "Category=Benchmark" ]; then
  filter="$filter&FullyQualifiedName!~ReplayThroughputBenchmarks&FullyQualifiedName!~DeadLetterListBenchmarks&FullyQualifiedName!~LatencyGridBenchmarks"
fi

# A stale table must not pass for this run's.
rm -f results/benchmark.md results/benchmark.json
BENCHMARK_QUICK=$quick dotnet test FunctionsApp.Benchmarks/FunctionsApp.Benchmarks.csproj -c Release --no-build \
  --filter "$filter" --logger "console;verbosity=normal"
status=$?

echo
if [ -f results/benchmark.md ]; then
  cat results/benchmark.md
else
  echo "No results were written (see the test output above)."
fi
exit "$status"
