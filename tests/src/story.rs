//! The story of the server's storage, told against its traits (`pendamping_server::storage`)
//! and nothing else: what any implementation must do, SQLite now and PostgreSQL next. Each
//! chapter takes a fresh, empty store from `make`; `tests/tests/all/storage_story.rs` runs
//! them on SQLite.

use std::collections::BTreeSet;

use pendamping_core::{Change, Entity, Hlc};
use pendamping_protocol::{ConflictNote, RejectCode, Rejection, Role, Scope, Winner};
use pendamping_server::storage::{
    AccountRow, CodeRow, DeviceRow, Entry, Home, Issued, NewChange, Quarantined, Reader, Setting, Storage, Stored, Tx,
    Upstream, Which,
};
use uuid::Uuid;

/// A fresh, empty store, and whatever keeps it alive (a directory, a cluster).
pub type Make<'a> = &'a dyn Fn() -> (Box<dyn std::any::Any>, Box<dyn Storage>);

/// Every chapter, each on its own store.
pub fn all(make: Make) {
    settings(make);
    transactions(make);
    devices(make);
    accounts(make);
    audit(make);
    records(make);
    pages(make);
    pages_while_writing(make);
    refusals(make);
    upstream(make);
}

/// A fresh, empty store opened twice, as two server processes open one database.
pub type MakeTwo<'a> = &'a dyn Fn() -> (Box<dyn std::any::Any>, Box<dyn Storage>, Box<dyn Storage>);

/// What holds when several processes share one store: writers through either handle
/// commit in one order, a reader through either never skips a change, and the same
/// change arriving through both at once is kept once.
pub fn processes(make: MakeTwo) {
    two_writers_one_order(make);
    the_same_change_through_both(make);
}

fn two_writers_one_order(make: MakeTwo) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let (_keep, a, b) = make();
    let handles: [std::sync::Arc<dyn Storage>; 2] = [std::sync::Arc::from(a), std::sync::Arc::from(b)];
    let scope = Scope::new(Role::Cadre, &[V1]).unwrap();
    let (writers, each) = (4u64, 40u64);
    let done = AtomicBool::new(false);
    std::thread::scope(|threads| {
        let running: Vec<_> = (0..writers)
            .map(|w| {
                let s = handles[(w % 2) as usize].clone();
                threads.spawn(move || {
                    for i in 0..each {
                        let n = 5_000 + w * each + i;
                        let (id, body) = change(n, V1, Uuid::from_u128(n as u128));
                        // One writer dawdles after its append, inside its transaction,
                        // while the others commit: a later sequence must not show before
                        // this one commits (without the writer lock, this chapter fails).
                        commit(&*s, |t| {
                            append(t, &id, V1, &format!("w{w}"), None, &body);
                            if w == 0 && i % 8 == 0 {
                                std::thread::sleep(std::time::Duration::from_millis(40));
                            }
                        });
                    }
                })
            })
            .collect();
        threads.spawn(|| {
            for r in running {
                r.join().unwrap();
            }
            done.store(true, Ordering::SeqCst);
        });
        let reader = Reader {
            scope: &scope,
            device_id: "reader",
            count: true,
        };
        let (mut since, mut got, mut turn) = (0u64, BTreeSet::new(), 0usize);
        loop {
            let finished = done.load(Ordering::SeqCst);
            turn += 1;
            let page = read(&*handles[turn % 2], |t| t.page(&reader, since, 5).unwrap()).unwrap();
            for b in &page.bodies {
                let c: Change = serde_json::from_str(b).unwrap();
                assert!(got.insert(c.change_id), "a change twice");
            }
            since = page.next;
            if finished && !page.more {
                break;
            }
        }
        assert_eq!(
            got.len() as u64,
            writers * each,
            "every change once, through either handle"
        );
    });
    // The view's catch-up reads the whole log in the same order.
    let all = read(&*handles[0], |t| t.after(0, 10_000).unwrap());
    assert_eq!(all.len() as u64, writers * each);
    assert!(all.windows(2).all(|w| w[0].0 < w[1].0), "one order");
}

