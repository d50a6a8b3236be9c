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
(rare when several start at once) is retried, up to :data:`KERNEL_START_ATTEMPTS`
attempts in all; nothing else is retried.

Limits: no cell may run longer than ``timeout`` seconds (``wcc-analysis run
--timeout``, default :data:`DEFAULT_TIMEOUT_S`); papermill stops it (error kind
``"timeout"``, naming the cell and the limit). A watchdog thread guards the
execution as a whole: if papermill has not stopped a kernel
:data:`WATCHDOG_GRACE_S` seconds after it should have (a kernel that never
answers), the watchdog kills the kernel. A kernel that dies while a cell runs
(killed, out of memory) is reported as kind ``"kernel_died"`` and not retried.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from wcc_analysis.core import paths
from wcc_analysis.run.exporters import INJECTED_TAG, NOTEBOOK_KEY, NOTEBOOK_SUFFIX, Exporter, registered_exporters
from wcc_analysis.run.inputs_read import KernelFacts, read_facts, signatures
from wcc_analysis.run.planning import Execution
from wcc_analysis.run.warm_kernels import (
    FACTS_PREFIX,
    KERNEL_MPLBACKEND,
    KERNEL_NAME,
    KernelPool,
    WarmKernel,
    kernel_arguments,
    kernel_env,
    new_facts_file,
)


@contextlib.contextmanager
def kernel_environment(facts: Path | None = None) -> Iterator[None]:
    """Start kernels with :func:`~wcc_analysis.run.warm_kernels.kernel_env` (the inline matplotlib backend and,
    given, the facts file); the runner's own environment is restored afterwards."""
    wanted = kernel_env(facts) if facts is not None else {"MPLBACKEND": KERNEL_MPLBACKEND}
    before = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


#: Tag papermill gives the markdown cells it adds to point at a failing cell.
ERROR_MARKER_TAG = "papermill-error-cell-tag"

STATUS_OK = "ok"
STATUS_FAILED = "failed"


# --------------------------------------------------------------------------- data


