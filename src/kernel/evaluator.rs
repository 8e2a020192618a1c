//! The evaluator thread.
//!
//! The real evaluator (a Rhai `Engine` + `Scope`) is `!Send`, so it can never
//! live inside a tokio task. Instead ONE dedicated OS thread constructs and
//! owns it for the whole life of the kernel; async protocol tasks talk to it
//! through channels:
//!
//! * jobs go in over a `std::sync::mpsc` channel (the thread blocks on it);
//! * execution events (stream text, display data, the final outcome) come
//!   back over a bounded `tokio::sync::mpsc` channel (`blocking_send` from the
//!   thread gives back-pressure against a cell that prints in a tight loop);
//! * one-shot queries (complete/inspect/is_complete) answer on a
//!   `tokio::sync::oneshot`.
//!
//! Interrupts: the thread shares an `Arc<AtomicBool>` with the control task and
//! the SIGINT handler. The language polls it through [`ExecContext`] (for Rhai:
//! from `Engine::on_progress`). The shell task clears the flag when it takes
//! an `execute_request` (the evaluator is idle then: requests are served in
//! turn), before it announces the cell with `execute_input`; so an interrupt
//! that arrived while idle does not kill the next cell, and one sent after
//! `execute_input` is never lost to a thread that had not started yet.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jupyter_protocol::Media;
use tokio::sync::{mpsc, oneshot};

/// An error raised by user code (becomes an `error` iopub message and an
/// `execute_reply` with `status: "error"`).
#[derive(Debug, Clone)]
pub struct EvalError {
    pub ename: String,
    pub evalue: String,
    pub traceback: Vec<String>,
}

impl EvalError {
    pub fn new(ename: impl Into<String>, evalue: impl Into<String>) -> Self {
        let ename = ename.into();
        let evalue = evalue.into();
        let traceback = vec![format!("{ename}: {evalue}")];
        Self { ename, evalue, traceback }
    }

    pub fn interrupted() -> Self {
        Self::new("Interrupted", "execution was interrupted")
    }

    pub fn with_traceback_line(mut self, line: impl Into<String>) -> Self {
        self.traceback.push(line.into());
        self
    }
}

/// Result of `is_complete`.
#[derive(Debug, Clone, PartialEq)]
pub enum Completeness {
    Complete,
    /// Carries the indent hint for the next line.
    Incomplete(String),
    Invalid,
    Unknown,
}

/// Result of `complete`. Positions are in Unicode code points (Jupyter
/// protocol >= 5.2), never bytes.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub matches: Vec<String>,
    pub cursor_start: usize,
    pub cursor_end: usize,
    /// (match, kind) for `_jupyter_types_experimental`.
    pub kinds: Vec<(String, &'static str)>,
}

/// What the protocol layer needs from a language. Implementors may be `!Send`.
pub trait Language {
    /// Run a cell. Side outputs go through `ctx`; the return value (if any)
    /// becomes the `execute_result`.
    fn execute(&mut self, code: &str, ctx: &mut ExecContext<'_>) -> Result<Option<Media>, EvalError>;
    /// Evaluate one `user_expressions` entry after a successful execution.
    fn eval_expression(&mut self, expr: &str, ctx: &mut ExecContext<'_>) -> Result<Media, EvalError>;
    /// `cursor_pos` is in code points.
    fn complete(&mut self, code: &str, cursor_pos: usize) -> Completion;
    /// `cursor_pos` is in code points. `None` = not found.
    fn inspect(&mut self, code: &str, cursor_pos: usize, detail_level: usize) -> Option<Media>;
    fn is_complete(&mut self, code: &str) -> Completeness;
}

/// Events produced while a cell runs, in order. `Done` is always last.
#[derive(Debug)]
pub enum ExecEvent {
    Stdout(String),
    Stderr(String),
    Display(Media),
    /// `clear_output` (wait = only clear when the next output arrives).
    ClearOutput {
        wait: bool,
    },
    Done(ExecOutcome),
}

#[derive(Debug)]
pub struct ExecOutcome {
    pub result: Result<Option<Media>, EvalError>,
    /// Only filled when `result` is Ok.
    pub user_expressions: Vec<(String, Result<Media, EvalError>)>,
    /// Pager payloads (`execute_reply.payload`, source "page").
    pub pages: Vec<Media>,
}

/// Handed to the language during `execute`.
pub struct ExecContext<'a> {
    events: &'a mpsc::Sender<ExecEvent>,
    interrupt: &'a AtomicBool,
    pages: Vec<Media>,
}

/// A `Send` handle that writes to a running cell's stdout stream; given to
/// code that prints from callbacks (Rhai's `print`).
#[derive(Clone)]
pub struct OutputSink {
    events: mpsc::Sender<ExecEvent>,
}

impl OutputSink {
    /// Writes `text` to the cell's stdout.
    pub fn stdout(&self, text: impl Into<String>) {
        let _ = self.events.blocking_send(ExecEvent::Stdout(text.into()));
    }

