//! A client that sends half a request and stops holds a connection for seconds, not
//! minutes: the head must arrive within `head_timeout_secs` (the server then closes the
//! connection) and a body must keep moving (no wait for its next bytes past
//! `body_idle_secs`: 408 `request_timeout`). Both set to 1 s here; 10 s and 20 s by default.

use std::time::{Duration, Instant};

use pendamping_protocol::Role;
use pendamping_tests::net::*;
use pendamping_tests::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection (or 30 s pass); what it sent, and when.
async fn until_closed(conn: &mut TcpStream) -> (String, Duration) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < Duration::from_secs(30) {
        match tokio::time::timeout(Duration::from_secs(30), conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
    (String::from_utf8_lossy(&got).into_owned(), start.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_header_or_half_a_body_is_cut_off_in_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(d(2026, 11, 23));
    let server = TestServer::start(dir.path(), clock.clone(), |c| {
        c.head_timeout_secs = 1;
        c.body_idle_secs = 1;
    })
    .await;
    let tablet = enrolled_device(&server, clock, Role::Cadre, &[VILLAGE]).await;
    let token = tablet.setting(pendamping_sync::keys::TOKEN).unwrap().unwrap();

    // Half a head, then nothing: the connection is closed.
    let mut half_head = TcpStream::connect(server.addr).await.unwrap();
    half_head
        .write_all(b"POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nContent-Le")
        .await
        .unwrap();
    let (_, took) = until_closed(&mut half_head).await;
    assert!(took < Duration::from_secs(10), "closed after {took:?}");

    // A whole head, half a body, then nothing: 408 with its code, and the connection ends.
    let mut half_body = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /v1/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"schema_version\":1,"
    );
    half_body.write_all(head.as_bytes()).await.unwrap();
    let (answer, took) = until_closed(&mut half_body).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(took < Duration::from_secs(10), "answered after {took:?}");

    // A request that keeps its bytes coming is served as ever.
    let ok = reqwest::get(format!("{}/health", server.url())).await.unwrap();
    assert_eq!(ok.status(), reqwest::StatusCode::OK);
    server.stop().await;
}
