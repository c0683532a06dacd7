"""The one access rule of product.md, through the query and through the pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from coachapp import access
from coachapp.extensions import db as _db
from coachapp.models import AuditEvent, BreakGlassAccess, CoveringAssignment
from tests import factories


def visible_ids(user) -> set[int]:
    return set(_db.session.scalars(access.visible_client_ids(user)))


@pytest.fixture
def caseloads(coach, other_coach):
    return factories.client(coach), factories.client(other_coach)


def test_coach_sees_own_clients_only(caseloads, coach, other_coach):
    mine, theirs = caseloads
    assert visible_ids(coach) == {mine.id}
    assert visible_ids(other_coach) == {theirs.id}


def test_supervisor_sees_their_team_only(caseloads, supervisor, other_supervisor):
    mine, theirs = caseloads
    assert visible_ids(supervisor) == {mine.id}
    assert visible_ids(other_supervisor) == {theirs.id}


def test_program_manager_and_admin_see_no_client_records(caseloads, program_manager, admin):
    assert visible_ids(program_manager) == set()
    assert visible_ids(admin) == set()


def test_deactivated_coach_sees_nothing(db, caseloads, coach):
    coach.active = False
    db.session.commit()
    assert visible_ids(coach) == set()


def test_covering_assignment_in_force_grants_access_and_ends_by_itself(
    db, caseloads, coach, other_coach
):
    mine, theirs = caseloads
    today = access.today()
    cover = CoveringAssignment(
        covering_user_id=coach.id,
        coach_id=other_coach.id,
        client_id=theirs.id,
        starts_on=today - timedelta(days=1),
        ends_on=today,
    )
    db.session.add(cover)
    db.session.commit()
    assert visible_ids(coach) == {mine.id, theirs.id}

    cover.ends_on = today - timedelta(days=1)  # over yesterday
    db.session.commit()
    assert visible_ids(coach) == {mine.id}

    cover.starts_on, cover.ends_on = today + timedelta(days=1), today + timedelta(days=5)
    db.session.commit()
    assert visible_ids(coach) == {mine.id}  # not yet begun


def test_caseload_cover_reaches_every_client_of_that_coach(db, caseloads, coach, other_coach):
    mine, theirs = caseloads
    another = factories.client(other_coach)
    today = access.today()
    db.session.add(
        CoveringAssignment(
            covering_user_id=coach.id, coach_id=other_coach.id, starts_on=today, ends_on=today
        )
    )
    db.session.commit()
    assert visible_ids(coach) == {mine.id, theirs.id, another.id}


def test_ended_cover_grants_nothing(db, caseloads, coach, other_coach):
    _mine, theirs = caseloads
    today = access.today()
    db.session.add(
        CoveringAssignment(
            covering_user_id=coach.id,
            coach_id=other_coach.id,
            client_id=theirs.id,
            starts_on=today,
            ends_on=today,
            ended_at=datetime.now(timezone.utc),
        )
    )
    db.session.commit()
    assert theirs.id not in visible_ids(coach)


def test_break_glass_opens_one_client_to_an_admin_until_it_expires(db, caseloads, admin):
    mine, _theirs = caseloads
    grant = BreakGlassAccess(
        user_id=admin.id,
        client_id=mine.id,
        reason="client in crisis, coach unreachable",
        expires_at=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    db.session.add(grant)
    db.session.commit()
    assert visible_ids(admin) == {mine.id}
    grant.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
    db.session.commit()
    assert visible_ids(admin) == set()


def test_break_glass_is_for_admins_only(db, caseloads, program_manager):
    mine, _ = caseloads
    db.session.add(
        BreakGlassAccess(
            user_id=program_manager.id,
            client_id=mine.id,
            reason="curious",
            expires_at=datetime.now(timezone.utc) + timedelta(hours=1),
        )
    )
    db.session.commit()
    assert visible_ids(program_manager) == set()


def test_archived_and_merged_clients_drop_out_of_the_scope(db, caseloads, coach):
    mine, _ = caseloads
    mine.archived_at = datetime.now(timezone.utc)
    db.session.commit()
    assert visible_ids(coach) == set()
    assert mine.id in set(
        db.session.scalars(
            access.visible_clients(coach, include_archived=True).with_only_columns(access.Client.id)
        )
    )


# --- Through the pages ------------------------------------------------------------------------


def test_coach_typing_another_coachs_client_url_gets_404(login, caseloads, coach):
    mine, theirs = caseloads
    browser = login(coach)
    assert browser.get(f"/clients/{mine.id}").status_code == 200
    outside = browser.get(f"/clients/{theirs.id}")
    missing = browser.get("/clients/999999")
    assert outside.status_code == 404
    assert missing.status_code == 404
    # Nothing tells the two apart. (The sign-out form's CSRF token carries the second it was
    # made in, so two requests a second apart differ there only.)
    assert without_csrf_tokens(outside.data) == without_csrf_tokens(missing.data)


def without_csrf_tokens(page: bytes) -> bytes:
    token = rb'name="csrf_token"([^>]*) value="[^"]*"'
    return re.sub(token, rb'name="csrf_token"\1 value=""', page)


@pytest.mark.parametrize("role", ["supervisor", "other_supervisor", "program_manager", "admin"])
def test_client_page_for_each_role(request, login, caseloads, role):
    mine, _ = caseloads
    user = request.getfixturevalue(role)
    expected = 200 if role == "supervisor" else 404
    assert login(user).get(f"/clients/{mine.id}").status_code == expected


def test_client_list_shows_only_the_scope(login, caseloads, coach):
    mine, theirs = caseloads
    page = login(coach).get("/clients/").get_data(as_text=True)
    assert mine.code in page and mine.last_name in page
    assert theirs.last_name not in page


def test_client_search_stays_inside_the_scope(login, caseloads, coach):
    _mine, theirs = caseloads
    page = login(coach).get(f"/clients/?q={theirs.last_name}").get_data(as_text=True)
    assert theirs.code not in page
    assert "No clients match" in page


def test_search_ignores_accents_and_case(login, coach):
    client = factories.client(coach, first_name="José", last_name="Ñúñez")
    page = login(coach).get("/clients/?q=jose nunez").get_data(as_text=True)
    assert client.code in page


def test_viewing_a_client_is_audited_with_ids_only(db, login, caseloads, coach):
    mine, theirs = caseloads
    browser = login(coach)
    browser.get(f"/clients/{mine.id}")
    browser.get(f"/clients/{theirs.id}")
    events = db.session.scalars(_db.select(AuditEvent).where(AuditEvent.action == "view")).all()
    assert [(e.user_id, e.entity_type, e.client_id) for e in events] == [
        (coach.id, "client", mine.id)
    ]


def test_pages_with_client_data_are_not_cached(login, caseloads, coach):
    mine, _ = caseloads
    response = login(coach).get(f"/clients/{mine.id}")
    assert response.headers["Cache-Control"] == "no-store"


def test_program_manager_cannot_open_the_client_list(login, program_manager):
    assert login(program_manager).get("/clients/").status_code == 403


@pytest.mark.parametrize("client_id", ["0", "99999999999999999999999", "2147483648"])
def test_out_of_range_ids_are_not_found(login, coach, client_id):
    assert login(coach).get(f"/clients/{client_id}").status_code == 404


# --- Statements kept per user and day (access.built_once) ---------------------------------------


def test_rule_is_built_once_per_user_and_day_and_still_answers_for_each(
    caseloads, coach, other_coach, supervisor
):
    mine, theirs = caseloads
    assert access.visible_clients(coach) is access.visible_clients(coach)
    assert access.visible_clients(coach) is not access.visible_clients(other_coach)
    assert access.visible_clients(coach) is not access.visible_clients(supervisor)
    assert visible_ids(coach) == {mine.id}
    assert visible_ids(other_coach) == {theirs.id}


def test_kept_rule_follows_changes_made_after_it_was_built(db, caseloads, coach, other_coach):
    """The kept statement holds the rule, not its answer: a cover added later counts at once,
    and a deactivated user sees nothing (their key is gone)."""
    mine, theirs = caseloads
    assert visible_ids(coach) == {mine.id}
    today = access.today()
    db.session.add(
        CoveringAssignment(
            covering_user_id=coach.id,
            coach_id=other_coach.id,
            client_id=None,
            starts_on=today,
            ends_on=today + timedelta(days=3),
        )
    )
    db.session.commit()
    assert visible_ids(coach) == {mine.id, theirs.id}
    coach.active = False
    db.session.commit()
    assert access.rule_key(coach) is None
    assert visible_ids(coach) == set()


def test_built_once_keeps_by_name_and_parts_but_not_for_admins(coach, admin):
    calls = []

    def build():
        calls.append(1)
        return object()

    first = access.built_once(coach, "test.kept", 1, build=build)
    assert access.built_once(coach, "test.kept", 1, build=build) is first
    assert access.built_once(coach, "test.kept", 2, build=build) is not first
    access.built_once(admin, "test.kept", 1, build=build)
    access.built_once(admin, "test.kept", 1, build=build)
    assert len(calls) == 4
