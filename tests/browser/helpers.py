"""Helpers shared by the browser journeys: signing in, the menu, axe-core, page checks."""

from __future__ import annotations

import random
import re
import string
import uuid
from datetime import date

from playwright.sync_api import expect

from coachapp import timeutil
from coachapp.extensions import db
from coachapp.models import Client, Program, User
from tests import factories


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def sign_in(page, site, email, password=factories.PASSWORD):
    page.goto(site.url + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def open_menu_if_collapsed(page):
    toggler = page.get_by_role("button", name="Open the menu")
    if toggler.is_visible():
        toggler.click()
        # Until Bootstrap's slide ends the items move under the pointer: a click could miss.
        page.locator("#nav-main.show:not(.collapsing)").wait_for()


def sign_in_as(page, site, email: str, password: str = factories.PASSWORD) -> None:
    """Sign in and wait for the page it lands on to load (its styles decide the menu)."""
    sign_in(page, site, email, password)
    expect(page).not_to_have_url(re.compile(r"/auth/login"))
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.wait_for_load_state()
    open_menu_if_collapsed(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def go_to(page, link: str) -> None:
    page.wait_for_load_state()
    open_menu_if_collapsed(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()


def fits(page) -> bool:
    """No horizontal scrolling, measured once the page and its styles have loaded."""
    page.wait_for_load_state()
    return no_horizontal_scroll(page)


def unique_tag() -> str:
    """Letters that make this run's records unique on the shared served app."""
    return uuid.uuid4().hex[:6]


_OFFSCREEN_CONTROLS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  const selector = 'main a[href], main button, main input:not([type=hidden]), main select, '
    + 'main textarea, main summary';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    if (box.left < -1 || box.right > width + 1) out.push(el.outerHTML.slice(0, 120));
  }
  return out;
}"""


def check_page(page) -> None:
    """No horizontal scrolling, and every control of the page within the screen's width."""
    page.wait_for_load_state()
    assert no_horizontal_scroll(page), f"horizontal scroll on {page.url}"
    offscreen = page.evaluate(_OFFSCREEN_CONTROLS)
    assert offscreen == [], f"controls off the screen on {page.url}: {offscreen}"


def flash(page, text: str) -> None:
    """The page after a save shows its confirmation (and is the page checked from then on)."""
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()
    check_page(page)


def page_tag(page) -> str:
    """Letters only (they end up in names): the viewport and a random suffix."""
    return page.viewport_name + "".join(random.choices(string.ascii_lowercase, k=6))


def program_today(site) -> date:
    def today():
        return timeutil.local_today(db.session.get(Program, site.program.id))

    return site.make(today)


def section(page, heading: str):
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


AXE_PATH = "/static/vendor/axe-core/axe.min.js"


BLOCKING = ("serious", "critical")


AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def describe(found: dict[str, list[dict]]) -> str:
    """The violations found on several pages, one block per rule and element: what is wrong,
    where, how to fix it and on which pages (the navigation bar is on all of them)."""
    blocks: dict[tuple[str, str], dict] = {}
    for url, violations in found.items():
        for v in violations:
            for node in v["nodes"]:
                key = (v["id"], " ".join(node["target"]))
                block = blocks.setdefault(key, {"v": v, "node": node, "pages": []})
                block["pages"].append(url)
    lines = []
    for (rule, target), block in blocks.items():
        v, node = block["v"], block["node"]
        lines.append(f"[{v['impact']}] {rule}: {v['help']} ({v['helpUrl']})")
        lines.append(f"    at {target}: {node['html'][:200]}")
        summary = " ".join((node.get("failureSummary") or "").split())
        if summary:
            lines.append(f"    {summary[:400]}")
        lines.append(f"    on {', '.join(block['pages'])}")
    return "\n".join(lines)


def axe_violations(page, site) -> list[dict]:
    """Run axe-core on the page as it is; return the serious and critical violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=site.url + AXE_PATH)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def axe_clean(page, site) -> None:
    page.wait_for_load_state("load")
    violations = axe_violations(page, site)
    assert not violations, f"{page.url} at {page.viewport_name} size:\n" + describe(
        {page.url: violations}
    )


# The signed-in roles of the accessibility tests and their accounts in ``site``.
EMAILS = {
    "coach": "coach@example.org",
    "supervisor": "supervisor@example.org",
    "program_manager": "manager@example.org",
    "admin": "admin@example.org",
}


# --- The coach's journeys (tests/browser/test_coach_journey.py, test_coach_records_journey.py)


def make_client(site, **fields) -> int:
    def build():
        return factories.client(db.session.get(User, site.coach.id), **fields)

    return site.make(build)


def make_session(site, client_id: int, on: date, **fields) -> int:
    def build():
        return factories.session(db.session.get(Client, client_id), on=on, **fields)

    return site.make(build)


def sign_in_as_coach(page, site) -> None:
    sign_in(page, site, "coach@example.org")
    expect(page.get_by_role("heading", level=1, name="My caseload")).to_be_visible()
    check_page(page)


def go_to_caseload(page) -> None:
    """Through the main menu (opened first on a phone, once the page's script has loaded)."""
    page.wait_for_load_state()
    open_menu_if_collapsed(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", level=1, name="My caseload")).to_be_visible()
    check_page(page)


def open_client(page, site, name: str, search: str) -> None:
    """From the caseload: search and open the client by their link."""
    go_to_caseload(page)
    page.get_by_label("Search by name or code").fill(search)
    page.get_by_label("Status").select_option(label="Any status")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
