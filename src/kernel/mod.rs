//! The Jupyter kernel: the wire protocol around notebook cells. A thin
//! layer over the workspace's cell evaluation (as evcxr's kernel is over
//! its evaluator): cells go to a [`crate::workspace::session::Session`],
//! MIME bundles from [`crate::display`] come back.
//!
//! | file | owns |
//! | --- | --- |
//! | [`connection`] | sockets: binding, tolerant receive, iopub (XPUB + welcome, JEP 65), the echoing heartbeat |
//! | [`dispatch`] | shell and control: busy/idle around every request, execute, complete, inspect, is_complete, interrupt, shutdown |
//! | [`evaluator`] | the one thread that owns the (non-`Send`) Rhai engine and scope; channels to the async tasks; the interrupt flag |
//! | [`cells`] | the language: Rhai cells, completion, inspection, completeness, values to MIME bundles |
//! | [`kernelspec`] | `kvalitet kernel install` |
//!
//! Protocol behaviour users rely on, each tested against `jupyter_client`:
//! every request gets `status: busy` first and `idle` last on iopub; a
//! message with a bad signature is logged and skipped; interrupt (control
//! channel, or SIGINT) stops a running cell at its next script operation
//! and raises Polars' own abort for a query in flight, and the kernel
//! goes on; shutdown and restart reply and exit cleanly. The kernel logs
//! to stderr, which the notebook server shows in its console.

pub mod cells;
pub mod connection;
pub mod dispatch;
pub mod evaluator;
pub mod kernelspec;

use dispatch::ShutdownReason;
use jupyter_protocol::ConnectionInfo;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The version of the Rhai language the cells speak.
pub const RHAI_VERSION: &str = "1.27";

/// Kernel logs go to stderr (jupyter_client forwards them to its console).
macro_rules! log {
    ($($arg:tt)*) => { eprintln!("[kvalitet kernel] {}", format_args!($($arg)*)) };
}
pub(crate) use log;

/// Per-message tracing, enabled with `KVALITET_KERNEL_DEBUG=1`.
static DEBUG: AtomicBool = AtomicBool::new(false);

macro_rules! debug {
    ($($arg:tt)*) => {
        if $crate::kernel::debug_enabled() {
            eprintln!("[kvalitet kernel debug] {}", format_args!($($arg)*))
        }
    };
}
pub(crate) use debug;

/// Whether per-message tracing is on.
pub fn debug_enabled() -> bool {
    DEBUG.load(Ordering::Relaxed)
}

/// Why the kernel could not start or install.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// The connection file is unreadable or asks for what the kernel cannot do.
    #[error("{}: {message}", file.display())]
    ConnectionFile { file: PathBuf, message: String },
    /// The sockets could not be bound.
    #[error("cannot bind the kernel's sockets: {0}")]
    Bind(String),
    /// The async runtime could not start.
    #[error("cannot start the kernel's runtime: {0}")]
    Runtime(std::io::Error),
    /// A file of the kernelspec could not be written.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// The kernelspec cannot be installed as asked.
    #[error("{0}")]
    Install(String),
}

/// Runs the kernel on the sockets of `connection_file` until a shutdown
/// request, SIGTERM, or the notebook server going away.
pub fn run(connection_file: &Path) -> Result<(), KernelError> {
    if std::env::var_os("KVALITET_KERNEL_DEBUG").is_some_and(|v| v != "0" && !v.is_empty()) {
        DEBUG.store(true, Ordering::Relaxed);
    }
    let info = connection::read_connection_file(connection_file)?;
    // SIGINT aborts a Polars query in flight inside a cell (Polars' own
    // mechanism, as in Python); the kernel's handler below stops the script.
    polars::error::abort::register_polars_abort_mechanism();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(KernelError::Runtime)?;
    let result = runtime.block_on(serve(info));
    // Do not wait on stuck tasks forever.
    runtime.shutdown_timeout(Duration::from_millis(500));
    let reason = result?;
    log!("exiting ({reason:?})");
    Ok(())
}

