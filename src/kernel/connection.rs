//! Sockets: binding, tolerant receive, the iopub publisher task (XPUB +
//! iopub_welcome, JEP 65) and the echoing heartbeat.

use std::time::Duration;

use jupyter_protocol::{ConnectionInfo, Header, IoPubWelcome, JupyterMessage, JupyterMessageContent, UnknownMessage};
use jupyter_zmq_client::{
    Connection, KernelControlConnection, KernelHeartbeatConnection, KernelIoPubXPubConnection, KernelShellConnection,
    KernelStdinConnection, RawMessage, RuntimeError, SubscriptionEvent, create_kernel_control_connection,
    create_kernel_heartbeat_connection, create_kernel_iopub_xpub_connection, create_kernel_shell_connection,
    create_kernel_stdin_connection,
};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use zeromq::{SocketRecv, SocketSend};

use super::{KernelError, debug, log};

pub struct KernelSockets {
    pub shell: KernelShellConnection,
    pub control: KernelControlConnection,
    /// Bound so clients can connect; input_request is not implemented yet.
    pub stdin: KernelStdinConnection,
    pub iopub: KernelIoPubXPubConnection,
    pub heartbeat: KernelHeartbeatConnection,
}

/// Read and validate a connection file written by jupyter_client.
pub fn read_connection_file(path: &std::path::Path) -> Result<ConnectionInfo, KernelError> {
    let invalid = |message: String| KernelError::ConnectionFile { file: path.to_path_buf(), message };
    let text = std::fs::read_to_string(path).map_err(|e| invalid(format!("cannot read it: {e}")))?;
    let raw: Value = serde_json::from_str(&text).map_err(|e| invalid(format!("not a connection file: {e}")))?;
    // jupyter_client >= 8.10 adds a CURVE keypair only when the kernelspec
    // declares metadata.supported_encryption = "curve" (we don't): zeromq-rs
    // 0.7 implements only the NULL mechanism, so refuse loudly rather than
    // have every client fail its handshake.
    if raw.get("curve_publickey").is_some_and(|v| !v.is_null()) {
        return Err(invalid("it asks for CURVE encryption, which this kernel does not support".into()));
    }
    let mut info: ConnectionInfo =
        serde_json::from_value(raw).map_err(|e| invalid(format!("not a connection file: {e}")))?;
    if !info.key.is_empty() && info.signature_scheme != "hmac-sha256" {
        return Err(invalid(format!(
            "unsupported signature_scheme {:?} (only hmac-sha256 is implemented)",
            info.signature_scheme
        )));
    }
    // zeromq-rs does not understand the libzmq "*" wildcard.
    if info.ip == "*" {
        info.ip = "0.0.0.0".to_string();
    }
    Ok(info)
}

pub async fn bind_all(info: &ConnectionInfo, session_id: &str) -> Result<KernelSockets, RuntimeError> {
    Ok(KernelSockets {
        heartbeat: create_kernel_heartbeat_connection(info).await?,
        iopub: create_kernel_iopub_xpub_connection(info, session_id).await?,
        control: create_kernel_control_connection(info, session_id).await?,
        stdin: create_kernel_stdin_connection(info, session_id).await?,
        shell: create_kernel_shell_connection(info, session_id).await?,
    })
}

/// A received request.
pub struct Incoming {
    pub msg: JupyterMessage,
    /// `Some(reason)` when the msg_type is known but its content did not fit
    /// jupyter-protocol's struct; `msg.content` is then `UnknownMessage` with
    /// the raw JSON, so we can still reply instead of leaving the client hanging.
    pub malformed: Option<String>,
}

pub enum RecvError {
    /// Bad signature, bad framing, bad JSON: log and skip the message.
    Skip(String),
    /// Transport-level failure.
    Socket(zeromq::ZmqError),
}

