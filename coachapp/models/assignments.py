"""Who holds a client over time (the assignment history), and the two temporary grants of
access: covering assignments and admin break-the-glass."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.crypto import EncryptedText
from coachapp.models.base import Base, utcnow

if TYPE_CHECKING:
    from coachapp.models.clients import Client
    from coachapp.models.users import User


class CoveringAssignment(Base):
    """Vacation cover: ``covering_user`` may reach ``client`` (or, with no client, every client of
    ``coach``) from ``starts_on`` to ``ends_on`` inclusive; it ends by itself."""

    __tablename__ = "covering_assignments"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        Index("ix_covering_assignments_user_dates", "covering_user_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    covering_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # ended early

    covering_user: Mapped[User] = relationship(foreign_keys=[covering_user_id])
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    client: Mapped[Client | None] = relationship()


class BreakGlassAccess(Base):
    """An admin's reasoned, time-limited opening of one client record, for review."""

    __tablename__ = "break_glass_accesses"
    __table_args__ = (Index("ix_break_glass_accesses_user_expires", "user_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    client: Mapped[Client] = relationship()


class ClientAssignment(Base):
    """One row of a client's assignment history (metrics.md, "Credit to coaches"): ``coach``
    held the client from ``starts_on`` (inclusive) to ``ends_on`` (exclusive; empty while
    open). A reassignment closes the open row and opens the next one, with the reason and an
    optional hand-off note for the receiving coach (encrypted: it is about the client). A
    covering assignment changes nothing here."""

    __tablename__ = "client_assignments"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
        Index("ix_client_assignments_client_starts", "client_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    handoff_note: Mapped[str | None] = mapped_column(EncryptedText)
    # When the receiving coach marked the hand-off note read (until then it is one of their tasks).
    handoff_read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
