"""A supervisor opens the team dashboard and the rows behind a number, signs off a session note
with a comment the coach then reads, writes a group supervision note naming two coaches and
reassigns a client: through the UI, at desktop and phone size, with no horizontal scrolling.
The demo program's supervisor, with a year-long backlog, goes through the dashboard, the review
queue and the report, each axe-clean."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import func, select

from coachapp.extensions import db
from coachapp.models import CoachingSession, User
from tests import factories
from tests.browser.helpers import (
    axe_clean,
    fits,
    go_to,
    sign_in_as,
    sign_out,
    unique_tag,
)


def _coach_row(page, name: str):
    return page.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=name))


def test_team_dashboard_and_the_rows_behind_a_number(page, site):
    sign_in_as(page, site, "supervisor@example.org")
    go_to(page, "Team")
    expect(page.get_by_role("heading", name="Team dashboard")).to_be_visible()
    assert fits(page)
    for coach in ("Casey Coach", "Oscar Other"):
        expect(_coach_row(page, coach)).to_have_count(1)

    active = _coach_row(page, "Casey Coach").get_by_role("cell").first.get_by_role("link")
    shown = int(active.inner_text())
    active.click()
    expect(page.get_by_role("heading", name="Active clients · Casey Coach")).to_be_visible()
    assert fits(page)
    assert page.locator("main .list-group-item").count() == shown
    expect(page.get_by_role("link", name="José Ñúñez")).to_be_visible()
    expect(page.get_by_text("Zoë")).to_have_count(0)  # another coach's client

    page.get_by_role("link", name="← Team dashboard").click()
    expect(page.get_by_role("heading", name="Team dashboard")).to_be_visible()


def _client_with_note(site, last_name: str, note: str) -> int:
    def build():
        client = factories.client(site.coach, first_name="Marisol", last_name=last_name)
        factories.session(client, on=date(2026, 11, 2), note=note)
        return client

    return site.make(build)


def test_signs_off_a_note_with_a_comment_the_coach_reads(page, site):
    tag = unique_tag()
    last_name = f"Quispe{tag}"
    _client_with_note(site, last_name, f"Talked through the housing plan ({tag}).")
    comment = f"Good plan; check the lease date next time ({tag})."

    sign_in_as(page, site, "supervisor@example.org")
    go_to(page, "Team")
    waiting = _coach_row(page, "Casey Coach").get_by_role("cell").nth(5).get_by_role("link")
    assert int(waiting.inner_text()) >= 1
    waiting.click()
    heading = page.get_by_role("heading", name="Session notes to review · Casey Coach")
    expect(heading).to_be_visible()
    assert fits(page)

    card = page.locator("article").filter(has_text=last_name)
    expect(card).to_have_count(1)
    expect(card.get_by_text(f"Talked through the housing plan ({tag}).")).to_be_visible()
    card.get_by_label("Comment for the coach").fill(comment)
    card.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text(re.compile(r"Note of [\d-]+ signed off\."))).to_be_visible()
    expect(page.locator("article").filter(has_text=last_name)).to_have_count(0)
    assert fits(page)
    sign_out(page)

    sign_in_as(page, site, "coach@example.org")
    tasks = page.get_by_role("region", name=re.compile("My tasks"))
    expect(tasks.get_by_role("link", name=f"Sam Supervisor: {comment}")).to_be_visible()
    assert fits(page)


def test_writes_a_group_supervision_note(page, site):
    tag = unique_tag()
    last_name = f"Halvorsen{tag}"
    site.make(factories.client, site.other_coach, first_name="Teodor", last_name=last_name)

    sign_in_as(page, site, "supervisor@example.org")
    go_to(page, "Supervision")
    expect(page.get_by_role("heading", name="Supervision notes")).to_be_visible()
    page.get_by_role("link", name="New supervision note").click()
    expect(page.get_by_role("heading", name="New supervision note")).to_be_visible()
    assert fits(page)

    page.get_by_label("Minutes").fill("60")
    page.get_by_label("Format").select_option(label="Group")
    page.get_by_role("checkbox", name="Casey Coach").check()
    page.get_by_role("checkbox", name="Oscar Other").check()
    clients = page.get_by_label("Clients discussed")
    client_option = clients.locator("option").filter(has_text=last_name)
    clients.select_option(value=client_option.get_attribute("value"))
    page.get_by_label("Topics").fill(f"Boundaries with families ({tag})")
    page.get_by_label("Note", exact=True).fill("Role-played a hard phone call.")
    page.get_by_label("Action items").fill("Each coach reads the boundaries guide.")
    page.get_by_role("button", name="Save note").click()

    expect(page.get_by_text("Supervision note saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Supervision on "))).to_be_visible()
    expect(page.locator(".badge", has_text="Group")).to_be_visible()
    who = page.get_by_role("region", name="Who")
    for coach in ("Casey Coach", "Oscar Other"):
        expect(who.get_by_role("listitem").filter(has_text=coach)).to_contain_text(
            "Not acknowledged yet"
        )
    expect(who.get_by_role("link", name=re.compile(last_name))).to_be_visible()
    expect(page.get_by_text(f"Boundaries with families ({tag})")).to_be_visible()
    assert fits(page)

    page.get_by_role("link", name="All supervision notes").click()
    row = page.locator("tbody tr").filter(has_text="Casey Coach, Oscar Other")
    expect(row.filter(has_text="0 of 2").first).to_be_visible()


def test_reassigns_a_client_to_the_other_coach(page, site):
    tag = unique_tag()
    last_name = f"Okonkwo{tag}"
    site.make(factories.client, site.coach, first_name="Adaeze", last_name=last_name)

    sign_in_as(page, site, "supervisor@example.org")
    go_to(page, "Clients")
    page.get_by_label("Search by name or code").fill(last_name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=f"Adaeze {last_name}").click()
    expect(page.get_by_role("heading", name=re.compile(f"Adaeze {last_name}"))).to_be_visible()
    assert fits(page)

    page.get_by_role("link", name="Reassign").click()
    expect(page.get_by_text("Now on Casey Coach's caseload.")).to_be_visible()
    assert fits(page)
    # The coach who already has the client is refused beside the field, the reason kept.
    page.get_by_label("New coach", exact=True).select_option(label="Casey Coach")
    page.get_by_label("Reason", exact=True).fill("Caseload balance")
    page.get_by_role("button", name="Reassign").click()
    refusal = "is already on Casey Coach's caseload"
    expect(page.locator(".invalid-feedback", has_text=refusal)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(refusal))).to_be_visible()  # the summary
    expect(page.get_by_label("Reason", exact=True)).to_have_value("Caseload balance")
    page.get_by_label("New coach", exact=True).select_option(label="Oscar Other")
    page.get_by_label("Hand-off note for the new coach (optional)").fill("Prefers texts.")
    page.get_by_role("button", name="Reassign").click()

    expect(page.get_by_text("is now on Oscar Other's caseload.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(f"Adaeze {last_name}"))).to_be_visible()
    coach = page.locator("dt", has_text="Coach").locator("xpath=following-sibling::dd[1]")
    expect(coach).to_have_text("Oscar Other")
    assert fits(page)

    page.get_by_role("link", name="Who opened this record").click()
    expect(page.get_by_role("heading", name="Who has opened this record")).to_be_visible()
    expect(page.get_by_role("cell", name="Sam Supervisor").first).to_be_visible()
    assert fits(page)


# --- At real volume: the demo program's supervisor -------------------------------------------


def waiting_for(site, email: str) -> int:
    """Session notes of the supervisor's coaches still waiting for sign-off."""

    def count() -> int:
        supervisor = db.session.scalar(select(User.id).where(User.email == email))
        team = select(User.id).where(User.supervisor_id == supervisor)
        return db.session.scalar(
            select(func.count()).where(
                CoachingSession.coach_id.in_(team),
                CoachingSession.reviewed_at.is_(None),
                CoachingSession.returned_at.is_(None),
                CoachingSession.note.is_not(None),
                CoachingSession.archived_at.is_(None),
            )
        )

    return site.make(count)


