"""Execute notebook runs: one papermill execution per service × notebook.

:mod:`wcc_analysis.run.planning` makes the list of executions. ``execute`` hands
them to an executor from :mod:`wcc_analysis.run.executors` (``"process"``: a
pool of worker processes, the default; ``"serial"``: one after another in this
process). Every executor runs each execution with :func:`run_execution`:
papermill, kernel-start retries, tidy metadata, headline collection and one
output file per registered exporter (:mod:`wcc_analysis.run.exporters`). The
runner knows nothing about any one analysis: it reads only the headline figures
a notebook recorded (:mod:`wcc_analysis.core.headline`).

A failing notebook never stops the others: its result has status ``"failed"``,
the failing cell and the error, and its executed notebook and HTML are still
written so the reader sees where it broke. A kernel that fails to *start*
(rare when several start at once) is retried, up to three attempts in all.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from wcc_analysis.core import paths
from wcc_analysis.run.exporters import INJECTED_TAG, NOTEBOOK_KEY, NOTEBOOK_SUFFIX, Exporter, registered_exporters
from wcc_analysis.run.planning import Execution

KERNEL_NAME = "python3"
#: The matplotlib backend every kernel draws with: inline, so that each chart is a PNG in the notebook (and so in
#: the HTML). A kernel inherits the runner's environment, and MPLBACKEND=Agg there (set by CI, or by a scheduler
#: for headless jobs) would otherwise leave every report without its charts.
KERNEL_MPLBACKEND = "module://matplotlib_inline.backend_inline"


@contextlib.contextmanager
def kernel_environment() -> Iterator[None]:
    """Start kernels with :data:`KERNEL_MPLBACKEND`; the runner's own environment is restored afterwards."""
    before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = KERNEL_MPLBACKEND
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = before
#: Tag papermill gives the markdown cells it adds to point at a failing cell.
ERROR_MARKER_TAG = "papermill-error-cell-tag"

STATUS_OK = "ok"
STATUS_FAILED = "failed"


# --------------------------------------------------------------------------- data


@dataclass
class ExecutionResult:
    """What happened to one execution. ``error`` is None unless status is ``"failed"``.

    ``error`` keys: ``kind`` ("cell": a cell raised; "kernel": the kernel did not
    start, after three attempts; "runner": anything else), ``cell_index`` (0-based position of
    the failing cell in the source notebook ``notebooks/<name>.ipynb``),
    ``execution_count`` (the ``In [n]`` shown in the code HTML), ``ename``,
    ``evalue`` and ``source_first_line``.
    """

    execution: Execution
    status: str
    duration_s: float
    attempts: int = 1
    headline: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    def to_dict(self) -> dict[str, Any]:
        ex = self.execution
        return {
            "service": ex.service,
            "service_name": ex.service_name,
            "notebook": ex.notebook,
            "notebook_title": ex.notebook_title,
            "source": f"notebooks/{ex.notebook}.ipynb",
            "parameters": dict(ex.parameters),
            "status": self.status,
            "duration_s": round(self.duration_s, 3),
            "attempts": self.attempts,
            "headline": self.headline,
            "outputs": dict(self.outputs),
            "error": self.error,
        }


class Progress(Protocol):
    """What ``execute`` reports to (both methods are optional)."""

    def started(self, execution: Execution) -> None: ...

    def finished(self, result: ExecutionResult) -> None: ...


# --------------------------------------------------------------------------- data preparation


def prepare_data() -> bool:
    """Build or refresh data/processed once, in this process, before kernels start.

    Returns False when ``wcc_analysis.ingest.build_all`` does not exist yet.
    """
    try:
        from wcc_analysis import ingest

        build_all = ingest.build_all
    except (ImportError, AttributeError):
        return False
    build_all()
    return True


# --------------------------------------------------------------------------- one execution

KERNEL_START_ATTEMPTS = 3
_START_FAILURE_WORDS = (
    "kernel_info", "kernel died", "address already in use", "failed to start", "didn't respond in",
)


def _is_start_failure(exc: BaseException) -> bool:
    """True for the errors a kernel gives when it never came up (not a failure inside a cell)."""
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(word in text for word in _START_FAILURE_WORDS)


def _never_started(output: Path) -> bool:
    """True if no cell ran: the output notebook is absent or every cell is still unexecuted."""
    import nbformat

    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:  # noqa: BLE001 - an unreadable output means nothing ran
        return True
    return all(
        cell.get("execution_count") is None
        and cell.get("metadata", {}).get("papermill", {}).get("status", "pending") == "pending"
        for cell in nb.cells
        if cell.cell_type == "code"
    )


def _source_cell_index(nb, papermill_index: int) -> int:
    """papermill's index (markers removed, injected cell counted) → index in the source notebook."""
    cells = [c for c in nb.cells if ERROR_MARKER_TAG not in c.get("metadata", {}).get("tags", [])]
    injected = sum(1 for c in cells[:papermill_index] if INJECTED_TAG in c.get("metadata", {}).get("tags", []))
    return papermill_index - injected


def _tidy_metadata(nb, execution: Execution) -> None:
    """Replace the absolute paths papermill records with paths relative to the project / pack."""
    meta = nb.metadata.get("papermill")
    if meta is not None:
        meta["input_path"] = f"notebooks/{execution.notebook}.ipynb"
        meta["output_path"] = execution.output_path(NOTEBOOK_SUFFIX)


