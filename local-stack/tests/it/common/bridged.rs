//! The test function in moto: a local runtime with a moto bridged to it, and CreateFunction of
//! the test function.

use aws_config::SdkConfig;
use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::SdkError;
use aws_sdk_lambda::operation::create_function::{CreateFunctionError, CreateFunctionOutput};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{Environment, FunctionCode, Runtime};
use local_stack::moto::{MotoOptions, MotoServer, StrictOptions};
use local_stack::runtime::{LocalRuntime, RuntimeOptions};

use super::function_zip;

/// A local runtime and a moto whose Lambda invokes it (the bridge), with a Lambda client.
pub(crate) struct Bridged {
    // Field order: moto dies before the runtime it forwards to.
    pub moto: MotoServer,
    pub runtime: LocalRuntime,
    pub config: SdkConfig,
    pub lambda: aws_sdk_lambda::Client,
}

impl Bridged {
    /// Starts the runtime and the bridged moto: lenient, or with `strict`'s windows and quotas.
    pub(crate) async fn start(strict: Option<StrictOptions>) -> Bridged {
        let runtime = LocalRuntime::start(RuntimeOptions::default())
            .await
            .expect("runtime");
        let mut options = MotoOptions::with_bridge(runtime.url());
        if let Some(strict) = strict {
            options = options.with_strict(strict);
        }
        let moto = MotoServer::start(options).await.expect("moto with bridge");
        let config = moto.sdk_config().await;
        let lambda = aws_sdk_lambda::Client::new(&config);
        Bridged {
            moto,
            runtime,
            config,
            lambda,
        }
    }

    /// Stops moto, then the runtime.
    pub(crate) async fn shutdown(self) {
        drop(self.moto);
        self.runtime.shutdown().await;
    }
}

/// Creates the test function (the [`function_zip`] code) as `name`, with `TEST_STAGE=stage`.
pub(crate) async fn create_test_function(
    lambda: &aws_sdk_lambda::Client,
    name: &str,
    role: &str,
    memory: i32,
    timeout: i32,
    stage: &str,
) -> Result<CreateFunctionOutput, SdkError<CreateFunctionError, HttpResponse>> {
    lambda
        .create_function()
        .function_name(name)
        .role(role)
        .runtime(Runtime::Providedal2023)
        .handler("bootstrap")
        .memory_size(memory)
        .timeout(timeout)
        .environment(
            Environment::builder()
                .variables("TEST_STAGE", stage)
                .build(),
        )
        .code(
            FunctionCode::builder()
                .zip_file(Blob::new(function_zip()))
                .build(),
        )
        .send()
        .await
}
