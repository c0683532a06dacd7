"""The migrations build exactly the models' schema, and go down and up again, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from coachapp.extensions import db


def _diffs() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_matches_models_then_down_and_up_again(scratch_app):
    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert _diffs() == [], "models and migrations drifted: run `flask db migrate` and review"

    downgrade(revision="base")
    assert _tables() == set()

    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert _diffs() == []


def test_drift_is_detected(scratch_app):
    """The comparison itself can fail: a column missing from the database shows up as a diff."""
    upgrade()
    with db.engine.begin() as conn:
        from alembic.operations import Operations

        ops = Operations(MigrationContext.configure(conn))
        with ops.batch_alter_table("programs") as batch:
            batch.drop_column("client_seq")
    assert any("client_seq" in repr(diff) for diff in _diffs())
