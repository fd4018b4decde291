//! The storage story (`pendamping_tests::story`) on both of the server's stores: embedded
//! SQLite (a district, a hub) and PostgreSQL (a province, the country) on a throwaway
//! cluster (`pendamping_tests::pg`), which fails this test, never skips it, when it cannot
//! start.

use std::any::Any;

use pendamping_server::storage::Storage;
use pendamping_server::storage::postgres::Postgres;
use pendamping_server::storage::sqlite::Sqlite;
use pendamping_tests::pg::Cluster;

#[test]
fn the_storage_story_holds_on_sqlite() {
    pendamping_tests::story::all(&|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open(&dir.path().join("central.db"), None, 4).unwrap();
        (Box::new(dir) as Box<dyn Any>, Box::new(store) as Box<dyn Storage>)
    });
    pendamping_tests::story::processes(&|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.db");
        let a = Sqlite::open(&path, None, 4).unwrap();
        let b = Sqlite::open_for_admin(&path, None).unwrap();
        (
            Box::new(dir) as Box<dyn Any>,
            Box::new(a) as Box<dyn Storage>,
            Box::new(b) as Box<dyn Storage>,
        )
    });
}

fn postgres(url: &str) -> Postgres {
    Postgres::open(url, 8).unwrap_or_else(|e| panic!("PostgreSQL store at {url}: {e}\n{}", Cluster::shared().log()))
}

#[test]
fn the_storage_story_holds_on_postgres() {
    let cluster = Cluster::shared();
    pendamping_tests::story::all(&|| {
        let url = cluster.database();
        (
            Box::new(()) as Box<dyn Any>,
            Box::new(postgres(&url)) as Box<dyn Storage>,
        )
    });
    pendamping_tests::story::processes(&|| {
        let url = cluster.database();
        let (a, b) = (postgres(&url), postgres(&url));
        (
            Box::new(()) as Box<dyn Any>,
            Box::new(a) as Box<dyn Storage>,
            Box::new(b) as Box<dyn Storage>,
        )
    });
}
