"""A project that reads another's files: for trying a change to one input without touching the original.

The benchmark (``benchmarks/run.py``) and the tests make one, change one file in it and run. The config is
copied, ``notebooks/`` is linked, every raw file is linked one symlink per file (so one can be replaced by a
changed copy without touching the original), and ``data/processed`` is copied or left empty to be built.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def link_project(source: Path, target: Path, *, processed: bool = True) -> Path:
    """Make ``target`` a project reading ``source``'s files (see the module docstring); returns ``target``."""
    shutil.copytree(source / "config", target / "config")
    (target / "notebooks").symlink_to((source / "notebooks").resolve())
    raw = source / "data" / "raw"
    for folder, _dirs, files in os.walk(raw):
        here = target / "data" / "raw" / Path(folder).relative_to(raw)
        here.mkdir(parents=True, exist_ok=True)
        for name in files:
            (here / name).symlink_to(Path(folder, name).resolve())
    if processed and (source / "data" / "processed").is_dir():
        shutil.copytree(source / "data" / "processed", target / "data" / "processed",
                        ignore=shutil.ignore_patterns(".*.lock"))
    else:
        (target / "data" / "processed").mkdir(parents=True, exist_ok=True)
    return target


def replace_file(project: Path, relative: str, text: str) -> Path:
    """Put ``text`` in place of the linked file ``relative`` (the original is left as it was)."""
    path = project / relative
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


__all__ = ["link_project", "replace_file"]
