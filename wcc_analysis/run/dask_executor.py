"""The ``"dask"`` executor: executions as tasks on a Dask cluster (``pip install ".[dask]"``).

Without ``--scheduler`` the run starts a :class:`distributed.LocalCluster` of ``jobs`` worker processes (one
thread each) and closes it afterwards; with ``--scheduler ADDRESS`` it connects to a running cluster and closes
only its own client. Each task runs one notebook with :func:`~wcc_analysis.run.runner.run_execution` into a
temporary folder on its worker and returns the result with the bytes of every file written there; this process
writes them into the pack. So a multi-machine cluster needs no shared filesystem for the pack, only the project
(notebooks, config, data/processed) at the same path on every worker (``WCC_ANALYSIS_HOME`` is set in each task).

At most ``jobs`` tasks are in the cluster at a time: each is announced as started when it is submitted, and the
next is submitted as one finishes. Nothing is run twice by Dask (``retries=0``; a LocalCluster's scheduler also
gives up on a task at the first worker that dies running it, ``allowed-failures=0``): a worker lost mid-task
makes that execution fail (error kind ``"runner"``), the others still run. An interrupt cancels every task and,
on a LocalCluster, kills its workers and their kernels before it propagates; on a remote cluster the tasks are
cancelled, but a notebook already running there runs to its end (Dask cannot stop a running task).

Dask and distributed are imported only when a run starts, so the package works without them.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from wcc_analysis.core import paths
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run.executors import Executor, _callbacks, register_executor
from wcc_analysis.run.exporters import Exporter, registered_exporters
from wcc_analysis.run.planning import Execution
from wcc_analysis.run.runner import (
    ExecutionResult,
    Progress,
    crashed_result,
    descendants,
    kernels_of,
    kill_processes,
    run_execution,
)

#: What a task sends back: the result, and every file it wrote by path relative to the pack (POSIX).
TaskOutput = tuple[ExecutionResult, dict[str, bytes]]

INSTALL_HINT = 'pip install ".[dask]"'
#: The longest closing the client or the LocalCluster may take, in seconds (an interrupt must stop a run at once).
CLOSE_TIMEOUT_S = 5
#: How long to try to reach the scheduler at ``--scheduler``, in seconds.
CONNECT_TIMEOUT_S = 20


def require_distributed() -> None:
    """ParameterError saying how to install Dask unless ``distributed`` can be imported (it is not imported)."""
    if importlib.util.find_spec("distributed") is None:
        raise ParameterError(
            f"the 'dask' executor needs Dask, which is not installed. What to do: {INSTALL_HINT} (in the "
            "project folder), or choose another executor, e.g. --executor process."
        )


def check_scheduler(scheduler: str | None) -> str | None:
    """``scheduler`` stripped, or None for none; ParameterError for an empty address."""
    if scheduler is None:
        return None
    address = str(scheduler).strip()
    if not address:
        raise ParameterError(
            "--scheduler was given an empty address. What to do: give a running Dask scheduler's address, "
            "e.g. --scheduler tcp://10.0.0.5:8786, or leave --scheduler out for a LocalCluster on this machine."
        )
    return address


# --------------------------------------------------------------------------- on a worker


def pack_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its POSIX path relative to ``folder``."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_on_worker(execution: Execution, root: str, exporters: Sequence[Exporter],
                  timeout: float | None) -> TaskOutput:
    """One task: run ``execution`` into a temporary folder on this worker, with the client's project ``root``."""
    from wcc_analysis.core import config

    os.environ[paths.HOME_ENV] = root
    paths.project_root.cache_clear()
    config.load_config.cache_clear()  # a long-lived worker may have served another project's run
    with tempfile.TemporaryDirectory(prefix="wcc-analysis-dask-") as tmp:
        result = run_execution(execution, tmp, exporters=exporters, timeout=timeout)
        return result, pack_files(Path(tmp))


# --------------------------------------------------------------------------- in the client


def safe_target(out_dir: Path, relative: str) -> Path:
    """``out_dir / relative``; ValueError for a path that would leave ``out_dir`` (absolute, or with ``..``)."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise ValueError(f"a task returned the file {relative!r}, which is not inside the pack")
    return out_dir.joinpath(*parts)


def write_files(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write a task's files into ``out_dir``, each atomically; a file already there with the same bytes is kept."""
    for relative, data in files.items():
        target = safe_target(out_dir, relative)
        if target.is_file() and target.read_bytes() == data:
            continue  # e.g. the pack's one stylesheet, which every task writes
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
        part.write_bytes(data)
        os.replace(part, target)


def received(execution: Execution, future: Any, out_dir: Path, elapsed: float) -> ExecutionResult:
    """The result of a finished task, its files written into ``out_dir``; a crashed result if the task failed."""
    try:
        result, files = future.result()
        write_files(out_dir, files)
    except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: one failure must never stop the others
        return crashed_result(execution, exc, elapsed)
    return result