    /// Writes `text` to the cell's stderr.
    pub fn stderr(&self, text: impl Into<String>) {
        let _ = self.events.blocking_send(ExecEvent::Stderr(text.into()));
    }
}

impl ExecContext<'_> {
    /// A handle for writing to this cell's stdout from callbacks.
    pub fn output(&self) -> OutputSink {
        OutputSink { events: self.events.clone() }
    }

    pub fn stdout(&mut self, text: impl Into<String>) {
        // A closed receiver only means nobody listens any more (shutdown).
        let _ = self.events.blocking_send(ExecEvent::Stdout(text.into()));
    }
    pub fn stderr(&mut self, text: impl Into<String>) {
        let _ = self.events.blocking_send(ExecEvent::Stderr(text.into()));
    }
    pub fn display(&mut self, data: Media) {
        let _ = self.events.blocking_send(ExecEvent::Display(data));
    }
    pub fn clear_output(&mut self, wait: bool) {
        let _ = self.events.blocking_send(ExecEvent::ClearOutput { wait });
    }
    /// Show `data` in the frontend's pager (deprecated payload, still used by `?`).
    pub fn page(&mut self, data: Media) {
        self.pages.push(data);
    }
    pub fn interrupted(&self) -> bool {
        self.interrupt.load(Ordering::SeqCst)
    }
    pub fn check_interrupt(&self) -> Result<(), EvalError> {
        if self.interrupted() { Err(EvalError::interrupted()) } else { Ok(()) }
    }
    /// Sleep, waking up every 10 ms to honour interrupts.
    pub fn sleep(&self, total: Duration) -> Result<(), EvalError> {
        let deadline = Instant::now() + total;
        loop {
            self.check_interrupt()?;
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(10)));
        }
    }
}

/// Work items for the evaluator thread.
pub enum Job {
    Execute { code: String, user_expressions: HashMap<String, String>, events: mpsc::Sender<ExecEvent> },
    Complete { code: String, cursor_pos: usize, reply: oneshot::Sender<Completion> },
    Inspect { code: String, cursor_pos: usize, detail_level: usize, reply: oneshot::Sender<Option<Media>> },
    IsComplete { code: String, reply: oneshot::Sender<Completeness> },
    Shutdown,
}

/// Cheap, cloneable, `Send` handle to the evaluator thread.
#[derive(Clone)]
pub struct EvaluatorHandle {
    jobs: std::sync::mpsc::Sender<Job>,
}

#[derive(Debug)]
pub struct EvaluatorGone;

impl EvaluatorHandle {
    pub fn submit(&self, job: Job) -> Result<(), EvaluatorGone> {
        self.jobs.send(job).map_err(|_| EvaluatorGone)
    }

    /// Start a cell; returns the event stream (ends with `ExecEvent::Done`).
    pub fn execute(
        &self,
        code: String,
        user_expressions: HashMap<String, String>,
    ) -> Result<mpsc::Receiver<ExecEvent>, EvaluatorGone> {
        let (events, rx) = mpsc::channel(256);
        self.submit(Job::Execute { code, user_expressions, events })?;
        Ok(rx)
    }

