"""Two coachapp instances behind nginx (issue 10): what one instance did, the other knows.

The cluster (tests/deploy/conftest.py) is two gunicorn instances in production mode on one
PostgreSQL database and one Redis database, with nginx in front as a round-robin load balancer;
nginx names the instance that answered in an ``X-Upstream`` header, and each instance's JSON
request log carries the request id the test sent. The tests run in this file's order; the last
one stops PostgreSQL for a few seconds.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from coachapp.demo import DEMO_PASSWORD, DEMO_USERS
from tests.deploy.stack import LOCKOUT_FAILURES, Cluster, Instance, PostgresControl, children_of
from tests.deploy.web import Browser, Response, form_fields, sign_in, wait_for

pytestmark = pytest.mark.deploy

EMAILS = dict(DEMO_USERS)
COACH = EMAILS["coach"]
SUPERVISOR = EMAILS["supervisor"]
# The browser journey's coach: another than COACH, since signing out ends every session of that
# user (the module's signed-in `coach` included). Demo users share DEMO_PASSWORD.
OTHER_COACH = "coach001@demo.coachapp.example"
LOCKED_MESSAGE = "Too many failed attempts with this email"
WRONG_MESSAGE = "Email or password is not right"
# Two client machines, as nginx sees them: loopback addresses other than its own 127.0.0.1.
CLIENT_X = "127.0.0.3"
CLIENT_Y = "127.0.0.4"


def signed_in(response: Response) -> bool:
    """A page for a signed-in user (an anonymous browser is sent to /auth/login instead)."""
    return response.status == 200 and "Sign out" in response.text


def add_client(browser: Browser, port: int, last_name: str) -> int:
    """Add a client through the intake form at ``port``, as the signed-in coach; its id."""
    page = browser.get(port, "/clients/new")
    assert page.status == 200, f"GET /clients/new: {page.status}"
    fields = form_fields(page.text)
    form = {
        name: fields[name] for name in ("csrf_token", "intake_date", "coach_id") if name in fields
    }
    assert set(form) == {"csrf_token", "intake_date", "coach_id"}, fields
    form.update(first_name="Deploy", last_name=last_name, date_of_birth="1984-03-07")
    response = browser.post(port, "/clients/new", form)
    found = re.fullmatch(r"(?:https?://[^/]+)?/clients/(\d+)", response.location)
    assert response.status == 302 and found, (response.status, response.location)
    return int(found.group(1))


def unique_name() -> str:
    return "Deploy" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(8)).title()


@pytest.fixture(scope="module")
def coach(cluster: Cluster) -> Browser:
    """The demo coach, signed in once through nginx."""
    browser = Browser()
    response = sign_in(browser, cluster.nginx_port, COACH, DEMO_PASSWORD)
    assert response.status == 302, response.status
    return browser


@pytest.fixture(scope="module")
def written(cluster: Cluster) -> dict[str, int]:
    """Clients written during the run (last name -> id), read back after an instance stops."""
    return {}


def test_a_signed_in_user_stays_signed_in_on_either_instance(cluster: Cluster) -> None:
    browser = Browser()
    login = sign_in(browser, cluster.nginx_port, COACH, DEMO_PASSWORD)
    assert login.status == 302 and "/auth/login" not in login.location
    # Over HTTPS, with production's settings: the session cookie is for HTTPS only.
    session_cookie = [c for c in login.set_cookies if c.startswith("session=")]
    assert len(session_cookie) == 1 and "; Secure" in session_cookie[0], login.set_cookies
    signed_in_by = cluster.by_address(login.upstream)

    pages = [browser.get(cluster.nginx_port, "/clients/") for _ in range(6)]

    assert all(signed_in(page) for page in pages), [page.status for page in pages]
    served = Counter(cluster.by_address(page.upstream).name for page in pages)
    assert set(served) == {"instance a", "instance b"}, served
    other = cluster.b if signed_in_by is cluster.a else cluster.a
    assert served[other.name] >= 2
    # Each instance's own request log agrees: the request ids nginx sent it, as the same user.
    logs = {instance.name: instance.request_log() for instance in cluster.instances}
    users = set()
    for page in pages:
        entry = logs[cluster.by_address(page.upstream).name][page.request_id]
        assert entry["path"] == "/clients/" and entry["status"] == 200
        users.add(entry["user_id"])
    assert len(users) == 1 and None not in users


def test_a_form_post_over_https_needs_a_referer_and_an_origin_of_this_site(
    cluster: Cluster,
) -> None:
    """Behind nginx the instances see HTTPS (X-Forwarded-Proto): Flask-WTF wants a Referer of
    this site on a form post, and coachapp refuses one whose Origin is another site."""
    here = cluster.url
    attempts: dict[str, dict[str, str | None]] = {
        "no Referer": {"Referer": None},  # what Referrer-Policy: no-referrer made browsers do
        "another site's Referer": {"Referer": "https://evil.example/"},
        "another site's Origin": {"Origin": "https://evil.example"},
        "plain HTTP's Origin": {"Origin": here.replace("https:", "http:")},
    }
    for what, headers in attempts.items():
        browser = Browser(headers=headers)
        response = sign_in(browser, cluster.nginx_port, COACH, DEMO_PASSWORD)
        assert response.status == 400, (what, response.status)
        assert "The form expired or was sent from elsewhere" in response.text, what
        assert not signed_in(browser.get(cluster.nginx_port, "/clients/")), what
    # As a browser posts it from the sign-in page: that page as Referer, this site as Origin.
    browser = Browser()
    assert sign_in(browser, cluster.nginx_port, COACH, DEMO_PASSWORD).status == 302
    assert signed_in(browser.get(cluster.nginx_port, "/clients/"))


def test_nginx_compresses_text_for_a_browser_that_accepts_gzip(cluster: Cluster) -> None:
    """Bootstrap's CSS (227 KiB) and script go compressed to a browser that says it takes gzip,
    and as they are to one that does not (issue 21: fast on a phone)."""
    for path in (
        "/static/vendor/bootstrap/bootstrap.min.css",
        "/static/vendor/bootstrap/bootstrap.bundle.min.js",  # served as text/javascript
    ):
        gzip = Browser(headers={"Accept-Encoding": "gzip"}).get(cluster.nginx_port, path)
        assert gzip.status == 200, (path, gzip.status)
        assert gzip.headers.get("content-encoding") == "gzip", (path, gzip.headers)
        plain = Browser(headers={"Accept-Encoding": None}).get(cluster.nginx_port, path)
        assert plain.status == 200, (path, plain.status)
        assert "content-encoding" not in plain.headers, (path, plain.headers)


def test_lockout_after_failures_holds_on_both_instances(cluster: Cluster) -> None:
    browser = Browser()
    page = browser.get(cluster.nginx_port, "/auth/login")
    token = form_fields(page.text)["csrf_token"]
    served: Counter[str] = Counter()
    for _ in range(LOCKOUT_FAILURES):  # only POSTs, so that nginx alternates between instances
        response = browser.post(
            cluster.nginx_port,
            "/auth/login",
            {"email": SUPERVISOR, "password": "not-the-password-at-all", "csrf_token": token},
        )
        assert response.status == 200 and WRONG_MESSAGE in response.text
        served[cluster.by_address(response.upstream).name] += 1
    # Neither instance saw enough failures to lock the account by itself.
    assert set(served) == {"instance a", "instance b"} and max(served.values()) < LOCKOUT_FAILURES

    for instance in cluster.instances:
        response = sign_in(Browser(), instance.port, SUPERVISOR, DEMO_PASSWORD)
        assert response.status == 200, f"{instance.name} signed in a locked account"
        assert LOCKED_MESSAGE in response.text, instance.name
    # The failures are counted in the shared database, under a hash of the email, never the
    # email itself (with or without Redis, every worker and instance sees the same count).
    import hashlib

    from sqlalchemy import create_engine, text

    engine = create_engine(cluster.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            keys = conn.execute(text("SELECT key FROM login_failures")).scalars().all()
    finally:
        engine.dispose()
    digest = hashlib.sha256(SUPERVISOR.encode()).hexdigest()
    assert keys == [digest] * LOCKOUT_FAILURES


def test_sign_in_throttling_through_nginx_counts_each_client_on_its_own(cluster: Cluster) -> None:
    """nginx appends the client's address to X-Forwarded-For and the instances trust that one
    proxy (PROXY_FIX_X_FOR=1): the per-address sign-in throttle and the audit trail count the
    client, not nginx (127.0.0.1), and a client cannot pick an address by sending the header."""
    from sqlalchemy import create_engine, text

    from config import Config

    limit = int(Config.LOGIN_RATE_LIMIT.split()[0])  # "20 per minute"
    spoofed = "198.51.100.77"
    mallory = Browser(source=CLIENT_X, headers={"X-Forwarded-For": spoofed})
    token = form_fields(mallory.get(cluster.nginx_port, "/auth/login").text)["csrf_token"]
    statuses, served = [], Counter()
    for n in range(limit + 1):
        # The first is a failed sign-in (an unknown email: audited, no account locked); the
        # others leave the password out, so the form refuses them without hashing anything and
        # the burst stays well inside the throttle's minute. The throttle counts every POST.
        response = mallory.post(
            cluster.nginx_port,
            "/auth/login",
            {
                "email": f"nobody{n}@{secrets.token_hex(4)}.example",
                "password": "x" * 14 if n == 0 else "",
                "csrf_token": token,
            },
        )
        statuses.append(response.status)
        served[cluster.by_address(response.upstream).name] += 1
    # Counted in Redis by both instances together, under the client's own address.
    assert statuses == [200] * limit + [429], statuses
    assert set(served) == {"instance a", "instance b"}, served

    # Another client, through the same nginx, is not throttled ...
    other = sign_in(Browser(source=CLIENT_Y), cluster.nginx_port, "nobody@example.org", "x" * 14)
    assert other.status == 200 and WRONG_MESSAGE in other.text
    # ... nor is a browser on nginx's own address (the other tests' sign-ins come from there).
    assert sign_in(Browser(), cluster.nginx_port, COACH, DEMO_PASSWORD).status == 302

    engine = create_engine(cluster.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            audited = dict(
                conn.execute(
                    text(
                        "SELECT ip_address, count(*) FROM audit_events "
                        "WHERE action = 'login_failed' GROUP BY ip_address"
                    )
                ).all()
            )
    finally:
        engine.dispose()
    assert audited.get(CLIENT_X) == 1 and audited.get(CLIENT_Y) == 1, audited
    assert spoofed not in audited, audited
    from tests.deploy.conftest import _redis

    keys = [key.decode() for key in _redis().scan_iter(match="*LIMITER*", count=1000)]
    assert any(CLIENT_X in key for key in keys), keys
    assert not any(spoofed in key for key in keys), keys


def test_a_record_written_through_one_instance_is_read_through_the_other(
    cluster: Cluster, coach: Browser, written: dict[str, int]
) -> None:
    for writer, reader in ((cluster.a, cluster.b), (cluster.b, cluster.a)):
        last_name = unique_name()
        client_id = add_client(coach, writer.port, last_name)
        written[last_name] = client_id

        found = coach.get(reader.port, f"/clients/?q={last_name}")
        assert signed_in(found) and last_name in found.text, f"{reader.name}: {found.status}"
        assert f"/clients/{client_id}" in found.text
        detail = coach.get(reader.port, f"/clients/{client_id}")
        assert signed_in(detail) and last_name in detail.text, f"{reader.name}: {detail.status}"


def test_a_coach_logs_a_session_in_a_browser_through_nginx_over_https(
    cluster: Cluster, chromium
) -> None:
    """Chromium, through nginx over HTTPS (its certificate is the test's own, hence
    ignore_https_errors): sign in, log a session for a client on the session form, see it on
    the client's page, sign out. Every form post is accepted (no 400: the Referer and Origin
    Chromium sends pass the checks), the session cookie is Secure, and both instances serve
    the journey."""
    from playwright.sync_api import expect

    base = cluster.url
    context = chromium.new_context(
        ignore_https_errors=True, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    answers: list[tuple[str, str, int, str]] = []  # method, URL, status, instance
    errors: list[str] = []
    page.on(
        "response",
        lambda r: answers.append(
            (r.request.method, r.url, r.status, r.headers.get("x-upstream", ""))
        ),
    )
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    note = f"Deploy journey {secrets.token_hex(4)}: went over the week's plan."
    access_log = cluster.workdir / "nginx" / "access.log"
    logged_before = access_log.stat().st_size

    def post_form(button: str, path: str) -> None:
        """Press the form's button: the post is accepted (302), and Chromium sent this site as
        its Origin and the form's page as its Referer."""
        page_url = page.url
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.get_by_role("button", name=button).click()
        response = posted.value
        assert response.url == base + path, response.url
        assert response.status == 302, f"{button}: {response.status} {response.text()[:300]}"
        sent = response.request.all_headers()
        assert sent.get("origin") == base and sent.get("referer") == page_url, sent

    try:
        page.goto(f"{base}/auth/login")
        page.get_by_label("Email").fill(OTHER_COACH)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        post_form("Sign in", "/auth/login")
        expect(page.get_by_role("heading", level=1, name="My caseload")).to_be_visible()
        cookies = {c["name"]: c for c in context.cookies(base)}
        assert cookies["session"]["secure"] and cookies["session"]["httpOnly"], cookies

        first = page.locator("ul.caseload li a.fw-semibold").first
        name = first.inner_text().strip()
        first.click()
        expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
        client_url = page.url
        client_path = client_url.removeprefix(base)

        page.get_by_role("link", name="Log a session").click()
        expect(page.get_by_role("heading", name="Log a session")).to_be_visible()
        page.get_by_label("Minutes").fill("45")
        page.get_by_label("Modality").select_option(label="Phone")
        page.get_by_label("Kind").select_option(label="Outreach")
        page.get_by_label("Note", exact=True).fill(note)
        post_form("Save session", f"{client_path}/sessions/new")
        expect(page.get_by_role("status").filter(has_text="Session logged.")).to_be_visible()
        assert page.url == client_url
        expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
        expect(page.get_by_text(note)).to_be_visible()

        post_form("Sign out", "/auth/logout")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        page.goto(client_url)  # signed out: back to the sign-in page, the note not shown
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_text(note)).to_have_count(0)
    finally:
        context.close()

    failed = [a for a in answers if a[2] >= 400]
    assert failed == [], failed
    # nginx saw no refusal either, of anything the browser asked for (the icon it asks for on
    # its own aside, while the app has none).
    journey = access_log.read_bytes()[logged_before:].decode()
    answered = re.findall(r'"(\w+ \S+)" (\d{3}) rid=', journey)
    assert ("POST /auth/logout", "302") in answered, journey
    refused = [(r, status) for r, status in answered if status >= "400" and r != "GET /favicon.ico"]
    assert refused == [], refused
    posts = [
        (url.removeprefix(base), status) for method, url, status, _ in answers if method == "POST"
    ]
    assert posts == [
        ("/auth/login", 302),
        (f"{client_path}/sessions/new", 302),
        ("/auth/logout", 302),
    ], posts
    assert all(url.startswith(base + "/") for _, url, _, _ in answers)
    served = {upstream.split(",")[-1].strip() for *_, upstream in answers}
    assert served == {cluster.a.address, cluster.b.address}, served
    # Chromium's message for the missing icon names no address: a 404 is that one (nginx's
    # log above shows it is the only one).
    assert [e for e in errors if "status of 404" not in e] == [], errors


