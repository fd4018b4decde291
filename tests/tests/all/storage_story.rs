//! The storage story (`pendamping_tests::story`) on the server's SQLite store: the contract
//! the PostgreSQL store will have to pass too.

use std::any::Any;

use pendamping_server::storage::Storage;
use pendamping_server::storage::sqlite::Sqlite;

#[test]
fn the_storage_story_holds_on_sqlite() {
    pendamping_tests::story::all(&|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open(&dir.path().join("central.db"), None, 4).unwrap();
        (Box::new(dir) as Box<dyn Any>, Box::new(store) as Box<dyn Storage>)
    });
}