    pub async fn complete(&self, code: String, cursor_pos: usize) -> Result<Completion, EvaluatorGone> {
        let (reply, rx) = oneshot::channel();
        self.submit(Job::Complete { code, cursor_pos, reply })?;
        rx.await.map_err(|_| EvaluatorGone)
    }

    pub async fn inspect(
        &self,
        code: String,
        cursor_pos: usize,
        detail_level: usize,
    ) -> Result<Option<Media>, EvaluatorGone> {
        let (reply, rx) = oneshot::channel();
        self.submit(Job::Inspect { code, cursor_pos, detail_level, reply })?;
        rx.await.map_err(|_| EvaluatorGone)
    }

    pub async fn is_complete(&self, code: String) -> Result<Completeness, EvaluatorGone> {
        let (reply, rx) = oneshot::channel();
        self.submit(Job::IsComplete { code, reply })?;
        rx.await.map_err(|_| EvaluatorGone)
    }

    pub fn shutdown(&self) {
        let _ = self.jobs.send(Job::Shutdown);
    }
}

/// Spawn the evaluator thread. `make` runs ON the new thread, so the language
/// value itself never has to be `Send` (only the factory closure does).
pub fn spawn<L, F>(interrupt: Arc<AtomicBool>, make: F) -> (EvaluatorHandle, JoinHandle<()>)
where
    L: Language + 'static,
    F: FnOnce() -> L + Send + 'static,
{
    let (jobs, rx) = std::sync::mpsc::channel::<Job>();
    let join = std::thread::Builder::new()
        .name("evaluator".into())
        .spawn(move || {
            let mut lang = make();
            while let Ok(job) = rx.recv() {
                if let Job::Shutdown = job {
                    break;
                }
                run_job(&mut lang, &interrupt, job);
            }
        })
        .expect("failed to spawn evaluator thread");
    (EvaluatorHandle { jobs }, join)
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

fn run_job<L: Language>(lang: &mut L, interrupt: &AtomicBool, job: Job) {
    match job {
        Job::Execute { code, user_expressions, events } => {
            let mut ctx = ExecContext { events: &events, interrupt, pages: Vec::new() };
            // A panicking language must not take the kernel down.
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let result = lang.execute(&code, &mut ctx);
                let mut exprs = Vec::new();
                if result.is_ok() {
                    let mut names: Vec<_> = user_expressions.into_iter().collect();
                    names.sort();
                    for (name, expr) in names {
                        let value = lang.eval_expression(&expr, &mut ctx);
                        exprs.push((name, value));
                    }
                }
                ExecOutcome { result, user_expressions: exprs, pages: std::mem::take(&mut ctx.pages) }
            }))
            .unwrap_or_else(|p| ExecOutcome {
                result: Err(EvalError::new("InternalError", format!("evaluator panicked: {}", panic_message(p)))),
                user_expressions: Vec::new(),
                pages: Vec::new(),
            });
            let _ = events.blocking_send(ExecEvent::Done(outcome));
        }
        Job::Complete { code, cursor_pos, reply } => {
            let r = catch_unwind(AssertUnwindSafe(|| lang.complete(&code, cursor_pos))).unwrap_or_else(|_| {
                Completion { cursor_start: cursor_pos, cursor_end: cursor_pos, ..Default::default() }
            });
            let _ = reply.send(r);
        }
        Job::Inspect { code, cursor_pos, detail_level, reply } => {
            let r = catch_unwind(AssertUnwindSafe(|| lang.inspect(&code, cursor_pos, detail_level))).unwrap_or(None);
            let _ = reply.send(r);
        }
        Job::IsComplete { code, reply } => {
            let r = catch_unwind(AssertUnwindSafe(|| lang.is_complete(&code))).unwrap_or(Completeness::Unknown);
            let _ = reply.send(r);
        }
        Job::Shutdown => {}
    }
}
