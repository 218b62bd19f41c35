import json

import pytest

from tests.fleet.servers import PYTHON, ROOT, start_fleet


@pytest.fixture(scope="session")
def fleet():
    """A primary with its streaming replica and a Redis, the project migrated and a small shop seeded: started for
    these tests even when DATABASE_URL names another server (the suite's database is not replicated)."""
    import subprocess

    fleet = start_fleet()
    try:
        seeded = subprocess.run(
            [PYTHON, "-m", "tests.fleet.seed"], cwd=ROOT, env=fleet.env(Q_SYNC="true"), capture_output=True, text=True
        )
        assert seeded.returncode == 0, seeded.stderr[-3000:]
        fleet.seeded = json.loads(seeded.stdout.strip().splitlines()[-1])
        yield fleet
    finally:
        fleet.close()


@pytest.fixture(scope="session")
def nodes(fleet):
    """Two web nodes on the fleet: a shared per-key limit of 40 a minute, a replica allowed 3 s behind,
    read-your-writes for 3 s."""
    settings = {"API_RATE_PER_KEY": "40/minute", "REPLICA_MAX_LAG_SECONDS": "3", "READ_YOUR_WRITES_SECONDS": "3"}
    return fleet.start_node(**settings), fleet.start_node(**settings)
