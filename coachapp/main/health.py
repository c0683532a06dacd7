"""Health checks for load balancers: no authentication, no data in the answer."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import current_app, jsonify
from sqlalchemy import Connection, inspect, text

from coachapp import access, logs
from coachapp.extensions import db, limiter
from coachapp.main import bp

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The head revision(s) of the migration scripts shipped with this code (fixed per release,
    so caching them cannot go stale)."""
    return frozenset(_scripts().get_heads())


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Every revision this code's migrations know (a database at another one was migrated by a
    newer release)."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


def _scripts() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


@bp.route("/healthz")
@access.public
@limiter.exempt
def healthz():
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.route("/readyz")
@access.public
@limiter.exempt
def readyz():
    """The database answers, its schema is at the migrations' head, and it can write: ready for
    traffic. Otherwise 503 with a short reason for the operator; never a revision, a host or an
    error (the cause goes to the log)."""
    reason = "database unreachable"
    try:
        with db.engine.connect() as conn:
            current = _revisions(conn)
            conn.rollback()
            if current == set(migration_heads()):
                reason = "database cannot write"
                _write(conn)
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        current_app.logger.warning("readyz: %s: %s", reason, logs.error_summary(error))
        return jsonify(status="unavailable", database=False, reason=reason), 503
    if current == set(migration_heads()):
        return jsonify(status="ok", database=True, migrations="head")
    if current - known_revisions():
        # Migrated by a newer release: this code may not understand the schema.
        state, reason = "ahead", "database schema is newer than this release"
    elif not current:
        state, reason = "behind", "database not migrated: run flask db upgrade"
    else:
        state, reason = "behind", "database schema is older than this release: run flask db upgrade"
    current_app.logger.warning("readyz: migrations %s", state)
    return jsonify(status="unavailable", database=True, migrations=state, reason=reason), 503


def _revisions(conn: Connection) -> set[str]:
    conn.execute(text("SELECT 1"))
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _write(conn: Connection) -> None:
    """Write and commit one row that changes nothing: a full disk, a read-only file or
    filesystem, a read-only PostgreSQL (a standby, ``default_transaction_read_only``) fails it,
    while reads still answer. The row is locked only until the commit that follows; on
    PostgreSQL the probe waits at most a second for another writer of that row (a migration
    running) instead of hanging."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL lock_timeout = '1s'"))
    conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
    conn.commit()
