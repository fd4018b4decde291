#!/usr/bin/env bash
# Builds the installable package: target/release/bundle/deb/Pendamping_<version>_amd64.deb.
# The binary is stripped (the release profile otherwise keeps line tables for profiling).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=true \
  ui/node_modules/.bin/tauri build --bundles deb
ls -l target/release/bundle/deb/*.deb
