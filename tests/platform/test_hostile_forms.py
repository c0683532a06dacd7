"""Every form of the app, posted with random and hostile values, never answers 500.

The test walks ``app.url_map``: each route that takes POST is posted to with the field names its
page shows (plus common ones), filled by hypothesis with hostile strings, numbers, dates and
Unicode. A new route with an id parameter this test cannot fill fails here, so it gets covered.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories

HOSTILE = [
    "",
    " ",
    "\t\n",
    "0",
    "-1",
    "721",
    "99999999999999999999",
    "1e309",
    "NaN",
    "abc",
    "2026-02-30",
    "0000-00-00",
    "1899-12-31",
    "9999-12-31",
    "2026-13-01",
    "2026-03-01T25:61",
    "José Ñúñez",
    "李小龙",
    "O'Brien",
    "🌻" * 50,
    "x" * 20_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "on",
    "y",
    "true",
    "referred",
    "connected",
    "completed",
    "no_show",
    "discharged",
]
COMMON_FIELDS = ["reason", "version", "status", "date", "on", "outcome", "note", "notes"]
NAME_RE = re.compile(r'name="([A-Za-z0-9_\-]+)"')

value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
)


@pytest.fixture
def world(db, coach, supervisor, admin, program_manager):
    """One record of every kind on the coach's caseload, for the URL parameters."""
    client = factories.client(coach)
    discharged = factories.client(coach, status="discharged")
    goal = factories.goal(client)
    session = factories.session(client, on=date(2026, 3, 1))
    appointment = factories.appointment(client, at=datetime(2026, 3, 3, 10, 0))
    resource = factories.resource(meeting_model="aa", category="recovery_support")
    referral = factories.referral(client, resource)
    assessment = factories.assessment(client)
    from coachapp.extensions import db as _db
    from coachapp.models import (
        CoveringAssignment,
        MutualAidAttendance,
        SupervisionNote,
        SupervisionNoteCoach,
        TaxonomyMapping,
    )

    attendance = MutualAidAttendance(client_id=client.id, model="aa", resource_id=resource.id)
    from coachapp.models import ClientStatusRecord

    status_record = ClientStatusRecord(
        client_id=client.id, kind="housing", status="emergency_shelter", as_of=date(2026, 1, 5)
    )
    cover = CoveringAssignment(
        covering_user_id=supervisor.id,
        coach_id=coach.id,
        starts_on=date(2026, 1, 1),
        ends_on=date(2030, 1, 1),
    )
    note = SupervisionNote(
        supervisor_id=supervisor.id, date=date(2026, 3, 4), duration_minutes=60, format="individual"
    )
    from datetime import timedelta

    from coachapp.models import BreakGlassAccess

    grant = BreakGlassAccess(
        user_id=admin.id,
        client_id=client.id,
        reason="crisis, coach away",
        expires_at=datetime.now() + timedelta(hours=1),
    )
    from coachapp.models import ConsentRecord

    consent = ConsentRecord(
        client_id=client.id,
        recipient="Clinic",
        purpose="Care",
        information_disclosed="All",
        signed_on=date(2026, 1, 1),
    )
    from coachapp.auth.tokens import create_token

    _secret, token = create_token(coach, "hostile")
    mapping = TaxonomyMapping(
        program_id=coach.program_id, match="code", term="BD-1", category="recovery_support"
    )
    from sqlalchemy import select

    from coachapp.models import Enrollment, FollowUpInterview

    episode = _db.session.scalar(select(Enrollment).where(Enrollment.client_id == client.id))
    interview = FollowUpInterview(
        client_id=client.id, enrollment_id=episode.id, kind="baseline", done_on=date(2026, 1, 9)
    )
    from coachapp.models import ClientMerge, RecoveryPlan

    plan = RecoveryPlan(client_id=client.id, enrollment_id=episode.id, number=1, status="draft")
    merge = ClientMerge(  # undone already
        survivor_id=client.id, merged_id=discharged.id, undone_at=datetime.now()
    )
    _db.session.add_all(
        [attendance, cover, note, grant, consent, mapping, interview, status_record, plan, merge]
    )
    _db.session.flush()
    _db.session.add(SupervisionNoteCoach(note_id=note.id, coach_id=coach.id))
    _db.session.commit()
    return {
        "coach_id": [coach.id],
        "user_id": [coach.id],
        "program_id": [coach.program_id],
        "team_id": [],
        "cover_id": [cover.id],
        "grant_id": [grant.id],
        "consent_id": [consent.id],
        "token_id": [token.id],
        "note_id": [note.id],
        "mapping_id": [mapping.id],
        "client_id": [client.id, discharged.id],
        "goal_id": [goal.id],
        "session_id": [session.id],
        "appointment_id": [appointment.id],
        "resource_id": [resource.id],
        "referral_id": [referral.id],
        "assessment_id": [assessment.id],
        "attendance_id": [attendance.id],
        "enrollment_id": [episode.id],
        "interview_id": [interview.id],
        "plan_id": [plan.id],
        "kind": ["six_month"],
        "status_id": [status_record.id],
        "merge_id": [merge.id],
    }


