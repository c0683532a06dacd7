"""The claims worksheet as a table: its columns and rows, shared by the downloads (CSV, XLSX)
and ``flask billing worksheet``. Every cell goes through ``spreadsheets`` (formula-neutralised)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from coachapp import spreadsheets
from coachapp.billing import services

LINE_COLUMNS = [
    spreadsheets.Column("client_code", "Client code"),
    spreadsheets.Column("client_name", "Client name", width=24),
    spreadsheets.Column("member_id", "Member id", width=16),
    spreadsheets.Column("date_of_service", "Date of service", spreadsheets.DATE),
    spreadsheets.Column("code", "Code"),
    spreadsheets.Column("modifiers", "Modifiers"),
    spreadsheets.Column("units", "Units", spreadsheets.COUNT),
    spreadsheets.Column("place_of_service", "Place of service"),
    spreadsheets.Column("coach_id", "Rendering coach id", spreadsheets.COUNT),
    spreadsheets.Column("coach_name", "Rendering coach", width=24),
    spreadsheets.Column("session_id", "Session id", spreadsheets.COUNT),
]
NOT_BILLABLE_COLUMNS = [
    spreadsheets.Column("session_id", "Session id", spreadsheets.COUNT),
    spreadsheets.Column("client_code", "Client code"),
    spreadsheets.Column("date_of_service", "Date of service", spreadsheets.DATE),
    spreadsheets.Column("reason", "Reason", width=36),
]


def line_rows(sheet: services.Worksheet) -> Iterator[list[Any]]:
    for line in sheet.lines:
        yield [
            line.client_code,
            line.client_name,
            line.member_id,
            line.date_of_service,
            line.code,
            " ".join(line.modifiers),
            line.units,
            line.place_of_service,
            line.coach_id,
            line.coach_name,
            line.session_id,
        ]


def not_billable_rows(sheet: services.Worksheet) -> Iterator[list[Any]]:
    for item in sheet.not_billable:
        yield [item.session_id, item.client_code, item.date_of_service, item.reason]
