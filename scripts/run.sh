#!/usr/bin/env bash
# Builds the pendamping tool, makes a demo store of two villages in Lebak, and shows what a
# PLKB officer sees: the due list, a search and the monthly recap. The store stays in
# ./demo/ for further commands (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

cargo build --release -p pendamping-cli
bin=target/release/pendamping
mkdir -p demo
export PENDAMPING_STORE=demo/pendamping.db
if [ ! -f "$PENDAMPING_STORE" ]; then
  "$bin" demo-data --households 500 --village 36.02.01.2002 --village 36.02.01.2003 --months 36
fi
month=$(date +%Y-%m)
echo; echo "== Perlu dikunjungi minggu ini: Desa Cilangkahan (36.02.01.2002) =="
"$bin" due --area 36.02.01.2002 | head -n 15
echo; echo "== Cari 'siti' di Kecamatan Malingping =="
"$bin" search --area 36.02.01 siti | head -n 5
echo; echo "== Rekap bulan $month =="
"$bin" recap --month "$month" --area 36.02.01
echo; echo "Store: $PENDAMPING_STORE — try: $bin --help"
