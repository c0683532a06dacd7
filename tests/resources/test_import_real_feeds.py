"""Fifteen real intergroup Meeting Guide feeds (tests/data/real/README.md says where each comes
from), each imported as a new program would: refusals only for records missing a required
field, every meeting stored as its feed says, re-import idempotent, the online rule for
city-level addresses, and all fifteen in one directory without one overwriting another."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coachapp.extensions import db as _db
from coachapp.models import MutualAidAttendance, Resource, ResourceSource
from coachapp.resources.imports import import_meetings, is_approximate, meeting_external_id
from tests import factories
from tests.helpers import DATA

FEEDS_DIR = DATA / "real" / "meeting-guide"
# file -> (meetings in the file, model of meetings that name no program)
FEEDS = {
    "sussexaa.json": (123, "aa"),
    "benlomond.test.json": (35, "aa"),
    "aasanjose.test.json": (693, "aa"),
    "aasepia.json.gz": (2038, "aa"),
    "aasepia.test.json.gz": (2098, "aa"),  # the same intergroup three years earlier
    "oc.json.gz": (1967, "aa"),
    "aasfmarin.test.json.gz": (658, "aa"),
    "airtable-json.test.json": (545, "aa"),
    "al-anon.json": (360, "family"),
    "edmonton.json": (315, "aa"),
    "eda.json": (185, "other"),
    "nwta.test.json": (613, "aa"),
    "kc.test.json": (206, "aa"),
    "atlanta.json": (6, "aa"),
    "meetings.json": (46, "aa"),
}
# A record may be refused only for lacking what identifies or names it.
REQUIRED_FIELD_REASONS = {"missing name", "missing slug"}
TWELVE_HOUR = re.compile(r"^(\d{1,2})(?::(\d\d))?\s*([ap])\.?m\.?$", re.IGNORECASE)


def read(name: str) -> bytes:
    data = (FEEDS_DIR / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def entries(name: str) -> list[dict]:
    return json.loads(read(name).decode("utf-8-sig"))


def source_name(name: str) -> str:
    return name.removesuffix(".gz")


def feed_path(name: str, folder: Path) -> Path:
    """The feed as a file (a gzipped one decompressed, byte for byte, under its own name)."""
    if not name.endswith(".gz"):
        return FEEDS_DIR / name
    path = folder / source_name(name)
    path.write_bytes(read(name))
    return path


def import_feed(name: str, folder: Path):
    report = import_meetings(feed_path(name, folder), default_model=FEEDS[name][1])
    _db.session.commit()
    return report


def stored(name: str) -> dict[str, Resource]:
    source = _db.session.scalar(
        select(ResourceSource).where(ResourceSource.name == source_name(name))
    )
    rows = _db.session.scalars(select(Resource).where(Resource.source_id == source.id))
    return {row.external_id: row for row in rows}


def external_ids(feed: list[dict]) -> list[str]:
    """Each entry's id as the importer gives it: a repeated slug of another meeting gets
    "#2" (in these feeds no slug repeats more than once)."""
    ids, seen = [], Counter()
    for entry in feed:
        slug = str(entry["slug"]).strip()
        seen[slug] += 1
        ids.append(meeting_external_id(slug if seen[slug] == 1 else f"{slug}#{seen[slug]}"))
    return ids


def clock(value: str) -> time | None:
    value = (value or "").strip()
    if not value:
        return None
    twelve = TWELVE_HOUR.match(value)
    if twelve:
        hour = int(twelve.group(1)) % 12 + (12 if twelve.group(3).lower() == "p" else 0)
        return time(hour, int(twelve.group(2) or 0))
    hour, minute = value.split(":")[:2]
    return time(int(hour), int(minute))


def days(value) -> list[int]:
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    return sorted({int(item) for item in items})


def mismatches(row: Resource, entry: dict) -> list[str]:
    """The fields where the stored meeting differs from its feed entry."""
    found = []
    if row.name != str(entry["name"]).strip():
        found.append("name")
    entry_days = days(entry.get("day"))
    if row.meeting_day != (entry_days[0] if len(entry_days) == 1 else None):
        found.append("day")
    if row.meeting_time != clock(str(entry.get("time") or "")):
        found.append("time")
    formatted = (entry.get("formatted_address") or "").strip()
    if formatted and formatted not in (row.address or ""):
        found.append("address")
    street = entry.get("address") if isinstance(entry.get("address"), str) else ""
    if not formatted and street.strip() and street.strip() not in (row.address or ""):
        found.append("address")
    return found


@pytest.mark.parametrize("name", list(FEEDS))
def test_real_feed_imports_every_meeting_as_its_feed_says_and_reimports_unchanged(
    db, tmp_path, name
):
    feed = entries(name)
    assert len(feed) == FEEDS[name][0]
    report = import_feed(name, tmp_path)
    assert report.ok, report.error
    assert {r.reason for r in report.refused} <= REQUIRED_FIELD_REASONS, report.refused[:3]
    assert report.created == len(feed) - len(report.refused)
    rows = stored(name)
    compared = 0
    for entry, external_id in zip(feed, external_ids(feed), strict=True):
        assert mismatches(rows[external_id], entry) == [], (external_id, entry)
        compared += 1
    assert compared == len(rows) == len(feed)

    again = import_feed(name, tmp_path)
    assert (again.created, again.updated, again.retired) == (0, 0, 0)
    assert again.unchanged == report.created and again.refused == report.refused


def online_with_city_only_address(entry: dict) -> bool:
    """An online meeting (a web link) whose address has no street part, and whose feed does
    not say itself whether the address is approximate."""
    url = str(entry.get("conference_url") or "")
    address = str(entry.get("formatted_address") or "").strip()
    types = entry.get("types") if isinstance(entry.get("types"), list) else []
    return (
        url.startswith(("https://", "http://"))
        and " " not in url
        and bool(address)
        and is_approximate(address)
        and "approximate" not in entry
        and "TC" not in types
    )


@pytest.mark.parametrize("name", list(FEEDS))
def test_real_feed_online_meetings_with_a_city_level_address_are_online_not_hybrid(
    db, tmp_path, name
):
    feed = entries(name)
    import_feed(name, tmp_path)
    rows = stored(name)
    for entry, external_id in zip(feed, external_ids(feed), strict=True):
        row = rows[external_id]
        if online_with_city_only_address(entry):
            assert row.meeting_format == "virtual", external_id
        if row.meeting_format == "hybrid":  # a street address, or the feed says it is exact
            assert not is_approximate(row.address.splitlines()[-1]) or str(
                entry.get("approximate")
            ).lower() in ("no", "false"), external_id


def test_the_online_rule_counts_on_the_real_feeds(tmp_path):
    """The rule matters on real data: SE Pennsylvania alone has hundreds of online meetings
    with a city-level address ("Philadelphia, PA, USA")."""
    counts = {
        name: sum(online_with_city_only_address(entry) for entry in entries(name)) for name in FEEDS
    }
    assert counts["aasepia.json.gz"] >= 200
    assert counts["aasanjose.test.json"] >= 90
    assert sum(counts.values()) >= 300


def test_all_fifteen_feeds_in_one_directory_each_set_intact(db, tmp_path, coach, login):
    slugs = {name: {str(e["slug"]).strip() for e in entries(name)} for name in FEEDS}
    shared = Counter(slug for found in slugs.values() for slug in found)
    repeated = {slug for slug, n in shared.items() if n > 1}
    assert len(repeated) >= 100  # "big-book-study", "1", "6", ... recur across feeds

    import_feed("sussexaa.json", tmp_path)
    group = stored("sussexaa.json")["mg:big-book-study"]
    client = factories.client(coach)
    db.session.add(MutualAidAttendance(client_id=client.id, model="aa", resource_id=group.id))
    db.session.commit()
    before = (group.id, group.name, group.meeting_day, group.meeting_time, group.address)

    for name in FEEDS:
        if name != "sussexaa.json":
            report = import_feed(name, tmp_path)
            assert report.updated == 0 and report.retired == 0, name
    total = sum(count for count, _ in FEEDS.values())
    assert db.session.scalar(select(func.count()).select_from(Resource)) == total
    for name in FEEDS:
        feed, rows = entries(name), stored(name)
        assert len(rows) == len(feed), name
        for entry, external_id in zip(feed, external_ids(feed), strict=True):
            assert mismatches(rows[external_id], entry) == [], (name, external_id)

    _db.session.expire_all()
    shown = db.session.scalar(select(MutualAidAttendance)).resource
    assert (shown.id, shown.name, shown.meeting_day, shown.meeting_time, shown.address) == before
    page = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Sunlight of the Spirit Big Book" in page


def test_al_anon_and_eda_take_the_model_given_and_edmontons_12_hour_times_are_read(db, tmp_path):
    import_feed("al-anon.json", tmp_path)
    import_feed("eda.json", tmp_path)
    report = import_feed("edmonton.json", tmp_path)
    assert {row.meeting_model for row in stored("al-anon.json").values()} == {"family"}
    assert {row.meeting_model for row in stored("eda.json").values()} == {"other"}
    assert report.refused == []
    assert '12-hour times ("7:00 PM") were read as 24-hour times' in report.notes
    chapter_house = stored("edmonton.json")["mg:6"]
    assert (chapter_house.meeting_day, chapter_house.meeting_time) == (6, time(11, 0))


def test_north_west_texas_open_and_closed_written_as_words(db, tmp_path):
    report = import_feed("nwta.test.json", tmp_path)
    assert report.warnings == []
    rows = stored("nwta.test.json")
    flags = Counter(row.meeting_open for row in rows.values())
    assert flags == {True: 407, False: 206}  # "[open]" and "[closed]"


def test_se_pennsylvania_long_slugs_are_kept_apart(db, tmp_path):
    feed = entries("aasepia.json.gz")
    long_slugs = [str(e["slug"]) for e in feed if len(str(e["slug"])) > 97]
    assert len(long_slugs) == 3
    report = import_feed("aasepia.json.gz", tmp_path)
    assert report.refused == []
    rows = stored("aasepia.json.gz")
    ids = {meeting_external_id(slug) for slug in long_slugs}
    assert len(ids) == 3 and ids <= set(rows)
    assert all(len(i) <= 100 for i in ids)


def test_a_newer_snapshot_of_the_same_feed_updates_adds_and_retires(db, tmp_path, coach):
    """SE Pennsylvania's feed of 2021, then of 2024, into one source: its meetings the newer
    feed no longer lists are retired (a client's record keeps its group), the rest updated or
    unchanged, the new ones added."""
    old, new = entries("aasepia.test.json.gz"), entries("aasepia.json.gz")
    old_ids, new_ids = set(external_ids(old)), set(external_ids(new))
    first = import_meetings(feed_path("aasepia.test.json.gz", tmp_path), source="SEPIA")
    db.session.commit()
    assert first.refused == [] and first.created == len(old_ids)
    gone = sorted(old_ids - new_ids)[0]
    rows = {r.external_id: r for r in db.session.scalars(select(Resource))}
    client = factories.client(coach)
    db.session.add(MutualAidAttendance(client_id=client.id, model="aa", resource_id=rows[gone].id))
    db.session.commit()

    second = import_meetings(feed_path("aasepia.json.gz", tmp_path), source="SEPIA")
    db.session.commit()
    assert second.refused == []
    assert second.created == len(new_ids - old_ids)
    assert second.retired == len(old_ids - new_ids)
    assert second.updated + second.unchanged == len(new_ids & old_ids)
    assert db.session.scalar(select(func.count()).select_from(Resource)) == len(old_ids | new_ids)
    _db.session.expire_all()
    kept = db.session.scalar(select(MutualAidAttendance)).resource
    assert kept.external_id == gone and kept.retired_on is not None and not kept.active
