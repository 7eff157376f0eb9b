//! The project's S3 server (`local-s3`), started as its own process pinned to its own core,
//! with the per-request latency and the uploaded objects of the benchmark.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use system::process::GroupChild;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// Why the S3 server did not start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The server (or the `s3-bench place` launcher) could not be started; check `--server-bin`.
    #[error("could not start the S3 server {program}: {source}")]
    Spawn {
        /// The program that could not be started.
        program: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The server started but never said where it listens: it failed (its stderr is shown
    /// above) or populating took longer than the start timeout.
    #[error("the S3 server did not print `endpoint=http://127.0.0.1:PORT` within {seconds} s (it printed: {printed})")]
    NoEndpoint {
        /// How long the harness waited, in seconds.
        seconds: u64,
        /// What it printed on stdout instead, lines joined by ` | `.
        printed: String,
    },
}

/// What to start.
#[derive(Debug, Clone)]
pub(crate) struct ServerSpec {
    /// The `local-s3` binary.
    pub(crate) bin: PathBuf,
    /// Added to every request, in milliseconds.
    pub(crate) latency_ms: u64,
    pub(crate) bucket: String,
    pub(crate) prefix: String,
    /// Objects to upload under `prefix`.
    pub(crate) objects: u64,
    /// Smallest object, in bytes.
    pub(crate) min_size: u64,
    /// Largest object, in bytes.
    pub(crate) max_size: u64,
    /// Cores the server runs on (through `s3-bench place`), if pinned.
    pub(crate) cores: Option<Vec<usize>>,
    /// How long populating and start-up may take.
    pub(crate) start_timeout: Duration,
}

impl ServerSpec {
    /// The `local-s3` command line.
    fn args(&self) -> Vec<String> {
        vec![
            "--port".into(),
            "0".into(),
            "--latency-ms".into(),
            self.latency_ms.to_string(),
            "--objects-bucket".into(),
            self.bucket.clone(),
            "--objects-prefix".into(),
            self.prefix.clone(),
            "--objects-count".into(),
            self.objects.to_string(),
            "--objects-min-size".into(),
            self.min_size.to_string(),
            "--objects-max-size".into(),
            self.max_size.to_string(),
            // Our end of its stdin stays open while we run: if the harness dies, the server goes.
            "--exit-on-stdin-eof".into(),
        ]
    }
}

/// A running S3 server; its whole process group is killed when dropped. Its stdin stays open
/// for `--exit-on-stdin-eof` as long as this value lives.
#[derive(Debug)]
pub(crate) struct S3Server {
    process: GroupChild,
    endpoint: String,
    addr: SocketAddr,
}

impl S3Server {
    /// Starts the server and waits until it prints its endpoint (after populating).
    pub(crate) async fn start(spec: &ServerSpec) -> Result<Self, ServerError> {
        let mut cmd = match &spec.cores {
            Some(cores) => {
                let exe = std::env::current_exe().map_err(|source| ServerError::Spawn {
                    program: "s3-bench place".into(),
                    source,
                })?;
                let list: Vec<String> = cores.iter().map(usize::to_string).collect();
                let mut cmd = Command::new(exe);
                cmd.arg("place")
                    .arg("--cores")
                    .arg(list.join(","))
                    .arg("--")
                    .arg(&spec.bin);
                cmd
            }
            None => Command::new(&spec.bin),
        };
        cmd.args(spec.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut process = GroupChild::spawn(&mut cmd).map_err(|source| ServerError::Spawn {
            program: spec.bin.display().to_string(),
            source,
        })?;
        let Some(stdout) = process.take_stdout() else {
            return Err(ServerError::NoEndpoint {
                seconds: 0,
                printed: "(no stdout)".into(),
            });
        };
        let mut lines = BufReader::new(stdout).lines();
        let mut printed = Vec::new();
        let found = tokio::time::timeout(spec.start_timeout, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(addr) = parse_endpoint(&line) {
                    return Some(addr);
                }
                printed.push(line);
            }
            None
        })
        .await;
        // On failure `process` is dropped, which kills the server's group.
        let Ok(Some((endpoint, addr))) = found else {
            return Err(ServerError::NoEndpoint {
                seconds: spec.start_timeout.as_secs(),
                printed: printed.join(" | "),
            });
        };
        // Keep draining its stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            process,
            endpoint,
            addr,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The address it listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Asks the server to stop (SIGTERM, so it can clean up) and waits up to 5 s, then kills it.
    pub(crate) async fn stop(mut self) {
        self.process.stop(Duration::from_secs(5)).await;
    }
}

/// `endpoint=http://127.0.0.1:PORT` → the endpoint and its address.
fn parse_endpoint(line: &str) -> Option<(String, SocketAddr)> {
    let endpoint = line.trim().strip_prefix("endpoint=")?.trim();
    let addr = endpoint
        .strip_prefix("http://")?
        .trim_end_matches('/')
        .parse()
        .ok()?;
    Some((endpoint.trim_end_matches('/').to_owned(), addr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_endpoint_line() {
        let (endpoint, addr) = parse_endpoint("endpoint=http://127.0.0.1:43210\n")
            .unwrap_or_else(|| (String::new(), SocketAddr::from(([0, 0, 0, 0], 0))));
        assert_eq!(endpoint, "http://127.0.0.1:43210");
        assert_eq!(addr.port(), 43210);
        assert!(parse_endpoint("listening on 127.0.0.1:1").is_none());
        assert!(parse_endpoint("endpoint=https://example.com").is_none());
    }

    #[test]
    fn command_line_carries_latency_and_objects() {
        let spec = ServerSpec {
            bin: PathBuf::from("local-s3"),
            latency_ms: 20,
            bucket: "data".into(),
            prefix: "bench/1000/".into(),
            objects: 1000,
            min_size: 1000,
            max_size: 50_000,
            cores: None,
            start_timeout: Duration::from_secs(1),
        };
        let args = spec.args().join(" ");
        assert!(args.contains("--latency-ms 20"), "{args}");
        assert!(args.contains("--objects-count 1000"), "{args}");
        assert!(args.contains("--port 0"), "{args}");
    }
}
