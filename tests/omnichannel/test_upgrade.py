"""The database the last commit before issue 26 (orders/ by aggregate) leaves after `seed_demo`, migrated by this
tree's code, keeps every order, line, parcel, payment, reservation, return and case as it was."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEFORE_THE_SPLIT = "7a3d8c1"


def test_the_demo_database_of_the_commit_before_the_split_upgrades_intact():
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}  # its own throwaway cluster
    run = subprocess.run(
        ["bash", "scripts/check-upgrade.sh", BEFORE_THE_SPLIT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"upgrade from {BEFORE_THE_SPLIT}: " in run.stdout and " 0 differences" in run.stdout
    rows = int(run.stdout.split(f"upgrade from {BEFORE_THE_SPLIT}: ")[1].split(" rows")[0])
    assert rows > 1000  # the demo's orders, reservations, returns and cases, not an empty database