/// Like `Connection::read`, but (a) never loses the routing identities of a
/// message whose content fails to deserialize and (b) classifies errors.
/// HMAC verification is still done by the crate's `RawMessage::from_multipart`.
pub async fn recv_message<S: SocketRecv>(conn: &mut Connection<S>) -> Result<Incoming, RecvError> {
    let multipart = conn.socket.recv().await.map_err(RecvError::Socket)?;
    let raw = RawMessage::from_multipart(multipart, &conn.mac).map_err(|e| match e {
        RuntimeError::VerifyError(_) => RecvError::Skip("invalid HMAC signature".to_string()),
        other => RecvError::Skip(format!("invalid message framing: {other}")),
    })?;
    let inc = decode(raw)?;
    debug!(
        "recv {} {} from {:?}",
        inc.msg.header.msg_type,
        inc.msg.header.msg_id,
        inc.msg.zmq_identities.iter().map(|i| i.escape_ascii().to_string()).collect::<Vec<_>>()
    );
    Ok(inc)
}

fn decode(raw: RawMessage) -> Result<Incoming, RecvError> {
    let bad = |what: &str, e: serde_json::Error| RecvError::Skip(format!("invalid {what} JSON: {e}"));
    let header: Header = serde_json::from_slice(&raw.jparts[0]).map_err(|e| bad("header", e))?;
    // `{}` (no parent) does not parse as a Header -> None, as in the crate.
    let parent_header = serde_json::from_slice::<Header>(&raw.jparts[1]).ok();
    let metadata: Value = serde_json::from_slice(&raw.jparts[2]).map_err(|e| bad("metadata", e))?;
    let content_json: Value = serde_json::from_slice(&raw.jparts[3]).map_err(|e| bad("content", e))?;
    let (content, malformed) =
        match JupyterMessageContent::from_type_and_content(&header.msg_type, content_json.clone()) {
            Ok(c) => (c, None),
            Err(e) => (
                JupyterMessageContent::UnknownMessage(UnknownMessage {
                    msg_type: header.msg_type.clone(),
                    content: content_json,
                }),
                Some(e.to_string()),
            ),
        };
    Ok(Incoming {
        msg: JupyterMessage {
            zmq_identities: raw.zmq_identities,
            header,
            parent_header,
            metadata,
            content,
            buffers: raw.jparts.get(4..).map(|b| b.to_vec()).unwrap_or_default(),
            channel: None,
        },
        malformed,
    })
}

/// Send a reply on a ROUTER socket (shell/control). Errors are logged: a
/// client that went away must not take the kernel down.
pub async fn send_reply<S: SocketSend>(conn: &mut Connection<S>, reply: JupyterMessage) {
    let msg_type = reply.header.msg_type.clone();
    let parent = reply.parent_header.as_ref().map(|h| h.msg_id.clone()).unwrap_or_default();
    match conn.send(reply).await {
        Ok(()) => debug!("sent {msg_type} (parent {parent})"),
        Err(e) => log!("failed to send {msg_type} (parent {parent}): {e}"),
    }
}

// ------------------------------------------------------------------ iopub --

enum IopubCmd {
    Publish(Box<JupyterMessage>),
    Flush(oneshot::Sender<()>),
}

/// Cloneable handle used by every task that publishes on iopub. All messages
/// go through ONE channel into ONE task, so their order is preserved
/// (busy -> execute_input -> outputs -> idle).
#[derive(Clone)]
pub struct Iopub {
    tx: mpsc::Sender<IopubCmd>,
    session_id: String,
}

impl Iopub {
    /// Publish `content` as a child of `parent`.
    pub async fn publish(&self, content: impl Into<JupyterMessageContent>, parent: Option<&JupyterMessage>) {
        let mut msg = JupyterMessage::new(content, parent);
        // JupyterMessage::new copies the parent's ROUTER identities; on a PUB
        // socket the first frame is the topic instead (ipykernel style).
        let topic = format!("kernel.{}.{}", self.session_id, msg.message_type());
        msg.zmq_identities = vec![topic.into_bytes().into()];
        if self.tx.send(IopubCmd::Publish(Box::new(msg))).await.is_err() {
            log!("iopub task is gone; dropping message");
        }
    }

