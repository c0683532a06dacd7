"""Referrals (linkages) of a client to a resource, and every status change with its date."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Index, String
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
from coachapp.models.enums import ReferralStatus, ResourceCategory

if TYPE_CHECKING:
    from coachapp.models.clients import Client
    from coachapp.models.resources import Resource
    from coachapp.models.users import User


class Referral(ArchiveMixin, VersionMixin, TimestampMixin, Base):
    __tablename__ = "referrals"
    __table_args__ = (
        enum_check("status", ReferralStatus),
        enum_check("category", ResourceCategory),
        Index("ix_referrals_client_referred", "client_id", "referred_on"),
        Index("ix_referrals_coach_referred", "coach_id", "referred_on"),
        Index("ix_referrals_status_referred", "status", "referred_on"),
        # A client's waiting referrals (the caseload's "referral waiting" alert and counts).
        Index("ix_referrals_client_status_referred", "client_id", "status", "referred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    # The resource's category when the referral was made: reports stay reproducible even if the
    # directory entry is re-categorised later.
    category: Mapped[str] = mapped_column(String(30))
    referred_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ReferralStatus.REFERRED)
    connected_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(EncryptedText)

    client: Mapped[Client] = relationship()
    coach: Mapped[User] = relationship(foreign_keys=[coach_id])
    resource: Mapped[Resource] = relationship()
    history: Mapped[list[ReferralStatusChange]] = relationship(
        back_populates="referral",
        order_by="(ReferralStatusChange.changed_on, ReferralStatusChange.id)",
    )


class ReferralStatusChange(Base):
    """One dated status of a referral; the first row is the referral itself."""

    __tablename__ = "referral_status_changes"
    __table_args__ = (enum_check("status", ReferralStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    changed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    referral: Mapped[Referral] = relationship(back_populates="history")
