"""Imports into the resource directory: Meeting Guide JSON, and the ``flask resources``
commands that print their reports."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from sqlalchemy import select

from coachapp.models import AuditEvent, Organization, Resource
from coachapp.resources.commands import resources as resources_cli
from coachapp.resources.imports import import_meetings, meeting_guide
from tests.helpers import DATA, count
from tests.resources.helpers import TODAY, by_external_id, refusals, warnings


def cli(app, *args):
    return app.test_cli_runner().invoke(resources_cli, list(args))


# --- Meeting Guide -----------------------------------------------------------------------------


def test_meeting_guide_import_maps_format_types_and_schedule(db):
    report = import_meetings(DATA / "meetings.json", today=TODAY)
    db.session.commit()
    assert report.ok
    assert (report.created, len(report.refused)) == (7, 5)
    assert refusals(report) == {
        "meeting 6": "missing slug",
        "meeting 7 (slug 'bad-day')": "day must be 0 (Sunday) to 6 (Saturday), or a list of them",
        "meeting 8 (slug 'bad-time')": 'time must be HH:MM (24-hour), not "7 o\'clock"',
        "meeting 9 (slug 'nameless')": "missing name",
        "meeting 12": "not a JSON object",
    }
    # conference_url is optional: the hostile link is dropped, the meeting kept. A repeated slug
    # of another meeting is that meeting, under the slug and "#2".
    assert warnings(report) == {
        "meeting 10 (slug 'tuesday-serenity')": (
            "slug repeated (first as meeting 1): imported as 'tuesday-serenity#2'"
        ),
        "meeting 11 (slug 'hostile-link')": (
            "conference_url is not a web address (http:// or https://): dropped"
        ),
    }
    assert by_external_id(db, "mg:tuesday-serenity#2").name == "Tuesday Serenity Again"
    hostile = by_external_id(db, "mg:hostile-link")
    assert hostile.conference_url is None and hostile.meeting_format is None

    serenity = by_external_id(db, "mg:tuesday-serenity")
    assert serenity.category == "recovery_support"
    assert (serenity.meeting_model, serenity.meeting_format) == ("aa", "in_person")
    assert serenity.meeting_open is True
    assert (serenity.meeting_day, serenity.meeting_time) == (2, time(19, 0))
    assert serenity.meeting_end_time == time(20, 0)
    assert serenity.meeting_schedule == "Tuesdays 19:00–20:00, English"
    assert serenity.address == "Community Hall\n12 Elm Street, Springfield, IL 62701, US"
    assert "Big Book" in serenity.description and "Side door" in serenity.description
    assert serenity.last_verified_on == date(2026, 1, 10)
    assert serenity.organization.name == "District 99 (synthetic)"

    online = by_external_id(db, "mg:noche-en-linea")
    assert (online.meeting_format, online.meeting_open) == ("virtual", False)
    assert online.meeting_day is None  # two days: kept in the schedule
    assert online.meeting_schedule == "Mondays and Thursdays 21:00, Spanish"
    assert online.conference_url == "https://video.example/j/123"

    hybrid = by_external_id(db, "mg:saturday-hybrid")
    assert hybrid.meeting_format == "hybrid" and hybrid.phone == "+1-555-0100"

    closed_site = by_external_id(db, "mg:4017")  # integer slug, location temporarily closed
    assert (closed_site.meeting_format, closed_site.meeting_day, closed_site.active) == (
        "virtual",
        3,
        True,
    )

    smart = by_external_id(db, "mg:smart-monday")
    assert smart.meeting_model == "smart_recovery" and smart.meeting_open is None


def test_meeting_guide_reimport_updates_instead_of_duplicating(db, tmp_path):
    import_meetings(DATA / "meetings.json", today=TODAY)
    db.session.commit()
    again = import_meetings(DATA / "meetings.json", today=TODAY)
    db.session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)

    feed = json.loads((DATA / "meetings.json").read_text())
    feed[0]["time"] = "19:30"
    feed[0]["end_time"] = "20:30"
    feed[2]["conference_url"] = ""
    feed[2]["conference_phone"] = ""
    changed = tmp_path / "feed.json"
    changed.write_text(json.dumps(feed))
    report = import_meetings(changed, source="meetings.json", today=TODAY)
    db.session.commit()
    assert (report.created, report.updated, report.unchanged) == (0, 2, 5)
    assert by_external_id(db, "mg:tuesday-serenity").meeting_schedule == (
        "Tuesdays 19:30–20:30, English"
    )
    assert by_external_id(db, "mg:saturday-hybrid").meeting_format == "in_person"
    assert count(db, Resource) == 7


def test_meeting_guide_default_model_option(db):
    report = import_meetings(DATA / "meetings.json", default_model="na", today=TODAY)
    db.session.commit()
    assert report.created == 7
    assert by_external_id(db, "mg:tuesday-serenity").meeting_model == "na"
    assert by_external_id(db, "mg:smart-monday").meeting_model == "smart_recovery"


def test_temporarily_closed_without_online_is_imported_inactive(db, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(
        json.dumps(
            [
                {
                    "name": "Closed for now",
                    "slug": "c1",
                    "day": 1,
                    "time": "09:00",
                    "types": ["TC"],
                    "formatted_address": "1 Main St, Springfield, IL",
                }
            ]
        )
    )
    report = import_meetings(feed, today=TODAY)
    db.session.commit()
    row = by_external_id(db, "mg:c1")
    assert row.active is False and row.meeting_format is None
    assert any("imported inactive" in note for note in report.notes)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"name": "not a list"}', "not a Meeting Guide feed"),
        ("[{", "is not JSON"),
    ],
)
def test_meeting_guide_bad_file_imports_nothing(db, tmp_path, content, message):
    path = tmp_path / "feed.json"
    path.write_text(content)
    report = import_meetings(path, today=TODAY)
    assert not report.ok and message in report.error
    assert count(db, Resource) == 0


def test_meeting_guide_hostile_entries(db, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text(
        json.dumps(
            [
                {"name": ["list"], "slug": "a"},
                {"name": "True day", "slug": "b", "day": True},
                {"name": "Long slug", "slug": "s" * 120},
                {"name": "x" * 201, "slug": "d"},
                {"name": "Nul", "slug": "e\u0000"},
                {"name": "Types", "slug": "f", "types": [1, 2]},
                {"name": "Late", "slug": "g", "time": "24:00"},
                {"name": "🌻 O'Brien <script>", "slug": "h", "types": "O,EN"},
            ]
        )
    )
    report = import_meetings(path, today=TODAY)
    db.session.commit()
    assert report.created == 3 and len(report.refused) == 5
    # A slug too long for the column keeps its start and a digest of the whole.
    long_slug = db.session.scalar(select(Resource).where(Resource.name == "Long slug"))
    assert long_slug.external_id.startswith("mg:ssss") and len(long_slug.external_id) == 100
    row = by_external_id(db, "mg:h")
    assert row.name == "🌻 O'Brien <script>" and row.meeting_open is True
    # types are optional: codes that are not codes are dropped with a warning
    assert [(w.where, w.reason) for w in report.warnings] == [
        ("meeting 6 (slug 'f')", "unknown type code '1': dropped"),
        ("meeting 6 (slug 'f')", "unknown type code '2': dropped"),
    ]
    assert by_external_id(db, "mg:f").meeting_open is None


# --- The command line ----------------------------------------------------------------------


def test_cli_import_prints_the_report_and_commits_once(app, db):
    result = cli(app, "import", str(DATA / "hsds"))
    assert result.exit_code == 0, result.output
    assert "5 created, 0 updated, 0 unchanged, 0 retired, 5 refused" in result.output
    assert "services.csv row 4: unknown organization id 'org-9'" in result.output
    assert count(db, Resource) == 5
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "resource_import"))
    assert event.action == "create" and event.detail.startswith("hsds: created=5")


def test_cli_import_meetings_with_model_option(app, db):
    result = cli(app, "import-meetings", str(DATA / "meetings.json"), "--model", "na")
    assert result.exit_code == 0, result.output
    assert "7 created" in result.output and "meeting 6: missing slug" in result.output
    assert by_external_id(db, "mg:tuesday-serenity").meeting_model == "na"
    result = cli(app, "import-meetings", str(DATA / "meetings.json"), "--model", "na")
    assert "0 created, 0 updated, 7 unchanged" in result.output
    assert count(db, Resource) == 7


def test_cli_dry_run_saves_nothing(app, db):
    result = cli(app, "import", str(DATA / "hsds"), "--dry-run")
    assert result.exit_code == 0 and "Dry run: nothing was saved." in result.output
    assert count(db, Resource) == 0 and count(db, Organization) == 0


def test_cli_bad_file_exits_with_an_error(app, db, tmp_path):
    path = tmp_path / "feed.json"
    path.write_text("{}")
    result = cli(app, "import-meetings", str(path))
    assert result.exit_code != 0 and "nothing imported" in result.output
    assert count(db, Resource) == 0


def test_cli_program_option(app, db, program):
    result = cli(app, "import", str(DATA / "hsds_services.csv"), "--program", program.name)
    assert result.exit_code == 0, result.output
    assert by_external_id(db, "food-1").program_id == program.id
    assert cli(app, "import", str(DATA / "hsds_services.csv"), "--program", "nope").exit_code != 0


def test_cli_failure_half_way_imports_nothing(app, db, monkeypatch):
    """One transaction: an unexpected error on a later entry leaves no earlier entry behind."""
    original = meeting_guide._meeting_values
    calls = {"n": 0}

    def failing(entry, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return original(entry, **kwargs)

    monkeypatch.setattr(meeting_guide, "_meeting_values", failing)
    result = cli(app, "import-meetings", str(DATA / "meetings.json"))
    assert result.exit_code != 0
    assert count(db, Resource) == 0 and count(db, Organization) == 0
