use super::*;

fn opts() -> Options {
    Options::default()
}

#[test]
fn a_fresh_store_is_at_the_latest_schema() {
    let store = Store::open_in_memory(opts()).unwrap();
    assert_eq!(migrate::version(&store.conn).unwrap(), SCHEMA_VERSION);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn a_version_1_store_upgrades_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate::migrate_to(&mut conn, 1).unwrap();
        conn.execute(
            "INSERT INTO households (id, area_code, hlc, clocks, head_name) VALUES ('h1', '3602012002', ?1, '', 'Ahmad')",
            ["0000000000001-0000-0000000000000001"],
        )
        .unwrap();
        assert_eq!(migrate::version(&conn).unwrap(), 1);
    }
    let store = Store::open(&path, opts()).unwrap();
    assert_eq!(migrate::version(&store.conn).unwrap(), SCHEMA_VERSION);
    let name: String = store
        .conn
        .query_row("SELECT head_name FROM households WHERE id = 'h1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Ahmad");
    let conflicts: i64 = store
        .conn
        .query_row("SELECT COUNT(*) FROM conflicts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(conflicts, 0, "version 2 tables exist");
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Store::open(&path, opts()).unwrap());
    {
        // As a newer version would leave it: its tables, and a version past ours.
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    }
    match Store::open(&path, opts()) {
        Err(StoreError::NewerSchema { found, supported }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("opened a newer store"),
    }
}

#[test]
fn a_rules_file_that_cannot_be_used_is_a_store_error() {
    assert_eq!(
        rules_from_toml(pendamping_core::rules::SHIPPED).unwrap(),
        Rules::default()
    );
    let err = rules_from_toml("version = 1").unwrap_err();
    assert_eq!(err.code(), "rules");
}

#[test]
fn the_device_id_and_clock_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let first = Store::open(&path, opts()).unwrap();
    let id = first.device_id();
    drop(first);
    assert_eq!(Store::open(&path, opts()).unwrap().device_id(), id);
}

#[test]
fn a_version_5_store_upgrades_with_its_outbox_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        migrate::migrate_to(&mut conn, 5).unwrap();
        for id in ["c1", "c2", "c3"] {
            conn.execute(
                "INSERT INTO outbox (change_id, row_id, body) VALUES (?1, 'r', '{}')",
                [id],
            )
            .unwrap();
        }
        conn.execute("DELETE FROM outbox WHERE change_id = 'c3'", []).unwrap();
    }
    let store = Store::open(&path, opts()).unwrap();
    let conn = &store.conn;
    conn.execute(
        "INSERT INTO outbox (change_id, row_id, body) VALUES ('c4', 'r', '{}')",
        [],
    )
    .unwrap();
    let order: Vec<String> = conn
        .prepare("SELECT change_id FROM outbox ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<std::result::Result<_, _>>()
        .unwrap();
    assert_eq!(
        order,
        ["c1", "c2", "c4"],
        "queued changes keep their order, new ones go last"
    );
    let person_index: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('visits_person', 'outbox_v6')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(person_index, 0);
    assert!(store.integrity_ok().unwrap());
}

#[test]
fn ids_made_in_one_millisecond_keep_their_order() {
    // Appended to their indexes, not scattered: a batch then writes few index pages.
    let time = pendamping_core::hlc::ManualTime::new(1_795_000_000_000);
    let maker = std::sync::Mutex::new(IdMaker::new(7));
    let ids: Vec<Uuid> = (0..2_000).map(|_| next_id(&maker, &time)).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn each_opening_of_a_store_is_a_new_session_of_the_same_device_even_at_the_same_instant() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    // A clock that stands still: two openings make ids of the same millisecond.
    let time = std::sync::Arc::new(pendamping_core::hlc::ManualTime::new(1_795_000_000_000));
    let open = || {
        Store::open(
            &path,
            Options {
                time: time.clone(),
                ..Options::default()
            },
        )
        .unwrap()
    };
    let (a, b) = (open().new_id(), open().new_id());
    assert_ne!(a, b, "never the same id twice");
    let salt = |id| pendamping_core::ids::v7_parts(id).unwrap().2;
    let device = |id| salt(id) >> pendamping_core::ids::SESSION_BITS;
    assert_eq!(device(a), device(b), "one device");
    assert_ne!(salt(a), salt(b), "two sessions");
}

#[test]
fn devices_made_in_the_same_millisecond_have_different_clock_nodes() {
    // The node tells apart two devices' stamps of the same millisecond and counter.
    let time = std::sync::Arc::new(pendamping_core::hlc::ManualTime::new(1_795_000_000_000));
    let open = || {
        Store::open_in_memory(Options {
            time: time.clone(),
            ..Options::default()
        })
        .unwrap()
    };
    let (a, b) = (open(), open());
    assert_ne!(node_of(a.device_id()), node_of(b.device_id()));
}
