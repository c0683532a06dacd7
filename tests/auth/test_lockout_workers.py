"""The lockout holds across gunicorn's workers, and production refuses per-process rate limits.

- gunicorn as `make serve` runs it (``-c gunicorn.conf.py``, 4 workers), in the development
  configuration without Redis, on a database file (or a scratch PostgreSQL database): ten
  failed sign-ins for one account, each on a fresh connection (so any worker may answer), then
  the right password is refused with the lockout message. With failures counted in each
  worker's memory, no worker saw ten and the eleventh attempt got in.
- ``gunicorn --check-config`` with ``COACHAPP_CONFIG=production``: several workers and
  ``memory://`` rate limits exit non-zero naming ``REDIS_URL``; with ``REDIS_URL`` or one
  worker the configuration is accepted.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess  # nosec B404 - runs the project's own gunicorn and flask
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.helpers import REPO, create_scratch_database, drop_scratch_database, on_postgres

BIN = Path(sys.executable).parent
EMAIL = "lockout.admin@example.org"
PASSWORD = "a long and proper passphrase for the lockout test"  # noqa: S105  # nosec B105
WORKERS = 4
LOCKOUT_FAILURES = 10  # config.py's default, left as it is
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
LOCKED = "Too many failed attempts with this email"
# Settings of the environment running the tests that would change what is served here.
CLEARED = (
    "COACHAPP_CONFIG",
    "REDIS_URL",
    "RATELIMIT_STORAGE_URI",
    "LOGIN_LOCKOUT_FAILURES",
    "LOGIN_LOCKOUT_MINUTES",
    "ALLOW_PER_PROCESS_LIMITS",
    "DATABASE_URL",
    "SECRET_KEY",
    "ENCRYPTION_KEYS",
    "WEB_CONCURRENCY",
    "GUNICORN_CMD_ARGS",
    "PROXY_FIX_X_FOR",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(FLASK_APP="coachapp", PYTHONUNBUFFERED="1", **settings)
    return env


@pytest.fixture
def database_url(tmp_path):
    if on_postgres():
        url = create_scratch_database("coachapp_lockout")
        yield url
        drop_scratch_database(url)
    else:
        yield f"sqlite:///{tmp_path / 'lockout.sqlite3'}"


@pytest.fixture
def server(database_url, tmp_path):
    """(host, port, master pid) of gunicorn with 4 workers on a migrated database holding one
    admin; the whole process group is killed afterwards, whatever happened."""
    port = free_port()
    env = base_env(
        DATABASE_URL=database_url,
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS="2",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        # Cheap hashing keeps eleven sign-ins fast; it changes nothing about the lockout.
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_KIB="1024",
    )
    _migrate_and_add_the_admin(database_url)
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603  # nosec B603 - fixed arguments
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "coachapp:create_app()"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: master and workers end together
        )
    try:
        _wait_until_every_worker_serves(process, port, log_path)
        yield "127.0.0.1", port, process.pid
    finally:
        _kill_group(process)


def _migrate_and_add_the_admin(url: str) -> None:
    """``flask db upgrade`` and ``flask users create``, run in this process (the commands
    themselves, without starting an interpreter for each) on the server's database."""
    from coachapp import create_app
    from coachapp.extensions import db
    from tests.helpers import make_test_config

    app = create_app(make_test_config(url))
    runner = app.test_cli_runner()
    with app.app_context():
        for args in (
            ["db", "upgrade"],
            ["users", "create", "--email", EMAIL, "--role", "admin", "--password", PASSWORD],
        ):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, (args, result.output, result.exception)
        db.session.remove()
        db.engine.dispose()


