"""Inside a notebook's kernel: which project files it read, and how long it spent importing and loading data.

The runner starts every kernel with :data:`FACTS_ENV` naming a file of its own and has the kernel call
:func:`warm_up` before the notebook's first cell. From then on an audit hook (:pep:`578`) appends one JSON line to
that file for each project file the kernel opens for reading (``"file"``), each project folder it lists
(``"dir"``: ``os.listdir``, ``os.scandir``, so ``glob`` and ``Path.iterdir`` too) and each path the package looked
for without opening (``"probe"``: :func:`probe`, e.g. a council template that is not supplied); and
``"time"`` lines for the time spent importing the stack and inside :func:`loading_data`. The runner turns those
lines into the inputs an execution depends on (its incremental runs reuse an execution only while every one is
unchanged) and into the time split in the manifest. What was read is recorded as it happens, never guessed.

Out of the record: the package's own source (the runner fingerprints it as a whole), the virtual environment,
``reports/`` and ``.git``. Nothing happens in a process that was not started with :data:`FACTS_ENV` (an analyst's
JupyterLab session, the tests), apart from :func:`loading_data` timing nothing.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

#: Environment variable: the file this kernel appends its facts to (set by the runner for each kernel).
FACTS_ENV = "WCC_ANALYSIS_FACTS"
#: Folders of the project never recorded as inputs (the package's source is fingerprinted whole by the runner).
UNRECORDED = ("wcc_analysis", ".venv", "reports", ".git", "notebooks")
#: ``os.open`` flags that make an ``open`` a write (a write is an output, not an input).
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class _Recorder:
    def __init__(self, file: str, root: str) -> None:
        self.file = os.path.abspath(file)
        self.root = root.rstrip(os.sep) + os.sep
        self.skip = tuple(self.root + name + os.sep for name in UNRECORDED)
        self.skip_exact = {self.root + name for name in UNRECORDED}
        self.seen: set[tuple[str, str]] = set()
        self.busy = False

    def note(self, kind: str, path: object) -> None:
        if self.busy:
            return
        try:
            full = os.path.abspath(os.fspath(path)) if path is not None else os.getcwd()
        except (TypeError, ValueError):
            return
        if isinstance(full, bytes):
            full = os.fsdecode(full)
        if not full.startswith(self.root) or full.startswith(self.skip) or full in self.skip_exact or full == self.file:
            return
        if os.path.basename(full).startswith(".") and kind == "file":  # locks, caches, temporary files
            return
        key = (kind, full[len(self.root):])
        if key in self.seen:
            return
        self.seen.add(key)
        self.write({"kind": kind, "path": key[1]})

    def write(self, fact: dict) -> None:
        self.busy = True
        try:
            with open(self.file, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(fact) + "\n")
        except OSError:
            pass
        finally:
            self.busy = False

    def hook(self, event: str, args: tuple) -> None:
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            if isinstance(path, int):
                return
            writes = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & _WRITE_FLAGS)
            if not writes:
                self.note("file", path)
        elif event in ("os.listdir", "os.scandir"):
            self.note("dir", args[0] if args else None)


_recorder: _Recorder | None = None
_hooked = False
_EVENTS = frozenset({"open", "os.listdir", "os.scandir"})
_loading_depth = 0


def install() -> bool:
    """Start recording, if this process was started with :data:`FACTS_ENV` (once; True if recording)."""
    global _recorder
    if _recorder is not None:
        return True
    file = os.environ.get(FACTS_ENV)
    if not file:
        return False
    from wcc_analysis.core import paths

    _recorder = _Recorder(file, str(paths.project_root()))
    global _hooked
    if not _hooked:  # an audit hook cannot be removed: one, for the life of the process, that asks _recorder
        sys.addaudithook(_hook)
        _hooked = True
    return True


def _hook(event: str, args: tuple) -> None:
    recorder = _recorder
    if recorder is not None and event in _EVENTS:
        recorder.hook(event, args)


def stop() -> None:
    """Stop recording (the tests; a kernel records until it ends)."""
    global _recorder
    _recorder = None


def _time(what: str, seconds: float) -> None:
    if _recorder is not None:
        _recorder.write({"kind": "time", "what": what, "s": round(seconds, 4)})


def warm_up(modules: Iterable[str]) -> None:
    """Start recording and import ``modules`` (the notebooks' stack), timing the imports; run by the runner.

    A module that fails to import is left for the notebook to import (and fail on, in a cell the reader sees).
    """
    install()
    start = time.perf_counter()
    for name in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    _time("imports", time.perf_counter() - start)


def probe(path: Path | str) -> None:
    """Record that the package looked for ``path`` (whether or not it exists) without opening it."""
    if _recorder is not None:
        _recorder.note("probe", path)


@contextlib.contextmanager
def loading_data() -> Iterator[None]:
    """Time the body as data loading (nested uses count once)."""
    global _loading_depth
    _loading_depth += 1
    start = time.perf_counter()
    try:
        yield
    finally:
        _loading_depth -= 1
        if _loading_depth == 0:
            _time("data_loading", time.perf_counter() - start)


__all__ = ["FACTS_ENV", "install", "loading_data", "probe", "stop", "warm_up"]
