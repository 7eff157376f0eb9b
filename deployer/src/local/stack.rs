//! The whole local stack in one value: local-s3 (data and results buckets, per-request latency),
//! the local Lambda runtime and moto bridged to it, and the `SdkConfig` that reaches them.
//! Dropping it stops everything (moto's process group, every function process, the S3 server).

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context;
use aws_config::SdkConfig;
use std::sync::Arc;

use local_s3::{Authorizer, LocalS3, ServerConfig, TlsIdentity, TlsSettings};
use local_stack::moto::StrictOptions;
use local_stack::runtime::RuntimeOptions;
use local_stack::LambdaStack;
use system::cgroup::CpuController;

use super::authorizer::MotoIam;
use super::endpoints::{local_sdk_config, LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY};

/// The S3 latency of the local run unless told otherwise (a same-region GET is about this).
pub const DEFAULT_S3_LATENCY: Duration = Duration::from_millis(20);

/// How to start the local stack.
#[derive(Debug, Clone)]
pub struct LocalStackOptions {
    /// Added to every S3 request.
    pub s3_latency: Duration,
    /// moto's strict mode (AWS's timing); `None` switches it off.
    pub strict: Option<StrictOptions>,
    /// local-s3 speaks HTTPS as S3 does (a CA generated per run, trusted by the functions
    /// through `SSL_CERT_FILE`, `AWS_CA_BUNDLE` and `NODE_EXTRA_CA_CERTS`); `false` is plain HTTP.
    pub tls: bool,
}

impl Default for LocalStackOptions {
    /// 20 ms per S3 request, strict mode with AWS-like defaults, HTTPS.
    fn default() -> Self {
        Self {
            s3_latency: DEFAULT_S3_LATENCY,
            strict: Some(StrictOptions::default()),
            tls: true,
        }
    }
}

/// The running local stack.
#[derive(Debug)]
pub struct LocalBench {
    // Field order = drop order: moto and the functions first, then S3, then its data.
    pub(crate) lambda: LambdaStack,
    s3: Option<LocalS3>,
    s3_port: u16,
    s3_config: ServerConfig,
    sdk: SdkConfig,
    _s3_data: tempfile::TempDir,
}

impl LocalBench {
    /// Starts local-s3 on a free port, then the runtime and moto; functions get
    /// `AWS_ENDPOINT_URL_S3` = local-s3 (and `AWS_ENDPOINT_URL` = moto, dummy credentials),
    /// and with TLS the CA file in the variables each ecosystem reads.
    pub async fn start(options: &LocalStackOptions) -> anyhow::Result<Self> {
        let data = tempfile::Builder::new()
            .prefix("deploy-local-s3-")
            .tempdir()
            .context("creating the local S3 data folder")?;
        let lambda = LambdaStack::start_with(RuntimeOptions::default(), options.strict.clone())
            .await
            .context(
                "starting moto and the local Lambda runtime (run scripts/setup if moto is missing)",
            )?;
        // Strict mode: local-s3 authorizes every request by the caller's role, as S3 does.
        // and the Step Functions tasks run as the state machine's role.
        let authorizer = match &options.strict {
            Some(_) => {
                let admin = lambda.moto.sdk_config().await;
                let iam = Arc::new(MotoIam::new(
                    &lambda.moto.endpoint(),
                    &admin,
                    // The deployer's keys: an administrator, as its own credentials are on AWS.
                    LOCAL_ACCESS_KEY,
                    LOCAL_SECRET_KEY,
                ));
                lambda.runtime.set_role_authorizer(iam.clone());
                let s3: Arc<dyn Authorizer> = iam;
                Some(s3)
            }
            None => None,
        };
        let tls = match options.tls {
            true => Some(
                TlsIdentity::generate(TlsSettings::default())
                    .context("making local-s3's TLS certificates")?,
            ),
            false => None,
        };
        let s3_config = ServerConfig {
            latency: options.s3_latency,
            root: Some(data.path().to_path_buf()),
            authorizer,
            tls: tls.clone(),
            ..ServerConfig::default()
        };
        let s3 = LocalS3::start(s3_config.clone())
            .await
            .context("starting local-s3")?;
        let s3_port = s3.addr().port();
        let mut env = BTreeMap::from([("AWS_ENDPOINT_URL_S3".to_string(), s3.endpoint())]);
        if let Some(tls) = &tls {
            let ca = tls.ca_path().display().to_string();
            // Rust (rustls-native-certs) and OpenSSL, botocore, Node.js.
            for var in ["SSL_CERT_FILE", "AWS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"] {
                env.insert(var.to_string(), ca.clone());
            }
        }
        lambda.runtime.set_base_env(env);
        let sdk = local_sdk_config(
            &lambda.moto.endpoint(),
            &s3.endpoint(),
            tls.as_ref().map(TlsIdentity::ca_pem),
        )
        .await;
        Ok(Self {
            lambda,
            s3: Some(s3),
            s3_port,
            s3_config,
            sdk,
            _s3_data: data,
        })
    }

    /// S3 calls go to local-s3, every other call to moto.
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.sdk
    }

    /// `https://127.0.0.1:PORT` of local-s3 (`http://` without TLS; the same after
    /// [`Self::restart_s3`], which keeps the certificates).
    pub fn s3_endpoint(&self) -> String {
        let scheme = if self.s3_config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://127.0.0.1:{}", self.s3_port)
    }

    /// How local-s3 speaks TLS; `None`: plain HTTP.
    pub fn s3_tls(&self) -> Option<TlsSettings> {
        self.s3_config.tls.as_ref().map(TlsIdentity::settings)
    }

    /// With TLS, the file holding the CA certificate local-s3's clients trust.
    pub fn s3_ca_path(&self) -> Option<std::path::PathBuf> {
        self.s3_config.tls.as_ref().map(TlsIdentity::ca_path)
    }

    /// `http://127.0.0.1:PORT` of moto (Lambda, Step Functions, IAM, STS, Scheduler).
    pub fn moto_endpoint(&self) -> String {
        self.lambda.moto.endpoint()
    }

    /// Stops local-s3 (as a crash would: connections close, the port refuses). The data stays.
    pub async fn stop_s3(&mut self) {
        if let Some(s3) = self.s3.take() {
            s3.shutdown().await;
        }
    }

    /// Starts local-s3 again on the same port with the same data.
    pub async fn restart_s3(&mut self) -> anyhow::Result<()> {
        self.stop_s3().await;
        let s3 = LocalS3::start_on_port(self.s3_config.clone(), self.s3_port)
            .await
            .with_context(|| format!("restarting local-s3 on port {}", self.s3_port))?;
        self.s3 = Some(s3);
        Ok(())
    }

    /// How function CPU is limited: `Ok(description)` when a cgroup quota in proportion to memory
    /// is applied, `Err(reason)` when it cannot be.
    pub fn cpu_quota(&self) -> Result<String, String> {
        match self.lambda.runtime.cpu_controller() {
            CpuController::Available { version, parent } => Ok(format!(
                "{} quota in proportion to memory (1769 MB = 1 vCPU) under {}",
                version.label(),
                parent.display()
            )),
            CpuController::Unavailable { reason } => Err(reason.clone()),
        }
    }

    /// Stops moto, every function process and local-s3.
    pub async fn shutdown(mut self) {
        self.stop_s3().await;
        let Self { lambda, .. } = self;
        lambda.shutdown().await;
    }
}
