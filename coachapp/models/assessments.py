"""BARC-10 recovery-capital assessments (Vilsaint et al. 2017)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coachapp.models.base import ArchiveMixin, Base, TimestampMixin

if TYPE_CHECKING:
    from coachapp.models.clients import Client

BARC10_STATEMENTS = (
    "There are more important things to me in life than using substances.",
    "In general I am happy with my life.",
    "I have enough energy to complete the tasks I set myself.",
    "I am proud of the community I live in and feel part of it.",
    "I get lots of support from friends.",
    "I regard my life as challenging and fulfilling without the need for using drugs or alcohol.",
    "My living space has helped to drive my recovery journey.",
    "I take full responsibility for my actions.",
    "I am happy dealing with a range of professional people.",
    "I am making good progress on my recovery journey.",
)
BARC10_ANSWERS = (
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Somewhat disagree"),
    (4, "Somewhat agree"),
    (5, "Agree"),
    (6, "Strongly agree"),
)
BARC10_REMISSION_LINE = 47  # a total of 47 or more is associated with sustained remission
ITEM_COLUMNS = tuple(f"item{n}" for n in range(1, 11))


class Assessment(ArchiveMixin, TimestampMixin, Base):
    __tablename__ = "assessments"
    __table_args__ = (
        *(
            CheckConstraint(f"{col} >= 1 AND {col} <= 6", name=f"{col}_range")
            for col in ITEM_COLUMNS
        ),
        CheckConstraint(
            "total = item1 + item2 + item3 + item4 + item5 + item6 + item7 + item8 + item9"
            " + item10",
            name="total_is_sum",
        ),
        Index("ix_assessments_client_administered", "client_id", "administered_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    administered_on: Mapped[date] = mapped_column(Date)
    item1: Mapped[int] = mapped_column(Integer)
    item2: Mapped[int] = mapped_column(Integer)
    item3: Mapped[int] = mapped_column(Integer)
    item4: Mapped[int] = mapped_column(Integer)
    item5: Mapped[int] = mapped_column(Integer)
    item6: Mapped[int] = mapped_column(Integer)
    item7: Mapped[int] = mapped_column(Integer)
    item8: Mapped[int] = mapped_column(Integer)
    item9: Mapped[int] = mapped_column(Integer)
    item10: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)  # stored for reports; the CHECK keeps it honest

    client: Mapped[Client] = relationship()

    @property
    def items(self) -> list[int]:
        return [getattr(self, col) for col in ITEM_COLUMNS]
