"""Appointments a client has, and whether the coach planned to go along and did."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String
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
from coachapp.models.enums import AppointmentKind, AppointmentOutcome

if TYPE_CHECKING:
    from coachapp.models.clients import Client
    from coachapp.models.resources import Resource
    from coachapp.models.users import User


class Appointment(ArchiveMixin, VersionMixin, TimestampMixin, Base):
    __tablename__ = "appointments"
    __table_args__ = (
        enum_check("kind", AppointmentKind),
        enum_check("outcome", AppointmentOutcome),
        Index("ix_appointments_client_scheduled", "client_id", "scheduled_at"),
        Index("ix_appointments_coach_scheduled", "coach_id", "scheduled_at"),
        Index("ix_appointments_scheduled_outcome", "scheduled_at", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Wall-clock time in the program's time zone (naive): an appointment "at 9:00" stays at 9:00
    # across daylight-saving changes, and its reporting date is simply the date part.
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    kind: Mapped[str] = mapped_column(String(20))
    location: Mapped[str | None] = mapped_column(String(300))  # where / with whom, free text
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"), index=True)
    accompaniment_planned: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(20), default=AppointmentOutcome.SCHEDULED)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    coach_accompanied: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(EncryptedText)

    client: Mapped[Client] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    resource: Mapped[Resource | None] = relationship()


class CalendarFeedToken(Base):
    """A user's secret calendar subscription address. Only the token's SHA-256 is stored; the
    address is shown once. Regenerating revokes the old one; a revoked token answers 404."""

    __tablename__ = "calendar_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()
