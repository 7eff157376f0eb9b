//! The running server: binds 127.0.0.1, accepts connections, stops on drop.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::service::S3ServiceBuilder;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::authorize::{AccessBridge, AuthBridge};
use crate::backend::LocalBackend;
use crate::connection_log::ConnectionLog;
use crate::faults::FaultPlan;
use crate::http_layer::FaultyService;
use crate::{Error, HandshakeCounts, ServerConfig, TlsIdentity};

/// A running local S3 server. Dropping it stops the server (and removes a temp data dir).
pub struct LocalS3 {
    addr: SocketAddr,
    root: PathBuf,
    stop: watch::Sender<bool>,
    accept_task: Option<JoinHandle<()>>,
    tls: Option<TlsIdentity>,
    connections: ConnectionLog,
    // Declared last: dropped after the accept task is told to stop.
    _temp_dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for LocalS3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalS3")
            .field("addr", &self.addr)
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl LocalS3 {
    /// Starts a server on a free port of 127.0.0.1, on the current Tokio runtime.
    pub async fn start(config: ServerConfig) -> Result<LocalS3, Error> {
        Self::start_on_port(config, 0).await
    }

    /// Starts a server on 127.0.0.1:`port` (0 = a free port).
    pub async fn start_on_port(config: ServerConfig, port: u16) -> Result<LocalS3, Error> {
        config.validate()?;
        let (temp_dir, root) = match &config.root {
            Some(root) => {
                std::fs::create_dir_all(root).map_err(|source| Error::DataDir {
                    path: root.clone(),
                    source,
                })?;
                (None, root.clone())
            }
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("local-s3-")
                    .tempdir()
                    .map_err(|source| Error::DataDir {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                let root = dir.path().to_path_buf();
                (Some(dir), root)
            }
        };
        let fs = s3s_fs::FileSystem::new(&root).map_err(|e| Error::Backend(format!("{e:?}")))?;
        let backend = LocalBackend::new(fs, &config.failing_keys);
        let mut builder = S3ServiceBuilder::new(backend);
        if let Some(authorizer) = &config.authorizer {
            builder.set_auth(AuthBridge(Arc::clone(authorizer)));
            builder.set_access(AccessBridge {
                authorizer: Arc::clone(authorizer),
                root: root.clone(),
                partition: config.partition.clone().unwrap_or_else(|| "aws".into()),
            });
        } else if let Some(key) = &config.signing_key {
            builder.set_auth(s3s::auth::SimpleAuth::from_single(
                key.access_key_id.clone(),
                key.secret_access_key.clone(),
            ));
        }
        let s3_service = builder.build();
        let plan = Arc::new(FaultPlan::new(&config));
        let tls = config.tls.clone();

        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| Error::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::Bind { port, source })?;
        let (stop, stopped) = watch::channel(false);
        let service = FaultyService::new(s3_service, Arc::clone(&plan))
            .checking_signatures(config.signing_key.is_some() || config.authorizer.is_some());
        let connections = ConnectionLog::default();
        let accept_task = tokio::spawn(accept_loop(
            listener,
            service,
            plan,
            tls.clone(),
            connections.clone(),
            stopped,
        ));
        tracing::info!(%addr, root = %root.display(), tls = tls.is_some(), "local-s3 listening");
        Ok(LocalS3 {
            addr,
            root,
            stop,
            accept_task: Some(accept_task),
            tls,
            connections,
            _temp_dir: temp_dir,
        })
    }

    /// `https://127.0.0.1:PORT` with TLS, else `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// With TLS, the file holding the CA certificate clients must trust (see
    /// [`TlsIdentity::ca_path`]). It lives as long as the server.
    pub fn ca_path(&self) -> Option<std::path::PathBuf> {
        self.tls.as_ref().map(TlsIdentity::ca_path)
    }

    /// With TLS, the CA certificate clients must trust (PEM).
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(TlsIdentity::ca_pem)
    }

    /// With TLS, the handshakes completed so far (with the same identity, before a restart too).
    pub fn handshakes(&self) -> Option<HandshakeCounts> {
        self.tls.as_ref().map(TlsIdentity::handshakes)
    }