def test_stopping_one_instance_mid_run_loses_no_request_and_no_data(
    cluster: Cluster, coach: Browser, written: dict[str, int]
) -> None:
    for _ in range(2):  # written through nginx just before the stop
        last_name = unique_name()
        written[last_name] = add_client(coach, cluster.nginx_port, last_name)
    names = list(written)

    victim, survivor = cluster.b, cluster.a
    threads, max_per_thread = 4, 150
    results: list[tuple[float, Response, str]] = []  # (when sent, answer, name looked for)
    lock = threading.Lock()
    enough = threading.Event()

    def reader(k: int) -> None:
        browser = coach.copy()
        for i in range(max_per_thread):
            if enough.is_set():
                return
            name = names[(k + i) % len(names)]
            sent = time.monotonic()
            response = browser.get(cluster.nginx_port, f"/clients/?q={name}")
            with lock:
                results.append((sent, response, name))

    def sent_after(moment: float) -> list[Response]:
        with lock:
            return [r for t, r, _ in results if t > moment]

    try:
        with ThreadPoolExecutor(threads) as pool:
            futures = [pool.submit(reader, k) for k in range(threads)]
            try:
                wait_for(lambda: len(results) >= 25, timeout=30, what="25 answers before the stop")
                stopped_at = time.monotonic()
                cluster.terminate(victim)  # mid-run: other requests are in flight
                assert cluster.wait_stopped(victim) == 0, f"{victim.name} did not stop cleanly"
                exited_at = time.monotonic()
                wait_for(
                    lambda: len(sent_after(exited_at)) >= 25,
                    timeout=30,
                    what="25 answers after the stop",
                )
            finally:
                enough.set()
            for future in futures:
                future.result(timeout=60)

        failed = [(r.status, r.headers.get("x-upstream")) for _, r, n in results if not ok(r, n)]
        assert failed == [], f"{len(failed)} of {len(results)} requests lost: {failed[:10]}"
        before = {r.upstream for t, r, _ in results if t < stopped_at}
        assert before == {victim.address, survivor.address}
        assert {r.upstream for r in sent_after(exited_at)} == {survivor.address}

        # No data lost: everything written (by either instance) is there, through nginx ...
        for last_name, client_id in written.items():
            page = coach.get(cluster.nginx_port, f"/clients/{client_id}")
            assert signed_in(page) and last_name in page.text, (last_name, page.status)
        # ... and writing goes on: a POST nginx cannot send to the stopped instance is sent to
        # the other one.
        for _ in range(2):
            last_name = unique_name()
            written[last_name] = add_client(coach, cluster.nginx_port, last_name)
    finally:
        if not victim.running:
            cluster.start(victim)  # the cluster is whole again for the next test
    found = coach.get(victim.port, f"/clients/?q={last_name}")
    assert signed_in(found) and last_name in found.text
    print(
        f"{len(results)} requests through nginx, {len(sent_after(stopped_at))} sent after the "
        f"SIGTERM, {sum(r.retried for _, r, _ in results)} retried by nginx; "
        f"{victim.name} stopped in {exited_at - stopped_at:.1f} s"
    )


