"""Imports of real, public files (tests/data/real/README.md says where each comes from): three
intergroups' Meeting Guide feeds that share slugs, and the Open Referral HSDS 3.0 example."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coachapp.extensions import db as _db
from coachapp.models import MutualAidAttendance, Organization, Resource, ResourceSource
from coachapp.resources.imports import import_hsds, import_meetings
from tests import factories

REAL = Path(__file__).parent / "data" / "real"
FEEDS = REAL / "meeting-guide"
SUSSEX = FEEDS / "sussexaa.json"
BEN_LOMOND = FEEDS / "benlomond.test.json"
SAN_JOSE = FEEDS / "aasanjose.test.json"


def feed(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))


def of_source(name: str) -> dict[str, Resource]:
    source = _db.session.scalar(select(ResourceSource).where(ResourceSource.name == name))
    rows = _db.session.scalars(select(Resource).where(Resource.source_id == source.id))
    return {row.external_id: row for row in rows}


def as_in_file(row: Resource, entry: dict) -> bool:
    """The stored meeting says what the feed entry says: name, day, time, place."""
    hour, minute = (int(part) for part in entry["time"].split(":")[:2])
    return (
        row.name == entry["name"].strip()
        and row.meeting_day == entry["day"]
        and row.meeting_time == time(hour, minute)
        and (entry.get("formatted_address") or "") in (row.address or "")
    )


def test_two_real_feeds_sharing_slugs_both_stay_intact(db):
    shared = {m["slug"] for m in feed(SUSSEX)} & {m["slug"] for m in feed(BEN_LOMOND)}
    assert "big-book-study" in shared
    first = import_meetings(SUSSEX)
    db.session.commit()
    second = import_meetings(BEN_LOMOND)
    db.session.commit()
    assert (first.created, first.refused, second.created, second.refused) == (123, [], 35, [])
    assert second.updated == 0 and second.retired == 0
    assert db.session.scalar(select(func.count()).select_from(Resource)) == 123 + 35
    for path in (SUSSEX, BEN_LOMOND):
        stored = of_source(path.name)
        for entry in feed(path):
            assert as_in_file(stored[f"mg:{entry['slug']}"], entry), entry["slug"]


def test_a_clients_group_is_unchanged_by_another_feed(app, db, coach, login):
    import_meetings(SUSSEX)
    db.session.commit()
    group = of_source(SUSSEX.name)["mg:big-book-study"]
    client = factories.client(coach)
    db.session.add(MutualAidAttendance(client_id=client.id, model="aa", resource_id=group.id))
    db.session.commit()

    import_meetings(BEN_LOMOND)
    db.session.commit()
    _db.session.expire_all()
    attendance = db.session.scalar(select(MutualAidAttendance))
    shown = attendance.resource
    assert (shown.name, shown.meeting_day, shown.meeting_time) == (
        "Sunlight of the Spirit Big Book",
        2,
        time(8, 0),
    )
    assert shown.address == "Conley's United Methodist Church\n33106 Rd 289, Lewes, DE 19958, USA"
    page = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Sunlight of the Spirit Big Book" in page
    assert "Big Book Study" not in page  # Ben Lomond's Sunday meeting of the same slug


@pytest.mark.parametrize("path", [SUSSEX, BEN_LOMOND, SAN_JOSE], ids=lambda p: p.name)
def test_reimport_of_a_real_feed_is_idempotent(db, path):
    import_meetings(path)
    db.session.commit()
    again = import_meetings(path)
    db.session.commit()
    assert (again.created, again.updated, again.retired) == (0, 0, 0)
    assert again.unchanged == len(feed(path)) - len(again.refused)


def test_meeting_removed_from_a_real_feed_is_retired_and_still_on_the_clients_page(
    app, db, coach, login, tmp_path
):
    import_meetings(SUSSEX)
    db.session.commit()
    group = of_source(SUSSEX.name)["mg:big-book-study"]
    client = factories.client(coach)
    db.session.add(MutualAidAttendance(client_id=client.id, model="aa", resource_id=group.id))
    db.session.commit()

    shorter = tmp_path / SUSSEX.name  # the same source, the meeting gone from the feed
    shorter.write_text(json.dumps([m for m in feed(SUSSEX) if m["slug"] != "big-book-study"]))
    report = import_meetings(shorter, today=date(2026, 12, 6))
    db.session.commit()
    assert (report.created, report.updated, report.retired) == (0, 0, 1)
    assert (group.active, group.retired_on) == (False, date(2026, 12, 6))
    page = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Sunlight of the Spirit Big Book" in page


def test_san_jose_bad_updated_dates_are_dropped_not_the_meetings(db):
    report = import_meetings(SAN_JOSE)
    db.session.commit()
    entries = feed(SAN_JOSE)
    us_dates = [m for m in entries if "/" in str(m.get("updated"))]
    assert len(entries) == 693 and len(us_dates) == 417
    # The only refusal is a slug the feed repeats (identity is required).
    assert [r.reason for r in report.refused] == ["slug repeated (first as meeting 332)"]
    assert report.created == 692
    dropped = [w for w in report.warnings if w.reason.startswith("bad date in updated")]
    assert len(dropped) == 416 and dropped[0].reason == "bad date in updated: '8/29/2021': dropped"
    stored = of_source(SAN_JOSE.name)
    assert stored["mg:crazy-corona-mens-meeting-6"].last_verified_on is None
    lines = "\n".join(report.lines())
    assert "692 created, 0 updated, 0 unchanged, 0 retired, 1 refused." in lines
    assert "Values dropped (the rest of each record was imported):" in lines


def test_online_meeting_with_a_city_only_address_is_online_only(db):
    import_meetings(SAN_JOSE)
    db.session.commit()
    stored = of_source(SAN_JOSE.name)
    online = stored["mg:crazy-corona-mens-meeting-6"]  # "San Jose, CA, USA" + a Zoom link
    assert online.meeting_format == "virtual"
    assert online.address == "Online Meeting\nSan Jose, CA, USA"
    approximate_online = [
        m
        for m in feed(SAN_JOSE)
        if (m.get("conference_url") or m.get("conference_phone"))
        and len((m.get("formatted_address") or "").split(",")) < 4
    ]
    assert len(approximate_online) == 94
    assert all(
        stored[f"mg:{m['slug']}"].meeting_format == "virtual"
        for m in approximate_online
        if f"mg:{m['slug']}" in stored
    )
    # A street address and a link, the location open: hybrid.
    hybrid = [
        m
        for m in feed(SAN_JOSE)
        if m.get("conference_url")
        and len((m.get("formatted_address") or "").split(",")) >= 4
        and "TC" not in m["types"]
    ]
    assert len(hybrid) == 122
    assert all(stored[f"mg:{m['slug']}"].meeting_format == "hybrid" for m in hybrid)
    assert stored["mg:easier-way-group-los-gatos"].meeting_format == "hybrid"


def test_real_hsds_example_imports_its_service_organization_and_phone(db):
    report = import_hsds(REAL / "hsds-3.0-example")
    db.session.commit()
    assert (report.created, report.refused, report.warnings) == (1, [], [])
    service = db.session.scalar(select(Resource))
    assert service.name == "Community Counselling"
    assert service.external_id == "ac148810-d857-441c-9679-408f346de14b"
    assert (service.email, service.website) == (
        "email@example.com",
        "http://example.com/counselling",
    )
    assert service.phone == "+44 1234 234567"
    assert service.active is True and service.last_verified_on == date(2005, 1, 1)
    org = db.session.scalar(select(Organization))
    assert service.organization_id == org.id and org.name == "Example Organization Inc."
    assert org.source_id == service.source_id
    again = import_hsds(REAL / "hsds-3.0-example")
    assert (again.created, again.updated, again.unchanged, again.retired) == (0, 0, 1, 0)
