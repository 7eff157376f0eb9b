//! One future for "stop now": Ctrl-C (SIGINT), SIGTERM and, when asked, EOF on stdin (the way a
//! parent that dies, or closes our stdin, takes a child server down).

use std::fmt;
use std::future::Future;
use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::signal::unix::{signal, SignalKind};

/// What asked the program to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// SIGINT, as Ctrl-C sends it.
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// Stdin reached EOF (or could not be read).
    StdinClosed,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::Interrupt => "Ctrl-C",
            StopReason::Terminate => "SIGTERM",
            StopReason::StdinClosed => "stdin closed",
        })
    }
}

/// Installs the SIGINT and SIGTERM handlers now (so that a signal that arrives before the future
/// is polled still counts) and returns a future that completes with the first stop request; with
/// `watch_stdin`, EOF on stdin is one too.
pub fn stop_signal(watch_stdin: bool) -> io::Result<impl Future<Output = StopReason>> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        let stdin_closed = async {
            if watch_stdin {
                read_to_eof(tokio::io::stdin()).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            _ = interrupt.recv() => StopReason::Interrupt,
            _ = terminate.recv() => StopReason::Terminate,
            () = stdin_closed => StopReason::StdinClosed,
        }
    })
}

/// Reads and discards until EOF or a read error.
async fn read_to_eof(mut input: impl AsyncRead + Unpin) {
    let mut buffer = [0u8; 1024];
    while matches!(input.read(&mut buffer).await, Ok(n) if n > 0) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_the_user_knows_them() {
        assert_eq!(StopReason::Interrupt.to_string(), "Ctrl-C");
        assert_eq!(StopReason::Terminate.to_string(), "SIGTERM");
        assert_eq!(StopReason::StdinClosed.to_string(), "stdin closed");
    }

    #[tokio::test]
    async fn reading_stops_at_eof() {
        read_to_eof(&b"some input"[..]).await;
    }

    #[tokio::test]
    async fn sigterm_completes_the_future() {
        let stop = stop_signal(false).unwrap();
        nix::sys::signal::kill(nix::unistd::Pid::this(), nix::sys::signal::Signal::SIGTERM)
            .unwrap();
        let reason = tokio::time::timeout(std::time::Duration::from_secs(5), stop)
            .await
            .unwrap();
        assert_eq!(reason, StopReason::Terminate);
    }
}
