//! Message dispatch for the shell and control channels.
//!
//! Invariants (checked by jupyter_kernel_test and tests/test_interrupt.py):
//! * every request -> iopub `status: busy` (parent = request) FIRST, then its
//!   outputs, then the reply on its own channel, then `status: idle` LAST;
//!   this includes kernel_info_request (jupyter_client's wait_for_ready
//!   relies on an iopub message following the kernel_info_reply);
//! * shell requests are handled strictly one at a time; control is a separate
//!   task, so interrupt/shutdown are served while a cell is running;
//! * a bad message (signature, framing, JSON) is logged and skipped.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jupyter_protocol::{
    ClearOutput, CodeMirrorMode, CommInfoReply, CompleteReply, DisplayData, ErrorOutput, ExecuteInput, ExecuteReply,
    ExecuteRequest, ExecuteResult, ExecutionCount, ExpressionResult, HistoryReply, InspectReply, InterruptReply,
    IsCompleteReply, IsCompleteReplyStatus, JupyterMessage, JupyterMessageContent, KernelInfoReply, LanguageInfo,
    Payload, ReplyError, ReplyStatus, ShutdownReply, ShutdownRequest, Status, Stdio, StreamContent, Transient,
    UnknownMessage,
};
use jupyter_zmq_client::{KernelControlConnection, KernelShellConnection};
use serde_json::json;
use tokio::sync::mpsc;

use super::connection::{Incoming, Iopub, RecvError, recv_message, send_reply};
use super::evaluator::{Completeness, EvalError, EvaluatorHandle, ExecEvent, ExecOutcome};
use super::log;

pub const PROTOCOL_VERSION: &str = "5.3"; // matches the header version jupyter-protocol stamps

#[derive(Debug, Clone, Copy)]
pub enum ShutdownReason {
    Request { restart: bool },
    Signal,
    ParentDied,
}

pub fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: PROTOCOL_VERSION.to_string(),
        implementation: "kvalitet".to_string(),
        implementation_version: env!("CARGO_PKG_VERSION").to_string(),
        language_info: LanguageInfo {
            name: "rhai".to_string(),
            version: super::RHAI_VERSION.to_string(),
            mimetype: Some("text/x-rhai".to_string()),
            file_extension: Some(".rhai".to_string()),
            // Rhai has no lexer of its own in Pygments or CodeMirror; its
            // syntax is closest to Rust's.
            pygments_lexer: Some("rust".to_string()),
            codemirror_mode: Some(CodeMirrorMode::Simple("rust".to_string())),
            nbconvert_exporter: None,
        },
        banner: format!(
            "Kvalitet (Rhai) — kvalitet {}: regelsproget med samme motor som reglerne. use_data(\"demo\") vælger data.",
            env!("CARGO_PKG_VERSION")
        ),
        help_links: vec![],
        debugger: false,
        error: None,
    }
}

/// Reply for a request whose type we do not handle, or whose content did not
/// deserialize. Non-request messages (comm_open, comm_msg, ...) get nothing.
fn unknown_reply(msg: &JupyterMessage, u: &UnknownMessage, malformed: &Option<String>) -> Option<JupyterMessage> {
    if let Some(why) = malformed {
        log!("request {} did not fit jupyter-protocol's struct: {why}", u.msg_type);
    }
    // jupyter-protocol's HistoryRequest requires every field of its variant
    // (jupyter_client's bare `kc.history()` omits start/stop); we keep no
    // history anyway, so answer "ok, empty" for any shape.
    if u.msg_type == "history_request" {
        return Some(HistoryReply::default().as_child_of(msg));
    }
    if !u.msg_type.ends_with("_request") {
        log!("ignoring {} message", u.msg_type);
        return None;
    }
    let (ename, evalue) = match malformed {
        Some(why) => ("BadRequest", format!("malformed {}: {why}", u.msg_type)),
        None => ("UnsupportedRequest", format!("{} is not supported by this kernel", u.msg_type)),
    };
    let content = u.reply(json!({ "status": "error", "ename": ename, "evalue": evalue, "traceback": [] }));
    Some(JupyterMessage::new(content, Some(msg)))
}

fn shutdown_reply(req: &ShutdownRequest) -> ShutdownReply {
    ShutdownReply { restart: req.restart, status: ReplyStatus::Ok, error: None }
}

