"""The deployment test's cluster: two gunicorn instances of coachapp in production mode on
127.0.0.1, sharing one PostgreSQL database and one Redis database, behind nginx as a round-robin
load balancer serving HTTPS, as in production (secure cookies, Flask-WTF's Referer check on form
posts), with a self-signed certificate the test makes for 127.0.0.1. Everything runs as a child
process of the test, in its own process group, with its files in a temporary directory, and is
stopped at the end.

Needs the ``nginx`` binary (Debian package ``nginx``; it is run as an ordinary process, never as
the system service), PostgreSQL at ``TEST_DATABASE_URL`` (default: the CI server, user
``postgres`` on 127.0.0.1:5432; a database of its own is created and dropped), and Redis at
``DEPLOY_REDIS_URL`` (default ``redis://127.0.0.1:6379/5``, emptied at the start and the end).
Skipped, with the reason, when one of the three is missing.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import http.client
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess  # noqa: S404 - the test runs gunicorn, flask and nginx
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TypeVar
from unittest import mock
from urllib.parse import urlencode, urlsplit

import pytest

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

T = TypeVar("T")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "deploy: starts gunicorn, nginx and stops PostgreSQL (tests/deploy)"
    )


def _asked_for(config: pytest.Config) -> bool:
    """Whether this run names tests/deploy (or a file in it) or selects ``-m deploy``."""
    if (config.option.markexpr or "").strip() == "deploy":
        return True
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The deployment test runs only when asked for (``pytest tests/deploy``): it stops the
    shared PostgreSQL for a few seconds, which a whole-suite run must not suffer. Elsewhere its
    tests are deselected (not skipped)."""
    if _asked_for(config):
        return
    mine = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    if mine:
        config.hook.pytest_deselected(items=mine)
        items[:] = [item for item in items if item not in mine]


# -- waiting, with a bound on time ---------------------------------------------------------------


def wait_for(
    probe: Callable[[], T | None], *, timeout: float, interval: float = 0.1, what: str
) -> T:
    """Call ``probe`` until it returns something other than None or False; fail after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            result = probe()
            if result is not None and result is not False:
                return result
        except (OSError, http.client.HTTPException) as exc:
            last_error = exc
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- TLS: the test's own certificate ---------------------------------------------------------

# Ports served over HTTPS (nginx's), with a context that trusts the test's certificate; the
# instances themselves speak plain HTTP on loopback, behind nginx.
TLS: dict[int, ssl.SSLContext] = {}


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day, and its key:
    ``(certificate, key)``, files only their owner can read, in ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "coachapp deploy test")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    files = {cert_path: certificate.public_bytes(serialization.Encoding.PEM), key_path: key_pem}
    for path, data in files.items():
        # Created 0600, never readable by anyone else even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    return cert_path, key_path


def trusting(certificate: Path) -> ssl.SSLContext:
    """A client context that trusts ``certificate`` only, and checks the host name (here the
    address 127.0.0.1) against it."""
    return ssl.create_default_context(cafile=str(certificate))


# -- a small HTTP client: its own cookies, no redirects followed, every call bounded ------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str
    request_id: str
    set_cookies: list[str] = field(default_factory=list)  # the Set-Cookie headers, as sent

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    @property
    def upstream(self) -> str:
        """The instance that answered (nginx's X-Upstream; the last one when it retried)."""
        return self.headers.get("x-upstream", "").split(",")[-1].strip()

    @property
    def retried(self) -> bool:
        return "," in self.headers.get("x-upstream", "")


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Browser:
    """A cookie jar and a way to send requests to 127.0.0.1:<port>: HTTPS to nginx's port
    (``TLS``), HTTP to an instance's. Cookies ignore the port and the scheme (a Secure cookie
    set through nginx is sent to an instance too), so a browser signed in through nginx is
    signed in on each instance too.

    A form is posted as a browser posts it from the page it last showed (``page_url``): with
    that page's Origin, and its address as Referer when it is of the same origin as the form's
    target (``Referrer-Policy: same-origin``).

    ``source``: the loopback address the browser connects from (another 127.x.y.z is another
    client machine, as far as nginx can tell); ``headers``: sent with every request, over
    anything else (None: that header is never sent)."""

    cookies: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    headers: dict[str, str | None] = field(default_factory=dict)
    page_url: str | None = None

    def copy(self) -> Browser:
        return copy.deepcopy(self)

    def request(
        self, port: int, method: str, path: str, form: dict[str, str] | None = None
    ) -> Response:
        request_id = uuid.uuid4().hex
        context = TLS.get(port)
        url = f"{'https' if context else 'http'}://127.0.0.1:{port}{path}"
        headers: dict[str, str | None]
        headers = {"X-Request-ID": request_id, "Connection": "close", "User-Agent": "deploy-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if self.page_url:
                headers["Origin"] = origin(self.page_url)
                if origin(self.page_url) == origin(url):
                    headers["Referer"] = self.page_url
        headers.update(self.headers)
        source = (self.source, 0) if self.source else None
        if context:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", port, timeout=20, source_address=source, context=context
            )
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20, source_address=source)
        try:
            sent = {k: v for k, v in headers.items() if v is not None}
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", errors="replace")
            set_cookies = raw.headers.get_all("Set-Cookie") or []
            for value in set_cookies:
                self._store(value)
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            if raw.status == 200 and response_headers.get("content-type", "").startswith(
                "text/html"
            ):
                self.page_url = url
            return Response(raw.status, response_headers, text, request_id, set_cookies)
        finally:
            conn.close()

    def _store(self, set_cookie: str) -> None:
        jar = SimpleCookie()
        jar.load(set_cookie)
        for name, morsel in jar.items():
            if morsel["max-age"] == "0" or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, port: int, path: str) -> Response:
        return self.request(port, "GET", path)

    def post(self, port: int, path: str, form: dict[str, str]) -> Response:
        return self.request(port, "POST", path, form)


