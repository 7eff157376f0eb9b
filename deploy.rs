//! `cargo run --bin deploy`: deploys, runs and removes the Lambda concurrency benchmark.
//! All of its logic lives in the `deployer` crate.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    deployer::main().await
}
