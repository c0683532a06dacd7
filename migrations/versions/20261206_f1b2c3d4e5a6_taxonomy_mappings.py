"""taxonomy mappings: the edited lines of the HSDS taxonomy -> directory category mapping

- taxonomy_mappings: a term (a 211/AIRS code prefix, a whole term name or a word of one) and
  the directory category it maps to; shared by every program (program_id NULL) or one
  program's. Unique (program_id, match, term). HSDS imports consult these lines before the
  default mapping in coachapp/resources/taxonomy.py.

Revision ID: f1b2c3d4e5a6
Revises: e63c1a9f4d32
Create Date: 2026-12-06 04:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f1b2c3d4e5a6"
down_revision = "e63c1a9f4d32"
branch_labels = None
depends_on = None

CATEGORIES = (
    "'housing', 'employment', 'healthcare', 'mental_health', 'treatment', 'recovery_support', "
    "'legal', 'benefits', 'food', 'transportation', 'education', 'other'"
)


def upgrade():
    op.create_table(
        "taxonomy_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=True),
        sa.Column("match", sa.String(length=10), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"category IN ({CATEGORIES})", name=op.f("ck_taxonomy_mappings_category_valid")
        ),
        sa.CheckConstraint(
            "match IN ('code', 'name', 'word')", name=op.f("ck_taxonomy_mappings_match_known")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_taxonomy_mappings_program_id_programs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_mappings")),
        sa.UniqueConstraint(
            "program_id", "match", "term", name=op.f("uq_taxonomy_mappings_program_id")
        ),
    )
    with op.batch_alter_table("taxonomy_mappings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taxonomy_mappings_program_id"), ["program_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("taxonomy_mappings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxonomy_mappings_program_id"))
    op.drop_table("taxonomy_mappings")
