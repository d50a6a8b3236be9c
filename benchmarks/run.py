"""Side-by-side benchmark of the evidence pack for one council (a script, not a test: timings depend on the machine).

In one run, on this machine, for the same executions as the full pack (every service and the portfolio):

1. floor     papermill executing as many notebooks that only import the stack (pandas, matplotlib,
             wcc_analysis), at the same parallelism: the unavoidable cost of kernels and imports;
2. naive     the loop a user would write: ``papermill`` then ``jupyter nbconvert --to html`` per notebook,
             one after another, as separate commands;
3. run       ``wcc-analysis run`` for the full pack (kernels forked from a template that imported the stack once,
             a spare per worker); ``cold``: the same with kernels started as processes, each importing the stack
             itself, none spare (``WCC_ANALYSIS_WARM_KERNELS=0``, ``WCC_ANALYSIS_FORK_KERNELS=0``);
4. rerun     the same as 3 again, into the same folder, with nothing changed (every execution reused);
5. changed   the same again after changing one council input file — the supplier payments file, in a linked
             copy of the project (:mod:`wcc_analysis.run.linked_project`), with a blank line added: new bytes,
             same records — which must re-run exactly the executions that read it;
6. memory    peak memory of each kernel (RSS, PSS and USS), of each kernel template and of the runner during 3
             (psutil, sampled every 0.2 s).

Each execution's time is split (from the manifest's ``timing``) into kernel start, imports, data loading, cell
execution, HTML export and the runner's own overhead. Prints the ratios against the issue's targets and writes
everything to ``reports/benchmark.json`` (or ``--out``).

    .venv/bin/python benchmarks/run.py [--council E07000237] [--jobs N] [--out reports/benchmark.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from peak_memory import PeakMemory  # noqa: E402

from wcc_analysis.run.linked_project import link_project, replace_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: Step 5's file: one council input that only some notebooks read.
CHANGED_INPUT = "data/raw/council/{council}/supplier_payments/illustrative_2024-25.csv"
SPLIT = ("kernel_start_s", "imports_s", "data_loading_s", "cell_execution_s", "html_export_s", "runner_overhead_s")
KERNEL_LIMIT_MB = 300


def plan(council: str) -> list[tuple[str, str]]:
    """(service, notebook) of every execution of the full pack, as the runner plans them."""
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


def wcc_run(council: str, jobs: int, out: Path, home: Path, *, measure: bool = False,
            warm_kernels: bool = True) -> tuple[float, dict[str, Any], PeakMemory | None]:
    """Wall seconds of one ``wcc-analysis run``, the manifest of the pack it made, and its memory if measured."""
    env = {**os.environ, "WCC_ANALYSIS_HOME": str(home)}
    if not warm_kernels:
        env.update(WCC_ANALYSIS_WARM_KERNELS="0", WCC_ANALYSIS_FORK_KERNELS="0")
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
    manifest = json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))
    return elapsed, manifest, memory


def changed_copy(work: Path, council: str, relative: str = CHANGED_INPUT) -> tuple[Path, str]:
    """A linked copy of the project with one council file rewritten (a blank line added); its path and the file."""
    home = link_project(ROOT, work / "project")
    relative = relative.format(council=council)
    replace_file(home, relative, (home / relative).read_text(encoding="utf-8") + "\n")
    return home, relative


def split(manifest: dict[str, Any]) -> dict[str, Any]:
    """Sum, mean and largest of each part of the executions' time (executions that ran, not reused ones)."""
    ran = [e["timing"] for e in manifest["executions"] if not e.get("reused_from") and e.get("timing")]
    parts: dict[str, Any] = {}
    for name in ("total_s", *SPLIT):
        values = [t.get(name, 0.0) for t in ran]
        parts[name] = {"sum": round(sum(values), 2), "mean": round(statistics.fmean(values), 3) if values else 0.0,
                       "max": round(max(values, default=0.0), 3)}
    parts["warm_kernels"] = sum(1 for t in ran if t.get("warm_kernel"))
    parts["forked_kernels"] = sum(1 for t in ran if t.get("forked_kernel"))
    parts["executions"] = len(ran)
    return parts


def reran(manifest: dict[str, Any]) -> list[str]:
    return sorted(f"{e['service']}/{e['notebook']}" for e in manifest["executions"] if not e.get("reused_from"))


def readers(manifest: dict[str, Any], relative: str) -> list[str]:
    """Executions of ``manifest`` whose recorded inputs include ``relative``."""
    return sorted(f"{e['service']}/{e['notebook']}" for e in manifest["executions"]
                  if f"file:{relative}" in (e.get("inputs_read") or {}))


