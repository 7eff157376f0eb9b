//! The Lambda function: a thin shell over [`s3_reader::Reader`].

use std::sync::Arc;

use lambda_runtime::{service_fn, LambdaEvent};
use s3_reader::{ClientFactory, Reader};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .without_time() // CloudWatch stamps every line
        .init();
    let reader = Arc::new(Reader::new(ClientFactory::from_env().await));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let reader = Arc::clone(&reader);
        async move { reader.handle(event).await }
    }))
    .await
}
