"""Import sources: an imported entry's identity is (source, external id); a re-import of a
source updates, adds and retires its own entries only; a dry run saves nothing; `flask resources
refresh` re-imports every source with a URL; the printed report is true (after the save)."""

from __future__ import annotations

import http.server
import json
import threading
from datetime import date, time
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from coachapp.extensions import db as _db
from coachapp.models import MutualAidAttendance, Organization, Resource, ResourceSource
from coachapp.resources.commands import resources as resources_cli
from coachapp.resources.imports import import_hsds, import_meetings
from tests import factories
from tests.helpers import DATA

TODAY = date(2026, 3, 15)


def meeting(slug: str, name: str, day: int, time: str, address: str, **fields) -> dict:
    return {
        "slug": slug,
        "name": name,
        "day": day,
        "time": time,
        "formatted_address": address,
        **fields,
    }


SUSSEX = [
    meeting("big-book-study", "Big Book Study", 2, "08:00", "1 Market St, Lewes, DE 19958, USA"),
    meeting("serenity", "Serenity Group", 4, "19:00", "9 Pine St, Lewes, DE 19958, USA"),
]
BEN_LOMOND = [
    meeting("big-book-study", "Big Book Study", 0, "10:00", "9 Main St, Ben Lomond, CA 95005, USA"),
    meeting("serenity", "Serenity Group", 1, "18:00", "2 Hill Rd, Ben Lomond, CA 95005, USA"),
]


def write(tmp_path: Path, name: str, feed: list) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(feed))
    return path


def count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def of_source(name: str) -> dict[str, Resource]:
    source = _db.session.scalar(select(ResourceSource).where(ResourceSource.name == name))
    rows = _db.session.scalars(select(Resource).where(Resource.source_id == source.id))
    return {row.external_id: row for row in rows}


def cli(app, *args):
    return app.test_cli_runner().invoke(resources_cli, list(args))


def test_two_feeds_sharing_slugs_are_two_sources_and_both_stay_intact(db, tmp_path):
    first = import_meetings(write(tmp_path, "sussex.json", SUSSEX), today=TODAY)
    db.session.commit()
    second = import_meetings(write(tmp_path, "ben-lomond.json", BEN_LOMOND), today=TODAY)
    db.session.commit()
    assert (first.created, second.created, second.updated, second.retired) == (2, 2, 0, 0)
    assert count(ResourceSource) == 2 and count(Resource) == 4
    sussex, lomond = of_source("sussex.json"), of_source("ben-lomond.json")
    assert (sussex["mg:big-book-study"].meeting_day, sussex["mg:big-book-study"].address) == (
        2,
        "1 Market St, Lewes, DE 19958, USA",
    )
    assert lomond["mg:big-book-study"].meeting_day == 0
    assert sussex["mg:big-book-study"].id != lomond["mg:big-book-study"].id


def test_reimport_retires_its_own_missing_entries_only(db, tmp_path):
    import_meetings(write(tmp_path, "sussex.json", SUSSEX), today=TODAY)
    import_meetings(write(tmp_path, "ben-lomond.json", BEN_LOMOND), today=TODAY)
    db.session.commit()
    report = import_meetings(write(tmp_path, "sussex.json", SUSSEX[:1]), today=date(2026, 4, 1))
    db.session.commit()
    assert (report.created, report.updated, report.unchanged, report.retired) == (0, 0, 1, 1)
    gone = of_source("sussex.json")["mg:serenity"]
    assert (gone.active, gone.retired_on) == (False, date(2026, 4, 1))
    # The other feed's entry with the same slug is untouched.
    other = of_source("ben-lomond.json")["mg:serenity"]
    assert (other.active, other.retired_on) == (True, None)
    # Retired once: a second re-import retires nothing more.
    again = import_meetings(tmp_path / "sussex.json", today=date(2026, 4, 2))
    assert again.retired == 0 and gone.retired_on == date(2026, 4, 1)
    # Back in the feed: active again.
    back = import_meetings(write(tmp_path, "sussex.json", SUSSEX), today=TODAY)
    db.session.commit()
    assert back.updated == 1 and (gone.active, gone.retired_on) == (True, None)


