"""The test suite's own layout: no file under tests/ imports a test module, nor the root
conftest.py. Shared helpers live in tests/helpers.py (tests/browser/helpers.py for the browser
journeys), shared fixtures in conftest.py files, found by pytest without an import. (The browser
and deployment harnesses keep their set-up in their own conftest.py, which their files import.)"""

from __future__ import annotations

import ast

from tests.helpers import TESTS


def is_test_module(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return dotted == "tests.conftest" or (dotted.startswith("tests.") and last.startswith("test_"))


def imported_modules(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            # ``from tests.reports import test_metrics`` imports a module by its name.
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def test_no_test_module_imports_another_test_module():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for module in imported_modules(tree):
            if is_test_module(module):
                offenders.append(f"{path.relative_to(TESTS.parent)} imports {module}")
    assert offenders == [], "\n".join(offenders)


def test_the_check_sees_both_spellings_of_a_test_module_import():
    tree = ast.parse(
        "from tests.clients.test_clients import QueryCounter\n"
        "from tests.reports import test_metrics\n"
        "def f():\n    import tests.conftest as base\n"
        "from tests.helpers import count\n"
    )
    assert [m for m in imported_modules(tree) if is_test_module(m)] == [
        "tests.clients.test_clients",
        "tests.reports.test_metrics",
        "tests.conftest",
    ]
