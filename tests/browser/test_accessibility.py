"""Accessibility in a real browser: axe-core on every main page of every role, at desktop and
phone size, finds no serious or critical violation; no page logs a console error under the CSP.
(The keyboard alone and the visible focus: tests/browser/test_keyboard_access.py.)

axe-core is served from ``static/vendor/axe-core/`` and injected by URL, so it loads under the
app's own Content-Security-Policy (``script-src 'self'``) like any other script of the app.

``records`` (tests/browser/conftest.py) gives a client with something in every panel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    EMAILS,
    axe_violations,
    describe,
    no_horizontal_scroll,
    open_menu_if_collapsed,
    sign_in,
)


@dataclass(frozen=True)
class Then:
    """A page reached from the one before by doing something on it: ``do`` acts on the page
    and returns the response of the navigation it caused (None when it changed the page in
    place, as ticking a box that shows more fields does)."""

    label: str
    do: Callable
    shows: str = ""


class Showing(str):
    """A page's path, with a text the page must show: the records it was made for are there."""

    shows: str

    def __new__(cls, path: str, shows: str):
        step = super().__new__(cls, path)
        step.shows = shows
        return step


def _press(name: str, scope: str = "main") -> Callable:
    def do(page):
        with page.expect_navigation() as navigation:
            page.locator(scope).get_by_role("button", name=name, exact=True).click()
        return navigation.value

    return do


def _narrow_the_list(page):
    page.get_by_label("Notes").fill("Typed before narrowing: keep this.")
    page.get_by_label("Name, address or ZIP code").fill("Harbor")
    return _press("Narrow the list")(page)


def _tick_a_new_goal(page):
    page.locator(".new-goal-toggle").check()
    page.locator("#new-goal-fields textarea").first.wait_for()  # shown


def _create_a_subscription(page):
    with page.expect_navigation() as navigation:
        page.locator("form[action$='/subscription/new'] button").first.click()
    return navigation.value


def _stop_the_subscription(page):
    with page.expect_navigation() as navigation:
        page.locator("form[action$='/subscription/revoke'] button").click()
    return navigation.value


def _make_the_copy(page):
    page.get_by_label("The client asked for a copy of their record").check()
    return _press("Make the copy")(page)


def role_pages(records) -> dict[str, list[str | Then]]:
    """The main pages of each role ("anonymous": signed out); a ``Then`` is the page reached
    by acting on the one before it."""
    c = records["client"]
    return {
        "anonymous": ["/auth/login"],
        "coach": [
            Showing("/home", "Notes returned for revision"),  # the task list
            "/clients/",
            f"/clients/{c}",
            Showing(f"/clients/{records['handed']}", "Hand-off note from"),  # tel:, sms:
            Showing(f"/clients/{c}/sessions", "Weekly check-in by phone."),  # older
            Showing(f"/sessions/{records['returned']}/edit", "Will add the agreed date"),
            Showing(f"/sessions/{records['signed']}/edit", "Mark read"),
            "/clients/new",
            f"/clients/{c}/sessions/new",
            Then("Set a new goal ticked", _tick_a_new_goal),
            f"/clients/{c}/goals/new",
            Showing(f"/plans/{records['plan']}", "Keeps every appointment"),
            f"/plans/{records['draft']}/edit",
            f"/plans/{records['draft']}/sign",
            f"/clients/{c}/appointments/new",
            Showing(f"/appointments/{records['accompanied']}/accompaniment", "Went along"),
            f"/clients/{c}/referrals/new",
            Then("after Narrow the list", _narrow_the_list, "Harbor Emergency Shelter"),
            f"/clients/{c}/assessments/new",
            f"/clients/{c}/mutual-aid/new",
            f"/clients/{c}/disclosures",
            f"/clients/{c}/copy",
            Then("the client's copy made", _make_the_copy, "Identity and contact"),
            f"/clients/{c}/consents/new",
            Showing(f"/consents/{records['consent']}/summary", "Session notes"),
            "/resources/",
            "/resources/?model=any",
            f"/resources/{records['meeting']}",
            "/appointments/today",
            "/appointments/week",
            "/appointments/subscription",
            Then("a secret address created", _create_a_subscription, "Your subscription address"),
            Then("the subscription stopped", _stop_the_subscription),
            "/referrals/follow-ups",
        ],
        "supervisor": [
            "/team/",
            "/team/reviews",
            "/team/reviews?order=oldest",
            Showing("/team/reviews?page=2", "Queued note"),
            f"/team/reviews?coach_id={records['queue_coach']}",
            "/supervision/notes",
            "/supervision/notes/new",
            f"/clients/{c}/reassign",
            Showing("/appointments/subscription", "A subscription is in force"),
        ],
        "program_manager": [
            "/reports/",
            "/reports/definitions",
            "/admin/staff",
            "/resources/taxonomy/",
            "/resources/taxonomy/new",
            Showing(f"/resources/taxonomy/{records['mapping']}/edit", "Change a mapping"),
        ],
        "admin": [
            "/admin/users",
            "/admin/users/new",
            "/admin/programs",
            "/oversight/audit",
            "/oversight/break-glass",
            "/oversight/break-glass/review",
            f"/admin/users/{records['queue_coach']}/edit",
            Then("the confirm", _press("Deactivate the account"), "1 active client"),
        ],
    }


