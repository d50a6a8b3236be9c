"""Execution backends: how a run's executions are spread over processes.

An :class:`Executor` runs a list of executions, each with
:func:`~wcc_analysis.run.runner.run_execution`, and returns their results in
the order given, never raising for a failing notebook. Executors are registered
by name; :func:`~wcc_analysis.run.runner.execute` and ``wcc-analysis run
--executor NAME`` pick one with :func:`get_executor`:

- ``"process"`` (the default): a pool of worker processes (fork where available),
  ``jobs`` notebooks at a time;
- ``"serial"``: one after another in this process, for debugging and for
  environments where forking is unwelcome;
- ``"dask"`` (:mod:`wcc_analysis.run.dask_executor`, needs ``pip install ".[dask]"``):
  tasks on a Dask cluster, a LocalCluster of ``jobs`` workers made for the run or
  the running cluster at ``wcc-analysis run --scheduler ADDRESS``; each task sends
  its output files back, so workers need the project but no shared pack folder.

All stop cleanly when interrupted (Ctrl-C, KeyboardInterrupt): every worker
process and every kernel they started is killed before the interrupt propagates
(on a remote Dask cluster the tasks are cancelled; see that module).
On Linux a process-pool worker also dies with the process that started it (prctl
PR_SET_PDEATHSIG), even when that process is killed with SIGKILL, and a kernel
dies within a second of its worker (ipykernel watches its parent process).

A new backend is one subclass of :class:`Executor` with a ``name``, decorated
with :func:`register_executor`; keyword options of its ``__init__`` are listed in
``options``. The Dask backend is such a class in its own module, imported at the
end of this one, that imports ``dask`` and ``distributed`` only inside its methods.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.util
import os
import queue as queue_module
import signal
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from wcc_analysis.core import paths
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run.exporters import Exporter, registered_exporters
from wcc_analysis.run.planning import Execution
from wcc_analysis.run.runner import (
    ExecutionResult,
    Progress,
    crashed_result,
    descendants,
    kill_processes,
    run_execution,
)
from wcc_analysis.run.warm_kernels import KernelPool


class Executor(ABC):
    """A way to run executions. One instance per run (:func:`get_executor` makes a new one)."""

    name: ClassVar[str]
    description: ClassVar[str]
    #: The keyword arguments ``__init__`` takes (``wcc-analysis run`` options of the same names), if any.
    options: ClassVar[tuple[str, ...]] = ()

    def at_once(self, jobs: int | None, count: int) -> int:
        """How many of ``count`` executions run at the same time for ``jobs`` (None: the cores)."""
        return max(1, min(jobs or os.cpu_count() or 1, count))

    @abstractmethod
    def run(
        self,
        executions: Sequence[Execution],
        out_dir: Path,
        jobs: int | None,
        progress: Progress | None,
        *,
        timeout: float | None = None,
    ) -> list[ExecutionResult]:
        """Run every execution into ``out_dir``; one result each, in the order of ``executions``.

        ``jobs`` is the most that may run at once (None: the number of cores).
        ``progress.started`` is called for each execution before its
        ``progress.finished`` (both optional); ``timeout`` is the longest one cell may
        run (None: the runner's default). Never raises for a failing notebook; an
        interrupt stops every process the run started, then propagates.
        """


# --------------------------------------------------------------------------- registry

_EXECUTORS: dict[str, type[Executor]] = {}
_ExecutorClass = TypeVar("_ExecutorClass", bound=type[Executor])


def register_executor(cls: _ExecutorClass) -> _ExecutorClass:
    """Class decorator: make ``cls`` available as ``cls.name`` (replacing one of that name)."""
    _EXECUTORS[cls.name] = cls
    return cls


def registered_executors() -> dict[str, type[Executor]]:
    """Every registered executor class by name, in registration order."""
    return dict(_EXECUTORS)


def executor_names() -> list[str]:
    """The registered executors' names, in registration order."""
    return list(_EXECUTORS)


def get_executor(name: str, options: Mapping[str, Any] | None = None) -> Executor:
    """A new instance of the executor registered as ``name``, made with ``options`` (its keyword arguments).

    ParameterError naming the known executors for an unknown name, or naming the options an executor takes
    for one it does not (e.g. ``--scheduler`` for any executor but ``dask``).
    """
    try:
        cls = _EXECUTORS[name]
    except KeyError:
        raise ParameterError(
            f"unknown executor {name!r}. Known executors: {', '.join(executor_names())}."
        ) from None
    given = {k: v for k, v in (options or {}).items() if v is not None}
    unknown = sorted(set(given) - set(cls.options))
    if unknown:
        takes = ", ".join(f"--{o}" for o in cls.options) or "no options"
        raise ParameterError(
            f"the {name!r} executor does not take {', '.join('--' + o for o in unknown)} (it takes {takes}). "
            "What to do: leave the option out, or choose the executor that takes it."
        )
    return cls(**given)


# --------------------------------------------------------------------------- shared helpers


def _ignore(_: Any) -> None:
    pass


def _callbacks(progress: Progress | None) -> tuple[Callable[[Execution], None], Callable[[ExecutionResult], None]]:
    """``progress``'s started and finished methods, or no-ops where it has none."""
    return getattr(progress, "started", None) or _ignore, getattr(progress, "finished", None) or _ignore


@contextmanager
def _project_home(root: str) -> Iterator[None]:
    """Set ``WCC_ANALYSIS_HOME`` to ``root`` while inside, so kernels find the same project."""
    before = os.environ.get(paths.HOME_ENV)
    os.environ[paths.HOME_ENV] = root
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(paths.HOME_ENV, None)
        else:
            os.environ[paths.HOME_ENV] = before


# --------------------------------------------------------------------------- process pool

#: Environment variable: "0" runs the process executor without warm kernels (to compare, e.g. in the benchmark).
WARM_KERNELS_ENV = "WCC_ANALYSIS_WARM_KERNELS"

#: The running pool's event queue, inside a worker process only (never set in the
#: parent). A multiprocessing queue cannot travel with each task, so each worker
#: receives it once, from ProcessExecutor.run, when it starts (_init_worker).
_worker_events: Any = None


#: prctl(2) option: the signal a process gets when the thread that created it exits.
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process end when ``parent_pid`` does, however that one ends.

    Linux: the kernel sends SIGKILL (PR_SET_PDEATHSIG); elsewhere, or if prctl is not
    available, a daemon thread checks the parent once a second. Either way, a parent
    already gone before this ran ends this process at once. (PDEATHSIG fires when the
    parent *thread* that forked this worker ends: ProcessPoolExecutor forks its workers
    in the thread that submits, the one running ``ProcessExecutor.run``, which outlives them.)
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, name="wcc-analysis-parent-watch", daemon=True).start()


