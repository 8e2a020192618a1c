"""Protocol behaviour beyond jupyter_kernel_test, with jupyter_client's
KernelManager and BlockingKernelClient: interrupts (control message and
SIGINT) of a running script and of a running Polars query, restart and
shutdown, bad signatures, code-point cursors, busy/idle around every
request, silent/store_history, user_expressions, abort-on-error, the
heartbeat, the iopub welcome, kernelspec install, nbclient.
"""
import datetime
import hashlib
import hmac
import json
import os
import time
import uuid
from pathlib import Path

import nbformat
import pytest
import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import BIN, DEMO_DATA, FIXTURE, PREFIX

LONG_CELL = "let n = 0;\nloop { n += 1; }"
TIMEOUT = 15


# ------------------------------------------------------------------ helpers --

def start_kernel(name="kvalitet"):
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=30)
    return km, kc


def stop_kernel(km, kc):
    kc.stop_channels()
    if km.is_alive():
        km.shutdown_kernel(now=False)


def reply_for(kc, msg_id, channel="shell", timeout=TIMEOUT):
    get = kc.get_shell_msg if channel == "shell" else kc.get_control_msg
    deadline = time.monotonic() + timeout
    while True:
        msg = get(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def iopub_for(kc, msg_id, timeout=TIMEOUT, until_idle=True):
    """All iopub messages whose parent is msg_id, up to and including idle."""
    out = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        out.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out


def wait_for_iopub(kc, msg_id, msg_type, timeout=TIMEOUT):
    """Consume iopub up to the first `msg_type` child of msg_id; return what was seen."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append(msg)
        if msg["msg_type"] == msg_type:
            return seen


def rest_until_idle(kc, msg_id, seen):
    if seen and seen[-1]["msg_type"] == "status" and seen[-1]["content"]["execution_state"] == "idle":
        return seen
    return seen + iopub_for(kc, msg_id)


def assert_bracketed(msgs):
    assert msgs[0]["msg_type"] == "status" and msgs[0]["content"]["execution_state"] == "busy", msgs[0]
    assert msgs[-1]["msg_type"] == "status" and msgs[-1]["content"]["execution_state"] == "idle", msgs[-1]
    states = [m["content"]["execution_state"] for m in msgs if m["msg_type"] == "status"]
    assert states == ["busy", "idle"], states


def run(kc, code, **kw):
    msg_id = kc.execute(code, **kw)
    reply = reply_for(kc, msg_id)
    msgs = iopub_for(kc, msg_id)
    return reply, msgs


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_kernel()
    yield km, kc
    stop_kernel(km, kc)


@pytest.fixture
def fresh_kernel():
    km, kc = start_kernel()
    yield km, kc
    stop_kernel(km, kc)


# ------------------------------------------------------------- raw zmq util --

def raw_frames(msg_type, content, key, session="raw-client", header_override=None):
    header = {
        "msg_id": str(uuid.uuid4()),
        "username": "raw",
        "session": session,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "msg_type": msg_type,
        "version": "5.3",
    }
    parts = [json.dumps(header).encode() if header_override is None else header_override,
             b"{}", b"{}", json.dumps(content).encode()]
    sig = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()
    return header["msg_id"], [b"<IDS|MSG>", sig] + parts


def raw_recv(sock, key, timeout_ms):
    if not sock.poll(timeout_ms):
        return None
    frames = sock.recv_multipart()
    i = frames.index(b"<IDS|MSG>")
    sig, parts = frames[i + 1], frames[i + 2:i + 6]
    expected = hmac.new(key, b"".join(parts), hashlib.sha256).hexdigest().encode()
    assert hmac.compare_digest(sig, expected), "kernel reply has a bad signature"
    header, parent, _meta, content = (json.loads(p) for p in parts)
    return {"header": header, "parent_header": parent, "content": content}


# -------------------------------------------------------------- interrupts --

def test_interrupt_message_mode_then_next_cell(kernel):
    km, kc = kernel
    assert km.kernel_spec.interrupt_mode == "message"
    msg_id = kc.execute(LONG_CELL)
    wait_for_iopub(kc, msg_id, "execute_input")      # the cell is running
    time.sleep(0.2)
    t0 = time.monotonic()
    km.interrupt_kernel()                              # -> interrupt_request on control
    reply = reply_for(kc, msg_id, timeout=10)
    assert time.monotonic() - t0 < 3
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "Interrupted"
    msgs = iopub_for(kc, msg_id)
    errors = [m for m in msgs if m["msg_type"] == "error"]
    assert len(errors) == 1 and errors[0]["content"]["ename"] == "Interrupted"
    # kernel is still alive and runs the next cell normally
    reply, msgs = run(kc, 'print("still alive")')
    assert reply["content"]["status"] == "ok"
    assert any(m["msg_type"] == "stream" and m["content"]["text"] == "still alive\n" for m in msgs)
    assert km.is_alive()


def test_control_served_during_cpu_bound_cell(kernel):
    """interrupt_request is answered on control while shell is busy; a
    CPU-bound loop (like a Rhai script) is interrupted via the polled flag."""
    km, kc = kernel
    msg_id = kc.execute(LONG_CELL)
    wait_for_iopub(kc, msg_id, "execute_input")
    # kernel_info on control while the cell runs
    ki = kc.session.msg("kernel_info_request", {})
    t0 = time.monotonic()
    kc.control_channel.send(ki)
    r = reply_for(kc, ki["header"]["msg_id"], channel="control", timeout=5)
    assert r["msg_type"] == "kernel_info_reply" and time.monotonic() - t0 < 2
    # explicit interrupt_request, check its reply
    ir = kc.session.msg("interrupt_request", {})
    kc.control_channel.send(ir)
    r = reply_for(kc, ir["header"]["msg_id"], channel="control", timeout=5)
    assert r["msg_type"] == "interrupt_reply" and r["content"]["status"] == "ok"
    reply = reply_for(kc, msg_id, timeout=10)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "Interrupted"
    iopub_for(kc, msg_id)
    reply, _ = run(kc, "1 + 1")
    assert reply["content"]["status"] == "ok"


def test_interrupt_while_idle_does_not_poison_next_cell(kernel):
    km, kc = kernel
    km.interrupt_kernel()
    time.sleep(0.3)
    reply, msgs = run(kc, "5")
    assert reply["content"]["status"] == "ok"
    assert [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"] == ["5"]


def test_interrupt_signal_mode():
    """Same kernel with interrupt_mode 'signal': jupyter_client sends SIGINT."""
    src = PREFIX / "share" / "jupyter" / "kernels" / "kvalitet" / "kernel.json"
    dst = PREFIX / "share" / "jupyter" / "kernels" / "kvalitet-signal"
    dst.mkdir(exist_ok=True)
    spec = json.loads(src.read_text())
    spec["interrupt_mode"] = "signal"
    spec["display_name"] = "Kvalitet (signal)"
    (dst / "kernel.json").write_text(json.dumps(spec))
    km, kc = start_kernel("kvalitet-signal")
    try:
        assert km.kernel_spec.interrupt_mode == "signal"
        msg_id = kc.execute(LONG_CELL)
        wait_for_iopub(kc, msg_id, "execute_input")
        time.sleep(0.2)
        km.interrupt_kernel()                          # -> SIGINT
        reply = reply_for(kc, msg_id, timeout=10)
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "Interrupted"
        iopub_for(kc, msg_id)
        reply, _ = run(kc, 'print("ok")')
        assert reply["content"]["status"] == "ok"
        assert km.is_alive()
    finally:
        stop_kernel(km, kc)


def test_queued_cells_aborted_after_error(kernel):
    """stop_on_error: execute_requests already queued behind a failing cell get
    status 'aborted'; later cells run again. The failing cell counts for a
    moment first, so that the next two requests are surely queued behind it
    (a cell that failed at once could finish before they arrive)."""
    km, kc = kernel
    first = kc.execute('let n = 0;\nwhile n < 300000 { n += 1; }\nthrow "first fails"')
    second = kc.execute('print("never runs")')
    third = kc.execute('print("never runs either")')
    r1 = reply_for(kc, first)
    r2 = reply_for(kc, second)
    r3 = reply_for(kc, third)
    assert r1["content"]["status"] == "error"
    assert r2["content"]["status"] == "aborted"
    assert r3["content"]["status"] == "aborted"
    for mid in (first, second, third):
        assert_bracketed(iopub_for(kc, mid))
    reply, _ = run(kc, 'print("runs again")')
    assert reply["content"]["status"] == "ok"


# ------------------------------------------------------ restart / shutdown --

def test_restart_kernel(fresh_kernel):
    km, kc = fresh_kernel
    reply, _ = run(kc, "let keep = 1;\nkeep")
    assert reply["content"]["execution_count"] == 1
    old_proc = km.provisioner.process
    t0 = time.monotonic()
    km.restart_kernel(now=False)                       # shutdown_request(restart=True)
    restart_s = time.monotonic() - t0
    assert old_proc.wait(timeout=5) == 0, "old kernel must exit cleanly (code 0), not be killed"
    assert restart_s < 4, restart_s                    # no 5s shutdown_wait_time fallback
    kc.wait_for_ready(timeout=30)
    reply, msgs = run(kc, "keep")                      # fresh state
    assert reply["content"]["status"] == "error" and "keep" in reply["content"]["evalue"]
    assert reply["content"]["execution_count"] == 1    # counter restarted
    reply, _ = run(kc, "2 + 2")
    assert reply["content"]["status"] == "ok" and reply["content"]["execution_count"] == 2


@pytest.mark.parametrize("restart", [False, True])
def test_shutdown_request_reply_and_exit(restart):
    km, kc = start_kernel()
    proc = km.provisioner.process
    try:
        req = kc.session.msg("shutdown_request", {"restart": restart})
        kc.control_channel.send(req)
        r = reply_for(kc, req["header"]["msg_id"], channel="control", timeout=5)
        assert r["msg_type"] == "shutdown_reply"
        assert r["content"] == {"restart": restart, "status": "ok"}
        assert proc.wait(timeout=5) == 0
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_shutdown_while_cell_running():
    km, kc = start_kernel()
    proc = km.provisioner.process
    msg_id = kc.execute(LONG_CELL)
    wait_for_iopub(kc, msg_id, "execute_input")
    t0 = time.monotonic()
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    assert time.monotonic() - t0 < 4
    assert proc.wait(timeout=1) == 0


# ---------------------------------------------------------- bad messages --

def test_bad_signature_and_garbage_are_skipped(kernel):
    km, kc = kernel
    ci = km.get_connection_info()
    key = ci["key"] if isinstance(ci["key"], bytes) else ci["key"].encode()
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(f"tcp://{ci['ip']}:{ci['shell_port']}")
    try:
        # 1. wrong HMAC key
        _, frames = raw_frames("kernel_info_request", {}, b"not-the-key")
        sock.send_multipart(frames)
        # 2. no delimiter at all
        sock.send_multipart([b"garbage", b"more garbage"])
        # 3. too few frames
        sock.send_multipart([b"<IDS|MSG>", b"sig"])
        # 4. valid signature, header is not JSON
        _, frames = raw_frames("kernel_info_request", {}, key, header_override=b"{not json")
        sock.send_multipart(frames)
        assert raw_recv(sock, key, 1000) is None, "kernel must not answer bad messages"

        # 5. known type, malformed content -> error reply instead of silence
        mid, frames = raw_frames("execute_request", {"silent": False}, key)
        sock.send_multipart(frames)
        r = raw_recv(sock, key, 5000)
        assert r["header"]["msg_type"] == "execute_reply" and r["parent_header"]["msg_id"] == mid
        assert r["content"]["status"] == "error" and r["content"]["ename"] == "BadRequest"
        # 6. unknown request type -> error reply
        mid, frames = raw_frames("frobnicate_request", {}, key)
        sock.send_multipart(frames)
        r = raw_recv(sock, key, 5000)
        assert r["header"]["msg_type"] == "frobnicate_reply" and r["content"]["status"] == "error"
        # 7. history_request without start/stop (jupyter-protocol can't parse it)
        mid, frames = raw_frames("history_request", {"hist_access_type": "range", "raw": True, "output": False}, key)
        sock.send_multipart(frames)
        r = raw_recv(sock, key, 5000)
        assert r["header"]["msg_type"] == "history_reply" and r["content"] == {"history": [], "status": "ok"}
        # 8. a valid request on the same raw socket still works
        mid, frames = raw_frames("kernel_info_request", {}, key)
        sock.send_multipart(frames)
        r = raw_recv(sock, key, 5000)
        assert r["header"]["msg_type"] == "kernel_info_reply" and r["parent_header"]["msg_id"] == mid
    finally:
        sock.close()
    # and the kernel is alive for normal clients
    reply, _ = run(kc, "1")
    assert reply["content"]["status"] == "ok"
    # bad signature on control is skipped too
    csock = ctx.socket(zmq.DEALER)
    csock.setsockopt(zmq.LINGER, 0)
    csock.connect(f"tcp://{ci['ip']}:{ci['control_port']}")
    try:
        _, frames = raw_frames("shutdown_request", {"restart": False}, b"wrong")
        csock.send_multipart(frames)
        assert raw_recv(csock, key, 1000) is None
    finally:
        csock.close()
    assert km.is_alive()
    reply, _ = run(kc, "2")
    assert reply["content"]["status"] == "ok"


def test_bare_history_request(kernel):
    km, kc = kernel
    msg_id = kc.history()          # hist_access_type=range, no start/stop
    r = reply_for(kc, msg_id)
    assert r["content"] == {"history": [], "status": "ok"}
    assert_bracketed(iopub_for(kc, msg_id))


# ------------------------------------------------------- cursor positions --

def test_complete_cursor_is_code_points(kernel):
    km, kc = kernel
    code = '"😀😀😀" + propor'                              # 3 x 4-byte chars before
    msg_id = kc.complete(code, cursor_pos=len(code))      # len() = code points
    c = reply_for(kc, msg_id)["content"]
    assert c["status"] == "ok"
    assert c["matches"] == ["proportion"]
    assert (c["cursor_start"], c["cursor_end"]) == (len(code) - 6, len(code))
    # cursor in the middle of the text
    code = 'let é = "😀"; propor + "tail ü"'
    pos = code.index("propor") + 6
    c = reply_for(kc, kc.complete(code, cursor_pos=pos))["content"]
    assert c["matches"] == ["proportion"] and (c["cursor_start"], c["cursor_end"]) == (pos - 6, pos)
    # A variable of an earlier cell, after Danish letters in a string.
    run(kc, "let antal_aeldre = 5;")
    code = '"æøå" + antal_ae'
    c = reply_for(kc, kc.complete(code, cursor_pos=len(code)))["content"]
    assert c["matches"] == ["antal_aeldre"] and (c["cursor_start"], c["cursor_end"]) == (len(code) - 8, len(code))


def test_inspect_cursor_is_code_points(kernel):
    km, kc = kernel
    code = '"😀😀😀😀" + proportion'
    c = reply_for(kc, kc.inspect(code, cursor_pos=len(code)))["content"]
    assert c["status"] == "ok" and c["found"] is True
    assert "proportion(numerator: Table, denominator: Table)" in c["data"]["text/plain"]
    # cursor on the emoji string -> nothing to inspect
    c = reply_for(kc, kc.inspect(code, cursor_pos=2))["content"]
    assert c["found"] is False


# ----------------------------------------------------- busy/idle ordering --

def test_every_request_is_bracketed_by_busy_idle(kernel):
    km, kc = kernel
    requests = [
        kc.kernel_info(),
        kc.complete("pro"),
        kc.inspect("proportion"),
        kc.is_complete("fn f() {"),
        kc.comm_info(),
        kc.history(hist_access_type="tail", n=3, raw=True, output=False),
    ]
    for msg_id in requests:
        reply_for(kc, msg_id)
        assert_bracketed(iopub_for(kc, msg_id))
    msg_id = kc.execute('print("x");\n1')
    reply_for(kc, msg_id)
    msgs = iopub_for(kc, msg_id)
    assert_bracketed(msgs)
    assert [m["msg_type"] for m in msgs] == ["status", "execute_input", "stream", "execute_result", "status"]
    # control channel requests too
    ki = kc.session.msg("kernel_info_request", {})
    kc.control_channel.send(ki)
    reply_for(kc, ki["header"]["msg_id"], channel="control")
    assert_bracketed(iopub_for(kc, ki["header"]["msg_id"]))


def test_kernel_info_first_iopub_is_busy(fresh_kernel):
    """The first iopub message after kernel_info_request (on a fresh kernel)
    is status busy with that request as parent."""
    km, kc = fresh_kernel
    while True:                                     # drain startup traffic
        try:
            kc.get_iopub_msg(timeout=0.3)
        except Exception:
            break
    msg_id = kc.kernel_info()
    first = kc.get_iopub_msg(timeout=5)
    assert first["msg_type"] == "status" and first["content"]["execution_state"] == "busy"
    assert first["parent_header"]["msg_id"] == msg_id


# -------------------------------------------------------- execute details --

def test_no_nulls_in_execute_reply_and_result(kernel):
    km, kc = kernel
    reply, msgs = run(kc, "40 + 2")
    assert reply["content"]["user_expressions"] == {}
    assert reply["content"]["payload"] == []
    res = [m for m in msgs if m["msg_type"] == "execute_result"][0]["content"]
    assert res["transient"] == {} and res["metadata"] == {}
    assert res["data"] == {"text/plain": "42"}


def test_execution_count_silent_and_store_history(kernel):
    km, kc = kernel
    reply, _ = run(kc, "1")
    n = reply["content"]["execution_count"]
    reply, msgs = run(kc, "1")
    assert reply["content"]["execution_count"] == n + 1
    # silent: nothing but busy/idle on iopub, count unchanged
    reply, msgs = run(kc, 'print("hidden");\n7', silent=True)
    assert reply["content"]["status"] == "ok" and reply["content"]["execution_count"] == n + 1
    assert [m["msg_type"] for m in msgs] == ["status", "status"]
    # silent errors: error reply, but no error broadcast
    reply, msgs = run(kc, 'throw "quiet"', silent=True)
    assert reply["content"]["status"] == "error" and [m["msg_type"] for m in msgs] == ["status", "status"]
    # store_history=False: outputs are shown, count unchanged
    reply, msgs = run(kc, "8", store_history=False)
    assert reply["content"]["execution_count"] == n + 1
    types = [m["msg_type"] for m in msgs]
    assert "execute_input" in types and "execute_result" in types
    reply, _ = run(kc, "9")
    assert reply["content"]["execution_count"] == n + 2


def test_user_expressions(kernel):
    km, kc = kernel
    reply, _ = run(kc, "let z = 21;", user_expressions={"double": "z * 2", "bad": "nope + 1"})
    ue = reply["content"]["user_expressions"]
    assert ue["double"] == {"status": "ok", "data": {"text/plain": "42"}, "metadata": {}}
    assert ue["bad"]["status"] == "error" and "nope" in ue["bad"]["evalue"]


def test_error_traceback_and_unicode_streams(kernel):
    km, kc = kernel
    reply, msgs = run(kc, 'print("héllo 😀");\ndebug("wärning");\nlet x = table("borgere").filtre(1);')
    content = reply["content"]
    assert content["status"] == "error" and content["ename"] == "RuleError"
    # The traceback names the cell's line and column and shows the line.
    assert content["traceback"][0].startswith("cell "), content["traceback"]
    assert ", line 3, column " in content["traceback"][0], content["traceback"]
    assert content["traceback"][1] == '   3 | let x = table("borgere").filtre(1);'
    assert content["traceback"][2].strip().endswith("^")
    streams = [(m["content"]["name"], m["content"]["text"]) for m in msgs if m["msg_type"] == "stream"]
    assert streams == [("stdout", "héllo 😀\n"), ("stderr", '"wärning"\n')]
    errors = [m["content"] for m in msgs if m["msg_type"] == "error"]
    assert len(errors) == 1 and errors[0]["traceback"] == content["traceback"]


def test_is_complete_indent(kernel):
    km, kc = kernel
    c = reply_for(kc, kc.is_complete("fn f() {\n  if true {"))["content"]
    assert c == {"status": "incomplete", "indent": "        "}


# ----------------------------------------------------- sockets & welcome --

def test_heartbeat_echoes(kernel):
    km, kc = kernel
    ci = km.get_connection_info()
    sock = zmq.Context.instance().socket(zmq.REQ)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(f"tcp://{ci['ip']}:{ci['hb_port']}")
    try:
        for payload in ([b"ping-123"], [b"multi", b"part", b"\x00\xff"]):
            sock.send_multipart(payload)
            assert sock.poll(5000), "no heartbeat reply"
            assert sock.recv_multipart() == payload
    finally:
        sock.close()
    assert kc.is_alive()


def test_second_client_gets_iopub_welcome(kernel):
    km, kc = kernel
    # A second frontend has its OWN session: jupyter_client uses the session id
    # as the shell/control DEALER identity, and two peers with one identity on
    # a zeromq-rs ROUTER get replies misrouted (libzmq rejects the newcomer).
    kc2 = km.client(session=Session(key=km.session.key))
    kc2.start_channels()
    try:
        first = kc2.get_iopub_msg(timeout=5)
        assert first["msg_type"] == "iopub_welcome" and first["content"] == {"subscription": ""}
        # kc2 sees outputs of cells run by kc (shared iopub)
        msg_id = kc.execute('print("broadcast")')
        reply_for(kc, msg_id)
        seen = wait_for_iopub(kc2, msg_id, "stream")
        assert seen[-1]["content"]["text"] == "broadcast\n"
        iopub_for(kc, msg_id)
    finally:
        kc2.stop_channels()


# ------------------------------------------------------ install & nbclient --

def test_kernelspec_install(tmp_path):
    import subprocess
    from jupyter_client.kernelspec import KernelSpecManager
    subprocess.run([str(BIN), "kernel", "install", "--prefix", str(tmp_path), "--name", "kvalitet-x",
                    "--display-name", "Kvalitet X"], check=True, capture_output=True)
    data = json.loads((tmp_path / "share/jupyter/kernels/kvalitet-x/kernel.json").read_text())
    assert data["argv"][1:] == ["kernel", "--connection-file", "{connection_file}"]
    assert Path(data["argv"][0]).is_absolute()
    assert data["interrupt_mode"] == "message" and data["language"] == "rhai"
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "share/jupyter/kernels")])
    spec = ksm.get_kernel_spec("kvalitet-x")
    assert spec.display_name == "Kvalitet X" and spec.interrupt_mode == "message"
    # The default name and display name; --user honours JUPYTER_DATA_DIR.
    env = dict(os.environ, JUPYTER_DATA_DIR=str(tmp_path / "user"))
    subprocess.run([str(BIN), "kernel", "install", "--user"], check=True, capture_output=True, env=env)
    spec = json.loads((tmp_path / "user/kernels/kvalitet/kernel.json").read_text())
    assert spec["display_name"] == "Kvalitet (Rhai)"
    # Bad arguments fail with exit code 2.
    r = subprocess.run([str(BIN), "kernel", "install", "--bogus"], capture_output=True)
    assert r.returncode == 2


def test_nbclient_executes_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('print("hello, world")'),
        nbformat.v4.new_code_cell("let x = 6;\nx * 7"),
        nbformat.v4.new_code_cell(f"use_data({json.dumps(FIXTURE)});\ndisplay(table(\"borgere\").head(2))"),
        nbformat.v4.new_code_cell('throw "forventet"'),
    ]
    client = NotebookClient(nb, kernel_name="kvalitet", timeout=60, allow_errors=True)
    client.execute()
    outs = [c.outputs for c in nb.cells]
    assert outs[0][0]["output_type"] == "stream" and outs[0][0]["text"] == "hello, world\n"
    assert outs[1][0]["output_type"] == "execute_result" and outs[1][0]["data"]["text/plain"] == "42"
    assert outs[1][0]["execution_count"] == 2
    shown = [o for o in outs[2] if o["output_type"] == "display_data"]
    assert len(shown) == 1 and "text/html" in shown[0]["data"] and "text/plain" in shown[0]["data"]
    assert outs[3][0]["output_type"] == "error" and outs[3][0]["evalue"] == "forventet"
    nbformat.validate(nb)
    # Without allow_errors the error surfaces as CellExecutionError.
    nb2 = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('throw "stop"')])
    with pytest.raises(CellExecutionError):
        NotebookClient(nb2, kernel_name="kvalitet", timeout=60).execute()


def test_connection_file_errors_are_reported(tmp_path):
    import subprocess
    base = {"ip": "127.0.0.1", "transport": "tcp", "shell_port": 0, "iopub_port": 0, "stdin_port": 0,
            "control_port": 0, "hb_port": 0, "key": "k", "signature_scheme": "hmac-sha256"}
    cases = {
        "curve": (dict(base, curve_publickey="x" * 40, curve_secretkey="y" * 40), "CURVE"),
        "scheme": (dict(base, signature_scheme="hmac-md5"), "signature_scheme"),
        "garbage": ("{not json", "not a connection file"),
    }
    for name, (content, needle) in cases.items():
        f = tmp_path / f"{name}.json"
        f.write_text(content if isinstance(content, str) else json.dumps(content))
        r = subprocess.run([str(BIN), "kernel", "--connection-file", str(f)], capture_output=True, timeout=10)
        assert r.returncode == 2, (name, r)
        assert needle in r.stderr.decode(), (name, r.stderr)


# ------------------------------------------------- a query in flight --

def test_interrupt_stops_a_running_polars_query(kernel):
    """A cell whose time goes to Polars, not to the script: every March visit
    paired with every visit of the same employee. The interrupt aborts the
    query through Polars' own mechanism; the kernel runs the next cell."""
    km, kc = kernel
    reply, _ = run(kc, f"use_data({json.dumps(DEMO_DATA)});")
    assert reply["content"]["status"] == "ok", reply["content"]
    # Every visit paired with every visit of the same employee (about ten
    # seconds for Læsø in a debug build; memory stays small).
    code = (
        'let b = table("besoeg");\n'
        'b.join_many(b.select(["medarbejder_id", "borger_id"]).rename("borger_id", "anden"), "medarbejder_id")\n'
        '    .group_by(["borger_id"]).agg([col("anden").n_unique().alias("n")])'
    )
    msg_id = kc.execute(code)
    wait_for_iopub(kc, msg_id, "execute_input")
    time.sleep(1.5)
    t0 = time.monotonic()
    km.interrupt_kernel()
    reply = reply_for(kc, msg_id, timeout=30)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "Interrupted", reply["content"]
    assert time.monotonic() - t0 < 10
    iopub_for(kc, msg_id)
    reply, msgs = run(kc, "1 + 1")
    assert reply["content"]["status"] == "ok"
    assert km.is_alive()