def _error(kind: str, ename: str, evalue: str, *, cell_index: int | None = None,
           execution_count: int | None = None, source_first_line: str = "") -> dict[str, Any]:
    """The manifest's record of what went wrong in one execution."""
    return {
        "kind": kind,
        "cell_index": cell_index,
        "execution_count": execution_count,
        "ename": ename,
        "evalue": evalue,
        "source_first_line": source_first_line,
    }


def run_execution(
    execution: Execution,
    pack_dir: str | Path,
    *,
    started: Callable[[Execution], None] | None = None,
    exporters: Sequence[Exporter] | None = None,
) -> ExecutionResult:
    """Execute one notebook into ``pack_dir`` and export it: the unit every executor runs.

    ``started`` is called first (an executor's progress hook); ``exporters``
    defaults to every registered exporter. Never raises for a failing notebook.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from wcc_analysis.core import headline

    if started is not None:
        started(execution)
    start = time.perf_counter()
    pack_dir = Path(pack_dir)
    output = pack_dir / execution.output_path(NOTEBOOK_SUFFIX)
    output.parent.mkdir(parents=True, exist_ok=True)
    status, error, attempts = STATUS_OK, None, 0
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        attempts = attempt
        try:
            with kernel_environment():
                papermill.execute_notebook(
                    str(execution.input_path),
                    str(output),
                    parameters=dict(execution.parameters),
                    kernel_name=KERNEL_NAME,
                    cwd=str(paths.notebooks_dir()),
                    progress_bar=False,
                    log_output=False,
                    # the kernel's own start-up warnings would garble the progress display
                    extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                )
            status, error = STATUS_OK, None
            break
        except PapermillExecutionError as exc:
            status = STATUS_FAILED
            source = (exc.source or "").strip()
            error = _error(
                "cell", exc.ename, exc.evalue,
                cell_index=exc.cell_index,  # corrected below, once the notebook is read
                execution_count=exc.exec_count,
                source_first_line=source.splitlines()[0] if source else "",
            )
            break
        except (RuntimeError, TimeoutError, OSError) as exc:
            ran = not _never_started(output) and not _is_start_failure(exc)
            status = STATUS_FAILED
            error = _error("runner" if ran else "kernel", type(exc).__name__, str(exc))
            if ran or attempt == KERNEL_START_ATTEMPTS:
                break
            time.sleep(0.5 * attempt)  # the kernel did not start: try again
        except Exception as exc:  # noqa: BLE001 - one failure must never stop the others
            status = STATUS_FAILED
            error = _error("runner", type(exc).__name__, str(exc))
            break

    headline_figures: dict[str, Any] = {}
    outputs: dict[str, str] = {}
    if output.is_file():
        writing = "the executed notebook"
        try:
            nb = nbformat.read(output, as_version=4)
            if error and error["kind"] == "cell":
                error["cell_index"] = _source_cell_index(nb, error["cell_index"])
            _tidy_metadata(nb, execution)
            nbformat.write(nb, output)
            outputs[NOTEBOOK_KEY] = execution.output_path(NOTEBOOK_SUFFIX)
            headline_figures = headline.collect(nb)
            for exporter in registered_exporters() if exporters is None else exporters:
                writing = f"the {exporter.key} output ({exporter.suffix})"
                exporter.export(nb, execution, pack_dir)
                outputs[exporter.key] = execution.output_path(exporter.suffix)
        except Exception as exc:  # noqa: BLE001
            if status == STATUS_OK:
                status = STATUS_FAILED
                error = _error("runner", type(exc).__name__, f"writing {writing} failed: {exc}")
    return ExecutionResult(
        execution=execution,
        status=status,
        duration_s=time.perf_counter() - start,
        attempts=attempts,
        headline=headline_figures,
        outputs=outputs,
        error=error,
    )


def crashed_result(execution: Execution, exc: BaseException, duration: float) -> ExecutionResult:
    """The result for an execution whose executor failed around it (e.g. a worker process killed)."""
    return ExecutionResult(
        execution=execution,
        status=STATUS_FAILED,
        duration_s=duration,
        error=_error("runner", type(exc).__name__,
                     str(exc) or "".join(traceback.format_exception_only(exc)).strip()),
    )


# --------------------------------------------------------------------------- all executions


def execute(
    executions: Sequence[Execution],
    out_dir: str | Path,
    jobs: int | None = None,
    progress: Progress | None = None,
    executor: str = "process",
) -> list[ExecutionResult]:
    """Run every execution into ``out_dir`` (``<service>/<notebook>.ipynb`` plus one file per exporter).

    ``executor`` names a registered executor (:func:`~wcc_analysis.run.executors.executor_names`;
    ParameterError for an unknown one). At most ``jobs`` run at once (default:
    the number of cores). Results come back in the order of ``executions``;
    this never raises for a failing notebook.
    """
    from wcc_analysis.run.executors import get_executor  # executors import this module

    backend = get_executor(executor)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not executions:
        return []
    return backend.run(executions, out_dir, jobs, progress)


__all__ = [
    "ExecutionResult",
    "Progress",
    "crashed_result",
    "execute",
    "prepare_data",
    "run_execution",
]
