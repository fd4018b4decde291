//! `pendamping server migrate-store`: a district's store moved from its file to PostgreSQL.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use pendamping_server::Config;

use crate::net::store_config;

/// Moves the store file `from` into the empty PostgreSQL database `to`, then checks both
/// hold the same (rows per table, the log's checksum) and that the audit chain verifies
/// there.
pub fn migrate_store(from: &Path, to: &str, out: &mut dyn Write) -> Result<()> {
    if !from.is_file() {
        bail!(
            "{} tidak ada: sebutkan berkas penyimpanan server (mis. central.db)",
            from.display()
        );
    }
    let key = store_config(from)?.store_key()?;
    migrate_store_keyed(from, key.as_ref(), to, out)
}

/// [`migrate_store`] with the file's key (if it is encrypted) in hand.
pub fn migrate_store_keyed(
    from: &Path,
    key: Option<&pendamping_vault::DataKey>,
    to: &str,
    out: &mut dyn Write,
) -> Result<()> {
    use pendamping_server::storage::{copy, postgres, sqlite};
    if !postgres::is_url(to) {
        bail!(
            "--to harus alamat PostgreSQL (postgres://pengguna:sandi@host/basisdata), bukan {}",
            postgres::redacted(to)
        );
    }
    if !from.is_file() {
        bail!(
            "{} tidak ada: sebutkan berkas penyimpanan server (mis. central.db)",
            from.display()
        );
    }
    if sqlite::Sqlite::serving(from) {
        bail!(
            "server masih melayani {}: hentikan dulu, karena perubahan yang diterimanya setelah salinan dibuat \
             akan hilang / a server is serving {}: stop it first, or what it takes after the copy is lost",
            from.display(),
            from.display()
        );
    }
    let source = sqlite::Sqlite::open_for_admin(from, key).with_context(|| format!("membuka {}", from.display()))?;
    let target =
        postgres::Postgres::open(to, 4).with_context(|| format!("menyambung ke {}", postgres::redacted(to)))?;
    let moved = copy::migrate(&source, &target, &mut |table, n| {
        eprint!("\r{table}: {n} baris   ");
    })
    .context("memindahkan penyimpanan")?;
    eprintln!();
    let config = Config {
        db: PathBuf::from(to),
        ..Config::default()
    };
    let verified = pendamping_server::Admin::open(&config)?.audit_verify()?;
    if let Some((seq, why)) = verified.broken {
        bail!("log audit di PostgreSQL RUSAK di entri {seq}: {why}");
    }
    for (table, n) in &moved.rows {
        writeln!(out, "{table:<20} {n:>10} baris")?;
    }
    writeln!(out, "checksum log: {}", moved.checksum)?;
    writeln!(
        out,
        "log audit utuh: {} entri, kepala {}",
        verified.entries, verified.head
    )?;
    eprintln!(
        "selesai: jalankan server dengan --db {} (setiap proses dengan view sendiri)",
        postgres::redacted(to)
    );
    Ok(())
}
