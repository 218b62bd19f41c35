"""The fleet's real servers, started by the tests themselves on free ports in a temporary folder of their own: a
PostgreSQL primary with a streaming replica (pg_basebackup), redis-server, gunicorn nodes, qclusters. Each is stopped
by whoever started it; nothing here looks at processes or ports it did not start."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, *, seconds: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = check()
            if result:
                return result
        except Exception:  # not up yet
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {seconds} s")
        time.sleep(every)


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("PostgreSQL's server binaries are missing: `make test` installs Debian's postgresql")
    return found[-1].parent


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root: as root, run it as the postgres user (scripts/with-postgres.sh creates it).
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class PostgresServer:
    data: Path
    port: int
    log: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*_as_postgres(), *args], capture_output=True, text=True, check=check)

    durable: bool = False  # fsync and synchronous commit on, as in production (benchmarks); off for the tests

    def start(self, *options: str) -> None:
        durability = "" if self.durable else "-c fsync=off -c synchronous_commit=off "
        opts = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 {durability}" + " ".join(options)
        result = self.run(
            str(pg_bin() / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            opts,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"PostgreSQL did not start: {result.stderr}\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.run(str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def sql(self, statement: str, *, database: str = "postgres") -> str:
        result = self.run(
            str(pg_bin() / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-AtX",
            "-c",
            statement,
        )
        return result.stdout.strip()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@dataclass
class Fleet:
    """A primary, its streaming replica, a Redis, and what the tests started on them."""

    folder: Path
    primary: PostgresServer
    replica: PostgresServer
    redis_port: int
    redis: subprocess.Popen
    database: str = "oms"
    processes: list[subprocess.Popen] = field(default_factory=list)
    seeded: dict = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        """The settings every node and worker of the fleet runs with."""
        env = {
            **os.environ,
            "DATABASE_URL": self.primary.url(self.database),
            "DATABASE_REPLICA_URL": self.replica.url(self.database),
            # Cache and queue in separate Redis databases: an evicting cache never drops a queued task.
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "Q_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "SECRET_KEY": "fleet-test-secret",
            "DEBUG": "false",
            "Q_SYNC": "false",
            "LOG_LEVEL": "INFO",
        }
        env.update(extra)
        return env

    def manage(self, *args: str, env: dict | None = None) -> str:
        result = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=env or self.env(Q_SYNC="true"), capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
        return result.stdout

    def start(self, args: list[str], *, name: str, env: dict) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def start_node(self, *, workers: int = 1, **extra: str) -> "Node":
        port = free_port()
        process = self.start(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "omnichannel.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--graceful-timeout",
                "2",
                "--log-level",
                "warning",
            ],
            name=f"node-{port}",
            env=self.env(**extra),
        )
        node = Node(f"http://127.0.0.1:{port}", process, f"node-{port}")
        wait_for(lambda: node.get("/healthz")[0] == 200, seconds=30, what="web node")
        return node

    def start_cluster(self, name: str, **extra: str) -> subprocess.Popen:
        return self.start([PYTHON, "manage.py", "qcluster"], name=f"cluster-{name}", env=self.env(**extra))

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop_redis(self) -> None:
        self.redis.terminate()
        self.redis.wait(timeout=10)

    def start_redis(self) -> None:
        self.redis = start_redis_server(self.folder, self.redis_port)

    def close(self) -> None:
        for process in self.processes:
            stop_process(process)
        stop_process(self.redis)
        self.replica.stop()
        self.primary.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)


@dataclass
class Node:
    base: str
    process: subprocess.Popen
    log_name: str

    def request(self, method: str, path: str, *, key: str = "", body: dict | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = f"Api-Key {key}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw.startswith(b"{") else {"raw": raw[:200].decode()}

    def get(self, path: str, *, key: str = "") -> tuple[int, dict]:
        return self.request("GET", path, key=key)


def start_redis_server(folder: Path, port: int) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is missing: `make test` installs Debian's redis-server")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--maxmemory-policy", "noeviction"],
        stdout=open(folder / "redis.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True, seconds=10, what="redis")
    return process


def start_fleet(*, durable: bool = False) -> Fleet:
    """A primary with the project migrated, its streaming replica, and a Redis: about 10 s."""
    folder = Path(tempfile.mkdtemp(prefix="oms-fleet-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    primary = PostgresServer(folder / "primary", free_port(), folder / "primary.log", durable)
    replica = PostgresServer(folder / "replica", free_port(), folder / "replica.log", durable)
    primary.run(str(pg_bin() / "initdb"), "-D", str(primary.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                "--locale=C.UTF-8", "-N")  # fmt: skip
    primary.start("-c wal_level=replica -c max_wal_senders=5")
    primary.sql("CREATE DATABASE oms")
    redis_port = free_port()
    fleet = Fleet(folder, primary, replica, redis_port, start_redis_server(folder, redis_port))
    try:
        fleet.manage("migrate", "--no-input")
        # The replica starts from a base backup of the migrated primary and streams from it (-R writes the
        # connection to the primary and standby.signal).
        primary.run(str(pg_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                    "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        replica.start()
        wait_for(lambda: replica.sql("SELECT pg_is_in_recovery()") == "t", seconds=30, what="replica")
        wait_for(
            lambda: primary.sql("SELECT state FROM pg_stat_replication") == "streaming", seconds=30, what="streaming"
        )
    except BaseException:
        fleet.close()
        raise
    return fleet
