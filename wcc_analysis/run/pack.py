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
so a reader never sees half a pack; ``latest`` moves only when every execution
succeeded. The folder rules (run ids, owner files, abandoned folders, the
``latest`` link) are in :mod:`wcc_analysis.run.pack_folders`.

The index page is written by :mod:`wcc_analysis.run.index_page`.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wcc_analysis import __version__
from wcc_analysis.core import paths
from wcc_analysis.core.config import Config
from wcc_analysis.run import planning, runner
from wcc_analysis.run import reuse as reuse_module
from wcc_analysis.run.data_currency import data_currency
from wcc_analysis.run.executors import get_executor
from wcc_analysis.run.exporters import STYLESHEET, write_stylesheet
from wcc_analysis.run.index_page import council_inputs, render_index
from wcc_analysis.run.pack_folders import (
    MANIFEST,
    check_out_dir,
    new_run_id,
    update_latest,
    write_manifest,
    writing_pack,
)
from wcc_analysis.run.planning import Council, Execution
from wcc_analysis.run.runner import ExecutionResult

INDEX = "index.html"
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
    keys = {ex.key: reuse_module.reuse_key(ex) for ex in executions}
    reusable = reuse_module.find_reusable(executions, keys, out_dir) if reuse else {}
    with writing_pack(out_dir, new_run_id(council.code, started)) as (run_id, tmp, final):
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
        write_manifest(tmp, manifest)
        (tmp / INDEX).write_text(scrubber(render_index(manifest, config, council_dir)), encoding="utf-8")
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
    "git_state",
    "load_manifest",
    "raw_inputs",
    "selection",
]
