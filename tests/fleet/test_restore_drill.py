"""The restore drill of docs/deployment.md, run for real: a base backup (pg_basebackup) plus archived WAL bring the
database back to the moment before a mistake (point-in-time recovery), on a new data folder."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.fleet.servers import PostgresServer, free_port, pg_bin, wait_for

pytestmark = pytest.mark.fleet


def test_point_in_time_recovery_brings_back_the_minute_before_the_mistake():
    folder = Path(tempfile.mkdtemp(prefix="oms-drill-"))
    archive = folder / "wal-archive"
    primary = PostgresServer(folder / "primary", free_port(), folder / "primary.log")
    restored = PostgresServer(folder / "restored", free_port(), folder / "restored.log")
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
        primary.run(str(pg_bin() / "initdb"), "-D", str(primary.data), "-U", "postgres", "-A", "trust", "-N")
        primary.run("mkdir", str(archive))
        # Every finished WAL segment is copied to the archive (in production: pgBackRest or another host).
        primary.start(f"-c wal_level=replica -c archive_mode=on -c archive_command='cp %p {archive}/%f'")
        primary.sql("CREATE DATABASE oms")
        primary.sql("CREATE TABLE sales (what text); INSERT INTO sales VALUES ('before the backup')", database="oms")
        primary.run(str(pg_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                    "-D", str(folder / "base"), "-X", "stream", "-c", "fast")  # fmt: skip
        primary.sql("INSERT INTO sales VALUES ('after the backup')", database="oms")
        target = primary.sql("SELECT clock_timestamp()")  # the moment to go back to
        primary.sql("DROP TABLE sales", database="oms")  # the mistake
        primary.sql("SELECT pg_switch_wal()")  # close the segment so it is archived
        wait_for(lambda: primary.sql("SELECT last_archived_wal IS NOT NULL FROM pg_stat_archiver") == "t",
                 seconds=20, what="WAL archived")  # fmt: skip
        primary.stop()  # the primary is lost

        # Restore: the base backup in a new folder, the archive's WAL replayed up to the target, then promoted.
        primary.run("cp", "-a", str(folder / "base"), str(restored.data))
        primary.run(
            "sh",
            "-c",
            f"""cat >> {restored.data}/postgresql.auto.conf <<'CONF'
restore_command = 'cp {archive}/%f %p'
recovery_target_time = '{target}'
recovery_target_action = 'promote'
CONF
touch {restored.data}/recovery.signal""",
        )
        restored.start()
        wait_for(lambda: restored.sql("SELECT pg_is_in_recovery()") == "f", seconds=60, what="recovery")
        rows = restored.sql("SELECT what FROM sales ORDER BY what", database="oms")
        assert rows.splitlines() == ["after the backup", "before the backup"]
    finally:
        restored.stop()
        primary.stop()
        shutil.rmtree(folder, ignore_errors=True)
