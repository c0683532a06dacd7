"""gunicorn settings for coachapp, every one from the environment (see README, "Running in
production"). Start with ``make serve`` or ``gunicorn -c gunicorn.conf.py 'coachapp:create_app()'``.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads overlap database round trips; processes use the cores. Two per core, capped, keeps
# PostgreSQL connections bounded: workers x threads x DB_POOL_SIZE (+ DB_MAX_OVERFLOW).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count(), 8)))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
# Behind a load balancer on the same host or network: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # coachapp logs one JSON line per request itself
errorlog = "-"
# gunicorn 27 opens a control socket in ~/.gunicorn by default; not wanted on shared hosts.
control_socket_disable = True


def on_starting(server):
    """Build the app once in the master before any worker starts, so that a refusal to start
    (unsafe production settings, encryption keys that open nothing stored) is one message and
    exit status 1, instead of every worker failing at once (gunicorn then prints tracebacks)."""
    from coachapp import create_app
    from coachapp.crypto import KeysDoNotOpenStoredValues
    from coachapp.extensions import db

    try:
        app = create_app()
    except (RuntimeError, KeysDoNotOpenStoredValues) as refused:
        raise SystemExit(f"coachapp: {refused}") from None
    with app.app_context():
        db.engine.dispose()  # no connection of the master's is inherited by the workers