fn the_same_change_through_both(make: MakeTwo) {
    let (_keep, a, b) = make();
    let handles: [std::sync::Arc<dyn Storage>; 2] = [std::sync::Arc::from(a), std::sync::Arc::from(b)];
    let ids: Vec<(Uuid, String)> = (0..50u64)
        .map(|n| change(9_000 + n, V1, Uuid::from_u128(n as u128)))
        .collect();
    std::thread::scope(|threads| {
        for h in &handles {
            let ids = &ids;
            threads.spawn(move || {
                for (id, body) in ids {
                    // What ingest does: asks, then appends, in one write transaction.
                    commit(&**h, |t| {
                        if !t.change_known(id).unwrap() {
                            append(t, id, V1, "d1", None, body);
                        }
                    });
                }
            });
        }
    });
    let all = read(&*handles[1], |t| t.after(0, 1_000).unwrap());
    assert_eq!(all.len(), ids.len(), "each change kept once");
}

fn commit<T>(s: &dyn Storage, f: impl FnOnce(&mut dyn Tx) -> T) -> T {
    let mut tx = s.write().expect("a write transaction");
    let out = f(&mut *tx);
    tx.commit().expect("commit");
    out
}

fn read<T>(s: &dyn Storage, f: impl FnOnce(&mut dyn Tx) -> T) -> T {
    let mut tx = s.read().expect("a read snapshot");
    f(&mut *tx)
}

/// A change of a household in `village`, its body as the log keeps it.
pub fn change(n: u64, village: &str, row: Uuid) -> (Uuid, String) {
    let c = Change {
        change_id: Uuid::from_u128(0xC000_0000 + n as u128),
        entity: Entity::Household,
        row_id: row,
        area_code: village.to_string(),
        hlc: Hlc {
            millis: 1_000 + n,
            counter: 0,
            node: 7,
        },
        fields: [
            ("area_code".to_string(), serde_json::json!(village)),
            ("head_name".to_string(), serde_json::json!(format!("Kepala {n}"))),
        ]
        .into_iter()
        .collect(),
    };
    (c.change_id, serde_json::to_string(&c).expect("a change serialises"))
}

fn append(tx: &mut dyn Tx, id: &Uuid, village: &str, origin: &str, via: Option<&str>, body: &str) -> i64 {
    tx.append(&NewChange {
        change_id: id,
        area_code: village,
        origin,
        via,
        upstream: Some(Upstream::Confirmed),
        seal: None,
        received_at: 5,
        body,
    })
    .expect("appended")
}

fn settings(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    assert_eq!(read(s, |t| t.setting(Setting::StoreId).unwrap()), None);
    commit(s, |t| {
        t.set_setting(Setting::StoreId, "a").unwrap();
        t.set_setting(Setting::Upstream("server"), "https://pusat").unwrap();
        t.set_setting(Setting::HubPort, "8788").unwrap();
    });
    commit(s, |t| t.set_setting(Setting::StoreId, "b").unwrap());
    read(s, |t| {
        assert_eq!(t.setting(Setting::StoreId).unwrap().as_deref(), Some("b"), "replaced");
        assert_eq!(
            t.setting(Setting::Upstream("server")).unwrap().as_deref(),
            Some("https://pusat")
        );
        assert_eq!(
            t.setting(Setting::Upstream("token")).unwrap(),
            None,
            "each setting its own"
        );
        assert_eq!(t.setting(Setting::HubPort).unwrap().as_deref(), Some("8788"));
        assert_eq!(t.setting(Setting::NikSalt).unwrap(), None);
    });
    // The hub's scope is the upstream sync's own `scope` setting: one value, two names.
    commit(s, |t| t.set_setting(Setting::Upstream("scope"), "{}").unwrap());
    assert_eq!(
        read(s, |t| t.setting(Setting::HubScope).unwrap()).as_deref(),
        Some("{}")
    );
    commit(s, |t| t.clear_setting(Setting::Upstream("server")).unwrap());
    assert_eq!(read(s, |t| t.setting(Setting::Upstream("server")).unwrap()), None);
}

