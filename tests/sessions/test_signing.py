"""Billable sessions, signing, co-signature and addenda: the computed minutes, the billable
rules, the credential copied at signing, a signed note read-only on every path (page, form
replay, services, return for revision), addenda under the note, co-signature by the coach's
supervisor only."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import select
from sqlalchemy import text as sa_text

from coachapp.extensions import db
from coachapp.models import AuditEvent, BillingSetting, CoachingSession, SessionAddendum
from coachapp.sessions import services
from coachapp.team import services as team_services
from tests import factories
from tests.helpers import session_data
from tests.helpers import session_edit_data as edit_data

BILLABLE = {
    "start_time": "10:00",
    "end_time": "10:50",
    "place_of_service": "12",
    "billable": "y",
}


def signed(client, coach, **fields) -> CoachingSession:
    session = factories.session(client, note="Met at the library.", **fields)
    session.signed_at = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
    session.signed_by_id = coach.id
    session.signed_credential = "CPRS"
    db.session.commit()
    return session


# --- The computed minutes and the billable rules (services) --------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [(time(9, 0), time(9, 50), 50), (time(23, 0), time(23, 59), 59), (time(8, 7), time(8, 8), 1)],
)
def test_minutes_between_times_of_one_day(start, end, minutes):
    assert services.minutes_between(start, end) == minutes
    data = services.with_times({"start_time": start, "end_time": end, "duration_minutes": 5})
    assert data["duration_minutes"] == minutes


def test_without_both_times_the_minutes_given_stay():
    data = {"start_time": time(9, 0), "end_time": None, "duration_minutes": 25}
    assert services.with_times(data)["duration_minutes"] == 25


def _problems(client, **data) -> dict:
    base = {
        "date": date(2026, 3, 2),
        "duration_minutes": 30,
        "modality": "in_person",
        "kind": "coaching",
        "outcome": "completed",
    }
    try:
        services.check_session(client, base | data)
    except services.SessionRuleError as exc:
        return exc.errors
    return {}


@pytest.fixture
def plan_goal(client_):
    """A goal of the client's plan signed by both on 2026-01-20 (current on 2026-03-02)."""
    goal = factories.goal(client_, description="Find stable housing")
    factories.signed_plan(client_, [goal])
    return goal


def test_billable_rules(db, client_, plan_goal):
    assert set(_problems(client_, billable=True)) == {"start_time", "end_time", "place_of_service"}
    ok = {
        "start_time": time(10),
        "end_time": time(10, 30),
        "place_of_service": "02",
        "goal_ids": [plan_goal.id],
    }
    assert _problems(client_, billable=True, **ok) == {}
    assert _problems(client_, billable=False) == {}  # a non-billable contact: minutes by hand
    assert set(_problems(client_, billable=True, kind="group", **ok)) == {"group_size"}
    assert _problems(client_, billable=True, kind="group", group_size=6, **ok) == {}
    assert set(_problems(client_, group_size=1, kind="group")) == {"group_size"}
    assert set(_problems(client_, group_size=4)) == {"group_size"}  # not a group session
    assert set(_problems(client_, billable=True, outcome="attempted", **ok)) == {"billable"}
    assert set(_problems(client_, place_of_service="13x")) == {"place_of_service"}
    assert set(_problems(client_, place_of_service="98")) == {"place_of_service"}


def test_a_billable_session_addresses_goals_of_the_plan_current_on_its_date(db, client_):
    on_plan = factories.goal(client_, description="Find stable housing")
    off_plan = factories.goal(client_, domain="employment", description="Find work")
    billable = {
        "billable": True,
        "start_time": time(10),
        "end_time": time(10, 30),
        "place_of_service": "11",
    }
    no_plan = _problems(client_, goal_ids=[on_plan.id], **billable)
    assert set(no_plan) == {"billable"} and "No recovery plan" in no_plan["billable"]
    assert _problems(client_, goal_ids=[on_plan.id], **{**billable, "billable": False}) == {}

    factories.signed_plan(
        client_, [on_plan], signed_at=datetime(2026, 3, 2, 18, tzinfo=timezone.utc)
    )
    assert _problems(client_, goal_ids=[on_plan.id], **billable) == {}  # signed that day
    before = _problems(client_, goal_ids=[on_plan.id], date=date(2026, 3, 1), **billable)
    assert set(before) == {"billable"}  # the day before it was signed: no plan yet
    assert set(_problems(client_, goal_ids=[], **billable)) == {"goal_ids"}
    off = _problems(client_, goal_ids=[on_plan.id, off_plan.id], **billable)
    assert set(off) == {"goal_ids"} and "not on it" in off["goal_ids"]


