//! Connections the server accepted: how many, and when the first came since the last look.
//!
//! A benchmark harness asks for these between two client runs (`local-s3` prints them at
//! SIGUSR1): the difference in `accepted` is the connections one run opened, counted at the
//! server for a client in any language, and the first accept's time on the machine's monotonic
//! clock, minus the time the harness started the client, is the client's init time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Shared by the accept loop and whoever reports (clones count into the same log).
#[derive(Debug, Clone, Default)]
pub(crate) struct ConnectionLog {
    accepted: Arc<AtomicU64>,
    first_since_taken: Arc<Mutex<Option<f64>>>,
}

/// What [`ConnectionLog::take`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct ConnectionReport {
    /// Connections accepted since the server started.
    pub(crate) accepted: u64,
    /// When the first connection since the previous report was accepted, in seconds of
    /// `CLOCK_MONOTONIC`; `None` when none was.
    pub(crate) first_since_last_report: Option<f64>,
}

impl ConnectionLog {
    /// Counts one accepted connection, now.
    pub(crate) fn accepted(&self) {
        if let Some(now) = monotonic_s() {
            self.first_since_taken
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get_or_insert(now);
        }
        self.accepted.fetch_add(1, Ordering::Relaxed);
    }

    /// The count so far and the first accept since the previous call.
    pub(crate) fn take(&self) -> ConnectionReport {
        let first = self
            .first_since_taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        ConnectionReport {
            accepted: self.accepted.load(Ordering::Relaxed),
            first_since_last_report: first,
        }
    }
}

/// What the server counts, detached from it (for a signal handler): connections and, with
/// TLS, handshakes.
#[derive(Clone)]
pub struct ServerCounts {
    pub(crate) log: ConnectionLog,
    pub(crate) tls: Option<crate::TlsIdentity>,
}

impl ServerCounts {
    /// One line, taking the report: `counts at=SECONDS connections=N
    /// first_connection=SECONDS|-`, and with TLS ` full=N resumed=N failed=N` (handshakes so
    /// far). `at` is when the line was made (monotonic clock): a reader of these lines can tell
    /// the answer to its request from a late answer to an earlier one.
    pub fn report_line(&self) -> String {
        let connections = self.log.take();
        let first = connections
            .first_since_last_report
            .map_or_else(|| "-".to_owned(), |s| format!("{s:.6}"));
        let handshakes = self
            .tls
            .as_ref()
            .map(|tls| format!(" {}", tls.handshakes()))
            .unwrap_or_default();
        let at = monotonic_s().map_or_else(|| "-".to_owned(), |s| format!("{s:.6}"));
        format!(
            "counts at={at} connections={} first_connection={first}{handshakes}",
            connections.accepted
        )
    }
}

/// `CLOCK_MONOTONIC` in seconds: one clock for every process of the machine.
pub fn monotonic_s() -> Option<f64> {
    let now = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC).ok()?;
    Some(now.tv_sec() as f64 + now.tv_nsec() as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_remembers_the_first_accept_until_taken() {
        let log = ConnectionLog::default();
        assert_eq!(log.take(), ConnectionReport::default());
        let before = monotonic_s().unwrap_or_default();
        log.accepted();
        let between = monotonic_s().unwrap_or_default();
        log.clone().accepted();
        let report = log.take();
        assert_eq!(report.accepted, 2);
        assert!(report
            .first_since_last_report
            .is_some_and(|t| t >= before && t <= between));
        let again = log.take();
        assert_eq!((again.accepted, again.first_since_last_report), (2, None));
        let counts = ServerCounts {
            log: log.clone(),
            tls: None,
        };
        let line = counts.report_line();
        assert!(line.starts_with("counts at="), "{line}");
        assert!(
            line.ends_with(" connections=2 first_connection=-"),
            "{line}"
        );
        log.accepted();
        let line = counts.report_line();
        assert!(line.contains(" connections=3 first_connection="), "{line}");
        assert!(!line.ends_with("first_connection=-"), "{line}");
        assert!(!line.contains("full="), "no TLS, no handshakes: {line}");
    }
}
