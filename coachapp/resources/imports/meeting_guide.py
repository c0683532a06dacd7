"""Importing a Meeting Guide JSON feed: meetings (with their groups) of one source."""

from __future__ import annotations

import hashlib
import json
import re
import zoneinfo
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

from sqlalchemy import select

from coachapp.extensions import db
from coachapp.limits import (
    MAX_EXTERNAL_ID,
    MAX_IMPORTED_DESCRIPTION,
    MAX_LINE,
    MAX_PHONE,
    MAX_TIMEZONE,
)
from coachapp.models import Organization, Resource, ResourceSource
from coachapp.models.enums import MeetingFormat, MeetingModel, ResourceCategory
from coachapp.resources.imports.common import (
    TIME_RE,
    ImportReport,
    InputError,
    RowError,
    _check_length,
    _date,
    _email,
    _existing,
    _imported,
    _refuse_empty,
    _retire_missing,
    _today,
    _upsert,
    _web_address,
    source_for,
)
from coachapp.resources.imports.hsds_files import (
    AM_PM_RE,
)
from coachapp.resources.imports.meeting_types import (
    CLOSED_TEMPORARILY,
    KNOWN_TYPES,
    LANGUAGES,
    ONLINE_TYPE,
    PROGRAMS,
    TYPE_LABELS,
)
from coachapp.resources.queries import schedule_text


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RowError(f"{key} must be text")
    text = str(value).strip()
    if "\x00" in text:
        raise RowError("contains a character that cannot be stored (NUL)")
    return text


def _days(value) -> list[int]:
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    days = []
    for item in items:
        if isinstance(item, bool):
            raise RowError("day must be 0 (Sunday) to 6 (Saturday), or a list of them")
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if not isinstance(item, int) or not 0 <= item <= 6:
            raise RowError("day must be 0 (Sunday) to 6 (Saturday), or a list of them")
        days.append(item)
    return sorted(set(days))


def _time(key: str, value: str) -> time | None:
    """A meeting time: HH:MM as the spec says, or an unambiguous 12-hour time ("11:00 AM",
    "7pm"), which some intergroups' feeds carry (Edmonton's, every meeting)."""
    if not value:
        return None
    match = TIME_RE.match(value)
    if match:
        return time(int(match.group(1)), int(match.group(2)))
    twelve = AM_PM_RE.match(value.strip())
    if twelve:
        hour = int(twelve.group(1)) % 12 + (12 if twelve.group(3).lower() == "p" else 0)
        return time(hour, int(twelve.group(2) or 0))
    raise RowError(f"{key} must be HH:MM (24-hour), not {value[:20]!r}")