@contextlib.contextmanager
def quiet_dask() -> Iterator[None]:
    """Dask settings for a run: no task retried after a worker dies, no scheduler or worker chatter."""
    import dask

    loggers = [logging.getLogger(name) for name in ("distributed", "bokeh", "tornado")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _close(thing: Any) -> None:
    """Close a client or a cluster, quickly, whatever state it is in."""
    if thing is not None:
        with contextlib.suppress(Exception):
            thing.close(timeout=CLOSE_TIMEOUT_S)


def connect(address: str) -> Any:
    """A client of the running scheduler at ``address``; ParameterError if it cannot be reached."""
    from distributed import Client

    try:
        return Client(address, set_as_default=False, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(
            f"could not reach the Dask scheduler at --scheduler {address} ({exc}). What to do: check the address "
            "(e.g. tcp://10.0.0.5:8786) and that the scheduler is running ('dask scheduler'), or leave --scheduler "
            "out to run on a LocalCluster on this machine."
        ) from None


def cluster_threads(client: Any) -> int | None:
    """How many tasks ``client``'s cluster runs at once (its workers' threads), or None if it cannot tell."""
    with contextlib.suppress(Exception):
        return sum(client.nthreads().values()) or None
    return None


def local_processes(cluster: Any) -> list[int]:
    """The worker processes of a LocalCluster and every process they started (kernels); [] for none."""
    nannies = list((getattr(cluster, "workers", None) or {}).values())
    workers = [pid for pid in (getattr(nanny, "pid", None) for nanny in nannies) if pid]
    return workers + [pid for worker in workers for pid in descendants(worker)]


@register_executor
class DaskExecutor(Executor):
    """Executions as Dask tasks: on a LocalCluster made for the run, or on the cluster at ``scheduler``."""

    name = "dask"
    description = ("Dask: a LocalCluster of --jobs worker processes, or the cluster at --scheduler ADDRESS "
                   f"({INSTALL_HINT})")
    options = ("scheduler",)

    def __init__(self, scheduler: str | None = None) -> None:
        require_distributed()
        self.scheduler = check_scheduler(scheduler)

    def run(
        self,
        executions: Sequence[Execution],
        out_dir: Path,
        jobs: int | None,
        progress: Progress | None,
        *,
        timeout: float | None = None,
    ) -> list[ExecutionResult]:
        from distributed import Client, LocalCluster

        started, finished = _callbacks(progress)
        at_once = self.at_once(jobs, len(executions))
        cluster: Any = None
        client: Any = None
        with quiet_dask():
            try:
                if self.scheduler is None:
                    cluster = LocalCluster(n_workers=at_once, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", silence_logs=logging.CRITICAL)
                    client = Client(cluster, set_as_default=False)
                else:
                    client = connect(self.scheduler)
                    if jobs is None:  # as many at once as the cluster has threads
                        at_once = self.at_once(cluster_threads(client), len(executions))
                results = self._run_on(client, executions, Path(out_dir), at_once, started, finished, timeout)
            except BaseException:
                # interrupted (or this process failed): every task cancelled (_run_on); a LocalCluster's workers
                # and their kernels killed now, not after the notebooks they are running
                kill_processes(local_processes(cluster))
                raise
            finally:
                kernels = kernels_of() & set(local_processes(cluster))  # none, unless a worker left one behind
                _close(client)
                _close(cluster)
                kill_processes(kernels)
        return results

    def _run_on(
        self,
        client: Any,
        executions: Sequence[Execution],
        out_dir: Path,
        at_once: int,
        started: Callable[[Execution], None],
        finished: Callable[[ExecutionResult], None],
        timeout: float | None,
    ) -> list[ExecutionResult]:
        """Run ``executions`` on ``client``'s cluster, at most ``at_once`` in it at a time; results in order."""
        from distributed import as_completed

        root = str(paths.project_root())
        exporters = registered_exporters()  # the client's registry, as the process executor takes
        todo = list(executions)
        running: dict[Any, Execution] = {}
        results: dict[str, ExecutionResult] = {}
        t0 = time.perf_counter()

        def submit() -> Any:
            ex = todo.pop(0)
            future = client.submit(run_on_worker, ex, root, exporters, timeout, retries=0, pure=False,
                                   key=f"wcc-analysis-{ex.key}-{uuid.uuid4().hex}")
            running[future] = ex
            started(ex)
            return future

        try:
            pending = as_completed([submit() for _ in range(min(at_once, len(todo)))], loop=client.loop)
            for future in pending:
                ex = running.pop(future)
                result = received(ex, future, out_dir, time.perf_counter() - t0)
                future.release()
                if todo:
                    pending.add(submit())
                results[ex.key] = result
                finished(result)
        except BaseException:
            with contextlib.suppress(Exception):
                client.cancel(list(running), force=True)
            raise
        return [results[ex.key] for ex in executions]


__all__ = ["DaskExecutor", "INSTALL_HINT", "require_distributed", "run_on_worker"]
