"""constraints.txt is what makes a fresh clone install what CI tested: every dependency pinned,
each pin inside pyproject.toml's range, every install step using the file, and this very
environment matching it (an install that bypassed the pins would test other code)."""

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def _pins() -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, separator, pinned = line.partition("==")
        assert separator, f"constraints.txt: {line!r} is not NAME==VERSION"
        pins[canonicalize_name(name)] = Version(pinned)
    return pins


def _requirements() -> list[Requirement]:
    declared = [*PROJECT["dependencies"], *PROJECT["optional-dependencies"]["test"]]
    return [Requirement(text) for text in declared]


PINS = _pins()


@pytest.mark.parametrize("requirement", _requirements(), ids=str)
def test_every_dependency_is_pinned_inside_its_range(requirement: Requirement) -> None:
    if requirement.marker is not None and not requirement.marker.evaluate():
        return
    pinned = PINS.get(canonicalize_name(requirement.name))
    assert pinned is not None, f"{requirement.name} is not in constraints.txt (make constraints)"
    assert requirement.specifier.contains(pinned, prereleases=True), (
        f"constraints.txt pins {requirement.name}=={pinned}, outside {requirement.specifier}"
    )


def test_this_environment_is_the_pinned_one() -> None:
    def installed(name: str) -> Version | None:
        try:
            return Version(version(name))
        except PackageNotFoundError:
            return None

    differing = {
        name: (str(pinned), str(installed(name)))
        for name, pinned in PINS.items()
        if installed(name) != pinned
    }
    assert not differing, f"installed versions differ from constraints.txt: {differing}"


# How each file installs convtrack itself into what it runs (the Makefile's `constraints`
# target re-resolves on purpose, in a venv of its own).
PROJECT_INSTALLS = {"Makefile": "$(BIN)/python -m pip install", "Dockerfile": "RUN pip install"}


@pytest.mark.parametrize("path", sorted(PROJECT_INSTALLS))
def test_every_install_step_uses_the_pins(path: str) -> None:
    lines = (REPO / path).read_text().splitlines()
    installs = [line.strip() for line in lines if PROJECT_INSTALLS[path] in line]
    installs = [line for line in installs if "--upgrade pip" not in line]
    assert installs, f"{path} installs convtrack nowhere"
    for line in installs:
        assert "-c constraints.txt" in line, f"{path}: {line!r} ignores constraints.txt"