async fn serve(info: ConnectionInfo) -> Result<ShutdownReason, KernelError> {
    let session_id = new_session_id();
    let sockets = connection::bind_all(&info, &session_id).await.map_err(|e| KernelError::Bind(e.to_string()))?;
    let interrupt = Arc::new(AtomicBool::new(false));
    // The language is built on the evaluator thread: Rhai's engine is not Send.
    let flag = interrupt.clone();
    let (evaluator, eval_thread) = evaluator::spawn(interrupt.clone(), move || cells::Cells::new(flag));
    let (iopub, _iopub_task) = connection::spawn_iopub(sockets.iopub, session_id.clone());
    let _heartbeat = connection::spawn_heartbeat(sockets.heartbeat);
    let _stdin = sockets.stdin; // bound for the kernel's lifetime; input_request is not used
    let (shutdown_tx, mut shutdown_rx) = mpsc::channel::<ShutdownReason>(4);
    tokio::spawn(dispatch::run_control(sockets.control, iopub.clone(), interrupt.clone(), shutdown_tx.clone()));
    tokio::spawn(
        dispatch::Shell::new(sockets.shell, iopub.clone(), evaluator.clone(), interrupt.clone(), shutdown_tx.clone())
            .run(),
    );
    spawn_signal_handlers(interrupt.clone(), shutdown_tx.clone());
    spawn_parent_watch(shutdown_tx.clone());
    log!("started; session {session_id}; shell {}", info.shell_url());

    let reason = shutdown_rx.recv().await.unwrap_or(ShutdownReason::Signal);
    // Stop a running cell, stop the evaluator, drain iopub, give clients a
    // moment to read the shutdown_reply before the sockets close.
    interrupt.store(true, Ordering::SeqCst);
    evaluator.shutdown();
    let _ = tokio::time::timeout(Duration::from_secs(1), iopub.flush()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let deadline = Instant::now() + Duration::from_secs(2);
    while !eval_thread.is_finished() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if !eval_thread.is_finished() {
        log!("the evaluator thread did not stop in time; exiting anyway");
    }
    Ok(reason)
}

/// Aborts a Polars query that a cell is running: Polars checks for this at
/// every step of a query, and the cell ends as interrupted (an interrupt
/// request on the control channel arrives without a signal).
pub fn abort_polars_query() {
    if let Err(e) = signal_hook::low_level::raise(signal_hook::consts::SIGINT) {
        log!("cannot raise SIGINT to abort a query: {e}");
    }
}

/// SIGINT raises the interrupt flag (so `interrupt_mode: "signal"` works
/// too); SIGTERM shuts down.
fn spawn_signal_handlers(interrupt: Arc<AtomicBool>, shutdown: mpsc::Sender<ShutdownReason>) {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::interrupt()) {
        Ok(mut sigint) => {
            tokio::spawn(async move {
                while sigint.recv().await.is_some() {
                    log!("SIGINT: interrupting");
                    interrupt.store(true, Ordering::SeqCst);
                }
            });
        }
        Err(e) => log!("cannot install a SIGINT handler: {e}"),
    }
    match signal(SignalKind::terminate()) {
        Ok(mut sigterm) => {
            tokio::spawn(async move {
                if sigterm.recv().await.is_some() {
                    let _ = shutdown.send(ShutdownReason::Signal).await;
                }
            });
        }
        Err(e) => log!("cannot install a SIGTERM handler: {e}"),
    }
}

/// Like ipykernel's ParentPoller: when launched by jupyter_client
/// (`JPY_PARENT_PID` set), exit when the launching process goes away.
fn spawn_parent_watch(shutdown: mpsc::Sender<ShutdownReason>) {
    if std::env::var_os("JPY_PARENT_PID").is_none() {
        return;
    }
    let original = std::os::unix::process::parent_id();
    if original <= 1 {
        return;
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if std::os::unix::process::parent_id() != original {
                log!("parent process {original} is gone");
                let _ = shutdown.send(ShutdownReason::ParentDied).await;
                return;
            }
        }
    });
}

/// A random UUID-shaped session id (std only: `RandomState` is seeded from
/// the operating system).
fn new_session_id() -> String {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let a = RandomState::new().hash_one((std::process::id(), nanos));
    let b = RandomState::new().hash_one((nanos, std::process::id(), a));
    let h = format!("{a:016x}{b:016x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}
