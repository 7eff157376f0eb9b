//! `s3-read`: the reader's code from the command line, against any S3 endpoint; prints the
//! contract-2 result JSON on stdout.

use anyhow::Context;
use bench_types::ReadMode;
use clap::Parser;
use s3_reader::{ClientFactory, ReadRequest, Reader, RuntimeKind};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Lists a prefix and reads every object, as the Lambda does"
)]
struct Args {
    /// S3 endpoint (default: the AWS environment, e.g. AWS_ENDPOINT_URL_S3).
    #[arg(long, env = "S3_READ_ENDPOINT")]
    endpoint: Option<String>,
    /// Bucket (the event's s3_bucket_name).
    #[arg(long)]
    bucket: String,
    /// Key prefix (the event's folder).
    #[arg(long, default_value = "")]
    folder: String,
    /// concurrent or sequential. Passed to the reader as text, so that a bad value gets the
    /// reader's own `InvalidEvent` answer, as in the Lambda.
    #[arg(long, default_value_t = ReadMode::Concurrent.to_string())]
    mode: String,
    /// Objects in flight at once, or `auto` (the reader adapts its limit while it runs).
    /// Passed on as given, so that a bad value gets the reader's own `InvalidEvent` answer.
    #[arg(long, default_value = "64")]
    concurrency: String,
    /// GET path: `direct` (signed GETs over hyper) or `sdk` (aws-sdk-s3 GetObject).
    #[arg(long, default_value = "direct")]
    client: String,
    /// Report the key of the object holding this string.
    #[arg(long)]
    find: Option<String>,
    /// Memory size to report (default: AWS_LAMBDA_FUNCTION_MEMORY_SIZE, else 0).
    #[arg(long, env = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE")]
    memory_mb: Option<u32>,
    /// Print the JSON on one line.
    #[arg(long)]
    compact: bool,
}

fn main() -> anyhow::Result<()> {
    // The Lambda's logging, on stderr: stdout is the result's JSON.
    bench_types::logging::init_from_env_writing_to("warn", std::io::stderr)
        .context("setting up logging")?;
    let args = Args::parse();
    // The Lambda's choice for the same memory size (one thread up to 1769 MB).
    RuntimeKind::from_env(args.memory_mb)
        .build()
        .context("starting the tokio runtime")?
        .block_on(read(args))
}

async fn read(args: Args) -> anyhow::Result<()> {
    let event = bench_types::ReaderEvent {
        s3_bucket_name: Some(args.bucket.clone()),
        folder: Some(args.folder.clone()),
        find: args.find.clone(),
        mode: Some(args.mode.clone()),
        concurrency: Some(match args.concurrency.trim().parse::<i64>() {
            Ok(n) => serde_json::Value::from(n),
            Err(_) => serde_json::Value::from(args.concurrency.clone()),
        }),
        reuse_connections: None,
        client: Some(args.client.clone()),
    };
    let request = ReadRequest::from_event(event).context("checking the flags")?;
    let mut factory = ClientFactory::from_env().await;
    if let Some(endpoint) = &args.endpoint {
        factory = factory.with_endpoint(endpoint);
    }
    let reader = Reader::new(factory);
    let reader = match args.memory_mb {
        Some(m) => reader.with_memory_mb(m),
        None => reader,
    };
    let result = reader
        .run(&request, args.memory_mb.unwrap_or(0))
        .await
        .with_context(|| format!("reading s3://{}/{}", args.bucket, args.folder))?;
    let json = if args.compact {
        serde_json::to_string(&result)
    } else {
        serde_json::to_string_pretty(&result)
    }
    .context("serializing the result")?;
    println!("{json}");
    Ok(())
}
