"""Form posts over HTTPS (coachapp/same_origin.py): the CSRF token, a same-origin Referer
(Flask-WTF's strict check) and, when the browser sends one, a same-origin Origin header.

The test client speaks to https://coach.example.org, as a browser behind TLS would; CSRF is on,
as in tests/auth/test_auth.py."""

from __future__ import annotations

import pytest
from flask import Flask

from coachapp import trust_proxies
from coachapp.auth.tokens import create_token
from tests import factories
from tests.helpers import csrf_token

SITE = "https://coach.example.org"
REFUSED = "The form expired or was sent from elsewhere"


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["SESSION_COOKIE_SECURE"] = True  # as in production
    return app


def sign_in(
    browser,
    email: str,
    *,
    referer: str | None = f"{SITE}/auth/login",
    origin: str | None = SITE,
    base_url: str = SITE,
    headers: dict[str, str] | None = None,
):
    """GET the sign-in form and POST it with its token, from ``base_url``, with these
    Referer and Origin headers (None: not sent)."""
    headers = dict(headers or {})
    page = browser.get("/auth/login", base_url=base_url, headers=headers)
    assert page.status_code == 200
    if referer is not None:
        headers["Referer"] = referer
    if origin is not None:
        headers["Origin"] = origin
    return browser.post(
        "/auth/login",
        base_url=base_url,
        headers=headers,
        data={
            "email": email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )


def signed_in(browser, base_url: str = SITE) -> bool:
    return browser.get("/clients/", base_url=base_url).status_code == 200


def refused(response) -> bool:
    return response.status_code == 400 and REFUSED in response.get_data(as_text=True)


def test_sign_in_and_out_over_https_with_a_same_origin_referer(csrf_app, coach):
    browser = csrf_app.test_client()
    response = sign_in(browser, coach.email)

    assert response.status_code == 302 and response.location.endswith("/home")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert signed_in(browser)

    caseload = browser.get("/clients/", base_url=SITE).get_data(as_text=True)
    out = browser.post(
        "/auth/logout",
        base_url=SITE,
        headers={"Referer": f"{SITE}/clients/", "Origin": SITE},
        data={"csrf_token": csrf_token(caseload)},
    )
    assert out.status_code == 302 and not signed_in(browser)


def test_a_post_over_https_without_a_referer_is_refused(csrf_app, coach):
    browser = csrf_app.test_client()
    response = sign_in(browser, coach.email, referer=None)

    assert refused(response)
    assert not signed_in(browser)


@pytest.mark.parametrize(
    "referer", ["https://evil.example/auth/login", "http://coach.example.org/"]
)
def test_a_post_over_https_with_a_foreign_referer_is_refused(csrf_app, coach, referer):
    browser = csrf_app.test_client()
    assert refused(sign_in(browser, coach.email, referer=referer))
    assert not signed_in(browser)


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "http://coach.example.org",  # another scheme
        "https://coach.example.org:8443",  # another port
        "https://coach.example.org.evil.example",
        "https://evil.example@coach.example.org",  # an Origin has no user part ...
        "https://coach.example.org/auth/login",  # ... nor a path
        "https://[::1",  # malformed
        "https://coach.example.org:port",
        "coach.example.org",
    ],
)
def test_a_post_with_a_foreign_origin_is_refused_even_with_token_and_referer(
    csrf_app, coach, origin
):
    browser = csrf_app.test_client()
    response = sign_in(browser, coach.email, origin=origin)

    assert refused(response)
    assert not signed_in(browser)


@pytest.mark.parametrize(
    "origin",
    [
        None,  # older browsers and other clients send none: the token and Referer decide
        "null",  # an opaque origin (privacy settings): likewise
        "https://COACH.example.org",  # host names are not case-sensitive
        "https://coach.example.org:443",  # the default port spelled out
    ],
)
def test_a_post_with_no_origin_or_our_own_is_accepted(csrf_app, coach, origin):
    browser = csrf_app.test_client()
    response = sign_in(browser, coach.email, origin=origin)

    assert response.status_code == 302 and signed_in(browser)


def test_a_foreign_origin_is_refused_over_plain_http_too(csrf_app, coach):
    """Without TLS (development) there is no Referer check, but the Origin check holds."""
    base = "http://localhost:5000"
    browser = csrf_app.test_client()
    assert refused(sign_in(browser, coach.email, base_url=base, referer=None, origin=SITE))
    response = sign_in(browser, coach.email, base_url=base, referer=None, origin=base)
    assert response.status_code == 302 and signed_in(browser, base)


def test_behind_a_proxy_the_origin_is_compared_with_the_forwarded_scheme(
    csrf_app, coach, monkeypatch
):
    """Behind nginx (PROXY_FIX_X_FOR=1) the app itself is spoken to over HTTP, on nginx's Host
    with its port: what the browser saw is https://127.0.0.1:8443, from X-Forwarded-Proto."""
    monkeypatch.setattr(csrf_app, "wsgi_app", csrf_app.wsgi_app)  # undone after the test
    csrf_app.config["PROXY_FIX_X_FOR"] = 1
    trust_proxies(csrf_app)
    behind = "http://127.0.0.1:8443"
    seen = "https://127.0.0.1:8443"
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}

    browser = csrf_app.test_client()
    for origin in ("http://127.0.0.1:8443", "https://127.0.0.1"):
        response = sign_in(
            browser,
            coach.email,
            base_url=behind,
            referer=f"{seen}/auth/login",
            origin=origin,
            headers=proxied,
        )
        assert refused(response), origin
    # HTTPS as far as the app can tell: the Referer is required.
    response = sign_in(
        browser, coach.email, base_url=behind, referer=None, origin=seen, headers=proxied
    )
    assert refused(response)

    response = sign_in(
        browser,
        coach.email,
        base_url=behind,
        referer=f"{seen}/auth/login",
        origin=seen,
        headers=proxied,
    )
    assert response.status_code == 302
    assert browser.get("/clients/", base_url=behind, headers=proxied).status_code == 200


def test_the_api_takes_bearer_tokens_from_anywhere(csrf_app, db, coach):
    """The API is exempt from CSRF (bearer tokens only, never the session cookie), and so from
    the Origin check."""
    token, _row = create_token(coach, "test")
    db.session.commit()
    response = csrf_app.test_client().post(
        "/api/v1/clients",
        base_url=SITE,
        headers={"Authorization": f"Bearer {token}", "Origin": "https://elsewhere.example"},
        json={
            "first_name": "Zoë",
            "last_name": "Brontë",
            "date_of_birth": "1990-02-03",
            "intake_date": "2026-02-01",
        },
    )
    assert response.status_code == 201
