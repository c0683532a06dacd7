"""Recovery plans: one per enrollment episode, in numbered versions. A version signed by both
the client and the coach is frozen (read-only, the episode's current plan); the next edit starts
version N+1 while N stays readable."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.crypto import EncryptedText
from coachapp.models.base import Base, TimestampMixin, VersionMixin, enum_check
from coachapp.models.enums import PlanStatus, SignatureMethod

if TYPE_CHECKING:
    from coachapp.models.clients import Client, Enrollment
    from coachapp.models.goals import Goal
    from coachapp.models.users import User

recovery_plan_goals = Table(
    "recovery_plan_goals",
    Base.metadata,
    Column("plan_id", Integer, ForeignKey("recovery_plans.id"), primary_key=True),
    Column("goal_id", Integer, ForeignKey("goals.id"), primary_key=True, index=True),
)


class RecoveryPlan(VersionMixin, TimestampMixin, Base):
    """One version of an episode's person-centred recovery plan. ``version`` (the mixin's
    optimistic-locking counter) is not the plan's number: that is ``number``."""

    __tablename__ = "recovery_plans"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "number", name="enrollment_number"),
        enum_check("status", PlanStatus),
        enum_check("client_signature_method", SignatureMethod, nullable=True),
        enum_check("coach_signature_method", SignatureMethod, nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)  # 1, 2, ... within the episode
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.DRAFT)
    strengths: Mapped[str | None] = mapped_column(EncryptedText)
    barriers: Mapped[str | None] = mapped_column(EncryptedText)
    supports: Mapped[str | None] = mapped_column(EncryptedText)
    review_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The client's signature: when, how, the typed name and (drawn) the PNG data URL.
    signed_by_client_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    client_signature_method: Mapped[str | None] = mapped_column(String(10))
    client_signature_name: Mapped[str | None] = mapped_column(EncryptedText)
    client_signature_image: Mapped[str | None] = mapped_column(EncryptedText)
    # The coach's signature, with the credential they held when signing.
    signed_by_coach_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    coach_signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    coach_signature_method: Mapped[str | None] = mapped_column(String(10))
    coach_signature_name: Mapped[str | None] = mapped_column(EncryptedText)
    coach_signature_image: Mapped[str | None] = mapped_column(EncryptedText)
    coach_credential: Mapped[str | None] = mapped_column(String(100))
    # The goals' descriptions as signed (JSON: {"goal id": "description"}), kept when both
    # have signed: a goal edited later leaves the signed version as it was.
    signed_goals: Mapped[str | None] = mapped_column(EncryptedText)

    client: Mapped[Client] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    goals: Mapped[list[Goal]] = relationship(secondary=recovery_plan_goals)
    steps: Mapped[list[RecoveryPlanStep]] = relationship(
        back_populates="plan", order_by="RecoveryPlanStep.position", cascade="all, delete-orphan"
    )
    coach_signer: Mapped[User | None] = relationship(foreign_keys=[coach_signer_id])

    @property
    def is_frozen(self) -> bool:
        return self.status != PlanStatus.DRAFT


class RecoveryPlanStep(Base):
    """An action step of a plan version: what, who does it, by when."""

    __tablename__ = "recovery_plan_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("recovery_plans.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    action: Mapped[str] = mapped_column(EncryptedText)
    who: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[RecoveryPlan] = relationship(back_populates="steps")
