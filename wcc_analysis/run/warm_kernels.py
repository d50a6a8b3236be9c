"""Kernels started before they are needed, with the notebooks' stack already imported.

Starting a kernel and importing pandas, matplotlib and the package takes about 2 s, every notebook. A worker of the
process executor keeps one spare kernel (:class:`KernelPool`): when it takes the spare for a notebook it starts the
next one at once, so that the next notebook's kernel boots and imports while this notebook runs, off the critical
path. Each kernel is used for one notebook only, then shut down: no state passes from one notebook to another.
On Linux the pool's kernels are forked from a template that imported the stack once
(:mod:`wcc_analysis.run.forked_kernels`), so that no kernel spends CPU on the imports.

Every kernel — pooled or started by papermill — is started with :func:`kernel_arguments`, which has it import the
stack (timed, :func:`wcc_analysis.core.run_facts.warm_up`) and record what it reads in its own facts file.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wcc_analysis.core.run_facts import FACTS_ENV
from wcc_analysis.run import forked_kernels

KERNEL_NAME = "python3"
#: How every kernel's facts file is named in the temporary folder: this, the making process's id, "-", random.
FACTS_PREFIX = "wcc-analysis-facts-"
#: The matplotlib backend every kernel draws with: inline, so that each chart is a PNG in the notebook (and so in
#: the HTML). A kernel inherits the runner's environment, and MPLBACKEND=Agg there (set by CI, or by a scheduler
#: for headless jobs) would otherwise leave every report without its charts.
KERNEL_MPLBACKEND = "module://matplotlib_inline.backend_inline"
#: What every kernel imports before the notebook's first cell: the stack the notebooks use.
WARM_UP_MODULES = (
    "pandas", "matplotlib.pyplot", "wcc_analysis.assemble", "wcc_analysis.analysis", "wcc_analysis.display.plots",
    "wcc_analysis.display.report", "wcc_analysis.display.sections",
)


def kernel_arguments() -> list[str]:
    """ipykernel's arguments: quiet start-up, then :func:`~wcc_analysis.core.run_facts.warm_up` (no history kept,
    no name left in the notebook's namespace; IPython's ``exec_lines`` do not advance the execution count)."""
    return [
        # the kernel's own start-up warnings would garble the progress display
        "--IPKernelApp.log_level=CRITICAL",
        "--IPKernelApp.exec_lines=import wcc_analysis.core.run_facts as _wcc_run_facts",
        f"--IPKernelApp.exec_lines=_wcc_run_facts.warm_up({list(WARM_UP_MODULES)!r})",
        "--IPKernelApp.exec_lines=del _wcc_run_facts",
    ]


def kernel_env(facts: Path) -> dict[str, str]:
    """The environment variables a kernel starts with, beyond the runner's own."""
    return {"MPLBACKEND": KERNEL_MPLBACKEND, FACTS_ENV: str(facts)}


def new_facts_file() -> Path:
    """An empty, private file for one kernel's facts, named after the process that made it
    (:func:`wcc_analysis.run.runner.remove_orphaned_facts` deletes it if that process was killed before it could)."""
    handle, name = tempfile.mkstemp(prefix=f"{FACTS_PREFIX}{os.getpid()}-", suffix=".jsonl")
    os.close(handle)
    return Path(name)


@dataclass
class WarmKernel:
    """A started kernel, its facts file and when it was launched (``time.perf_counter``)."""

    manager: Any  # jupyter_client.AsyncKernelManager
    facts: Path
    launched: float
    forked: bool = False  # forked from the template (the stack was imported there, once), not started afresh

    @property
    def pid(self) -> int | None:
        process = getattr(getattr(self.manager, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return bool(run_sync(self.manager.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def shutdown(self) -> None:
        """Stop the kernel now (it has done its one notebook, or was never used), and close the channels of
        every client made for it: papermill leaves a kernel it was given running and its client connected, and
        an open client would talk to the next kernel given the same ports."""
        from jupyter_core.utils import run_sync

        for client in getattr(self.manager, "clients", []):
            with contextlib.suppress(Exception):
                client.stop_channels()
        with contextlib.suppress(Exception):
            run_sync(self.manager.shutdown_kernel)(now=True)


@functools.cache
def _manager_class() -> type:
    """AsyncKernelManager that remembers the clients it made (:meth:`WarmKernel.shutdown` closes them)."""
    from jupyter_client.manager import AsyncKernelManager

    class _TrackedKernelManager(AsyncKernelManager):
        def client(self, **kwargs: Any) -> Any:
            made = super().client(**kwargs)
            self.__dict__.setdefault("clients", []).append(made)
            return made

    return _TrackedKernelManager


def launch(cwd: Path) -> WarmKernel:
    """Start one kernel in ``cwd`` with :func:`kernel_arguments` (returns as soon as the process is launched)."""
    from jupyter_core.utils import run_sync

    facts = new_facts_file()
    manager = _manager_class()(kernel_name=KERNEL_NAME)
    env = {**os.environ, **kernel_env(facts)}
    source = forked_kernels.template(cwd, WARM_UP_MODULES, template_env())
    if source is not None:
        forked_kernels.use_template(manager, source)
    try:
        run_sync(manager.start_kernel)(cwd=str(cwd), extra_arguments=kernel_arguments(), env=env)
    except BaseException:
        facts.unlink(missing_ok=True)
        if source is not None:
            forked_kernels.give_up()  # kernels are started as processes from now on
        raise
    return WarmKernel(manager, facts, time.perf_counter(), forked=source is not None)


def template_env() -> dict[str, str]:
    """The environment of the process kernels are forked from: the runner's, drawing inline, recording nothing."""
    env = {**os.environ, "MPLBACKEND": KERNEL_MPLBACKEND}
    env.pop(FACTS_ENV, None)
    return env


class KernelPool:
    """One process's spare kernel: :meth:`take` it for a notebook, :meth:`prime` the next, :meth:`close` at the end."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.spare: WarmKernel | None = None
        self.launched = 0  # kernels this pool started (for the benchmark and the tests)

    def take(self) -> WarmKernel | None:
        """The spare kernel if it is still alive (None otherwise: the caller starts its own)."""
        spare, self.spare = self.spare, None
        if spare is not None and not spare.alive():
            spare.shutdown()
            spare.facts.unlink(missing_ok=True)
            return None
        return spare

    def prime(self) -> None:
        """Start a spare kernel if there is none; a kernel that fails to launch leaves the pool empty."""
        if self.spare is None:
            try:
                self.spare = launch(self.cwd)
                self.launched += 1
            except Exception:  # noqa: BLE001 - the next notebook then starts its own kernel, and reports any failure
                self.spare = None

    def close(self) -> None:
        """Shut down the spare, if any, and the template kernels were forked from."""
        spare, self.spare = self.spare, None
        if spare is not None:
            spare.shutdown()
            spare.facts.unlink(missing_ok=True)
        forked_kernels.close_template()


__all__ = ["KERNEL_MPLBACKEND", "KERNEL_NAME", "KernelPool", "WARM_UP_MODULES", "WarmKernel", "kernel_arguments",
           "kernel_env", "launch", "new_facts_file", "template_env"]