@dataclass
class ExecutionResult:
    """What happened to one execution. ``error`` is None unless status is ``"failed"``.

    ``error`` keys: ``kind`` ("cell": a cell raised; "kernel": the kernel did not
    start, after :data:`KERNEL_START_ATTEMPTS` attempts; "timeout": a cell ran longer than the
    limit, also recorded as ``timeout_s``; "kernel_died": the kernel died while a cell ran;
    "runner": anything else), ``cell_index`` (0-based position of
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
    #: Where the time went (:func:`time_split`), in seconds; {} for an execution that was reused.
    timing: dict[str, Any] = field(default_factory=dict)
    #: What the kernel read, ``{"kind:path": signature}`` (:mod:`wcc_analysis.run.inputs_read`); None if unknown.
    inputs_read: dict[str, str] | None = None
    #: For an execution reused from an earlier run (:mod:`wcc_analysis.run.reuse`): that run, else None.
    reused_from: dict[str, Any] | None = None
    #: :func:`wcc_analysis.run.reuse.reuse_key` of the execution (set by the pack builder).
    reuse_key: str | None = None

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
            "timing": dict(self.timing),
            "inputs_read": None if self.inputs_read is None else dict(self.inputs_read),
            "reused_from": self.reused_from,
            "reuse_key": self.reuse_key,
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

KERNEL_START_ATTEMPTS = 2  # one retry, for a kernel that failed to start only
_START_FAILURE_WORDS = (
    "kernel_info", "kernel died", "address already in use", "failed to start", "didn't respond in",
)
#: The default for ``timeout`` (``wcc-analysis run --timeout``): the longest one cell may run, in seconds.
DEFAULT_TIMEOUT_S = 1800.0
#: How long papermill waits for a kernel to start and answer (its own default).
KERNEL_START_TIMEOUT_S = 60
#: How long after papermill should have stopped a kernel (start-up or a cell over its limit) the watchdog kills it.
WATCHDOG_GRACE_S = 15.0


def check_timeout(timeout: float | None) -> float:
    """``timeout`` as a number of seconds (None: :data:`DEFAULT_TIMEOUT_S`); ParameterError unless it is > 0."""
    from wcc_analysis.core.errors import ParameterError

    if timeout is None:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ParameterError(
            f"--timeout must be a number of seconds greater than 0, not {timeout!r}. What to do: give the longest "
            f"one cell may run, e.g. --timeout {DEFAULT_TIMEOUT_S:g} (the default)."
        )
    return value


def _is_start_failure(exc: BaseException) -> bool:
    """True for the errors a kernel gives when it never came up (not a failure inside a cell)."""
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(word in text for word in _START_FAILURE_WORDS)


def _died_while_running(exc: BaseException, cell_started: bool) -> bool:
    """True if ``exc`` says the kernel died after it had started running cells (never retried)."""
    text = f"{type(exc).__name__}: {exc}".lower()
    if not cell_started or not ("kernel died" in text or type(exc).__name__ == "DeadKernelError"):
        return False
    return not any(word in text for word in _START_FAILURE_WORDS if word != "kernel died")


# --------------------------------------------------------------------------- processes (kernels, workers)


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state, ppid, …), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    return text[text.rindex(")") + 2:].split()


def _has_proc() -> bool:
    return Path("/proc/self/stat").is_file()


def descendants(pid: int) -> list[int]:
    """Every live descendant of process ``pid`` (children first); [] where this cannot be found out."""
    parents: dict[int, list[int]] = {}
    if _has_proc():
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                fields = _proc_stat(int(entry.name))
                if fields and fields[0] != "Z":
                    parents.setdefault(int(fields[1]), []).append(int(entry.name))
    else:
        try:
            import psutil
        except ImportError:
            return []
        try:
            return [p.pid for p in psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            return []
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(0), []):
            found.append(child)
            todo.append(child)
    return found


def process_identity(pid: int) -> str | None:
    """A token that differs between two processes that had the same pid (start time), or None."""
    fields = _proc_stat(pid)
    if fields is not None:
        return f"proc:{fields[19]}" if fields[0] != "Z" else None
    try:
        import psutil

        proc = psutil.Process(pid)
        return None if proc.status() == psutil.STATUS_ZOMBIE else f"psutil:{proc.create_time():.2f}"
    except Exception:  # noqa: BLE001 - psutil missing, or no such process
        return None


def process_alive(pid: int, identity: str | None = None) -> bool:
    """True if process ``pid`` exists (not a zombie) and, given its :func:`process_identity`, is that process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user's
    except OSError:
        return False
    fields = _proc_stat(pid)
    if fields is not None:
        if fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
            return False
        now: str | None = f"proc:{fields[19]}"
    else:
        now = process_identity(pid)
    if identity is None or now is None or identity.split(":")[0] != now.split(":")[0]:
        return True  # cannot tell it apart from another: assume it is the one
    return identity == now