fn transactions(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    // Dropped without a commit: nothing of it stays.
    {
        let mut tx = s.write().unwrap();
        tx.set_setting(Setting::StoreId, "lost").unwrap();
        let (id, body) = change(1, "3602012002", Uuid::from_u128(1));
        append(&mut *tx, &id, "3602012002", "d1", None, &body);
    }
    read(s, |t| {
        assert_eq!(t.setting(Setting::StoreId).unwrap(), None);
        assert!(t.after(0, 10).unwrap().is_empty());
    });
    // A snapshot sees what was committed when it began, not what is committed after.
    let mut snapshot = s.read().unwrap();
    assert!(snapshot.after(0, 10).unwrap().is_empty());
    // A sequence rolled back may be a gap (PostgreSQL's are); the log's order is all a
    // reader relies on.
    let seq = commit(s, |t| {
        let (id, body) = change(2, "3602012002", Uuid::from_u128(2));
        append(t, &id, "3602012002", "d1", None, &body)
    });
    assert!(snapshot.after(0, 10).unwrap().is_empty(), "the snapshot holds");
    drop(snapshot);
    assert_eq!(read(s, |t| t.latest().unwrap()), seq as u64);
    assert_eq!(read(s, |t| t.after(0, 10).unwrap().len()), 1);
    // A write through a snapshot fails, and says so.
    let mut snapshot = s.read().unwrap();
    assert!(snapshot.set_setting(Setting::StoreId, "x").is_err());
}

fn device(id: &str, token: u8, revoked_at: Option<i64>) -> DeviceRow {
    DeviceRow {
        id: id.to_string(),
        name: format!("tablet {id}"),
        user_name: "Siti".into(),
        role: "cadre".into(),
        scope: "3602012002".into(),
        token_hash: vec![token; 32],
        enrolled_at: 10 + token as i64,
        expires_at: 1_000,
        revoked_at,
        last_seen_at: None,
        public_key: Some(vec![token; 32]),
        rules_version: None,
        tables_version: None,
    }
}

