"""A recovery plan signed on a phone, end to end through the browser: the coach starts the plan
from the client's page, drafts it (strengths, a goal, an action step), the client signs by
drawing on the screen (pointer moves on the canvas), the coach signs with a typed name and the
attestation; the version is then frozen (no edit form; the edit page answers 409) and the next
edit starts version 2 as a copy. axe finds nothing serious on the plan pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coachapp.extensions import db
from coachapp.models import Client, RecoveryPlan, User
from tests import factories
from tests.browser.helpers import (
    axe_clean,
    check_page,
    flash,
    page_tag,
    program_today,
    sign_in_as_coach,
)


@pytest.fixture(autouse=True)
def _fast_failures(page):
    page.set_default_timeout(10_000)
    return page


def make_client_with_goal(site, tag: str) -> int:
    today = program_today(site)

    def build():
        coach = db.session.get(User, site.coach.id)
        client = factories.client(
            coach, first_name="Plan", last_name=f"Signer {tag}", intake_date=today - timedelta(40)
        )
        factories.goal(client, description=f"Keep the lease {tag}", opened_on=today - timedelta(30))
        return client

    return site.make(build)


def draw_signature(page) -> None:
    """A scribble across the canvas with the pointer (finger or mouse: pointer events)."""
    canvas = page.locator("canvas.signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box and box["width"] > 200, box
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    for n in range(1, 12):
        page.mouse.move(x + w * (0.1 + 0.07 * n), y + h * (0.3 if n % 2 else 0.7), steps=3)
    page.mouse.up()
    expect(page.get_by_text("Signature drawn.")).to_be_visible()


def plan_row(site, plan_id: int) -> dict:
    def read():
        plan = db.session.get(RecoveryPlan, plan_id)
        return {
            "status": plan.status,
            "client_method": plan.client_signature_method,
            "client_image": plan.client_signature_image or "",
            "coach_method": plan.coach_signature_method,
            "coach_signer_id": plan.coach_signer_id,
        }

    return site.make(read)


def test_a_plan_drafted_and_signed_on_a_phone_freezes_its_version(page, site):
    """At phone size (390 x 844) and at desktop size, like every journey."""
    tag = page_tag(page)
    client_id = make_client_with_goal(site, tag)
    sign_in_as_coach(page, site)
    page.goto(f"{site.url}/clients/{client_id}")
    plans = page.locator("section[aria-labelledby=h-plans]")
    expect(plans).to_contain_text("No signed plan yet.")
    plans.get_by_role("button", name="Start a plan").click()

    # The draft.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit the plan, version 1")
    check_page(page)
    axe_clean(page, site)
    page.get_by_label("Strengths").fill(f"Shows up, every time {tag}")
    page.get_by_label("Barriers").fill("No car; evening shifts")
    page.get_by_label(re.compile(f"Keep the lease {tag}")).check()
    step = page.locator("#step-0")
    step.get_by_label("Action").fill("Call the landlord about the repair")
    step.get_by_label("Who").fill("Client, with the coach")
    page.get_by_label("Supports").fill("Sister; Tuesday NA meeting")
    page.get_by_role("button", name="Save draft").click()
    flash(page, "Plan saved.")
    plan_id = int(re.search(r"/plans/(\d+)", page.url).group(1))
    expect(page.locator("main")).to_contain_text("Call the landlord about the repair")

    # The client signs by drawing on the screen.
    page.locator("main").get_by_role("link", name="Sign", exact=True).click()
    expect(page.get_by_label("The client")).to_be_checked()
    check_page(page)
    axe_clean(page, site)
    draw_signature(page)
    page.locator("main").get_by_role("button", name="Sign", exact=True).click()
    flash(page, "The client signed.")
    row = plan_row(site, plan_id)
    assert (row["status"], row["client_method"]) == ("draft", "drawn")
    assert row["client_image"].startswith("data:image/png;base64,")

    # The coach signs typed: first without the attestation (refused, the name kept).
    page.locator("main").get_by_role("link", name="Sign", exact=True).click()
    expect(page.get_by_label("The coach (you)")).to_be_checked()
    page.get_by_label("Full name of the signer").fill("Casey Coach")
    page.locator("main").get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("#attested-errors")).to_be_visible()
    expect(page.get_by_label("Full name of the signer")).to_have_value("Casey Coach")
    page.get_by_label(re.compile("typing my name here is my signature")).check()
    page.locator("main").get_by_role("button", name="Sign", exact=True).click()
    flash(page, "Version 1 is signed and frozen.")
    row = plan_row(site, plan_id)
    assert (row["status"], row["coach_method"], row["coach_signer_id"]) == (
        "signed",
        "typed",
        site.coach.id,
    )

    # Frozen: no edit form, the edit page refuses, the drawn signature is shown.
    main = page.locator("main")
    expect(main).to_contain_text("cannot change")
    expect(main.get_by_role("link", name="Edit draft")).to_have_count(0)
    expect(main.get_by_role("img", name="The client's drawn signature")).to_be_visible()
    axe_clean(page, site)
    # (Asked with the browser's session but not shown: Chromium logs a 409 page as an error.)
    refused = page.request.get(f"{site.url}/plans/{plan_id}/edit")
    assert refused.status == 409
    assert "cannot change" in refused.text() and "<textarea" not in refused.text()

    # The next edit starts version 2, a copy; version 1 stays as signed.
    page.get_by_role("button", name="Start version 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit the plan, version 2")
    expect(page.get_by_label("Strengths")).to_have_value(f"Shows up, every time {tag}")
    page.get_by_label("Strengths").fill("Shows up, and asks for help")
    page.get_by_role("button", name="Save draft").click()
    flash(page, "Plan saved.")
    page.goto(f"{site.url}/plans/{plan_id}")
    expect(page.locator("main")).to_contain_text(f"Shows up, every time {tag}")
    page.goto(f"{site.url}/clients/{client_id}")
    expect(plans).to_contain_text("Current: version 1")
    expect(plans).to_contain_text("Draft: version 2")
    assert site.make(lambda: db.session.get(Client, client_id).code)
