#!/usr/bin/env bash
# Installs what building Pendamping needs on a fresh Debian 12 machine with Rust on it.
# Idempotent: a second run checks and does nothing. Sourced by run.sh and test.sh.
set -euo pipefail

need_apt=()
for pkg in build-essential pkg-config curl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need_apt[@]}"
fi
command -v cargo >/dev/null || { echo "setup: Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
# Smaller target/ and faster links: line tables are enough for backtraces.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
