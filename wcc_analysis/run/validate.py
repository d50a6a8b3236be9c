"""Re-execute an evidence pack's notebooks with nbval and check the outputs are identical.

For every notebook that ran successfully in the pack, ``python -m pytest --nbval``
re-runs it in a fresh kernel (with ``WCC_ANALYSIS_HOME`` pointing at the project)
and compares every cell's outputs with the stored ones. The per-cell results come
from pytest's JUnit XML report. nbval compares text outputs, including the
``<Figure size …>`` text of a chart, but not the PNG itself.

A notebook that failed during the run is not re-executed: it is reported as
"skipped", since there is nothing complete to compare.

The sanitize file (:data:`SANITIZE`) is written to a temporary folder for each
validation. It only masks things that are time-like or process-specific; the
notebooks' outputs are meant to be deterministic without it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from wcc_analysis.core import paths
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import scrub
from wcc_analysis.run.runner import KERNEL_MPLBACKEND

SANITIZE = r"""[timestamp]
regex: \d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?
replace: <DATE-TIME>

[clock]
regex: \b\d{1,2}:\d{2}:\d{2}(\.\d+)?\b
replace: <TIME>

[ipython_timing]
regex: (Wall time|CPU times|user|sys|total): [^\n]*
replace: \1: <TIMING>