fn devices(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    let code = CodeRow {
        user_name: "Siti".into(),
        role: "cadre".into(),
        scope: "3602012002".into(),
        created_at: 1,
        expires_at: 100,
        used_at: None,
        device_id: None,
        nonce_hash: None,
    };
    commit(s, |t| t.add_code(b"code-hash", &code).unwrap());
    assert_eq!(read(s, |t| t.code(b"code-hash").unwrap()), Some(code.clone()));
    assert_eq!(read(s, |t| t.code(b"other").unwrap()), None);
    commit(s, |t| {
        t.add_device(&device("d1", 1, None)).unwrap();
        t.use_code(b"code-hash", 5, "d1", Some(b"nonce")).unwrap();
    });
    let used = read(s, |t| t.code(b"code-hash").unwrap()).unwrap();
    assert_eq!(
        (used.used_at, used.device_id.as_deref(), used.nonce_hash.as_deref()),
        (Some(5), Some("d1"), Some(&b"nonce"[..]))
    );
    assert_eq!(
        read(s, |t| t.device_by_token(&[1; 32]).unwrap()).map(|d| d.id),
        Some("d1".into())
    );
    assert_eq!(read(s, |t| t.device_by_token(&[9; 32]).unwrap()), None);

    // A new token and key for a device not revoked.
    assert!(commit(s, |t| t.retoken("d1", &[2; 32], &[3; 32]).unwrap()));
    assert_eq!(
        read(s, |t| t.device_by_token(&[1; 32]).unwrap()),
        None,
        "the old token is void"
    );
    let d1 = read(s, |t| t.device("d1").unwrap()).unwrap();
    assert_eq!((d1.token_hash, d1.public_key), (vec![2; 32], Some(vec![3; 32])));
    assert!(!commit(s, |t| t.retoken("nobody", &[4; 32], &[4; 32]).unwrap()));

    commit(s, |t| t.touch("d1", 77).unwrap());
    assert!(
        commit(s, |t| t.note_versions("d1", "r1", "t1").unwrap()),
        "new versions"
    );
    assert!(
        !commit(s, |t| t.note_versions("d1", "r1", "t1").unwrap()),
        "the same again"
    );
    let d1 = read(s, |t| t.device("d1").unwrap()).unwrap();
    assert_eq!(
        (
            d1.last_seen_at,
            d1.rules_version.as_deref(),
            d1.tables_version.as_deref()
        ),
        (Some(77), Some("r1"), Some("t1"))
    );

    // A revocation is kept at its first time; a revoked device takes no new token.
    assert!(commit(s, |t| t.revoke("d1", 100).unwrap()));
    assert!(commit(s, |t| t.revoke("d1", 200).unwrap()));
    assert_eq!(read(s, |t| t.device("d1").unwrap()).unwrap().revoked_at, Some(100));
    assert!(!commit(s, |t| t.revoke("nobody", 1).unwrap()));
    assert!(!commit(s, |t| t.retoken("d1", &[5; 32], &[5; 32]).unwrap()));

    // Devices taken from another registry: the centre keeps its own copy but takes a
    // revocation; a hub takes the centre's word; a token another device holds is refused.
    commit(s, |t| {
        assert!(t.take_device(&device("d2", 6, None), Home::Here).unwrap());
        let mut renamed = device("d2", 6, Some(300));
        renamed.name = "renamed".into();
        assert!(t.take_device(&renamed, Home::Here).unwrap());
        assert!(t.take_device(&device("d3", 7, None), Home::Upstream).unwrap());
        let mut renewed = device("d3", 8, None);
        renewed.expires_at = 5_000;
        assert!(t.take_device(&renewed, Home::Upstream).unwrap());
        assert!(
            !t.take_device(&device("d4", 8, None), Home::Upstream).unwrap(),
            "token of d3"
        );
    });
    let d2 = read(s, |t| t.device("d2").unwrap()).unwrap();
    assert_eq!((d2.name.as_str(), d2.revoked_at), ("tablet d2", Some(300)));
    let d3 = read(s, |t| t.device("d3").unwrap()).unwrap();
    assert_eq!((d3.token_hash, d3.expires_at), (vec![8; 32], 5_000));
    assert_eq!(read(s, |t| t.device("d4").unwrap()), None);

    let ids = |w: Which| -> Vec<String> { read(s, |t| t.devices(w).unwrap()).into_iter().map(|d| d.id).collect() };
    assert_eq!(ids(Which::All), ["d1", "d2", "d3"], "in order of enrolment");
    assert_eq!(ids(Which::Except("d2")), ["d1", "d3"]);
    // To hand up: enrolled here (d2, taken as a hub's) or revoked here (d1), until uploaded.
    assert_eq!(ids(Which::NotUploaded), ["d1", "d2"]);
    commit(s, |t| t.mark_uploaded(&["d1".into(), "d2".into()], 400).unwrap());
    assert!(ids(Which::NotUploaded).is_empty());
    commit(s, |t| t.revoke("d3", 500).unwrap());
    assert_eq!(ids(Which::NotUploaded), ["d3"], "a revocation is handed up again");

    // Recovery codes, with their device's revocation.
    let issued = Issued {
        device_id: "d3",
        by: "admin",
        at_ms: 10,
        expires_at: 20,
    };
    commit(s, |t| t.add_recovery_code(b"rc", &issued).unwrap());
    let rc = read(s, |t| t.recovery_code(b"rc").unwrap()).unwrap();
    assert_eq!(
        (rc.device_id.as_str(), rc.expires_at, rc.used_at, rc.revoked_at),
        ("d3", 20, None, Some(500))
    );
    commit(s, |t| t.use_recovery_code(b"rc", 15, "reply-key").unwrap());
    let rc = read(s, |t| t.recovery_code(b"rc").unwrap()).unwrap();
    assert_eq!((rc.used_at, rc.reply_to.as_deref()), (Some(15), Some("reply-key")));
    assert_eq!(read(s, |t| t.recovery_code(b"none").unwrap()), None);
}

fn accounts(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    let row = |name: &str| AccountRow {
        name: name.into(),
        role: "plkb".into(),
        areas: "360201".into(),
        hash: format!("$argon2id$ {name}"),
        disabled_at: None,
    };
    commit(s, |t| {
        t.add_account(&row("sari"), 1).unwrap();
        t.add_account(&row("budi"), 1).unwrap();
    });
    assert!(commit(s, |t| t.disable_account("budi", 9).unwrap()));
    assert!(
        !commit(s, |t| t.disable_account("budi", 10).unwrap()),
        "already disabled"
    );
    assert!(!commit(s, |t| t.disable_account("nobody", 10).unwrap()));
    assert_eq!(read(s, |t| t.account("sari").unwrap()), Some(row("sari")));
    assert_eq!(read(s, |t| t.account("budi").unwrap()).unwrap().disabled_at, Some(9));
    assert_eq!(read(s, |t| t.account("nobody").unwrap()), None);
    let names: Vec<String> = read(s, |t| t.accounts().unwrap()).into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["budi", "sari"], "by name");
}

