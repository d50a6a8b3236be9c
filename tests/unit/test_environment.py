"""environment.yml (conda users) lists exactly the packages pyproject.toml declares."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name_and_spec(requirement: str) -> tuple[str, str]:
    # a pip extra ("dask[distributed]") is the conda package itself: conda's dask includes distributed
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$", requirement)
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return dict(_name_and_spec(r) for r in requirements)


def _environment() -> dict[str, str]:
    packages = {}
    in_dependencies = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if not line.startswith(" "):
            in_dependencies = line.startswith("dependencies:")
            continue
        if not in_dependencies:
            continue
        match = re.match(r"^\s*-\s+([^#\s].*?)\s*$", line)
        if match and not match.group(1).endswith(":"):
            name, spec = _name_and_spec(match.group(1))
            if name not in {"python", "pip"}:
                packages[name] = spec
    return packages


def test_environment_yml_matches_pyproject():
    assert _environment() == _pyproject()


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "  - python>=3.11" in (ROOT / "environment.yml").read_text()
