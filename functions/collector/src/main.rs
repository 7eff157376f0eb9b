//! The collector Lambda: a thin entry over [`collector::handler::handle`].

use lambda_runtime::{service_fn, Error, LambdaEvent};

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .without_time()
        .init();
    let client = collector::handler::s3_client_from_env().await;
    lambda_runtime::run(service_fn(
        |event: LambdaEvent<bench_types::CollectorRequest>| {
            let client = &client;
            async move { collector::handler::handle(client, event).await }
        },
    ))
    .await
}
