//! The server over HTTPS: the SDK trusting the generated CA, a client that does not, TLS 1.2
//! and 1.3, session resumption off (the default) and on, and the binary's `ca=` line.

use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use local_s3::{HandshakeCounts, LocalS3, ServerConfig, TlsIdentity, TlsKey, TlsSettings};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

async fn tls_server(key: TlsKey, resumption: bool) -> LocalS3 {
    let identity = TlsIdentity::generate(TlsSettings { key, resumption }).expect("certificates");
    LocalS3::start(ServerConfig {
        tls: Some(identity),
        ..ServerConfig::default()
    })
    .await
    .expect("the TLS server starts")
}

fn handshakes(server: &LocalS3) -> HandshakeCounts {
    server.handshakes().expect("a TLS server counts handshakes")
}

/// The counts once `done` holds (the server finishes a handshake a moment after the client:
/// in TLS 1.3 the client's Finished comes last), or after 5 s.
async fn handshakes_when(
    server: &LocalS3,
    done: impl Fn(&HandshakeCounts) -> bool,
) -> HandshakeCounts {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let counts = handshakes(server);
        if done(&counts) || std::time::Instant::now() > deadline {
            return counts;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn the_sdk_trusting_the_ca_reads_and_writes_over_https_with_either_key() {
    for key in [TlsKey::Rsa2048, TlsKey::EcdsaP256] {
        let server = tls_server(key, false).await;
        assert!(
            server.endpoint().starts_with("https://127.0.0.1:"),
            "{key:?}"
        );
        let ca = std::fs::read_to_string(server.ca_path().expect("a CA file")).expect("readable");
        assert!(ca.contains("BEGIN CERTIFICATE"));
        server
            .create_bucket("data")
            .await
            .expect("bucket over HTTPS");
        let client = server.client();
        client
            .put_object()
            .bucket("data")
            .key("k")
            .body(ByteStream::from_static(b"over TLS"))
            .send()
            .await
            .expect("put");
        let got = client
            .get_object()
            .bucket("data")
            .key("k")
            .send()
            .await
            .expect("get");
        let body = got.body.collect().await.expect("body").into_bytes();
        assert_eq!(&body[..], b"over TLS");
        let counts = handshakes(&server);
        assert!(counts.full >= 1, "{key:?}: {counts:?}");
        assert_eq!((counts.resumed, counts.failed), (0, 0), "{key:?}");
    }
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_is_refused_and_counted() {
    let server = tls_server(TlsKey::EcdsaP256, false).await;
    let stranger = local_s3::client_for(&server.endpoint())
        .config()
        .to_builder()
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    let err = aws_sdk_s3::Client::from_conf(stranger)
        .list_buckets()
        .send()
        .await
        .expect_err("an unknown CA is refused");
    let text = format!("{}", aws_sdk_s3::error::DisplayErrorContext(&err));
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    let counts = handshakes_when(&server, |c| c.failed >= 1).await;
    assert_eq!((counts.full, counts.failed), (0, 1), "{counts:?}");
}

/// A TLS client of one protocol version that trusts only the server's CA.
fn connector(ca_pem: &str, version: &'static rustls::SupportedProtocolVersion) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.expect("a PEM certificate")).expect("a CA");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[version])
        .expect("the version")
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

#[tokio::test]
async fn tls_1_2_and_1_3_are_both_served_and_resumption_is_off_by_default() {
    let server = tls_server(TlsKey::Rsa2048, false).await;
    let ca = server.ca_pem().expect("CA").to_owned();
    for (version, expected) in [
        (&rustls::version::TLS12, rustls::ProtocolVersion::TLSv1_2),
        (&rustls::version::TLS13, rustls::ProtocolVersion::TLSv1_3),
    ] {
        let connector = connector(&ca, version);
        // Three connections from one client config: with resumption off, all full handshakes.
        for _ in 0..3 {
            let tcp = TcpStream::connect(server.addr()).await.expect("connect");
            let name = ServerName::try_from("127.0.0.1").expect("an IP name");
            let tls = connector.connect(name, tcp).await.expect("handshake");
            let (_, conn) = tls.get_ref();
            assert_eq!(conn.protocol_version(), Some(expected));
            assert_eq!(conn.alpn_protocol(), None, "no ALPN asked, none chosen");
            assert_eq!(conn.handshake_kind(), Some(rustls::HandshakeKind::Full));
        }
    }
    let counts = handshakes_when(&server, |c| c.full >= 6).await;
    assert_eq!((counts.full, counts.resumed), (6, 0), "{counts:?}");
}

#[tokio::test]
async fn with_resumption_on_a_second_connection_resumes() {
    let server = tls_server(TlsKey::EcdsaP256, true).await;
    let ca = server.ca_pem().expect("CA").to_owned();
    for version in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let connector = connector(&ca, version);
        let mut kinds = Vec::new();
        for _ in 0..2 {
            let tcp = TcpStream::connect(server.addr()).await.expect("connect");
            let name = ServerName::try_from("127.0.0.1").expect("an IP name");
            let mut tls = connector.connect(name, tcp).await.expect("handshake");
            // TLS 1.3 tickets come after the handshake: read until the server closes or waits.
            let _ = tokio::time::timeout(std::time::Duration::from_millis(200), async {
                use tokio::io::AsyncReadExt;
                let mut buf = [0u8; 1];
                tls.read(&mut buf).await
            })
            .await;
            kinds.push(tls.get_ref().1.handshake_kind());
        }
        assert_eq!(
            kinds,
            [
                Some(rustls::HandshakeKind::Full),
                Some(rustls::HandshakeKind::Resumed)
            ],
            "{version:?}"
        );
    }
    let counts = handshakes_when(&server, |c| c.full + c.resumed >= 4).await;
    assert_eq!((counts.full, counts.resumed), (2, 2), "{counts:?}");
}

/// A server restarted with the same config keeps its CA: clients trusting it keep working
/// (the local stack restarts S3 under running functions), and the counts go on.
#[tokio::test]
async fn a_restart_with_the_same_identity_keeps_the_ca() {
    let identity = TlsIdentity::generate(TlsSettings::default()).expect("certificates");
    let data = tempfile::tempdir().expect("data folder");
    let config = ServerConfig {
        tls: Some(identity.clone()),
        root: Some(data.path().to_path_buf()),
        ..ServerConfig::default()
    };
    let first = LocalS3::start(config.clone()).await.expect("starts");
    let port = first.addr().port();
    let client = first.client();
    first.create_bucket("kept").await.expect("bucket");
    first.shutdown().await;
    let second = LocalS3::start_on_port(config, port)
        .await
        .expect("restarts");
    assert_eq!(second.ca_pem(), Some(identity.ca_pem()));
    client
        .head_bucket()
        .bucket("kept")
        .send()
        .await
        .expect("the old client trusts the restarted server");
    assert!(
        identity.handshakes().full >= 2,
        "{:?}",
        identity.handshakes()
    );
}
