"""disclosures and consent categories: what a consent allows, and the accounting of what went out

- consent_records.consent_type ('specific' or 'tpo'), .categories (comma-separated consent
  categories), .statements_version (the TPO statements' wording the client was given).
- disclosures: one row per disclosure made (42 CFR 2.24, 2.25).
- programs.break_glass_minutes: how long a break-the-glass access stays open (default 120).

Revision ID: d6f1a8c2e4b7
Revises: c5e9f3a7b1d4
Create Date: 2026-12-06 16:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d6f1a8c2e4b7"
down_revision = "c5e9f3a7b1d4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consent_type", sa.String(length=20), server_default="specific", nullable=False)
        )
        batch_op.add_column(
            sa.Column("categories", sa.String(length=200), server_default=sa.text("''"), nullable=False)
        )
        batch_op.add_column(sa.Column("statements_version", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            "consent_type_valid", "consent_type IN ('specific', 'tpo')"
        )

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("break_glass_minutes", sa.Integer(), server_default="120", nullable=False)
        )

    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('consent_summary', 'export', 'break_glass', 'patient_copy')",
            name=op.f("ck_disclosures_kind_valid"),
        ),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_disclosures_client_id_clients")),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consent_records.id"], name=op.f("fk_disclosures_consent_id_consent_records")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_disclosures_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index("ix_disclosures_client_disclosed", ["client_id", "disclosed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosures_consent_id"), ["consent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_disclosures_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosures_user_id"))
        batch_op.drop_index(batch_op.f("ix_disclosures_consent_id"))
        batch_op.drop_index("ix_disclosures_client_disclosed")
    op.drop_table("disclosures")

    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("break_glass_minutes")

    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_consent_records_consent_type_valid"), type_="check")
        batch_op.drop_column("statements_version")
        batch_op.drop_column("categories")
        batch_op.drop_column("consent_type")
