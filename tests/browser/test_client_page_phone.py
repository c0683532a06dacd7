"""The client page as a coach uses it on a phone, with a year of records: the action bar reaches
Schedule without scrolling, the section links jump, the phone number is a link only where the
client allows calls or texts, every action is a 44-pixel target inside the screen, and axe finds
nothing serious.

``year_of_records`` and ``measure`` also give the page's height on a phone (run this file with
``-s`` to see it printed)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from coachapp.extensions import db
from coachapp.models import User
from tests import factories
from tests.browser.helpers import axe_violations, no_horizontal_scroll, sign_in

LONG_NOTE = (
    "Prefers mornings; works evening shifts at the warehouse on Tuesdays and Thursdays. "
    "Lives with a cousin for now and is on the waiting list for the Elm Street apartments. "
    "Has a daughter (age 7) who visits at weekends; custody hearing pending. "
    "Takes the 14 bus; no car. Had a lapse in the spring and re-engaged after two weeks.\n"
) * 4
NOTE = (
    "Talked through the week: the housing application, the job search and the meeting on "
    "Tuesday. Practised what to say at the interview and how to ask for the schedule that "
    "fits the bus. Agreed to phone the benefits office together next time."
)


def year_of_records(coach: User, **client_fields):
    """A client with a realistic year: 60 sessions, 8 goals, 10 referrals, 12 appointments,
    6 BARC-10s and a long note. Returns the client."""
    today = date.today()
    fields = {"phone": "(217) 555-0199", "notes": LONG_NOTE} | client_fields
    client = factories.client(
        coach, first_name="Rowan", last_name="Ashby", intake_date=today - timedelta(365), **fields
    )
    domains = ["housing", "employment", "legal", "financial", "family_social", "physical_health"]
    for n in range(8):
        factories.goal(
            client,
            domain=domains[n % len(domains)],
            description=f"Goal {n + 1}: " + "a step at a time towards a steady week. " * 3,
            opened_on=today - timedelta(350 - 40 * n),
            status="active" if n >= 4 else "achieved",
        )
    for n in range(60):
        factories.session(
            client,
            on=today - timedelta(6 * n + 1),
            note=NOTE,
            next_steps="Bring the ID and the pay slips.",
        )
    for n in range(12):
        factories.appointment(
            client,
            at=datetime.combine(today + timedelta(days=30 * n - 300), time(10)),
            kind="medical" if n % 2 else "housing",
            location="Riverton Health Center, 12 Depot St",
            outcome="attended" if n < 10 else "scheduled",
            notes="Bring the insurance card and the list of medicines. " * 3,
        )
    for n in range(10):
        res = factories.resource(name=f"Riverton Service {n + 1}", category="housing")
        factories.referral(
            client,
            res,
            referred_on=today - timedelta(30 * n + 3),
            notes="Called ahead; ask for the intake worker. " * 3,
        )
    for n in range(6):
        factories.assessment(client, on=today - timedelta(60 * n + 2), items=(3 + n % 2,) * 10)
    return client


def measure(page) -> dict[str, int]:
    """The page's height and how far down the first visible "Schedule" link is."""
    return page.evaluate(
        """() => {
            const links = [...document.querySelectorAll('a')]
                .filter(a => a.textContent.trim() === 'Schedule' && a.offsetParent !== null);
            const top = links.length
                ? Math.min(...links.map(a => a.getBoundingClientRect().top + window.scrollY))
                : -1;
            return {height: document.body.scrollHeight, schedule_y: Math.round(top)};
        }"""
    )


