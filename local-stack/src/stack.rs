//! The Lambda half of the local stack in one value: a local runtime and a moto bridged to it.

use std::collections::BTreeMap;

use crate::moto::{MotoOptions, MotoServer, StrictOptions};
use crate::runtime::{LocalRuntime, RuntimeOptions};
use crate::Error;

/// moto (control plane, Step Functions) whose Lambda Invoke runs real functions in a
/// [`LocalRuntime`]. Functions get `AWS_ENDPOINT_URL` = moto's endpoint unless their own
/// environment sets it (as moto's Docker Lambdas do), so their AWS calls stay local.
#[derive(Debug)]
pub struct LambdaStack {
    // Field order = drop order: moto goes before the runtime it forwards to.
    /// moto (the AWS control plane and Step Functions), its Lambda Invoke bridged to `runtime`.
    pub moto: MotoServer,
    /// The local Lambda runtime moto's Invoke (and Step Functions' invoke tasks) run in.
    pub runtime: LocalRuntime,
}

impl LambdaStack {
    /// Starts the runtime, then moto with the bridge to it, in strict mode with AWS's timing
    /// ([`StrictOptions::default`]): code that passes here does not trip over role propagation,
    /// update latency or throttling on AWS.
    pub async fn start(options: RuntimeOptions) -> Result<Self, Error> {
        Self::start_with(options, Some(StrictOptions::default())).await
    }

    /// [`Self::start`] with the strict-mode options of your choice; `None` is lenient moto, which
    /// accepts at once what AWS refuses for a while.
    pub async fn start_with(
        options: RuntimeOptions,
        strict: Option<StrictOptions>,
    ) -> Result<Self, Error> {
        let runtime = LocalRuntime::start(options).await?;
        let moto = MotoServer::start(MotoOptions {
            strict,
            ..MotoOptions::with_bridge(runtime.url())
        })
        .await?;
        runtime.set_base_env(BTreeMap::from([(
            "AWS_ENDPOINT_URL".to_string(),
            moto.endpoint(),
        )]));
        Ok(Self { moto, runtime })
    }

    /// An SDK config for moto (see [`MotoServer::sdk_config`]).
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        self.moto.sdk_config().await
    }

    /// Stops moto, then every function environment.
    pub async fn shutdown(self) {
        let Self { moto, runtime } = self;
        moto.stop().await;
        runtime.shutdown().await;
    }
}
