"""Billing rules and changes: settings versions, and the month's claims worksheet.

No HTTP here. ``put_setting`` adds (or, for a date that already has one, replaces) a version of a
program's billing settings and writes the audit event; ``worksheet`` turns the month's billable
sessions into claim lines and a list of sessions that cannot be billed, each with its reason;
``record_download`` audits a worksheet download (ids, month and counts, never a member id)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from coachapp import audit, records, timeutil
from coachapp.billing import queries
from coachapp.billing.units import OVER_DAILY, OVER_MONTHLY, Service, apply_caps, units_for
from coachapp.disclosures import services as disclosure_services
from coachapp.extensions import db
from coachapp.limits import MAX_UNITS, PAYER_MAX
from coachapp.models import BillingSetting, Program, User
from coachapp.models.enums import AuditAction, DisclosureKind, SessionKind

SETTING_FIELDS = (
    "payer",
    "code",
    "group_modifier",
    "telehealth_modifier",
    "unit_minutes",
    "first_unit_minutes",
    "next_unit_minutes",
    "daily_cap_units",
    "monthly_cap_units",
    "cosign_required",
    "effective_from",
)
CODE_RE = re.compile(r"^[A-Z][0-9]{4}$")  # HCPCS level II, e.g. H0038
MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
WORKSHEET_PURPOSE = "payment (claims)"
TELEHEALTH_PLACES = frozenset({"02", "10"})  # CMS: telehealth elsewhere / in the home

# Reasons a billable session is listed apart, as the worksheet words them.
UNSIGNED = "unsigned"
NO_PLAN = "no plan"
PLAN_NOT_SIGNED = "plan not signed"
GOAL_NOT_ON_PLAN = "goal not on the plan"
MISSING_TIMES = "missing times or place of service"
MISSING_MEMBER_ID = "missing member id"
NO_SETTINGS = "no billing settings in force"
COSIGN_MISSING = "co-signature required but missing"
NOT_COMPLETED = "not a completed session"
TOO_SHORT = "too short for a unit"
# 42 CFR 2.33(b): the worksheet discloses the client's identity and services to the payer, which
# needs the client's TPO consent in force on the day it is made (a revocation stops later
# disclosures, even of services before it).
NO_CONSENT = "no consent to disclose to the payer"
REASONS = (
    NOT_COMPLETED,
    MISSING_TIMES,
    UNSIGNED,
    COSIGN_MISSING,
    NO_SETTINGS,
    MISSING_MEMBER_ID,
    NO_PLAN,
    PLAN_NOT_SIGNED,
    GOAL_NOT_ON_PLAN,
    NO_CONSENT,
    TOO_SHORT,
    OVER_DAILY,
    OVER_MONTHLY,
)


class BillingRuleError(records.RuleError):
    """The settings are refused; ``errors`` maps a field to its message."""


# --- Settings ------------------------------------------------------------------------------------


def setting_problems(data: dict) -> dict[str, str]:
    """What the rules refuse in a settings version (one message per field)."""
    problems: dict[str, str] = {}
    payer = (data.get("payer") or "").strip()
    if not payer:
        problems["payer"] = "Name the payer."
    elif len(payer) > PAYER_MAX:
        problems["payer"] = f"At most {PAYER_MAX} characters."
    if not CODE_RE.match(data.get("code") or ""):
        problems["code"] = "A HCPCS code is a letter and four digits, e.g. H0038."
    for name in ("group_modifier", "telehealth_modifier"):
        value = data.get(name)
        if value and not MODIFIER_RE.match(value):
            problems[name] = "A modifier is two letters or digits, e.g. HQ or 95."
    unit = data.get("unit_minutes")
    if not isinstance(unit, int) or not 1 <= unit <= 240:
        problems["unit_minutes"] = "A unit lasts 1 to 240 minutes."
        unit = None
    for name in ("first_unit_minutes", "next_unit_minutes"):
        value = data.get(name)
        if not isinstance(value, int) or value < 1:
            problems[name] = "At least 1 minute."
        elif unit is not None and value > unit:
            problems[name] = f"At most the unit's length ({unit} minutes)."
    for name in ("daily_cap_units", "monthly_cap_units"):
        value = data.get(name)
        if value is not None and (not isinstance(value, int) or not 1 <= value <= MAX_UNITS):
            problems[name] = f"A cap is 1 to {MAX_UNITS} units, or none."
    if not isinstance(data.get("effective_from"), date):
        problems["effective_from"] = "Give the date the settings apply from."
    return problems


def check_setting(data: dict) -> None:
    problems = setting_problems(data)
    if problems:
        raise BillingRuleError(problems)


def put_setting(program: Program, data: dict, *, actor: User) -> BillingSetting:
    """Add a version of ``program``'s billing settings in force from ``data["effective_from"]``;
    a version already starting that day is replaced (one version per date). Audited with
    field names only."""
    check_setting(data)
    values = {key: data.get(key) for key in SETTING_FIELDS}
    values["payer"] = values["payer"].strip()
    values["cosign_required"] = bool(values.get("cosign_required"))
    for name in ("group_modifier", "telehealth_modifier"):
        values[name] = values[name] or None
    setting = queries.setting_of(program.id, values["effective_from"])
    replaced = setting is not None
    if setting is None:
        setting = BillingSetting(program_id=program.id)
        db.session.add(setting)
    for key, value in values.items():
        setattr(setting, key, value)
    setting.created_by_id = actor.id
    db.session.flush()
    audit.record(
        AuditAction.UPDATE if replaced else AuditAction.CREATE,
        actor=actor,
        entity_type="billing_setting",
        entity_id=setting.id,
        fields=list(SETTING_FIELDS),
        detail=f"program {program.id}",
    )
    return setting


# --- The worksheet -------------------------------------------------------------------------


def parse_month(value: str | None) -> tuple[date, date] | None:
    """``YYYY-MM`` as its first and last day; None for anything else."""
    match = MONTH_RE.match(value or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 9999):
        return None
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def last_month(program: Program | None) -> str:
    """The month before this one where the program is, as ``YYYY-MM``."""
    first = timeutil.local_today(program).replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


@dataclass
class Line:
    session_id: int
    client_id: int
    client_code: str
    client_name: str
    member_id: str
    date_of_service: date
    code: str
    modifiers: list[str]
    units: int
    place_of_service: str
    coach_id: int
    coach_name: str


@dataclass
class NotBillable:
    session_id: int
    client_code: str
    date_of_service: date
    reason: str


@dataclass
class Worksheet:
    program_id: int
    month: str
    lines: list[Line] = field(default_factory=list)
    not_billable: list[NotBillable] = field(default_factory=list)
    # The TPO consent each client on a line is disclosed under: client id -> consent id.
    consents: dict[int, int] = field(default_factory=dict)


def _minutes(row: queries.SessionRow) -> int:
    start = row.start_time.hour * 60 + row.start_time.minute  # type: ignore[union-attr]
    end = row.end_time.hour * 60 + row.end_time.minute  # type: ignore[union-attr]
    return end - start


def _local_date(moment: datetime, zone: ZoneInfo) -> date:
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).date()


def _plan_reason(row: queries.SessionRow, data: queries.MonthData, zone: ZoneInfo) -> str | None:
    """No plan, plan not signed, or goal not on the plan; None when the session's goals are all
    on the plan current that day (COMMON: the most recently signed version of the episode
    covering the day whose signed moment's date is on or before it)."""
    episode = None
    for candidate in data.episodes.get(row.client_id, ()):
        if candidate.intake_date <= row.date and (
            candidate.discharge_date is None or candidate.discharge_date >= row.date
        ):
            episode = candidate  # the latest intake covering the day
    versions = data.plans.get(episode.id, []) if episode else []
    current, current_moment = None, None
    for plan in versions:
        if plan.signed_by_client_at is None or plan.signed_by_coach_at is None:
            continue
        moment = max(_as_aware(plan.signed_by_client_at), _as_aware(plan.signed_by_coach_at))
        # In number order, so of two signed at the same moment the later version wins (as in
        # plans.queries.current_plans_query).
        if _local_date(moment, zone) <= row.date and (
            current_moment is None or moment >= current_moment
        ):
            current, current_moment = plan, moment
    if current is None:
        return PLAN_NOT_SIGNED if versions else NO_PLAN
    if not row.goal_ids or not row.goal_ids <= current.goal_ids:
        return GOAL_NOT_ON_PLAN
    return None


def _as_aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def payer_consents(data: queries.MonthData, today: date) -> dict[int, int]:
    """Client id -> the TPO consent a disclosure to the payer made ``today`` rests on: of the
    client's TPO consents in force today, the latest signed (then the latest recorded)."""
    # Imported here: consents.services imports disclosures, whose record copy reaches the
    # clients' pages, which import billing (a cycle at start-up otherwise).
    from coachapp.consents.services import in_force

    found: dict[int, int] = {}
    for client_id, consents in data.tpo_consents.items():
        for consent in consents:  # signing order: the last in force wins
            if in_force(consent, today):
                found[client_id] = consent.id
    return found


def worksheet(user: User, program: Program, month: str) -> Worksheet:
    """The claims worksheet of ``program`` for ``month`` (``YYYY-MM``, program-local dates):
    one line per billable signed session that can be billed, units by the settings version in
    force on the date of service and after the daily and monthly caps per client; every other
    billable session apart with its first reason (in the order of ``REASONS``). Archived
    sessions are left out. A line needs the client's TPO consent in force on the program's
    today (the day the worksheet is made and sent), whatever the date of service; a session
    refused for it takes no units from the caps."""
    first, last = parse_month(month) or (None, None)
    if first is None or last is None:
        raise ValueError("month must be YYYY-MM")
    sheet = Worksheet(program_id=program.id, month=month)
    versions = queries.setting_versions(program.id)
    data = queries.month_data(user, program.id, first, last)
    zone = timeutil.zone(program)
    consents = payer_consents(data, timeutil.local_today(program))
    candidates: list[tuple[queries.SessionRow, BillingSetting, int]] = []
    refused: dict[int, str] = {}
    for row in data.sessions:
        setting = queries.setting_on(versions, row.date)
        reason = None
        if row.outcome != "completed":
            reason = NOT_COMPLETED
        elif (
            row.start_time is None
            or row.end_time is None
            or not row.place_of_service
            or _minutes(row) <= 0
        ):
            reason = MISSING_TIMES
        elif row.signed_at is None:
            reason = UNSIGNED
        elif setting is not None and setting.cosign_required and row.cosigned_at is None:
            reason = COSIGN_MISSING
        elif setting is None:
            reason = NO_SETTINGS
        elif not row.member_id:
            reason = MISSING_MEMBER_ID
        else:
            reason = _plan_reason(row, data, zone)
        if reason is None and row.client_id not in consents:
            reason = NO_CONSENT
        if reason is None:
            units = units_for(_minutes(row), setting)  # type: ignore[arg-type]
            if units == 0:
                reason = TOO_SHORT
            else:
                candidates.append((row, setting, units))  # type: ignore[arg-type]
        if reason is not None:
            refused[row.id] = reason
    capped = apply_caps(
        Service(
            key=row.id,
            client=row.client_id,
            day=row.date,
            month=month,
            order=(row.start_time, row.id),
            units=units,
            daily_cap=setting.daily_cap_units,
            monthly_cap=setting.monthly_cap_units,
        )
        for row, setting, units in candidates
    )
    for row, setting, _units in candidates:
        result = capped[row.id]
        if result.units == 0:
            refused[row.id] = result.reason or TOO_SHORT
            continue
        modifiers = []
        is_group = row.kind == SessionKind.GROUP or (row.group_size or 0) >= 2
        if is_group and setting.group_modifier:
            modifiers.append(setting.group_modifier)
        if row.place_of_service in TELEHEALTH_PLACES and setting.telehealth_modifier:
            modifiers.append(setting.telehealth_modifier)
        sheet.lines.append(
            Line(
                session_id=row.id,
                client_id=row.client_id,
                client_code=row.client_code,
                client_name=row.client_name,
                member_id=row.member_id or "",
                date_of_service=row.date,
                code=setting.code,
                modifiers=modifiers,
                units=result.units,
                place_of_service=row.place_of_service or "",
                coach_id=row.coach_id,
                coach_name=row.coach_name,
            )
        )
    sheet.consents = {line.client_id: consents[line.client_id] for line in sheet.lines}
    for row in data.sessions:
        if row.id in refused:
            sheet.not_billable.append(
                NotBillable(row.id, row.client_code, row.date, refused[row.id])
            )
    sheet.lines.sort(key=lambda line: (line.date_of_service, line.client_code, line.session_id))
    # Python's order, not the database's (NULL start times sort apart on SQLite and PostgreSQL).
    sheet.not_billable.sort(
        key=lambda item: (item.date_of_service, item.client_code, item.session_id)
    )
    return sheet


def carries_claim_lines(fmt: str) -> bool:
    """Whether a worksheet of format ``fmt`` (as ``record_download`` gets it) leaves the
    program with its claim lines (client names, member ids) for the payer: the CSV of lines,
    the XLSX, the API's and the CLI's JSON and CSV of lines. The page is read by the program's
    own billing staff (a use within the program, not a disclosure); the CSV of sessions not
    billable carries client codes and reasons only."""
    words = fmt.split()
    if words == ["page"]:
        return False
    return "json" in words or "not_billable" not in words


def record_download(sheet: Worksheet, *, actor: User, fmt: str) -> None:
    """Audit a worksheet download: program, month, format and counts (never a member id). A
    download that carries the claim lines is also a disclosure to the payer of each client on
    it (42 CFR 2.24): one per client and payer in force on their dates of service, each with
    the client's TPO consent it rests on (``sheet.consents``), added in one insert."""
    if carries_claim_lines(fmt) and sheet.lines:
        versions = queries.setting_versions(sheet.program_id)
        recipients = []
        for line in sheet.lines:
            setting = queries.setting_on(versions, line.date_of_service)
            if setting is not None:
                recipients.append((line.client_id, setting.payer))
        disclosure_services.record_many(
            DisclosureKind.EXPORT,
            recipients,
            purpose=WORKSHEET_PURPOSE,
            what=f"billing worksheet {sheet.month}: dates of service, codes, units, member id",
            actor=actor,
            consents=sheet.consents,
        )
    audit.record(
        AuditAction.EXPORT,
        actor=actor,
        entity_type="billing_worksheet",
        entity_id=sheet.program_id,
        detail=(
            f"worksheet {fmt} program {sheet.program_id} month {sheet.month} "
            f"lines {len(sheet.lines)} not_billable {len(sheet.not_billable)}"
        ),
    )
