//! The Lambda function: a thin shell over [`s3_reader::Reader`], on the runtime its memory size
//! calls for ([`RuntimeKind`]).

use std::sync::Arc;

use lambda_runtime::{service_fn, LambdaEvent};
use s3_reader::{ClientFactory, Reader, RuntimeKind};
use serde_json::Value;

fn main() -> Result<(), lambda_runtime::Error> {
    // No colour codes; AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL honoured; text lines
    // without a timestamp (CloudWatch stamps every line).
    bench_types::logging::init_from_env("info")?;
    let runtime = RuntimeKind::from_env(None).build()?;
    runtime.block_on(async {
        let reader = Arc::new(Reader::new(ClientFactory::from_env().await));
        lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
            let reader = Arc::clone(&reader);
            async move { reader.handle(event).await }
        }))
        .await
    })
}
