//! `kvalitet catalog` (being built).
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CatalogArgs {}

pub fn catalog(_args: CatalogArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("kvalitet catalog is being built")
}