# Every visible button-styled control (class btn) and every action in the main part of the page:
# the buttons smaller than 44 x 44 px, and the actions not wholly on the screen sideways (cut off
# by the window or hidden in a box that scrolls sideways).
TAP_TARGET_PROBLEMS = """() => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    const actions = document.querySelectorAll(
        'main a, main button, main summary, main input:not([type=hidden]), main select');
    for (const el of actions) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height) continue;  // not shown (a closed menu or details)
        const name = (el.textContent || el.name || '').trim().slice(0, 40);
        if (el.classList.contains('btn') && (r.width < 43.5 || r.height < 43.5)) {
            problems.push(`${name}: ${Math.round(r.width)} x ${Math.round(r.height)} px`);
        }
        let cut = r.left < -1 || r.right > width + 1;
        for (let box = el.parentElement; box && !cut; box = box.parentElement) {
            const b = box.getBoundingClientRect();
            const scrolls = ['auto', 'scroll', 'hidden'].includes(getComputedStyle(box).overflowX);
            cut = scrolls && box.scrollWidth > box.clientWidth + 1
                && (r.right > b.right + 1 || r.left < b.left - 1);
        }
        if (cut) problems.push(`${name}: off the screen sideways`);
    }
    return problems;
}"""


def tap_target_problems(page) -> list[str]:
    """The tap-target problems of the page as it is shown: measured once it has loaded.

    A page reached by a click is seen (its heading visible) as soon as its HTML is parsed,
    possibly before its stylesheets arrive; measured then, a button has the browser's own
    size (the form's "Schedule" button, 72 x 21 px, instead of at least 44 x 44)."""
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => null)")
    return [f"{page.url}: {p}" for p in page.evaluate(TAP_TARGET_PROBLEMS)]


def make_client(site, **fields) -> int:
    def build():
        coach = db.session.scalar(select(User).where(User.email == "coach@example.org"))
        return year_of_records(coach, **fields)

    return site.make(build)


def test_client_page_on_a_phone(page, site):
    client_id = make_client(site, okay_to_call=True, okay_to_text=False)
    sign_in(page, site, "coach@example.org")
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.goto(f"{site.url}/clients/{client_id}")
    expect(page.get_by_role("heading", name="Rowan Ashby")).to_be_visible()
    print(page.viewport_name, measure(page))
    phone = page.viewport_name == "phone"
    problems = tap_target_problems(page) if phone else []
    assert no_horizontal_scroll(page)
    assert axe_violations(page, site) == []

    # The number is a call link (okay to call), not a text link (not okay to text).
    expect(page.locator('main a[href="tel:2175550199"]')).to_have_count(1)
    expect(page.locator('main a[href^="sms:"]')).to_have_count(0)

    # The long note is folded to a few lines, all of it there, and opens in full.
    notes = page.locator("#client-notes")
    assert notes.text_content().count("Takes the 14 bus") == 4
    more = page.locator('button[aria-controls="client-notes"]')
    folded = notes.bounding_box()["height"]
    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    assert notes.bounding_box()["height"] > folded

    # A section link jumps to its section.
    sections = page.get_by_role("navigation", name="Sections of this page")
    sections.get_by_role("link", name="Referrals").click()
    expect(page).to_have_url(f"{site.url}/clients/{client_id}#h-referrals")
    expect(page.locator("#h-referrals")).to_be_in_viewport()

    # From the top, Schedule is on the screen without scrolling (fixed to the bottom on a
    # phone) and opens the appointment form for this client.
    page.evaluate("window.scrollTo(0, 0)")
    schedule = page.get_by_role("navigation", name="Client actions").get_by_role(
        "link", name="Schedule"
    )
    expect(schedule).to_be_in_viewport(ratio=1)
    box = schedule.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"]
    if phone:
        # The page keeps room below its end for the fixed bar, which so covers nothing.
        bar = page.get_by_role("navigation", name="Client actions").bounding_box()
        room = page.evaluate("parseFloat(getComputedStyle(document.body).paddingBottom)")
        assert room >= bar["height"]
    schedule.click()
    expect(page).to_have_url(f"{site.url}/clients/{client_id}/appointments/new")
    expect(page.get_by_role("heading", name="Schedule")).to_be_visible()
    if phone:
        problems += tap_target_problems(page)
        # The follow-ups table: each row's "Update status" on the screen, no sideways scroll.
        page.goto(f"{site.url}/referrals/follow-ups")
        expect(page.get_by_role("link", name="Update status").first).to_be_visible()
        problems += tap_target_problems(page)
    assert problems == []
