//! The errors of the local S3 server library.

use std::path::PathBuf;

/// What can go wrong starting, populating or driving the local server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A [`crate::ServerConfig`] value is out of range; the message names the field.
    #[error("invalid local-s3 config: {0}")]
    InvalidConfig(String),
    /// The data directory could not be created or opened.
    #[error("local-s3 data directory {path}: {source}")]
    DataDir {
        /// The folder ([`crate::ServerConfig::root`], or the system's temp folder).
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The listening socket could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for (0 = any free port); a fixed port may already be in use.
        port: u16,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// `s3s-fs` refused the data directory.
    #[error("s3s-fs backend: {0}")]
    Backend(String),
    /// The object set cannot be generated.
    #[error(transparent)]
    InvalidObjectSet(#[from] bench_types::objects::ObjectSetError),
    /// The server's certificates or TLS configuration could not be made.
    #[error("local-s3 TLS: {0}")]
    Tls(String),
    /// An S3 call made by the helper methods ([`crate::LocalS3::create_bucket`], populating) failed.
    #[error("{operation} failed: {message}")]
    Request {
        /// The S3 operation, e.g. `PutObject`.
        operation: &'static str,
        /// The SDK's error with its context (the S3 code and message).
        message: String,
    },
}
