"""Where the project's folders are.

The project root is, in order: the ``WCC_ANALYSIS_HOME`` environment variable;
the folder holding the installed package when it is a source checkout (the
usual editable install); the nearest parent of the working directory that has
``config/services.toml``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from wcc_analysis.core.errors import ConfigError

HOME_ENV = "WCC_ANALYSIS_HOME"


def _looks_like_root(path: Path) -> bool:
    return (path / "config" / "services.toml").is_file() and (path / "data" / "raw").is_dir()


@cache
def project_root() -> Path:
    """The folder that holds ``config/``, ``data/``, ``notebooks/`` and ``reports/``."""
    env = os.environ.get(HOME_ENV)
    if env:
        root = Path(env).expanduser().resolve()
        if not _looks_like_root(root):
            raise ConfigError(
                f"{HOME_ENV}={env} is not a wcc-analysis project folder (no config/services.toml "
                "and data/raw/). Point it at the folder you cloned, or unset it."
            )
        return root
    package_parent = Path(__file__).resolve().parents[2]  # wcc_analysis/core/paths.py → the checkout
    if _looks_like_root(package_parent):
        return package_parent
    for candidate in [Path.cwd(), *Path.cwd().parents]:
        if _looks_like_root(candidate):
            return candidate
    raise ConfigError(
        "cannot find the wcc-analysis project folder. Run from inside the cloned repository "
        f"or set {HOME_ENV} to its path."
    )


def config_dir() -> Path:
    return project_root() / "config"


def raw_public_dir() -> Path:
    return project_root() / "data" / "raw" / "public"


def raw_council_dir() -> Path:
    return project_root() / "data" / "raw" / "council"


def processed_dir() -> Path:
    return project_root() / "data" / "processed"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def reports_dir() -> Path:
    return project_root() / "reports"


def relative_to_root(path: Path) -> str:
    """A path as shown in reports: relative to the project root, never absolute.

    The path as given is tried before the one its symlinks lead to, so a project whose raw files are links
    (:mod:`wcc_analysis.run.linked_project`) names them as its own."""
    root = project_root()
    for candidate in (Path(os.path.abspath(path)), Path(path).resolve()):
        try:
            return candidate.relative_to(root).as_posix()
        except ValueError:
            continue
    return Path(path).name
