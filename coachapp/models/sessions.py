"""Sessions: a coach's contacts with a client, and the goals each addressed."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Time,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.crypto import EncryptedText
from coachapp.models.base import (
    ArchiveMixin,
    Base,
    TimestampMixin,
    VersionMixin,
    enum_check,
    utcnow,
)
from coachapp.models.enums import Modality, SessionKind, SessionOutcome

if TYPE_CHECKING:
    from coachapp.models.clients import Client
    from coachapp.models.goals import Goal
    from coachapp.models.users import User

session_goals = Table(
    "session_goals",
    Base.metadata,
    Column("session_id", Integer, ForeignKey("sessions.id"), primary_key=True),
    Column("goal_id", Integer, ForeignKey("goals.id"), primary_key=True, index=True),
)


# The conditions of the partial indexes below, as the queries spell them (team.queries).
AWAITING_REVIEW = (
    "reviewed_at IS NULL AND returned_at IS NULL AND note IS NOT NULL AND archived_at IS NULL"
)
HAS_REVIEW_COMMENT = "review_comment IS NOT NULL"
RETURNED = "returned_at IS NOT NULL AND archived_at IS NULL"


class CoachingSession(ArchiveMixin, VersionMixin, TimestampMixin, Base):
    """A contact (product.md calls them sessions); named so it never shadows ``db.session``."""

    __tablename__ = "sessions"
    __table_args__ = (
        enum_check("modality", Modality),
        enum_check("kind", SessionKind),
        enum_check("outcome", SessionOutcome),
        CheckConstraint("duration_minutes >= 1 AND duration_minutes <= 720", name="duration_range"),
        Index("ix_sessions_client_date", "client_id", "date"),
        Index("ix_sessions_coach_date", "coach_id", "date"),
        Index("ix_sessions_date_outcome", "date", "outcome"),
        # Notes waiting for a supervisor's sign-off (the team dashboard, the review queue): a
        # small partial index instead of every session of the team's history.
        Index(
            "ix_sessions_awaiting_review",
            "client_id",
            sqlite_where=text(AWAITING_REVIEW),
            postgresql_where=text(AWAITING_REVIEW),
        ),
        # A coach's recent sign-off comments (their caseload page), newest first.
        Index(
            "ix_sessions_coach_review_comment",
            "coach_id",
            "reviewed_at",
            sqlite_where=text(HAS_REVIEW_COMMENT),
            postgresql_where=text(HAS_REVIEW_COMMENT),
        ),
        # Notes returned for revision, per coach (the coach's task list): a handful at a time.
        Index(
            "ix_sessions_coach_returned",
            "coach_id",
            sqlite_where=text(RETURNED),
            postgresql_where=text(RETURNED),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    modality: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    next_steps: Mapped[str | None] = mapped_column(EncryptedText)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The sign-off comment, also the thread's ``sign_off`` entry (kept for what reads it here).
    review_comment: Mapped[str | None] = mapped_column(EncryptedText)
    # Returned for revision: out of the review queue until the coach edits the session.
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Billable documentation (issue: recovery plans and billable notes). With both times set,
    # duration_minutes is computed from them.
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    end_time: Mapped[dt.time | None] = mapped_column(Time)
    place_of_service: Mapped[str | None] = mapped_column(String(2))  # CMS two-digit code
    billable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    group_size: Mapped[int | None] = mapped_column(Integer)  # clients in a group session
    # Signed by the coach (with the credential held that day): read-only from then on, changed
    # only by dated addenda. A supervisor's co-signature where the program requires one.
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    signed_credential: Mapped[str | None] = mapped_column(String(100))
    cosigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cosigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    client: Mapped[Client] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    goals: Mapped[list[Goal]] = relationship(secondary=session_goals)
    review_comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="session", order_by="ReviewComment.id"
    )
    addenda: Mapped[list[SessionAddendum]] = relationship(
        back_populates="session", order_by="SessionAddendum.id"
    )

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class ReviewCommentKind(StrEnum):
    SIGN_OFF = "sign_off"  # the supervisor signed the note off, with a comment
    RETURNED = "returned"  # the supervisor returned the note for revision (comment required)
    REPLY = "reply"  # the session's coach answered


class ReviewComment(Base):
    """One entry of a session's review thread: a supervisor's sign-off comment, a return for
    revision, or the coach's reply. ``read_at``: when the session's coach read a supervisor's
    entry (a coach's own reply is read when written). Reached through its session, so only
    those who may see the client see the thread."""

    __tablename__ = "review_comments"
    __table_args__ = (
        enum_check("kind", ReviewCommentKind),
        # A coach's unread comments (the task list): the sessions' coach is joined in.
        Index("ix_review_comments_session_read", "session_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    session: Mapped[CoachingSession] = relationship(back_populates="review_comments")
    author: Mapped[User] = relationship()


class SessionAddendum(Base):
    """A dated correction to a signed session note: who, when, why. The note stays as signed;
    addenda show under it."""

    __tablename__ = "session_addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(EncryptedText)
    reason: Mapped[str] = mapped_column(EncryptedText)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    session: Mapped[CoachingSession] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()
