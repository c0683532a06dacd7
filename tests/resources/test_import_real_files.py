"""Imports of real, public files (tests/data/real/README.md says where each comes from): three
intergroups' Meeting Guide feeds that share slugs, and the Open Referral HSDS 3.0 example."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coachapp.extensions import db as _db
from coachapp.models import MutualAidAttendance, Organization, Resource, ResourceSource
from coachapp.resources.imports import import_hsds, import_meetings
from tests import factories
from tests.helpers import DATA

REAL = DATA / "real"
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
    # Nothing is refused: the slug the feed repeats, of a meeting in another place, is kept
    # as "pass-it-on-group#2", with a warning.
    assert report.refused == []
    assert report.created == 693
    dropped = [w for w in report.warnings if w.reason.startswith("bad date in updated")]
    assert len(dropped) == 417 and dropped[0].reason == "bad date in updated: '8/29/2021': dropped"
    stored = of_source(SAN_JOSE.name)
    assert stored["mg:crazy-corona-mens-meeting-6"].last_verified_on is None
    first, second = stored["mg:pass-it-on-group"], stored["mg:pass-it-on-group#2"]
    assert "Garden House" in first.address and "Los Altos Youth Center" in second.address
    lines = "\n".join(report.lines())
    assert "693 created, 0 updated, 0 unchanged, 0 retired, 0 refused." in lines
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


HSDS_REAL = {
    "hsds-3.0-example": REAL / "hsds-3.0-example",
    "hsds-2.0-example": REAL / "hsds-2.0-example",
    "ohana-sample": REAL / "ohana-sample",
}


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def expected_addresses(folder: Path) -> dict[str, str]:
    """Service id -> the street part of the address of its first location, read straight from
    the export (physical before postal)."""
    files = {p.name: p for p in folder.iterdir()}
    links: dict[str, list[str]] = {}
    for name in ("service_at_location.csv", "services_at_location.csv"):
        for row in csv_rows(files[name]) if name in files else []:
            links.setdefault(row["service_id"], []).append(row["location_id"])
    for row in csv_rows(files["services.csv"]):
        if row.get("location_id"):
            links.setdefault(row["id"], []).append(row["location_id"])
    streets: dict[str, str] = {}
    for name in ("physical_addresses.csv", "addresses.csv"):
        for row in csv_rows(files[name]) if name in files else []:
            streets.setdefault(row["location_id"], row["address_1"])
    return {
        service: streets[locations[0]]
        for service, locations in links.items()
        if locations[0] in streets
    }


@pytest.mark.parametrize("name", sorted(HSDS_REAL))
def test_real_hsds_every_service_with_an_address_has_it_and_reimport_changes_nothing(db, name):
    report = import_hsds(HSDS_REAL[name])
    db.session.commit()
    assert report.ok and report.refused == []
    stored = of_source(name)
    expected = expected_addresses(HSDS_REAL[name])
    assert expected  # each export gives at least one service an address
    for service_id, street in expected.items():
        assert stored[service_id].address.startswith(street + ", "), service_id
    without = set(stored) - set(expected)
    assert all(stored[service_id].address is None for service_id in without)
    again = import_hsds(HSDS_REAL[name])
    db.session.commit()
    assert (again.created, again.updated, again.retired) == (0, 0, 0)
    assert again.unchanged == len(stored)


def test_real_hsds_2_example_service_address_details_and_hours(db):
    import_hsds(HSDS_REAL["hsds-2.0-example"])
    db.session.commit()
    helpline = of_source("hsds-2.0-example")["c89eb05c-62dd-4b64-b494-0cc347b6ea7f"]
    assert helpline.address == "Address 1, Address 2, New York City, NY 10001, US"
    lines = helpline.description.splitlines()
    assert lines[0].startswith("The Never Homeless Helpline refers")
    assert lines[1:] == [
        "Eligibility: adult",
        "Languages: English, Spanish",
        "How to apply: Call for further information",
        "Hours: Mon 09:00\u201317:00; Tue 09:00\u201317:00; Wed 09:00\u201317:00",
    ]
    assert helpline.organization.name == "Sanctuary Example City"


def test_real_hsds_3_example_postal_address_languages_fees_and_weekly_hours(db):
    report = import_hsds(HSDS_REAL["hsds-3.0-example"])
    db.session.commit()
    assert report.warnings == []
    service = db.session.scalar(select(Resource))
    # The example's one address is its location's postal address: kept, and said to be postal.
    assert service.address == (
        "1-30 Main Street, MyVillage, MyCity, MyState ABC 1234, US (postal address)"
    )
    description = service.description
    assert "\nEligibility: This service is intended for all people aged 12 and over" in description
    assert "\nFees: Non-NHS patients are expected to pay" in description
    # Its cost_options.csv, after the fees description.
    assert (
        "; Under 18s and Over 60s: 35 GBP per 1 hour session (2020-01-01 to 2022-12-31)\n"
        in description
    )
    assert "\nLanguages: Urdu\n" in description
    assert "\nHow to apply: If you are an NHS patient" in description
    assert description.endswith("\nHours: Thu 10:00\u201318:00; Fri 10:00\u201318:00")


def test_real_ohana_sample_keeps_organizations_categories_and_location_phones(db):
    report = import_hsds(HSDS_REAL["ohana-sample"])
    db.session.commit()
    assert (report.created, report.refused) == (23, [])
    stored = of_source("ohana-sample")
    organizations = {
        row["id"]: row["name"] for row in csv_rows(REAL / "ohana-sample" / "organizations.csv")
    }
    location_org = {
        row["id"]: organizations[row["organization_id"]]
        for row in csv_rows(REAL / "ohana-sample" / "locations.csv")
    }
    services = csv_rows(REAL / "ohana-sample" / "services.csv")
    for row in services:
        assert stored[row["id"]].organization.name == location_org[row["location_id"]]
    # Every service whose keywords or taxonomy say anything mappable has a category.
    other = {sid for sid, row in stored.items() if row.category == "other"}
    assert other == {"20", "21"}  # neither has keywords nor taxonomy ids
    assert {sid: stored[sid].category for sid in ("1", "2", "3", "4", "9", "15", "18", "22")} == {
        "1": "food",  # Meal Sites/Home-delivered Meals
        "2": "employment",
        "3": "mental_health",  # Geriatric Counseling
        "4": "legal",  # LEGAL AND CRIMINAL JUSTICE SERVICES
        "9": "education",
        "15": "treatment",  # ALCOHOLISM SERVICES
        "18": "healthcare",
        "22": "transportation",  # taxonomy ids 105 (Transit), 108 (Care), 111 (Legal)
    }
    # Service phones are absent from the sample: each service has its location's number.
    assert stored["1"].phone == "650 780-7525"
    senior = stored["1"].description
    assert "\nEligibility: Age 55 or over for most programs" in senior
    assert "\nFees: $2.50 suggested donation" in senior
    assert "\nHow to apply: Walk in or apply by phone." in senior
    assert "\nLanguages: Spanish" in stored["22"].description
    # 12-hour times in regular_schedules.csv are read too.
    assert report.warnings == []


def test_real_hsds_2_example_languages_of_a_location_reach_its_services(db, tmp_path):
    """A languages.csv row with a location and no service: every service at that location
    speaks it."""
    folder = tmp_path / "export"
    shutil.copytree(HSDS_REAL["hsds-2.0-example"], folder)
    links = csv_rows(folder / "services_at_location.csv")
    location = links[0]["location_id"]
    at_location = {row["service_id"] for row in links if row["location_id"] == location}
    (folder / "languages.csv").write_text(
        f"id,service_id,location_id,language\nl1,,{location},Tagalog\n", encoding="utf-8"
    )
    report = import_hsds(folder, source="export")
    db.session.commit()
    assert report.refused == []
    rows = {row.external_id: row for row in db.session.scalars(select(Resource))}
    for service_id, row in rows.items():
        speaks = "Languages: Tagalog" in (row.description or "")
        assert speaks == (service_id in at_location), service_id
    assert at_location