def workers_of(master: int) -> list[int]:
    """The pids of gunicorn's workers: the children of its master (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # "pid (name) state ppid ...": the name may hold spaces, the rest never does.
            if int(stat.read_text().rpartition(")")[2].split()[1]) == master:
                found.append(int(stat.parent.name))
    return found


def _app_loaded(pid: int) -> bool:
    # A worker has imported the app (gunicorn.conf.py does not preload it) once the password
    # hashing library, which the app imports and gunicorn does not, is mapped.
    with contextlib.suppress(OSError):
        return "_argon2_cffi_bindings" in Path(f"/proc/{pid}/maps").read_text()
    return False


def _wait_until_every_worker_serves(process, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("gunicorn exited:\n" + log_path.read_text(errors="replace"))
        workers = workers_of(process.pid)
        if len(workers) == WORKERS and all(_app_loaded(pid) for pid in workers):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
        time.sleep(0.1)
    pytest.fail("gunicorn's workers did not all start:\n" + log_path.read_text(errors="replace"))


def workers_with_a_database_connection(master: int, database_url: str) -> set[int]:
    """The workers holding a connection to the database (the pool keeps it after a request
    that used it): the SQLite file open, or a TCP socket to PostgreSQL's port."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    pg_sockets: set[str] = set()
    if url.get_backend_name() == "postgresql":
        port = f"{url.port or 5432:04X}"
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with contextlib.suppress(OSError):
                for line in Path(table).read_text().splitlines()[1:]:
                    fields = line.split()
                    if fields[2].endswith(":" + port):
                        pg_sockets.add(f"socket:[{fields[9]}]")
    found = set()
    for pid in workers_of(master):
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    target = os.readlink(fd)
                    if target in pg_sockets or (url.database and target == url.database):
                        found.add(pid)
    return found


def _kill_group(process: subprocess.Popen) -> None:
    # SIGKILL to the group: the master and every worker end at once (a graceful stop takes
    # seconds, and nothing here needs one).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def sign_in(host: str, port: int, password: str) -> tuple[int, str]:
    """The login form read and posted, each on a new connection; (status, page)."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/auth/login")
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    conn.close()
    cookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        cookie.load(header)
    match = CSRF_INPUT.search(page)
    assert match, "no CSRF token in the sign-in form"
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request(
        "POST",
        "/auth/login",
        body=urlencode({"email": EMAIL, "password": password, "csrf_token": match.group(1)}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={m.value}" for k, m in cookie.items()),
        },
    )
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, body


def test_eleventh_sign_in_is_refused_across_four_workers_without_redis(server, database_url):
    host, port, master = server
    for attempt in range(LOCKOUT_FAILURES):
        status, page = sign_in(host, port, "not the right password")
        assert status == 200, (attempt, status)
        assert "Email or password is not right" in page, attempt
    status, page = sign_in(host, port, PASSWORD)
    assert status == 200, "the right password got in after ten failures"
    assert LOCKED in page
    # The attempts really were answered by several processes (not all by one worker).
    assert len(workers_with_a_database_connection(master, database_url)) >= 2


# --- Production refuses per-process rate limits with several workers ---------------------


def check_config(**settings: str) -> subprocess.CompletedProcess:
    from cryptography.fernet import Fernet

    env = base_env(
        COACHAPP_CONFIG="production",
        SECRET_KEY="x" * 48,
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL="sqlite:////nonexistent/never-opened.sqlite3",  # not opened to start
        **settings,
    )
    return subprocess.run(  # noqa: S603  # nosec B603 - fixed arguments
        [
            str(BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "--check-config",
            "coachapp:create_app()",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("storage", [{}, {"RATELIMIT_STORAGE_URI": "memory://"}])
def test_production_refuses_several_workers_with_per_process_limits(storage):
    result = check_config(WEB_CONCURRENCY="4", **storage)
    assert result.returncode != 0
    assert "refusing to start 4 workers with per-process rate limits" in result.stderr
    assert "Set REDIS_URL" in result.stderr


def test_production_starts_with_redis_and_several_workers():
    result = check_config(
        WEB_CONCURRENCY="4", REDIS_URL="redis://127.0.0.1:1/0"
    )  # not contacted to start
    assert result.returncode == 0, result.stderr
    assert "refusing" not in result.stderr


@pytest.mark.parametrize(
    "settings",
    [
        {"WEB_CONCURRENCY": "4", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"},
        {"WEB_CONCURRENCY": "1"},
        {"WEB_CONCURRENCY": "4", "COACHAPP_CONFIG": "development"},
    ],
    ids=["storage-uri", "one-worker", "development"],
)
def test_gunicorn_conf_accepts_shared_limits_one_worker_or_development(settings):
    """gunicorn.conf.py read in a fresh interpreter, as gunicorn reads it (faster than loading
    the app each time, which the test above does once)."""
    env = base_env(COACHAPP_CONFIG="production")
    env.update(settings)
    result = subprocess.run(  # noqa: S603  # nosec B603 - fixed arguments
        [
            sys.executable,
            "-c",
            "import runpy; print(runpy.run_path('gunicorn.conf.py')['workers'])",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == settings["WEB_CONCURRENCY"]
