"""Peak memory of a run and of the processes under it, sampled with psutil (shared by the benchmarks)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psutil

#: Helper processes of :mod:`multiprocessing` that are neither workers nor kernels.
_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


class PeakMemory:
    """Peak memory of a process and, separately, of each kernel, kernel template and worker below it.

    A kernel is an ``ipykernel`` process or a child of a kernel template (:mod:`wcc_analysis.run.kernel_template`);
    the templates are measured apart; a worker is any other Python process below it (a process-pool worker, a
    Dask worker), its kernels not included. For each: RSS (resident, counting pages shared with the template in
    full), PSS (shared pages divided among the processes sharing them) and USS (its own pages only).
    """

    def __init__(self, pid: int, every: float = 0.2):
        self.process, self.every = psutil.Process(pid), every
        self.runner_mb = 0.0
        self.kernels: dict[int, dict[str, float]] = {}
        self.templates: dict[int, dict[str, float]] = {}
        self.workers: dict[int, dict[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @staticmethod
    def _peak(into: dict[int, dict[str, float]], child: psutil.Process) -> None:
        full = child.memory_full_info()
        peak = into.setdefault(child.pid, {"rss": 0.0, "pss": 0.0, "uss": 0.0})
        for name in peak:
            peak[name] = max(peak[name], getattr(full, name) / 2**20)

    def _kind(self, child: psutil.Process) -> dict[int, dict[str, float]] | None:
        command = " ".join(child.cmdline())
        if "kernel_template" in command:
            return self.kernels if "kernel_template" in " ".join(child.parent().cmdline()) else self.templates
        if "ipykernel" in command:
            return self.kernels
        if any(helper in command for helper in _HELPERS) or not Path(child.exe()).name.startswith("python"):
            return None  # multiprocessing's helpers; a short-lived command (git) the runner calls
        return self.workers

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.runner_mb = max(self.runner_mb, self.process.memory_info().rss / 2**20)
                for child in self.process.children(recursive=True):
                    try:
                        into = self._kind(child)
                        if into is not None:
                            self._peak(into, child)
                    except psutil.Error:
                        continue
            except psutil.Error:
                return
            time.sleep(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def largest(self, of: str = "kernels", measure: str = "rss") -> float:
        return max((peak[measure] for peak in getattr(self, of).values()), default=0.0)

    def summary(self) -> dict[str, object]:
        """Runner RSS and, for kernels, templates and workers: how many, the largest of each measure, median RSS."""
        result: dict[str, object] = {"runner_rss": round(self.runner_mb, 1)}
        for of in ("kernels", "templates", "workers"):
            peaks = sorted(peak["rss"] for peak in getattr(self, of).values())
            result[of] = {"count": len(peaks), "median_rss": round(peaks[len(peaks) // 2], 1) if peaks else 0.0,
                          **{f"largest_{m}": round(self.largest(of, m), 1) for m in ("rss", "pss", "uss")}}
        return result
