"""stored report pages: the report page's rendered body kept with its stored figures

- stored_report_pages: the HTML of the report page's body (the figures' tables, the charts'
  data, the links behind each number; no client data) for a scope, a period and a variant (the
  templates' version, the definitions, what the role sees), with the stored figures' token it
  was rendered under; served again while that token is unchanged (coachapp/reports/store.py).

Revision ID: d4b8f2c6a0e3
Revises: c3d7f1a9e5b2
Create Date: 2026-12-06 10:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4b8f2c6a0e3"
down_revision = "c3d7f1a9e5b2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_report_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope_key", sa.String(length=80), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("variant", sa.String(length=64), nullable=False),
        sa.Column("changes_token", sa.String(length=60), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_report_pages")),
        sa.UniqueConstraint("scope_key", "start", "end", "variant", name="report_page_key"),
    )


def downgrade():
    op.drop_table("stored_report_pages")