def test_time_rules(db, client_):
    before = _problems(client_, start_time=time(11), end_time=time(10, 30))
    assert set(before) == {"end_time"} and "after the start" in before["end_time"]
    assert set(_problems(client_, start_time=time(11), end_time=time(11))) == {"end_time"}
    assert set(_problems(client_, start_time=time(0), end_time=time(23, 59))) == {"end_time"}
    assert set(_problems(client_, end_time=time(11))) == {"start_time"}
    assert _problems(client_, start_time=time(11)) == {}  # a start alone is kept


# --- The form ----------------------------------------------------------------------------------


def test_log_a_billable_session_with_times(db, login, coach, client_, plan_goal):
    data = session_data(duration_minutes="5", goal_ids=str(plan_goal.id), **BILLABLE)
    response = login(coach).post(f"/clients/{client_.id}/sessions/new", data=data)
    assert response.status_code == 302
    session = db.session.scalar(select(CoachingSession))
    assert (session.start_time, session.end_time) == (time(10), time(10, 50))
    assert session.duration_minutes == 50  # computed; the 5 typed is ignored
    assert session.billable and session.place_of_service == "12"


def test_with_both_times_the_minutes_may_be_left_empty(db, login, coach, client_):
    data = session_data(duration_minutes="", start_time="09:15", end_time="10:00")
    assert login(coach).post(f"/clients/{client_.id}/sessions/new", data=data).status_code == 302
    assert db.session.scalar(select(CoachingSession.duration_minutes)) == 45


def test_a_billable_session_without_its_details_is_refused_beside_the_fields(
    db, login, coach, client_
):
    data = session_data(billable="y", kind="group", note="Kept: the group met in the park.")
    response = login(coach).post(f"/clients/{client_.id}/sessions/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in (
        "A billable session needs its start time.",
        "A billable session needs its end time.",
        "A billable session needs its place of service.",
        "A billable group session needs the number of clients in it.",
    ):
        assert message in page
    assert "Kept: the group met in the park." in page
    assert db.session.scalar(select(CoachingSession)) is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start_time": "25:99", "end_time": "26:00"}, "start_time", "HH:MM"),
        ({"start_time": "10:00", "end_time": "09:00"}, "end_time", "after the start time"),
        ({"place_of_service": "77"}, "place_of_service", "Choose a place of service"),
        ({"group_size": "many", "kind": "group"}, "group_size", "number of clients"),
    ],
)
def test_bad_billing_input_is_a_message_and_kept(db, login, coach, client_, change, field, message):
    response = login(coach).post(f"/clients/{client_.id}/sessions/new", data=session_data(**change))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f'id="{field}-errors"' in page
    assert db.session.scalar(select(CoachingSession)) is None


# --- Signing -----------------------------------------------------------------------------------


def test_the_coach_signs_with_the_credential_held_that_day(db, login, coach, client_):
    coach.credential = "CPRS"
    session = factories.session(client_, note="Talked about the lease.")
    browser = login(coach)
    assert "You sign as" in browser.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    refused = browser.post(f"/sessions/{session.id}/sign", data={})
    assert refused.status_code == 422 and "Tick the attestation" in refused.get_data(as_text=True)
    assert browser.post(f"/sessions/{session.id}/sign", data={"confirm": "y"}).status_code == 302
    db.session.refresh(session)
    assert session.signed_at is not None and session.signed_by_id == coach.id
    assert session.signed_credential == "CPRS"
    coach.credential = "CPRS, CADC"  # a later credential leaves the signature as it was
    db.session.commit()
    db.session.refresh(session)
    assert session.signed_credential == "CPRS"
    page = browser.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert "Signed by" in page and "CPRS" in page and "CADC" not in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.detail == "signed"))
    assert event.entity_id == session.id and "lease" not in (event.fields or "")


def test_signing_without_a_credential_is_allowed_and_says_so(db, login, coach, client_):
    session = factories.session(client_, note="Phone check-in.")
    browser = login(coach)
    assert browser.post(f"/sessions/{session.id}/sign", data={"confirm": "y"}).status_code == 302
    db.session.refresh(session)
    assert session.signed_credential is None
    assert "no credential on file" in browser.get(f"/sessions/{session.id}/edit").get_data(
        as_text=True
    )


