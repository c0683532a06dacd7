"""Helpers shared by the mutual_aid tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

import re

_CHOICE = re.compile(
    r'<label class="form-check-label[^"]*" for="resource_id-(\d+)">(.*?)</label>', re.S
)


def picker(page: str) -> dict[int, str]:
    """The meetings the picker offers: {resource id: its label's text}."""
    return {
        int(rid): " ".join(re.sub(r"<[^>]+>", " ", label).split())
        for rid, label in _CHOICE.findall(page)
    }
