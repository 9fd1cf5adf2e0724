#!/usr/bin/env bash
# Rewrites the NuGet lock files after a change of Directory.Packages.props or of a project's
# package references (README "Updating a package"); commit every file it changes.
#   - packages.lock.json beside each project: a restore that re-resolves every package
#     (--force-evaluate), for the solution and for the benchmark's baselines, which are not in it;
#   - packages.worker-extensions.lock.json beside each function app: the Worker SDK restores its
#     generated extensions project only when the app builds, so the function apps are built
#     (Directory.Build.targets).
# CI is unset for these commands: with CI=true restore is locked and would refuse the change.
set -euo pipefail
cd "$(dirname "$0")/.."

run() { echo "+ $*"; env -u CI "$@"; }

run dotnet restore FunctionsApp.sln --force-evaluate
for project in FunctionsApp.Benchmarks/Baselines/*/*.csproj; do
  run dotnet restore "$project" --force-evaluate
done
# The generated project is made anew: after a failed restore of it (a locked build that found its
# lock file stale), its next incremental build leaves out extensions.json and the app's build fails once.
find . -path ./node_modules -prune -o -path '*/obj/*/WorkerExtensions' -type d -prune -exec rm -rf {} +
# RestoreForceEvaluate reaches the extensions project too (the SDK passes on global properties).
for project in $(find . -name '*.csproj' -not -path '*/bin/*' -not -path '*/obj/*' -not -path './node_modules/*' | sort); do
  if grep -q '<AzureFunctionsVersion>' "$project"; then
    run dotnet build "$project" -c Release -nologo -v:q -p:RestoreForceEvaluate=true
  fi
done
git status --short -- '*.lock.json'
