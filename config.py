"""coachapp settings, read from the environment.

Every setting an operator may change is an environment variable, listed here with its default:

- ``COACHAPP_CONFIG=production``: production settings (secure cookies, HSTS, JSON logs) and the
  refusal to start without real secrets. ``make serve`` sets it.

- ``SECRET_KEY``: signs session cookies and CSRF tokens. Production refuses to start without a
  real one (at least 32 characters, not the development default).
- ``ENCRYPTION_KEYS``: comma-separated Fernet keys (newest first) that encrypt narrative text at
  rest (session, supervision, client and referral notes). Make one with ``flask keys generate``;
  to rotate, put the new key first and run ``flask keys rotate``. Required in production;
  elsewhere a key is derived from ``SECRET_KEY``.
- ``DATABASE_URL``: SQLAlchemy URL. Default: SQLite file ``instance/coachapp.sqlite3``.
  PostgreSQL: ``postgresql+psycopg://USER@HOST:5432/NAME``. A SQLite file is put in
  write-ahead-log mode (``-wal`` and ``-shm`` files beside it: copy the database with
  ``flask backup``, not ``cp``); PostgreSQL sessions run with ``jit = off`` and
  ``random_page_cost = 1.1``.
- ``DB_POOL_SIZE`` / ``DB_MAX_OVERFLOW``: PostgreSQL connections kept / allowed on top, per
  worker process (default 5 / 5). Connections are pre-pinged, so a restarted database is
  survived without restarting the app.
- ``DB_CONNECT_TIMEOUT``: seconds to wait for a new PostgreSQL connection (default 5), so an
  unreachable database host makes ``/readyz`` red quickly instead of hanging.
- ``RATELIMIT_STORAGE_URI``: where rate-limit counters (sign-in throttle, API limits) live.
  ``memory://`` (default) counts per process; ``redis://127.0.0.1:6379/0`` shares them between
  processes and machines. ``REDIS_URL``, when set, is used as the default for it. Production
  with more than one gunicorn worker refuses to start on ``memory://`` (``gunicorn.conf.py``).
- ``LOGIN_LOCKOUT_FAILURES`` / ``LOGIN_LOCKOUT_MINUTES``: after this many failed sign-ins for
  one email the account is locked for this long (default 10 / 15); counted in the database
  (``login_failures``, emails hashed), so every worker and app server shares them, with or
  without Redis.
- ``API_RATE_LIMIT``: requests per live API token (per address without one, or with a token
  that is not live), default ``300 per minute``.
- ``IDLE_TIMEOUT_MINUTES``: a signed-in browser session ends after this much inactivity
  (default 30). ``SESSION_MAX_HOURS``: absolute lifetime of a session (default 12).
- ``ARGON2_TIME_COST`` / ``ARGON2_MEMORY_KIB``: password hashing cost (defaults 3 / 65536).
- ``LOG_LEVEL``: default ``INFO``. ``LOG_JSON=1``: one JSON line per request on stderr
  (always on in production).
- ``AUDIT_ARCHIVE_DIR``: where ``flask restore`` writes the audit trail it replaces (default
  ``audit-archives`` in the instance folder).
- ``SESSION_COOKIE_SECURE=0``: production only, for a deployment reached over plain HTTP on a
  private network (tests behind a local load balancer); never on the internet.
- ``PROXY_FIX_X_FOR``: how many reverse proxies (nginx, a load balancer) stand in front of the
  app and append to ``X-Forwarded-For`` / ``X-Forwarded-Proto`` (default 0: none trusted, the
  headers are ignored and the client address is the TCP peer's). Behind one nginx set it to 1:
  the sign-in throttle, the API's per-address limit and the audit trail then see each user's
  own address instead of nginx's. Never more than the proxies really there, and only when the
  app cannot be reached except through them (a client could otherwise choose its address).

The server's own settings (``WEB_CONCURRENCY``, ``GUNICORN_THREADS``, ``GUNICORN_BIND``,
``GUNICORN_TIMEOUT``, ``FORWARDED_ALLOW_IPS``) are read by ``gunicorn.conf.py``, documented there.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused by ProductionConfig


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 spelled out.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{BASE_DIR / 'instance' / 'coachapp.sqlite3'}"


def _engine_options(url: str) -> dict:
    # A database error's message (which reaches the log) names the statement, never its values:
    # they may be a client's name or a note.
    if url.startswith("postgresql"):
        return {
            "hide_parameters": True,
            "pool_pre_ping": True,
            "pool_size": _int("DB_POOL_SIZE", 5),
            "max_overflow": _int("DB_MAX_OVERFLOW", 5),
            "pool_recycle": 1800,
            # Session settings (bench/README.md): no JIT compilation, which costs the report's
            # big statements more time than it saves; and random reads priced near sequential
            # ones, as they are for a program's data (cached, or on SSD) - with the default 4,
            # the planner reads every client to find a caseload's hundred.
            # An unreachable database host fails a connection (and /readyz) within seconds
            # instead of after the operating system's TCP timeout.
            "connect_args": {
                "options": "-c jit=off -c random_page_cost=1.1",
                "connect_timeout": _int("DB_CONNECT_TIMEOUT", 5),
            },
        }
    return {"hide_parameters": True}


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = _engine_options(SQLALCHEMY_DATABASE_URI)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = 0
    IDLE_TIMEOUT_MINUTES = _int("IDLE_TIMEOUT_MINUTES", 30)
    SESSION_MAX_HOURS = _int("SESSION_MAX_HOURS", 12)

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session, which has its own limits

    RATELIMIT_STORAGE_URI = os.environ.get(
        "RATELIMIT_STORAGE_URI", os.environ.get("REDIS_URL", "memory://")
    )
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "20 per minute"  # per IP address
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")  # per API token
    LOGIN_LOCKOUT_FAILURES = _int("LOGIN_LOCKOUT_FAILURES", 10)  # per email ...
    LOGIN_LOCKOUT_MINUTES = _int("LOGIN_LOCKOUT_MINUTES", 15)  # ... locked for this long

    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_KIB = _int("ARGON2_MEMORY_KIB", 65536)

    ENCRYPTION_KEYS = os.environ.get("ENCRYPTION_KEYS", "")
    AUDIT_ARCHIVE_DIR = os.environ.get("AUDIT_ARCHIVE_DIR") or None
    SEND_HSTS = False
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_JSON = os.environ.get("LOG_JSON", "") == "1"
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)  # reverse proxies trusted for X-Forwarded-*


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_KIB = 1024
    # Form tests post without tokens; tests/auth/test_auth.py turns CSRF back on to test it.
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    LOGIN_RATE_LIMIT = "1000 per minute"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"
    SEND_HSTS = True
    LOG_JSON = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start with settings that would be unsafe in production."""
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        if not os.environ.get("ENCRYPTION_KEYS", "").strip():
            raise RuntimeError(
                "ENCRYPTION_KEYS must be set in production (make one with `flask keys generate`)"
            )