def meeting_external_id(slug: str) -> str:
    """``"mg:" + slug``; a slug too long for the column (SE Pennsylvania's run to 150
    characters) keeps its start and a digest of the whole, so it stays one stable id of its
    own."""
    external_id = f"mg:{slug}"
    if len(external_id) <= MAX_EXTERNAL_ID:
        return external_id
    digest = hashlib.sha256(slug.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return f"{external_id[: MAX_EXTERNAL_ID - len(digest) - 1]}~{digest}"


# Type "codes" some feeds write as words or in lower case (North West Texas: "[open]").
TYPE_WORDS = {"OPEN": "O", "CLOSED": "C", "ONLINE": "ONL"}


def _type_code(text: str) -> str | None:
    """A spec type code from ``text``: exact, else case ignored, brackets and quotes
    stripped, or one of ``TYPE_WORDS``."""
    if text in KNOWN_TYPES:
        return text
    key = text.strip("[]\"' ").upper()
    key = TYPE_WORDS.get(key, key)
    return key if key in KNOWN_TYPES else None


def _types(value, warn: Callable[[str], None]) -> list[str]:
    """The type codes (optional: what is not a known code is dropped with a warning)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        warn("types is not a list of codes: dropped")
        return []
    codes = []
    for item in value:
        code = str(item).strip() if isinstance(item, str | int) and item is not True else ""
        known = _type_code(code) if code else None
        if known is not None:
            if known not in codes:
                codes.append(known)
        elif code:
            warn(f"unknown type code {code[:20]!r}: dropped")
        elif not isinstance(item, str):
            warn("a type that is not a code: dropped")
    return codes


def _timezone(value: str) -> str | None:
    if not value:
        return None
    if len(value) > MAX_TIMEZONE or value not in _timezones():
        raise RowError(f"unknown timezone {value[:40]!r}")
    return value


_TIMEZONES: set[str] = set()


def _timezones() -> set[str]:
    if not _TIMEZONES:
        _TIMEZONES.update(zoneinfo.available_timezones())
    return _TIMEZONES


def is_approximate(formatted_address: str) -> bool:
    """tsml-ui's rule: an address of fewer than four comma-separated parts has no street part
    ("Philadelphia, PA, USA", "Lewes, DE 19958, USA"): it only says where, roughly."""
    return len(formatted_address.split(",")) < 4


def _meeting_format(has_place: bool, online: bool) -> str | None:
    if has_place and online:
        return MeetingFormat.HYBRID.value
    if online:
        return MeetingFormat.VIRTUAL.value
    if has_place:
        return MeetingFormat.IN_PERSON.value
    return None


def _meeting_values(
    entry: dict, *, default_model: str, today: date, report: ImportReport, where: str = ""
):
    name = _text(entry, "name")
    if not name:
        raise RowError("missing name")
    _check_length("name", name, MAX_LINE)

    def warn(message: str) -> None:
        report.warn(where, message)

    def optional(key: str, check: Callable, *args):
        try:
            return check(*args)
        except RowError as exc:
            warn(f"{exc}: dropped")
            return None

    def optional_text(key: str) -> str:
        return optional(key, _text, entry, key) or ""

    types = _types(entry.get("types"), warn)
    program = _text(entry, "program").lower()
    model = PROGRAMS.get(program, default_model) if program else default_model
    if program and program not in PROGRAMS:
        report.notes.append(f"program {program[:40]!r} not recognised: used {default_model}")
    days = _days(entry.get("day"))
    start = _time("time", _text(entry, "time"))
    end = _time("end_time", _text(entry, "end_time")) if start else None
    if start and not TIME_RE.match(_text(entry, "time")):
        report.notes.append('12-hour times ("7:00 PM") were read as 24-hour times')

    conference_url = optional(
        "conference_url", _web_address, "conference_url", optional_text("conference_url")
    )
    conference_phone = optional_text("conference_phone")
    formatted = _text(entry, "formatted_address")
    if not formatted:
        parts = [_text(entry, k) for k in ("address", "city")]
        region = " ".join(p for p in (_text(entry, "state"), _text(entry, "postal_code")) if p)
        formatted = ", ".join(p for p in (*parts, region, _text(entry, "country")) if p)
    location = _text(entry, "location")
    address = "\n".join(p for p in (location, formatted) if p) or None
    temporarily_closed = CLOSED_TEMPORARILY in types
    online = bool(conference_url or conference_phone or ONLINE_TYPE in types)
    flag = entry.get("approximate")
    if isinstance(flag, bool):
        approximate = flag
    elif isinstance(flag, str) and flag.strip():
        approximate = flag.strip().lower() == "yes"
    else:
        # An online meeting with only a city-level address is online-only, not hybrid.
        approximate = online and bool(formatted) and is_approximate(formatted)
    has_place = bool(formatted) and not approximate and not temporarily_closed
    meeting_format = _meeting_format(has_place, online)
    active = not (temporarily_closed and not online)

    phone = conference_phone if conference_phone and len(conference_phone) <= MAX_PHONE else None
    labels = [TYPE_LABELS[t] for t in types if t in TYPE_LABELS]
    description_parts = [
        " · ".join(labels),
        f"Group: {_text(entry, 'group')}" if _text(entry, "group") else "",
        _text(entry, "location_notes"),
        _text(entry, "notes"),
        f"Online: {_text(entry, 'conference_url_notes')}"
        if _text(entry, "conference_url_notes")
        else "",
        f"Dial-in: {conference_phone}" if conference_phone and phone is None else "",
        f"Dial-in: {_text(entry, 'conference_phone_notes')}"
        if _text(entry, "conference_phone_notes")
        else "",
    ]
    description = "\n".join(p for p in description_parts if p) or None
    _check_length("notes", description, MAX_IMPORTED_DESCRIPTION)
    languages = [LANGUAGES[t] for t in types if t in LANGUAGES]
    return {
        "name": name,
        "category": ResourceCategory.RECOVERY_SUPPORT.value,
        "description": description,
        "address": address,
        "phone": phone,
        "website": optional("url", _web_address, "url", optional_text("url")),
        "active": active,
        "last_verified_on": optional("updated", _date, "updated", optional_text("updated"), today),
        "meeting_model": model,
        "meeting_format": meeting_format,
        "meeting_open": True if "O" in types else False if "C" in types else None,
        "meeting_day": days[0] if len(days) == 1 else None,
        "meeting_time": start,
        "meeting_end_time": end,
        "meeting_schedule": schedule_text(
            days,
            start.strftime("%H:%M") if start else None,
            end.strftime("%H:%M") if end else None,
            languages,
        ),
        "conference_url": conference_url,
        "meeting_timezone": optional("timezone", _timezone, optional_text("timezone")),
    }


def _entity(
    entry: dict, origin: ResourceSource, cache: dict[str, Organization], report: ImportReport
):
    """The service entity (intergroup, district) as an organization, when the feed names one."""
    try:
        name = _text(entry, "entity")
    except RowError:
        return None
    if not name or len(name) > MAX_LINE:
        return None
    external_id = "mg-entity:" + re.sub(r"\s+", " ", name.lower())[: MAX_EXTERNAL_ID - 10]
    if external_id in cache:
        return cache[external_id]
    org = db.session.scalar(
        select(Organization).where(
            Organization.source_id == origin.id, Organization.external_id == external_id
        )
    )
    if org is None:
        try:
            website = _web_address("entity_url", _text(entry, "entity_url")) or _web_address(
                "entity_website_url", _text(entry, "entity_website_url")
            )
            email = _email("entity_email", _text(entry, "entity_email"))
            phone = _text(entry, "entity_phone")
        except RowError:
            website = email = phone = None
        org = Organization(
            source_id=origin.id,
            external_id=external_id,
            name=name,
            website=website,
            email=email,
            phone=phone if phone and len(phone) <= MAX_PHONE else None,
        )
        db.session.add(org)
        db.session.flush()
        report.organizations_created += 1
    cache[external_id] = org
    return org


def _meeting_ids(feed: list) -> dict[int, tuple[str, int | None]]:
    """Each meeting's external id (by its number in the feed) and the number of the first
    meeting with its slug, when it repeats one. A repeated slug of a different meeting (San
    Jose has two "pass-it-on-group" in two places) gets "#2", "#3" in the feed's order."""
    slugs: dict[int, str] = {}
    for number, entry in enumerate(feed, start=1):
        try:
            slug = _text(entry, "slug") if isinstance(entry, dict) else ""
        except RowError:
            slug = ""
        if slug:
            slugs[number] = slug
    ids: dict[int, tuple[str, int | None]] = {}
    first: dict[str, int] = {}
    for number, slug in slugs.items():
        if slug not in first:
            first[slug] = number
            ids[number] = (meeting_external_id(slug), None)
    taken = {external_id for external_id, _ in ids.values()}
    for number, slug in slugs.items():
        if number in ids:
            continue
        count = 2
        while meeting_external_id(f"{slug}#{count}") in taken:
            count += 1
        external_id = meeting_external_id(f"{slug}#{count}")
        taken.add(external_id)
        ids[number] = (external_id, first[slug])
    return ids


def import_meetings(
    path: str | Path,
    *,
    source: str | None = None,
    url: str | None = None,
    default_model: str = MeetingModel.AA.value,
    program_id: int | None = None,
    today: date | None = None,
) -> ImportReport:
    """Import a Meeting Guide JSON feed (an array of meetings) into the directory.

    ``source`` names the source (default: ``url``, else the file's name). Each meeting becomes a
    ``recovery_support`` resource with ``external_id`` ``"mg:" + slug`` within the source (a
    re-import updates it; the source's meetings no longer in the feed are retired). Model: the
    entry's ``program`` when present, else ``default_model``. Format: ``hybrid`` with an
    address and a ``conference_url`` / ``conference_phone``, ``virtual`` with only the latter
    (or when the location is temporarily closed, type ``TC``, or only approximate: the feed
    says so, or an online meeting's address has no street part), ``in_person`` with only an
    address.
    Open/closed from the ``O`` / ``C`` types; languages from their type codes, in the schedule.
    Real feeds stray from the spec, and are read: 12-hour times ("11:00 AM", with a note),
    type codes in lower case or as words ("[open]"), slugs longer than the column (start and
    digest), a slug repeated by another meeting (``#2``, with a warning; an exact copy of the
    first is refused).
    """
    path = Path(path)
    report = ImportReport(source=f"Meeting Guide import of {path.name}")
    if default_model not in set(MeetingModel):
        report.error = f"unknown model {default_model!r}"
        return report
    today = today or _today()
    try:
        with path.open(encoding="utf-8-sig") as handle:
            feed = json.load(handle)
    except UnicodeDecodeError:
        report.error = f"{path.name} is not UTF-8 text"
        return report
    except json.JSONDecodeError as exc:
        report.error = f"{path.name} is not JSON ({exc.msg}, line {exc.lineno})"
        return report
    except (OSError, RecursionError) as exc:
        report.error = f"{path.name} cannot be read: {getattr(exc, 'strerror', None) or exc}"
        return report
    if not isinstance(feed, list):
        report.error = f"{path.name} is not a Meeting Guide feed (a JSON array of meetings)"
        return report
    try:
        origin = source_for(
            source or url or path.name,
            "meeting_guide",
            url=url,
            program_id=program_id,
            default_model=default_model,
        )
        _refuse_empty(origin, len(feed), path.name)
    except InputError as exc:
        report.error = str(exc)
        return report
    report.source_name = origin.name

    ids = _meeting_ids(feed)
    slugs = [external_id for external_id, _ in ids.values()]
    existing = _existing(Resource, origin.id, slugs)
    entities: dict[str, Organization] = {}
    for number, entry in enumerate(feed, start=1):
        where = f"meeting {number}"
        try:
            if not isinstance(entry, dict):
                raise RowError("not a JSON object")
            slug = _text(entry, "slug")
            if slug:
                where = f"meeting {number} (slug {slug[:64]!r})"
            if not slug:
                raise RowError("missing slug")
            external_id, first = ids[number]
            if first is not None:
                if entry == feed[first - 1]:
                    raise RowError(f"the same meeting as meeting {first}")
                report.warn(
                    where,
                    f"slug repeated (first as meeting {first}): imported as "
                    f"{external_id.removeprefix('mg:')[:80]!r}",
                )
            values = _meeting_values(
                entry, default_model=default_model, today=today, report=report, where=where
            )
        except RowError as exc:
            report.refuse(where, str(exc))
            continue
        org = _entity(entry, origin, entities, report)
        values["organization_id"] = org.id if org is not None else None
        values["retired_on"] = None
        resource = existing.get(external_id)
        if resource is None:
            db.session.add(
                Resource(
                    source_id=origin.id, external_id=external_id, program_id=program_id, **values
                )
            )
            report.created += 1
        else:
            if program_id is not None:
                values["program_id"] = program_id
            if _upsert(resource, values):
                report.updated += 1
            else:
                report.unchanged += 1
        if not values["active"]:
            report.notes.append(
                f"{where}: location temporarily closed and no online meeting: imported inactive"
            )
    report.notes = list(dict.fromkeys(report.notes))
    db.session.flush()
    _retire_missing(origin, set(slugs), report, today)
    _imported(origin)
    db.session.flush()
    return report
