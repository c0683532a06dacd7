"""An admin creates a coach, who can then sign in, and deactivates a user, whose open session
ends and whose sign-in is refused without saying whether the email exists: through the UI, at
desktop and phone size, with no horizontal scrolling."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import (
    fits,
    go_to,
    sign_in_as,
    sign_out,
    unique_tag,
)

REFUSED = "Email or password is not right, or the account is off."


def _refusal(page, site, email: str) -> str:
    """Try to sign in as ``email``; the message the sign-in page gives."""
    page.goto(site.url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    error = page.locator("#password-errors")
    expect(error).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(email)
    assert fits(page)
    return error.inner_text().strip()


def test_admin_creates_a_coach_who_can_sign_in(page, site):
    tag = unique_tag()
    name, email = f"Priya Raman {tag}", f"priya.{tag}@example.org"
    password = f"lantern {tag} orchard"

    sign_in_as(page, site, "admin@example.org")
    go_to(page, "Users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    page.get_by_role("link", name="Add a user").click()
    expect(page.get_by_role("heading", name="Add a user")).to_be_visible()
    assert fits(page)

    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option(label="Coach")
    page.get_by_label("Program").select_option(label="Browser Program")
    page.get_by_label("Supervisor").select_option(label="Sam Supervisor")
    page.get_by_label("Initial password").fill(password)
    page.get_by_role("button", name="Create the account").click()

    expect(page.get_by_text(f"Account for {name} created.")).to_be_visible()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.locator("main").get_by_text("Coach · Browser Program")).to_be_visible()
    expect(page.get_by_label("Supervisor")).to_have_value(str(site.supervisor.id))
    assert fits(page)

    go_to(page, "Staff")
    page.get_by_label("Program").select_option(label="Browser Program")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Staff · Browser Program")).to_be_visible()
    row = page.locator("tbody tr").filter(has=page.get_by_role("link", name=name))
    expect(row).to_contain_text("Coach · supervised by Sam Supervisor")
    expect(row.get_by_role("cell").first).to_have_text("0")
    assert fits(page)
    sign_out(page)

    sign_in_as(page, site, email, password)
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    assert fits(page)


def test_deactivated_user_is_signed_out_and_cannot_sign_in(page, site):
    tag = unique_tag()
    name, email = f"Dana Leaving {tag}", f"dana.{tag}@example.org"
    site.make(
        factories.user,
        "coach",
        program=site.program,
        supervisor=site.supervisor,
        name=name,
        email=email,
    )

    # The user is signed in elsewhere while the admin works.
    theirs = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        their_page = theirs.new_page()
        sign_in_as(their_page, site, email)
        expect(their_page.get_by_role("heading", name="My caseload")).to_be_visible()

        sign_in_as(page, site, "admin@example.org")
        go_to(page, "Users")
        page.get_by_label("Name or email").fill(email)
        page.get_by_role("button", name="Filter").click()
        expect(page.get_by_text("1 user", exact=True)).to_be_visible()
        page.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        assert fits(page)
        page.get_by_role("button", name="Deactivate the account").click()
        expect(page.get_by_text(f"{name} is deactivated")).to_be_visible()
        expect(page.locator("main .badge", has_text="Deactivated")).to_be_visible()
        expect(page.get_by_role("button", name="Reactivate the account")).to_be_visible()
        assert fits(page)

        their_page.reload()
        expect(their_page.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        theirs.close()

    sign_out(page)
    refused = _refusal(page, site, email)
    assert refused == REFUSED
    assert "deactivated" not in page.locator("main").inner_text().lower()
    # An email nobody uses gets the very same answer.
    assert _refusal(page, site, f"nobody.{tag}@example.org") == refused
