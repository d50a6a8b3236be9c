"""Execution backends: how a run's executions are spread over processes.

An :class:`Executor` runs a list of executions, each with
:func:`~wcc_analysis.run.runner.run_execution`, and returns their results in
the order given, never raising for a failing notebook. Executors are registered
by name; :func:`~wcc_analysis.run.runner.execute` and ``wcc-analysis run
--executor NAME`` pick one with :func:`get_executor`:

- ``"process"`` (the default): a pool of worker processes (fork where available),
  ``jobs`` notebooks at a time;
- ``"serial"``: one after another in this process, for debugging and for
  environments where forking is unwelcome.

A new backend is one subclass of :class:`Executor` with a ``name``, decorated
with :func:`register_executor`. A Dask backend (planned) would be such a class in
its own module, ``wcc_analysis/run/dask_executor.py``, imported at the end of this
one, and importing ``dask.distributed`` only inside its ``run``; none exists yet.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from wcc_analysis.core import paths
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run.exporters import Exporter, registered_exporters
from wcc_analysis.run.planning import Execution
from wcc_analysis.run.runner import ExecutionResult, Progress, crashed_result, run_execution


class Executor(ABC):
    """A way to run executions. One instance per run (:func:`get_executor` makes a new one)."""

    name: ClassVar[str]
    description: ClassVar[str]

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
    ) -> list[ExecutionResult]:
        """Run every execution into ``out_dir``; one result each, in the order of ``executions``.

        ``jobs`` is the most that may run at once (None: the number of cores).
        ``progress.started`` is called for each execution before its
        ``progress.finished`` (both optional). Never raises for a failing notebook.
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


def get_executor(name: str) -> Executor:
    """A new instance of the executor registered as ``name``; ParameterError naming the known ones."""
    try:
        cls = _EXECUTORS[name]
    except KeyError:
        raise ParameterError(
            f"unknown executor {name!r}. Known executors: {', '.join(executor_names())}."
        ) from None
    return cls()


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

#: The running pool's event queue, inside a worker process only (never set in the
#: parent). A multiprocessing queue cannot travel with each task, so each worker
#: receives it once, from ProcessExecutor.run, when it starts (_init_worker).
_worker_events: Any = None


def _init_worker(root: str, events: Any) -> None:
    global _worker_events
    os.environ[paths.HOME_ENV] = root
    paths.project_root.cache_clear()
    _worker_events = events


def _tell_started(execution: Execution) -> None:
    _worker_events.put(execution.key)


def _work(execution: Execution, out_dir: str, exporters: Sequence[Exporter]) -> ExecutionResult:
    """One task in a worker process."""
    return run_execution(execution, out_dir, started=_tell_started, exporters=exporters)


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
    description = "a pool of worker processes (fork where available), --jobs notebooks at a time"

    def __init__(self) -> None:
        self.events: Any = None  # the run's multiprocessing queue, while run() is running

    def run(
        self,
        executions: Sequence[Execution],
        out_dir: Path,
        jobs: int | None,
        progress: Progress | None,
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

        try:
            with ProcessPoolExecutor(
                max_workers=self.at_once(jobs, len(executions)),
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(str(paths.project_root()), self.events),
            ) as pool:
                pending: dict[Future, Execution] = {
                    pool.submit(_work, ex, str(out_dir), exporters): ex for ex in executions
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
    ) -> list[ExecutionResult]:
        started, finished = _callbacks(progress)
        results = []
        exporters = registered_exporters()  # one snapshot for the whole run, as the process executor takes
        t0 = time.perf_counter()
        with _project_home(str(paths.project_root())):
            for ex in executions:
                try:
                    result = run_execution(ex, out_dir, started=started, exporters=exporters)
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
