"""Execute notebook runs: one papermill execution per service × notebook.

:mod:`wcc_analysis.planning` makes the list of executions. ``execute`` runs them in parallel,
one worker process each (a ``ProcessPoolExecutor``), and converts every executed
notebook to HTML inside the same worker. The runner knows nothing about any one
analysis: it reads only the headline figures a notebook recorded
(:mod:`wcc_analysis.headline`).

A failing notebook never stops the others: its result has status ``"failed"``,
the failing cell and the error, and its executed notebook and HTML are still
written so the reader sees where it broke. A kernel that fails to *start*
(rare when several start at once) is retried, up to three attempts in all.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import sys
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from wcc_analysis.core import paths
from wcc_analysis.run.planning import Execution

KERNEL_NAME = "python3"
#: Tag papermill gives the cell it injects with the run's parameters.
INJECTED_TAG = "injected-parameters"
#: Tag papermill gives the markdown cells it adds to point at a failing cell.
ERROR_MARKER_TAG = "papermill-error-cell-tag"

STATUS_OK = "ok"
STATUS_FAILED = "failed"


# --------------------------------------------------------------------------- data


@dataclass
class ExecutionResult:
    """What happened to one execution. ``error`` is None unless status is ``"failed"``.

    ``error`` keys: ``kind`` ("cell": a cell raised; "kernel": the kernel did not
    start, twice; "runner": anything else), ``cell_index`` (0-based position of
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


# --------------------------------------------------------------------------- worker side

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{#- Self-contained: no scripts fetched from a CDN (require.js, MathJax, mermaid). -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

_exporters: dict[bool, Any] = {}
_events = None  # a multiprocessing queue, set in each worker by _init_worker


def _exporter(reader: bool):
    """An HTMLExporter, built once per worker process (template loading is not free)."""
    if reader not in _exporters:
        from jinja2 import DictLoader
        from nbconvert import HTMLExporter
        from traitlets.config import Config as TraitletsConfig

        c = TraitletsConfig()
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = {INJECTED_TAG} if reader else set()
        options = dict(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True) if reader else {}
        _exporters[reader] = HTMLExporter(
            config=c,
            extra_loaders=[DictLoader({"wcc_pack.html.j2": _TEMPLATE})],
            template_file="wcc_pack.html.j2",
            embed_images=True,
            **options,
        )
    return _exporters[reader]


def write_html(nb, execution: Execution, pack_dir: Path) -> None:
    """Reader HTML (no code, no parameters cell) and code HTML beside the .ipynb."""
    title = f"{execution.notebook_title} — {execution.service_name}"
    for reader, key in ((True, "html"), (False, "code_html")):
        body, _ = _exporter(reader).from_notebook_node(nb, resources={"metadata": {"name": title}})
        target = pack_dir / execution.outputs[key]
        target.write_text(body, encoding="utf-8")


def _init_worker(root: str, events) -> None:
    global _events
    os.environ[paths.HOME_ENV] = root
    paths.project_root.cache_clear()
    _events = events


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
        meta["output_path"] = execution.outputs["ipynb"]


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


def run_execution(execution: Execution, pack_dir: str | Path, *, notify: bool = True) -> ExecutionResult:
    """Execute one notebook into ``pack_dir`` and convert it to HTML (runs in a worker process)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from wcc_analysis.core import headline

    if notify and _events is not None:
        _events.put(execution.key)
    start = time.perf_counter()
    pack_dir = Path(pack_dir)
    output = pack_dir / execution.outputs["ipynb"]
    output.parent.mkdir(parents=True, exist_ok=True)
    status, error, attempts = STATUS_OK, None, 0
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        attempts = attempt
        try:
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
            started = not _never_started(output) and not _is_start_failure(exc)
            status = STATUS_FAILED
            error = _error("runner" if started else "kernel", type(exc).__name__, str(exc))
            if started or attempt == KERNEL_START_ATTEMPTS:
                break
            time.sleep(0.5 * attempt)  # the kernel did not start: try again
        except Exception as exc:  # noqa: BLE001 - one failure must never stop the others
            status = STATUS_FAILED
            error = _error("runner", type(exc).__name__, str(exc))
            break

    headline_figures: dict[str, Any] = {}
    outputs: dict[str, str] = {}
    if output.is_file():
        try:
            nb = nbformat.read(output, as_version=4)
            if error and error["kind"] == "cell":
                error["cell_index"] = _source_cell_index(nb, error["cell_index"])
            _tidy_metadata(nb, execution)
            nbformat.write(nb, output)
            outputs["ipynb"] = execution.outputs["ipynb"]
            headline_figures = headline.collect(nb)
            write_html(nb, execution, pack_dir)
            outputs["html"] = execution.outputs["html"]
            outputs["code_html"] = execution.outputs["code_html"]
        except Exception as exc:  # noqa: BLE001
            if status == STATUS_OK:
                status = STATUS_FAILED
                error = _error("runner", type(exc).__name__, f"writing the HTML failed: {exc}")
    return ExecutionResult(
        execution=execution,
        status=status,
        duration_s=time.perf_counter() - start,
        attempts=attempts,
        headline=headline_figures,
        outputs=outputs,
        error=error,
    )


# --------------------------------------------------------------------------- parent side


def _mp_context():
    # fork is fastest (workers inherit papermill and nbconvert already imported) and
    # safe here: every worker is forked at the first submit, before any progress
    # display thread exists (ProcessPoolExecutor launches all "fork" workers at once).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")


def _crashed(execution: Execution, exc: BaseException, duration: float) -> ExecutionResult:
    return ExecutionResult(
        execution=execution,
        status=STATUS_FAILED,
        duration_s=duration,
        error=_error("runner", type(exc).__name__,
                     str(exc) or "".join(traceback.format_exception_only(exc)).strip()),
    )


def execute(
    executions: Sequence[Execution],
    out_dir: str | Path,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> list[ExecutionResult]:
    """Run every execution into ``out_dir`` (``<service>/<notebook>.ipynb|.html|.code.html``).

    At most ``jobs`` run at once (default: the number of cores). Results come back
    in the order of ``executions``; this never raises for a failing notebook.
    """
    import nbconvert  # noqa: F401 - imported once here so forked workers inherit it
    import papermill  # noqa: F401

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not executions:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(executions)))
    started_cb = getattr(progress, "started", None)
    finished_cb = getattr(progress, "finished", None)

    ctx = _mp_context()
    events = ctx.Queue()
    by_key = {ex.key: ex for ex in executions}
    announced: set[str] = set()
    results: dict[str, ExecutionResult] = {}
    t0 = time.perf_counter()

    def announce(key: str) -> None:
        if key not in announced:
            announced.add(key)
            if started_cb:
                started_cb(by_key[key])

    def drain() -> None:
        while True:
            try:
                announce(events.get_nowait())
            except queue_module.Empty:
                return

    root = str(paths.project_root())
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(root, events)
    ) as pool:
        pending: dict[Future, Execution] = {
            pool.submit(run_execution, ex, str(out_dir)): ex for ex in executions
        }
        while pending:
            done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            drain()
            for future in done:
                ex = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - e.g. a worker killed
                    result = _crashed(ex, exc, time.perf_counter() - t0)
                results[ex.key] = result
                announce(ex.key)
                if finished_cb:
                    finished_cb(result)
    events.close()
    return [results[ex.key] for ex in executions]


__all__ = [
    "ExecutionResult",
    "execute",
    "prepare_data",
    "run_execution",
]
