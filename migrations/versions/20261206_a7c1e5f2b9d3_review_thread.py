"""review thread: comments on a session's note, and notes returned for revision

- review_comments: a session's review thread (sign-off comments, returns for revision, the
  coach's replies), body encrypted, read_at for the coach's "comments to read".
- sessions.returned_at: a note returned for revision leaves the review queue until the coach
  edits it; ix_sessions_awaiting_review gains that condition, ix_sessions_coach_returned lists
  a coach's returned notes.
- Existing sign-off comments become the first entries of their threads (the ciphertext is
  copied as it is); those of the last 30 days stay unread, as the coach's home showed them.

Revision ID: a7c1e5f2b9d3
Revises: b8d2f6a3c0e4
Create Date: 2026-12-06 04:00:00.000000

"""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c1e5f2b9d3"
down_revision = "b8d2f6a3c0e4"
branch_labels = None
depends_on = None

OLD_AWAITING = "reviewed_at IS NULL AND note IS NOT NULL AND archived_at IS NULL"
AWAITING = (
    "reviewed_at IS NULL AND returned_at IS NULL AND note IS NOT NULL AND archived_at IS NULL"
)
RETURNED = "returned_at IS NOT NULL AND archived_at IS NULL"


def upgrade():
    op.create_table(
        "review_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('sign_off', 'returned', 'reply')",
            name=op.f("ck_review_comments_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_review_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_review_comments_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comments")),
    )
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_comments_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            "ix_review_comments_session_read", ["session_id", "read_at"], unique=False
        )

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index("ix_sessions_awaiting_review")
        batch_op.create_index(
            "ix_sessions_awaiting_review",
            ["client_id"],
            unique=False,
            sqlite_where=sa.text(AWAITING),
            postgresql_where=sa.text(AWAITING),
        )
        batch_op.create_index(
            "ix_sessions_coach_returned",
            ["coach_id"],
            unique=False,
            sqlite_where=sa.text(RETURNED),
            postgresql_where=sa.text(RETURNED),
        )

    cutoff = datetime.now(timezone.utc) - timedelta(days=30)
    op.get_bind().execute(
        sa.text(
            "INSERT INTO review_comments (session_id, author_id, kind, body, created_at, read_at) "
            "SELECT id, reviewed_by_id, 'sign_off', review_comment, reviewed_at, "
            "CASE WHEN reviewed_at >= :cutoff THEN NULL ELSE reviewed_at END "
            "FROM sessions WHERE review_comment IS NOT NULL AND reviewed_by_id IS NOT NULL "
            "AND reviewed_at IS NOT NULL ORDER BY sessions.reviewed_at, sessions.id"
        ),
        {"cutoff": cutoff},
    )


def downgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_coach_returned")
        batch_op.drop_index("ix_sessions_awaiting_review")
        batch_op.create_index(
            "ix_sessions_awaiting_review",
            ["client_id"],
            unique=False,
            sqlite_where=sa.text(OLD_AWAITING),
            postgresql_where=sa.text(OLD_AWAITING),
        )
        batch_op.drop_column("returned_at")
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_review_comments_session_read")
        batch_op.drop_index(batch_op.f("ix_review_comments_author_id"))
    op.drop_table("review_comments")
