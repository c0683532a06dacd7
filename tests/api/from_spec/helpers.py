"""Helpers shared by the from_spec tests (tests/helpers.py has those of every feature)."""

from __future__ import annotations

from typing import Any

BASE = "/api/v1"


PASSWORD = "lantern river quiet stone 2025"


class ApiError(AssertionError):
    pass


class Api:
    """A minimal JSON client: bearer token, JSON bodies, pages followed by page number."""

    def __init__(self, http, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    def call(self, method: str, path: str, body: dict | None = None, expect=(200,)) -> Any:
        response = self.http.open(
            BASE + path, method=method, json=body, headers=self.headers, follow_redirects=False
        )
        if response.status_code not in expect:
            raise ApiError(
                f"{method} {path} -> {response.status_code} {response.get_data(as_text=True)}"
            )
        assert response.is_json, response.get_data(as_text=True)
        return response.get_json()

    def get(self, path: str, **query: Any) -> Any:
        if query:
            path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        return self.call("GET", path)

    def create(self, path: str, body: dict) -> dict:
        # api.md does not say 200 or 201 for a create; both are a success.
        return self.call("POST", path, body, expect=(200, 201))

    def patch(self, path: str, body: dict) -> dict:
        return self.call("PATCH", path, body)

    def status(self, method: str, path: str, body: dict | None = None) -> int:
        return self.http.open(
            BASE + path, method=method, json=body, headers=self.headers
        ).status_code

    def all_pages(self, path: str, per_page: int) -> tuple[list[dict], int, int]:
        """Every item of a list, a page at a time: (items, total, pages read)."""
        items: list[dict] = []
        page = 1
        sep = "&" if "?" in path else "?"
        while True:
            body = self.call("GET", f"{path}{sep}page={page}&per_page={per_page}")
            assert body["page"] == page and body["per_page"] == per_page
            assert len(body["items"]) <= per_page
            items.extend(body["items"])
            if not body["items"] or len(items) >= body["total"]:
                return items, body["total"], page
            page += 1


def barc_items(total: int) -> list[int]:
    """Ten answers 1..6 that add up to ``total`` (10..60)."""
    base, extra = divmod(total, 10)
    items = [base + 1] * extra + [base] * (10 - extra)
    assert sum(items) == total and all(1 <= i <= 6 for i in items)
    return items


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def token_for(app, email: str) -> str:
    # ``flask tokens create EMAIL`` prints the token once, as its last line.
    return cli(app, "tokens", "create", email).strip().splitlines()[-1].strip()