def test_hsds_reimport_retires_missing_services_and_sources_do_not_mix(db, tmp_path):
    import_hsds(DATA / "hsds", today=TODAY)
    db.session.commit()
    single = tmp_path / "county.csv"
    single.write_text("id,name,category\nsvc-1,County Food Bank,food\n")
    import_hsds(single, today=TODAY)  # same HSDS id, another source
    db.session.commit()
    assert count(Resource, Resource.external_id == "svc-1") == 2
    single.write_text("id,name,category\nsvc-2,County Rides,transportation\n")
    report = import_hsds(single, today=TODAY)
    db.session.commit()
    assert (report.created, report.retired) == (1, 1)
    assert of_source("hsds")["svc-1"].active is True  # the other source's svc-1
    assert of_source("county.csv")["svc-1"].retired_on == TODAY


def test_a_source_of_another_kind_or_an_empty_file_imports_nothing(db, tmp_path):
    import_hsds(DATA / "hsds", today=TODAY)
    db.session.commit()
    report = import_meetings(write(tmp_path, "x.json", SUSSEX), source="hsds", today=TODAY)
    assert not report.ok and "holds HSDS entries, not Meeting Guide" in report.error
    import_meetings(write(tmp_path, "sussex.json", SUSSEX), today=TODAY)
    db.session.commit()
    empty = import_meetings(write(tmp_path, "sussex.json", []), today=TODAY)
    assert not empty.ok and "has no entries: nothing imported and nothing retired" in empty.error
    db.session.rollback()
    assert count(Resource, Resource.retired_on.is_not(None)) == 0


def test_hand_typed_entries_are_never_retired(db, tmp_path):
    typed = factories.resource(name="Our own group", category="recovery_support")
    import_meetings(write(tmp_path, "sussex.json", SUSSEX), today=TODAY)
    import_meetings(write(tmp_path, "sussex.json", SUSSEX[:1]), today=TODAY)
    db.session.commit()
    assert (typed.source_id, typed.active, typed.retired_on) == (None, True, None)


def test_cli_source_option_dry_run_and_report(app, db, tmp_path):
    path = write(tmp_path, "feed.json", SUSSEX)
    result = cli(app, "import-meetings", str(path), "--source", "Sussex Intergroup")
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 0 retired, 0 refused" in result.output
    assert "Source: Sussex Intergroup" in result.output
    write(tmp_path, "feed.json", [{**SUSSEX[0], "time": "08:30"}, BEN_LOMOND[0] | {"slug": "new"}])
    result = cli(app, "import-meetings", str(path), "--source", "Sussex Intergroup", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would create 1, update 1, retire 1; 0 unchanged, 0 refused" in result.output
    assert "Dry run: nothing was saved." in result.output
    rows = of_source("Sussex Intergroup")
    assert len(rows) == 2 and all(r.active and r.retired_on is None for r in rows.values())
    assert rows["mg:big-book-study"].meeting_time.strftime("%H:%M") == "08:00"


def test_a_failed_save_says_nothing_was_saved_and_exits_non_zero(app, db, tmp_path, monkeypatch):
    path = write(tmp_path, "sussex.json", SUSSEX)

    def refuse():
        raise OperationalError("COMMIT", {}, Exception("disk full"))

    monkeypatch.setattr(_db.session, "commit", refuse)
    result = cli(app, "import-meetings", str(path))
    assert result.exit_code != 0
    assert "nothing was saved: the database refused the save (OperationalError)" in result.output
    assert "created" not in result.output  # no count printed for a save that did not happen
    monkeypatch.undo()
    _db.session.rollback()
    assert count(Resource) == 0 and count(ResourceSource) == 0


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path):
    """A local web server on 127.0.0.1 serving tmp_path/www; yields its base URL."""
    www = tmp_path / "www"
    www.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=www))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", www
    server.shutdown()
    server.server_close()


