//! HTTPS as S3 serves it: a certificate authority generated for each server, a leaf certificate
//! for `localhost` and `127.0.0.1` signed by it, TLS 1.2 and 1.3, and a count of the handshakes.
//!
//! S3 serves an RSA 2048 leaf (`*.s3.amazonaws.com`, issued by Amazon RSA 2048 M0x), so that is
//! the default key; ECDSA P-256 is a setting. AWS does not document whether S3 resumes TLS
//! sessions, so resumption is off by default: every new connection pays a full handshake, the
//! case a reader must be ready for. Clients trust the CA through the variables their ecosystems
//! read (`SSL_CERT_FILE`, `AWS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`), set to
//! [`TlsIdentity::ca_path`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, RsaKeySize, PKCS_RSA_SHA256,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{NoServerSessionStorage, ServerSessionMemoryCache};
use rustls::{HandshakeKind, ServerConfig as RustlsServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::Error;

/// The key type of the server's certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsKey {
    /// RSA 2048 with SHA-256, as S3's certificates.
    #[default]
    Rsa2048,
    /// ECDSA P-256 with SHA-256: a cheaper handshake for the server.
    EcdsaP256,
}

impl std::str::FromStr for TlsKey {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rsa" | "rsa2048" => Ok(Self::Rsa2048),
            "ecdsa" | "p256" | "ecdsa-p256" => Ok(Self::EcdsaP256),
            other => Err(Error::InvalidConfig(format!(
                "TLS key {other:?} is unknown; use rsa (as S3) or ecdsa"
            ))),
        }
    }
}

/// How the server speaks TLS (`ServerConfig::tls`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// The certificates' key type.
    pub key: TlsKey,
    /// Whether the server lets clients resume sessions (TLS 1.2 session IDs and tickets, TLS 1.3
    /// tickets); off by default, see the module documentation.
    pub resumption: bool,
}

impl std::fmt::Display for TlsSettings {
    /// `TLS 1.2/1.3, RSA 2048, no session resumption`, as the local stack prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = match self.key {
            TlsKey::Rsa2048 => "RSA 2048",
            TlsKey::EcdsaP256 => "ECDSA P-256",
        };
        let resumption = if self.resumption {
            "session resumption"
        } else {
            "no session resumption"
        };
        write!(f, "TLS 1.2/1.3, {key}, {resumption}")
    }
}

/// Handshakes the server has completed, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HandshakeCounts {
    /// Full handshakes (a certificate sent and verified, a key exchange).
    pub full: u64,
    /// Resumed sessions (no certificate).
    pub resumed: u64,
    /// Handshakes that failed (e.g. a client that does not trust the CA).
    pub failed: u64,
}

/// `full=N resumed=N failed=N`, as `local-s3` prints the counts.
impl std::fmt::Display for HandshakeCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "full={} resumed={} failed={}",
            self.full, self.resumed, self.failed
        )
    }
}

#[derive(Debug, Default)]
struct Counters {
    full: AtomicU64,
    resumed: AtomicU64,
    failed: AtomicU64,
}

/// A server's TLS identity: its certificates (a CA generated for it and a leaf signed by the
/// CA), the CA certificate in a file clients can be pointed at, and the handshake counts. Clones
/// share all of it, so a server restarted with the same [`crate::ServerConfig`] keeps its CA and
/// its clients keep trusting it; the file is removed when the last clone goes.
#[derive(Clone)]
pub struct TlsIdentity {
    inner: Arc<Identity>,
}

struct Identity {
    settings: TlsSettings,
    acceptor: TlsAcceptor,
    ca_pem: String,
    counters: Counters,
    // Holds `ca.pem`.
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("ca_path", &self.ca_path())
            .finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// Generates a CA and a leaf certificate for `localhost` and `127.0.0.1` with
    /// `settings.key`, and writes the CA certificate to a file of a new temp folder.
    pub fn generate(settings: TlsSettings) -> Result<Self, Error> {
        let certificates = Certificates::generate(settings.key)?;
        let dir = tempfile::Builder::new()
            .prefix("local-s3-tls-")
            .tempdir()
            .map_err(|source| Error::DataDir {
                path: std::env::temp_dir(),
                source,
            })?;
        let ca_path = dir.path().join("ca.pem");
        std::fs::write(&ca_path, &certificates.ca_pem).map_err(|source| Error::DataDir {
            path: ca_path.clone(),
            source,
        })?;
        let config = server_config(&certificates, settings.resumption)?;
        Ok(Self {
            inner: Arc::new(Identity {
                settings,
                acceptor: TlsAcceptor::from(Arc::new(config)),
                ca_pem: certificates.ca_pem,
                counters: Counters::default(),
                dir,
            }),
        })
    }

    /// The settings the certificates and the server configuration were made with.
    pub fn settings(&self) -> TlsSettings {
        self.inner.settings
    }

