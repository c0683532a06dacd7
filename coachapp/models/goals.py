"""Recovery goals a coach sets with a client."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.crypto import EncryptedText
from coachapp.models.base import ArchiveMixin, Base, TimestampMixin, VersionMixin, enum_check
from coachapp.models.enums import GoalDomain, GoalStatus

if TYPE_CHECKING:
    from coachapp.models.clients import Client


class Goal(ArchiveMixin, VersionMixin, TimestampMixin, Base):
    __tablename__ = "goals"
    __table_args__ = (
        enum_check("domain", GoalDomain),
        enum_check("status", GoalStatus),
        Index("ix_goals_client_opened", "client_id", "opened_on"),
        Index("ix_goals_client_closed", "client_id", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    domain: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(EncryptedText)
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=GoalStatus.ACTIVE)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    client: Mapped[Client] = relationship()
