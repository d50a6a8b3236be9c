"""The evidence pack: ``reports/<run-id>/`` with executed notebooks, HTML, manifest and index.

Layout::

    reports/
      latest -> 20250101T020000Z-E07000237     symlink to the newest pack in which everything succeeded
      20250101T020000Z-E07000237/
        index.html                             the page to open first
        manifest.json                          run id, council, times, versions, git commit,
                                               sha256 of every raw input, the age of every source
                                               the reports used (data_currency), every execution
        assets/report.css                      the one stylesheet every HTML report links
        <service>/<notebook>.html              reader version (no code)
        <service>/<notebook>.code.html         with the code
        <service>/<notebook>.ipynb             executed notebook (re-run by ``wcc-analysis validate``)

The files beside each ``.ipynb`` are those of the registered exporters
(:mod:`wcc_analysis.run.exporters`); the two above are the default ones.

A pack is written into ``reports/.incomplete-<run-id>/`` and renamed into place
only when every execution has finished and the manifest and index are written,
so a reader never sees half a pack. If the run is interrupted, or writing the
pack raises, the temporary folder is removed. The folder holds a small owner file
(the run's process id) while it is written; a run killed outright (SIGKILL, power
loss) leaves its folder behind, and the next run into the same folder removes it
once that process is gone (:func:`remove_abandoned`). A live run's folder is never
touched, so several runs may write into the same folder at once.

The ``latest`` rule: ``latest`` moves (atomically: a new symlink is made beside
it and renamed over it) only when **every** execution in the new pack succeeded.
A pack with failures is kept under its run id beside the others, and ``latest``
keeps pointing to the last good pack, which is never touched. Any successful
pack moves ``latest``, including one for a subset of services or another council,
unless ``latest`` already points to a pack that started later (two runs at once:
the newer one wins whichever finishes last).

The index page is written by :mod:`wcc_analysis.run.index_page`.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wcc_analysis import __version__
from wcc_analysis.core import paths
from wcc_analysis.core.config import Config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import planning, runner
from wcc_analysis.run import reuse as reuse_module
from wcc_analysis.run.data_currency import data_currency
from wcc_analysis.run.executors import get_executor
from wcc_analysis.run.exporters import STYLESHEET, write_stylesheet
from wcc_analysis.run.index_page import council_inputs, render_index
from wcc_analysis.run.planning import Council, Execution
from wcc_analysis.run.runner import ExecutionResult

MANIFEST = "manifest.json"
INDEX = "index.html"
LATEST = "latest"
INCOMPLETE_PREFIX = ".incomplete-"
#: In a ``.incomplete-<run-id>`` folder while it is written: the owning run's pid, process identity and host.
OWNER = ".owner.json"
#: A ``.incomplete-`` folder without an owner file (an older version's) is removed once it is this old.
ABANDONED_WITHOUT_OWNER_S = 24 * 3600
#: ``<UTC time>-<council>[-n]``: the order of two runs' ids is the order they started in.
RUN_ID_PATTERN = re.compile(r"^(\d{8}T\d{6}Z)-[^-]+(?:-(\d+))?$")
#: 2: adds ``data_currency`` (one entry per source the reports used, with its age on the run date).
#: 3: adds ``pack_status`` (the council's pack_status.toml, or null) and ``cycle_phases`` (services.csv seed_phase).
MANIFEST_SCHEMA = 3

#: Packages whose versions the manifest records (distribution names).
KEY_PACKAGES = (
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbformat",
    "nbconvert",
    "nbclient",
    "nbval",
    "pandera",
    "pyarrow",
    "ipykernel",
    "python-calamine",
)


@dataclass
class Pack:
    run_id: str
    path: Path
    manifest: dict[str, Any]
    results: list[ExecutionResult]
    latest: bool

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failed(self) -> list[ExecutionResult]:
        return [r for r in self.results if not r.ok]


# --------------------------------------------------------------------------- provenance


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def package_versions() -> dict[str, str | None]:
    from wcc_analysis.core.store import versions_of

    return versions_of(KEY_PACKAGES)


def git_state(root: Path | None = None) -> dict[str, Any] | None:
    """``{"commit": sha, "dirty": bool}`` for the project's checkout, None if it is not one."""
    root = root or paths.project_root()

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if not top or Path(top).resolve() != Path(root).resolve():
        return None  # not a checkout of its own (e.g. a project folder inside another repository)
    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    status = git("status", "--porcelain")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def raw_inputs(council: str) -> dict[str, str]:
    """sha256 of every raw input file, keyed by its path relative to the project root."""
    from wcc_analysis.core.store import sha256_file

    root = paths.project_root()
    files: list[Path] = []
    for folder in (paths.raw_public_dir(), paths.raw_council_dir() / council):
        if folder.is_dir():
            files += [
                p
                for p in folder.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
            ]
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(files)}


