//! The SQLite store's own behaviour: its log, its migrations, its encryption.

use super::connection::{Checkpointer, Opening, Readers, SCHEMA_VERSION, open_writer};
use super::*;
use crate::storage::Setting;

fn meta_set(s: &Sqlite, k: &str, v: &str) {
    let mut tx = s.write().unwrap();
    tx.set_setting(Setting::Upstream(k), v).unwrap();
    tx.commit().unwrap();
}

fn meta_get(s: &Sqlite, k: &str) -> Option<String> {
    s.read().unwrap().setting(Setting::Upstream(k)).unwrap()
}

#[test]
fn a_write_ahead_log_that_readers_keep_open_is_emptied_past_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let mut writer = open_writer(&path, None, Opening::Serve).unwrap();
    writer.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
    let limit = 1 << 20;
    let _checkpoints = Checkpointer::start_with(&path, None, limit).unwrap();
    // A reader always inside the log, as the view's catch-up is under steady pushes.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reading = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let conn = Connection::open(&path).unwrap();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _: i64 = conn.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
            }
        })
    };
    let wal = dir.path().join("c.db-wal");
    let mut largest = 0;
    for _ in 0..600 {
        // As a push writes: a transaction that reads, then writes. None is refused while
        // the log is truncated under it.
        let tx = writer.transaction().unwrap();
        let _: i64 = tx.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(3));
        tx.execute("INSERT INTO t VALUES (zeroblob(20000))", []).unwrap();
        tx.commit().unwrap();
        largest = largest.max(std::fs::metadata(&wal).unwrap().len());
    }
    assert!(largest > limit, "the log outgrew its limit while written ({largest} B)");
    // Within a few checkpoints it is emptied, though a reader never stops.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::metadata(&wal).unwrap().len() > limit {
        assert!(std::time::Instant::now() < deadline, "the log stays over its limit");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    reading.join().unwrap();
    let n: i64 = writer.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 600, "nothing lost");
}

#[test]
fn migrates_once_and_refuses_a_newer_database() {
    let dir = std::env::temp_dir().join(format!("pendamping-srv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("central.db");
    let _ = std::fs::remove_file(&path);
    drop(open_writer(&path, None, Opening::Serve).unwrap());
    let conn = open_writer(&path, None, Opening::Serve).unwrap();
    let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(conn);
    assert!(matches!(
        open_writer(&path, None, Opening::Serve),
        Err(StorageError::NewerSchema { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_plain_store_is_encrypted_in_place_when_a_key_comes_and_then_opens_only_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plkb.db");
    meta_set(&Sqlite::open_for_admin(&path, None).unwrap(), "on", "1");
    assert!(pendamping_store::is_plain(&path).unwrap());
    let key = DataKey::random().unwrap();
    let store = Sqlite::open(&path, Some(&key), 2).unwrap();
    // The writer, the readers and the checkpointer key their own connections.
    assert_eq!(meta_get(&store, "on").as_deref(), Some("1"), "kept");
    drop(store);
    assert!(!pendamping_store::is_plain(&path).unwrap());
    let e = Sqlite::open(&path, None, 1).err().unwrap().to_string();
    assert!(
        e.contains("plkb.db is encrypted") && e.contains("PENDAMPING_DB_KEY_FILE"),
        "{e}"
    );
    assert!(matches!(
        Sqlite::open(&path, Some(&DataKey::random().unwrap()), 1),
        Err(StorageError::Encrypted(pendamping_store::StoreError::WrongKey))
    ));
    assert!(
        Readers::new(&path, 1, None)
            .take()
            .and_then(|c| Ok(c.query_row("SELECT 1 FROM meta", [], |_| Ok(()))?))
            .is_err()
    );
}

#[test]
fn a_clean_audit_log_verifies_and_any_tampering_in_the_middle_breaks_it() {
    use crate::audit::{Action, recent, record, verify};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let store = Sqlite::open_for_admin(&path, None).unwrap();
    let storage: &dyn Storage = &store;
    for i in 0..5 {
        storage
            .writing(|tx| {
                record(
                    tx,
                    1_000 + i,
                    "device-1",
                    Action::Pushed,
                    "device-1",
                    &format!("accepted {i}"),
                )
            })
            .unwrap();
    }
    let check = || storage.reading(|tx| verify(tx)).unwrap();
    let ok = check();
    assert_eq!((ok.entries, ok.broken.clone()), (5, None));
    assert_eq!(storage.reading(|tx| recent(tx, 2)).unwrap()[0].seq, 5);
    let conn = Connection::open(&path).unwrap();
    // The triggers refuse changes through SQL.
    assert!(
        conn.execute("UPDATE audit SET detail = 'accepted 99' WHERE seq = 3", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM audit WHERE seq = 3", []).is_err());
    // Someone with the file drops the triggers and edits an entry: found at that entry.
    conn.execute_batch(
        "DROP TRIGGER audit_append_only_update; DROP TRIGGER audit_append_only_delete; \
         UPDATE audit SET detail = 'accepted 99' WHERE seq = 3;",
    )
    .unwrap();
    assert_eq!(check().broken.map(|b| b.0), Some(3));
    conn.execute("UPDATE audit SET detail = 'accepted 2' WHERE seq = 3", [])
        .unwrap();
    assert_eq!(check().broken, None, "restored, it verifies again");
    // An entry removed: found where the sequence breaks.
    conn.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    let gap = check().broken.unwrap();
    assert_eq!(gap.0, 3);
    assert!(gap.1.contains("missing"), "{}", gap.1);
}

#[test]
fn another_programs_database_is_refused_and_left_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let key = DataKey::random().unwrap();
    for (name, sql) in [
        ("tables.db", "CREATE TABLE notes (t TEXT)"),
        ("application.db", "PRAGMA application_id = 1234"),
        ("versioned.db", "PRAGMA user_version = 7"),
        ("view.db", "CREATE VIEW v AS SELECT 1"),
        ("emptied.db", "CREATE TABLE t (x); DROP TABLE t"),
    ] {
        let path = dir.path().join(name);
        Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let before = std::fs::read(&path).unwrap();
        for (opening, key) in [
            (Opening::Serve, None),
            (Opening::Serve, Some(&key)),
            (Opening::Admin, None),
            (Opening::Admin, Some(&key)),
        ] {
            let e = open_writer(&path, key, opening).unwrap_err();
            assert!(e.to_string().contains("bukan penyimpanan server"), "{name}: {e}");
        }
        assert_eq!(std::fs::read(&path).unwrap(), before, "{name}: the same bytes");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "{name}: its mode left alone");
    }
}
