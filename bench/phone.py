"""Fast on a phone (issue 21): Lighthouse 12 at its mobile defaults (a mid-range phone on a slow
4G connection, simulated) on the main pages of the browser journeys, signed in, small demo.

The app runs as in production: gunicorn with the production settings (bench/serve.py) behind
nginx over HTTPS and HTTP/2 with the gzip settings of the README's nginx sample (read from the
README, so the bench measures what the guide tells people to deploy); a self-signed certificate
for 127.0.0.1, which Chromium is told to accept. Each role signs in once through the real form
(``http.client``, bench/serve.py) and Lighthouse sends that ``Cookie`` with every request
(``--extra-headers``). One Lighthouse run per page (each takes 10–30 s).

Lighthouse comes from npm, pinned by bench/lighthouse/package.json and package-lock.json, and
is installed by ``npm ci`` into bench/lighthouse/node_modules (ignored by git) when missing.
Chromium: ``CHROME_PATH``, else Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.pages import BenchError
from bench.serve import REPO, Server, free_port
from bench.tls import make_certificate

LIGHTHOUSE_DIR = Path(__file__).resolve().parent / "lighthouse"
LIGHTHOUSE_BIN = LIGHTHOUSE_DIR / "node_modules" / ".bin" / "lighthouse"
DEFAULT_CHROME = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices")
# Headless, as root in a container (no sandbox there), and the bench's own certificate.
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--ignore-certificate-errors")


@dataclass(frozen=True)
class PhonePage:
    """One page of a journey: its path and the role that visits it ("" for signed out)."""

    name: str
    path: str
    role: str


def journey_pages(client_id: int) -> list[PhonePage]:
    """The main pages the browser journeys visit (tests/browser: the screenshots' list and the
    journeys' first pages), ``client_id`` the demo coach's client for the client page."""
    return [
        PhonePage("sign-in", "/auth/login", ""),
        PhonePage("caseload", "/clients/", "coach"),
        PhonePage("client page", f"/clients/{client_id}", "coach"),
        PhonePage("log a session", f"/clients/{client_id}/sessions/new", "coach"),
        PhonePage("appointments today", "/appointments/today", "coach"),
        PhonePage("appointments week", "/appointments/week", "coach"),
        PhonePage("mutual-aid directory", "/resources/?model=any", "coach"),
        PhonePage("referral follow-ups", "/referrals/follow-ups", "coach"),
        PhonePage("supervisor dashboard", "/team/", "supervisor"),
        PhonePage("review queue", "/team/reviews", "supervisor"),
        PhonePage("report", "/reports/", "program_manager"),
        PhonePage("definitions", "/reports/definitions", "program_manager"),
        PhonePage("users", "/admin/users", "admin"),
    ]


@dataclass
class PhoneResult:
    page: PhonePage
    performance: float | None = None
    accessibility: float | None = None
    best_practices: float | None = None
    cls: float | None = None
    lcp_ms: float | None = None
    tbt_ms: float | None = None
    error: str = ""


def lighthouse_command(
    url: str,
    output: Path,
    *,
    cookie: str = "",
    chrome_path: str | None = None,
    lighthouse: Path = LIGHTHOUSE_BIN,
) -> list[str]:
    """The Lighthouse command for ``url``: mobile defaults (no ``--preset``, no throttling or
    form-factor flags), the three categories, JSON to ``output``, ``cookie`` sent as a header."""
    command = [
        str(lighthouse),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={output}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-path={chrome_path or os.environ.get('CHROME_PATH') or DEFAULT_CHROME}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    return command


def parse_report(page: PhonePage, report: dict) -> PhoneResult:
    """The scores (0–100) and the layout shift of a Lighthouse JSON report."""
    result = PhoneResult(page)
    if report.get("runtimeError"):
        result.error = report["runtimeError"].get("code", "runtime error")
    categories = report.get("categories", {})

    def score(key: str) -> float | None:
        value = categories.get(key, {}).get("score")
        return None if value is None else round(value * 100)

    result.performance = score("performance")
    result.accessibility = score("accessibility")
    result.best_practices = score("best-practices")
    audits = report.get("audits", {})

    def numeric(key: str) -> float | None:
        return audits.get(key, {}).get("numericValue")

    result.cls = numeric("cumulative-layout-shift")
    result.lcp_ms = numeric("largest-contentful-paint")
    result.tbt_ms = numeric("total-blocking-time")
    return result


def ensure_lighthouse() -> str:
    """ "" when Lighthouse can run, else why not; runs ``npm ci`` when it is not installed."""
    chrome = os.environ.get("CHROME_PATH") or DEFAULT_CHROME
    if not Path(chrome).exists():
        return f"no Chromium at {chrome} (set CHROME_PATH)"
    if shutil.which("nginx") is None:
        return "no nginx"
    if LIGHTHOUSE_BIN.exists():
        return ""
    if shutil.which("npm") is None:
        return "Lighthouse not installed and no npm"
    completed = subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund"],  # noqa: S607 - npm from PATH
        cwd=LIGHTHOUSE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0 or not LIGHTHOUSE_BIN.exists():
        return "npm ci failed: " + " ".join(completed.stderr.strip().splitlines()[-2:])
    return ""


# --- nginx in front, as in the README -------------------------------------------------------


def readme_gzip() -> list[str]:
    """The ``gzip`` lines of the README's nginx sample ("Running in production", step 6)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", text, flags=re.S)
    lines = [
        line.split("#")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip().startswith("gzip")
    ]
    if not lines:
        raise BenchError("README.md has no nginx sample with gzip lines")
    return lines


def nginx_config(prefix: Path, port: int, upstream: int, certificate: Path, key: Path) -> str:
    gzip = "\n        ".join(readme_gzip())
    temp = "\n    ".join(
        f"{kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    {temp}
    access_log off;
    server_tokens off;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate     {certificate};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        {gzip}
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_max_temp_file_size 0;
        }}
    }}
}}
"""


@contextmanager
def nginx_in_front(
    server: Server, *, probe: str = "/healthz", timeout: float = 20
) -> Iterator[str]:
    """nginx on a free local port in front of ``server``; yields its base URL (https) once
    ``probe`` answers 200 through it."""
    import http.client
    import ssl

    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    prefix.chmod(0o755)  # nginx's workers (another user when run as root) use its folders
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / kind).mkdir()
    certificate, key = make_certificate(prefix, "coachapp bench")
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(nginx_config(prefix, port, server.port, certificate, key))
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            shutil.which("nginx") or "nginx",
            "-p",
            str(prefix),
            "-c",
            str(config),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        context = ssl._create_unverified_context()  # noqa: S323 - our own certificate
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise BenchError("nginx exited: " + process.stderr.read().decode()[-500:])
            try:
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
                conn.request("GET", probe)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"nginx did not answer {probe}")
            time.sleep(0.2)
        yield f"https://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(prefix, ignore_errors=True)


# --- The run --------------------------------------------------------------------------------


def run_page(base: str, page: PhonePage, cookie: str, *, timeout: float = 180) -> PhoneResult:
    """One Lighthouse run of ``page``."""
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as folder:
        output = Path(folder) / "report.json"
        command = lighthouse_command(base + page.path, output, cookie=cookie)
        try:
            completed = subprocess.run(  # noqa: S603 - our own command
                command, capture_output=True, text=True, check=False, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return PhoneResult(page, error=f"timed out after {timeout:.0f} s")
        if not output.exists():
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-2:]
            return PhoneResult(page, error=f"exit {completed.returncode}: {' '.join(tail)}")
        report = json.loads(output.read_text(encoding="utf-8"))
    result = parse_report(page, report)
    final = report.get("finalDisplayedUrl") or report.get("finalUrl") or ""
    if page.role and "/auth/login" in final:
        result.error = "not signed in (the page sent Lighthouse to the sign-in form)"
    return result


def median_run(runs: list[PhoneResult]) -> PhoneResult:
    """The run with the median performance score (the lower middle of an even number); a
    failed run only when every run failed."""
    measured = sorted(
        (r for r in runs if not r.error and r.performance is not None),
        key=lambda r: r.performance,
    )
    if not measured:
        return runs[0]
    return measured[(len(measured) - 1) // 2]


def measure_phone(
    url: str, client_id: int, *, pages: list[PhonePage] | None = None, runs: int = 1
) -> dict:
    """Lighthouse on every journey page of the demo at ``url`` (the small demo): the app under
    gunicorn (production settings, 2 workers) behind nginx. ``runs`` per page, the median
    kept (Lighthouse's scores move with the host's load)."""
    from bench import serve
    from bench.pages import demo_email
    from coachapp.demo import DEMO_PASSWORD

    why_not = ensure_lighthouse()
    if why_not:
        return {"error": why_not}
    pages = pages if pages is not None else journey_pages(client_id)
    results = []
    with serve.gunicorn(url, workers=2) as server, nginx_in_front(server) as base:
        cookies = {
            role: serve.sign_in_http(server, demo_email(role), DEMO_PASSWORD)
            for role in sorted({p.role for p in pages if p.role})
        }
        for page in pages:
            tries = [run_page(base, page, cookies.get(page.role, "")) for _ in range(runs)]
            results.append(median_run(tries))
    return {"pages": results, "runs": runs}
