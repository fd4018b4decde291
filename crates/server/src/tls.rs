//! TLS for the server (rustls; certificate and key from the config). Handshakes run on
//! their own tasks, each bounded in time, and only finished ones reach axum: a client that
//! opens a connection and says nothing holds up no one else.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::error::{Result, ServerError};

/// How long a client may take over its handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);

fn config_err(path: &Path, e: impl std::fmt::Display) -> ServerError {
    ServerError::Config(format!("TLS {}: {e}", path.display()))
}

/// The server's TLS settings from a PEM certificate chain and its PEM private key.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor> {
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| config_err(cert, e))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| config_err(cert, e))?;
    if chain.is_empty() {
        return Err(config_err(cert, "no certificate in the file"));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| config_err(key, e))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| config_err(cert, e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| config_err(cert, e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A listener whose connections have finished their TLS handshake.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
    accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> Result<TlsListener> {
        let addr = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let accepting = tokio::spawn(async move {
            loop {
                let (stream, peer) = tokio::select! {
                    got = tcp.accept() => match got {
                        Ok(got) => got,
                        Err(e) => {
                            // Out of file descriptors and the like: wait, as axum does.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    },
                    _ = tx.closed() => return,
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, peer)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(TlsListener { ready, addr, accepting })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(got) => got,
            // The accepting task ended (it never does while the listener lives).
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// Whether serving plain HTTP on `addr` is allowed: on loopback always; elsewhere only when
/// the config says so, with a warning (health data would cross the network readable).
pub fn plain_allowed(addr: SocketAddr, allowed: bool) -> Result<()> {
    if addr.ip().is_loopback() {
        return Ok(());
    }
    if allowed {
        tracing::warn!(%addr, "serving plain HTTP beyond this machine: names and NIKs cross the network unencrypted");
        return Ok(());
    }
    Err(ServerError::Config(format!(
        "{addr} is not a loopback address: give tls_cert and tls_key (PEM), or set allow_plain_http = true \
         to accept plain HTTP on this network"
    )))
}
