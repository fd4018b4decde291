#!/usr/bin/env bash
# Installs what is needed, then runs every check and test. CI runs this (.ci/run).
#   the book (mdbook build docs, its links checked), fmt, clippy, the UI's type check and
#   unit tests (vitest), every Rust test (including the
#   check that ui/src/api/types.ts matches the Rust DTOs), then the app end to end in its
#   real window through tauri-driver under Xvfb and the dashboard in headless Chromium, then
#   the fuzz targets for a bounded time (scripts/fuzz.sh). The PostgreSQL tests start a
#   throwaway cluster of their own (Debian's postgresql, installed here when missing).
#   Screenshots: target/e2e-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
rustup component add rustfmt clippy >/dev/null 2>&1 || true
export PATH="$HOME/.cargo/bin:$PATH"
command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version ^2 --quiet
# The book in docs/ (HTML only: no live server, no file watcher).
# PostgreSQL's server programs (initdb, pg_ctl): the tests of the PostgreSQL store start a
# throwaway cluster of their own with them (tests/src/pg.rs) and fail when they cannot.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "setup: installing postgresql" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends postgresql
fi
command -v mdbook >/dev/null || cargo install mdbook --locked --version ^0.4 --no-default-features --features search --quiet

mkdir -p target
rm -f target/e2e.log target/cargo-test.log

run_step() { # name, command…: runs it, keeps its output in target/<name>.log
  local name=$1; shift
  echo "== $name"
  set +e
  "$@" >"target/$name.log" 2>&1
  local status=$?
  set -e
  return $status
}

echo "== ui: type check and build"
(cd ui && npm run --silent check && npm run --silent build >/dev/null)
echo "== ui: unit tests (vitest)"
set +e
(cd ui && npx vitest run --reporter=default) >target/vitest.log 2>&1
ui_status=$?
set -e
grep -E "Test Files|Tests  " target/vitest.log | sed 's/\x1b\[[0-9;]*m//g' || true
[ "$ui_status" -eq 0 ] || { sed 's/\x1b\[[0-9;]*m//g' target/vitest.log | tail -n 60; exit "$ui_status"; }
ui_passed=$(sed 's/\x1b\[[0-9;]*m//g' target/vitest.log | grep -E "^ +Tests " | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)

echo "== docs: the book, and every link in it and in the README"
mdbook build docs >target/mdbook.log 2>&1 || { cat target/mdbook.log; exit 1; }
python3 scripts/check_links.py docs/book
python3 scripts/check_links.py --markdown README.md docs/src
echo "== module circles (crates/server, crates/core)"
python3 scripts/module_cycles.py crates/server/src crates/core/src
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

status=0
run_step cargo-test cargo test --workspace --exclude pendamping-e2e || status=$?
grep -E '^(test result|     Running|error(\[|:)|---- )' target/cargo-test.log || true
# A failed link says why only in its notes (a full disk, a killed linker): show those, and the disk.
if [ "$status" -ne 0 ] && grep -q "linking with" target/cargo-test.log; then
  grep -E "No space left|collect2|ld: |Killed|signal [0-9]+" target/cargo-test.log | cut -c1-300 | head -n 20 || true
  df -h . || true
fi
if [ "$status" -eq 0 ]; then
  # The window: a display from Xvfb, and a time limit so a hung window cannot hang CI.
  cargo build --quiet -p pendamping-desktop --bins
  # The window, then the district's dashboard in headless Chromium (chromium-driver).
  run_step e2e timeout 1200 xvfb-run -a -s "-screen 0 1280x1280x24" \
    cargo test -p pendamping-e2e --test window --test dashboard -- --test-threads=1 || status=$?
  grep -E '^(test |test result|     Running|---- )' target/e2e.log || true
  # A failed scenario's message (the line after "panicked at"), without the backtrace.
  grep -A1 -E "^thread '.*' .*panicked at" target/e2e.log | grep -Ev '^(--|stack backtrace)' || true
fi
if [ "$status" -eq 0 ]; then
  # The fuzz targets, each for a bounded time (scripts/fuzz.sh).
  echo "== fuzz"
  FUZZ_SECS=${FUZZ_SECS:-20} bash scripts/fuzz.sh || status=$?
fi

passed=$(cat target/cargo-test.log target/e2e.log 2>/dev/null | grep -Eo '[0-9]+ passed' | awk '{s+=$1} END {print s+0}')
failed=$(cat target/cargo-test.log target/e2e.log 2>/dev/null | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}')
echo "Rust: $passed passed, $failed failed; UI (vitest): $ui_passed passed"
if [ "$status" -ne 0 ]; then
  for log in target/cargo-test.log target/e2e.log; do
    # The head of each failure (its message), without the backtrace's frames.
    # (`|| true`: a log with no failures must not end the script before the next is shown.)
    [ -f "$log" ] && { sed -n '/^failures:/,$p' "$log" | grep -Ev '^ +([0-9]+: |at )' | head -n 80 || true; }
  done
fi
exit "$status"
