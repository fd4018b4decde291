#!/usr/bin/env bash
# The fuzz targets (fuzz/, cargo-fuzz with libFuzzer), each run for a bounded time from
# seeds made as the app makes its inputs: the packed push and its seals, compressed bodies,
# a visit's data through validation, and the CSV import; and two built by structure, as an
# attacker crafts a push rather than as bytes damage one: packed_shapes (paths of any depth,
# values nested thousands deep, lying counts, dense columns) and json_push (deep and odd
# values, keys given twice) through the log's door, and family_list (a BNBA list as a
# workbook or CSV, built cell by cell, read and previewed). Each runs under libFuzzer's memory and
# time limits: a decoder that allocates by a stated count or loops fails the run. `--sanitizer none` builds on the
# stable toolchain (the only one a new machine has); the code is safe Rust, and libFuzzer
# still catches panics, aborts, hangs and runaway memory. A crash leaves its input in
# fuzz/artifacts/<target>/ and fails the run; `cargo fuzz run -s none <target> <that file>`
# replays it.
#   FUZZ_SECS=N  seconds per target (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECS:-20}
export PATH="$HOME/.cargo/bin:$PATH"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2 --quiet
corpus=target/fuzz-corpus
cargo build --quiet --workspace --exclude pendamping-e2e --example fuzz_seeds
target/debug/examples/fuzz_seeds "$corpus"
cargo fuzz build --sanitizer none --target-dir target/fuzz
for t in packed_batch compressed_body visit_data csv_import packed_shapes json_push family_list; do
  log=target/fuzz-$t.log
  mkdir -p "$corpus/$t"
  if cargo fuzz run --sanitizer none --target-dir target/fuzz "$t" "$corpus/$t" -- \
      -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo "?")
    echo "fuzz $t: ${runs} inputs in ${secs} s, no crash"
  else
    echo "fuzz $t: FAILED"; grep -Ev '^#[0-9]+' "$log" | tail -n 40; exit 1
  fi
done
