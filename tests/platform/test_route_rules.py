"""Every route declares its access rule; a new route without one fails here."""

from __future__ import annotations

from coachapp import access

KNOWN_RULES = {"public", "signed_in", "client"}


def test_every_route_declares_an_access_rule(app):
    undeclared = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        declared = getattr(view, "access_rule", None)
        if declared is None or not (
            declared in KNOWN_RULES or declared.startswith(("roles:", "record:", "api:"))
        ):
            undeclared.append(f"{rule.rule} ({rule.endpoint})")
    assert undeclared == [], "routes without an access rule: " + ", ".join(undeclared)


def test_the_check_notices_an_undeclared_route(app):
    """Register a bare route on a throwaway app and watch the same walk catch it."""
    from flask import Flask

    probe = Flask("probe")

    @probe.route("/leak")
    def leak():
        return "secret"

    @probe.route("/fine")
    @access.public
    def fine():
        return "ok"

    flagged = [
        r.endpoint
        for r in probe.url_map.iter_rules()
        if r.endpoint != "static"
        and getattr(probe.view_functions[r.endpoint], "access_rule", None) is None
    ]
    assert flagged == ["leak"]


def test_client_routes_take_a_client_id(app):
    """A route declared ``client`` must have ``client_id`` in its URL (that is what it scopes)."""
    for rule in app.url_map.iter_rules():
        if getattr(app.view_functions[rule.endpoint], "access_rule", None) == "client":
            assert "client_id" in rule.arguments, rule.rule


def test_record_routes_take_their_record_id(app):
    for rule in app.url_map.iter_rules():
        declared = getattr(app.view_functions[rule.endpoint], "access_rule", "") or ""
        if declared.startswith("record:"):
            param = declared.split(":")[2]
            assert param in rule.arguments, rule.rule
