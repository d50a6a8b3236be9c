"""Incremental runs: reuse an execution from an earlier pack when nothing it depends on has changed.

An execution depends on (a) its :func:`reuse_key` — the notebook file's sha256, its parameters, the reports of its
service in the run (the HTML's navigation), the exporters, the kernel, a fingerprint of the package's source
(:func:`package_fingerprint`: every file under ``wcc_analysis/``, not its version number) and the versions of
Python and the libraries that run and render notebooks — and (b) every input its kernel read, as recorded while it
ran (:mod:`wcc_analysis.run.inputs_read`). :func:`find_reusable` looks through the packs in the output folder,
newest first, for a successful execution with the same key whose recorded inputs are all unchanged; its outputs
are copied into the new pack (:func:`copy_into`) and the manifest records the run that executed it.
``wcc-analysis run --force`` re-runs everything.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from wcc_analysis.core import paths
from wcc_analysis.core.store import versions_of
from wcc_analysis.run import inputs_read
from wcc_analysis.run.exporters import registered_exporters
from wcc_analysis.run.pack_folders import MANIFEST, run_order
from wcc_analysis.run.planning import Execution
from wcc_analysis.run.runner import STATUS_OK, ExecutionResult
from wcc_analysis.run.warm_kernels import KERNEL_NAME, WARM_UP_MODULES

#: How many of the newest packs in the output folder are searched for an execution to reuse.
PACKS_SEARCHED = 20
#: Libraries whose version can change an executed notebook or its HTML: a new one re-runs everything.
RENDERING_LIBRARIES = ("papermill", "nbclient", "nbformat", "nbconvert", "ipykernel", "pandas", "numpy",
                       "matplotlib", "pyarrow", "pandera", "python-calamine")


@cache
def package_fingerprint() -> str:
    """sha256 over the path and bytes of every file of the installed package's source (caches left out)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for file in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and p.suffix not in (".pyc", ".pyo")):
        digest.update(file.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


@cache
def _library_versions() -> dict[str, str | None]:
    return {"python": sys.version.split()[0], **versions_of(RENDERING_LIBRARIES)}


def reuse_key(execution: Execution) -> str:
    """sha256 of everything but the inputs read that decides an execution's outputs (see the module docstring)."""
    try:
        notebook = hashlib.sha256(Path(execution.input_path).read_bytes()).hexdigest()
    except OSError:
        notebook = None
    parts = {
        "notebook": notebook,
        "parameters": dict(execution.parameters),
        "reports": [list(r) for r in execution.reports],
        "output": execution.output_path(""),
        "exporters": [(e.key, e.suffix) for e in registered_exporters()],
        "kernel": [KERNEL_NAME, list(WARM_UP_MODULES)],
        "package": package_fingerprint(),
        "libraries": _library_versions(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Prior:
    """An earlier successful execution that may be reused: its manifest entry and the pack holding its outputs."""

    entry: Mapping[str, Any]
    pack_dir: Path
    run_id: str

    @property
    def executed_in(self) -> str:
        """The run that executed it (an execution reused twice still names the run that ran it)."""
        reused = self.entry.get("reused_from") or {}
        return reused.get("run_id") or self.run_id


def _packs_newest_first(out_dir: Path) -> list[tuple[str, Path, dict[str, Any]]]:
    found = []
    for folder in out_dir.iterdir() if out_dir.is_dir() else []:
        order = run_order(folder.name)
        if order is None or folder.is_symlink() or not (folder / MANIFEST).is_file():
            continue
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found.append((order, folder.name, folder, manifest))
    found.sort(key=lambda item: item[0], reverse=True)
    return [(name, folder, manifest) for _, name, folder, manifest in found[:PACKS_SEARCHED]]


def _entry_key(entry: Mapping[str, Any]) -> str:
    return f"{entry.get('service')}/{entry.get('notebook')}"


def find_reusable(executions: Sequence[Execution], keys: Mapping[str, str], out_dir: Path) -> dict[str, Prior]:
    """For each execution (by key) that can be reused, the newest earlier execution it can reuse.

    An earlier execution qualifies when it succeeded, has the same :func:`reuse_key`, recorded what it read, every
    one of those inputs is unchanged, and all its output files are still in its pack.
    """
    wanted = {ex.key: keys[ex.key] for ex in executions}
    found: dict[str, Prior] = {}
    hashes: dict[Path, str] = {}  # each input hashed once for the whole search
    root = paths.project_root()
    for run_id, folder, manifest in _packs_newest_first(Path(out_dir)):
        for entry in manifest.get("executions") or []:
            key = _entry_key(entry)
            if key not in wanted or key in found or entry.get("status") != STATUS_OK:
                continue
            if entry.get("reuse_key") != wanted[key] or not isinstance(entry.get("inputs_read"), dict):
                continue
            outputs = entry.get("outputs") or {}
            if not outputs or not all((folder / rel).is_file() for rel in outputs.values()):
                continue
            if inputs_read.changed(entry["inputs_read"], root, hashes):
                continue
            found[key] = Prior(entry, folder, run_id)
        if len(found) == len(wanted):
            break
    return found


def copy_into(prior: Prior, execution: Execution, pack_dir: Path) -> ExecutionResult:
    """Copy ``prior``'s outputs into ``pack_dir`` and return the reused result (raises OSError if a copy fails)."""
    start = time.perf_counter()
    outputs = dict(prior.entry.get("outputs") or {})
    for rel in outputs.values():
        target = pack_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prior.pack_dir / rel, target)
    original = prior.entry.get("reused_from") or {}
    return ExecutionResult(
        execution=execution,
        status=STATUS_OK,
        duration_s=time.perf_counter() - start,
        attempts=0,
        headline=dict(prior.entry.get("headline") or {}),
        outputs=outputs,
        timing={"total_s": round(time.perf_counter() - start, 3), "reused": True},
        inputs_read=dict(prior.entry["inputs_read"]),
        reused_from={
            "run_id": prior.executed_in,
            "copied_from": prior.run_id,
            "duration_s": original.get("duration_s", prior.entry.get("duration_s")),
        },
    )


__all__ = ["PACKS_SEARCHED", "Prior", "copy_into", "find_reusable", "package_fingerprint", "reuse_key"]
