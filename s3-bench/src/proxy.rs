//! A tiny TCP proxy in front of the S3 server that counts the connections readers open.
//!
//! The count is taken at the server side of the reader (what it accepted), so it holds for any
//! reader in any language without its cooperation. The proxy copies bytes both ways and adds
//! one loopback hop (tens of microseconds) to every request, the same for every reader. TLS
//! passes through it unchanged: the readers' handshakes are with the server (whose certificate
//! names 127.0.0.1, whatever the port).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A running proxy; stops accepting when dropped (open connections end with their tasks).
#[derive(Debug)]
pub(crate) struct CountingProxy {
    addr: SocketAddr,
    accepted: Arc<AtomicU64>,
    /// Never reset: the whole run's connections.
    total: Arc<AtomicU64>,
    /// When the first connection since the last [`Self::take_accepted`] was accepted, on the
    /// monotonic clock ([`crate::measure::monotonic_s`]).
    first_accept: Arc<Mutex<Option<f64>>>,
    accept_loop: JoinHandle<()>,
}

impl CountingProxy {
    /// Listens on a free port of 127.0.0.1 and forwards every connection to `upstream`.
    pub(crate) async fn start(upstream: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let accepted = Arc::new(AtomicU64::new(0));
        let total = Arc::new(AtomicU64::new(0));
        let first_accept = Arc::new(Mutex::new(None));
        let counter = Arc::clone(&accepted);
        let total_counter = Arc::clone(&total);
        let first = Arc::clone(&first_accept);
        let accept_loop = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    // e.g. out of file descriptors: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                if let Some(now) = crate::measure::monotonic_s() {
                    first
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .get_or_insert(now);
                }
                counter.fetch_add(1, Ordering::Relaxed);
                total_counter.fetch_add(1, Ordering::Relaxed);
                tokio::spawn(forward(client, upstream));
            }
        });
        Ok(Self {
            addr,
            accepted,
            total,
            first_accept,
            accept_loop,
        })
    }

    /// The address the proxy listens on.
    #[cfg(test)]
    fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `SCHEME://127.0.0.1:PORT`, the endpoint readers are given; `scheme` is the server's
    /// (`https` or `http`), since the proxy only copies bytes.
    pub(crate) fn endpoint(&self, scheme: &str) -> String {
        format!("{scheme}://{}", self.addr)
    }

    /// Connections accepted so far.
    #[cfg(test)]
    fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Connections accepted since the last call (or since the start), and when the first of
    /// them was accepted (seconds of the monotonic clock).
    pub(crate) fn take_accepted(&self) -> (u64, Option<f64>) {
        let first = self
            .first_accept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        (self.accepted.swap(0, Ordering::Relaxed), first)
    }

    /// Connections accepted since the start ([`Self::take_accepted`] does not reset it).
    pub(crate) fn total_accepted(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn forward(mut client: TcpStream, upstream: SocketAddr) {
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    // Either side closing ends the copy; errors (resets) just end this connection.
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A real echo server behind the proxy: bytes go both ways and every connection is counted.
    #[tokio::test]
    async fn forwards_bytes_and_counts_connections() -> Result<(), Box<dyn std::error::Error>> {
        let echo = TcpListener::bind(("127.0.0.1", 0)).await?;
        let echo_addr = echo.local_addr()?;
        let echo_task = tokio::spawn(async move {
            while let Ok((mut s, _)) = echo.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = s.read(&mut buf).await {
                        if n == 0 || s.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        let proxy = CountingProxy::start(echo_addr).await?;
        assert_eq!(proxy.accepted(), 0);
        let before = crate::measure::monotonic_s().unwrap_or_default();
        for i in 0..3u8 {
            let mut conn = TcpStream::connect(proxy.addr()).await?;
            conn.write_all(&[i, i + 1]).await?;
            let mut back = [0u8; 2];
            conn.read_exact(&mut back).await?;
            assert_eq!(back, [i, i + 1]);
        }
        let (accepted, first) = proxy.take_accepted();
        assert_eq!(accepted, 3);
        let after = crate::measure::monotonic_s().unwrap_or_default();
        assert!(
            first.is_some_and(|t| t >= before && t <= after),
            "{first:?}"
        );
        assert_eq!(proxy.accepted(), 0);
        assert_eq!(proxy.take_accepted(), (0, None), "both reset");
        assert_eq!(proxy.total_accepted(), 3);
        assert_eq!(proxy.endpoint("https"), format!("https://{}", proxy.addr()));
        let _again = TcpStream::connect(proxy.addr()).await?;
        // The accept runs on another task; give it a bounded number of chances.
        for _ in 0..100 {
            if proxy.accepted() == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(proxy.accepted(), 1);
        assert_eq!(proxy.total_accepted(), 4);
        echo_task.abort();
        Ok(())
    }
}
