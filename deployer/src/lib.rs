//! Deploys, runs and destroys the benchmark stack

pub async fn main() -> anyhow::Result<()> {
    anyhow::bail!("not built yet")
}
