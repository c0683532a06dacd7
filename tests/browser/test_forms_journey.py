"""Forms never lose work, in a real browser at desktop and phone size: typed text survives
"Narrow the list" on a referral and setting a goal from a session; a pasted note over the limit
is never cut (the counter says by how much, the server refuses it with the same figures and
keeps it); a refused form opens with the focus on its error summary; axe finds nothing serious
on the refused forms."""

from __future__ import annotations

import random
import string

import pytest
from playwright.sync_api import expect

from coachapp.extensions import db
from coachapp.models import User
from tests import factories
from tests.browser.helpers import axe_violations, describe, sign_in

NOTE = "Talked through the lease; José wants to call the landlord first thing on Tuesday."


@pytest.fixture(autouse=True)
def _fast_failures(page):
    page.set_default_timeout(10_000)
    return page


def make_records(site, tag: str) -> dict:
    def build():
        coach = db.session.get(User, site.coach.id)
        client = factories.client(coach, first_name="Keep", last_name=f"Work{tag}")
        housing = factories.resource(name=f"Riverbend Housing {tag}", category="housing")
        factories.resource(name=f"Food Bank {tag}", category="food")
        return {"client": client.id, "housing": housing.id}

    return site.make(build)


def summary_has_focus(page) -> None:
    expect(page.locator("#error-summary")).to_be_focused()


def no_serious_violations(page, site) -> None:
    violations = axe_violations(page, site)
    assert not violations, describe({page.url: violations})


def test_typed_work_survives_every_in_form_action(page, site):
    tag = page.viewport_name + "".join(random.choices(string.ascii_lowercase, k=5))
    ids = make_records(site, tag)
    sign_in(page, site, "coach@example.org")
    page.wait_for_url(lambda url: "/auth/login" not in url)

    # Referral: choose, type notes, then narrow the list: all of it comes back, nothing saved.
    page.goto(f"{site.url}/clients/{ids['client']}/referrals/new")
    page.get_by_label("Resource", exact=True).select_option(str(ids["housing"]))
    page.get_by_label("Notes").fill(NOTE)
    page.get_by_label("Category").select_option("food")
    page.get_by_role("button", name="Narrow the list").click()
    page.wait_for_load_state()
    expect(page.get_by_label("Notes")).to_have_value(NOTE)
    expect(page.get_by_label("Resource", exact=True)).to_have_value(str(ids["housing"]))
    expect(page.get_by_label("Resource", exact=True)).to_contain_text(f"Food Bank {tag}")
    expect(page.locator("#error-summary")).to_have_count(0)
    # Refused (the resource unchosen): the summary takes the focus; axe on the messages.
    page.get_by_label("Resource", exact=True).select_option("")
    page.get_by_role("button", name="Refer").click()
    summary_has_focus(page)
    expect(page.get_by_label("Notes")).to_have_value(NOTE)
    no_serious_violations(page, site)
    page.locator("#error-summary").get_by_role("link").first.click()
    expect(page.get_by_label("Resource", exact=True)).to_be_focused()
    page.get_by_label("Resource", exact=True).select_option(label=f"Food Bank {tag}")
    page.get_by_role("button", name="Refer").click()
    done = page.get_by_role("status").filter(has_text=f"Referral to Food Bank {tag}")
    expect(done).to_be_visible()

    # Session: a note pasted over the limit and a goal set from the form itself.
    page.goto(f"{site.url}/clients/{ids['client']}/sessions/new")
    page.get_by_label("Minutes").fill("40")
    long_note = ("lease " * 1675)[:10_049] + "."  # 10,050 characters
    page.get_by_label("Note", exact=True).focus()
    page.keyboard.insert_text(long_note)  # as a paste: a maxlength would cut it here
    counter = page.locator("#note-count")
    expect(counter).to_contain_text("10,050 of 10,000 characters: 50 over the limit")
    page.get_by_label("Set a new goal with this session").check()
    page.get_by_label("Domain of the new goal").select_option("housing")
    page.get_by_label("New goal", exact=True).fill(f"Sign a lease {tag}")
    page.get_by_role("button", name="Save session").click()
    summary_has_focus(page)
    expect(page.locator("#error-summary")).to_contain_text("This is 10050 characters long")
    expect(page.locator("#note-errors")).to_contain_text("shorten it by 50")
    expect(page.get_by_label("Note", exact=True)).to_have_value(long_note)
    expect(page.get_by_label("New goal", exact=True)).to_have_value(f"Sign a lease {tag}")
    no_serious_violations(page, site)
    page.get_by_label("Note", exact=True).fill(NOTE)
    expect(counter).to_have_text(f"{len(NOTE)} of 10,000 characters")
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("status").filter(has_text="with a new goal")).to_be_visible()
    expect(page.get_by_text(f"Sign a lease {tag}").first).to_be_visible()
