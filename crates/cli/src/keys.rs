//! The key of every store this tool makes or opens — a device's (`enroll`, `sync`,
//! `demo-data`, `import`), a hub's, a server's. A headless device or hub is a device: its
//! store holds names, NIKs, its token and its signing key (a hub's and a server's, the
//! recovery key that opens every tablet's recovery wrap too), so it is encrypted
//! (SQLCipher) under the key in the file `PENDAMPING_DB_KEY_FILE` names (64 hex digits,
//! `pendamping key new`), and kept plain only when `--plain-store` asks for it.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{Result, anyhow, bail};
use pendamping_vault::DataKey;

/// The variable naming the key file; the server reads the same one.
pub const KEY_FILE_VAR: &str = "PENDAMPING_DB_KEY_FILE";

static PLAIN: OnceLock<bool> = OnceLock::new();

/// Says, once at start, whether `--plain-store` was given.
pub fn allow_plain(plain: bool) {
    let _ = PLAIN.set(plain);
}

fn plain_allowed() -> bool {
    PLAIN.get().copied().unwrap_or(false)
}

/// The key file named by the environment, if any (an empty value is none).
pub fn key_file() -> Option<std::path::PathBuf> {
    std::env::var_os(KEY_FILE_VAR).filter(|v| !v.is_empty()).map(Into::into)
}

/// The key the store at `path` is (to be) encrypted under; `None` only with `--plain-store`.
pub fn store_key(path: &Path) -> Result<Option<DataKey>> {
    match key_file() {
        Some(file) => DataKey::from_key_file(&file)
            .map(Some)
            .map_err(|why| anyhow!("{KEY_FILE_VAR} ({}): {why}", file.display())),
        None => require_plain(path).map(|()| None),
    }
}

/// Refuses to make or open `path` without a key unless `--plain-store` was given.
pub fn require_plain(path: &Path) -> Result<()> {
    if plain_allowed() {
        return Ok(());
    }
    bail!(
        "{} menyimpan data pribadi dan harus dienkripsi: beri kuncinya lewat {KEY_FILE_VAR} (berkas 64 digit \
         hex, buat dengan `pendamping key new BERKAS` dan simpan di luar disk data), atau jalankan dengan \
         --plain-store bila memang harus tanpa enkripsi / {} holds personal data and must be encrypted: \
         name its key file in {KEY_FILE_VAR}, or pass --plain-store",
        path.display(),
        path.display()
    )
}
