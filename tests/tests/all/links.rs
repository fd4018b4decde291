//! Sync through links that break in the middle of requests: every connection dropped
//! after a few KB, answers lost after the server committed. The sync goes on from what
//! got through, the server holds every change once, and a new device gets it all back.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;

use pendamping_cli::demo::{DemoOptions, generate};
use pendamping_protocol::Role;
use pendamping_store::Store;
use pendamping_sync::SyncError;
use pendamping_tests::net::*;
use pendamping_tests::*;
use uuid::Uuid;

fn today() -> chrono::NaiveDate {
    d(2026, 11, 23)
}

/// A village of demo households with a year of visits, as `demo-data` makes it.
fn village(store: &mut Store, households: usize, seed: u64) {
    let opts = DemoOptions {
        households,
        villages: vec![VILLAGE.into()],
        seed,
        months: 12,
        today: today(),
        chunk: 50,
    };
    generate(&opts, &|_| false, |batch| store.import(batch).map(|_| ())).expect("demo data");
}

fn outbox_ids(store: &Store) -> BTreeSet<Uuid> {
    store
        .outbox(usize::MAX >> 1)
        .unwrap()
        .iter()
        .map(|c| c.change_id)
        .collect()
}

/// Patient retries, quick pauses: the link is ours to break.
fn patient() -> pendamping_sync::Options {
    let mut opts = fast_options();
    opts.retry.attempts = 8;
    opts
}

async fn every_connection_dropped_after(limit: u64) {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let proxy = FaultProxy::start(server.addr, Faults::drop_every(limit), 1).await;
    let mut cadre = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    village(&mut cadre, 200, 5);
    let made = outbox_ids(&cadre);
    assert!(made.len() > 2500, "a real amount of work ({})", made.len());
    cadre.set_setting("server", &proxy.url()).unwrap();

    let sum = pendamping_sync::sync(&mut cadre, &patient(), &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("push through a link cut every {limit} B: {e}"));
    let cuts = proxy.cuts.load(Ordering::Relaxed);
    assert!(cuts > 3, "the link really dropped ({cuts} cuts)");
    assert_eq!(sum.pushed as usize, made.len());
    assert_eq!(cadre.pending_count().unwrap(), 0);
    let (on_server, rows) = server_change_ids(&server.db());
    assert_eq!(rows, on_server.len(), "each change once");
    assert_eq!(on_server, made, "every change, nothing else");

    // A replacement tablet gets the village back through the same link.
    let mut fresh = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    fresh.set_setting("server", &proxy.url()).unwrap();
    let (up0, down0, _) = proxy.traffic.total();
    let got = pendamping_sync::sync(&mut fresh, &patient(), &mut |_| {})
        .await
        .unwrap_or_else(|e| panic!("pull through a link cut every {limit} B: {e}"));
    let (up1, down1, _) = proxy.traffic.total();
    assert_eq!(got.pulled as usize, made.len());
    assert_eq!(dump_area(&fresh, VILLAGE), dump_area(&cadre, VILLAGE));
    eprintln!(
        "cut every {limit} B: {} changes, {cuts} cuts pushing; pull {} B down, {} B up, {} cuts in all",
        made.len(),
        down1 - down0,
        up1 - up0,
        proxy.cuts.load(Ordering::Relaxed)
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_dropped_after_16_kb_the_sync_still_finishes() {
    every_connection_dropped_after(16 << 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_dropped_after_4_kb_the_sync_still_finishes() {
    every_connection_dropped_after(4 << 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_lost_after_the_server_committed_duplicate_nothing_and_are_told_as_a_bad_link() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    // Every answer is cut before its first byte: the server commits each push, the device
    // never hears of it.
    let proxy = FaultProxy::start(
        server.addr,
        Faults {
            cut_down_at: Some(0),
            ..Faults::none()
        },
        2,
    )
    .await;
    let mut cadre = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    village(&mut cadre, 6, 9);
    let made = outbox_ids(&cadre);
    cadre.set_setting("server", &proxy.url()).unwrap();
    let err = pendamping_sync::sync(&mut cadre, &fast_options(), &mut |_| {})
        .await
        .expect_err("no answer ever arrives");
    assert!(
        matches!(err, SyncError::LinkDropping { done: 0, total: Some(t), .. } if t as usize == made.len()),
        "the link is blamed, not the server: {err}"
    );
    assert!(err.to_string().contains("sambungan terus terputus"), "{err}");
    let (held, _) = server_change_ids(&server.db());
    assert!(!held.is_empty(), "the server committed pushes whose answers were lost");
    assert_eq!(
        cadre.pending_count().unwrap() as usize,
        made.len(),
        "unacknowledged stays queued"
    );

    proxy.set(Faults::none());
    let sum = pendamping_sync::sync(&mut cadre, &fast_options(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(sum.pushed as usize, made.len());
    assert_eq!(cadre.pending_count().unwrap(), 0);
    let (on_server, rows) = server_change_ids(&server.db());
    assert_eq!(rows, made.len(), "nothing duplicated");
    assert_eq!(on_server, made, "nothing lost");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_cannot_be_reached_is_told_apart_from_a_dropping_link() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let mut cadre = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    village(&mut cadre, 1, 3);
    // Nothing listens here.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    cadre.set_setting("server", &format!("http://{closed}")).unwrap();
    let err = pendamping_sync::sync(&mut cadre, &fast_options(), &mut |_| {})
        .await
        .expect_err("no server");
    assert!(matches!(err, SyncError::Unreachable { .. }), "{err}");
    server.stop().await;
}

/// Batches in flight together, or changes relayed by different paths, may reach the server
/// out of order: an edit ahead of the change that made its row. It is kept, not refused,
/// and the row is whole and checked once the rest arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_that_arrives_before_its_row_is_kept_and_the_row_made_whole() {
    use pendamping_protocol::{PushRequest, SCHEMA_VERSION};
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(dir.path(), clock_at(today()), |_| {}).await;
    let mut cadre = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    let (_, mother, _, _) = family_with_child(&mut cadre, 100, VILLAGE, d(2025, 5, 1));
    let mut edited = mother.clone();
    edited.phone = Some("081234567890".into());
    cadre.save_person(&edited).unwrap();
    let changes = cadre.outbox(100).unwrap();
    let (edit, made): (Vec<_>, Vec<_>) = changes
        .into_iter()
        .partition(|c| c.row_id == mother.id && !c.fields.contains_key("name"));
    assert_eq!(edit.len(), 1);
    let token = cadre.setting("token").unwrap().unwrap();
    let push = |changes: Vec<pendamping_core::Change>| {
        let req = PushRequest {
            schema_version: SCHEMA_VERSION,
            seen: 0,
            seals: sealed_by(&cadre, &changes),
            changes,
            origins: Vec::new(),
        };
        let (server, token) = (&server, token.clone());
        async move { server.push(&token, &req).await }
    };
    let first = push(edit).await;
    assert!(
        first.rejected.is_empty(),
        "the early edit is kept: {:?}",
        first.rejected
    );
    let rest = push(made).await;
    assert!(rest.rejected.is_empty(), "{:?}", rest.rejected);
    // A fresh device gets the whole row, with the edit.
    let mut fresh = enrolled_device(&server, clock_at(today()), Role::Cadre, &[VILLAGE]).await;
    pendamping_sync::sync(&mut fresh, &fast_options(), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        fresh.person(mother.id).unwrap().unwrap().phone.as_deref(),
        Some("081234567890")
    );
    server.stop().await;
}
