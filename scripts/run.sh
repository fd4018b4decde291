#!/usr/bin/env bash
# The main job: installs what is missing, builds the UI and the app, starts a local central
# server on its own store (demo/central.db) loaded with two villages of demo families, and
# opens the Pendamping window on its own store (demo/app/) with an enrollment code ready:
# pick "Daftar ke server", enter the address and code printed below, and the families
# arrive by sync. Without a display the server keeps running and the command-line tool
# shows what the PLKB officer would see. Ctrl-C (or closing the window) stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

echo "== Membangun tampilan dan aplikasi (build: UI, app, server)"
(cd ui && npm run --silent build >/dev/null)
cargo build --release -p pendamping-cli -p pendamping-desktop
bin=target/release/pendamping
app=target/release/pendamping-desktop
listen=${PENDAMPING_LISTEN:-127.0.0.1:8787}
# A port another process holds: stop here, before anything is enrolled against that
# process or written into demo/ (it had enrolled the demo against the other server).
if (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; then
  echo "Port $listen sudah dipakai proses lain; tidak ada yang diubah." >&2
  echo "Port $listen is already in use by another process; nothing was changed." >&2
  echo "Hentikan proses itu, atau pilih port lain: PENDAMPING_LISTEN=127.0.0.1:8788 ./scripts/run.sh" >&2
  exit 1
fi
mkdir -p demo/app
# Every store the tool makes is encrypted (docs/src/security.md): the demo's key is made once,
# outside the data folder, and a plain store of an earlier demo is encrypted at first use.
keydir="${XDG_CONFIG_HOME:-$HOME/.config}/pendamping"
export PENDAMPING_DB_KEY_FILE=${PENDAMPING_DB_KEY_FILE:-$keydir/demo-db.key}
if [ ! -f "$PENDAMPING_DB_KEY_FILE" ]; then
  mkdir -p "$(dirname "$PENDAMPING_DB_KEY_FILE")"
  "$bin" key new "$PENDAMPING_DB_KEY_FILE"
fi
seed=demo/seed.db
plkb=demo/plkb.db
if [ ! -f "$seed" ]; then
  "$bin" demo-data --store "$seed" --households 500 --village 36.02.01.2002 --village 36.02.01.2003 --months 36
fi

echo; echo "== Server pusat lokal di http://$listen (demo/central.db) =="
"$bin" server --db demo/central.db --listen "$listen" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
up=
for _ in $(seq 100); do
  kill -0 "$server" 2>/dev/null || break
  curl -sf "http://$listen/health" >/dev/null 2>&1 && { up=1; break; }
  sleep 0.2
done
if [ -z "$up" ]; then
  echo "Server tidak dapat berjalan di $listen (lihat pesannya di atas); tidak ada yang diubah." >&2
  echo "The server could not start on $listen (see its message above); nothing was changed." >&2
  exit 1
fi
if [ ! -f demo/.seeded ]; then
  # The demo families reach the server the way a tablet's would: enrolled, then synced.
  code=$("$bin" server enroll --db demo/central.db --user "Kader Cilangkahan (data demo)" --role cadre --scope 36.02.01.2002,36.02.01.2003)
  "$bin" enroll --store "$seed" --server "http://$listen" --code "$code" --name "data demo"
  "$bin" sync --store "$seed"
  code=$("$bin" server enroll --db demo/central.db --user "PLKB Malingping" --role plkb --scope 36.02.01)
  "$bin" enroll --store "$plkb" --server "http://$listen" --code "$code" --name "laptop PLKB"
  touch demo/.seeded
fi
# Dashboard accounts for the demo (a real server's admin makes them with a password of their own).
accounts=$("$bin" server user list --db demo/central.db)
for acct in "plkb.malingping plkb 36.02.01" "tpps.lebak district 36.02"; do
  read -r name role scope <<<"$acct"
  grep -q "^$name " <<<"$accounts" ||
    PENDAMPING_PASSWORD=demo-pendamping "$bin" server user add --db demo/central.db --name "$name" --role "$role" --scope "$scope"
done
code=$("$bin" server enroll --db demo/central.db --user "Kader (aplikasi)" --role cadre --scope 36.02.01.2002,36.02.01.2003)
# The sync progress above ends on a carriage return: start the box on lines of its own.
printf '\n\n'
cat <<MSG
  ================================================================
  Untuk aplikasi Pendamping (jendela): isi nama dan PIN (8-12 digit) anggota
  pertama, lalu pilih "Daftar ke server"
    Alamat server     : http://$listen
    Kode pendaftaran  : $code
                        (sekali pakai, berlaku 72 jam; kode baru: jalankan run.sh lagi)
  atau pilih desa Cilangkahan (36.02.01.2002) dan "Bekerja tanpa server".
  Data aplikasi disimpan terenkripsi di demo/app/pendamping.db.

  Dasbor PLKB dan kabupaten (peramban): http://$listen/dashboard
    akun plkb.malingping (Kecamatan Malingping) atau tpps.lebak (Kabupaten Lebak),
    kata sandi demo-pendamping (hanya untuk data demo)
  ================================================================

MSG

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "Tidak ada layar (DISPLAY kosong): jendela aplikasi tidak dapat dibuka di mesin ini."
  echo "No display (DISPLAY is empty): the app window cannot open here. The server keeps running;"
  echo "this is what the PLKB laptop sees after a sync:"
  "$bin" sync --store "$plkb"
  export PENDAMPING_STORE=$plkb
  echo; echo "== Perlu dikunjungi minggu ini: Desa Cilangkahan (36.02.01.2002) =="
  "$bin" due --area 36.02.01.2002 | head -n 15
  echo; echo "== Rekap bulan $(date +%Y-%m) =="
  "$bin" recap --month "$(date +%Y-%m)" --area 36.02.01
  echo; echo "Server berjalan di http://$listen. Ctrl-C untuk berhenti."
  wait $server
else
  echo "== Membuka aplikasi Pendamping"
  PENDAMPING_DATA_DIR="$PWD/demo/app" "$app"
fi