fn audit(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    assert_eq!(read(s, |t| t.audit_head().unwrap()), None);
    let entry = |seq: i64| Entry {
        seq,
        at_ms: seq * 10,
        actor: "admin".into(),
        action: "revoked".into(),
        subject: format!("d{seq}"),
        detail: String::new(),
        hash: vec![seq as u8; 32],
    };
    commit(s, |t| {
        for seq in 1..=5 {
            t.audit_append(&entry(seq)).unwrap();
        }
    });
    assert_eq!(read(s, |t| t.audit_head().unwrap()), Some((5, vec![5; 32])));
    let recent: Vec<i64> = read(s, |t| t.audit_recent(2).unwrap()).iter().map(|e| e.seq).collect();
    assert_eq!(recent, [5, 4], "newest first");
    let mut walked = Vec::new();
    read(s, |t| {
        t.audit_walk(&mut |e| {
            walked.push(e.clone());
            e.seq < 3
        })
        .unwrap()
    });
    assert_eq!(walked, [entry(1), entry(2), entry(3)], "in order, until told to stop");
}

fn records(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    let row = Uuid::from_u128(42);
    let (id, body) = change(1, "3602012002", row);
    let seq = commit(s, |t| {
        let seq = append(t, &id, "3602012002", "d1", None, &body);
        t.put_first(Entity::Household, &row, "3602012002", seq).unwrap();
        seq
    });
    assert!(read(s, |t| t.change_known(&id).unwrap()));
    assert!(!read(s, |t| t.change_known(&Uuid::from_u128(7)).unwrap()));
    assert_eq!(
        read(s, |t| t.change_path(&id).unwrap()),
        Some(("d1".to_string(), Some(Upstream::Confirmed)))
    );
    // A row made by one change is that change, each field written at its sequence.
    let first = read(s, |t| t.record(Entity::Household, &row).unwrap()).unwrap();
    assert_eq!(first.area_code, "3602012002");
    assert_eq!(first.state["head_name"].value, serde_json::json!("Kepala 1"));
    assert!(first.seqs.values().all(|s| *s == seq));
    let mut merged = Stored {
        area_code: "3602012003".into(),
        ..first.clone()
    };
    merged.seqs.insert("head_name".into(), seq + 1);
    commit(s, |t| t.put_record(Entity::Household, &row, &merged).unwrap());
    assert_eq!(read(s, |t| t.record(Entity::Household, &row).unwrap()), Some(merged));
    assert_eq!(read(s, |t| t.record(Entity::Person, &row).unwrap()), None, "per entity");
}

/// Villages of one kecamatan, and one of another.
const V1: &str = "3602012002";
const V2: &str = "3602012003";
const ELSEWHERE: &str = "3602022002";

fn pages(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    let mut n = 0;
    commit(s, |t| {
        for (village, origin, via) in [
            (V1, "d1", None),
            (V2, "d2", None),
            (ELSEWHERE, "d3", None),
            (V1, "reader", None),
            (V2, "d2", Some("reader")),
            (V1, "d1", None),
        ] {
            n += 1;
            let (id, body) = change(n, village, Uuid::from_u128(n as u128));
            append(t, &id, village, origin, via, &body);
        }
    });
    let scope = Scope::new(Role::Plkb, &["360201"]).unwrap();
    let reader = Reader {
        scope: &scope,
        device_id: "reader",
        count: true,
    };
    // What the reader may see: its kecamatan's, not what it made or relayed itself.
    let mut seen = Vec::new();
    let mut since = 0;
    loop {
        let page = read(s, |t| t.page(&reader, since, 1).unwrap()).unwrap();
        let uncounted = Reader { count: false, ..reader };
        let same = read(s, |t| t.page(&uncounted, since, 1).unwrap()).unwrap();
        assert_eq!((&same.bodies, same.next), (&page.bodies, page.next));
        assert!(page.more || same.remaining == Some(0));
        assert!(
            !page.more || same.remaining.is_none(),
            "a page not asked to count does not"
        );
        assert!(page.bodies.len() <= 1);
        seen.extend(page.origins.iter().cloned());
        assert!(page.next >= since, "the cursor never goes back");
        since = page.next;
        if !page.more {
            assert_eq!(page.remaining, Some(0));
            break;
        }
        // Three are visible in all (below): what remains is what was not seen yet.
        assert_eq!(page.remaining, Some(3 - seen.len() as u64));
    }
    assert_eq!(seen, ["d1", "d2", "d1"]);
    assert_eq!(since, 6, "a last page ends at the log's end");
    let ahead = read(s, |t| t.page(&reader, 99, 10).unwrap());
    assert_eq!(ahead.unwrap_err().latest, 6, "a cursor past the end is said to be");
    // The view's catch-up: everything after a sequence, bodies as appended.
    let after = read(s, |t| t.after(4, 10).unwrap());
    assert_eq!(after.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [5, 6]);
    assert_eq!(after[1].1, change(6, V1, Uuid::from_u128(6)).1);
    // A scope of hundreds of villages (a regency) reads the same, whatever way the store
    // reads it.
    let wide = Scope::new(Role::Admin, &["3602"]).unwrap();
    assert!(wide.villages().len() > 100);
    let reader = Reader {
        scope: &wide,
        device_id: "reader",
        count: true,
    };
    let mut seen = Vec::new();
    let mut since = 0;
    loop {
        let page = read(s, |t| t.page(&reader, since, 2).unwrap()).unwrap();
        seen.extend(page.origins.iter().cloned());
        since = page.next;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, ["d1", "d2", "d3", "d1"]);
}

