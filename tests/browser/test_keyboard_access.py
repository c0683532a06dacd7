"""Accessibility in a real browser, by keyboard: a form can be filled and sent with the keyboard
alone, and every form control is reached with Tab and shows the focus, at desktop and phone
size. (axe-core on every main page: tests/browser/test_accessibility.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from coachapp.extensions import db
from tests.browser.helpers import (
    EMAILS,
    sign_in,
)


def tab_to(page, selector: str, *, max_steps: int = 60) -> None:
    """Press Tab until the element matching ``selector`` has the focus, checking on the way
    that every focused element shows the focus (an outline or Bootstrap's focus ring)."""
    for _ in range(max_steps):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """selector => {
                const el = document.activeElement;
                if (!el || el === document.body) return {at: false, visible: true, what: 'body'};
                // Past the last part of a date or time, the focus is on the browser's own
                // calendar button inside the input, which draws its own focus ring.
                if (!el.matches(':focus') && /^(date|time|datetime-local)$/.test(el.type))
                    return {at: false, visible: true, what: 'picker'};
                const style = getComputedStyle(el);
                const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                const ring = style.boxShadow && style.boxShadow !== 'none';
                return {
                    at: el.matches(selector),
                    visible: outline || ring,
                    what: el.outerHTML.slice(0, 120),
                };
            }""",
            selector,
        )
        assert state["visible"], f"the focus is not visible on {state['what']}"
        if state["at"]:
            return
    raise AssertionError(f"{selector} not reached with Tab in {max_steps} presses")


def test_log_a_session_with_the_keyboard_alone(page, site, records):
    # Without animation, the focus ring is there as soon as the focus moves (not faded in).
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, site, "coach@example.org")
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.goto(f"{site.url}/clients/{records['client']}/sessions/new")

    tab_to(page, "#duration_minutes")
    page.keyboard.type("35")
    tab_to(page, "#modality")
    page.keyboard.press("ArrowDown")  # the next modality on the list
    tab_to(page, "input[name=outcome]")
    page.keyboard.press("ArrowRight")  # completed -> attempted
    tab_to(page, "input[name=goal_ids]")
    page.keyboard.press("Space")
    tab_to(page, "#note")
    page.keyboard.type("Walked to the clinic together; keyboard only.")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/clients/{records['client']}")
    expect(page.get_by_text("Session logged.")).to_be_visible()

    def saved():
        from coachapp.models import CoachingSession

        row = db.session.scalars(
            select(CoachingSession)
            .where(CoachingSession.client_id == records["client"])
            .order_by(CoachingSession.id.desc())
        ).first()
        return {
            "minutes": row.duration_minutes,
            "outcome": row.outcome,
            "modality": row.modality,
            "goals": len(row.goals),
            "note": row.note,
        }

    row = site.make(saved)
    assert row["minutes"] == 35
    assert row["outcome"] == "attempted"
    assert row["modality"] != "in_person"
    assert row["goals"] == 1
    assert row["note"] == "Walked to the clinic together; keyboard only."


FORM_PAGES = {
    # role: every form a person of that role fills in, reached by Tab from the top of the page
    "coach": [
        "/clients/new",
        "/clients/{c}/sessions/new",
        "/clients/{c}/goals/new",
        "/clients/{c}/appointments/new",
        "/clients/{c}/referrals/new",
        "/clients/{c}/assessments/new",
        "/clients/{c}/mutual-aid/new",
    ],
    "supervisor": ["/supervision/notes/new"],
    "admin": ["/admin/users/new"],
}

MARK_CONTROLS = """() => {
    // Every control a person fills in or presses, once per radio group (Tab stops on one radio
    // of a group; the arrow keys move within it). Returns the keys still to reach.
    const keys = new Set();
    document.querySelectorAll('main form[method=post]').forEach((form, f) => {
        Array.from(form.elements).forEach((el, i) => {
            if (el.tagName === 'FIELDSET' || el.type === 'hidden' || el.disabled) return;
            if (el.offsetParent === null) return;  // not shown
            const own = el.type === 'radio' ? `radio:${el.name}` : el.id || el.name || i;
            const key = `${f}:${own}`;
            el.setAttribute('data-kb', key);
            keys.add(key);
        });
    });
    return Array.from(keys);
}"""

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return {key: null, visible: true, what: 'body'};
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const ring = style.boxShadow && style.boxShadow !== 'none';
    const picker = !el.matches(':focus') && /^(date|time|datetime-local)$/.test(el.type);
    return {key: el.getAttribute('data-kb'), visible: outline || ring || picker,
            what: el.outerHTML.slice(0, 120)};
}"""


@pytest.mark.parametrize("role", sorted(FORM_PAGES))
def test_every_form_control_is_reached_with_tab_and_shows_the_focus(page, site, records, role):
    """ "Every form usable with the keyboard alone": from the top of each form page, Tab alone
    reaches every field and button of its form (one stop per radio group), and each element
    that takes the focus on the way shows it."""
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, site, EMAILS[role])
    page.wait_for_url(lambda url: "/auth/login" not in url)
    problems = []
    for path in FORM_PAGES[role]:
        path = path.format(c=records["client"])
        page.goto(site.url + path)
        to_reach = set(page.evaluate(MARK_CONTROLS))
        assert to_reach, f"{path}: no form controls found"
        missing = set(to_reach)
        for _ in range(len(to_reach) * 3 + 60):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUSED)
            if not state["visible"]:
                problems.append(f"{path}: the focus is not visible on {state['what']}")
                break
            missing.discard(state["key"])
            if not missing:
                break
        if missing:
            problems.append(f"{path}: not reached with Tab: {sorted(missing)}")
    assert not problems, "\n".join(problems)
