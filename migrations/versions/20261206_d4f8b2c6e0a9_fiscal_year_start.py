"""fiscal year start: the month each program's fiscal year begins (1-12, January by default)

The report page names fiscal years and fiscal quarters from it ("FY2026 Q1").

Revision ID: d4f8b2c6e0a9
Revises: a7c1e5f2b9d3
Create Date: 2026-12-06 05:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4f8b2c6e0a9"
down_revision = "a7c1e5f2b9d3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fiscal_year_start_month", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.create_check_constraint(
            "fiscal_year_start_month_range",
            "fiscal_year_start_month >= 1 AND fiscal_year_start_month <= 12",
        )


def downgrade():
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_programs_fiscal_year_start_month_range"), type_="check"
        )
        batch_op.drop_column("fiscal_year_start_month")
