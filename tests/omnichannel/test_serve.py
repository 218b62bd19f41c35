"""`make run`'s servers (scripts/serve.sh): web server and task worker start, the URL table is printed, they
listen on 127.0.0.1 by default, and SIGTERM or Ctrl-C (SIGINT) stops both, with their children, within 10 s."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.inventory.test_production_server import _database_url

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_on(marker: str) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if marker in line and "ps -eo" not in line]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])  # SIGINT: Ctrl-C in a terminal
def test_serve_starts_web_and_worker_and_stops_within_ten_seconds(tmp_path, stop_signal):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "PORT": str(port),
        "DEBUG": "false",
        "SECRET_KEY": "serve-test-secret",
        "CACHE_URL": f"filecache://{tmp_path}/cache",
        "WEB_CONCURRENCY": "2",
        "Q_SYNC": "false",
        "LOG_DIR": str(tmp_path / "logs"),
    }
    env.pop("HOST", None)
    log = open(tmp_path / "serve.log", "w+")
    server = subprocess.Popen(["scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while "Ctrl-C stops" not in (tmp_path / "serve.log").read_text():
            assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the servers did not come up"
            time.sleep(0.3)
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
        assert _processes_on("qcluster"), "the task worker is running"
        started = time.monotonic()
        server.send_signal(stop_signal)
        server.wait(timeout=15)
        assert time.monotonic() - started < 10
        assert f"127.0.0.1:{port}" not in "".join(_processes_on("gunicorn"))
        assert not _processes_on("manage.py qcluster"), "the task worker and its children are gone"
        time.sleep(0.5)
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        if server.poll() is None:
            server.kill()
        log.close()