def test_only_the_sessions_coach_signs(db, login, coach, supervisor, client_):
    session = factories.session(client_, note="Phone check-in.")
    assert (
        login(supervisor).post(f"/sessions/{session.id}/sign", data={"confirm": "y"}).status_code
        == 403
    )
    db.session.refresh(session)
    assert session.signed_at is None


def test_a_note_without_text_or_returned_for_revision_is_not_signed(
    db, login, coach, supervisor, client_
):
    empty = factories.session(client_)
    browser = login(coach)
    response = browser.post(f"/sessions/{empty.id}/sign", data={"confirm": "y"})
    assert response.status_code == 422 and "Write the note" in response.get_data(as_text=True)
    returned = factories.session(client_, note="first draft")
    team_services.return_for_revision(returned, comment="Add the plan goal.", actor=supervisor)
    db.session.commit()
    response = browser.post(f"/sessions/{returned.id}/sign", data={"confirm": "y"})
    assert response.status_code == 422 and "revise the note" in response.get_data(as_text=True)
    # Revised and saved, it can be signed.
    assert (
        browser.post(
            f"/sessions/{returned.id}/edit", data=edit_data(returned, note="revised")
        ).status_code
        == 302
    )
    assert browser.post(f"/sessions/{returned.id}/sign", data={"confirm": "y"}).status_code == 302


# --- Read-only once signed ---------------------------------------------------------------------


def test_a_signed_session_shows_read_only(db, login, coach, client_):
    session = signed(client_, coach)
    page = login(coach).get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert "Signed and read-only" in page and "Met at the library." in page
    assert 'name="duration_minutes"' not in page and 'name="note"' not in page
    assert "Add addendum" in page


def test_a_replayed_edit_form_changes_nothing(db, login, coach, client_):
    session = factories.session(client_, note="as signed")
    old_form = edit_data(session, note="changed after signing")  # loaded before signing
    browser = login(coach)
    assert browser.post(f"/sessions/{session.id}/sign", data={"confirm": "y"}).status_code == 302
    db.session.refresh(session)
    version = session.version
    response = browser.post(f"/sessions/{session.id}/edit", data=old_form)
    assert response.status_code == 409
    assert "signed and read-only: nothing was changed" in response.get_data(as_text=True)
    db.session.expire_all()
    again = db.session.get(CoachingSession, session.id)
    assert (again.note, again.version) == ("as signed", version)


def test_the_services_refuse_any_change_of_a_signed_session(db, coach, supervisor, client_):
    session = signed(client_, coach)
    data = {
        "date": session.date,
        "duration_minutes": 90,
        "modality": session.modality,
        "kind": session.kind,
        "outcome": session.outcome,
        "note": "rewritten",
    }
    with pytest.raises(services.SignedSessionError):
        services.update_session(session, data, version=None, actor=coach)
    with pytest.raises(team_services.TeamRuleError, match="signed"):
        team_services.return_for_revision(session, comment="redo", actor=supervisor)
    with pytest.raises(services.SignedSessionError):
        services.sign_session(session, actor=coach)
    db.session.rollback()
    db.session.refresh(session)
    assert session.note == "Met at the library." and session.returned_at is None
    # A supervisor's sign-off is a review, not an edit: it stays possible.
    team_services.sign_off(session, comment=None, actor=supervisor)
    db.session.commit()
    assert session.reviewed_at is not None and session.note == "Met at the library."


def test_a_signed_session_may_be_archived_with_a_reason(db, login, coach, client_):
    session = signed(client_, coach)
    response = login(coach).post(f"/sessions/{session.id}/archive", data={"reason": "wrong client"})
    assert response.status_code == 302
    db.session.refresh(session)
    assert session.archived_at is not None and session.note == "Met at the library."


# --- Addenda -----------------------------------------------------------------------------------