/// The visibility contract: a reader going on from each page's cursor while writers append
/// gets every change once, and none it returned was followed later by an earlier one.
fn pages_while_writing(make: Make) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let (_keep, s) = make();
    let s: std::sync::Arc<dyn Storage> = std::sync::Arc::from(s);
    let scope = Scope::new(Role::Cadre, &[V1]).unwrap();
    let (writers, each) = (3u64, 60u64);
    let done = AtomicBool::new(false);
    std::thread::scope(|threads| {
        let running: Vec<_> = (0..writers)
            .map(|w| {
                let s = s.clone();
                threads.spawn(move || {
                    for i in 0..each {
                        let n = 1_000 + w * each + i;
                        let (id, body) = change(n, V1, Uuid::from_u128(n as u128));
                        commit(&*s, |t| append(t, &id, V1, &format!("w{w}"), None, &body));
                    }
                })
            })
            .collect();
        threads.spawn(|| {
            for r in running {
                r.join().unwrap();
            }
            done.store(true, Ordering::SeqCst);
        });
        let reader = Reader {
            scope: &scope,
            device_id: "reader",
            count: true,
        };
        let (mut since, mut got) = (0u64, BTreeSet::new());
        loop {
            // Read before the page: if the writers had all finished, this page sees all.
            let finished = done.load(Ordering::SeqCst);
            let page = read(&*s, |t| t.page(&reader, since, 7).unwrap()).unwrap();
            for b in &page.bodies {
                let c: Change = serde_json::from_str(b).unwrap();
                assert!(got.insert(c.change_id), "a change twice");
            }
            since = page.next;
            if finished && !page.more {
                break;
            }
        }
        // A page that skipped a change still being written would have left it behind the
        // cursor for good.
        assert_eq!(got.len() as u64, writers * each, "every change, once");
    });
}