@pytest.mark.parametrize("role", ["anonymous", "coach", "supervisor", "program_manager", "admin"])
def test_main_pages_have_no_serious_violations_nor_console_errors(page, site, records, role):
    errors: list[str] = []

    def on_console(msg):
        # Chromium asks every site for /favicon.ico; the app has none (a 404, not an error).
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{msg.text} ({msg.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    if role != "anonymous":
        sign_in(page, site, EMAILS[role])
        page.wait_for_url(lambda url: "/auth/login" not in url)

    problems: list[str] = []
    found: dict[str, list[dict]] = {}
    path = ""
    for step in role_pages(records)[role]:
        errors.clear()
        if isinstance(step, Then):
            path = f"{path.split(' → ')[0]} → {step.label}"
            response = step.do(page)
        else:
            path = step
            response = page.goto(site.url + path)
            assert response is not None, path
        assert response is None or response.status == 200, f"{path}: {response.status}"
        page.wait_for_load_state("load")
        if getattr(step, "shows", ""):
            expect(page.locator("main")).to_contain_text(step.shows)
        violations = axe_violations(page, site)
        if violations:
            found[path] = violations
        if errors:
            problems.append(f"{path}: console errors under the CSP: {errors}")
        if not no_horizontal_scroll(page):
            problems.append(f"{path}: scrolls sideways at {page.viewport_name} size")
    if role != "anonymous" and page.viewport_name == "phone":
        # The menu is folded away on a phone, where axe does not look: open it and look again.
        open_menu_if_collapsed(page)
        page.locator("#nav-main.show").wait_for()
        page.locator("#nav-main:not(.collapsing)").wait_for()
        violations = axe_violations(page, site)
        if violations:
            found["the open menu"] = violations
    if found:
        problems.append(describe(found))
    assert not problems, f"{role} at {page.viewport_name} size:\n" + "\n".join(problems)


REFUSED_FORMS = {
    # role: pages whose form, sent empty, comes back with messages beside the fields and the
    # error summary at the top; "page | form" names the form when it is not the page's last
    "coach": [
        "/clients/new",
        "/clients/{client}/sessions/new",  # with "Set a new goal" ticked
        "/clients/{client}/appointments/new",
        "/clients/{client}/referrals/new",
        "/clients/{client}/consents/new",
        "/sessions/{returned}/edit | form[action$='/reply']",
        "/plans/{draft}/sign",
        "/clients/{client}/copy",
    ],
    "supervisor": ["/supervision/notes/new", "/clients/{client}/reassign"],
    "admin": ["/admin/users/new", "/resources/taxonomy/new"],
}


@pytest.mark.parametrize("role", sorted(REFUSED_FORMS))
def test_refused_forms_have_no_serious_violations(page, site, records, role):
    """The messages beside the fields (red text, invalid inputs) are checked by axe too."""
    sign_in(page, site, EMAILS[role])
    page.wait_for_url(lambda url: "/auth/login" not in url)
    found: dict[str, list[dict]] = {}
    for entry in REFUSED_FORMS[role]:
        path, _, which = entry.format(**records).partition(" | ")
        page.goto(site.url + path)
        form = page.locator(which or "main form[method=post]:has(button[type=submit])").last
        form.evaluate(
            """form => {
                form.noValidate = true;  // past the browser's own checks, to the server's
                const newGoal = form.querySelector('.new-goal-toggle');
                if (newGoal) newGoal.checked = true;  // its fields are checked too
                for (const el of form.elements) {
                    if (['text', 'number', 'date', 'email', 'time', 'datetime-local']
                            .includes(el.type) || el.tagName === 'TEXTAREA') el.value = '';
                }
            }"""
        )
        with page.expect_navigation():
            form.locator("button[type=submit]").last.click()
        assert page.locator(".invalid-feedback, .alert-danger").count() > 0, path
        violations = axe_violations(page, site)
        if violations:
            found[path] = violations
    assert not found, f"{role} at {page.viewport_name} size:\n" + describe(found)
