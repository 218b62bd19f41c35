"""The SQLite demo never answers "database is locked" while the worker writes (issue 25, item 12): its
transactions take the write lock at BEGIN and wait for it (IMMEDIATE, a 20 s timeout), in WAL mode."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import django
django.setup()
from django.db import connection, transaction
with transaction.atomic():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        # Inside an IMMEDIATE transaction this connection holds the write lock: a second connection cannot start one.
        import sqlite3
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            locked = False
        except sqlite3.OperationalError:
            locked = True
print(mode, connection.transaction_mode, locked)
"""


def test_the_demo_database_takes_the_write_lock_at_begin_in_wal_mode(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "omnichannel.settings",
    }
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert probe.stdout.split() == ["wal", "IMMEDIATE", "True"]
