"""Home pages per role, error pages, security headers and the production guard."""

from __future__ import annotations

import re

import pytest

from coachapp import create_app
from tests import factories


@pytest.mark.parametrize(
    ("role", "phrase"),
    [
        ("supervisor", "Your team"),
        ("program_manager", "Your program"),
        ("admin", "Administration"),
    ],
)
def test_home_page_per_role(request, login, role, phrase):
    user = request.getfixturevalue(role)
    page = login(user).get("/home")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert phrase in text and user.name in text


def test_coach_home_is_their_caseload(login, coach):
    response = login(coach).get("/home")
    assert response.status_code == 302 and response.location.endswith("/clients/")


def test_security_headers_on_every_response(anon):
    response = anon.get("/auth/login")
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"  # the Referer to our own pages only
    assert "Strict-Transport-Security" not in headers  # development/test


def test_session_cookie_flags(app, coach):
    from tests.helpers import sign_in

    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    response = sign_in(browser, coach.email, factories.PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_inline_script_or_style_in_pages(login, coach):
    factories.client(coach)
    for url in ("/home", "/clients/", "/auth/login"):
        html = login(coach).get(url).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html, url


def test_no_script_holds_up_the_first_paint(login, supervisor, coach):
    """Every external script is deferred and comes after <main> (issue 21: fast on a phone);
    the crawl of tests/platform/test_html_validity.py checks every page the same way."""
    client = factories.client(coach)
    pages = [(coach, url) for url in ("/clients/", f"/clients/{client.id}", "/reports/")]
    pages.append((supervisor, "/team/reviews"))
    for user, url in pages:
        html = login(user).get(url).get_data(as_text=True)
        tags = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", html)
        assert len(tags) >= 3, url  # Bootstrap and the site's own two
        assert all(" defer " in tag for tag in tags), (url, tags)
        assert html.index(tags[0]) > html.index("</main>"), url


def test_not_found_page(anon):
    response = anon.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_assets_are_served_locally(anon):
    html = anon.get("/auth/login").get_data(as_text=True)
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "http://" not in html and "https://" not in html
    assert anon.get("/static/vendor/bootstrap/bootstrap.min.css").status_code == 200


def test_the_site_icon_is_public_and_cacheable(anon, login, coach):
    """Browsers ask for /favicon.ico on every page; it was a 404 each time."""
    response = anon.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.get_data()[:4] == b"\x00\x00\x01\x00"  # an icon directory
    assert response.cache_control.max_age == 86400 and "Set-Cookie" not in response.headers
    html = login(coach).get("/clients/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in html
    signed_in = login(coach)
    icon = signed_in.get("/favicon.ico")
    assert icon.status_code == 200 and "no-store" not in icon.headers.get("Cache-Control", "")
    assert icon.cache_control.max_age == 86400
    # The style sheets too: the same for everyone, not client data.
    css = signed_in.get("/static/css/app.css")
    assert css.status_code == 200 and "no-store" not in css.headers.get("Cache-Control", "")
    assert signed_in.get("/clients/").headers["Cache-Control"] == "no-store"


def test_production_refuses_a_missing_or_default_secret_key(monkeypatch):
    from cryptography.fernet import Fernet

    from config import DEV_SECRET_KEY, ProductionConfig

    monkeypatch.setenv("ENCRYPTION_KEYS", Fernet.generate_key().decode())
    for value in ("", DEV_SECRET_KEY, "short"):
        monkeypatch.setenv("SECRET_KEY", value)
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app(ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("ENCRYPTION_KEYS", "")
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEYS"):
        create_app(ProductionConfig)
    monkeypatch.setenv("ENCRYPTION_KEYS", Fernet.generate_key().decode())
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    assert create_app(ProductionConfig).config["SESSION_COOKIE_SECURE"] is True
