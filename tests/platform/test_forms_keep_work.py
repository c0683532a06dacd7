"""Forms never lose work: every in-form action comes back to the form with everything typed
(narrowing the referral list, setting a goal from a session), a length limit never cuts text
(the server refuses it with the limit and the length, keeping it), a refused form opens with a
summary of every problem at its top, and every field is checked in one pass."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coachapp import timeutil
from coachapp.models import Client, CoachingSession, Goal, Referral
from tests import factories
from tests.helpers import count, intake_data, referral_data, session_data
from tests.helpers import session_edit_data as edit_data

NOTE = "José said the lease talk went well; he wants a plan for Tuesday 🌻 <b>not bold</b>"


@pytest.fixture
def client_(coach):
    return factories.client(coach, intake_date=date(2025, 1, 6))


def textarea(page: str, name: str) -> str:
    """The text a textarea named ``name`` holds on the page, unescaped."""
    found = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"no textarea {name}"
    return html.unescape(found.group(1)).removeprefix("\r\n").removeprefix("\n")


def summary_links(page: str) -> list[str]:
    box = re.search(r'<div id="error-summary".*?</ul>', page, re.S)
    assert box, "no error summary"
    assert 'tabindex="-1"' in box.group(0)
    return re.findall(r'<a href="#([^"]+)"', box.group(0))


# --- Narrow the list of resources ----------------------------------------------------------


def test_narrowing_the_resource_list_keeps_everything_typed(db, login, coach, client_):
    housing = factories.resource(name="Riverbend Housing", category="housing")
    factories.resource(name="Food Bank", category="food")
    data = referral_data(housing, notes=NOTE, referred_on="2026-03-02") | {
        "category": "food",
        "q": "",
        "action": "narrow",
    }
    response = login(coach).post(f"/clients/{client_.id}/referrals/new", data=data)
    assert response.status_code == 200  # shown again: nothing refused, nothing saved
    page = response.get_data(as_text=True)
    assert count(db, Referral) == 0
    assert textarea(page, "notes") == NOTE
    assert 'value="2026-03-02"' in page
    assert "Food Bank" in page
    # The resource already chosen stays chosen though the list now shows food only.
    assert re.search(rf'<option selected value="{housing.id}"|value="{housing.id}" selected', page)
    assert '<option selected value="food">' in page or 'value="food" selected' in page
    assert "error-summary" not in page and "is-invalid" not in page


def test_referring_after_narrowing_saves_the_referral(db, login, coach, client_):
    housing = factories.resource(name="Riverbend Housing", category="housing")
    data = referral_data(housing, notes=NOTE) | {"category": "food", "action": "refer"}
    response = login(coach).post(f"/clients/{client_.id}/referrals/new", data=data)
    assert response.status_code == 302
    assert db.session.scalar(select(Referral.notes)) == NOTE


def test_a_refused_referral_shows_every_problem_at_once(db, login, coach, client_):
    future = (timeutil.local_today(client_.program) + timedelta(days=3)).isoformat()
    data = referral_data(factories.resource(), resource_id="", referred_on=future, notes=NOTE)
    data |= {"status": "connected", "connected_on": "", "closed_on": "2026-01-01"}
    response = login(coach).post(f"/clients/{client_.id}/referrals/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    links = summary_links(page)
    for field in ("resource_id", "referred_on", "closed_on"):
        assert field in links, field
    assert textarea(page, "notes") == NOTE
    assert count(db, Referral) == 0


# --- Set a goal from the session form ------------------------------------------------------


def new_goal(**fields) -> dict:
    return {f"new_goal-{key}": value for key, value in fields.items()}


def test_a_session_sets_a_new_goal_and_ticks_it(db, login, coach, client_):
    data = session_data(note=NOTE) | new_goal(
        domain="employment", description="Apply for two jobs", target_date="2026-06-01"
    )
    response = login(coach).post(f"/clients/{client_.id}/sessions/new", data=data)
    assert response.status_code == 302
    goal = db.session.scalar(select(Goal))
    session = db.session.scalar(select(CoachingSession))
    assert (goal.domain, goal.description) == ("employment", "Apply for two jobs")
    assert goal.opened_on == session.date == date(2026, 3, 2)
    assert [g.id for g in session.goals] == [goal.id]
    assert session.note == NOTE


def test_a_session_without_a_new_goal_sets_none(db, login, coach, client_):
    data = session_data() | new_goal(domain="", description="  ", target_date="")
    assert login(coach).post(f"/clients/{client_.id}/sessions/new", data=data).status_code == 302
    assert count(db, Goal) == 0 and count(db, CoachingSession) == 1


def test_a_refused_new_goal_keeps_the_note_and_saves_nothing(db, login, coach, client_):
    data = session_data(note=NOTE, duration_minutes="0") | new_goal(
        domain="", description="Apply for two jobs", target_date="2026-01-01"
    )
    response = login(coach).post(f"/clients/{client_.id}/sessions/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert textarea(page, "note") == NOTE
    assert textarea(page, "new_goal-description") == "Apply for two jobs"
    assert re.search(r'<input[^>]*id="new_goal-wanted"[^>]* checked>', page)  # fields shown
    # The session's and the goal's problems together, in one pass.
    links = summary_links(page)
    assert {"duration_minutes", "new_goal-domain", "new_goal-target_date"} <= set(links)
    assert count(db, Goal) == 0 and count(db, CoachingSession) == 0


def test_a_ticked_new_goal_needs_its_domain_and_description(db, login, coach, client_):
    data = session_data(note=NOTE) | new_goal(wanted="y")
    response = login(coach).post(f"/clients/{client_.id}/sessions/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert summary_links(page) == ["new_goal-domain", "new_goal-description"]
    assert textarea(page, "note") == NOTE
    assert count(db, CoachingSession) == 0


def test_editing_a_session_can_set_a_new_goal(db, login, coach, client_):
    session = factories.session(client_)
    data = edit_data(session, note=NOTE) | new_goal(domain="housing", description="A lease")
    response = login(coach).post(f"/sessions/{session.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(session)
    assert [g.description for g in session.goals] == ["A lease"]


def test_the_session_form_has_no_link_away(db, login, coach, client_):
    page = login(coach).get(f"/clients/{client_.id}/sessions/new").get_data(as_text=True)
    start = page.index('<form method="post" novalidate>')
    form = page[start : page.index("</form>", start)]
    links = re.findall(r'<a [^>]*href="([^"]+)"', form)
    assert links == [f"/clients/{client_.id}"]  # Cancel only
    assert "Set a new goal" in form


# --- Length limits: a counter, never a cut ---------------------------------------------------


def test_no_maxlength_cuts_text_and_the_limit_is_given_to_the_counter(db, login, coach, client_):
    page = login(coach).get(f"/clients/{client_.id}/sessions/new").get_data(as_text=True)
    assert not re.search(r"\smaxlength=", page)
    assert re.search(r'<textarea[^>]*data-maxlength="10000"[^>]*name="note"', page)
    assert 'id="note-count"' in page and "Up to 10,000 characters." in page
    assert "/static/js/forms.js" in page


def test_an_over_long_note_is_refused_with_the_limit_and_kept_whole(db, login, coach, client_):
    note = "word " * 2010  # 10,050 characters
    response = login(coach).post(
        f"/clients/{client_.id}/sessions/new", data=session_data(note=note)
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot be longer than 10000 characters" in page
    assert "This is 10049 characters long: shorten it by 49" in page  # stripped at the end
    assert textarea(page, "note") == note.strip()
    assert summary_links(page) == ["note"]
    assert count(db, CoachingSession) == 0


def test_a_line_break_counts_as_one_character(db, login, coach, client_):
    note = "x" * 8_999 + "\r\n" * 1_000 + "y"  # 10,000 as typed, 11,000 as sent
    response = login(coach).post(
        f"/clients/{client_.id}/sessions/new", data=session_data(note=note)
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/clients/{id}/referrals/new", "notes"),
        ("/clients/{id}/goals/new", "description"),
        ("/clients/{id}/edit", "notes"),
    ],
)
def test_other_forms_count_instead_of_cutting(db, login, coach, client_, url, field):
    page = login(coach).get(url.format(id=client_.id)).get_data(as_text=True)
    assert not re.search(r"\smaxlength=", page)
    assert f'id="{field}-count"' in page


# --- Every field in one pass, and the summary at the top -----------------------------------


def test_intake_flags_the_intake_date_with_the_other_problems(db, login, coach):
    future = (timeutil.local_today(coach.program) + timedelta(days=5)).isoformat()
    data = intake_data(coach_id=coach.id, first_name="", intake_date=future, email="nope")
    response = login(coach).post("/clients/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert summary_links(page) == ["first_name", "email", "intake_date"]
    assert "This date is in the future." in page
    assert 'value="555-0142"' in page
    assert count(db, Client) == 0


def test_client_edit_flags_a_future_date_with_the_other_problems(db, login, coach, client_):
    future = (timeutil.local_today(coach.program) + timedelta(days=5)).isoformat()
    data = intake_data(last_name="", consent_date=future) | {
        "version": str(client_.version),
        "status": "active",
    }
    response = login(coach).post(f"/clients/{client_.id}/edit", data=data)
    assert response.status_code == 422
    assert summary_links(response.get_data(as_text=True)) == ["last_name", "consent_date"]


def test_a_goal_shows_every_problem_at_once(db, login, coach, client_):
    data = {"domain": "", "description": "x", "opened_on": "2026-03-01"}
    data["target_date"] = "2026-01-01"  # before the opening: the rules' refusal
    response = login(coach).post(f"/clients/{client_.id}/goals/new", data=data)
    assert response.status_code == 422
    assert summary_links(response.get_data(as_text=True)) == ["domain", "target_date"]


def test_the_summary_lists_form_wide_messages_and_links_each_field(db, login, coach, client_):
    session = factories.session(client_)
    data = edit_data(session, version="0", date="") | {"outcome": "maybe"}
    response = login(coach).post(f"/sessions/{session.id}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # A group of options links to its first option; hidden fields are never linked.
    assert summary_links(page) == ["date", "outcome-0"]
    assert page.index('id="error-summary"') < page.index("<h1")
    assert page.count('id="error-summary"') == 1


def test_no_summary_on_a_form_shown_fresh(db, login, coach, client_):
    page = login(coach).get(f"/clients/{client_.id}/sessions/new").get_data(as_text=True)
    assert "error-summary" not in page
