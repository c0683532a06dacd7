"""A browser's form posts are accepted from coachapp's own pages only.

Three checks, all on every state-changing request Flask-WTF protects (the API is exempt: it
takes bearer tokens, never the session cookie):

1. the CSRF token of the form (Flask-WTF);
2. over HTTPS, a ``Referer`` of this origin (Flask-WTF's ``WTF_CSRF_SSL_STRICT``, on). Pages
   are served with ``Referrer-Policy: same-origin`` (``REFERRER_POLICY``) so that the browser
   sends it: a Referer goes to this origin only, never to another site, which is what the
   policy is for (``no-referrer`` made every form post over HTTPS fail this check);
3. an ``Origin`` header, when the browser sends one, of this origin: scheme, host and port
   compared with ``request.host_url``, which behind a trusted proxy carries the scheme of
   ``X-Forwarded-Proto``. An absent Origin (older browsers, other clients) and ``null`` (an
   opaque origin: some privacy settings send it for every request) are left to the first two
   checks.

Each refusal is a ``CSRFError``: the same 400 page, "The form expired or was sent from
elsewhere".
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import g, request
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect as _CSRFProtect

log = logging.getLogger("flask_wtf.csrf")  # beside Flask-WTF's own refusals

REFERRER_POLICY = "same-origin"
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str, *, bare: bool = False) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an absolute http(s) URL, the port filled in when it is the
    scheme's default; None for anything else: a malformed URL, one with a user name, and with
    ``bare`` (an Origin header) one with more than scheme, host and port."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number, an unclosed IPv6 bracket
        return None
    if scheme not in DEFAULT_PORTS or not host or port is None or "@" in parts.netloc:
        return None
    if bare and (parts.path or parts.query or parts.fragment):
        return None
    return scheme, host, port


def foreign_origin() -> bool:
    """Whether this request names, in its Origin header, a site other than this one."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return False
    mine = origin_of(request.host_url)
    return mine is None or origin_of(origin, bare=True) != mine


class CSRFProtect(_CSRFProtect):
    """Flask-WTF's CSRF protection (token; Referer over HTTPS), and the Origin check on the
    same requests."""

    def protect(self, *args, **kwargs) -> None:
        super().protect(*args, **kwargs)
        # Set by Flask-WTF once the token (and Referer) passed: not on exempt views, nor on
        # methods it does not check.
        if g.get("csrf_valid") and foreign_origin():
            message = "The origin does not match the host."
            log.info(message)
            raise CSRFError(message)
