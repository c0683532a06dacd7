"""The definitions page: each figure in plain language first (``glossary``), then metrics.md,
whose table rows also open with the plain-language meaning before the exact rule.

The exact part is generated from ``metrics.md`` (a byte-for-byte copy of
../shared/spec/metrics.md, checked by a test), so the page and the spec cannot differ.

Each row of a table whose first cell names figure keys in code (``clients.enrolled``) gets that
key as its ``id``, and every further key of the cell an anchor of its own: the report links each
figure to ``/reports/definitions#<key>``. Keys written relative to the first one
(``appointments.attended``, ``.no_show``) are expanded; placeholders (``retention.<N>``) drop to
their stem (``retention``).

A section the spec holds but the app does not compute yet (``NOT_YET_IN_EFFECT``) is marked on
the page: a notice at the top of the section, and the same notice on each paragraph elsewhere
that refers to it by name.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET  # noqa: S405 - builds elements, parses nothing  # nosec B405
from pathlib import Path

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from coachapp.reports import glossary

SPEC = Path(__file__).with_name("metrics.md")
KEY = re.compile(r"^[a-z_][a-z0-9_.]*$")

# Sections of metrics.md a later release implements: heading -> what the figures do until then.
NOT_YET_IN_EFFECT: dict[str, str] = {}
NOTICE_CLASS = "alert alert-warning not-yet-in-effect"

# Rows of metrics.md that name a family of figures: the plain-language entry that opens them.
ROW_ENTRIES = {
    "retention": "retention.rate",
    "referrals.by_category": "referrals.by_category.linkage_rate",
}


def figure_keys(codes: list[str]) -> list[str]:
    """The figure keys a first cell names, e.g. ``["appointments.attended", ".no_show"]`` →
    ``["appointments.attended", "appointments.no_show"]``; ``retention.<N>`` → ``retention``."""
    keys: list[str] = []
    prefix = ""
    for code in codes:
        # Placeholders (``<N>``, escaped as ``&lt;N&gt;`` by then) drop to their stem.
        code = re.sub(r"\.?(<|&lt;).*$", "", code.strip())
        if code.startswith(".") and prefix:
            code = prefix + code
        if not KEY.match(code):
            continue
        if not keys:
            prefix = code.rsplit(".", 1)[0]
        if code not in keys:
            keys.append(code)
    return keys


class _FigureAnchors(Treeprocessor):
    def __init__(self, md, anchors: set[str]):
        super().__init__(md)
        self.anchors = anchors

    def run(self, root: ET.Element) -> None:
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag != "table":
                    continue
                child.set("class", "table table-sm align-top")
                wrapper = ET.Element("div", {"class": "table-responsive"})
                parent.remove(child)
                wrapper.append(child)
                parent.insert(index, wrapper)
                self._anchor_rows(child)

    def _anchor_rows(self, table: ET.Element) -> None:
        for row in table.iter("tr"):
            cells = [c for c in row if c.tag == "td"]
            if not cells:
                continue
            codes = [code.text or "" for code in cells[0].iter("code")]
            keys = [k for k in figure_keys(codes) if k not in self.anchors]
            if not keys:
                continue
            row.set("id", keys[0])
            if len(cells) > 1:
                self._plain_first(cells[1], keys)
            for key in keys[1:]:
                span = ET.Element("span", {"id": key})
                cells[0].insert(0, span)
            self.anchors.update(keys)

    @staticmethod
    def _plain_first(cell: ET.Element, keys: list[str]) -> None:
        """The figure in plain language (``glossary``) first, the exact rule after it."""
        entries = [glossary.entry_for(ROW_ENTRIES.get(key, key)) for key in keys]
        entries = [e for e in entries if e is not None]
        if not entries:
            return
        if len(entries) == 1:
            meanings = [entries[0].meaning]
        else:
            meanings = [f"{e.name}: {e.meaning}" for e in entries]
        exact = ET.Element("div", {"class": "exact-rule small"})
        label = ET.SubElement(exact, "span", {"class": "fw-semibold"})
        label.text = "Exact rule: "
        label.tail = cell.text
        for child in list(cell):
            cell.remove(child)
            exact.append(child)
        cell.text = None
        plain = ET.SubElement(cell, "p", {"class": "plain-language mb-1"})
        plain.text = " ".join(meanings)
        cell.append(exact)


class _PendingSections(Treeprocessor):
    """The notice of ``NOT_YET_IN_EFFECT`` under each such heading, and after each paragraph or
    list item elsewhere that names the section ("see "Credit to coaches" below")."""

    def run(self, root: ET.Element) -> None:
        section = None
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                text = "".join(child.itertext())
                if child.tag in ("h1", "h2"):
                    section = text.strip() if text.strip() in NOT_YET_IN_EFFECT else None
                    if section:
                        parent.insert(index + 1, self._notice("div", section))
                elif child.tag in ("p", "li") and section is None:
                    for heading in NOT_YET_IN_EFFECT:
                        if f'"{heading}"' in text or f"“{heading}”" in text:
                            child.append(self._notice("span", heading))

    @staticmethod
    def _notice(tag: str, heading: str) -> ET.Element:
        notice = ET.Element(tag, {"class": NOTICE_CLASS, "role": "note"})
        if tag == "span":
            notice.set("class", NOTICE_CLASS + " d-block mt-1 mb-0 py-1")
        notice.text = NOT_YET_IN_EFFECT[heading]
        return notice


class FigureAnchors(Extension):
    def __init__(self, anchors: set[str], **kwargs):
        self.anchors = anchors
        super().__init__(**kwargs)

    def extendMarkdown(self, md) -> None:  # noqa: N802 - the markdown package's name
        # After inline code has become <code> elements (priority 20).
        md.treeprocessors.register(_FigureAnchors(md, self.anchors), "figure_anchors", 4)
        md.treeprocessors.register(_PendingSections(md), "pending_sections", 3)


@functools.cache
def rendered() -> tuple[str, frozenset[str]]:
    """``(html, anchors)`` of metrics.md; read and rendered once per process."""
    anchors: set[str] = set()
    html = markdown.markdown(
        SPEC.read_text(encoding="utf-8"),
        extensions=["tables", "toc", FigureAnchors(anchors)],
        output_format="html",
    )
    return html, frozenset(anchors)


def anchor_for(key: str) -> str:
    """The anchor of figure ``key`` on the definitions page: the key itself, or the nearest
    parent key the spec defines (``retention.30.rate`` → ``retention``); else the table."""
    anchors = rendered()[1]
    parts = key.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in anchors:
            return candidate
        parts.pop()
    return "figures"
