//! `kvalitet synth` and `kvalitet demo` (being built).
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct SynthArgs {}

#[derive(clap::Args)]
pub struct DemoArgs {}

pub fn synth(_args: SynthArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("kvalitet synth is being built")
}

pub fn demo(_args: DemoArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("kvalitet demo is being built")
}