    /// The CA certificate clients must trust, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.inner.ca_pem
    }

    /// The file holding [`Self::ca_pem`]: the value for `SSL_CERT_FILE` (Rust's
    /// rustls-native-certs, OpenSSL), `AWS_CA_BUNDLE` (botocore) and `NODE_EXTRA_CA_CERTS`
    /// (Node.js).
    pub fn ca_path(&self) -> std::path::PathBuf {
        self.inner.dir.path().join("ca.pem")
    }

    /// The handshakes completed so far by every server using this identity.
    pub fn handshakes(&self) -> HandshakeCounts {
        let counters = &self.inner.counters;
        HandshakeCounts {
            full: counters.full.load(Ordering::Relaxed),
            resumed: counters.resumed.load(Ordering::Relaxed),
            failed: counters.failed.load(Ordering::Relaxed),
        }
    }

    /// Runs the server side of the handshake on `socket`, counting it.
    pub(crate) async fn accept<IO>(&self, socket: IO) -> Option<tokio_rustls::server::TlsStream<IO>>
    where
        IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let counters = &self.inner.counters;
        match self.inner.acceptor.accept(socket).await {
            Ok(stream) => {
                let counter = match stream.get_ref().1.handshake_kind() {
                    Some(HandshakeKind::Resumed) => &counters.resumed,
                    _ => &counters.full,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                Some(stream)
            }
            Err(err) => {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%err, "TLS handshake failed");
                None
            }
        }
    }
}

/// A CA certificate and a leaf signed by it.
struct Certificates {
    ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl Certificates {
    fn generate(kind: TlsKey) -> Result<Self, Error> {
        let tls_error = |what: &str, e: rcgen::Error| Error::Tls(format!("{what}: {e}"));
        let new_key = || match kind {
            TlsKey::Rsa2048 => KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048),
            TlsKey::EcdsaP256 => KeyPair::generate(),
        };
        let ca_key = new_key().map_err(|e| tls_error("generating the CA key", e))?;
        let mut ca = CertificateParams::new(Vec::<String>::new())
            .map_err(|e| tls_error("the CA's parameters", e))?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(
            DnType::CommonName,
            "local-s3 test CA (generated per server)",
        );
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca
            .self_signed(&ca_key)
            .map_err(|e| tls_error("signing the CA certificate", e))?;

        let leaf_key = new_key().map_err(|e| tls_error("generating the server key", e))?;
        let mut leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .map_err(|e| tls_error("the server certificate's parameters", e))?;
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf.use_authority_key_identifier_extension = true;
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_cert = leaf
            .signed_by(&leaf_key, &ca_cert, &ca_key)
            .map_err(|e| tls_error("signing the server certificate", e))?;

        let key = PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into());
        Ok(Self {
            ca_pem: ca_cert.pem(),
            // The leaf, then the CA, as a server sends its chain.
            chain: vec![leaf_cert.der().clone(), ca_cert.der().clone()],
            key,
        })
    }
}

fn server_config(
    certificates: &Certificates,
    resumption: bool,
) -> Result<RustlsServerConfig, Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = RustlsServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| Error::Tls(format!("TLS versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certificates.chain.clone(), certificates.key.clone_key())
        .map_err(|e| Error::Tls(format!("the server certificate: {e}")))?;
    // S3 speaks HTTP/1.1 only.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    if resumption {
        config.session_storage = ServerSessionMemoryCache::new(4096);
        config.ticketer = rustls::crypto::aws_lc_rs::Ticketer::new()
            .map_err(|e| Error::Tls(format!("the session ticketer: {e}")))?;
        config.send_tls13_tickets = 2;
    } else {
        config.session_storage = Arc::new(NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_as_the_local_stack_prints_them() {
        assert_eq!(
            TlsSettings::default().to_string(),
            "TLS 1.2/1.3, RSA 2048, no session resumption"
        );
        let ecdsa = TlsSettings {
            key: TlsKey::EcdsaP256,
            resumption: true,
        };
        assert_eq!(
            ecdsa.to_string(),
            "TLS 1.2/1.3, ECDSA P-256, session resumption"
        );
    }

    #[test]
    fn key_kinds_parse_and_unknown_ones_are_named() {
        assert_eq!("rsa".parse::<TlsKey>().ok(), Some(TlsKey::Rsa2048));
        assert_eq!("ECDSA".parse::<TlsKey>().ok(), Some(TlsKey::EcdsaP256));
        let err = "dsa".parse::<TlsKey>().err().map(|e| e.to_string());
        assert!(err.unwrap_or_default().contains("rsa (as S3) or ecdsa"));
    }

    #[test]
    fn both_key_kinds_make_a_chain_and_a_ca_file() {
        for key in [TlsKey::Rsa2048, TlsKey::EcdsaP256] {
            let tls = TlsIdentity::generate(TlsSettings {
                key,
                resumption: false,
            })
            .expect("generated");
            let path = tls.ca_path();
            let written = std::fs::read_to_string(&path).expect("CA file");
            assert_eq!(written, tls.ca_pem());
            assert!(
                written.starts_with("-----BEGIN CERTIFICATE-----"),
                "{key:?}"
            );
            assert_eq!(tls.handshakes(), HandshakeCounts::default());
            assert_eq!(tls.settings().key, key);
            let clone = tls.clone();
            drop(tls);
            assert!(path.exists(), "a clone keeps the file");
            drop(clone);
            assert!(!path.exists(), "the last clone removes it");
        }
    }
}
