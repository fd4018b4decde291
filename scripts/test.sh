#!/usr/bin/env bash
# Installs what is needed, then runs every check and test. CI runs this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
mkdir -p target
set +e
cargo test --workspace >target/test.log 2>&1
status=$?
set -e
grep -E '^(test result|     Running|error(\[|:)|---- )' target/test.log || true
passed=$(grep -Eo '[0-9]+ passed' target/test.log | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' target/test.log | awk '{s+=$1} END {print s+0}')
echo "$passed passed, $failed failed"
if [ "$status" -ne 0 ]; then
  sed -n '/^failures:/,$p' target/test.log | tail -n 80
fi
exit "$status"