class FormFields(HTMLParser):
    """The values a browser would submit from a page's inputs and selects (first occurrence of
    each name; unchecked boxes left out; a select's selected option, else its first)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                return
            self.values.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select, self._select_first = name, None
        elif tag == "option" and self._select:
            if self._select_first is None:
                self._select_first = a.get("value", "")
            if "selected" in a:
                self.values.setdefault(self._select, a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if self._select_first is not None:
                self.values.setdefault(self._select, self._select_first)
            self._select = None


def form_fields(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.values


def sign_in(browser: Browser, port: int, email: str, password: str) -> Response:
    """GET the sign-in form (for its CSRF token and the session cookie), then POST it."""
    page = browser.get(port, "/auth/login")
    assert page.status == 200, f"GET /auth/login: {page.status}"
    token = form_fields(page.text).get("csrf_token")
    assert token, "no csrf_token on the sign-in page"
    return browser.post(
        port, "/auth/login", {"email": email, "password": password, "csrf_token": token}
    )


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
        certificate, key = make_certificate(prefix)
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


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_run_at_a_time() -> Iterator[None]:
    """Two runs of this test on one machine would share the Redis database and stop each
    other's PostgreSQL: the second waits for the first (a lock file in the temp directory)."""
    path = Path(tempfile.gettempdir()) / "coachapp-deploy-test.lock"
    with path.open("a") as lock:
        if not _try_lock(lock.fileno()):
            print(f"\nwaiting for another run of the deployment test ({path})")
        wait_for(
            lambda: _try_lock(lock.fileno()),
            timeout=300,
            interval=1,
            what=f"another run of the deployment test to finish ({path})",
        )
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@pytest.fixture(scope="module")
def postgres_control(one_run_at_a_time: None) -> Iterator[PostgresControl]:
    control = PostgresControl()
    yield control
    control.ensure_running()  # whatever happened, PostgreSQL is left running


@pytest.fixture(scope="module")
def cluster(postgres_control: PostgresControl) -> Iterator[Cluster]:
    """Two instances (a, b) on one fresh PostgreSQL database and one Redis database, the small
    demo program loaded, and nginx in front; all stopped, dropped and emptied afterwards."""
    _require_services()
    from tests import helpers as base

    redis_db = _redis()
    redis_db.flushdb()
    created = time.monotonic()
    with mock.patch.object(base, "SERVER_URL", SERVER_URL):
        database_url = base.create_scratch_database("coachapp_deploy")
    created = time.monotonic() - created
    workdir = Path(tempfile.mkdtemp(prefix="coachapp-deploy-"))
    workdir.chmod(0o755)  # nginx's workers (user nobody) reach their temp directories
    ports = [free_port() for _ in range(3)]
    while len(set(ports)) < 3:
        ports = [free_port() for _ in range(3)]
    cluster = Cluster(
        workdir=workdir,
        env=_app_env(database_url),
        a=Instance("instance a", ports[0], workdir / "a.log"),
        b=Instance("instance b", ports[1], workdir / "b.log"),
        nginx_port=ports[2],
    )
    try:
        started = time.monotonic()
        cluster.flask("db", "upgrade")
        cluster.flask("demo-data", "--scale", "small")
        migrated = time.monotonic()
        cluster.start(*cluster.instances)
        cluster.start_nginx()
        print(
            f"\ndeploy cluster: database created in {created:.1f} s, migrated and loaded in "
            f"{migrated - started:.1f} s, instances and nginx up in "
            f"{time.monotonic() - migrated:.1f} s"
        )
        yield cluster
    finally:
        cluster.stop_all()
        postgres_control.ensure_running()
        with mock.patch.object(base, "SERVER_URL", SERVER_URL):
            base.drop_scratch_database(database_url)
        redis_db.flushdb()
        redis_db.close()
        if os.environ.get("DEPLOY_KEEP_FILES") != "1":
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def chromium():
    """Debian's Chromium driven by Playwright for Python, launched as tests/browser does."""
    from tests.browser.conftest import launched_chromium

    with launched_chromium() as browser:
        yield browser


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed deployment test carries the instances' and nginx's logs in its report."""
    outcome = yield
    report = outcome.get_result()
    cluster = getattr(item, "funcargs", {}).get("cluster")
    if report.failed and isinstance(cluster, Cluster):
        report.sections.append(("deploy logs", cluster.log_tails()))