def ok(response: Response, name: str) -> bool:
    return signed_in(response) and name in response.text


def test_readyz_follows_postgresql_without_restarting_the_app(
    cluster: Cluster, coach: Browser, written: dict[str, int], postgres_control: PostgresControl
) -> None:
    """Runs last: stops the local PostgreSQL for a few seconds, and always starts it again."""
    for instance in cluster.instances:
        assert Browser().get(instance.port, "/readyz").status == 200
    processes = {i.name: (i.process.pid, children_of(i.process.pid)) for i in cluster.instances}
    assert all(len(workers) == 2 for _, workers in processes.values()), processes

    def readyz(instance: Instance, status: int) -> Response | None:
        response = Browser().get(instance.port, "/readyz")
        return response if response.status == status else None

    red: dict[str, Response] = {}
    try:
        postgres_control.stop()
        for instance in cluster.instances:
            red[instance.name] = wait_for(
                lambda instance=instance: readyz(instance, 503),
                timeout=15,
                what=f"{instance.name}'s /readyz to go red",
            )
            # The process itself is up.
            assert Browser().get(instance.port, "/healthz").status == 200
    finally:
        postgres_control.start()

    for instance in cluster.instances:
        assert red[instance.name].headers["content-type"].startswith("application/json")
        assert '"database":false' in red[instance.name].text.replace(" ", "")
        green = wait_for(
            lambda instance=instance: readyz(instance, 200),
            timeout=20,
            what=f"{instance.name}'s /readyz to go green",
        )
        assert '"migrations":"head"' in green.text.replace(" ", "")

    # Pages work again on both instances (the pools reconnected), with the data in place ...
    for instance in cluster.instances:
        for last_name, client_id in written.items():
            page = coach.get(instance.port, f"/clients/{client_id}")
            assert signed_in(page) and last_name in page.text, (instance.name, page.status)
    # ... and through nginx.
    assert signed_in(coach.get(cluster.nginx_port, "/clients/"))
    # Nothing was restarted: the same gunicorn masters and the same workers.
    for instance in cluster.instances:
        assert instance.running
        assert (instance.process.pid, children_of(instance.process.pid)) == processes[instance.name]
    # The logs of the whole run never carry a name, an email or a password.
    for instance in cluster.instances:
        text = instance.log.read_text(encoding="utf-8")
        for secret in (COACH, OTHER_COACH, SUPERVISOR, DEMO_PASSWORD, *written):
            assert secret not in text, f"{instance.name}'s log carries {secret!r}"
    print(f"PostgreSQL was down for {postgres_control.outage:.1f} s")
