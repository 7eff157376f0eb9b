//! The readers under test and the command line that runs each one against the benchmark's
//! endpoint. Every reader takes the contract-2 event as its one argument and prints the
//! contract-2 result JSON on stdout.

use std::fmt;
use std::path::{Path, PathBuf};

use bench_types::{Concurrency, ReadMode, ReaderEvent};
use serde::{Deserialize, Serialize};

/// Which implementation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum ReaderKind {
    /// The project's reader (`s3-read`): its default direct GETs (signed requests over hyper),
    /// tokio, a semaphore.
    Rust,
    /// The same reader with `--client sdk`: every GET through aws-sdk-s3's GetObject, as the
    /// peers go through their SDKs.
    #[value(name = "rust-sdk")]
    RustSdk,
    /// `functions/python-reader/reader.py` (the deployed Python reader): asyncio + aioboto3.
    Python,
    /// `functions/node-reader/cli.mjs` (the deployed Node.js reader): AWS SDK for JavaScript v3.
    Node,
}

impl ReaderKind {
    /// Every reader, in the default plan's order.
    pub(crate) const ALL: [ReaderKind; 4] = [Self::Rust, Self::RustSdk, Self::Python, Self::Node];

    /// The name on the command line and in the results, e.g. `rust-sdk`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Rust => "rust",
            Self::RustSdk => "rust-sdk",
            Self::Python => "python",
            Self::Node => "node",
        }
    }

    /// Compared with the Rust reader (`rust/this`).
    pub(crate) fn is_peer(self) -> bool {
        self != Self::Rust
    }

    /// Whether the default plan runs its sequential mode. The SDK variant of the Rust reader
    /// is there for the concurrent CPU comparison; sequentially every reader waits N x L.
    pub(crate) fn runs_sequential_by_default(self) -> bool {
        self != Self::RustSdk
    }

    /// Whether it takes `concurrency: "auto"` (adapting its own limit while it runs): the
    /// Rust reader on either GET path; the Python and Node.js readers take a number only.
    pub(crate) fn supports_auto_concurrency(self) -> bool {
        matches!(self, Self::Rust | Self::RustSdk)
    }
}

impl fmt::Display for ReaderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where each reader's program lives once installed (see [`crate::peers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderPrograms {
    /// The `s3-read` binary.
    pub rust_bin: PathBuf,
    /// The Python reader's venv interpreter.
    pub python: PathBuf,
    /// `node`.
    pub node: PathBuf,
    /// The `functions` folder holding the readers.
    pub functions_dir: PathBuf,
}

impl ReaderPrograms {
    /// Program and arguments that run `kind` on `event`. The peers take the event JSON as their
    /// one argument; `s3-read` takes its fields as flags.
    pub(crate) fn command(&self, kind: ReaderKind, event: &ReaderEvent) -> Vec<String> {
        let path = |p: &Path| p.display().to_string();
        let json = || serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
        match kind {
            ReaderKind::Rust => rust_command(path(&self.rust_bin), event, "direct"),
            ReaderKind::RustSdk => rust_command(path(&self.rust_bin), event, "sdk"),
            ReaderKind::Python => vec![
                path(&self.python),
                path(&self.functions_dir.join("python-reader/reader.py")),
                json(),
            ],
            ReaderKind::Node => vec![
                path(&self.node),
                path(&self.functions_dir.join("node-reader/cli.mjs")),
                json(),
            ],
        }
    }
}

/// `s3-read --bucket B --folder F --mode M --concurrency C [--find S] --client K --compact`.
fn rust_command(bin: String, event: &ReaderEvent, client: &str) -> Vec<String> {
    let mut args = vec![bin];
    let mut flag = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            args.push(format!("--{name}"));
            args.push(value);
        }
    };
    flag("bucket", event.s3_bucket_name.clone());
    flag("folder", event.folder.clone());
    flag("mode", event.mode.clone());
    flag(
        "concurrency",
        event.concurrency.as_ref().map(|c| match c {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        }),
    );
    flag("find", event.find.clone());
    flag("client", Some(client.to_owned()));
    args.push("--compact".to_owned());
    args
}

/// The event for one case; `concurrency` is 1 in sequential mode, and a number or `"auto"` in
/// the event.
pub(crate) fn reader_event(
    bucket: &str,
    folder: &str,
    mode: ReadMode,
    concurrency: Concurrency,
) -> ReaderEvent {
    ReaderEvent {
        s3_bucket_name: Some(bucket.to_owned()),
        folder: Some(folder.to_owned()),
        find: None,
        mode: Some(
            match mode {
                ReadMode::Sequential => "sequential",
                ReadMode::Concurrent => "concurrent",
            }
            .to_owned(),
        ),
        concurrency: Some(concurrency.to_json()),
        reuse_connections: None,
        client: None,
    }
}

/// The variables through which each reader's TLS stack trusts a CA file: Rust's
/// rustls-native-certs (the direct GETs of `s3-read` and the AWS SDK's default client; it replaces
/// the system's roots, which nothing here needs), botocore and aiobotocore, Node.js (read when the
/// process starts).
pub(crate) const CA_VARIABLES: [&str; 3] =
    ["SSL_CERT_FILE", "AWS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"];

