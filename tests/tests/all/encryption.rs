//! The device store encrypted at rest: no name or NIK readable in its files, no opening
//! without the key, and the same data back after a restart and after a plain store of an
//! earlier version is encrypted in place.

use std::path::Path;

use pendamping_store::{DataKey, Options, Store, StoreError, encrypt_file, is_plain};
use pendamping_tests::*;

const NAME: &str = "Siti Aminah";

/// Every file of the store (the database, its log), read raw as a thief would.
fn raw(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(b) = std::fs::read(&p) {
            bytes.extend(b);
        }
    }
    bytes
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A plain store (an earlier version's) with one family: its dump.
fn plain_store_with_a_family(path: &Path) -> String {
    let mut s = Store::open(path, options(clock_at(d(2026, 12, 1)))).unwrap();
    family_with_child(&mut s, 1, "3602012002", d(2025, 6, 1));
    dump(&s)
}

fn keyed(key: &DataKey) -> Options {
    Options {
        time: clock_at(d(2026, 12, 1)),
        key: Some(key.clone()),
        ..Options::default()
    }
}

#[test]
fn an_encrypted_store_shows_no_name_or_nik_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pendamping.db");
    let key = DataKey::random().unwrap();
    let (mother, nik) = {
        let mut s = Store::open(&path, keyed(&key)).unwrap();
        let (_, mother, ..) = family_with_child(&mut s, 1, "3602012002", d(2025, 6, 1));
        assert_eq!(mother.name, NAME);
        (mother.id, mother.nik.clone().expect("the mother has a NIK"))
        // Dropped with its log still beside it, as after a crash.
    };
    let bytes = raw(&path);
    assert!(bytes.len() > 32_768, "the store was written");
    assert!(!contains(&bytes, NAME), "a name in the file");
    assert!(!contains(&bytes, &nik), "a NIK in the file");
    assert!(!contains(&bytes, "SQLite format 3"), "not even the header is plain");
    assert!(!is_plain(&path).unwrap());

    // Without a key, or with another, it does not open.
    assert!(Store::open(&path, Options::default()).is_err());
    let other = DataKey::random().unwrap();
    assert!(matches!(Store::open(&path, keyed(&other)), Err(StoreError::WrongKey)));
    // With its key, after the "restart", everything is there.
    let s = Store::open(&path, keyed(&key)).unwrap();
    assert!(s.integrity_ok().unwrap());
    let found = s.person(mother).unwrap().expect("the mother is there");
    assert_eq!((found.name.as_str(), found.nik.as_deref()), (NAME, Some(nik.as_str())));
    assert_eq!(s.search_persons(&nik, Some(&at("3602012002")), 10).unwrap().len(), 1);
}

#[test]
fn a_plain_store_of_an_earlier_version_is_encrypted_in_place_with_everything_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pendamping.db");
    let before = plain_store_with_a_family(&path);
    assert!(is_plain(&path).unwrap());
    assert!(contains(&raw(&path), NAME));
    let key = DataKey::random().unwrap();
    let mut swapped = false;
    encrypt_file(&path, &key, || {
        swapped = true;
        Ok::<(), StoreError>(())
    })
    .unwrap();
    assert!(swapped);
    assert!(!is_plain(&path).unwrap());
    assert!(!contains(&raw(&path), NAME));
    let s = Store::open(&path, keyed(&key)).unwrap();
    assert_eq!(dump(&s), before, "the same rows, fields and stamps");
    assert!(s.integrity_ok().unwrap());
}

#[test]
fn an_encryption_stopped_before_the_swap_leaves_the_plain_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pendamping.db");
    let before = plain_store_with_a_family(&path);
    let key = DataKey::random().unwrap();
    // The key file could not be written: the plain store stays, whole and usable.
    let failed = encrypt_file(&path, &key, || Err(StoreError::WrongKey));
    assert!(failed.is_err());
    assert!(is_plain(&path).unwrap());
    let mut copy = path.as_os_str().to_owned();
    copy.push(".encrypting");
    assert!(!std::path::Path::new(&copy).exists(), "no encrypted copy left behind");
    let s = Store::open(&path, options(clock_at(d(2026, 12, 1)))).unwrap();
    assert_eq!(dump(&s), before);
}

/// A raw connection keyed as SQLCipher's defaults would (HMAC-SHA512), the format of the
/// stores encrypted before the HMAC became SHA-256: whether it reads the file.
fn opens_as_sha512(path: &Path, key: &DataKey) -> bool {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"{}\"; PRAGMA cipher_page_size = 8192; PRAGMA cipher_hmac_algorithm = HMAC_SHA512;",
        key.sqlcipher_key().as_str()
    ))
    .unwrap();
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .is_ok()
}

#[test]
fn a_store_encrypted_in_the_earlier_format_opens_and_is_carried_over_with_everything_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pendamping.db");
    let before = plain_store_with_a_family(&path);
    let key = DataKey::random().unwrap();
    // Encrypted as the earlier version did: SQLCipher's default HMAC-SHA512.
    let legacy = dir.path().join("legacy.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        conn.execute(
            "ATTACH DATABASE ?1 AS old KEY ?2",
            rusqlite::params![legacy.to_string_lossy(), key.sqlcipher_key().as_str()],
        )
        .unwrap();
        conn.execute_batch("PRAGMA old.cipher_page_size = 8192; PRAGMA old.cipher_hmac_algorithm = HMAC_SHA512;")
            .unwrap();
        conn.query_row("SELECT sqlcipher_export('old')", [], |_| Ok(()))
            .unwrap();
        conn.execute_batch(&format!("PRAGMA old.user_version = {version}; DETACH DATABASE old;"))
            .unwrap();
    }
    std::fs::rename(&legacy, &path).unwrap();
    assert!(opens_as_sha512(&path, &key), "the file is in the earlier format");

    assert!(matches!(
        Store::open(&path, keyed(&DataKey::random().unwrap())),
        Err(StoreError::WrongKey)
    ));
    assert!(opens_as_sha512(&path, &key), "a wrong key changes nothing");
    let s = Store::open(&path, keyed(&key)).unwrap();
    assert_eq!(dump(&s), before, "the same rows, fields and stamps");
    assert!(s.integrity_ok().unwrap());
    drop(s);
    assert!(!opens_as_sha512(&path, &key), "carried over into the current format");
    assert!(!contains(&raw(&path), NAME));
    let s = Store::open(&path, keyed(&key)).unwrap();
    assert_eq!(dump(&s), before);
}
