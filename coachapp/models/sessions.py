"""Sessions: a coach's contacts with a client, and the goals each addressed."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.crypto import EncryptedText
from coachapp.models.base import (
    ArchiveMixin,
    Base,
    TimestampMixin,
    VersionMixin,
    enum_check,
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
    review_comment: Mapped[str | None] = mapped_column(EncryptedText)

    client: Mapped[Client] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    goals: Mapped[list[Goal]] = relationship(secondary=session_goals)