/// The environment every reader gets: the standard AWS variables pointing at `endpoint`, dummy
/// credentials, the Lambda memory size that matches the CPU quota (1769 MB = 1 vCPU), and over
/// HTTPS the server's CA file `ca_file` in every variable of [`CA_VARIABLES`].
pub(crate) fn reader_env(
    endpoint: &str,
    ca_file: Option<&Path>,
    memory_mb: u32,
) -> Vec<(String, String)> {
    let ca = ca_file.map(|f| f.display().to_string());
    [
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_ENDPOINT_URL_S3", endpoint),
        ("AWS_ACCESS_KEY_ID", "s3-bench"),
        ("AWS_SECRET_ACCESS_KEY", "s3-bench"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("NODE_NO_WARNINGS", "1"),
        // A Lambda has no `~/.aws/config` or credentials file; this machine's must not change
        // the readers' settings (checksum or retry mode, `s3.*`) nor their init time.
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain([(
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".to_owned(),
        memory_mb.to_string(),
    )])
    .chain(ca.into_iter().flat_map(|ca| {
        CA_VARIABLES
            .into_iter()
            .map(move |var| (var.to_owned(), ca.clone()))
    }))
    .collect()
}

/// Lambda's memory size for a CPU share: 1769 MB is one vCPU; a share within 0.5% of one of
/// the low-memory sweep's sizes (0.58 for 1024 MB) is that size.
pub(crate) fn memory_for_cpus(cpus: f64) -> u32 {
    let exact = cpus * system::cgroup::MB_PER_VCPU;
    crate::plan::LAMBDA_SIZES_MB
        .into_iter()
        .find(|&mb| (f64::from(mb) - exact).abs() <= f64::from(mb) * 0.005)
        .unwrap_or_else(|| exact.round().clamp(128.0, 10240.0) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_pass_the_event_as_the_one_argument() {
        let programs = ReaderPrograms {
            rust_bin: PathBuf::from("/t/s3-read"),
            python: PathBuf::from("/f/python-reader/.venv/bin/python"),
            node: PathBuf::from("node"),
            functions_dir: PathBuf::from("/f"),
        };
        let event = reader_event(
            "data",
            "bench/1000/",
            ReadMode::Concurrent,
            Concurrency::Fixed(64),
        );
        let rust = programs.command(ReaderKind::Rust, &event).join(" ");
        assert_eq!(
            rust,
            "/t/s3-read --bucket data --folder bench/1000/ --mode concurrent --concurrency 64 --client direct --compact"
        );
        let sdk = programs.command(ReaderKind::RustSdk, &event).join(" ");
        assert!(sdk.ends_with("--client sdk --compact"), "{sdk}");
        let python = programs.command(ReaderKind::Python, &event);
        let parsed: ReaderEvent = serde_json::from_str(&python[2]).unwrap_or_default();
        assert_eq!(parsed, event);
        assert_eq!(parsed.concurrency, Some(serde_json::json!(64)));
        assert_eq!(
            programs.command(ReaderKind::Python, &event)[1],
            "/f/python-reader/reader.py"
        );
        assert_eq!(
            programs.command(ReaderKind::Node, &event)[1],
            "/f/node-reader/cli.mjs"
        );
    }

    #[test]
    fn auto_goes_to_the_rust_readers_as_text() {
        let programs = ReaderPrograms {
            rust_bin: PathBuf::from("/t/s3-read"),
            python: PathBuf::from("python"),
            node: PathBuf::from("node"),
            functions_dir: PathBuf::from("/f"),
        };
        let event = reader_event("data", "b/", ReadMode::Concurrent, Concurrency::Auto);
        assert_eq!(event.concurrency, Some(serde_json::json!("auto")));
        for reader in [ReaderKind::Rust, ReaderKind::RustSdk] {
            let command = programs.command(reader, &event).join(" ");
            assert!(command.contains(" --concurrency auto "), "{command}");
            assert!(reader.supports_auto_concurrency());
        }
        assert!(!ReaderKind::Python.supports_auto_concurrency());
        assert!(!ReaderKind::Node.supports_auto_concurrency());
    }

    #[test]
    fn memory_follows_lambda_cpu_share() {
        assert_eq!(memory_for_cpus(0.58), 1024);
        assert_eq!(memory_for_cpus(0.6), 1061);
        assert_eq!(memory_for_cpus(1.0), 1769);
        assert_eq!(memory_for_cpus(0.01), 128);
        let env = reader_env("http://127.0.0.1:9", None, 1023);
        assert!(env.contains(&("AWS_ENDPOINT_URL_S3".into(), "http://127.0.0.1:9".into())));
        assert!(env.contains(&("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(), "1023".into())));
        assert!(!env.iter().any(|(k, _)| CA_VARIABLES.contains(&k.as_str())));
    }

    #[test]
    fn over_https_every_reader_trusts_the_ca_file() {
        let env = reader_env("https://127.0.0.1:9", Some(Path::new("/t/ca.pem")), 1769);
        assert!(env.contains(&("AWS_ENDPOINT_URL".into(), "https://127.0.0.1:9".into())));
        for var in ["SSL_CERT_FILE", "AWS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"] {
            assert!(env.contains(&(var.into(), "/t/ca.pem".into())), "{var}");
        }
    }
}