fn refusals(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    let id = Uuid::from_u128(5);
    let rejection = |message: &str| Rejection {
        change_id: id,
        code: RejectCode::Invalid,
        field: Some("nik".into()),
        message: message.into(),
    };
    assert!(!read(s, |t| t.any_quarantined().unwrap()));
    for message in ["first", "again"] {
        let r = rejection(message);
        commit(s, |t| {
            t.quarantine(&Quarantined {
                rejection: &r,
                device_id: "d1",
                body: "{}",
                received_at: 3,
            })
            .unwrap()
        });
    }
    assert!(read(s, |t| t.any_quarantined().unwrap()));
    assert_eq!(
        read(s, |t| t.refusal(&id, "d1").unwrap()),
        Some(rejection("again")),
        "replaced"
    );
    assert_eq!(
        read(s, |t| t.refusal(&id, "d2").unwrap()),
        None,
        "another device learns nothing"
    );
    let listed = read(s, |t| t.not_used(10).unwrap());
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].place, listed[0].message.as_str()), ("quarantine", "again"));
    commit(s, |t| t.release(&id).unwrap());
    assert!(!read(s, |t| t.any_quarantined().unwrap()));

    // Conflicts are noted; rows of the log no reader can read are set aside, once each.
    let note = ConflictNote {
        change_id: id,
        entity: Entity::Person,
        row_id: Uuid::from_u128(9),
        field: "name".into(),
        yours: serde_json::json!("A"),
        your_hlc: Hlc {
            millis: 1,
            counter: 0,
            node: 1,
        },
        theirs: serde_json::json!("B"),
        their_hlc: Hlc {
            millis: 2,
            counter: 0,
            node: 2,
        },
        winner: Winner::Theirs,
    };
    commit(s, |t| t.note_conflict(&note, "d1", 4).unwrap());
    let seqs = commit(s, |t| {
        (1..=2)
            .map(|n| {
                let (cid, body) = change(n, V1, Uuid::from_u128(n as u128));
                append(t, &cid, V1, "d1", None, &body)
            })
            .collect::<Vec<_>>()
    });
    let rows: Vec<(i64, String)> = seqs.iter().map(|s| (*s, "unreadable".to_string())).collect();
    assert_eq!(commit(s, |t| t.set_aside(&rows, 6).unwrap()), 2);
    assert_eq!(commit(s, |t| t.set_aside(&rows[..1], 7).unwrap()), 2, "once each");
    assert_eq!(read(s, |t| t.set_aside_count().unwrap()), 2);
    let listed = read(s, |t| t.not_used(10).unwrap());
    assert_eq!(listed.iter().filter(|n| n.place == "set aside").count(), 2);
}

fn upstream(make: Make) {
    let (_keep, s) = make();
    let s = &*s;
    let ids: Vec<Uuid> = commit(s, |t| {
        let seal = t.keep_seal("d1", b"kept").unwrap();
        (1..=4u64)
            .map(|n| {
                let (id, body) = change(n, V1, Uuid::from_u128(n as u128));
                t.append(&NewChange {
                    change_id: &id,
                    area_code: V1,
                    origin: "d1",
                    via: None,
                    upstream: None,
                    seal: Some((seal, n as u32)),
                    received_at: 1,
                    body: &body,
                })
                .unwrap();
                id
            })
            .collect()
    });
    read(s, |t| {
        assert_eq!(t.unsent_count().unwrap(), 4);
        let unsent = t.unsent(10).unwrap();
        assert_eq!(unsent.len(), 4);
        assert_eq!(unsent[1].origin, "d1");
        assert_eq!(
            unsent[1].seal.as_ref().map(|s| (s.1, s.2.clone())),
            Some((2, b"kept".to_vec()))
        );
        assert_eq!(t.unsent(2).unwrap().len(), 2, "a limited page");
    });
    commit(s, |t| t.set_upstream(&ids[..3], Some(Upstream::Held)).unwrap());
    let held: Vec<Uuid> = read(s, |t| t.held(0, 10).unwrap())
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(held, ids[..3]);
    let after_first = read(s, |t| t.held(1, 10).unwrap());
    assert_eq!(after_first.len(), 2);
    // Confirmed and refused: the seal's hashes are forgotten only when none can go again.
    commit(s, |t| {
        t.set_upstream(&ids[..2], Some(Upstream::Confirmed)).unwrap();
        t.forget_closed_seals(&ids[..2]).unwrap();
    });
    assert_eq!(
        read(s, |t| t.unsent(10).unwrap())[0].seal.as_ref().map(|s| s.2.clone()),
        Some(b"kept".to_vec())
    );
    let refused = Rejection {
        change_id: ids[2],
        code: RejectCode::ForbiddenArea,
        field: Some("area_code".into()),
        message: "di luar wilayah".into(),
    };
    commit(s, |t| {
        t.refused_upstream(std::slice::from_ref(&refused), 9).unwrap();
        t.set_upstream(&ids[3..], Some(Upstream::Confirmed)).unwrap();
        t.forget_closed_seals(&ids).unwrap();
    });
    assert_eq!(read(s, |t| t.upstream_refusal(&ids[2]).unwrap()), Some(refused));
    assert_eq!(read(s, |t| t.upstream_refusal(&ids[0]).unwrap()), None);
    assert_eq!(
        read(s, |t| t.change_path(&ids[2]).unwrap()).unwrap().1,
        Some(Upstream::Refused)
    );
    let b = read(s, |t| t.backlog().unwrap());
    assert_eq!((b.unsent, b.held, b.confirmed, b.refused), (0, 0, 3, 1));
}
