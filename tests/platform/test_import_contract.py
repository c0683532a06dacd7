"""The import contract of pyproject.toml ([tool.importlinter], ARCHITECTURE.md) holds on the tree,
and breaks, naming the contract, when an import against the layers is planted in a copy."""

from __future__ import annotations

import os
import shutil
import subprocess  # noqa: S404  # nosec B404
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

ROOT = REPO
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"
LAYERS = "Layers: commands > api, demo > features > core > extensions > models > leaves"
VIEWS_ON_TOP = "Only the app factory imports views"
VIEWS_APART = "No feature imports another feature's views"


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` in ``project`` (its pyproject.toml and its own copy of coachapp first on
    the path, before any installed one)."""
    path = [str(project)] + [
        p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p) != ROOT
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    return subprocess.run(  # noqa: S603  # nosec B603
        [sys.executable, "-c", LINT, "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def copy_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    shutil.copytree(
        ROOT / "coachapp", project / "coachapp", ignore=shutil.ignore_patterns("__pycache__")
    )
    return project


def plant(project: Path, module: str, line: str) -> None:
    path = project / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # planted\n", encoding="utf-8")


def broken_section(result: subprocess.CompletedProcess[str]) -> str:
    output = result.stdout + result.stderr
    assert "Broken contracts" in output, output
    return output.split("Broken contracts", 1)[1]


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    for name in (LAYERS, VIEWS_ON_TOP, VIEWS_APART):
        assert f"{name} KEPT" in result.stdout


def test_a_copy_keeps_them_too(tmp_path):
    # The planted cases below differ from this copy by their one line only.
    result = lint_imports(copy_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "contract", "named"),
    [
        # A circle: the models import the API, which imports the models.
        (
            "coachapp/models/__init__.py",
            "from coachapp.api import register_api",
            LAYERS,
            "coachapp.models is not allowed to import coachapp.api",
        ),
        # The access rule reaching up into a feature's services.
        (
            "coachapp/access.py",
            "from coachapp.sessions import services",
            LAYERS,
            "coachapp.access is not allowed to import coachapp.sessions",
        ),
        # A service borrowing another feature's view.
        (
            "coachapp/team/services.py",
            "from coachapp.clients import views",
            VIEWS_ON_TOP,
            "coachapp.team.services is not allowed to import coachapp.clients.views",
        ),
        # A view borrowing another feature's view.
        (
            "coachapp/goals/views.py",
            "from coachapp.referrals.views import bp",
            VIEWS_APART,
            "coachapp.goals.views is not allowed to import coachapp.referrals.views",
        ),
    ],
)
def test_a_planted_import_breaks_the_contract(tmp_path, module, line, contract, named):
    project = copy_project(tmp_path)
    plant(project, module, line)
    result = lint_imports(project)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout
    broken = broken_section(result)
    assert contract in broken
    assert named in broken
