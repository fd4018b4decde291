#!/usr/bin/env bash
# Installs what building Pendamping needs on a fresh Debian 12 machine with Rust, Node/npm
# on it: the WebKitGTK stack Tauri links against, Xvfb and the WebKit WebDriver for the
# window tests, LibreOffice Calc (no GUI) that opens an exported CSV as a spreadsheet does
# in the tests, and the UI's npm packages. Idempotent: a second run checks and does
# nothing. Sourced by run.sh and test.sh.
set -euo pipefail

need_apt=()
for pkg in build-essential pkg-config curl file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev \
  libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver chromium chromium-driver poppler-utils \
  libreoffice-calc-nogui; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need_apt[@]}"
fi
command -v cargo >/dev/null || { echo "setup: Rust (cargo) is required: https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: Node.js and npm are required: https://nodejs.org" >&2; exit 1; }
# Smaller target/ and faster links: line tables are enough for backtraces.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
# The UI's packages, exactly as package-lock.json has them (skipped when up to date).
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
