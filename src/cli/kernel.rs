//! `kvalitet kernel`: install the Jupyter kernelspec, or run the kernel on
//! the connection file Jupyter gives it.

use crate::kernel::{self, kernelspec};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct KernelArgs {
    #[command(subcommand)]
    command: Option<KernelCommand>,
    /// The connection file Jupyter writes for the kernel (`{connection_file}` in the kernelspec).
    #[arg(long, short = 'f')]
    connection_file: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum KernelCommand {
    /// Write the kernelspec "Kvalitet (Rhai)" so that Jupyter offers the kernel.
    Install(InstallArgs),
}

#[derive(clap::Args)]
struct InstallArgs {
    /// For this user: $JUPYTER_DATA_DIR, else the Jupyter user data directory (the default).
    #[arg(long, group = "target")]
    user: bool,
    /// Into the active virtual environment (VIRTUAL_ENV or CONDA_PREFIX).
    #[arg(long, group = "target")]
    sys_prefix: bool,
    /// Into PREFIX/share/jupyter.
    #[arg(long, group = "target")]
    prefix: Option<PathBuf>,
    /// The kernel's name (its folder under kernels/).
    #[arg(long, default_value = kernelspec::DEFAULT_NAME)]
    name: String,
    /// The name notebook front ends show.
    #[arg(long, default_value = kernelspec::DEFAULT_DISPLAY_NAME)]
    display_name: String,
}

pub fn kernel(args: KernelArgs) -> anyhow::Result<ExitCode> {
    match (args.command, args.connection_file) {
        (Some(KernelCommand::Install(install)), _) => {
            let target = match (install.sys_prefix, install.prefix) {
                (true, _) => kernelspec::Target::SysPrefix,
                (false, Some(prefix)) => kernelspec::Target::Prefix(prefix),
                (false, None) => kernelspec::Target::User,
            };
            let options = kernelspec::InstallOptions { target, name: install.name, display_name: install.display_name };
            let dir = kernelspec::install(&options)?;
            println!("installed the kernelspec \"{}\" in {}", options.display_name, dir.display());
            Ok(ExitCode::SUCCESS)
        }
        (None, Some(file)) => {
            kernel::run(&file)?;
            Ok(ExitCode::SUCCESS)
        }
        (None, None) => anyhow::bail!(
            "give --connection-file FILE (Jupyter does, through the kernelspec), or install the kernelspec with \
             `kvalitet kernel install`"
        ),
    }
}
