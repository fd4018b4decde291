//! The central server alone, for tests that kill it: `test-server DB ADDR [VIEW]`. Prints the
//! address it listens on, then serves until killed.

use std::io::Write;
use std::sync::Arc;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(db), Some(listen)) = (args.next(), args.next()) else {
        eprintln!("usage: test-server DB ADDR [VIEW]");
        std::process::exit(2);
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&listen).await.expect("bind");
        let config = pendamping_server::Config {
            db: db.into(),
            // A view of its own (a second process on one PostgreSQL store has another).
            view: args.next().map(Into::into),
            listen: listener.local_addr().expect("addr"),
            ..Default::default()
        };
        let state = tokio::task::spawn_blocking(move || {
            pendamping_server::open(config, Arc::new(pendamping_store::SystemTime))
        })
        .await
        .expect("opened")
        .expect("open");
        println!("{}", listener.local_addr().expect("addr"));
        std::io::stdout().flush().expect("flush");
        pendamping_server::serve(listener, state, std::future::pending())
            .await
            .expect("serve");
    });
}
