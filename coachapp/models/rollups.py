"""Report rollups: the sums reports read, kept up to date in the transaction of each change.

``ReportClientMonth`` holds, per client, calendar month and assignment span (the coach who held
the client, from ``span_lo``), the counts of that client's sessions and appointments dated in
the month. ``ReportCoachMonth`` is their sum per program, coach and month over the clients that
count in reports (not archived, not merged away). ``coachapp.reports.rollups`` recomputes a
client's rows whenever a transaction changes what they are made of, and adjusts the coach-month
sums by the difference; ``flask reports rebuild`` recomputes both from scratch. Reports read
them for whole months and the records themselves for the days of a period around them.
``ReportEpisode`` keeps, per enrollment episode, what time to first contact and retention
need of it, whatever the period.

``ReportRollupStatus`` says whether the rollups can be read: a database upgraded with records
already in it has them empty until ``flask reports rebuild`` (reports are computed from the
records meanwhile).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from coachapp.models.base import Base

# The counts each rollup row carries, in this order (``coachapp.reports.rollups`` fills them).
ROLLUP_COUNTS = (
    "sessions_completed",
    "sessions_attempted",
    "minutes_completed",
    "appointments_total",
    "appointments_attended",
    "appointments_no_show",
    "appointments_cancelled",
    "appointments_rescheduled",
    "appointments_pending",
    "appointments_accompanied",
    "appointments_rated",
    "appointments_no_show_planned",
    "appointments_rated_planned",
    "appointments_no_show_unplanned",
    "appointments_rated_unplanned",
)


class _Counts:
    sessions_completed: Mapped[int] = mapped_column(Integer, default=0)
    sessions_attempted: Mapped[int] = mapped_column(Integer, default=0)
    minutes_completed: Mapped[int] = mapped_column(Integer, default=0)
    appointments_total: Mapped[int] = mapped_column(Integer, default=0)
    appointments_attended: Mapped[int] = mapped_column(Integer, default=0)
    appointments_no_show: Mapped[int] = mapped_column(Integer, default=0)
    appointments_cancelled: Mapped[int] = mapped_column(Integer, default=0)
    appointments_rescheduled: Mapped[int] = mapped_column(Integer, default=0)
    appointments_pending: Mapped[int] = mapped_column(Integer, default=0)
    appointments_accompanied: Mapped[int] = mapped_column(Integer, default=0)
    appointments_rated: Mapped[int] = mapped_column(Integer, default=0)
    appointments_no_show_planned: Mapped[int] = mapped_column(Integer, default=0)
    appointments_rated_planned: Mapped[int] = mapped_column(Integer, default=0)
    appointments_no_show_unplanned: Mapped[int] = mapped_column(Integer, default=0)
    appointments_rated_unplanned: Mapped[int] = mapped_column(Integer, default=0)


class ReportClientMonth(_Counts, Base):
    __tablename__ = "report_client_months"
    __table_args__ = (
        # Engagement by month: "a completed session in this month" for every client at once.
        Index("ix_report_client_months_month", "month", "client_id"),
    )

    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # its first day
    # The span of the assignment history holding the client on the records' dates
    # (``reports.credit.held_spans``): its first day and its coach.
    span_lo: Mapped[date] = mapped_column(Date, primary_key=True)
    coach_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The client's program and whether they count in reports, when the row was computed: the
    # coach-month sums hold exactly the rows with ``counted`` true.
    program_id: Mapped[int] = mapped_column(Integer)
    counted: Mapped[bool] = mapped_column(Boolean)


class ReportCoachMonth(_Counts, Base):
    __tablename__ = "report_coach_months"

    program_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    coach_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)


class ReportEpisode(Base):
    """One row per enrollment episode: its intake, the span holding the client on the intake
    date, and what ``reports.sources.episode_facts`` computes of it."""

    __tablename__ = "report_episodes"
    __table_args__ = (Index("ix_report_episodes_program_intake", "program_id", "intake_date"),)

    enrollment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The span holding the client on the intake date (one: spans do not overlap, which the
    # reassignment rules keep; in the key so that a history that broke that rule cannot stop
    # a commit).
    span_lo: Mapped[date] = mapped_column(Date, primary_key=True)
    coach_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(Integer, index=True)
    program_id: Mapped[int] = mapped_column(Integer)
    counted: Mapped[bool] = mapped_column(Boolean)
    intake_date: Mapped[date] = mapped_column(Date)
    first_contact: Mapped[date | None] = mapped_column(Date)
    retained_30: Mapped[bool] = mapped_column(Boolean)
    retained_60: Mapped[bool] = mapped_column(Boolean)
    retained_90: Mapped[bool] = mapped_column(Boolean)


class ReportRollupStatus(Base):
    __tablename__ = "report_rollup_status"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    # True from an upgrade of a database that had records until ``flask reports rebuild``.
    needs_rebuild: Mapped[bool] = mapped_column(Boolean, default=False)
