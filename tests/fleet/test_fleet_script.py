"""`make fleet` (scripts/fleet.sh): the load balancer answers in front of two nodes reading a streaming replica, and
Ctrl-C stops every process it started and removes its folder."""

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fleet.servers import ROOT, PostgresServer, free_port, wait_for

pytestmark = pytest.mark.fleet


def _descendants(root: int) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid,ppid,sid"], capture_output=True, text=True).stdout
    rows = [tuple(int(v) for v in line.split()) for line in out.splitlines()[1:]]
    found, todo = set(), [root]
    while todo:
        parent = todo.pop()
        for pid, ppid, _sid in rows:
            if ppid == parent and pid not in found:
                found.add(pid)
                todo.append(pid)
    return found


def test_make_fleet_serves_through_the_load_balancer_and_stops_everything(tmp_path):
    port = free_port()
    env = {**os.environ, "FLEET_PORT": str(port), "FLEET_DEMO": "0", "WEB_CONCURRENCY": "1"}
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URL", "CACHE_URL", "Q_BROKER_URL", "FLEET_DIR"):
        env.pop(name, None)
    log = open(tmp_path / "fleet.log", "w+")
    folder = None
    fleet = subprocess.Popen(
        ["scripts/fleet.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:

        def started() -> bool:
            assert fleet.poll() is None, (tmp_path / "fleet.log").read_text()[-3000:]
            return "Ctrl-C stops the fleet" in (tmp_path / "fleet.log").read_text()

        wait_for(started, seconds=180, what="fleet")
        output = (tmp_path / "fleet.log").read_text()
        folder = Path(output.split("Logs            : ", 1)[1].split("/logs/", 1)[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as answer:
            ready = json.loads(answer.read())
        assert ready["status"] == "ready", ready
        assert (ready["replica"]["reads_from"], ready["cache"]["backend"], ready["broker"]["broker"]) == (
            "replica", "RedisCache", "redis",
        )  # fmt: skip

        # Both nodes serve: HAProxy's round robin spreads requests over the two gunicorn logs.
        def both_served() -> bool:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10).close()
            return all("GET /healthz" in (folder / "logs" / f"web-{n}.log").read_text() for n in (1, 2))

        wait_for(both_served, seconds=15, what="both nodes serving", every=0.2)
        ours = _descendants(fleet.pid)
        assert len(ours) >= 8  # haproxy, redis, 2 nodes, 2 workers, their children; PostgreSQL runs detached
        fleet.send_signal(signal.SIGINT)
        fleet.wait(timeout=30)
        assert "==> stopped" in (tmp_path / "fleet.log").read_text()
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in ours) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in ours if Path(f"/proc/{pid}").exists()]
        assert not folder.exists()  # its PostgreSQL clusters were stopped, then the folder removed
    finally:
        if fleet.poll() is None:  # a failed check above: let the script stop its fleet, else stop what is left
            fleet.send_signal(signal.SIGTERM)
            try:
                fleet.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(fleet.pid, signal.SIGKILL)
            for cluster in ("replica", "primary"):
                if folder is not None and (folder / cluster).exists():
                    PostgresServer(folder / cluster, 0, folder / "unused.log").stop()
        log.close()
