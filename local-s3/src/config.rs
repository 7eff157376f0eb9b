//! What the server injects: latency, random faults, permanently failing keys.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::{Authorizer, Error};

/// A kind of random fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    /// HTTP 500 with S3 error code `InternalError`.
    InternalError,
    /// HTTP 503 with S3 error code `SlowDown` (throttling).
    SlowDown,
    /// The connection is closed with a TCP reset before any response byte.
    ConnectionReset,
}

impl FaultKind {
    /// Every kind, the default when a fault rate is set without kinds.
    pub const ALL: [FaultKind; 3] = [Self::InternalError, Self::SlowDown, Self::ConnectionReset];

    /// The spelling used on the command line: `500`, `503`, `reset`.
    #[cfg(test)]
    fn as_flag(self) -> &'static str {
        match self {
            Self::InternalError => "500",
            Self::SlowDown => "503",
            Self::ConnectionReset => "reset",
        }
    }
}

impl FromStr for FaultKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "500" | "internalerror" | "internal" => Ok(Self::InternalError),
            "503" | "slowdown" => Ok(Self::SlowDown),
            "reset" | "connectionreset" => Ok(Self::ConnectionReset),
            other => Err(Error::InvalidConfig(format!(
                "fault kind {other:?} is unknown; use 500, 503 or reset"
            ))),
        }
    }
}

/// How the server behaves. `Default` is a plain fast server: no latency, no faults, temp storage.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// Fixed delay before every request is answered.
    pub latency: Duration,
    /// Extra uniform random delay in `0..=jitter` added to `latency`.
    pub jitter: Duration,
    /// Probability in `0.0..=1.0` that a request fails with one of `fault_kinds`.
    pub fault_rate: f64,
    /// Which faults the rate draws from (uniformly); empty means all kinds.
    pub fault_kinds: Vec<FaultKind>,
    /// Keys whose GET/HEAD always fail with 500 InternalError (in any bucket).
    pub failing_keys: Vec<String>,
    /// Where objects are stored; `None` = a temp dir removed when the server is dropped.
    pub root: Option<PathBuf>,
    /// With `Some`, every request must carry a valid SigV4 signature of this key pair (checked
    /// by `s3s`, an implementation independent of the AWS SDK's); `None` accepts any credentials.
    pub signing_key: Option<SigningKey>,
    /// Authorizes every request as S3 would with IAM (see [`Authorizer`]); takes the place of
    /// `signing_key`.
    pub authorizer: Option<std::sync::Arc<dyn Authorizer>>,
    /// The partition of the ARNs the authorizer is asked about (default `aws`).
    pub partition: Option<String>,
    /// With `Some`, the server speaks HTTPS with this identity (a CA and a certificate made by
    /// [`crate::TlsIdentity::generate`]); `None` is plain HTTP.
    pub tls: Option<crate::TlsIdentity>,
}

/// An access key and its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    /// The access key id clients sign with, e.g. `local`.
    pub access_key_id: String,
    /// The secret the signatures are checked with.
    pub secret_access_key: String,
}

impl ServerConfig {
    /// Checks the values; the error names the field and the fix.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(Error::InvalidConfig(format!(
                "fault_rate is {}; it must be a probability in 0.0..=1.0",
                self.fault_rate
            )));
        }
        Ok(())
    }

    /// The kinds the fault rate draws from.
    pub(crate) fn effective_fault_kinds(&self) -> Vec<FaultKind> {
        if self.fault_kinds.is_empty() {
            FaultKind::ALL.to_vec()
        } else {
            self.fault_kinds.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_kinds_parse_from_flags() {
        for kind in FaultKind::ALL {
            assert_eq!(kind.as_flag().parse::<FaultKind>().ok(), Some(kind));
        }
        let err = "404".parse::<FaultKind>().err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("500, 503 or reset"));
    }

    #[test]
    fn fault_rate_out_of_range_is_named() {
        let config = ServerConfig {
            fault_rate: 1.5,
            ..ServerConfig::default()
        };
        let msg = config
            .validate()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(msg.contains("fault_rate"), "{msg}");
        assert!(ServerConfig::default().validate().is_ok());
        assert_eq!(ServerConfig::default().effective_fault_kinds().len(), 3);
    }
}
