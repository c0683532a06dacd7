"""Fails when pyproject.toml and the locks in requirements/ disagree (`make lock` mends it).

- every requirement of pyproject.toml (the app's, the ``dev`` extra's, the build system's) is
  pinned in the lock that installs it, at a version the requirement allows;
- every package a lock says it pins for ``coachapp (pyproject.toml)`` is still asked for there
  (a dependency removed from pyproject.toml leaves the lock);
- every pin carries hashes (pip installs with ``--require-hashes``);
- the app's lock and the dev lock pin the same version of each package they share.

It reads files only: no network, so it runs at every install.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$"
)


def read_lock(path: Path) -> tuple[dict[str, list[tuple[str, str | None]]], set[str], list[str]]:
    """Pins by package ({name: [(version, marker)]}), the packages pinned because pyproject.toml
    asks for them, and problems found on the way."""
    pins: dict[str, list[tuple[str, str | None]]] = {}
    direct: set[str] = set()
    problems: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    current: str | None = None
    hashed = True
    for line in lines:
        match = PIN.match(line)
        if match:
            if current is not None and not hashed:
                problems.append(f"{path.name}: {current} has no hash")
            current = canonicalize_name(match.group(1))
            pins.setdefault(current, []).append((match.group(3), match.group(4)))
            hashed = False
        elif "--hash=sha256:" in line:
            hashed = True
        elif current and "coachapp (pyproject.toml)" in line:
            direct.add(current)
        elif line and not line.startswith((" ", "#")):
            problems.append(f"{path.name}: a line that is not a pin: {line!r}")
    if current is not None and not hashed:
        problems.append(f"{path.name}: {current} has no hash")
    return pins, direct, problems


def applies(marker: str | None, env: dict[str, str]) -> bool:
    if not marker:
        return True
    return Requirement(f"x; {marker}").marker.evaluate(env)  # type: ignore[union-attr]


def check(lock: Path, requirements: list[str]) -> list[str]:
    pins, direct, problems = read_lock(lock)
    wanted = {canonicalize_name(Requirement(r).name) for r in requirements}
    # Python 3.11 is the oldest the project supports; the locks are universal (markers).
    env = {**default_environment(), "python_version": "3.11", "python_full_version": "3.11.0"}
    for text in requirements:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        versions = [v for v, marker in pins.get(name, []) if applies(marker, env)]
        if not versions:
            problems.append(f"{lock.name}: {requirement} is not pinned (run `make lock`)")
        for version in versions:
            if not requirement.specifier.contains(version, prereleases=True):
                problems.append(
                    f"{lock.name}: {name}=={version} does not satisfy {requirement} "
                    "(run `make lock`)"
                )
    for name in sorted(direct - wanted):
        problems.append(
            f"{lock.name}: pins {name} for pyproject.toml, which no longer asks for it "
            "(run `make lock`)"
        )
    return problems


def main() -> int:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    app = list(project["project"]["dependencies"])
    dev = list(project["project"]["optional-dependencies"]["dev"])
    build = list(project["build-system"]["requires"])
    app_lock, dev_lock = ROOT / "requirements" / "app.txt", ROOT / "requirements" / "dev.txt"
    problems = check(app_lock, app + build) + check(dev_lock, app + dev + build)
    app_pins, _, _ = read_lock(app_lock)
    dev_pins, _, _ = read_lock(dev_lock)
    for name in sorted(set(app_pins) & set(dev_pins)):
        if sorted(app_pins[name]) != sorted(dev_pins[name]):
            problems.append(f"{name}: app.txt pins {app_pins[name]}, dev.txt {dev_pins[name]}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print("pyproject.toml and requirements/ disagree: run `make lock`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
