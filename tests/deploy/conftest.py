"""The deployment test's cluster: two gunicorn instances of coachapp in production mode on
127.0.0.1, sharing one PostgreSQL database and one Redis database, behind nginx as a round-robin
load balancer serving HTTPS, as in production (secure cookies, Flask-WTF's Referer check on form
posts), with a self-signed certificate the test makes for 127.0.0.1. Everything runs as a child
process of the test, in its own process group, with its files in a temporary directory, and is
stopped at the end.

Needs the ``nginx`` binary (Debian package ``nginx``; it is run as an ordinary process, never as
the system service), PostgreSQL at ``TEST_DATABASE_URL`` (default: the CI server, user
``postgres`` on 127.0.0.1:5432; a database of its own is created and dropped), and Redis at
``DEPLOY_REDIS_URL`` (default ``redis://127.0.0.1:6379/5``, emptied at the start and the end).
Skipped, with the reason, when one of the three is missing.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from tests.deploy.stack import (
    HERE,
    SERVER_URL,
    Cluster,
    Instance,
    PostgresControl,
    _app_env,
    _redis,
    _require_services,
)
from tests.deploy.web import free_port, wait_for


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "deploy: starts gunicorn, nginx and stops PostgreSQL (tests/deploy)"
    )


def _asked_for(config: pytest.Config) -> bool:
    """Whether this run names tests/deploy (or a file in it) or selects ``-m deploy``."""
    if (config.option.markexpr or "").strip() == "deploy":
        return True
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The deployment test runs only when asked for (``pytest tests/deploy``): it stops the
    shared PostgreSQL for a few seconds, which a whole-suite run must not suffer. Elsewhere its
    tests are deselected (not skipped)."""
    if _asked_for(config):
        return
    mine = [item for item in items if HERE in Path(str(item.fspath)).resolve().parents]
    if mine:
        config.hook.pytest_deselected(items=mine)
        items[:] = [item for item in items if item not in mine]


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def one_run_at_a_time() -> Iterator[None]:
    """Two runs of this test on one machine would share the Redis database and stop each
    other's PostgreSQL: the second waits for the first (a lock file in the temp directory)."""
    path = Path(tempfile.gettempdir()) / "coachapp-deploy-test.lock"
    with path.open("a") as lock:
        if not _try_lock(lock.fileno()):
            print(f"\nwaiting for another run of the deployment test ({path})")
        wait_for(
            lambda: _try_lock(lock.fileno()),
            timeout=300,
            interval=1,
            what=f"another run of the deployment test to finish ({path})",
        )
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@pytest.fixture(scope="module")
def postgres_control(one_run_at_a_time: None) -> Iterator[PostgresControl]:
    control = PostgresControl()
    yield control
    control.ensure_running()  # whatever happened, PostgreSQL is left running


@pytest.fixture(scope="module")
def cluster(postgres_control: PostgresControl) -> Iterator[Cluster]:
    """Two instances (a, b) on one fresh PostgreSQL database and one Redis database, the small
    demo program loaded, and nginx in front; all stopped, dropped and emptied afterwards."""
    _require_services()
    from tests import helpers as base

    redis_db = _redis()
    redis_db.flushdb()
    created = time.monotonic()
    with mock.patch.object(base, "SERVER_URL", SERVER_URL):
        database_url = base.create_scratch_database("coachapp_deploy")
    created = time.monotonic() - created
    workdir = Path(tempfile.mkdtemp(prefix="coachapp-deploy-"))
    workdir.chmod(0o755)  # nginx's workers (user nobody) reach their temp directories
    ports = [free_port() for _ in range(3)]
    while len(set(ports)) < 3:
        ports = [free_port() for _ in range(3)]
    cluster = Cluster(
        workdir=workdir,
        env=_app_env(database_url),
        a=Instance("instance a", ports[0], workdir / "a.log"),
        b=Instance("instance b", ports[1], workdir / "b.log"),
        nginx_port=ports[2],
    )
    try:
        started = time.monotonic()
        cluster.flask("db", "upgrade")
        cluster.flask("demo-data", "--scale", "small")
        migrated = time.monotonic()
        cluster.start(*cluster.instances)
        cluster.start_nginx()
        print(
            f"\ndeploy cluster: database created in {created:.1f} s, migrated and loaded in "
            f"{migrated - started:.1f} s, instances and nginx up in "
            f"{time.monotonic() - migrated:.1f} s"
        )
        yield cluster
    finally:
        cluster.stop_all()
        postgres_control.ensure_running()
        with mock.patch.object(base, "SERVER_URL", SERVER_URL):
            base.drop_scratch_database(database_url)
        redis_db.flushdb()
        redis_db.close()
        if os.environ.get("DEPLOY_KEEP_FILES") != "1":
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def chromium():
    """Debian's Chromium driven by Playwright for Python, launched as tests/browser does."""
    from tests.browser.conftest import launched_chromium

    with launched_chromium() as browser:
        yield browser


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A failed deployment test carries the instances' and nginx's logs in its report."""
    outcome = yield
    report = outcome.get_result()
    cluster = getattr(item, "funcargs", {}).get("cluster")
    if report.failed and isinstance(cluster, Cluster):
        report.sections.append(("deploy logs", cluster.log_tails()))
