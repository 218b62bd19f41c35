"""`make run`'s servers (scripts/serve.sh): web server and task worker start, the URL table is printed, they
listen on 127.0.0.1 by default, and SIGTERM or Ctrl-C (SIGINT) stops both, with their children, within 10 s."""

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import database_url

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(root: int) -> dict[int, str]:
    """{pid: command line} of every process started under `root` (this test's own servers only: another copy of
    the demo running beside the suite is none of its business)."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
    children: dict[int, list[tuple[int, str]]] = {}
    for line in out.splitlines()[1:]:
        pid, ppid, args = line.split(None, 2)
        children.setdefault(int(ppid), []).append((int(pid), args))
    found, todo = {}, [root]
    while todo:
        for pid, args in children.get(todo.pop(), []):
            found[pid] = args
            todo.append(pid)
    return found


def _alive(pids) -> list[int]:
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


def _start_serve(tmp_path, port: int, *, web_concurrency: int):
    """scripts/serve.sh in a session of its own (as make run in a terminal), on this test's port, database, cache
    and log folder; returned once it printed its URL table. (server, its output file)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PORT": str(port),
        "DEBUG": "false",
        "SECRET_KEY": "serve-test-secret",
        "CACHE_URL": f"filecache://{tmp_path}/cache",
        "WEB_CONCURRENCY": str(web_concurrency),
        "Q_SYNC": "false",
        "LOG_DIR": str(tmp_path / "logs"),
    }
    env.pop("HOST", None)
    log = open(tmp_path / "serve.log", "w+")
    server = subprocess.Popen(
        ["scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while "Ctrl-C stops" not in (tmp_path / "serve.log").read_text():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            log.close()
            raise AssertionError("the servers did not come up: " + (tmp_path / "serve.log").read_text()[-3000:])
        time.sleep(0.3)
    return server, log


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "stop_signal",
    [
        signal.SIGTERM,
        signal.SIGINT,  # Ctrl-C in a terminal
        "group_twice",  # a supervisor or `timeout` signalling the whole group, then make forwarding it again
    ],
)
def test_serve_starts_web_and_worker_and_stops_within_ten_seconds(tmp_path, stop_signal):
    port = _free_port()
    server, log = _start_serve(tmp_path, port, web_concurrency=2)
    try:
        output = (tmp_path / "serve.log").read_text()
        assert f"http://localhost:{port}/dashboard/" in output and f"http://localhost:{port}/api/v1/docs/" in output
        # The terminal ends with the URL table and the logins, once; the servers' logs go to their files.
        table = output.index("Omnichannel OMS demo is running")
        assert output.count("Demo logins") == 1 and output.index("Demo logins") > table
        assert output.rstrip().endswith("Ctrl-C stops the web server and the worker.")
        assert "GET /healthz" not in output and "GET /healthz" in (tmp_path / "logs" / "web.log").read_text()
        assert (tmp_path / "logs" / "worker.log").exists()
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass  # listening on loopback
        ours = _descendants(server.pid)
        assert any("qcluster" in args for args in ours.values()), "the task worker is running"
        assert any("gunicorn" in args for args in ours.values()), "the web server is running"
        started = time.monotonic()
        if stop_signal == "group_twice":
            os.killpg(server.pid, signal.SIGTERM)
            while "stopping web server and worker" not in (tmp_path / "serve.log").read_text():
                assert time.monotonic() - started < 10, "the stop did not begin"
                time.sleep(0.05)
            for _ in range(5):  # more TERMs while it stops: ignored, the stop finishes (it kills what is left)
                try:
                    os.killpg(server.pid, signal.SIGTERM)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        else:
            server.send_signal(stop_signal)
        server.wait(timeout=15)
        assert time.monotonic() - started < 10
        assert "==> stopped" in (tmp_path / "serve.log").read_text(), "the stop was cut short"
        deadline = time.monotonic() + 5
        while _alive(ours) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(ours), {pid: ours[pid] for pid in _alive(ours)}  # web server, worker, their children
        time.sleep(0.5)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        if server.poll() is None:
            server.kill()
        log.close()


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_is_started_again_while_the_web_server_answers(tmp_path):
    # Under `make run` a crashed worker took the web server down with it (issue 25, item 15).
    port = _free_port()
    server, log = _start_serve(tmp_path, port, web_concurrency=1)

    def workers() -> list[int]:
        """serve.sh's own worker process (qcluster's processes are its children)."""
        out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout
        rows = [line.split(None, 2) for line in out.splitlines()[1:]]
        return [int(pid) for pid, ppid, args in rows if int(ppid) == server.pid and "qcluster" in args]

    try:
        (first,) = workers()
        os.killpg(first, signal.SIGKILL)  # the worker and its processes, gone at once (out of memory, say)
        deadline = time.monotonic() + 30
        while not (workers() and first not in workers()):
            assert server.poll() is None, "serve.sh ended with its worker"
            assert time.monotonic() < deadline, "the worker was not started again"
            time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
            assert answer.status == 200  # the web server kept serving
        assert "starting it again" in (tmp_path / "logs" / "worker.log").read_text()
        ours = _descendants(server.pid)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
        deadline = time.monotonic() + 5
        while _alive(ours) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(ours), {pid: ours[pid] for pid in _alive(ours)}
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
