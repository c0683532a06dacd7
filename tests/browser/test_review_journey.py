"""The review loop at real volume, in a browser: a coach with 165 notes waiting (a year of
them). The supervisor goes from the team dashboard to the newest note and signs it off in one
click, returns the next one with a comment; the coach sees the task, revises the note, and the
comment shows on the session in the client's page; the revised note is back at the top of the
queue. axe finds nothing serious on the queue. One sign-in per role, few page loads."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from coachapp.extensions import db
from coachapp.models import CoachingSession, User
from tests import factories
from tests.browser.helpers import axe_violations, describe, sign_in

BACKLOG = 165


@pytest.fixture
def backlog(site, page):
    """A coach of the site's supervisor (one per viewport, so the two runs do not meet) with
    ``BACKLOG`` notes waiting, one every other day back from yesterday, over two clients."""
    name = page.viewport_name

    def build():
        sup = db.session.get(User, site.supervisor.id)
        coach = factories.user(
            "coach",
            program=sup.program,
            supervisor=sup,
            name=f"Rhea Backlog {name.title()}",
            email=f"backlog-{name}@example.org",
        )
        clients = [
            factories.client(coach, first_name="Ines", last_name=f"Review {name.title()}"),
            factories.client(coach, first_name="Tomas", last_name=f"Review {name.title()}"),
        ]
        yesterday = date.today() - timedelta(days=1)
        rows = [
            CoachingSession(
                client_id=clients[n % 2].id,
                coach_id=coach.id,
                date=yesterday - timedelta(days=2 * n),
                duration_minutes=30 + n % 30,
                modality="phone" if n % 3 else "in_person",
                kind="coaching",
                outcome="completed",
                note=f"Backlog note {n}: talked through the week and the next appointment.",
            )
            for n in range(BACKLOG)
        ]
        db.session.add_all(rows)
        db.session.flush()
        return {
            "coach": coach.id,
            "email": coach.email,
            "name": coach.name,
            "newest": rows[0].id,
            "second": rows[1].id,
            "third": rows[2].id,
            "second_client": rows[1].client_id,
        }

    return site.make(build)


def note(page, session_id):
    return page.locator(f"#note-{session_id}")


def test_review_journey(page, site, backlog):
    # The supervisor: dashboard → the coach's waiting notes → the newest is first.
    sign_in(page, site, "supervisor@example.org")
    page.goto(site.url + "/team/")
    row = page.get_by_role("row").filter(has_text=backlog["name"])
    row.get_by_role("link", name=str(BACKLOG), exact=True).click()
    expect(page.locator("#queue-summary")).to_contain_text(f"{BACKLOG} notes waiting")
    articles = page.locator("article")
    expect(articles.first).to_have_attribute("id", f"note-{backlog['newest']}")
    assert articles.count() == 25

    # One click signs the newest off; the page comes back at the next note.
    note(page, backlog["newest"]).get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("signed off.")).to_be_visible()
    assert page.url.endswith(f"#note-{backlog['second']}")
    expect(page.locator("#queue-summary")).to_contain_text(f"{BACKLOG - 1} notes waiting")
    expect(note(page, backlog["newest"])).to_have_count(0)

    # Return the next one with a comment.
    second = note(page, backlog["second"])
    second.get_by_label("Comment for the coach").fill("Say which appointment, and when.")
    second.get_by_role("button", name="Return for revision").click()
    expect(page.get_by_text("returned to")).to_be_visible()
    assert page.url.endswith(f"#note-{backlog['third']}")
    expect(page.locator("#queue-summary")).to_contain_text(f"{BACKLOG - 2} notes waiting")
    expect(page.locator("#queue-summary")).to_contain_text("1 returned for revision")
    # "Tick all on this page" ticks every note shown, and then unticks them (nothing is sent).
    boxes = page.locator('input[type="checkbox"][form="bulk"]')
    page.get_by_role("button", name="Tick all on this page").click()
    assert boxes.count() == 25
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.get_by_role("button", name="Untick all on this page").click()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    found = axe_violations(page, site)
    assert not found, describe({"review queue": found})

    # The coach, in a browser of their own: the task on the home page, one tap to the note.
    coach_context = page.context.browser.new_context(viewport=page.viewport_size)
    coach_page = coach_context.new_page()
    errors: list[str] = []
    coach_page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        sign_in(coach_page, site, backlog["email"])
        tasks = coach_page.locator("#tasks")
        expect(tasks).to_contain_text("Notes returned for revision")
        expect(tasks).to_contain_text("Say which appointment, and when.")
        found = axe_violations(coach_page, site)
        assert not found, describe({"coach's home with tasks": found})
        tasks.get_by_role("link", name="Revise the note").click()
        expect(coach_page.get_by_text("Returned for revision: see the supervisor")).to_be_visible()
        found = axe_violations(coach_page, site)
        assert not found, describe({"session page with its review thread": found})
        field = coach_page.get_by_label("Note", exact=True)
        field.fill(field.input_value() + " The appointment is the clinic on Tuesday at 10.")
        coach_page.get_by_role("button", name="Save changes").click()
        expect(coach_page.get_by_text("Session saved.")).to_be_visible()
        # The comment stays on the session, in the client's page.
        item = coach_page.locator(f"#session-{backlog['second']}")
        expect(item).to_contain_text("returned for revision")
        expect(item).to_contain_text("Say which appointment, and when.")
        expect(item).to_contain_text("clinic on Tuesday")
        found = axe_violations(coach_page, site)
        assert not found, describe({"client page with a review thread": found})
    finally:
        coach_context.close()
    assert errors == []

    # Back in the supervisor's queue, at the top: the revised note.
    page.reload()
    expect(page.locator("#queue-summary")).to_contain_text(f"{BACKLOG - 1} notes waiting")
    expect(articles.first).to_have_attribute("id", f"note-{backlog['second']}")
    expect(articles.first).to_contain_text("clinic on Tuesday")
    expect(articles.first).to_contain_text("Say which appointment, and when.")
