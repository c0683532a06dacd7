"""Health checks for load balancers: no authentication, no data in the answer."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from flask import current_app, jsonify
from sqlalchemy import text

from coachapp import access
from coachapp.extensions import db, limiter
from coachapp.main import bp

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The head revision(s) of the migration scripts shipped with this code (fixed per release,
    so caching them cannot go stale)."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


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
    """The database answers and its schema is at the migrations' head: ready for traffic."""
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception:  # noqa: BLE001 - any failure means "not ready"; the reason goes to the log
        current_app.logger.warning("readyz: database unreachable or not migrated", exc_info=True)
        return jsonify(status="unavailable", database=False), 503
    if current != set(migration_heads()):
        return jsonify(status="unavailable", database=True, migrations="behind"), 503
    return jsonify(status="ok", database=True, migrations="head")