    /// Wait until everything queued so far has been handed to the socket.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(IopubCmd::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

/// Spawn the task that owns the XPUB socket.
///
/// NOTE (zeromq 0.7 XPUB): a subscriber's topic filter is only registered
/// when the application *reads* the subscription frame (`recv()`); until then
/// the subscriber receives nothing. So this task must poll
/// `recv_subscription()` continuously, concurrently with sending.
pub fn spawn_iopub(mut conn: KernelIoPubXPubConnection, session_id: String) -> (Iopub, tokio::task::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<IopubCmd>(1024);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(IopubCmd::Publish(msg)) => {
                        if let Err(e) = conn.send(*msg).await {
                            log!("iopub send failed: {e}");
                        }
                    }
                    Some(IopubCmd::Flush(ack)) => { let _ = ack.send(()); }
                    None => break,
                },
                sub = conn.recv_subscription() => match sub {
                    Ok(SubscriptionEvent::Subscribe(topic)) => {
                        // JEP 65: tell the client its subscription is live.
                        let welcome: JupyterMessage = IoPubWelcome::new(topic).into();
                        if let Err(e) = conn.send(welcome).await {
                            log!("failed to send iopub_welcome: {e}");
                        }
                    }
                    Ok(SubscriptionEvent::Unsubscribe(_)) => {}
                    Err(e) => log!("iopub subscription error: {e}"),
                },
            }
        }
    });
    (Iopub { tx, session_id }, task)
}

// -------------------------------------------------------------- heartbeat --

/// Echo every heartbeat message back unchanged. (The crate's
/// `KernelHeartbeatConnection::single_heartbeat` answers a fixed b"pong"
/// instead of echoing, so we use the REP socket directly.)
pub fn spawn_heartbeat(mut hb: KernelHeartbeatConnection) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match hb.socket.recv().await {
                Ok(msg) => {
                    if let Err(e) = hb.socket.send(msg).await {
                        log!("heartbeat send failed: {e}");
                    }
                }
                Err(e) => {
                    log!("heartbeat recv failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(msg_type: &str, content: &str) -> RawMessage {
        let header = format!(
            r#"{{"msg_id":"m1","username":"u","session":"s","date":"2026-01-01T00:00:00Z","msg_type":"{msg_type}","version":"5.3"}}"#
        );
        RawMessage {
            zmq_identities: vec![b"client-id".to_vec().into()],
            jparts: vec![
                header.into_bytes().into(),
                b"{}".to_vec().into(),
                b"{}".to_vec().into(),
                content.as_bytes().to_vec().into(),
            ],
        }
    }

    #[test]
    fn malformed_known_type_keeps_identities() {
        let inc =
            decode(raw("history_request", r#"{"hist_access_type":"range","raw":true,"output":false}"#)).ok().unwrap();
        assert!(inc.malformed.is_some());
        assert_eq!(inc.msg.zmq_identities.len(), 1);
        assert!(
            matches!(inc.msg.content, JupyterMessageContent::UnknownMessage(ref u) if u.msg_type == "history_request")
        );
        assert!(inc.msg.parent_header.is_none());
    }

    #[test]
    fn well_formed_request_decodes() {
        let inc = decode(raw("execute_request", r#"{"code":"1","silent":false,"store_history":true,"user_expressions":{},"allow_stdin":false,"stop_on_error":true}"#)).ok().unwrap();
        assert!(inc.malformed.is_none());
        assert!(matches!(inc.msg.content, JupyterMessageContent::ExecuteRequest(ref r) if r.code == "1"));
    }

    #[test]
    fn bad_json_is_skipped() {
        assert!(matches!(decode(raw("execute_request", "{nope")), Err(RecvError::Skip(_))));
    }
}