    /// The connection and handshake counts, detached from the server (e.g. for a signal
    /// handler; see [`ServerCounts::report_line`]).
    pub fn counts(&self) -> crate::ServerCounts {
        crate::ServerCounts {
            log: self.connections.clone(),
            tls: self.tls.clone(),
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where the objects are stored.
    pub fn root(&self) -> &std::path::Path {
        &self.root
    }

    /// An S3 client for this server (trusting its CA with TLS): path-style, static dummy
    /// credentials, us-east-1.
    pub fn client(&self) -> aws_sdk_s3::Client {
        client_trusting(&self.endpoint(), self.ca_pem())
    }

    /// Creates a bucket (no error if it already exists and is ours).
    pub async fn create_bucket(&self, bucket: &str) -> Result<(), Error> {
        crate::populate::create_bucket(&self.client(), bucket).await
    }

    /// Uploads the objects of `spec` under `prefix` (the bucket must exist).
    pub async fn populate(
        &self,
        bucket: &str,
        prefix: &str,
        spec: &crate::ObjectSet,
    ) -> Result<crate::PopulateReport, Error> {
        crate::populate::populate(&self.client(), bucket, prefix, spec).await
    }

    /// Stops accepting, closes the connections, and waits for the server task to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.accept_task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for LocalS3 {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.accept_task.take() {
            // Aborting drops the JoinSet of connections, which aborts every connection task.
            task.abort();
        }
    }
}

/// An S3 client for any plain-HTTP local endpoint: path-style, static dummy credentials,
/// us-east-1.
pub fn client_for(endpoint: &str) -> aws_sdk_s3::Client {
    client_trusting(endpoint, None)
}

/// [`client_for`] that also trusts the CA certificate `ca_pem` (a TLS server's
/// [`LocalS3::ca_pem`]) besides the system's roots.
pub fn client_trusting(endpoint: &str, ca_pem: Option<&str>) -> aws_sdk_s3::Client {
    let mut config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "local-s3"))
        .endpoint_url(endpoint)
        .force_path_style(true);
    if let Some(pem) = ca_pem {
        config = config.http_client(https_client_trusting(pem));
    }
    aws_sdk_s3::Client::from_conf(config.build())
}

/// The SDK's default HTTPS client (rustls with aws-lc), trusting `ca_pem` besides the system's
/// roots.
pub fn https_client_trusting(ca_pem: &str) -> aws_sdk_s3::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
    let trust = TrustStore::default().with_pem_certificate(ca_pem.as_bytes().to_vec());
    let builder = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
    match TlsContext::builder().with_trust_store(trust).build() {
        Ok(context) => builder.tls_context(context).build_https(),
        // Only a builder without a trust store fails; keep the default roots then.
        Err(err) => {
            tracing::warn!(%err, "local-s3: the CA could not be added to the client's trust store");
            builder.build_https()
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    service: FaultyService,
    plan: Arc<FaultPlan>,
    tls: Option<TlsIdentity>,
    log: ConnectionLog,
    mut stopped: watch::Receiver<bool>,
) {
    let builder = ConnBuilder::new(TokioExecutor::new());
    let mut connections = JoinSet::new();
    let zero_linger = plan.may_reset();
    loop {
        let accepted = tokio::select! {
            res = listener.accept() => res,
            _ = stopped.wait_for(|stop| *stop) => break,
            // Reap finished connections so the set stays small on long runs.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        let socket = match accepted {
            Ok((socket, _)) => socket,
            Err(err) => {
                // e.g. EMFILE: back off briefly instead of spinning.
                tracing::warn!(%err, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        log.accepted();
        let _ = socket.set_nodelay(true);
        if zero_linger {
            // Closing a zero-linger socket sends RST: that is how a reset fault reaches the client.
            let _ = socket.set_zero_linger();
        }
        let builder = builder.clone();
        let service = service.clone();
        match tls.clone() {
            // The handshake runs in the connection's task: a slow client does not hold up accept.
            Some(tls) => connections.spawn(async move {
                if let Some(stream) = tls.accept(socket).await {
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
            }),
            None => connections.spawn(async move {
                let _ = builder
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            }),
        };
    }
    connections.shutdown().await;
}