#: The worker's spare kernel (:mod:`wcc_analysis.run.warm_kernels`), inside a worker process only.
_worker_kernels: KernelPool | None = None


def _init_worker(root: str, events: Any, parent_pid: int | None = None, warm: bool = True) -> None:
    global _worker_events, _worker_kernels
    if parent_pid is not None:
        _die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group: the parent stops the workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ[paths.HOME_ENV] = root
    paths.project_root.cache_clear()
    _worker_events = events
    if warm:
        _worker_kernels = KernelPool(paths.notebooks_dir())
        _worker_kernels.prime()  # the first notebook's kernel boots while the worker waits for its task
        # a worker that ends normally shuts its spare down; one that is killed takes it along (ipykernel exits
        # when its parent does, and _stop_pool kills every process a worker started)
        multiprocessing.util.Finalize(None, _worker_kernels.close, exitpriority=10)


def _tell_started(execution: Execution) -> None:
    _worker_events.put(execution.key)


def _work(execution: Execution, out_dir: str, exporters: Sequence[Exporter],
          timeout: float | None = None, prime: bool = False) -> ExecutionResult:
    """One task in a worker process; ``prime``: more tasks follow, so start the next spare kernel now."""
    return run_execution(execution, out_dir, started=_tell_started, exporters=exporters, timeout=timeout,
                         kernels=_worker_kernels, prime=prime)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Kill every worker of ``pool`` and every process they started (kernels), then shut the pool down."""
    workers = [p for p in (getattr(pool, "_processes", None) or {}).values() if p.pid is not None]
    doomed: list[int] = []
    for worker in workers:
        doomed += descendants(worker.pid)  # found before their worker goes: kernels, and anything they started
    kill_processes([w.pid for w in workers] + doomed)
    for worker in workers:
        with contextlib.suppress(Exception):
            worker.join(timeout=1)
    pool.shutdown(wait=False, cancel_futures=True)


def _mp_context() -> Any:
    # fork is fastest (workers inherit papermill and nbconvert already imported) and
    # safe here: every worker is forked at the first submit, before any progress
    # display thread exists (ProcessPoolExecutor launches all "fork" workers at once).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods and sys.platform != "darwin" else "spawn")


@register_executor
class ProcessExecutor(Executor):
    """A ``ProcessPoolExecutor``: ``jobs`` worker processes, each running one execution at a time.

    Workers report "started" through a queue this instance creates for the run;
    the parent turns those events, and the finished futures, into progress calls.
    """

    name = "process"
    description = ("a pool of worker processes (fork where available), --jobs notebooks at a time, each keeping a "
                   "warm kernel ready for its next notebook")

    def __init__(self) -> None:
        self.events: Any = None  # the run's multiprocessing queue, while run() is running
        #: Keep a spare kernel per worker (:mod:`wcc_analysis.run.warm_kernels`); False: papermill starts each.
        self.warm = os.environ.get(WARM_KERNELS_ENV, "1") != "0"

    def run(
        self,
        executions: Sequence[Execution],
        out_dir: Path,
        jobs: int | None,
        progress: Progress | None,
        *,
        timeout: float | None = None,
    ) -> list[ExecutionResult]:
        import nbconvert  # noqa: F401 - imported once here so forked workers inherit it
        import papermill  # noqa: F401

        started, finished = _callbacks(progress)
        ctx = _mp_context()
        self.events = ctx.Queue()
        by_key = {ex.key: ex for ex in executions}
        announced: set[str] = set()
        results: dict[str, ExecutionResult] = {}
        exporters = registered_exporters()  # the parent's registry, also under spawn
        t0 = time.perf_counter()

        def announce(key: str) -> None:
            if key not in announced:
                announced.add(key)
                started(by_key[key])

        def drain() -> None:
            while True:
                try:
                    announce(self.events.get_nowait())
                except queue_module.Empty:
                    return

        pool: ProcessPoolExecutor | None = None
        try:
            at_once = self.at_once(jobs, len(executions))
            pool = ProcessPoolExecutor(
                max_workers=at_once,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(str(paths.project_root()), self.events, os.getpid(), self.warm),
            )
            # the last `at_once` tasks start no spare kernel: no task would follow to use it
            last = len(executions) - at_once
            pending: dict[Future, Execution] = {
                pool.submit(_work, ex, str(out_dir), exporters, timeout, i < last): ex
                for i, ex in enumerate(executions)
            }
            while pending:
                done, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
                drain()
                for future in done:
                    ex = pending.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 - e.g. a worker killed
                        result = crashed_result(ex, exc, time.perf_counter() - t0)
                    results[ex.key] = result
                    announce(ex.key)
                    finished(result)
            pool.shutdown(wait=True)
        except BaseException:
            # interrupted (or the parent failed): never wait for running notebooks; stop every process now
            if pool is not None:
                _stop_pool(pool)
            raise
        finally:
            self.events.close()
            self.events = None
        return [results[ex.key] for ex in executions]


# --------------------------------------------------------------------------- serial


@register_executor
class SerialExecutor(Executor):
    """One execution after another in this process (``jobs`` is ignored)."""

    name = "serial"
    description = "one notebook after another in this process (debugging; no worker processes)"

    def at_once(self, jobs: int | None, count: int) -> int:
        return 1

    def run(
        self,
        executions: Sequence[Execution],
        out_dir: Path,
        jobs: int | None,
        progress: Progress | None,
        *,
        timeout: float | None = None,
    ) -> list[ExecutionResult]:
        started, finished = _callbacks(progress)
        results = []
        exporters = registered_exporters()  # one snapshot for the whole run, as the process executor takes
        t0 = time.perf_counter()
        with _project_home(str(paths.project_root())):
            for ex in executions:
                try:
                    result = run_execution(ex, out_dir, started=started, exporters=exporters, timeout=timeout)
                except Exception as exc:  # noqa: BLE001 - one failure must never stop the others
                    result = crashed_result(ex, exc, time.perf_counter() - t0)
                finished(result)
                results.append(result)
        return results


__all__ = [
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "executor_names",
    "get_executor",
    "register_executor",
    "registered_executors",
]


# registers the "dask" executor (dask itself is imported only when such a run starts)
from wcc_analysis.run import dask_executor as _dask_executor  # noqa: E402, F401, I001
