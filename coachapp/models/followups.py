"""SUPRT follow-up interviews (SAMHSA's data collection that replaced GPRA on 2025-10-01): that
an episode's baseline, six-month or closeout interview was done, and on which day. The
instrument itself is kept elsewhere; the schedule (windows and states) is computed, never
stored (``coachapp.followups.schedule``).

One live row per (episode, kind): a mistake is archived (with its reason) and recorded again.
The partial unique index enforces it on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.models.base import ArchiveMixin, Base, TimestampMixin, enum_check
from coachapp.models.enums import InterviewKind

if TYPE_CHECKING:
    from coachapp.models.clients import Client, Enrollment


class FollowUpInterview(ArchiveMixin, TimestampMixin, Base):
    """One SUPRT interview done for an enrollment episode. ``client_id`` is the episode's
    client, kept here so the access rule reaches the row like every client-linked record."""

    __tablename__ = "follow_up_interviews"
    __table_args__ = (
        enum_check("kind", InterviewKind),
        Index(
            "uq_follow_up_interviews_live",
            "enrollment_id",
            "kind",
            unique=True,
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    done_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    client: Mapped[Client] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