def test_import_from_url_then_refresh_every_source(app, db, served):
    base, www = served
    write(www, "sussex.json", SUSSEX)
    write(www, "lomond.json", BEN_LOMOND)
    (www / "county.csv").write_text("id,name,category\nc-1,County Rides,transportation\n")
    for command, name in [
        ("import-meetings", "sussex.json"),
        ("import-meetings", "lomond.json"),
        ("import", "county.csv"),
    ]:
        result = cli(app, command, f"{base}/{name}")
        assert result.exit_code == 0, result.output
    assert count(ResourceSource, ResourceSource.url.is_not(None)) == 3
    assert of_source(f"{base}/sussex.json")["mg:serenity"].active

    # Sussex drops a meeting; Ben Lomond's feed disappears (404): reported, the others go on.
    write(www, "sussex.json", SUSSEX[:1])
    (www / "lomond.json").unlink()
    (www / "county.csv").write_text("id,name,category\nc-1,County Rides East,transportation\n")
    result = cli(app, "refresh")
    assert result.exit_code != 0
    assert "0 created, 0 updated, 1 unchanged, 1 retired, 0 refused" in result.output
    assert "lomond.json could not be fetched: HTTP Error 404" in result.output
    assert "0 created, 1 updated, 0 unchanged, 0 retired, 0 refused" in result.output
    assert "Refreshed 2 of 3 sources." in result.output
    assert f"1 failed: {base}/lomond.json" in result.output
    _db.session.expire_all()
    assert of_source(f"{base}/sussex.json")["mg:serenity"].retired_on is not None
    assert all(r.active for r in of_source(f"{base}/lomond.json").values())
    assert of_source(f"{base}/county.csv")["c-1"].name == "County Rides East"


def test_refresh_without_sources_with_urls_says_so(app, db):
    result = cli(app, "refresh")
    assert result.exit_code == 0 and "No source has a URL" in result.output


def test_retired_meeting_stays_on_the_clients_page(app, db, coach, login, tmp_path):
    import_meetings(write(tmp_path, "sussex.json", SUSSEX), today=TODAY)
    db.session.commit()
    group = of_source("sussex.json")["mg:serenity"]
    client = factories.client(coach)
    db.session.add(MutualAidAttendance(client_id=client.id, model="aa", resource_id=group.id))
    db.session.commit()
    import_meetings(write(tmp_path, "sussex.json", SUSSEX[:1]), today=TODAY)
    db.session.commit()
    assert group.retired_on == TODAY
    page = login(coach).get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Serenity Group" in page
    # Marked, so the coach knows the feed no longer lists it.
    assert page.count("no longer listed") == 1


def test_organizations_are_per_source(db, tmp_path):
    import_hsds(DATA / "hsds", today=TODAY)
    copy = tmp_path / "other"
    import shutil

    shutil.copytree(DATA / "hsds", copy)
    import_hsds(copy, today=TODAY)
    db.session.commit()
    assert count(Organization, Organization.external_id == "org-1") == 2