def post_targets(app, world) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule.startswith("/api/"):
            continue
        if rule.endpoint in ("auth.logout",):
            continue
        values = {}
        for arg in rule.arguments:
            assert arg in world, (
                f"add an id for <{arg}> to tests/platform/test_hostile_forms.py world"
            )
            values[arg] = world[arg][0] if world[arg] else 1
        urls.append(rule.build(values)[1] if rule.arguments else rule.rule)
        if "client_id" in rule.arguments:
            values["client_id"] = world["client_id"][1]
            urls.append(rule.build(values)[1])
    return sorted(set(urls))


def field_names(browser, url) -> list[str]:
    response = browser.get(url)
    names = NAME_RE.findall(response.get_data(as_text=True)) if response.status_code == 200 else []
    return sorted(set(names) - {"csrf_token", "q"} | set(COMMON_FIELDS))


ROLES = ("coach", "supervisor", "admin", "program_manager")


@pytest.fixture
def catalog(request, app, login, world) -> dict[str, list[str]]:
    """Every POST target with its field names (as any role sees the page), read once before
    anything is posted, so what hypothesis draws does not depend on earlier examples."""
    browsers = [login(request.getfixturevalue(role)) for role in ROLES]
    return {
        url: sorted(set().union(*(field_names(b, url) for b in browsers)))
        for url in post_targets(app, world)
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_form_answers_500(request, login, catalog, data):
    assert catalog, "no POST route found"
    role = data.draw(st.sampled_from(ROLES), label="role")
    browser = login(request.getfixturevalue(role))
    url = data.draw(st.sampled_from(sorted(catalog)), label="url")
    names = catalog[url]
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    form = {name: data.draw(value, label=name) for name in chosen}
    response = browser.post(url, data=form)
    assert response.status_code != 500, (url, form)
    assert response.status_code in (200, 302, 400, 403, 404, 405, 409, 422), (url, form)


@pytest.mark.parametrize("role", ROLES)
def test_every_post_route_is_posted_with_plausible_junk(request, login, catalog, role):
    """Deterministic sweep: each POST route, as each role, with every field set to each
    hostile value in turn."""
    browser = login(request.getfixturevalue(role))
    for url, names in catalog.items():
        for junk in HOSTILE:
            response = browser.post(url, data={name: junk for name in names})
            assert response.status_code != 500, (url, junk)


def test_nul_characters_are_refused_whole(db, login, coach):
    """PostgreSQL cannot store NUL in text: refused with 400 before anything is written."""
    from sqlalchemy import func, select

    from coachapp.models import Client
    from tests.helpers import intake_data

    response = login(coach).post(
        "/clients/new", data=intake_data(first_name="a\x00b", coach_id=coach.id)
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Client.id))) == 0
