//! The readers this stack can deploy, each as its own Lambda function: the Rust reader
//! (`functions/s3-reader`), the Python reader (`functions/python-reader`, asyncio and aioboto3)
//! and the Node.js reader (`functions/node-reader`, AWS SDK for JavaScript v3). A target names
//! one with `reader`; only the readers some target names are deployed (the Rust one always).

use serde::{Deserialize, Serialize};

/// A reader of this project.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Reader {
    /// `functions/s3-reader`: `provided.al2023`, the `bootstrap` binary.
    #[default]
    Rust,
    /// `functions/python-reader`: `python3.13`, handler `reader.lambda_handler`.
    Python,
    /// `functions/node-reader`: `nodejs22.x`, handler `index.handler` (an esbuild bundle).
    Node,
}

impl Reader {
    /// Every reader, in the order the stack declares their functions.
    pub const ALL: [Self; 3] = [Self::Rust, Self::Python, Self::Node];

    /// The name in `bench.toml`: `rust`, `python`, `node`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rust => "rust",
            Self::Python => "python",
            Self::Node => "node",
        }
    }

    /// What follows the stack name in the function's name: `STACK-s3-reader`, ...
    pub(crate) fn function_suffix(self) -> &'static str {
        match self {
            Self::Rust => "s3-reader",
            Self::Python => "python-reader",
            Self::Node => "node-reader",
        }
    }

    /// The Lambda runtime identifier.
    pub(crate) fn runtime(self) -> &'static str {
        match self {
            Self::Rust => "provided.al2023",
            Self::Python => "python3.13",
            Self::Node => "nodejs22.x",
        }
    }

    /// The function's handler.
    pub(crate) fn handler(self) -> &'static str {
        match self {
            Self::Rust => "bootstrap",
            Self::Python => "reader.lambda_handler",
            Self::Node => "index.handler",
        }
    }

    /// The function's description.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Self::Rust => "S3 reader in Rust (benchmark target)",
            Self::Python => "S3 reader in Python, asyncio and aioboto3 (benchmark target)",
            Self::Node => "S3 reader in Node.js, AWS SDK v3 (benchmark target)",
        }
    }
}

impl std::fmt::Display for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the Rust reader GETs (the event's `client`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RustClient {
    /// aws-sdk-s3's GetObject: the seed's method (every reader through its language's SDK).
    Sdk,
    /// Requests signed with the SDK's SigV4 signer, sent over hyper.
    Direct,
}

impl RustClient {
    /// The event's value: `sdk` or `direct`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sdk => "sdk",
            Self::Direct => "direct",
        }
    }
}