def _print_split(label: str, parts: dict[str, Any]) -> None:
    print(f"  {label}: {parts['executions']} executions ({parts['warm_kernels']} on a spare kernel, "
          f"{parts['forked_kernels']} forked); "
          "seconds summed over executions (mean per execution)")
    for name in ("total_s", *SPLIT):
        print(f"    {name[:-2].replace('_', ' '):16s} {parts[name]['sum']:7.1f}  ({parts[name]['mean']:.2f})")


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
        wcc_run(args.council, args.jobs, work / "warm-up", ROOT)  # data/processed built, caches warm: not timed
        for name, step in (
            ("floor", lambda: floor(len(executions), args.jobs, (work / "floor").resolve())),
            ("naive", lambda: naive(executions, args.council, (work / "naive").resolve())),
        ):
            (work / name).mkdir()
            seconds[name] = step()
            print(f"  {name:8s} {seconds[name]:7.1f} s", flush=True)
        seconds["run"], run_manifest, memory = wcc_run(args.council, args.jobs, work / "packs", ROOT, measure=True)
        print(f"  {'run':8s} {seconds['run']:7.1f} s", flush=True)
        seconds["cold"], cold_manifest, _ = wcc_run(args.council, args.jobs, work / "cold-packs", ROOT,
                                                    warm_kernels=False)
        print(f"  {'cold':8s} {seconds['cold']:7.1f} s  (kernels started as processes)", flush=True)
        seconds["rerun"], rerun_manifest, _ = wcc_run(args.council, args.jobs, work / "packs", ROOT)
        print(f"  {'rerun':8s} {seconds['rerun']:7.1f} s  ({len(reran(rerun_manifest))} re-ran)", flush=True)
        home, changed_file = changed_copy(work, args.council)
        seconds["changed"], changed_manifest, _ = wcc_run(args.council, args.jobs, work / "packs", home)
        print(f"  {'changed':8s} {seconds['changed']:7.1f} s  ({len(reran(changed_manifest))} re-ran)", flush=True)

    run_split, cold_split = split(run_manifest), split(cold_manifest)
    cells = run_split["data_loading_s"]["sum"] + run_split["cell_execution_s"]["sum"]
    bound = 1.25 * (seconds["floor"] + cells / args.jobs)
    expected = readers(run_manifest, changed_file)
    changed_ran = reran(changed_manifest)
    kernels_rss = sorted(peak["rss"] for peak in memory.kernels.values()) if memory else []
    checks = {
        "run ≤ 1.25 × (floor + Σ cell time ÷ jobs)": (seconds["run"], "≤", round(bound, 1)),
        "naive ÷ run ≥ 3": (seconds["naive"] / seconds["run"], "≥", 3.0),
        "rerun ÷ run ≤ 0.05": (seconds["rerun"] / seconds["run"], "≤", 0.05),
        "changed input re-runs only its readers": (changed_ran == expected and bool(expected), "==", True),
        f"largest kernel RSS ≤ {KERNEL_LIMIT_MB} MB": (memory.largest(), "≤", KERNEL_LIMIT_MB),
        f"largest kernel PSS ≤ {KERNEL_LIMIT_MB} MB": (memory.largest(measure="pss"), "≤", KERNEL_LIMIT_MB),
    }
    _print_split("run (forked kernels)", run_split)
    _print_split("cold (kernels started as processes, none spare)", cold_split)
    print(f"  changed {changed_file}: read by {len(expected)} ({', '.join(expected)}); "
          f"re-ran {len(changed_ran)} ({', '.join(changed_ran)})")
    print(f"  peak memory: runner {memory.runner_mb:.0f} MB RSS; {len(kernels_rss)} kernels, largest "
          f"{memory.largest():.0f} MB RSS, {memory.largest(measure='pss'):.0f} MB PSS, "
          f"{memory.largest(measure='uss'):.0f} MB USS, median {statistics.median(kernels_rss) if kernels_rss else 0:.0f}"
          f" MB RSS; {len(memory.templates)} kernel templates, largest {memory.largest('templates'):.0f} MB RSS")
    print(f"  ratios: run ÷ floor {seconds['run'] / seconds['floor']:.2f}; cold ÷ run "
          f"{seconds['cold'] / seconds['run']:.2f}; changed ÷ run {seconds['changed'] / seconds['run']:.2f}")
    print("target                                         measured  target   result")
    results = {}
    for name, (value, sign, target) in checks.items():
        met = {"≤": value <= target, "≥": value >= target, "==": value == target}[sign]
        shown = f"{value:8.2f}" if not isinstance(value, bool) else f"{str(value):>8s}"
        print(f"  {name:44s} {shown}  {sign} {str(target):6s} {'met' if met else 'NOT met'}")
        results[name] = {"measured": round(value, 3) if not isinstance(value, bool) else value,
                         "target": f"{sign} {target}", "met": met}
    result = {
        "council": args.council, "executions": len(executions), "jobs": args.jobs,
        "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "ratios": {"run / floor": round(seconds["run"] / seconds["floor"], 3),
                   "naive / run": round(seconds["naive"] / seconds["run"], 3),
                   "cold / run": round(seconds["cold"] / seconds["run"], 3),
                   "rerun / run": round(seconds["rerun"] / seconds["run"], 3),
                   "changed / run": round(seconds["changed"] / seconds["run"], 3)},
        "targets": results,
        "split": {"run": run_split, "cold": cold_split},
        "changed": {"file": changed_file, "readers": expected, "re_ran": changed_ran},
        "peak_memory_mb": {"runner_rss": round(memory.runner_mb, 1),
                           "kernels": [{k: round(v, 1) for k, v in peak.items()} for peak in memory.kernels.values()],
                           "templates": [{k: round(v, 1) for k, v in p.items()} for p in memory.templates.values()]},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
