"""Production settings come from the environment: the documented example passes `check --deploy`, and the app
refuses to start with DEBUG off on the public demo SECRET_KEY."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict:
    values = {}
    for line in (ROOT / "docs" / "production.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _sep, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_the_production_example_passes_check_deploy_with_no_warnings():
    # With its own SECRET_KEY, as the example asks ("replace every change-me"): the published one is refused below.
    env = {**production_env(), "SECRET_KEY": secrets.token_urlsafe(64)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_production_example_sets_every_secure_setting():
    env = production_env()
    assert env["DEBUG"] == "false"
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_PRELOAD"):
        assert env[name] == "true"
    assert int(env["SECURE_HSTS_SECONDS"]) >= 31536000 and env["CACHE_URL"].startswith("redis://")


@pytest.mark.parametrize("secret", [None, "insecure-demo-key-set-SECRET_KEY-in-production"])
def test_debug_off_on_the_demo_secret_key_refuses_to_start(secret):
    env = {"DEBUG": "false", "DATABASE_URL": "sqlite:///:memory:"}
    if secret:
        env["SECRET_KEY"] = secret
    result = manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY is the public demo key" in result.stderr


def test_the_production_examples_published_key_refuses_to_start():
    # A server started on docs/production.env as it is would sign sessions with a key anyone can read (issue 25,
    # item 11).
    result = manage("check", env=production_env())
    assert result.returncode != 0 and "published example" in result.stderr


def test_debug_on_the_demo_key_is_allowed_for_the_local_demo():
    result = manage("check", env={"DEBUG": "true", "DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode == 0, result.stderr