// ------------------------------------------------------------------ shell --

pub struct Shell {
    conn: KernelShellConnection,
    iopub: Iopub,
    evaluator: EvaluatorHandle,
    interrupt: Arc<AtomicBool>,
    shutdown: mpsc::Sender<ShutdownReason>,
    execution_count: usize,
    /// Requests read ahead while aborting after an error (`bool` = abort it).
    pending: VecDeque<(Incoming, bool)>,
}

impl Shell {
    pub fn new(
        conn: KernelShellConnection,
        iopub: Iopub,
        evaluator: EvaluatorHandle,
        interrupt: Arc<AtomicBool>,
        shutdown: mpsc::Sender<ShutdownReason>,
    ) -> Self {
        Self { conn, iopub, evaluator, interrupt, shutdown, execution_count: 0, pending: VecDeque::new() }
    }

    pub async fn run(mut self) {
        loop {
            let (incoming, abort) = match self.pending.pop_front() {
                Some(p) => p,
                None => match recv_message(&mut self.conn).await {
                    Ok(i) => (i, false),
                    Err(RecvError::Skip(why)) => {
                        log!("shell: dropped a message: {why}");
                        continue;
                    }
                    Err(RecvError::Socket(e)) => {
                        log!("shell: socket error: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            if self.handle(incoming, abort).await {
                return;
            }
        }
    }

    /// Returns true when the kernel is shutting down.
    async fn handle(&mut self, inc: Incoming, abort: bool) -> bool {
        let msg = &inc.msg;
        self.iopub.publish(Status::busy(), Some(msg)).await;
        let mut stop = false;
        match &msg.content {
            JupyterMessageContent::ExecuteRequest(_) if abort => {
                let reply = ExecuteReply {
                    status: ReplyStatus::Aborted,
                    execution_count: ExecutionCount::new(self.execution_count),
                    payload: vec![],
                    user_expressions: Some(HashMap::new()),
                    error: None,
                };
                send_reply(&mut self.conn, reply.as_child_of(msg)).await;
            }
            JupyterMessageContent::ExecuteRequest(req) => self.execute(msg, req).await,
            JupyterMessageContent::KernelInfoRequest(_) => {
                send_reply(&mut self.conn, kernel_info().as_child_of(msg)).await;
            }
            JupyterMessageContent::CompleteRequest(req) => {
                let reply = match self.evaluator.complete(req.code.clone(), req.cursor_pos).await {
                    Ok(c) => {
                        let types: Vec<_> = c
                            .kinds
                            .iter()
                            .map(|(text, kind)| json!({ "start": c.cursor_start, "end": c.cursor_end, "text": text, "type": kind }))
                            .collect();
                        let mut metadata = serde_json::Map::new();
                        metadata.insert("_jupyter_types_experimental".into(), types.into());
                        CompleteReply {
                            matches: c.matches,
                            cursor_start: c.cursor_start,
                            cursor_end: c.cursor_end,
                            metadata,
                            status: ReplyStatus::Ok,
                            error: None,
                        }
                    }
                    Err(_) => {
                        CompleteReply { cursor_start: req.cursor_pos, cursor_end: req.cursor_pos, ..Default::default() }
                    }
                };
                send_reply(&mut self.conn, reply.as_child_of(msg)).await;
            }
            JupyterMessageContent::InspectRequest(req) => {
                let detail = req.detail_level.unwrap_or(0);
                let found = self.evaluator.inspect(req.code.clone(), req.cursor_pos, detail).await.ok().flatten();
                let reply = InspectReply {
                    found: found.is_some(),
                    data: found.unwrap_or_default(),
                    metadata: Default::default(),
                    status: ReplyStatus::Ok,
                    error: None,
                };
                send_reply(&mut self.conn, reply.as_child_of(msg)).await;
            }
            JupyterMessageContent::IsCompleteRequest(req) => {
                let reply = match self.evaluator.is_complete(req.code.clone()).await {
                    Ok(Completeness::Complete) => IsCompleteReply::complete(),
                    Ok(Completeness::Incomplete(indent)) => IsCompleteReply::incomplete(indent),
                    Ok(Completeness::Invalid) => IsCompleteReply::invalid(),
                    Ok(Completeness::Unknown) | Err(_) => IsCompleteReply::unknown(),
                };
                // `indent` is only meaningful for "incomplete"; jupyter-protocol
                // always serialises it (as ""), which the spec tolerates.
                debug_assert!(reply.status == IsCompleteReplyStatus::Incomplete || reply.indent.is_empty());
                send_reply(&mut self.conn, reply.as_child_of(msg)).await;
            }
            JupyterMessageContent::HistoryRequest(_) => {
                send_reply(&mut self.conn, HistoryReply::default().as_child_of(msg)).await;
            }
            JupyterMessageContent::CommInfoRequest(_) => {
                send_reply(&mut self.conn, CommInfoReply::default().as_child_of(msg)).await;
            }
            // Deprecated on shell, but old clients still send these here.
            JupyterMessageContent::InterruptRequest(_) => {
                self.interrupt.store(true, Ordering::SeqCst);
                super::abort_polars_query();
                send_reply(&mut self.conn, InterruptReply::new().as_child_of(msg)).await;
            }
            JupyterMessageContent::ShutdownRequest(req) => {
                let reply = shutdown_reply(req);
                send_reply(&mut self.conn, reply.as_child_of(msg)).await;
                self.iopub.publish(reply, Some(msg)).await;
                let _ = self.shutdown.send(ShutdownReason::Request { restart: req.restart }).await;
                stop = true;
            }
            JupyterMessageContent::UnknownMessage(u) => {
                if let Some(reply) = unknown_reply(msg, u, &inc.malformed) {
                    send_reply(&mut self.conn, reply).await;
                }
            }
            other => log!("shell: ignoring {}", other.message_type()),
        }
        self.iopub.publish(Status::idle(), Some(msg)).await;
        stop
    }

    async fn execute(&mut self, msg: &JupyterMessage, req: &ExecuteRequest) {
        // silent => no broadcast of outputs / execute_input / result, and no
        // history (hence no execution_count increment).
        let silent = req.silent;
        let store_history = req.store_history && !silent;
        if store_history {
            self.execution_count += 1;
        }
        let count = ExecutionCount::new(self.execution_count);
        // The evaluator is idle (requests are served in turn): an interrupt
        // raised before now was meant for no cell; one raised from here on
        // is meant for this one (see the evaluator module).
        self.interrupt.store(false, Ordering::SeqCst);
        if !silent {
            self.iopub.publish(ExecuteInput { code: req.code.clone(), execution_count: count }, Some(msg)).await;
        }

        let exprs = req.user_expressions.clone().unwrap_or_default();
        let outcome = match self.evaluator.execute(req.code.clone(), exprs) {
            Ok(rx) => self.forward_outputs(rx, msg, silent).await,
            Err(_) => ExecOutcome {
                result: Err(EvalError::new("KernelError", "the evaluator thread is not running")),
                user_expressions: vec![],
                pages: vec![],
            },
        };

        let error = match &outcome.result {
            Ok(Some(data)) => {
                if !silent {
                    let result = ExecuteResult {
                        execution_count: count,
                        data: data.clone(),
                        metadata: Default::default(),
                        // Pitfall: `None` serialises as `"transient": null`,
                        // which fails the v5 schema (must be an object).
                        transient: Some(Transient::default()),
                    };
                    self.iopub.publish(result, Some(msg)).await;
                }
                None
            }
            Ok(None) => None,
            Err(e) => {
                if !silent {
                    let err = ErrorOutput {
                        ename: e.ename.clone(),
                        evalue: e.evalue.clone(),
                        traceback: e.traceback.clone(),
                    };
                    self.iopub.publish(err, Some(msg)).await;
                }
                Some(Box::new(ReplyError {
                    ename: e.ename.clone(),
                    evalue: e.evalue.clone(),
                    traceback: e.traceback.clone(),
                }))
            }
        };

        let user_expressions: HashMap<String, ExpressionResult> = outcome
            .user_expressions
            .into_iter()
            .map(|(name, r)| {
                let v = match r {
                    Ok(data) => ExpressionResult::Ok { data, metadata: Default::default() },
                    Err(e) => ExpressionResult::Error { ename: e.ename, evalue: e.evalue, traceback: e.traceback },
                };
                (name, v)
            })
            .collect();
        let failed = error.is_some();
        let payload = outcome.pages.into_iter().map(|data| Payload::Page { data, start: 0 }).collect();
        let reply = ExecuteReply {
            status: if failed { ReplyStatus::Error } else { ReplyStatus::Ok },
            execution_count: count,
            payload,
            // Pitfall: `None` serialises as `"user_expressions": null`.
            user_expressions: Some(user_expressions),
            error,
        };
        send_reply(&mut self.conn, reply.as_child_of(msg)).await;

        if failed && req.stop_on_error {
            self.read_ahead_for_abort().await;
        }
    }

    /// Forward evaluator events to iopub as they arrive. Consecutive stream
    /// chunks already queued are merged (a tight `print` loop becomes a few
    /// large stream messages instead of thousands of tiny ones).
    async fn forward_outputs(
        &self,
        mut rx: mpsc::Receiver<ExecEvent>,
        parent: &JupyterMessage,
        silent: bool,
    ) -> ExecOutcome {
        const MAX_CHUNK: usize = 64 * 1024;
        let mut buf: Option<(bool, String)> = None; // (is_stderr, text)
        loop {
            let ev = match rx.try_recv() {
                Ok(ev) => Some(ev),
                Err(mpsc::error::TryRecvError::Empty) => {
                    self.flush_stream(&mut buf, parent, silent).await;
                    rx.recv().await
                }
                Err(mpsc::error::TryRecvError::Disconnected) => None,
            };
            match ev {
                Some(ExecEvent::Stdout(t)) => self.buffer_stream(&mut buf, false, t, MAX_CHUNK, parent, silent).await,
                Some(ExecEvent::Stderr(t)) => self.buffer_stream(&mut buf, true, t, MAX_CHUNK, parent, silent).await,
                Some(ExecEvent::Display(data)) => {
                    self.flush_stream(&mut buf, parent, silent).await;
                    if !silent {
                        self.iopub
                            .publish(DisplayData { data, metadata: Default::default(), transient: None }, Some(parent))
                            .await;
                    }
                }
                Some(ExecEvent::ClearOutput { wait }) => {
                    self.flush_stream(&mut buf, parent, silent).await;
                    if !silent {
                        self.iopub.publish(ClearOutput { wait }, Some(parent)).await;
                    }
                }
                Some(ExecEvent::Done(outcome)) => {
                    self.flush_stream(&mut buf, parent, silent).await;
                    return outcome;
                }
                None => {
                    self.flush_stream(&mut buf, parent, silent).await;
                    return ExecOutcome {
                        result: Err(EvalError::new("KernelError", "the evaluator thread stopped during execution")),
                        user_expressions: vec![],
                        pages: vec![],
                    };
                }
            }
        }
    }

    async fn buffer_stream(
        &self,
        buf: &mut Option<(bool, String)>,
        stderr: bool,
        text: String,
        max: usize,
        parent: &JupyterMessage,
        silent: bool,
    ) {
        match buf {
            Some((s, existing)) if *s == stderr && existing.len() + text.len() <= max => existing.push_str(&text),
            _ => {
                self.flush_stream(buf, parent, silent).await;
                *buf = Some((stderr, text));
            }
        }
    }

    async fn flush_stream(&self, buf: &mut Option<(bool, String)>, parent: &JupyterMessage, silent: bool) {
        if let Some((stderr, text)) = buf.take()
            && !silent
            && !text.is_empty()
        {
            let name = if stderr { Stdio::Stderr } else { Stdio::Stdout };
            self.iopub.publish(StreamContent { name, text }, Some(parent)).await;
        }
    }

    /// After a failed cell with stop_on_error: every execute_request that is
    /// already waiting on the socket gets an `aborted` reply (ipykernel
    /// semantics with stop_on_error_timeout = 0). Other requests are kept and
    /// handled normally, in order.
    async fn read_ahead_for_abort(&mut self) {
        loop {
            // Duration::ZERO: poll the receive future exactly once ("what is
            // already here"); recv is cancel-safe (nothing is lost if pending).
            match tokio::time::timeout(Duration::ZERO, recv_message(&mut self.conn)).await {
                Ok(Ok(inc)) => {
                    let abort = matches!(inc.msg.content, JupyterMessageContent::ExecuteRequest(_));
                    self.pending.push_back((inc, abort));
                }
                Ok(Err(RecvError::Skip(why))) => log!("shell: dropped a message: {why}"),
                Ok(Err(RecvError::Socket(e))) => {
                    log!("shell: socket error: {e}");
                    break;
                }
                Err(_) => break,
            }
        }
    }
}

// ---------------------------------------------------------------- control --

pub async fn run_control(
    mut conn: KernelControlConnection,
    iopub: Iopub,
    interrupt: Arc<AtomicBool>,
    shutdown: mpsc::Sender<ShutdownReason>,
) {
    loop {
        let inc = match recv_message(&mut conn).await {
            Ok(i) => i,
            Err(RecvError::Skip(why)) => {
                log!("control: dropped a message: {why}");
                continue;
            }
            Err(RecvError::Socket(e)) => {
                log!("control: socket error: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let msg = &inc.msg;
        iopub.publish(Status::busy(), Some(msg)).await;
        let mut stop = None;
        match &msg.content {
            JupyterMessageContent::KernelInfoRequest(_) => {
                send_reply(&mut conn, kernel_info().as_child_of(msg)).await;
            }
            JupyterMessageContent::InterruptRequest(_) => {
                // Polled by the evaluator thread; cleared when the next cell starts.
                interrupt.store(true, Ordering::SeqCst);
                super::abort_polars_query();
                send_reply(&mut conn, InterruptReply::new().as_child_of(msg)).await;
            }
            JupyterMessageContent::ShutdownRequest(req) => {
                let reply = shutdown_reply(req);
                send_reply(&mut conn, reply.as_child_of(msg)).await;
                // ipykernel also broadcasts the reply on iopub.
                iopub.publish(reply, Some(msg)).await;
                stop = Some(ShutdownReason::Request { restart: req.restart });
            }
            JupyterMessageContent::UnknownMessage(u) => {
                if let Some(reply) = unknown_reply(msg, u, &inc.malformed) {
                    send_reply(&mut conn, reply).await;
                }
            }
            JupyterMessageContent::DebugRequest(_) => {
                // kernel_info says debugger: false; answer rather than hang.
                let u = UnknownMessage { msg_type: "debug_request".into(), content: json!({}) };
                if let Some(reply) = unknown_reply(msg, &u, &None) {
                    send_reply(&mut conn, reply).await;
                }
            }
            other => log!("control: ignoring {}", other.message_type()),
        }
        iopub.publish(Status::idle(), Some(msg)).await;
        if let Some(reason) = stop {
            let _ = shutdown.send(reason).await;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jupyter_protocol::MediaType;

    /// Pitfall 1: with `None` these serialise as `null` and fail the v5 schema.
    #[test]
    fn reply_and_result_have_no_nulls() {
        let reply = ExecuteReply {
            status: ReplyStatus::Ok,
            execution_count: ExecutionCount::new(1),
            payload: vec![],
            user_expressions: Some(HashMap::new()),
            error: None,
        };
        let v = serde_json::to_value(&reply).unwrap();
        assert_eq!(v["user_expressions"], json!({}));
        let bad = ExecuteReply { user_expressions: None, ..reply };
        assert!(serde_json::to_value(&bad).unwrap()["user_expressions"].is_null());

        let result = ExecuteResult {
            execution_count: ExecutionCount::new(1),
            data: MediaType::Plain("3".into()).into(),
            metadata: Default::default(),
            transient: Some(Transient::default()),
        };
        assert_eq!(serde_json::to_value(&result).unwrap()["transient"], json!({}));
        let bad = ExecuteResult { transient: None, ..result };
        assert!(serde_json::to_value(&bad).unwrap()["transient"].is_null());
    }

    #[test]
    fn error_reply_is_flattened() {
        let reply = ExecuteReply {
            status: ReplyStatus::Error,
            execution_count: ExecutionCount::new(2),
            payload: vec![],
            user_expressions: Some(HashMap::new()),
            error: Some(Box::new(ReplyError { ename: "E".into(), evalue: "v".into(), traceback: vec!["t".into()] })),
        };
        let v = serde_json::to_value(&reply).unwrap();
        assert_eq!(v["status"], "error");
        assert_eq!(v["ename"], "E");
        assert_eq!(v["traceback"], json!(["t"]));
        assert_eq!(serde_json::to_value(ReplyStatus::Aborted).unwrap(), "aborted");
    }
}
