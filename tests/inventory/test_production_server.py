"""The production entry point under the real server: gunicorn serving `omnichannel.wsgi` on the test database,
over keep-alive HTTP connections, sharing a cache (CACHE_URL) with the test process as web processes share
Redis in production."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shared_cache(tmp_path, settings):
    url = f"filecache://{tmp_path}/cache"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": f"{tmp_path}/cache"}
    }
    return url


@pytest.fixture
def gunicorn(transactional_db, shared_cache):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "LANGUAGE_CODE": "en",
        "CACHE_URL": shared_cache,
        "SECRET_KEY": "gunicorn-test-secret",
    }
    command = [str(Path(sys.executable).with_name("gunicorn")), "omnichannel.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "2", "--worker-class", "gthread", "--threads", "1", "--keep-alive", "30"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"gunicorn exited: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(10)


def test_gunicorn_answers_availability_and_errors_on_one_keep_alive_connection(shop, api, api_key, gunicorn):
    expected = api.get("/api/v1/availability/?skus=TSH001-NER-M,TSH001-NER-L&near=45.4642,9.1900").json()
    conn = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10)
    headers = {"Authorization": f"Api-Key {api_key}"}
    answers = []
    for path in [
        "/api/v1/availability/?skus=TSH001-NER-M,TSH001-NER-L&near=45.4642,9.1900",
        "/api/v1/availability/?skus=NOPE-1",
        "/api/v1/availability/?skus=TSH001-NER-M,TSH001-NER-L&near=45.4642,9.1900",
    ]:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        answers.append((response.status, response.getheader("Content-Language"), json.loads(response.read())))
    conn.close()
    assert answers[0] == (200, "en", expected)
    assert answers[1][0] == 404
    assert answers[1][2]["error"]["code"] == "not_found"
    assert answers[2] == answers[0]


def test_a_revoked_key_stops_working_in_every_web_process_at_once(shop, web_channel, gunicorn):
    from stores.models import ApiKey
    from stores.services import create_api_key, revoke_api_key

    _row, raw_key = create_api_key(channel=web_channel)
    headers = {"Authorization": f"Api-Key {raw_key}"}

    def statuses(n):
        # A new connection each time, so requests spread over both workers, each caching the key.
        out = []
        for _ in range(n):
            conn = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10)
            conn.request("GET", "/api/v1/locations/", headers=headers)
            out.append(conn.getresponse().status)
            conn.close()
        return out

    assert statuses(6) == [200] * 6
    revoke_api_key(api_key=ApiKey.objects.get(hashed_key=_row.hashed_key))
    assert statuses(6) == [401] * 6
