"""coachapp: caseload management for peer recovery coaching programs."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import click
from flask import Flask, abort, current_app, g, request, session
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from coachapp import access, crypto, keys, logs, timeutil, web
from coachapp.extensions import csrf, db, limiter, login_manager, migrate, use_sqlite_wal
from coachapp.models import User
from coachapp.models.base import MAX_ID
from coachapp.models.enums import Role
from coachapp.same_origin import REFERRER_POLICY


class RecordIdConverter(IntegerConverter):
    """``<int:...>`` in every route: ids are 1 .. 2**31 - 1 (the columns' range). Any other
    number reads as 0, an id no row has: the route answers 404 like for any missing record,
    whatever the method, and the database driver never overflows. (Refusing the match instead
    would make werkzeug answer 405 to a PATCH when the same path also has a GET route.)"""

    MAX_ID = MAX_ID

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        # The range, for the OpenAPI document's path parameters.
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", self.MAX_ID)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        if len(value) > len(str(self.MAX_ID)):
            return 0
        number = int(value)
        return number if 1 <= number <= self.MAX_ID else 0


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


# Endpoints whose answer is the same for everyone, signed in or not: cacheable.
PUBLIC_ASSETS = frozenset({"static", "main.favicon"})


def create_app(config_class: type | None = None) -> Flask:
    """Build the app for ``config_class``; by default ``config.Config``, or
    ``config.ProductionConfig`` when ``COACHAPP_CONFIG=production``."""
    if config_class is None:
        # config.py sits at the repository root, beside the package: only an app built from
        # the environment needs it (tests and scripts pass their own class).
        from config import Config, ProductionConfig

        production = os.environ.get("COACHAPP_CONFIG", "").lower() == "production"
        config_class = ProductionConfig if production else Config
    if hasattr(config_class, "check"):
        config_class.check()

    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.from_object(config_class)
    app.url_map.converters["int"] = RecordIdConverter

    trust_proxies(app)
    configure_logging(app)
    register_extensions(app)
    configure_encryption(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_request_hooks(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``PROXY_FIX_X_FOR`` reverse proxies, the client's address and scheme are the ones
    those proxies appended to X-Forwarded-For / X-Forwarded-Proto: ``request.remote_addr`` (the
    rate-limit keys, the audit trail) is then the user's, not the proxy's. With 0 (the default)
    the headers are ignored, so a client cannot choose its address. X-Forwarded-Host is never
    trusted: the proxy passes the Host header through."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops > 0:
        proxied = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
        app.wsgi_app = proxied  # type: ignore[method-assign]


def configure_logging(app: Flask) -> None:
    logs.configure(app)


def configure_encryption(app: Flask) -> None:
    """The app's encryption keys; then, for an app that is to serve (gunicorn, ``flask run``,
    a test), refuse to start when stored values exist that none of the keys opens. Other
    ``flask`` commands skip that check: ``flask db upgrade`` and ``flask keys generate`` must
    work whatever the keys, and ``flask keys rotate`` checks every value itself."""
    configured = crypto.parse_keys(app.config.get("ENCRYPTION_KEYS") or "")
    keyring = crypto.configure(app, configured or [crypto.derived_key(app.config["SECRET_KEY"])])
    command = click.get_current_context(silent=True)
    if command is None or command.info_name == "run":
        with app.app_context():
            keys.check_stored_values(db.engine, keyring, derived=not configured)


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        use_sqlite_wal(db.engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_key: str) -> User | None:
        # The cookie carries "id:session_version"; a bumped version (logout, password change)
        # signs out every browser of that user.
        user_id, _, version = user_key.partition(":")
        if not user_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user


def register_blueprints(app: Flask) -> None:
    # The features, the API, the error pages and the commands are imported when an app is
    # built, not when ``coachapp`` is: ``import coachapp.models`` (migrations, scripts) then
    # loads no blueprint, and no feature imports this package's __init__ half-way through.
    from coachapp import (
        admin,
        appointments,
        assessments,
        auth,
        billing,
        clients,
        consents,
        disclosures,
        followups,
        goals,
        main,
        merges,
        mutual_aid,
        oversight,
        plans,
        profiles,
        referrals,
        reports,
        resources,
        sessions,
        supervision,
        team,
    )

    for feature in (
        main,
        auth,
        clients,
        sessions,
        goals,
        plans,
        appointments,
        referrals,
        resources,
        mutual_aid,
        reports,
        assessments,
        supervision,
        team,
        admin,
        oversight,
        consents,
        followups,
        profiles,
        billing,
        merges,
        disclosures,
    ):
        app.register_blueprint(feature.bp)
    from coachapp.api import register_api  # the API, like the features above

    register_api(app)
    # Static files are public; declared like every other route.
    app.view_functions["static"] = access.public(app.view_functions["static"])


def register_errorhandlers(app: Flask) -> None:
    from coachapp.main.errors import register  # a feature: imported when an app is built

    register(app)


def register_request_hooks(app: Flask) -> None:
    idle = timedelta(minutes=app.config["IDLE_TIMEOUT_MINUTES"])
    lifetime = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    app.permanent_session_lifetime = idle

    @app.before_request
    def refuse_unstorable_characters() -> None:
        # NUL cannot be stored in PostgreSQL text and is never typed by a person: refuse the
        # request whole (400) rather than fail half-way through a save.
        for values in (request.args, request.form):
            for value in values.values():
                if "\x00" in value:
                    abort(400, "The request contains a character that cannot be stored.")

    @app.before_request
    def enforce_session_limits() -> None:
        g.now = datetime.now(timezone.utc)
        if request.endpoint == "static" or not current_user.is_authenticated:
            return
        now_ts = g.now.timestamp()
        started, last_seen = session.get("auth_at"), session.get("seen_at")
        # Fail closed: a signed-in session that does not say when it began (or was last used)
        # has ended, whatever signed it.
        if (
            not isinstance(started, int | float)
            or not isinstance(last_seen, int | float)
            or now_ts - last_seen > idle.total_seconds()
            or now_ts - started > lifetime.total_seconds()
        ):
            logout_user()
            session.clear()
            session["expired"] = True
            return
        session.permanent = True
        session["seen_at"] = now_ts

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        # Our own pages get the Referer (Flask-WTF checks it over HTTPS); other sites never.
        headers["Referrer-Policy"] = REFERRER_POLICY
        headers["X-Frame-Options"] = "DENY"
        if app.config.get("SEND_HSTS"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        public_asset = request.endpoint in PUBLIC_ASSETS
        if g.get("client_data") or (current_user.is_authenticated and not public_asset):
            # Pages for a signed-in user may carry client data: never keep them in a cache.
            # Style sheets, scripts and the icon are the same for everyone and stay cacheable.
            headers["Cache-Control"] = "no-store"
        return response


def register_commands(app: Flask) -> None:
    from coachapp.commands import register  # the top layer: imported when an app is built

    register(app)


# The main menu per role: (endpoint, label). Endpoints a build lacks are left out.
NAV = {
    "coach": [
        ("clients.index", "My caseload"),
        ("appointments.today", "Appointments"),
        ("referrals.follow_ups", "Follow-ups"),
        ("resources.index", "Resources"),
        ("supervision.notes", "Supervision"),
        ("supervision.progress_index", "My credential"),
    ],
    "supervisor": [
        ("team.dashboard", "Team"),
        ("clients.index", "Clients"),
        ("team.reviews", "Reviews"),
        ("appointments.today", "Appointments"),
        ("referrals.follow_ups", "Follow-ups"),
        ("resources.index", "Resources"),
        ("supervision.notes", "Supervision"),
        ("supervision.progress_index", "Credentials"),
        ("reports.index", "Reports"),
    ],
    "program_manager": [
        ("main.home", "Home"),
        ("reports.index", "Reports"),
        ("admin.staff", "Staff"),
        ("resources.index", "Resources"),
        ("oversight.audit_log", "Audit trail"),
        ("oversight.break_glass_review", "Break-the-glass"),
    ],
    "billing": [
        ("billing.index", "Claims worksheet"),
    ],
    "admin": [
        ("main.home", "Home"),
        ("admin.users", "Users"),
        ("admin.programs", "Programs"),
        ("admin.staff", "Staff"),
        ("resources.index", "Resources"),
        ("reports.index", "Reports"),
        ("oversight.audit_log", "Audit trail"),
        ("oversight.break_glass", "Break the glass"),
    ],
}


def nav_links(user) -> list[tuple[str, str]]:
    endpoints = current_app.view_functions
    return [(e, label) for e, label in NAV.get(user.role, []) if e in endpoints]


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def inject() -> dict:
        return {"Role": Role, "access": access, "nav_links": nav_links}

    @app.template_filter("combine_page")
    def combine_page(args: dict, page: int) -> dict:
        return {**args, "page": page}

    @app.template_filter("local_time")
    def local_time(moment: datetime | None, program=None) -> str:
        """A stored moment (UTC) as the program's wall-clock time, ``2026-03-02 10:15``."""
        if moment is None:
            return ""
        if moment.tzinfo is None:  # SQLite hands back naive UTC
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timeutil.zone(program)).strftime("%Y-%m-%d %H:%M")

    app.add_template_filter(web.label, "label")
