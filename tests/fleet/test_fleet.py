"""Several web nodes and task workers on one Redis and one PostgreSQL primary with a streaming replica: the real
servers, started by these tests (tests/fleet/servers.py). What several processes must agree on, they agree on; what
tolerates lag reads from the replica; without the replica or Redis the API still sells."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from tests.fleet.servers import PYTHON, ROOT, stop_process, wait_for

pytestmark = pytest.mark.fleet

AVAILABILITY = "/api/v1/availability/?skus=TEE-M"


def milan(answer: tuple[int, dict]) -> int:
    status, body = answer
    assert status == 200, body
    return next((row["available"] for row in body["results"][0]["locations"] if row["location"] == "MI01"), 0)


def reserve(node, key: str, email: str) -> tuple[int, dict]:
    body = {
        "customer": {"email": email, "name": "Giulia Rossi", "locale": "en", "marketing_consent": False},
        "location": "MI01",
        "lines": [{"sku": "TEE-M", "quantity": 1}],
    }
    return node.request("POST", "/api/v1/reservations/", key=key, body=body)


class AdminSession:
    """Head office in the admin of one node, as a browser would be: cookies and the CSRF token."""

    def __init__(self, node, password: str):
        self.node = node
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(node.base + "/admin/login/", timeout=15).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        self.post("/admin/login/?next=/admin/", username="headoffice", password=password, csrfmiddlewaretoken=token)

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")

    def get(self, path: str) -> str:
        return self.opener.open(self.node.base + path, timeout=15).read().decode()

    def post(self, path: str, **form) -> str:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        return self.opener.open(self.node.base + path, data=data, timeout=15).read().decode()


def test_a_key_revoked_through_node_a_is_refused_at_once_by_node_b(fleet, nodes):
    node_a, node_b = nodes
    key = fleet.seeded["keys"]["revoked"]
    assert node_b.get("/api/v1/locations/", key=key)[0] == 200  # node B now holds the key in its process
    admin = AdminSession(node_a, fleet.seeded["password"])
    page = admin.post(
        "/admin/stores/apikey/",
        action="revoke",
        _selected_action=[fleet.seeded["key_ids"]["revoked"]],
        csrfmiddlewaretoken=admin.csrf(),
    )
    revoked_at = f"SELECT revoked_at IS NOT NULL FROM stores_apikey WHERE id = {fleet.seeded['key_ids']['revoked']}"
    assert fleet.primary.sql(revoked_at, database="oms") == "t", page[-2000:]
    status, body = node_b.get("/api/v1/locations/", key=key)
    assert (status, body["error"]["code"]) == (401, "authentication_failed")
    # Head office's front page of the admin says where the lag-tolerant reads are served.
    # (the revocation just written may still be replaying: the replica serves once it has caught up)
    wait_for(
        lambda: 'id="replica-module" data-replica-serving="true"' in admin.get("/admin/"),
        seconds=10,
        what="the admin showing the replica serving",
        every=0.5,
    )
    # A staff list (a store's reservations) is a replica read, but head office just wrote (the revocation): for
    # READ_YOUR_WRITES_SECONDS its reads stay on the primary, then they move to the replica.
    # (The replica connection's last statement: the lag check alone, or a query of the page after it.)
    on_replica = "SELECT query FROM pg_stat_activity WHERE application_name = 'oms-replica-reads'"
    admin.get("/dashboard/MI01/reservations/")  # 200 (an error status raises)
    assert "pg_last_wal_replay_lsn" in fleet.replica.sql(on_replica)

    def listed_from_the_replica() -> bool:
        admin.get("/dashboard/MI01/reservations/")
        last = fleet.replica.sql(on_replica)
        return "pg_last_wal_replay_lsn" not in last and " FROM " in last

    wait_for(listed_from_the_replica, seconds=10, what="the list read on the replica", every=0.5)


def test_a_rate_limit_is_counted_once_across_nodes(fleet, nodes):
    key = fleet.seeded["keys"]["limited"]
    if time.time() % 60 > 50:  # the limit counts per minute: start the 41 requests inside one minute
        time.sleep(61 - time.time() % 60)
    answers = [nodes[i % 2].get("/api/v1/locations/", key=key)[0] for i in range(41)]
    assert answers == [200] * 40 + [429]  # 20 on each node, then refused by node A, which counted B's too
    assert nodes[1].get("/api/v1/locations/", key=key)[0] == 429


def test_a_task_enqueued_by_node_a_runs_once_with_two_clusters(fleet, nodes):
    clusters = [fleet.start_cluster("one"), fleet.start_cluster("two")]
    try:
        status, body = reserve(nodes[0], fleet.seeded["keys"]["writer"], "once@example.com")
        assert status == 201, body
        sent = "SELECT status, attempts FROM notifications_notification WHERE recipient = 'once@example.com'"
        assert wait_for(lambda: fleet.primary.sql(sent, database="oms") == "sent|1", seconds=60, what="the email")
        emails = fleet.log("cluster-one").count("To: once@example.com") + fleet.log("cluster-two").count(
            "To: once@example.com"
        )
        assert emails == 1
    finally:
        for cluster in clusters:
            fleet.processes.remove(cluster)
            stop_process(cluster)


def test_a_task_lost_with_its_killed_worker_is_finished_by_the_sweep(fleet, nodes):
    # A mail server that takes the connection and never greets: the worker's send hangs, mid-task.
    silent_mail_server = socket.socket()
    silent_mail_server.bind(("127.0.0.1", 0))
    silent_mail_server.listen(8)
    cluster = fleet.start_cluster(
        "killed", EMAIL_URL=f"smtp://127.0.0.1:{silent_mail_server.getsockname()[1]}", PROVIDER_TIMEOUT_SECONDS="300"
    )
    try:
        status, body = reserve(nodes[0], fleet.seeded["keys"]["writer"], "killed@example.com")
        assert status == 201, body
        sending = "SELECT status, attempts FROM notifications_notification WHERE recipient = 'killed@example.com'"
        assert wait_for(lambda: fleet.primary.sql(sending, database="oms") == "sending|1", seconds=60, what="claim")
        os.killpg(cluster.pid, signal.SIGKILL)  # the worker dies with the task the Redis broker handed it
        cluster.wait(timeout=10)
    finally:
        fleet.processes.remove(cluster)
        stop_process(cluster)
        silent_mail_server.close()
    # Nothing in Redis brings it back; the outbox does: once OUTBOX_SENDING_TIMEOUT_SECONDS have passed (moved back
    # here rather than waited for), the sweep takes the row back and sends it.
    fleet.primary.sql(
        "UPDATE notifications_notification SET claimed_at = claimed_at - interval '1 hour'"
        " WHERE recipient = 'killed@example.com'",
        database="oms",
    )
    fleet.manage("run_job", "sweep_outbox")
    assert fleet.primary.sql(sending, database="oms") == "sent|2"


def test_each_schedule_runs_once_when_two_schedulers_claim_at_once(fleet):
    # Two schedulers' claim step at the same moment (threads with their own connections), on a due schedule.
    result = subprocess.run(
        [PYTHON, "-m", "tests.fleet.schedule_twice"], cwd=ROOT, env=fleet.env(), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "enqueued 1, next run moved"


def test_availability_reads_come_from_the_replica_and_a_writer_reads_its_own_write(fleet, nodes):
    reader, writer = fleet.seeded["keys"]["reader"], fleet.seeded["keys"]["writer"]
    # A fresh commit, replayed: the replica is then a moment behind when paused below, not minutes.
    tick = "CREATE TABLE IF NOT EXISTS fleet_tick (at timestamptz); INSERT INTO fleet_tick VALUES (now())"
    fleet.primary.sql(tick, database="oms")
    ticks = "SELECT count(*) FROM fleet_tick"
    wait_for(lambda: fleet.replica.sql(ticks, database="oms") != "0", seconds=10, what="tick replayed")
    before = milan(nodes[0].get(AVAILABILITY, key=reader))
    served = (
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'oms-replica-reads' AND query LIKE '%on_hand%'"
    )
    assert int(fleet.replica.sql(served)) >= 1  # the availability query ran on the replica
    behind, again = "behind, reading from the primary", "behind, reading from it again"
    said = fleet.log(nodes[0].log_name)
    fleet.replica.sql("SELECT pg_wal_replay_pause()")
    try:
        status, body = reserve(nodes[1], writer, "ryw@example.com")  # a write through node B
        assert status == 201, body
        assert milan(nodes[0].get(AVAILABILITY, key=writer)) == before - 1  # the writer sees it, on either node
        assert milan(nodes[1].get(AVAILABILITY, key=writer)) == before - 1
        assert milan(nodes[0].get(AVAILABILITY, key=reader)) == before  # others read the replica, a moment behind
        # Past REPLICA_MAX_LAG_SECONDS (3 s here) every read goes to the primary.
        assert wait_for(
            lambda: milan(nodes[0].get(AVAILABILITY, key=reader)) == before - 1,
            seconds=15,
            what="lag fallback",
            every=0.5,
        )
        status, ready = nodes[0].get("/readyz")
        assert (status, ready["status"], ready["replica"]["status"], ready["replica"]["reads_from"]) == (
            200, "degraded", "lagging", "primary",
        )  # fmt: skip
    finally:
        fleet.replica.sql("SELECT pg_wal_replay_resume()")
    wait_for(lambda: nodes[0].get("/readyz")[1]["status"] == "ready", seconds=15, what="caught up", every=0.5)
    assert milan(nodes[0].get(AVAILABILITY, key=reader)) == before - 1  # from the replica again
    # One line when the replica fell behind and one when it served again, not one per request in between.
    lines = fleet.log(nodes[0].log_name)[len(said) :]
    assert (lines.count(behind), lines.count(again)) == (1, 1), lines


def test_with_the_replica_stopped_reads_answer_from_the_primary(fleet, nodes):
    reader = fleet.seeded["keys"]["reader"]
    expected = milan(nodes[0].get(AVAILABILITY, key=reader))
    fleet.replica.stop()
    try:
        assert milan(nodes[0].get(AVAILABILITY, key=reader)) == expected
        assert milan(nodes[1].get(AVAILABILITY, key=reader)) == expected
        status, ready = nodes[0].get("/readyz")
        assert (status, ready["status"], ready["replica"]["status"]) == (200, "degraded", "unreachable")
        assert wait_for(lambda: "read replica unreachable" in fleet.log(nodes[0].log_name), seconds=5, what="log")
    finally:
        fleet.replica.start()
    wait_for(lambda: nodes[0].get("/readyz")[1]["status"] == "ready", seconds=30, what="replica back", every=0.5)


def test_with_redis_stopped_the_api_sells_and_a_lost_task_is_finished_by_the_sweep(fleet, nodes):
    reader, writer = fleet.seeded["keys"]["reader"], fleet.seeded["keys"]["writer"]
    revoked, limited = fleet.seeded["keys"]["revoked"], fleet.seeded["keys"]["limited"]
    fleet.stop_redis()
    try:
        status, ready = nodes[0].get("/readyz")
        assert (status, ready["status"], ready["cache"]["status"], ready["broker"]["status"]) == (
            200, "degraded", "unreachable", "unreachable",
        )  # fmt: skip
        assert milan(nodes[0].get(AVAILABILITY, key=reader)) >= 0
        # Rate limits fail open: nothing is counted while Redis is away ...
        assert {nodes[i % 2].get("/api/v1/locations/", key=limited)[0] for i in range(25)} == {200}
        # ... key revocation fails closed: the key is read from PostgreSQL on every request.
        assert nodes[1].get("/api/v1/locations/", key=revoked)[0] == 401
        # A write still sells; its email's task cannot reach the broker and waits in the outbox.
        status, body = reserve(nodes[0], writer, "lost@example.com")
        assert status == 201, body
    finally:
        fleet.start_redis()  # an empty Redis: whatever it held is lost
    pending = "SELECT status FROM notifications_notification WHERE recipient = 'lost@example.com'"
    assert fleet.primary.sql(pending, database="oms") == "pending"
    fleet.manage("run_job", "sweep_outbox")
    assert fleet.primary.sql(pending, database="oms") == "sent"
    assert nodes[0].get("/readyz")[1]["status"] == "ready"
