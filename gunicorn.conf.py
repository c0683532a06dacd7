"""gunicorn settings for coachapp, every one from the environment (see README, "Running in
production"). Start with ``make serve`` or ``gunicorn -c gunicorn.conf.py 'coachapp:create_app()'``.

In production (``COACHAPP_CONFIG=production``) with more than one worker, the rate-limit
counters must be shared (``REDIS_URL`` or ``RATELIMIT_STORAGE_URI``): with ``memory://`` each
worker would count alone, so the sign-in throttle and the API limits would multiply by the
number of workers. The server refuses to start then. ``ALLOW_PER_PROCESS_LIMITS=1`` accepts it
for a benchmark on one machine (bench/); never for a server that users reach.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads overlap database round trips; processes use the cores. Two per core, capped, keeps
# PostgreSQL connections bounded: workers x threads x DB_POOL_SIZE (+ DB_MAX_OVERFLOW).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count(), 8)))


def _refuse_per_process_limits(worker_count: int) -> None:
    production = os.environ.get("COACHAPP_CONFIG", "").lower() == "production"
    # As config.py reads it.
    storage = os.environ.get("RATELIMIT_STORAGE_URI", os.environ.get("REDIS_URL", "memory://"))
    storage = storage or "memory://"
    accepted = os.environ.get("ALLOW_PER_PROCESS_LIMITS") == "1"
    if production and worker_count > 1 and storage.startswith("memory://") and not accepted:
        raise SystemExit(
            f"coachapp: refusing to start {worker_count} workers with per-process rate limits "
            f"(RATELIMIT_STORAGE_URI={storage}): each worker would count sign-in attempts and API "
            "requests alone. Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so that every worker "
            "shares them, or WEB_CONCURRENCY=1."
        )


_refuse_per_process_limits(workers)
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
    from coachapp.extensions import db
    from coachapp.keys import KeysDoNotOpenStoredValues

    try:
        app = create_app()
    except (RuntimeError, KeysDoNotOpenStoredValues) as refused:
        raise SystemExit(f"coachapp: {refused}") from None
    with app.app_context():
        db.engine.dispose()  # no connection of the master's is inherited by the workers