[memory_address]
regex: 0x[0-9a-fA-F]{6,16}
replace: <ADDRESS>
"""

PASS, FAIL, SKIPPED, ERROR = "pass", "fail", "skipped", "error"


@dataclass
class NotebookValidation:
    """The outcome for one notebook of the pack (``path`` is relative to the pack folder)."""

    path: str
    status: str  # pass | fail | skipped | error
    cells_checked: int = 0
    cells_failed: int = 0
    first_difference: str | None = None
    retried: str | None = None  # the error of a first attempt that passed when re-run once (a kernel start, say)

    @property
    def passed(self) -> bool:
        return self.status == PASS


def _notebooks(pack_dir: Path) -> tuple[list[str], dict[str, str], list[str]]:
    """(notebooks to re-run, skipped notebook → reason, all in pack order), relative to the pack."""
    manifest_path = pack_dir / "manifest.json"
    if not manifest_path.is_file():
        found = sorted(p.relative_to(pack_dir).as_posix() for p in pack_dir.glob("*/*.ipynb"))
        return found, {}, found
    import json

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    run: list[str] = []
    skipped: dict[str, str] = {}
    order: list[str] = []
    for entry in manifest.get("executions", []):
        ipynb = entry.get("outputs", {}).get("ipynb")
        if not ipynb:
            continue
        order.append(ipynb)
        if entry.get("status") == "ok":
            run.append(ipynb)
        else:
            err = entry.get("error") or {}
            skipped[ipynb] = (
                f"not re-run: the notebook failed in the run itself ({err.get('ename', 'error')}"
                + (f" in cell {err['cell_index']}" if err.get("cell_index") is not None else "")
                + ")"
            )
    return run, skipped, order


_ANSI = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")


def _first_lines(text: str, limit: int = 12) -> str:
    text = _ANSI.sub("", text or "")
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    shown = "\n".join(lines[:limit])
    return shown + ("\n…" if len(lines) > limit else "")


def _error_lines(message: str, detail: str, limit: int = 8) -> str:
    """What went wrong in an errored cell: pytest's message and its ``E`` lines (the exception), not the
    start of the traceback."""
    raised = [line[1:].strip() for line in _ANSI.sub("", detail or "").splitlines() if line.startswith("E ")]
    text = "\n".join(part for part in (message.strip(), *raised[-limit:]) if part)
    return _first_lines(text or detail, limit + 1)


def _parse_junit(xml_path: Path, pack_dir: Path, notebooks: list[str]) -> dict[str, NotebookValidation]:
    results = {nb: NotebookValidation(path=nb, status=PASS) for nb in notebooks}
    try:
        root = ET.parse(xml_path).getroot()
    except (ET.ParseError, FileNotFoundError):
        for r in results.values():
            r.status, r.first_difference = ERROR, "pytest wrote no report"
        return results
    # nbval names test cases "<file>::Cell <n>"; JUnit stores the file as a dotted classname
    by_classname = {nb[: -len(".ipynb")].replace("/", "."): nb for nb in notebooks}
    for case in root.iter("testcase"):
        classname = case.get("classname", "")
        nb = by_classname.get(classname) or by_classname.get(classname.rsplit(".ipynb", 1)[0])
        if nb is None:
            file_attr = case.get("file")
            nb = file_attr if file_attr in results else None
        if nb is None:
            continue
        result = results[nb]
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if case.find("skipped") is None:
            result.cells_checked += 1
        if problem is not None:
            result.cells_failed += 1
            if result.status == PASS:
                result.status = FAIL if problem.tag == "failure" else ERROR
                detail = problem.text or problem.get("message", "")
                shown = (_first_lines(detail) if problem.tag == "failure"
                         else _error_lines(problem.get("message", ""), problem.text or ""))
                result.first_difference = f"{case.get('name', '')}: {shown}"
    for r in results.values():
        if r.status == PASS and r.cells_checked == 0:
            r.status, r.first_difference = ERROR, "no cell was checked (was the notebook collected?)"
    return results


def _chunks(items: list[str], n: int) -> list[list[str]]:
    n = max(1, min(n, len(items)))
    return [items[i::n] for i in range(n)]


def validate_pack(pack_dir: str | Path, jobs: int | None = None) -> list[NotebookValidation]:
    """Re-execute every notebook of the pack with nbval; one result per notebook, in pack order."""
    pack_dir = Path(pack_dir).resolve()
    if not pack_dir.is_dir():
        raise ParameterError(f"{pack_dir} is not a folder. Give the path of a pack, e.g. reports/latest.")
    to_run, skipped, order = _notebooks(pack_dir)
    if not to_run and not skipped:
        raise ParameterError(f"{pack_dir} holds no executed notebooks (<service>/<notebook>.ipynb).")
    env = dict(os.environ)
    env[paths.HOME_ENV] = str(paths.project_root())
    env["MPLBACKEND"] = KERNEL_MPLBACKEND  # the kernels draw as the run's did (MPLBACKEND=Agg would draw nothing)
    env.setdefault("PYTHONHASHSEED", "0")
    results: dict[str, NotebookValidation] = {}
    with tempfile.TemporaryDirectory(prefix="wcc-validate-") as tmp:
        tmpdir = Path(tmp)
        chunks = _chunks(to_run, jobs or os.cpu_count() or 1) if to_run else []
        results.update(_run_nbval(chunks, pack_dir, tmpdir, env, "first"))
        # An error (not an output difference) may be the environment's, e.g. a kernel that failed to start
        # while others were starting: such notebooks are re-run once, one at a time, and the first error is kept.
        errored = [nb for nb in to_run if results[nb].status == ERROR]
        if errored:
            again = _run_nbval([errored], pack_dir, tmpdir, env, "retry")
            for nb in errored:
                if again[nb].passed:
                    again[nb].retried = results[nb].first_difference
                    results[nb] = again[nb]
    for nb, reason in skipped.items():
        results[nb] = NotebookValidation(path=nb, status=SKIPPED, first_difference=reason)
    return [results[nb] for nb in order]


def _run_nbval(chunks: list[list[str]], pack_dir: Path, tmpdir: Path, env: dict, tag: str) -> dict[str, NotebookValidation]:
    """Run nbval on each chunk of notebooks in parallel (one pytest process per chunk); a result per notebook."""
    sanitize = tmpdir / "sanitize.cfg"
    # the pack's outputs were scrubbed of paths, user and host names (run/scrub.py): mask them in the re-run too
    sanitize.write_text(SANITIZE + "\n" + scrub.nbval_sanitize(), encoding="utf-8")
    ini = tmpdir / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")  # the pack is tested on its own, not with a project's config
    procs = []
    for i, chunk in enumerate(chunks):
        xml = tmpdir / f"junit-{tag}-{i}.xml"
        cmd = [
            sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
            "-p", "no:cacheprovider", "--noconftest", "-c", str(ini), "--rootdir", str(pack_dir),
            "--nbval-sanitize-with", str(sanitize), "--junitxml", str(xml),
            "-o", "junit_family=xunit1", "-q", *chunk,
        ]  # fmt: skip
        log = open(tmpdir / f"pytest-{tag}-{i}.log", "w+", encoding="utf-8")  # noqa: SIM115
        procs.append((chunk, xml, log, subprocess.Popen(cmd, cwd=pack_dir, env=env, stdout=log, stderr=subprocess.STDOUT)))
    results: dict[str, NotebookValidation] = {}
    for chunk, xml, log, proc in procs:
        code = proc.wait()
        parsed = _parse_junit(xml, pack_dir, chunk)
        if code not in (0, 1):  # 2+: pytest itself could not run (usage error, internal error)
            log.seek(0)
            tail = _first_lines("\n".join(log.read().splitlines()[-12:]))
            for r in parsed.values():
                if r.status == ERROR or r.cells_checked == 0:
                    r.status, r.first_difference = ERROR, f"pytest exited with code {code}: {tail}"
        log.close()
        results.update(parsed)
    return results


__all__ = ["NotebookValidation", "SANITIZE", "validate_pack"]
