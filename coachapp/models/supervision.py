"""Supervision notes, the coaches each names (with their acknowledgement) and clients discussed."""

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
from coachapp.models.enums import SupervisionFormat

if TYPE_CHECKING:
    from coachapp.models.clients import Client
    from coachapp.models.users import User

supervision_note_clients = Table(
    "supervision_note_clients",
    Base.metadata,
    Column("note_id", Integer, ForeignKey("supervision_notes.id"), primary_key=True),
    Column("client_id", Integer, ForeignKey("clients.id"), primary_key=True, index=True),
)


class SupervisionNote(ArchiveMixin, VersionMixin, TimestampMixin, Base):
    __tablename__ = "supervision_notes"
    __table_args__ = (
        enum_check("format", SupervisionFormat),
        CheckConstraint("duration_minutes >= 1 AND duration_minutes <= 720", name="duration_range"),
        Index("ix_supervision_notes_supervisor_date", "supervisor_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20))
    topics: Mapped[str | None] = mapped_column(EncryptedText)
    note: Mapped[str | None] = mapped_column(EncryptedText)
    action_items: Mapped[str | None] = mapped_column(EncryptedText)

    supervisor: Mapped[User] = relationship(foreign_keys=[supervisor_id])
    coach_links: Mapped[list[SupervisionNoteCoach]] = relationship(back_populates="note")
    clients: Mapped[list[Client]] = relationship(secondary=supervision_note_clients)


class SupervisionNoteCoach(Base):
    """A coach named on a supervision note, and when they acknowledged reading it."""

    __tablename__ = "supervision_note_coaches"
    __table_args__ = (Index("ix_supervision_note_coaches_coach_note", "coach_id", "note_id"),)

    note_id: Mapped[int] = mapped_column(ForeignKey("supervision_notes.id"), primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    note: Mapped[SupervisionNote] = relationship(back_populates="coach_links")
    coach: Mapped[User] = relationship()