def test_an_addendum_shows_under_the_signed_note(db, login, coach, client_):
    session = signed(client_, coach)
    browser = login(coach)
    refused = browser.post(f"/sessions/{session.id}/addenda", data={"text": "Forgot this."})
    assert refused.status_code == 422
    assert "Say why" in refused.get_data(as_text=True)
    assert "Forgot this." in refused.get_data(as_text=True)  # kept
    response = browser.post(
        f"/sessions/{session.id}/addenda",
        data={"text": "Also called the landlord.", "why": "Left out of the note"},
    )
    assert response.status_code == 302
    page = browser.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    note_at, addendum_at = (
        page.index("Met at the library."),
        page.index("Also called the landlord."),
    )
    assert note_at < addendum_at and "Why: Left out of the note" in page
    client_page = browser.get(f"/clients/{client_.id}").get_data(as_text=True)
    assert client_page.index("Met at the library.") < client_page.index("Also called the landlord.")
    entry = db.session.scalar(select(SessionAddendum))
    assert (entry.author_id, entry.session_id) == (coach.id, session.id)
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "session_addendum")
    )
    assert event.entity_id == entry.id and event.fields == "reason,text"
    assert "landlord" not in (event.detail or "")


def test_an_addendum_is_stored_encrypted(db, coach, client_):
    session = signed(client_, coach)
    services.add_addendum(session, "Also called the landlord.", "Left out", actor=coach)
    db.session.commit()
    raw = db.session.execute(sa_text("SELECT text, reason FROM session_addenda")).one()
    assert "landlord" not in str(raw[0]) and "Left out" not in str(raw[1])


def test_an_unsigned_note_takes_no_addendum(db, login, coach, client_):
    session = factories.session(client_, note="still editable")
    response = login(coach).post(
        f"/sessions/{session.id}/addenda", data={"text": "More.", "why": "Why not"}
    )
    assert response.status_code == 422 and "can still be edited" in response.get_data(as_text=True)
    assert db.session.scalar(select(SessionAddendum)) is None


# --- Co-signature ------------------------------------------------------------------------------


def test_the_coachs_supervisor_cosigns(
    db, login, coach, supervisor, other_supervisor, other_coach, client_
):
    session = signed(client_, coach)
    assert (
        login(coach).post(f"/sessions/{session.id}/cosign", data={"confirm": "y"}).status_code
        == 403
    )
    for outsider in (other_supervisor, other_coach):
        assert (
            login(outsider)
            .post(f"/sessions/{session.id}/cosign", data={"confirm": "y"})
            .status_code
            == 404
        )
    browser = login(supervisor)
    assert browser.post(f"/sessions/{session.id}/cosign", data={"confirm": "y"}).status_code == 302
    db.session.refresh(session)
    assert session.cosigned_by_id == supervisor.id and session.cosigned_at is not None
    page = browser.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert f"Co-signed by {supervisor.name}" in page
    again = browser.post(f"/sessions/{session.id}/cosign", data={"confirm": "y"})
    assert again.status_code == 422
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.detail == "co-signed"))


def test_an_unsigned_note_is_not_cosigned(db, login, supervisor, client_):
    session = factories.session(client_, note="not yet signed")
    response = login(supervisor).post(f"/sessions/{session.id}/cosign", data={"confirm": "y"})
    assert response.status_code in (403, 422)
    db.session.refresh(session)
    assert session.cosigned_at is None


def test_cosignature_required_by_the_setting_in_force_on_the_sessions_day(
    db, login, coach, program, client_
):
    early = signed(client_, coach, on=date(2026, 2, 10))
    late = signed(client_, coach, on=date(2026, 3, 10))
    db.session.add_all(
        [
            BillingSetting(program_id=program.id, effective_from=date(2026, 1, 1), payer="IL"),
            BillingSetting(
                program_id=program.id,
                effective_from=date(2026, 3, 1),
                payer="IL",
                cosign_required=True,
            ),
        ]
    )
    db.session.commit()
    browser = login(coach)
    assert "Co-signature required" not in browser.get(f"/sessions/{early.id}/edit").get_data(
        as_text=True
    )
    assert "Co-signature required" in browser.get(f"/sessions/{late.id}/edit").get_data(
        as_text=True
    )


def test_the_review_queue_offers_no_return_for_a_signed_note(db, login, coach, supervisor, client_):
    signed_note = signed(client_, coach)
    unsigned = factories.session(client_, note="Not signed yet.")
    page = login(supervisor).get("/team/reviews").get_data(as_text=True)

    def article(session) -> str:
        return page.split(f'id="note-{session.id}"')[1].split("</article>")[0]

    assert "Return for revision" not in article(signed_note)
    assert "ask for an addendum" in article(signed_note)
    assert "Return for revision" in article(unsigned)
