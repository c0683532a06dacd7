"""tamper-evident audit trail: a hash chain, archives of replaced trails, append-only triggers

- audit_events.prev_hash, .hash: the SHA-256 chain (coachapp.models.audit.chain_hash); existing
  events are chained in id order, then the columns become NOT NULL.
- audit_archives: a whole trail that `flask restore` replaced, kept with its hashes.
- Triggers refusing UPDATE and DELETE (and TRUNCATE on PostgreSQL) of both tables
  (coachapp.models.audit.guard_ddl, the same statements create_all attaches to the tables).

Revision ID: e8a2c4f6b1d3
Revises: d6f1a8c2e4b7
Create Date: 2026-12-06 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from coachapp.models.audit import (
    CHAINED_FIELDS,
    DROP_PG_GUARD_FUNCTION,
    GENESIS_HASH,
    GUARDED_TABLES,
    chain_hash,
    drop_guard_ddl,
    guard_ddl,
)

# revision identifiers, used by Alembic.
revision = "e8a2c4f6b1d3"
down_revision = "d6f1a8c2e4b7"
branch_labels = None
depends_on = None

BATCH = 1000

events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("client_id", sa.Integer()),
    sa.column("program_id", sa.Integer()),
    sa.column("ip_address", sa.String()),
    sa.column("fields", sa.String()),
    sa.column("detail", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def _chain_existing_events() -> None:
    """Chain the events already written, in id order, a batch at a time."""
    bind = op.get_bind()
    head, last_id = GENESIS_HASH, None
    while True:
        query = sa.select(events.c.id, *(events.c[name] for name in CHAINED_FIELDS))
        query = query.order_by(events.c.id).limit(BATCH)
        if last_id is not None:
            query = query.where(events.c.id > last_id)
        rows = bind.execute(query).mappings().all()
        if not rows:
            return
        updates = []
        for row in rows:
            digest = chain_hash(head, row)
            updates.append({"row_id": row["id"], "prev": head, "digest": digest})
            head = digest
        bind.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), hash=sa.bindparam("digest")),
            updates,
        )
        last_id = rows[-1]["id"]


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))

    _chain_existing_events()

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)

    op.create_table(
        "audit_archives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("first_event_id", sa.Integer(), nullable=True),
        sa.Column("last_event_id", sa.Integer(), nullable=True),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_archives")),
    )

    dialect = op.get_bind().dialect.name
    for table in GUARDED_TABLES:
        for statement in guard_ddl(dialect, table):
            op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in GUARDED_TABLES:
        for statement in drop_guard_ddl(dialect, table):
            op.execute(statement)
    if dialect == "postgresql":
        op.execute(DROP_PG_GUARD_FUNCTION)

    op.drop_table("audit_archives")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
