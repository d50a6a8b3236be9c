"""Side-by-side benchmark of the evidence pack for one council (a script, not a test: timings depend on the machine).

In one run, on this machine, for the same executions as the full pack (every service and the portfolio):

1. floor     papermill executing as many notebooks that only import the stack (pandas, matplotlib,
             wcc_analysis), at the same parallelism: the unavoidable cost of kernels and imports;
2. naive     the loop a user would write: ``papermill`` then ``jupyter nbconvert --to html`` per notebook,
             one after another, as separate commands;
3. run       ``wcc-analysis run`` for the full pack;
4. rerun     the same again with nothing changed;
5. changed   the same after changing one council input file (a copy of the project, one CSV rewritten with
             an extra blank line: new bytes, same content);
6. memory    peak resident memory of each kernel and of the runner during 3 (psutil, sampled every 0.1 s).

Prints the ratios against the issue's targets (3 ÷ 1 ≤ 1.25 × … is approximated here by 3 ÷ 1; 2 ÷ 3 ≥ 3;
4 ÷ 3 ≤ 0.05; 5 ÷ 3 small) and writes everything to ``reports/benchmark.json`` (or ``--out``).

    .venv/bin/python benchmarks/run.py [--council E07000237] [--jobs N] [--out reports/benchmark.json]

Not yet measured (issue 13, next step): each execution's split into kernel start, imports, data loading,
cell execution, HTML export and the runner's own overhead.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wcc_analysis.run.linked_project import link_project, replace_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHANGED_INPUT = "data/raw/council/{council}/kpis.csv"  # step 5: one council file, new bytes
TARGETS = {"run / floor": ("≤", 1.25), "naive / run": ("≥", 3.0), "rerun / run": ("≤", 0.05),
           "changed / run": ("≤", 0.30)}


def plan(council: str) -> list[tuple[str, str]]:
    """(service, notebook) of every execution of the full pack, as the runner plans them."""
    sys.path.insert(0, str(ROOT))
    from wcc_analysis.core.config import load_config
    from wcc_analysis.run import planning

    config = load_config()
    return [(e.service, e.notebook) for e in planning.plan(config, None, None, planning.Council(council), None)]


def _floor_one(args: tuple[str, str]) -> float:
    import papermill

    source, output = args
    start = time.perf_counter()
    papermill.execute_notebook(source, output, kernel_name="python3", progress_bar=False, log_output=False,
                               extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    return time.perf_counter() - start


def floor(count: int, jobs: int, work: Path) -> float:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import pandas, matplotlib.pyplot, wcc_analysis\n"
                                          "import wcc_analysis.assemble, wcc_analysis.display.plots")]
    source = work / "imports_only.ipynb"
    nbformat.write(nb, source)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_floor_one, [(str(source), str(work / f"floor-{i}.ipynb")) for i in range(count)]))
    return time.perf_counter() - start


def naive(executions: list[tuple[str, str]], council: str, work: Path) -> float:
    env = {**os.environ, "WCC_ANALYSIS_HOME": str(ROOT)}
    start = time.perf_counter()
    for service, notebook in executions:
        out = work / f"{service}-{notebook}.ipynb"
        subprocess.run([str(BIN / "papermill"), str(ROOT / "notebooks" / f"{notebook}.ipynb"), str(out),
                        "-p", "council", council, "-p", "service", service, "--cwd", str(ROOT / "notebooks"),
                        "--log-level", "ERROR"], check=True, env=env, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(out)], check=True, env=env,
                       capture_output=True)
    return time.perf_counter() - start


class PeakMemory:
    """Peak RSS of a process and, separately, of each kernel among its descendants (sampled)."""

    def __init__(self, pid: int, every: float = 0.1):
        self.process, self.every = psutil.Process(pid), every
        self.runner_mb, self.kernels_mb = 0.0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.runner_mb = max(self.runner_mb, self.process.memory_info().rss / 2**20)
                for child in self.process.children(recursive=True):
                    try:
                        if "ipykernel" in " ".join(child.cmdline()):
                            rss = child.memory_info().rss / 2**20
                            self.kernels_mb[child.pid] = max(self.kernels_mb.get(child.pid, 0.0), rss)
                    except psutil.Error:
                        continue
            except psutil.Error:
                return
            time.sleep(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


def wcc_run(council: str, jobs: int, out: Path, home: Path, measure: bool = False) -> tuple[float, PeakMemory | None]:
    env = {**os.environ, "WCC_ANALYSIS_HOME": str(home)}
    start = time.perf_counter()
    process = subprocess.Popen([str(BIN / "wcc-analysis"), "run", "--council", council, "--jobs", str(jobs),
                                "--out", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakMemory(process.pid) if measure else None
    _, err = process.communicate()
    elapsed = time.perf_counter() - start
    if memory:
        memory.stop()
    if process.returncode != 0:
        raise SystemExit(f"wcc-analysis run failed ({process.returncode}): {err.decode()[-2000:]}")
    return elapsed, memory


def changed_copy(work: Path, council: str, relative: str = CHANGED_INPUT) -> Path:
    """A linked copy of the project (:mod:`wcc_analysis.run.linked_project`) with one council file rewritten."""
    home = link_project(ROOT, work / "project")
    path = home / relative.format(council=council)
    replace_file(home, relative.format(council=council), path.read_text(encoding="utf-8") + "\n")  # new bytes
    return home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--council", default="E07000237")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmark.json")
    args = parser.parse_args()
    executions = plan(args.council)
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="wcc-bench-") as tmp:
        work = Path(tmp)
        print(f"{len(executions)} executions, {args.jobs} at a time", flush=True)
        wcc_run(args.council, args.jobs, work / "warm", ROOT)  # data/processed built, caches warm: not timed
        for name, step in (
            ("floor", lambda: floor(len(executions), args.jobs, (work / "floor").resolve())),
            ("naive", lambda: naive(executions, args.council, (work / "naive").resolve())),
        ):
            (work / name).mkdir()
            seconds[name] = step()
            print(f"  {name:8s} {seconds[name]:7.1f} s", flush=True)
        seconds["run"], memory = wcc_run(args.council, args.jobs, work / "packs", ROOT, measure=True)
        print(f"  {'run':8s} {seconds['run']:7.1f} s", flush=True)
        seconds["rerun"], _ = wcc_run(args.council, args.jobs, work / "packs", ROOT)
        print(f"  {'rerun':8s} {seconds['rerun']:7.1f} s", flush=True)
        home = changed_copy(work, args.council)
        seconds["changed"], _ = wcc_run(args.council, args.jobs, work / "changed-packs", home)
        print(f"  {'changed':8s} {seconds['changed']:7.1f} s", flush=True)
    ratios = {"run / floor": seconds["run"] / seconds["floor"], "naive / run": seconds["naive"] / seconds["run"],
              "rerun / run": seconds["rerun"] / seconds["run"], "changed / run": seconds["changed"] / seconds["run"]}
    print("ratio            measured  target")
    for name, value in ratios.items():
        sign, target = TARGETS[name]
        met = value <= target if sign == "≤" else value >= target
        print(f"  {name:14s} {value:8.2f}  {sign} {target:<5} {'met' if met else 'NOT met'}")
    kernels = sorted(memory.kernels_mb.values()) if memory else []
    print(f"peak memory: runner {memory.runner_mb:.0f} MB; kernels {len(kernels)}, "
          f"largest {max(kernels, default=0):.0f} MB, median {kernels[len(kernels) // 2] if kernels else 0:.0f} MB")
    result = {
        "council": args.council, "executions": len(executions), "jobs": args.jobs,
        "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "ratios": {k: {"measured": round(v, 3), "target": f"{TARGETS[k][0]} {TARGETS[k][1]}"} for k, v in ratios.items()},
        "peak_memory_mb": {"runner": round(memory.runner_mb, 1) if memory else None,
                           "kernels": [round(k, 1) for k in kernels]},
        "not_yet_measured": "per-execution split: kernel start, imports, data loading, cells, HTML, runner overhead",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
