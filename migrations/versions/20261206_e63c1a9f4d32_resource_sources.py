"""resource sources: an imported entry's identity is (source, external id)

- resource_sources: one row per Meeting Guide feed or HSDS export (name unique: the feed's URL
  or a name given at import; url and, for feeds, the default model, for
  `flask resources refresh`).
- resources, organizations: source_id (NULL for entries typed in by hand); the global unique
  external_id becomes unique (source_id, external_id), so two feeds' `big-book-study` are two
  meetings.
- resources: retired_on (an entry a re-import of its source no longer has), meeting_timezone.
- Entries imported before sources existed get one source per kind, so nothing is lost:
  "Meeting Guide import (before sources)" (external ids "mg:..." / "mg-entity:...") and
  "HSDS import (before sources)" (every other external id).

Revision ID: e63c1a9f4d32
Revises: d52b0f8e3c21
Create Date: 2026-12-06 02:30:00.000000

"""

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e63c1a9f4d32"
down_revision = "d52b0f8e3c21"
branch_labels = None
depends_on = None

MEETING_GUIDE_BEFORE = "Meeting Guide import (before sources)"
HSDS_BEFORE = "HSDS import (before sources)"


def _adopt_existing_imports() -> None:
    """Give every entry imported before sources existed a source of its kind."""
    conn = op.get_bind()
    sources = sa.table(
        "resource_sources",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    resources = sa.table(
        "resources", sa.column("external_id", sa.String), sa.column("source_id", sa.Integer)
    )
    organizations = sa.table(
        "organizations", sa.column("external_id", sa.String), sa.column("source_id", sa.Integer)
    )
    now = datetime.now(timezone.utc)
    kinds = [
        (
            MEETING_GUIDE_BEFORE,
            "meeting_guide",
            resources.c.external_id.like("mg:%"),
            organizations.c.external_id.like("mg-entity:%"),
        ),
        (
            HSDS_BEFORE,
            "hsds",
            sa.not_(resources.c.external_id.like("mg:%")),
            sa.not_(organizations.c.external_id.like("mg-entity:%")),
        ),
    ]
    for name, kind, resource_rule, organization_rule in kinds:
        has_resources = conn.execute(
            sa.select(sa.func.count())
            .select_from(resources)
            .where(resources.c.external_id.is_not(None), resource_rule)
        ).scalar()
        has_organizations = conn.execute(
            sa.select(sa.func.count())
            .select_from(organizations)
            .where(organizations.c.external_id.is_not(None), organization_rule)
        ).scalar()
        if not has_resources and not has_organizations:
            continue
        conn.execute(sources.insert().values(name=name, kind=kind, created_at=now, updated_at=now))
        source_id = conn.execute(sa.select(sources.c.id).where(sources.c.name == name)).scalar_one()
        conn.execute(
            resources.update()
            .where(resources.c.external_id.is_not(None), resource_rule)
            .values(source_id=source_id)
        )
        conn.execute(
            organizations.update()
            .where(organizations.c.external_id.is_not(None), organization_rule)
            .values(source_id=source_id)
        )


def upgrade():
    op.create_table(
        "resource_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=True),
        sa.Column("default_model", sa.String(length=20), nullable=True),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("last_imported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('meeting_guide', 'hsds')", name=op.f("ck_resource_sources_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_resource_sources_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_resource_sources_name")),
    )
    with op.batch_alter_table("resource_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_sources_program_id"), ["program_id"], unique=False
        )

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_organizations_source_id_resource_sources"),
            "resource_sources",
            ["source_id"],
            ["id"],
        )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("meeting_timezone", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_resources_source_id_resource_sources"),
            "resource_sources",
            ["source_id"],
            ["id"],
        )

    _adopt_existing_imports()

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_organizations_external_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_organizations_source_id"), ["source_id", "external_id"]
        )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_resources_external_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_resources_source_id"), ["source_id", "external_id"]
        )


def downgrade():
    # External ids are only unique within a source: a global unique external_id cannot come back
    # while two sources share one (say which, rather than fail half-way).
    conn = op.get_bind()
    for table in ("resources", "organizations"):
        clash = conn.execute(
            sa.text(
                f"SELECT external_id FROM {table} WHERE external_id IS NOT NULL "  # nosec B608
                "GROUP BY external_id HAVING COUNT(*) > 1"
            )
        ).first()
        if clash is not None:
            raise RuntimeError(
                f"cannot downgrade: {table}.external_id {clash[0]!r} is used by several sources"
            )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_resources_source_id"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_resources_external_id"), ["external_id"])
        batch_op.drop_constraint(
            batch_op.f("fk_resources_source_id_resource_sources"), type_="foreignkey"
        )
        batch_op.drop_column("meeting_timezone")
        batch_op.drop_column("retired_on")
        batch_op.drop_column("source_id")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_organizations_source_id"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_organizations_external_id"), ["external_id"]
        )
        batch_op.drop_constraint(
            batch_op.f("fk_organizations_source_id_resource_sources"), type_="foreignkey"
        )
        batch_op.drop_column("source_id")
    with op.batch_alter_table("resource_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_sources_program_id"))
    op.drop_table("resource_sources")
