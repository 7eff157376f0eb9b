//! The collector Lambda: a thin entry over [`collector::handle`].

use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // No colour codes; AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL honoured.
    bench_types::logging::init_from_env("info")?;
    let client = collector::s3_client_from_env().await;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<bench_types::CollectorRequest>| {
            let client = &client;
            async move { collector::handle(client, event).await }
        },
    ))
    .await
}
