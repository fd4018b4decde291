//! A confirmed visit survives the app being killed at any moment.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use pendamping_core::Entity;
use pendamping_store::Store;
use pendamping_tests::*;
use rand::{Rng, SeedableRng};

#[test]
fn no_confirmed_visit_is_lost_when_the_process_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db");
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261123);
    let mut confirmed: Vec<uuid::Uuid> = Vec::new();
    for round in 0..25 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash-writer"))
            .arg(&path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(5..250)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let mut text = String::new();
        child.stdout.take().unwrap().read_to_string(&mut text).unwrap();
        // A line cut off by the kill is not a confirmation.
        let complete = text.rsplit_once('\n').map(|(done, _)| done).unwrap_or("");
        confirmed.extend(complete.lines().map(|l| l.parse::<uuid::Uuid>().unwrap()));

        let store = Store::open(&path, options(clock_at(d(2026, 11, 23)))).unwrap();
        assert!(store.integrity_ok().unwrap(), "integrity after round {round}");
        let queued: std::collections::HashSet<uuid::Uuid> = store
            .outbox(usize::MAX >> 1)
            .unwrap()
            .into_iter()
            .filter(|c| c.entity == Entity::Visit)
            .map(|c| c.row_id)
            .collect();
        for id in &confirmed {
            assert!(store.visit(*id).unwrap().is_some(), "visit {id} lost in round {round}");
            assert!(queued.contains(id), "visit {id} not queued for sync in round {round}");
        }
    }
    assert!(
        confirmed.len() > 25,
        "the writer confirmed only {} visits",
        confirmed.len()
    );
}