def test_migration_gives_entries_imported_before_sources_a_source(scratch_app):  # noqa: F811
    """Rows imported before sources existed keep their entries: one source per kind."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    upgrade(revision="d52b0f8e3c21")
    now = "2026-12-01 00:00:00"
    with _db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organizations (id, external_id, name, created_at, updated_at) "
                "VALUES (1, 'org-1', 'Riverbend', :now, :now), "
                "(2, 'mg-entity:d99', 'District', :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO resources (id, external_id, name, category, active, created_at, "
                "updated_at) VALUES (1, 'mg:serenity', 'Serenity', 'recovery_support', true, "
                ":now, :now), (2, 'svc-1', 'Housing', 'housing', true, :now, :now), "
                "(3, NULL, 'Typed in', 'other', true, :now, :now)"
            ),
            {"now": now},
        )
    upgrade()
    with _db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.id, s.name, s.kind FROM resources r "
                "LEFT JOIN resource_sources s ON s.id = r.source_id ORDER BY r.id"
            )
        ).all()
        orgs = conn.execute(
            text(
                "SELECT o.id, s.name FROM organizations o "
                "JOIN resource_sources s ON s.id = o.source_id ORDER BY o.id"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (1, "Meeting Guide import (before sources)", "meeting_guide"),
        (2, "HSDS import (before sources)", "hsds"),
        (3, None, None),
    ]
    assert [tuple(o) for o in orgs] == [
        (1, "HSDS import (before sources)"),
        (2, "Meeting Guide import (before sources)"),
    ]
    downgrade(revision="d52b0f8e3c21")  # and back: the global unique external id returns
    with _db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM resources")).scalar() == 3


@pytest.mark.parametrize(
    ("status", "active", "warned"),
    [
        ("active", True, False),
        ("Inactive", False, False),
        ("defunct", False, False),
        ("Temporarily Closed", False, False),
        ("temporarily_closed", False, False),
        ("Available", True, True),
    ],
)
def test_hsds_status_words_map_through_the_table(db, tmp_path, status, active, warned):
    path = tmp_path / "services.csv"
    path.write_text(f"id,name,status\ns-1,Health Leads desk,{status}\n")
    report = import_hsds(path, today=TODAY)
    db.session.commit()
    assert report.created == 1 and not report.refused
    assert of_source("services.csv")["s-1"].active is active
    expected = [f"unknown status {status!r}: taken as active"] if warned else []
    assert [w.reason for w in report.warnings] == expected


def test_meeting_guide_optional_values_dropped_required_refused(db, tmp_path):
    feed = [
        meeting(
            "tz",
            "Kept timezone",
            1,
            "07:00",
            "1 Main St, Springfield, IL 62701, USA",
            timezone="America/Chicago",
            types=["O", "ZZZ", "TUR", "XT"],
            url="javascript:alert(1)",
            updated="8/29/2021",
        ),
        meeting("bad-tz", "Bad timezone", 2, "07:00", "", timezone="Mars/Olympus"),
        {"slug": "no-name", "day": 1, "time": "07:00"},
        meeting("pm", "Twelve-hour", 1, "7:00 PM", ""),
    ]
    report = import_meetings(write(tmp_path, "feed.json", feed), today=TODAY)
    db.session.commit()
    assert report.created == 3
    assert [(r.where, r.reason) for r in report.refused] == [
        ("meeting 3 (slug 'no-name')", "missing name"),
    ]
    # A 12-hour time (Edmonton's feed has only those) is read, and the report says so.
    assert of_source("feed.json")["mg:pm"].meeting_time == time(19, 0)
    assert report.notes == ['12-hour times ("7:00 PM") were read as 24-hour times']
    assert [(w.where, w.reason) for w in report.warnings] == [
        ("meeting 1 (slug 'tz')", "unknown type code 'ZZZ': dropped"),
        ("meeting 1 (slug 'tz')", "url is not a web address (http:// or https://): dropped"),
        ("meeting 1 (slug 'tz')", "bad date in updated: '8/29/2021': dropped"),
        ("meeting 2 (slug 'bad-tz')", "unknown timezone 'Mars/Olympus': dropped"),
    ]
    rows = of_source("feed.json")
    kept = rows["mg:tz"]
    assert (kept.meeting_timezone, kept.website, kept.last_verified_on) == (
        "America/Chicago",
        None,
        None,
    )
    assert kept.meeting_schedule == "Mondays 07:00, Turkish"  # a spec language code
    assert "Cross Talk Permitted" in kept.description
    assert rows["mg:bad-tz"].meeting_timezone is None


@pytest.mark.parametrize(
    ("address", "approximate", "expected"),
    [
        ("Philadelphia, PA, USA", None, "virtual"),
        ("Lewes, DE 19958, USA", None, "virtual"),
        ("1 Market St, Lewes, DE 19958, USA", None, "hybrid"),
        ("Philadelphia, PA, USA", "no", "hybrid"),  # the feed's own flag wins
        ("1 Market St, Lewes, DE 19958, USA", "yes", "virtual"),
    ],
)
def test_online_meeting_with_an_approximate_address_is_online_only(
    db, tmp_path, address, approximate, expected
):
    entry = meeting("m", "Virtual Only", 1, "07:00", address, conference_url="https://zoom.us/j/1")
    if approximate is not None:
        entry["approximate"] = approximate
    import_meetings(write(tmp_path, "feed.json", [entry]), today=TODAY)
    db.session.commit()
    assert of_source("feed.json")["mg:m"].meeting_format == expected


def test_in_person_meeting_with_a_city_only_address_stays_in_person(db, tmp_path):
    entry = meeting("m", "Lunch Bunch", 1, "12:00", "Philadelphia, PA, USA")
    import_meetings(write(tmp_path, "feed.json", [entry]), today=TODAY)
    db.session.commit()
    assert of_source("feed.json")["mg:m"].meeting_format == "in_person"