def column(page, header: str) -> list[int]:
    """The numbers of one column of the page's table, found by its header."""
    headers = [h.strip() for h in page.locator("main thead th").all_inner_texts()]
    index = headers.index(header) - 1  # the first column is the row's header, not a cell
    return [
        int(row.get_by_role("cell").nth(index).get_by_role("link").inner_text())
        for row in page.locator("main tbody tr").all()
    ]


def test_a_years_backlog_on_the_dashboard_queue_and_report(page, demo_site):
    email = demo_site.emails["supervisor"]
    waiting = waiting_for(demo_site, email)
    assert waiting >= 150

    sign_in_as(page, demo_site, email, demo_site.password)
    go_to(page, "Team")
    expect(page.get_by_role("heading", name="Team dashboard")).to_be_visible()
    expect(page.locator("main tbody tr")).to_have_count(5)  # the small demo's coaches
    assert sum(column(page, "Notes to review")) == waiting
    assert fits(page)
    axe_clean(page, demo_site)

    page.get_by_role("link", name="Notes to review", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Session notes to review"))).to_be_visible()
    cards = page.locator("main article")
    assert cards.count() >= 10
    assert fits(page)
    axe_clean(page, demo_site)

    first = cards.first
    first.get_by_label("Comment for the coach").fill("Thanks; clear next steps.")
    first.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text(re.compile(r"Note of [\d-]+ signed off\."))).to_be_visible()
    assert waiting_for(demo_site, email) == waiting - 1

    go_to(page, "Reports")
    expect(page.get_by_role("heading", name="Outcome report")).to_be_visible()
    engagement = page.locator("main tbody tr").filter(
        has=page.get_by_role("rowheader", name="Engagement rate", exact=True)
    )
    value = engagement.get_by_role("cell").first.inner_text()
    assert 50 < float(value.rstrip("%")) < 95, value  # clients drift away: never 100%
    assert fits(page)
    axe_clean(page, demo_site)


def test_menu_and_dashboard_reach_credential_progress(page, site):
    sign_in_as(page, site, "supervisor@example.org")
    go_to(page, "Credentials")
    expect(page).to_have_url(re.compile(r"/supervision/progress$"))
    go_to(page, "Team")
    _coach_row(page, "Casey Coach").get_by_role("link", name="Credential progress").click()
    expect(page).to_have_url(re.compile(r"/supervision/coaches/\d+/progress$"))
    expect(page.get_by_text("Casey Coach").first).to_be_visible()
    assert fits(page)