def build_manifest(
    *,
    run_id: str,
    council: Council,
    started: datetime,
    finished: datetime,
    results: Sequence[ExecutionResult],
    selection: dict[str, Any],
    inputs: dict[str, str],
    pack_status: dict[str, Any] | None = None,
    cycle_phases: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest of a pack (schema :data:`MANIFEST_SCHEMA`).

    ``data_currency`` is measured on the run date (``started``, UTC) from what each
    execution recorded under ``data_used`` (:mod:`wcc_analysis.run.data_currency`). ``pack_status`` and
    ``cycle_phases`` come from the council's folder (:func:`wcc_analysis.run.index_page.council_inputs`).
    """
    executions = [r.to_dict() for r in results]
    return {
        "schema": MANIFEST_SCHEMA,
        "run_id": run_id,
        "council": {"code": council.code, "name": council.name, "rs_class": council.rs_class},
        "status": "ok" if all(r.ok for r in results) else "failed",
        "started": _utc_iso(started),
        "finished": _utc_iso(finished),
        "duration_s": round((finished - started).total_seconds(), 3),
        "selection": selection,
        "package": {"name": "wcc-analysis", "version": __version__},
        "git": git_state(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "versions": package_versions(),
        "inputs": inputs,
        "data_currency": data_currency(executions, started.astimezone(UTC).date()),
        "pack_status": pack_status,
        "cycle_phases": cycle_phases or {},
        "executions": executions,
    }


# --------------------------------------------------------------------------- run id, folders


def new_run_id(council: str, moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}-{council}"


def reserve(out_dir: Path, base: str) -> tuple[str, Path, Path]:
    """A run id not used in ``out_dir`` (suffix -2, -3… on collision) and its temporary folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for n in itertools.count(1):
        run_id = base if n == 1 else f"{base}-{n}"
        final = out_dir / run_id
        tmp = out_dir / f"{INCOMPLETE_PREFIX}{run_id}"
        if final.exists() or final.is_symlink():
            continue
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        if final.exists():  # finished by another run between the two checks
            tmp.rmdir()
            continue
        owner = {"pid": os.getpid(), "identity": runner.process_identity(os.getpid()), "host": socket.gethostname()}
        (tmp / OWNER).write_text(json.dumps(owner) + "\n", encoding="utf-8")
        return run_id, tmp, final
    raise AssertionError("unreachable")


def _abandoned(folder: Path) -> bool:
    """True if the run writing ``folder`` (a ``.incomplete-`` folder) is gone; False when in doubt."""
    try:
        owner = json.loads((folder / OWNER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > ABANDONED_WITHOUT_OWNER_S
        except OSError:
            return False
    except (OSError, ValueError):
        return False
    if not isinstance(owner, dict) or not isinstance(owner.get("pid"), int) or owner.get("host") != socket.gethostname():
        return False  # another machine's run (a shared folder): it cannot be checked from here
    return not runner.process_alive(owner["pid"], owner.get("identity"))


def remove_abandoned(out_dir: Path) -> list[Path]:
    """Remove the ``.incomplete-<run-id>`` folders in ``out_dir`` whose run's process no longer exists."""
    removed: list[Path] = []
    try:
        folders = [p for p in out_dir.iterdir() if p.name.startswith(INCOMPLETE_PREFIX)]
    except OSError:
        return removed
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
    return removed


def _shown(path: Path) -> str:
    """``path`` for a message: relative to the project where it is inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    for candidate in (absolute, absolute.resolve()):
        with contextlib.suppress(ValueError, OSError):
            return candidate.relative_to(paths.project_root()).as_posix() or "."
    return str(absolute)


def check_out_dir(out_dir: str | Path) -> Path:
    """``out_dir`` (``--out``) if packs can be written there; ParameterError saying why not and what to do.

    Refused: an existing file, a folder that cannot be created (a file in the way) or written, and any
    folder inside a pack (``<out>/latest``, ``<out>/<run-id>/…``, a ``.incomplete-`` folder).
    """
    out = Path(out_dir)
    shown = _shown(out)
    if out.exists() and not out.is_dir():
        raise ParameterError(
            f"--out {shown} is a file, not a folder. What to do: give --out the folder to write packs into "
            "(it is created if it does not exist), or move the file away."
        )
    existing = Path(os.path.abspath(out))
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ParameterError(
            f"--out {shown} cannot be created: {_shown(existing)} is a file, not a folder. What to do: give --out "
            "a folder whose parents are folders, or move that file away."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ParameterError(
            f"--out {shown} is not writable ({_shown(existing)} does not let you create files). What to do: "
            "give --out a folder you can write to, or ask for write permission on it."
        )
    resolved = Path(os.path.abspath(out)).resolve()
    for folder in (resolved, *resolved.parents):
        if folder.name.startswith(INCOMPLETE_PREFIX) or (folder / MANIFEST).is_file():
            raise ParameterError(
                f"--out {shown} is inside the pack {_shown(folder)}. What to do: give --out the folder that "
                f"holds the packs (e.g. {_shown(folder.parent)}), not a pack or a folder in one."
            )
    return out


def run_order(run_id: str) -> tuple[str, int] | None:
    """The start order of run ``run_id`` (its UTC time, then its -n suffix); None for another name."""
    match = RUN_ID_PATTERN.match(run_id)
    return (match[1], int(match[2] or 1)) if match else None


@contextlib.contextmanager
def _locked(folder: Path):
    """An exclusive lock on ``folder`` (flock on the folder itself: no lock file), where the system has one."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def update_latest(out_dir: Path, run_id: str) -> bool:
    """Point ``out_dir/latest`` at ``run_id`` atomically. False if that is not possible.

    Also False, leaving it alone, when ``latest`` points to a pack that started after ``run_id``
    (two runs at once): ``latest`` ends on the newest complete pack whichever finishes last.
    """
    with _locked(out_dir):
        return _update_latest(out_dir, run_id)


def _update_latest(out_dir: Path, run_id: str) -> bool:
    link = out_dir / LATEST
    if link.exists() and not link.is_symlink():
        print(f"warning: {link} exists and is not a symlink; it was left alone", file=sys.stderr)
        return False
    if link.is_symlink():
        current = os.readlink(link)
        mine, theirs = run_order(run_id), run_order(Path(current).name)
        if mine and theirs and theirs > mine and (out_dir / current).is_dir():
            print(f"note: {link} still points to {current}, which started after {run_id}", file=sys.stderr)
            return False
    tmp = out_dir / f".{LATEST}-{run_id}.tmp"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(run_id, tmp, target_is_directory=True)  # relative: the folder can be moved
        os.replace(tmp, link)
    except OSError as exc:  # e.g. a file system without symlinks
        print(f"warning: could not update {link}: {exc}", file=sys.stderr)
        if tmp.is_symlink():
            tmp.unlink()
        return False
    return True


# --------------------------------------------------------------------------- the run


def build(
    config: Config,
    executions: Sequence[Execution],
    council: Council,
    *,
    out_dir: str | Path | None = None,
    jobs: int | None = None,
    executor: str = "process",
    progress: runner.Progress | None = None,
    prepare: bool = True,
    started: datetime | None = None,
    timeout: float | None = None,
    executor_options: Mapping[str, Any] | None = None,
    reuse: bool = True,
) -> Pack:
    """Prepare data, run every execution with ``executor`` and write the pack.

    Never raises for a failing notebook (ParameterError for an unknown
    ``executor``, before anything runs). ``started`` is the run's start time for
    the manifest (default: now). ``timeout``: the longest one cell may run, in seconds
    (default :data:`~wcc_analysis.run.runner.DEFAULT_TIMEOUT_S`). A bad ``timeout`` or
    ``out_dir`` (:func:`check_out_dir`) is a ParameterError before anything runs. With ``reuse`` (the default;
    ``wcc-analysis run --force`` turns it off) an execution whose notebook, parameters, package source and recorded
    inputs are all unchanged since an earlier pack in ``out_dir`` is copied from it, not run
    (:mod:`wcc_analysis.run.reuse`).
    """
    get_executor(executor, executor_options)  # an unknown name or option fails here, before data preparation
    limit = {} if timeout is None else {"timeout": runner.check_timeout(timeout)}
    out_dir = check_out_dir(Path(out_dir) if out_dir else paths.reports_dir())
    started = started or datetime.now(UTC)
    if prepare:
        runner.prepare_data()  # once, here, so parallel kernels never all rebuild it
    inputs = raw_inputs(council.code)
    council_dir = paths.raw_council_dir() / council.code
    front = council_inputs(council.code, config, council_dir)  # read with the inputs, before the run
    for gone in remove_abandoned(out_dir) if out_dir.is_dir() else []:
        print(f"note: removed {_shown(gone)}, left by a run that was stopped before it finished", file=sys.stderr)
    keys = {ex.key: reuse_module.reuse_key(ex) for ex in executions}
    reusable = reuse_module.find_reusable(executions, keys, out_dir) if reuse else {}
    run_id, tmp, final = reserve(out_dir, new_run_id(council.code, started))
    try:
        by_key = _reuse_into(tmp, executions, reusable, progress)
        to_run = [ex for ex in executions if ex.key not in by_key]
        ran = runner.execute(to_run, tmp, jobs=jobs, progress=progress, executor=executor,
                             executor_options=executor_options, **limit)
        by_key.update((r.execution.key, r) for r in ran)
        results = [by_key[ex.key] for ex in executions]
        for result in results:
            result.reuse_key = keys[result.execution.key]
        finished = datetime.now(UTC)
        manifest = build_manifest(
            run_id=run_id,
            council=council,
            started=started,
            finished=finished,
            results=results,
            selection=selection(executions, jobs=jobs, executor=executor),
            inputs=inputs,
            **front,
        )
        # paths, user and host names and secret-looking values out of what is shared (wcc_analysis.run.scrub)
        from wcc_analysis.run.scrub import current_scrubber, scrub_data

        scrubber = current_scrubber()
        manifest = scrub_data(manifest, scrubber)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (tmp / INDEX).write_text(scrubber(render_index(manifest, config, council_dir)), encoding="utf-8")
        (tmp / OWNER).unlink(missing_ok=True)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    ok = all(r.ok for r in results)
    latest = update_latest(out_dir, run_id) if ok else False
    return Pack(run_id=run_id, path=final, manifest=manifest, results=results, latest=latest)


def _reuse_into(pack_dir: Path, executions: Sequence[Execution], reusable: Mapping[str, Any],
                progress: runner.Progress | None) -> dict[str, ExecutionResult]:
    """Copy each reusable execution's outputs into ``pack_dir``; a copy that fails leaves that execution to run."""
    started = getattr(progress, "started", None)
    finished = getattr(progress, "finished", None)
    done: dict[str, ExecutionResult] = {}
    for ex in executions:
        if ex.key not in reusable:
            continue
        try:
            result = reuse_module.copy_into(reusable[ex.key], ex, pack_dir)
        except OSError:
            continue
        done[ex.key] = result
        if started is not None:
            started(ex)
        if finished is not None:
            finished(result)
    if done:  # the reports' shared stylesheet is written by an export, and none may run
        _copy_stylesheet(pack_dir, [prior.pack_dir for prior in reusable.values()])
    return done


def _copy_stylesheet(pack_dir: Path, earlier_packs: Sequence[Path]) -> None:
    """The stylesheet of an earlier pack reused from (the same text: the reuse key holds the package and the
    nbconvert that made it), copied atomically; written afresh when there is none to copy."""
    for earlier in earlier_packs:
        source, target = earlier / STYLESHEET, pack_dir / STYLESHEET
        if source.is_file():
            partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, partial)
                os.replace(partial, target)
                return
            except OSError:
                partial.unlink(missing_ok=True)
    write_stylesheet(pack_dir)


def selection(executions: Sequence[Execution], *, jobs: int | None, executor: str) -> dict[str, Any]:
    """The manifest's ``selection``: services, notebooks, extra parameters, jobs and executor."""
    extra: dict[str, Any] = {}
    for ex in executions:
        extra.update({k: v for k, v in ex.parameters.items() if k not in planning.RESERVED_PARAMETERS})
    return {
        "services": list(dict.fromkeys(ex.service for ex in executions)),
        "notebooks": list(dict.fromkeys(ex.notebook for ex in executions)),
        "parameters": extra,
        "jobs": jobs,
        "executor": executor,
    }


def load_manifest(pack_dir: str | Path) -> dict[str, Any]:
    return json.loads((Path(pack_dir) / MANIFEST).read_text(encoding="utf-8"))


__all__ = [
    "Pack",
    "build",
    "build_manifest",
    "check_out_dir",
    "git_state",
    "load_manifest",
    "new_run_id",
    "raw_inputs",
    "remove_abandoned",
    "reserve",
    "selection",
    "update_latest",
]
