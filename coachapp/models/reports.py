"""Stored outcome reports, and the change counters that say when one is out of date.

A report is a pure function of the records, its scope and its period. ``ReportChange`` counts,
per calendar month, the committed changes to what reports read whose earliest date falls in
that month (``reports.store`` keeps the counts). A stored report carries the counts of every
month up to its period's end as they were *before* it was computed; it is served only while
they are unchanged. So a session logged today leaves last year's report stored, and a session
backdated into that year makes it computed again.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coachapp.models.base import Base, utcnow


class ReportChange(Base):
    __tablename__ = "report_changes"

    # The first day of a month; 1900-01-01 for changes that touch every period (a client
    # moved to another coach, a coach deactivated, rows written in bulk).
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    changes: Mapped[int] = mapped_column(Integer, default=0)


class StoredReport(Base):
    __tablename__ = "stored_reports"
    __table_args__ = (
        UniqueConstraint("scope_key", "start", "end", "definitions", name="report_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "program=1", "program=1;supervisor=5" or "program=1;coach=7".
    scope_key: Mapped[str] = mapped_column(String(80))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    # reports.store.DEFINITIONS when it was computed: a release that changes a definition
    # changes it, and no report of the old definitions is served again.
    definitions: Mapped[str] = mapped_column(String(40))
    # "<number of month rows>:<sum of their counts>" up to ``end``, read before computing.
    changes_token: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)  # the report as JSON: figures, no client data
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredReport {self.id}>"


class StoredReportPage(Base):
    """The report page's rendered body for a stored report: the figures' tables, charts' data
    and links, as HTML (no client data: what the stored figures hold, laid out). Served while
    its ``changes_token`` is the stored figures' (``reports.store.stored_page``)."""

    __tablename__ = "stored_report_pages"
    __table_args__ = (
        UniqueConstraint("scope_key", "start", "end", "variant", name="report_page_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scope_key: Mapped[str] = mapped_column(String(80))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    # A digest of what else the body depends on: the templates' and the page code's version,
    # the figures' definitions, and the variant seen (the role's view, the group shown, the
    # period's name).
    variant: Mapped[str] = mapped_column(String(64))
    # The stored figures' token (their changes and the follow-up rates' day) when rendered.
    changes_token: Mapped[str] = mapped_column(String(60))
    # UTF-8: served as the bytes it is kept as (no decoding, no encoding again)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<StoredReportPage {self.id}>"
