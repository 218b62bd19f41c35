"""`make test` never inherits a `.env` written for the demo or by a developer (issue 25, item 11): the settings read
the file for the processes started in the folder (servers, `manage.py` commands), never under pytest."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
if sys.argv[1] == "pytest":
    import pytest  # noqa: F401  (what the test suite has imported when it reads the settings)
import django
django.setup()
from django.conf import settings
print(settings.BRAND_NAME)
"""


def brand(tmp_path, runner: str) -> str:
    env_file = tmp_path / "demo.env"
    env_file.write_text("BRAND_NAME=FromTheEnvFile\nDEBUG=true\n")
    env = {k: v for k, v in os.environ.items() if k not in ("BRAND_NAME", "DEBUG")}
    env.update(
        OMNICHANNEL_ENV_FILE=str(env_file),
        DJANGO_SETTINGS_MODULE="omnichannel.settings",
        DATABASE_URL="sqlite:///:memory:",
        SECRET_KEY="env-file-test-secret",
    )
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, runner], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    return probe.stdout.strip()


def test_a_command_reads_the_env_file_the_test_suite_does_not(tmp_path):
    assert brand(tmp_path, "manage") == "FromTheEnvFile"
    assert brand(tmp_path, "pytest") == "Brunello"
