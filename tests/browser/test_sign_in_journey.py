"""A coach signs in, opens their caseload and a client, is refused another coach's client, and
signs out: at desktop and phone size, with no horizontal scrolling and no console errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import no_horizontal_scroll, open_menu_if_collapsed, sign_in


def test_coach_journey(page, site):
    sign_in(page, site, "coach@example.org")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    assert no_horizontal_scroll(page)
    expect(page.get_by_role("link", name="José Ñúñez")).to_be_visible()
    assert page.get_by_text("Zoë").count() == 0

    page.get_by_label("Search by name or code").fill("jose nunez")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="José Ñúñez").click()
    expect(page.get_by_role("heading", name="José Ñúñez")).to_be_visible()
    assert no_horizontal_scroll(page)

    response = page.goto(f"{site.url}/clients/{site.theirs.id}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()

    page.goto(site.url + "/home")
    open_menu_if_collapsed(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{site.url}/clients/{site.mine.id}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_keeps_the_email_and_says_why(page, site):
    sign_in(page, site, "coach@example.org", "not the right password")
    # Said twice: in the error summary at the top (a link to the field) and beside the field.
    summary = page.get_by_role("link", name=re.compile("Email or password is not right"))
    expect(summary).to_be_visible()
    expect(
        page.locator(".invalid-feedback", has_text="Email or password is not right")
    ).to_be_visible()
    assert page.get_by_label("Email").input_value() == "coach@example.org"
    assert no_horizontal_scroll(page)
