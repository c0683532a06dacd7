"""The deployment test's view from outside (tests/deploy/conftest.py): waiting with a bound on
time, free ports, trust in the test's own TLS certificate (made by bench/tls.py), and a small
HTTP client with its own cookies that signs in through the form."""

from __future__ import annotations

import copy
import http.client
import socket
import ssl
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

T = TypeVar("T")


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
