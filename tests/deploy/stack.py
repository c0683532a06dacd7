"""The deployment test's cluster machinery (tests/deploy/conftest.py holds the fixtures): the
settings, the gunicorn instances and nginx as child processes, PostgreSQL stopped and started by
the readiness test, the services the cluster needs from the machine, and the instances'
environment."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess  # noqa: S404 - the test runs gunicorn, flask and nginx
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.tls import make_certificate
from tests.deploy.web import TLS, Browser, trusting, wait_for

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SERVER_URL = os.environ.get("TEST_DATABASE_URL", "")
if not SERVER_URL.startswith("postgresql"):
    SERVER_URL = DEFAULT_SERVER_URL
REDIS_URL = os.environ.get("DEPLOY_REDIS_URL", "redis://127.0.0.1:6379/5")
NGINX = os.environ.get("NGINX_PATH") or shutil.which("nginx") or "/usr/sbin/nginx"
# The gunicorn of the interpreter running the tests (.venv in CI).
GUNICORN = Path(sys.executable).parent / "gunicorn"

LOCKOUT_FAILURES = 5
START_TIMEOUT = 30.0  # seconds for an instance or nginx to answer after starting
STOP_TIMEOUT = 30.0  # gunicorn's graceful_timeout is 20 s

# Settings the test decides; anything the caller's environment says about them is dropped.
_APP_SETTINGS = {
    "COACHAPP_CONFIG",
    "SECRET_KEY",
    "ENCRYPTION_KEYS",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "DB_POOL_SIZE",
    "DB_MAX_OVERFLOW",
    "RATELIMIT_STORAGE_URI",
    "REDIS_URL",
    "LOGIN_LOCKOUT_FAILURES",
    "LOGIN_LOCKOUT_MINUTES",
    "IDLE_TIMEOUT_MINUTES",
    "SESSION_MAX_HOURS",
    "ARGON2_TIME_COST",
    "ARGON2_MEMORY_KIB",
    "LOG_LEVEL",
    "LOG_JSON",
    "SESSION_COOKIE_SECURE",
    "FORWARDED_ALLOW_IPS",
    "PROXY_FIX_X_FOR",
    "API_RATE_LIMIT",
    "WEB_CONCURRENCY",
}


# -- the processes -----------------------------------------------------------------------------


def _stop_group(process: subprocess.Popen, sig: int, timeout: float) -> int | None:
    """Send ``sig`` to the process group led by ``process`` (started with
    ``start_new_session``); SIGKILL the group if it has not exited within ``timeout``."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    # Whatever the leader did, nothing of its group outlives the test.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    try:
        return process.wait(5)
    except subprocess.TimeoutExpired:
        return None


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return f"({path.name}: no file)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return f"--- {path.name} (last {min(lines, len(text))} lines)\n" + "\n".join(text[-lines:])


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (a gunicorn master's workers)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@dataclass
class Instance:
    """One gunicorn (master and workers) serving coachapp on 127.0.0.1:<port>."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def request_log(self) -> dict[str, dict]:
        """coachapp's JSON request lines from this instance's log, by request id."""
        lines = {}
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("logger") == "coachapp.request":
                lines[entry["request_id"]] = entry
        return lines


@dataclass
class Cluster:
    workdir: Path
    env: dict[str, str]
    a: Instance
    b: Instance
    nginx_port: int
    nginx: subprocess.Popen | None = None

    @property
    def instances(self) -> tuple[Instance, Instance]:
        return (self.a, self.b)

    def by_address(self, address: str) -> Instance:
        for instance in self.instances:
            if instance.address == address:
                return instance
        raise AssertionError(f"no instance at {address!r}")

    def flask(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "flask", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"flask {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    def start(self, *instances: Instance) -> None:
        """Start ``instances`` (side by side) and wait until each one's /readyz answers 200."""
        for instance in instances:
            assert not instance.running, f"{instance.name} is running already"
            log = instance.log.open("ab")
            try:
                instance.process = subprocess.Popen(  # noqa: S603
                    [str(GUNICORN), "-c", str(REPO / "gunicorn.conf.py"), "coachapp:create_app()"],
                    cwd=REPO,
                    env={**self.env, "GUNICORN_BIND": instance.address},
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            finally:
                log.close()
        for instance in instances:

            def ready(instance: Instance = instance) -> bool:
                if not instance.running:
                    raise AssertionError(f"{instance.name} exited:\n{_tail(instance.log)}")
                return Browser().get(instance.port, "/readyz").status == 200

            wait_for(ready, timeout=START_TIMEOUT, what=f"{instance.name} to be ready")

    def terminate(self, instance: Instance) -> None:
        """SIGTERM the gunicorn master only, as an operator would: a graceful stop."""
        assert instance.process is not None
        instance.process.send_signal(signal.SIGTERM)

    def wait_stopped(self, instance: Instance, timeout: float = STOP_TIMEOUT) -> int:
        assert instance.process is not None
        try:
            return instance.process.wait(timeout)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"{instance.name} did not stop within {timeout:.0f} s") from exc

    @property
    def url(self) -> str:
        """nginx's address, as a browser reaches it."""
        return f"https://127.0.0.1:{self.nginx_port}"

    def start_nginx(self) -> None:
        prefix = self.workdir / "nginx"
        prefix.mkdir()
        certificate, key = make_certificate(prefix, "coachapp deploy test")
        TLS[self.nginx_port] = trusting(certificate)
        text = (HERE / "nginx.conf.template").read_text()
        for key_name, value in {
            "PREFIX": str(prefix),
            "PORT": str(self.nginx_port),
            "PORT_A": str(self.a.port),
            "PORT_B": str(self.b.port),
            "CERTIFICATE": str(certificate),
            "KEY": str(key),
        }.items():
            text = text.replace(f"@@{key_name}@@", value)
        assert "@@" not in text, "a placeholder of nginx.conf.template was not filled in"
        conf = prefix / "nginx.conf"
        conf.write_text(text)
        command = [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
        check = subprocess.run(  # noqa: S603
            [*command, "-t", "-q"], capture_output=True, text=True, timeout=30, check=False
        )
        assert check.returncode == 0, f"nginx -t:\n{check.stderr}"
        output = (self.workdir / "nginx.out").open("ab")
        try:
            self.nginx = subprocess.Popen(  # noqa: S603
                [*command, "-g", "daemon off;"],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            output.close()

        def up() -> bool:
            if self.nginx.poll() is not None:
                raise AssertionError(f"nginx exited:\n{_tail(prefix / 'error.log')}")
            return Browser().get(self.nginx_port, "/healthz").status == 200

        wait_for(up, timeout=START_TIMEOUT, what="nginx to answer")

    def stop_all(self) -> None:
        if self.nginx is not None:
            _stop_group(self.nginx, signal.SIGQUIT, 10)
        TLS.pop(self.nginx_port, None)
        running = [i.process for i in self.instances if i.process and i.process.poll() is None]
        for process in running:  # both drain at once
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for instance in self.instances:
            if instance.process is not None:
                _stop_group(instance.process, signal.SIGTERM, STOP_TIMEOUT)

    def log_tails(self) -> str:
        paths = [self.a.log, self.b.log, self.workdir / "nginx" / "error.log"]
        paths.append(self.workdir / "nginx" / "access.log")
        return "\n".join(_tail(path) for path in paths)


# -- PostgreSQL, stopped and started by the readiness test -----------------------------------


class PostgresControl:
    """Stops and starts the local PostgreSQL cluster with pg_ctlcluster (Debian), keeping the
    outage short: a CHECKPOINT first (so the shutdown has little to write), a fast stop, and a
    start that waits for a shutdown still in progress instead of giving up."""

    def __init__(self) -> None:
        self.stopped_by_us = False
        self.down_since: float | None = None
        self.outage: float | None = None  # seconds from the stop request to accepting again

    @staticmethod
    def _ctl(*action: str) -> subprocess.CompletedProcess:
        tool = shutil.which("pg_ctlcluster")
        versions = sorted(p.name for p in Path("/etc/postgresql").glob("*")) if tool else []
        if not tool or not versions:
            raise AssertionError(
                "the readiness test stops the local PostgreSQL with pg_ctlcluster "
                "(Debian postgresql-common) and found none"
            )
        command = [tool, "--skip-systemctl-redirect", versions[0], "main", *action]
        return subprocess.run(  # noqa: S603
            command, capture_output=True, text=True, timeout=120, check=False
        )

    def stop(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("CHECKPOINT"))
        finally:
            engine.dispose()
        self.stopped_by_us = True
        self.down_since = time.monotonic()
        result = self._ctl("stop", "-m", "fast")
        # pg_ctl gives up waiting after 60 s while the shutdown checkpoint is still writing (a
        # busy shared server): the server refuses connections meanwhile, so it is down enough.
        assert result.returncode == 0 or not self.is_ready(), (
            f"pg_ctlcluster stop: {result.stdout}{result.stderr}"
        )

    def start(self, timeout: float = 180) -> None:
        """Start PostgreSQL and wait until it accepts connections. "Already running" while it
        does not accept them is a shutdown still writing: wait for it to end, then start."""
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            result = self._ctl("start")
            if result.returncode == 0:
                wait_for(self.is_ready, timeout=30, interval=0.2, what="PostgreSQL to start")
                break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"PostgreSQL did not start in {timeout:.0f} s: {result.stdout}{result.stderr}"
                )
            time.sleep(0.5)
        self.stopped_by_us = False
        if self.down_since is not None:
            self.outage, self.down_since = time.monotonic() - self.down_since, None

    @staticmethod
    def is_ready() -> bool:
        tool = shutil.which("pg_isready")
        if tool:
            from sqlalchemy.engine import make_url

            url = make_url(SERVER_URL)
            command = [tool, "-q", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
            return subprocess.run(command, timeout=10, check=False).returncode == 0  # noqa: S603
        return _postgres_problem() is None

    def ensure_running(self) -> None:
        if self.stopped_by_us:
            self.start()


# -- what the cluster needs from the machine -------------------------------------------------


def _postgres_problem() -> str | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(SERVER_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        engine.dispose()
    return None


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3, socket_timeout=5)


def _require_services() -> None:
    if not (os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)):
        pytest.skip("nginx is not installed (Debian: apt-get install -y nginx)")
    problem = _postgres_problem()
    if problem:
        pytest.skip(f"PostgreSQL is not reachable at {SERVER_URL}: {problem}")
    try:
        _redis().ping()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    if not GUNICORN.exists():
        pytest.fail(f"gunicorn is not installed next to {sys.executable} (pip install -e .)")


def _app_env(database_url: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _APP_SETTINGS and not key.startswith(("GUNICORN_", "FLASK_", "PYTEST_"))
    }
    env.update(
        {
            "FLASK_APP": "coachapp",
            "PYTHONUNBUFFERED": "1",
            "COACHAPP_CONFIG": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode("ascii"),
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "DB_POOL_SIZE": "2",
            "DB_MAX_OVERFLOW": "2",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "4",
            "LOGIN_LOCKOUT_FAILURES": str(LOCKOUT_FAILURES),
            "LOGIN_LOCKOUT_MINUTES": "15",
            # nginx (on 127.0.0.1) is the one proxy in front: the client's address is the last
            # X-Forwarded-For entry, the one nginx appends, and the scheme (https) is the one of
            # X-Forwarded-Proto. Cookies are Secure (production's default).
            "PROXY_FIX_X_FOR": "1",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
        }
    )
    return env
