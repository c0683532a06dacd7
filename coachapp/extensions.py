"""Flask extensions, created unbound and bound to the app in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine

from coachapp.models.base import Base
from coachapp.same_origin import CSRFProtect

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()  # Flask-WTF's, and the Origin check (same_origin.py)
# Storage comes from RATELIMIT_STORAGE_URI only, so several workers can share Redis.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def use_sqlite_wal(engine: Engine) -> None:
    """For a SQLite file: write-ahead logging, and ``synchronous=NORMAL`` (safe with WAL: a
    power cut can lose the last commits, never corrupt the file). A commit then costs no
    fsync, and readers (other gunicorn threads and workers) run beside the one writer. Not for
    in-memory databases, which have no journal to speak of."""
    database = engine.url.database or ""
    if engine.dialect.name != "sqlite" or database in ("", ":memory:") or "mode=memory" in database:
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _connection_record) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()
