#!/usr/bin/env bash
# The main job: builds the pendamping tool, makes a demo device store of two villages in
# Lebak, starts a local central server on its own store, enrols the device and syncs it,
# then enrols a PLKB laptop for the kecamatan and syncs that too, and shows what the
# officer sees: the due list, a search and the monthly recap. Everything stays in ./demo/;
# the server keeps running until Ctrl-C (see README for further commands).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

cargo build --release -p pendamping-cli
bin=target/release/pendamping
listen=${PENDAMPING_LISTEN:-127.0.0.1:8787}
mkdir -p demo
cadre=demo/pendamping.db
plkb=demo/plkb.db
if [ ! -f "$cadre" ]; then
  "$bin" demo-data --store "$cadre" --households 500 --village 36.02.01.2002 --village 36.02.01.2003 --months 36
fi

echo; echo "== Server pusat lokal di http://$listen (demo/central.db) =="
"$bin" server --db demo/central.db --listen "$listen" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://$listen/health" >/dev/null 2>&1 && break; sleep 0.2; done
if [ ! -f demo/.enrolled ]; then
  code=$("$bin" server enroll --db demo/central.db --user "Kader Cilangkahan" --role cadre --scope 36.02.01.2002,36.02.01.2003)
  "$bin" enroll --store "$cadre" --server "http://$listen" --code "$code" --name "tablet kader"
  code=$("$bin" server enroll --db demo/central.db --user "PLKB Malingping" --role plkb --scope 36.02.01)
  "$bin" enroll --store "$plkb" --server "http://$listen" --code "$code" --name "laptop PLKB"
  touch demo/.enrolled
fi
echo; echo "== Sinkronisasi tablet kader, lalu laptop PLKB =="
"$bin" sync --store "$cadre"
"$bin" sync --store "$plkb"

export PENDAMPING_STORE=$plkb
month=$(date +%Y-%m)
echo; echo "== Perlu dikunjungi minggu ini: Desa Cilangkahan (36.02.01.2002), di laptop PLKB =="
"$bin" due --area 36.02.01.2002 | head -n 15
echo; echo "== Cari 'siti' di Kecamatan Malingping =="
"$bin" search --area 36.02.01 siti | head -n 5
echo; echo "== Rekap bulan $month =="
"$bin" recap --month "$month" --area 36.02.01
echo; echo "== Perangkat terdaftar =="
"$bin" server devices --db demo/central.db
echo; echo "Server berjalan di http://$listen (metrik: /metrics). Ctrl-C untuk berhenti. Perintah lain: $bin --help"
wait $server