def remove_orphaned_facts(folder: Path | None = None) -> int:
    """Delete the facts files whose maker has ended: a run killed outright (SIGKILL, out of memory) cannot delete
    its own. Files of running processes, and other users' files, are left. Returns how many were deleted."""
    removed = 0
    for path in Path(folder or tempfile.gettempdir()).glob(f"{FACTS_PREFIX}*-*.jsonl"):
        maker = path.name[len(FACTS_PREFIX):].split("-", 1)[0]
        if maker.isdigit() and not process_alive(int(maker)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


def _is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            import psutil

            return any("ipykernel" in part for part in psutil.Process(pid).cmdline())
        except Exception:  # noqa: BLE001
            return False


def kernels_of(pid: int | None = None) -> set[int]:
    """The Jupyter kernels started by process ``pid`` (default: this one) or its descendants."""
    return {p for p in descendants(os.getpid() if pid is None else pid) if _is_kernel(p)}


def kill_processes(pids: Sequence[int] | set[int], wait_s: float = 3.0) -> None:
    """SIGKILL every process in ``pids`` and wait (at most ``wait_s``) until they are gone."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + wait_s  # a killed child is a zombie until its owner (Popen) reaps it: gone
    for pid in pids:
        while process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)


class _Watchdog:
    """Guards one papermill call as a whole: kills the kernel if papermill has not stopped it in time.

    papermill waits ``KERNEL_START_TIMEOUT_S`` for a kernel to start and ``timeout`` for each cell; the
    watchdog allows :data:`WATCHDOG_GRACE_S` more for each, then kills the kernel(s) this call started
    (papermill then raises, and the execution is reported as a timeout). ``cell_index`` is papermill's
    index of the cell that started last (the injected parameters cell counted), None before the first.
    """

    def __init__(self, timeout: float, own: int | None = None) -> None:
        self.timeout = timeout
        self.before = kernels_of()  # kernels that are not this call's (serial executor: another's; a spare)
        self.own = {own} if own else set()  # a pooled kernel this call uses, started before it
        self.cell_index: int | None = None
        self.fired = False
        self._deadline = time.monotonic() + KERNEL_START_TIMEOUT_S + WATCHDOG_GRACE_S
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="wcc-analysis-watchdog", daemon=True)

    def cell_started(self, cell: Any = None, cell_index: int | None = None, **_: Any) -> None:
        """nbclient's ``on_cell_start`` hook."""
        self.cell_index = cell_index
        self._deadline = time.monotonic() + self.timeout + WATCHDOG_GRACE_S

    def kill_kernels(self) -> None:
        kill_processes((kernels_of() - self.before) | self.own)

    def _watch(self) -> None:
        while not self._stop.wait(0.25):
            if time.monotonic() > self._deadline:
                self.fired = True
                self.kill_kernels()
                self._deadline = time.monotonic() + WATCHDOG_GRACE_S

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


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


def _stopped_error(kind: str, timeout: float) -> dict[str, Any]:
    """A timeout or a dead kernel: the cell is filled in from the executed notebook (:func:`_name_the_cell`)."""
    if kind == "timeout":
        error = _error(kind, "Timeout", f"a cell was still running after {timeout:g} s, the limit (--timeout); "
                       "the notebook was stopped there")
        error["timeout_s"] = timeout
        return error
    return _error(kind, "KernelDied", "the kernel died while a cell was running (it was killed or crashed, e.g. "
                  "out of memory); it was not retried")


def _name_the_cell(error: dict[str, Any], nb, papermill_index: int | None, source: Path) -> None:
    """Put the cell that was running when a timeout or a dead kernel stopped the notebook into ``error``."""
    if papermill_index is None or not 0 <= papermill_index < len(nb.cells):
        return
    cell = nb.cells[papermill_index]
    index = _source_cell_index(nb, papermill_index)
    text = (cell.get("source") or "").strip()
    error["cell_index"] = index
    error["execution_count"] = cell.get("execution_count")
    error["source_first_line"] = text.splitlines()[0] if text else ""
    shown = f" (In [{cell['execution_count']}])" if cell.get("execution_count") is not None else ""
    where = f"cell {index}{shown} of notebooks/{source.name}"
    if error["kind"] == "timeout":
        error["evalue"] = (f"{where} was still running after {error['timeout_s']:g} s, the limit (--timeout); "
                           "the notebook was stopped there")
    else:
        error["evalue"] = (f"the kernel died while {where} was running (it was killed or crashed, e.g. out of "
                           "memory); it was not retried")


def _seconds_between(earlier: str | None, later: str | None) -> float | None:
    from datetime import datetime

    try:
        return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()
    except (TypeError, ValueError):
        return None


def time_split(nb: Any, facts: KernelFacts, *, total: float, html_export: float, warm: bool,
               forked: bool = False) -> dict[str, Any]:
    """Where one execution's ``total`` seconds went, from papermill's timings and the kernel's facts.

    ``kernel_start_s``: papermill's start to the first cell (less the imports, when the kernel imported the stack
    on the critical path); ``imports_s``: the kernel importing the stack (measured in the kernel; off the critical
    path when ``warm``, a pooled kernel started before it was needed; about 0 when ``forked``, a kernel forked from
    the template that imported the stack once for all); ``data_loading_s``: cells reading tables and
    the council's files; ``cell_execution_s``: the rest of the cells; ``html_export_s``; ``runner_overhead_s``:
    what is left of ``total`` (papermill reading, parameterising and writing the notebook, this runner's reading
    back, tidying, headline figures and facts). The parts on the critical path add up to ``total``.
    """
    meta = nb.metadata.get("papermill", {}) if nb is not None else {}
    cells = [c for c in (nb.cells if nb is not None else []) if c.cell_type == "code"]
    durations = [c.metadata.get("papermill", {}).get("duration") or 0.0 for c in cells]
    first_start = next((c.metadata.get("papermill", {}).get("start_time") for c in cells
                        if c.metadata.get("papermill", {}).get("start_time")), None)
    to_first_cell = _seconds_between(meta.get("start_time"), first_start) or 0.0
    imports = facts.times.get("imports", 0.0)
    loading = min(facts.times.get("data_loading", 0.0), sum(durations))
    kernel_start = to_first_cell if warm else max(0.0, to_first_cell - imports)
    on_path = kernel_start + (0.0 if warm else imports) + sum(durations) + html_export
    return {
        "total_s": round(total, 3),
        "kernel_start_s": round(kernel_start, 3),
        "imports_s": round(imports, 3),
        "imports_on_critical_path": not warm,
        "data_loading_s": round(loading, 3),
        "cell_execution_s": round(sum(durations) - loading, 3),
        "html_export_s": round(html_export, 3),
        "runner_overhead_s": round(max(0.0, total - on_path), 3),
        "warm_kernel": warm,
        "forked_kernel": forked,
    }


def run_execution(
    execution: Execution,
    pack_dir: str | Path,
    *,
    started: Callable[[Execution], None] | None = None,
    exporters: Sequence[Exporter] | None = None,
    timeout: float | None = None,
    kernels: KernelPool | None = None,
    prime: bool = False,
) -> ExecutionResult:
    """Execute one notebook into ``pack_dir`` and export it: the unit every executor runs.

    ``started`` is called first (an executor's progress hook); ``exporters``
    defaults to every registered exporter; ``timeout`` is the longest one cell
    may run, in seconds (default :data:`DEFAULT_TIMEOUT_S`). With ``kernels`` (a worker's
    :class:`~wcc_analysis.run.warm_kernels.KernelPool`) the notebook runs on the pool's spare kernel when it has
    one, and with ``prime`` the pool starts the next spare at once. Never raises for a
    failing notebook. An interrupt (KeyboardInterrupt, SystemExit) kills the
    kernel this call started before it propagates.
    """
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    from wcc_analysis.core import headline

    timeout = check_timeout(timeout)
    if started is not None:
        started(execution)
    start = time.perf_counter()
    pack_dir = Path(pack_dir)
    output = pack_dir / execution.output_path(NOTEBOOK_SUFFIX)
    output.parent.mkdir(parents=True, exist_ok=True)
    status, error, attempts = STATUS_OK, None, 0
    running: int | None = None  # papermill's index of the cell a timeout or a dead kernel stopped
    executed = None  # the notebook papermill returned
    facts_file: Path | None = None
    warm: WarmKernel | None = None
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        attempts = attempt
        if facts_file is not None:
            facts_file.unlink(missing_ok=True)
        warm = kernels.take() if kernels is not None and attempt == 1 else None  # a retry starts a fresh kernel
        if kernels is not None and prime:
            kernels.prime()  # the next notebook's kernel boots while this one runs
        facts_file = warm.facts if warm is not None else new_facts_file()
        watchdog = _Watchdog(timeout, own=warm.pid if warm is not None else None)
        try:
            with kernel_environment(facts_file), watchdog:
                try:
                    executed = papermill.execute_notebook(
                        str(execution.input_path),
                        str(output),
                        parameters=dict(execution.parameters),
                        kernel_name=KERNEL_NAME,
                        cwd=str(paths.notebooks_dir()),
                        progress_bar=False,
                        log_output=False,
                        start_timeout=KERNEL_START_TIMEOUT_S,
                        execution_timeout=timeout,
                        on_cell_start=watchdog.cell_started,
                        extra_arguments=kernel_arguments(),
                        **({"km": warm.manager} if warm is not None else {}),
                    )
                except BaseException as exc:
                    if not isinstance(exc, Exception):  # interrupted: no kernel may outlive this call
                        watchdog.kill_kernels()
                    raise
                finally:
                    if warm is not None:
                        warm.shutdown()  # papermill leaves a kernel it was given running
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
        except CellTimeoutError:
            status, error, running = STATUS_FAILED, _stopped_error("timeout", timeout), watchdog.cell_index
            break
        except (RuntimeError, TimeoutError, OSError) as exc:
            status = STATUS_FAILED
            if watchdog.fired and watchdog.cell_index is not None:
                error, running = _stopped_error("timeout", timeout), watchdog.cell_index
                break
            if _died_while_running(exc, watchdog.cell_index is not None):
                error, running = _stopped_error("kernel_died", timeout), watchdog.cell_index
                break
            ran = not _never_started(output) and not _is_start_failure(exc)
            error = _error("runner" if ran else "kernel", type(exc).__name__, str(exc))
            if ran or attempt == KERNEL_START_ATTEMPTS:
                break
            time.sleep(0.5 * attempt)  # the kernel did not start: try again
        except Exception as exc:  # noqa: BLE001 - one failure must never stop the others
            status = STATUS_FAILED
            error = _error("runner", type(exc).__name__, str(exc))
            break

    facts = read_facts(facts_file) if facts_file is not None else KernelFacts()
    if facts_file is not None:
        facts_file.unlink(missing_ok=True)
    headline_figures: dict[str, Any] = {}
    outputs: dict[str, str] = {}
    inputs_read: dict[str, str] | None = None
    nb = None
    html_export = 0.0
    if output.is_file():
        writing = "the executed notebook"
        try:
            nb = executed if executed is not None and status == STATUS_OK else nbformat.read(output, as_version=4)
            if error and error["kind"] == "cell":
                error["cell_index"] = _source_cell_index(nb, error["cell_index"])
            elif error and error["kind"] in ("timeout", "kernel_died"):
                _name_the_cell(error, nb, running, execution.input_path)
            _tidy_metadata(nb, execution)
            nbformat.write(nb, output)
            outputs[NOTEBOOK_KEY] = execution.output_path(NOTEBOOK_SUFFIX)
            headline_figures = headline.collect(nb)
            export_start = time.perf_counter()
            for exporter in registered_exporters() if exporters is None else exporters:
                writing = f"the {exporter.key} output ({exporter.suffix})"
                exporter.export(nb, execution, pack_dir)
                outputs[exporter.key] = execution.output_path(exporter.suffix)
            html_export = time.perf_counter() - export_start
        except Exception as exc:  # noqa: BLE001
            if status == STATUS_OK:
                status = STATUS_FAILED
                error = _error("runner", type(exc).__name__, f"writing {writing} failed: {exc}")
    if status == STATUS_OK and facts.complete:
        inputs_read = signatures(facts.reads, paths.project_root())
    total = time.perf_counter() - start
    return ExecutionResult(
        execution=execution,
        status=status,
        duration_s=total,
        attempts=attempts,
        headline=headline_figures,
        outputs=outputs,
        error=error,
        timing=time_split(nb, facts, total=total, html_export=html_export, warm=warm is not None,
                          forked=warm is not None and warm.forked),
        inputs_read=inputs_read,
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
    timeout: float | None = None,
    executor_options: Mapping[str, Any] | None = None,
) -> list[ExecutionResult]:
    """Run every execution into ``out_dir`` (``<service>/<notebook>.ipynb`` plus one file per exporter).

    ``executor`` names a registered executor (:func:`~wcc_analysis.run.executors.executor_names`;
    ParameterError for an unknown one), made with ``executor_options`` (e.g. ``{"scheduler": address}``
    for ``"dask"``). At most ``jobs`` run at once (default:
    the number of cores); no cell may run longer than ``timeout`` seconds (default
    :data:`DEFAULT_TIMEOUT_S`; ParameterError unless > 0). Results come back in the
    order of ``executions``; this never raises for a failing notebook.
    """
    from wcc_analysis.run.executors import get_executor  # executors import this module

    backend = get_executor(executor, executor_options)
    timeout = check_timeout(timeout)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not executions:
        return []
    remove_orphaned_facts()  # left by an earlier run that was killed outright
    return backend.run(executions, out_dir, jobs, progress, timeout=timeout)


__all__ = [
    "DEFAULT_TIMEOUT_S",
    "ExecutionResult",
    "Progress",
    "check_timeout",
    "crashed_result",
    "descendants",
    "execute",
    "kernels_of",
    "kill_processes",
    "prepare_data",
    "process_alive",
    "process_identity",
    "remove_orphaned_facts",
    "run_execution",
]
