//! `kvalitet kernel install`: write `<data dir>/kernels/<name>/kernel.json`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::KernelError;
use jupyter_protocol::JupyterKernelspec;

/// The kernel's name, its folder under `kernels/`.
pub const DEFAULT_NAME: &str = "kvalitet";
/// What notebook front ends show.
pub const DEFAULT_DISPLAY_NAME: &str = "Kvalitet (Rhai)";
/// The kernelspec's language.
pub const LANGUAGE: &str = "rhai";

/// Where and under which names to install the kernelspec.
pub struct InstallOptions {
    pub target: Target,
    pub name: String,
    pub display_name: String,
}

/// Where a kernelspec goes, as `jupyter kernelspec install` names it.
pub enum Target {
    /// `--user`: $JUPYTER_DATA_DIR, else the platform's Jupyter user data dir.
    User,
    /// `--prefix P`: P/share/jupyter (what `jupyter kernelspec install --prefix` uses).
    Prefix(PathBuf),
    /// `--sys-prefix`: the active virtualenv / conda env.
    SysPrefix,
}

fn data_dir(target: &Target) -> Result<PathBuf, KernelError> {
    match target {
        Target::Prefix(p) => Ok(p.join("share").join("jupyter")),
        Target::SysPrefix => std::env::var_os("VIRTUAL_ENV")
            .or_else(|| std::env::var_os("CONDA_PREFIX"))
            .map(|p| PathBuf::from(p).join("share").join("jupyter"))
            .ok_or_else(|| KernelError::Install("--sys-prefix: neither VIRTUAL_ENV nor CONDA_PREFIX is set".into())),
        Target::User => match std::env::var_os("JUPYTER_DATA_DIR") {
            Some(d) => Ok(PathBuf::from(d)),
            None => jupyter_zmq_client::user_data_dir()
                .map_err(|e| KernelError::Install(format!("cannot find the Jupyter data directory: {e}"))),
        },
    }
}

/// The kernelspec that starts `exe kernel --connection-file F`.
pub fn kernelspec(exe: &Path, display_name: &str) -> JupyterKernelspec {
    JupyterKernelspec {
        argv: vec![
            exe.to_string_lossy().into_owned(),
            "kernel".to_string(),
            "--connection-file".to_string(),
            "{connection_file}".to_string(),
        ],
        display_name: display_name.to_string(),
        language: LANGUAGE.to_string(),
        // Some(empty) rather than None: the struct has no
        // skip_serializing_if, and `null` here breaks jupyter_client's
        // traitlets validation (metadata/env must be dicts).
        metadata: Some(HashMap::new()),
        interrupt_mode: Some("message".to_string()),
        env: Some(HashMap::new()),
    }
}

/// Writes `<data dir>/kernels/<name>/kernel.json` naming this executable;
/// returns the directory written.
pub fn install(opts: &InstallOptions) -> Result<PathBuf, KernelError> {
    if opts.name.is_empty() || !opts.name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err(KernelError::Install(format!(
            "invalid kernel name {:?} (allowed: ASCII letters, digits, . _ -)",
            opts.name
        )));
    }
    let exe = std::env::current_exe()
        .map_err(|e| KernelError::Install(format!("cannot locate the kvalitet executable: {e}")))?;
    let exe = exe.canonicalize().unwrap_or(exe);
    let dir = data_dir(&opts.target)?.join("kernels").join(&opts.name);
    std::fs::create_dir_all(&dir).map_err(|e| KernelError::Io { path: dir.clone(), source: e })?;
    let spec = kernelspec(&exe, &opts.display_name);
    let json = serde_json::to_string_pretty(&spec).expect("a kernelspec serialises");
    let path = dir.join("kernel.json");
    std::fs::write(&path, json + "\n").map_err(|e| KernelError::Io { path: path.clone(), source: e })?;
    Ok(dir)
}
