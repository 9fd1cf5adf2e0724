#!/usr/bin/env bash
# Makes sure a headless Chromium is on PATH for the console page's browser test
# (FunctionsApp.Tests/EndToEnd/DeadLetterConsolePageEndToEndTests.cs). Does nothing when one is
# there already; otherwise installs Debian's `chromium` package, which needs root (CI runs as root).
# No browser is downloaded from anywhere but the distribution's package source.
set -euo pipefail
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then
    exit 0
  fi
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no Chromium on PATH and no apt-get to install it; install Chromium by hand." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: no Chromium on PATH; run as root, or: sudo apt-get install -y chromium" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null 2>&1 || { echo "ensure-chromium: apt-get installed chromium but it is not on PATH." >&2; exit 1; }
