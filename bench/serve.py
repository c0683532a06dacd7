"""Throughput under gunicorn: the app served as in production (``gunicorn -c gunicorn.conf.py
'coachapp:create_app()'``, ``COACHAPP_CONFIG=production``) on 127.0.0.1, and a bounded load
generator: Python threads, each with one keep-alive ``http.client`` connection, sharing a fixed
number of requests (and a time cap, so a slow page cannot hold the benchmark for ever)."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.load import BENCH_SECRET_KEY
from bench.pages import CSRF_INPUT, BenchError

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int
    workers: int
    threads: int
    log_path: str

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def production_env(url: str, port: int, workers: int | None) -> dict[str, str]:
    from coachapp import crypto

    env = dict(os.environ)
    env.update(
        {
            "COACHAPP_CONFIG": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": BENCH_SECRET_KEY,
            # the key the demo's notes were encrypted with (derived from the same secret)
            "ENCRYPTION_KEYS": crypto.derived_key(BENCH_SECRET_KEY),
            "SESSION_COOKIE_SECURE": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1",
            # One machine, no users: per-process rate limits are fine (gunicorn.conf.py refuses
            # them in production otherwise, and the benchmark needs no Redis).
            "ALLOW_PER_PROCESS_LIMITS": "1",
        }
    )
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


@contextmanager
def gunicorn(
    url: str,
    *,
    workers: int | None = None,
    timeout: float = 60,
    app: str = "coachapp:create_app()",
) -> Iterator[Server]:
    """gunicorn on a free local port with the production settings; stopped (SIGTERM to its
    master, by pid) on exit. ``app``: another factory, to try a change before making it."""
    import multiprocessing

    port = free_port()
    env = production_env(url, port, workers)
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in the finally below
        prefix="bench-gunicorn-", suffix=".log", delete=False
    )
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", app],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(
        "127.0.0.1",
        port,
        int(env.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count(), 8))),
        int(env.get("GUNICORN_THREADS", "4")),
        log.name,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise BenchError("gunicorn exited:\n" + server.log_tail())
            try:
                conn = http.client.HTTPConnection(server.host, port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError("gunicorn did not answer /healthz:\n" + server.log_tail())
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def sign_in_http(server: Server, email: str, password: str) -> str:
    """Sign in through the real form over HTTP; the ``Cookie`` header of the signed-in browser."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    conn.request("GET", "/auth/login")
    response = conn.getresponse()
    page = response.read().decode("utf-8", "replace")
    _cookies(response, jar)
    match = CSRF_INPUT.search(page)
    form = {"email": email, "password": password, "csrf_token": match.group(1) if match else ""}
    conn.request(
        "POST",
        "/auth/login",
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(jar),
        },
    )
    response = conn.getresponse()
    response.read()
    _cookies(response, jar)
    conn.close()
    if response.status != 302 or "/auth/login" in (response.getheader("Location") or ""):
        raise BenchError(f"sign-in over HTTP as {email} failed ({response.status})")
    return _cookie_header(jar)


@dataclass
class LoadResult:
    path: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    capped: bool = False  # stopped by the time cap before all requests were made
    first_error: str = ""

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float | None:
        return statistics.median(self.latencies_ms) if self.latencies_ms else None

    @property
    def p95_ms(self) -> float | None:
        if len(self.latencies_ms) < 20:
            return None
        return statistics.quantiles(self.latencies_ms, n=20)[-1]


def load(
    server: Server,
    path: str,
    *,
    requests: int,
    concurrency: int,
    cookie: str = "",
    max_seconds: float = 60.0,
) -> LoadResult:
    """``requests`` GETs of ``path`` by ``concurrency`` threads (keep-alive connections); a
    request that is not a 200 with a body, or fails, is an error. Stops early at ``max_seconds``."""
    result = LoadResult(path)
    lock = threading.Lock()
    remaining = [requests]
    deadline = time.monotonic() + max_seconds
    headers = {"Cookie": cookie} if cookie else {}

    def worker() -> None:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
        latencies = []
        done = errors = 0
        first_error = ""
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                if time.monotonic() > deadline:
                    result.capped = True
                    break
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and body
                if not ok and not first_error:
                    first_error = f"HTTP {response.status}"
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                ok = False
                first_error = first_error or f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
            done += 1
            errors += 0 if ok else 1
        conn.close()
        with lock:
            result.requests += done
            result.errors += errors
            result.latencies_ms.extend(latencies)
            result.first_error = result.first_error or first_error

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
