"""How much does the runner add above papermill's own cost of running a notebook?

Runs a trivial notebook (parameters cell, one print, one headline record) N
times each way, sequentially, in a throw-away project:

1. ``papermill.execute_notebook``   the unavoidable part: kernel start, execution, write
2. ``runner.run_execution``         + metadata tidy, headline collection, reader and code HTML
3. ``pack.build`` (1 notebook)      + a worker process, raw-file hashes, git, manifest, index,
                                      rename into place, ``latest`` symlink

and prints mean / median / min and the overhead of 2 and 3 over 1 (median, in
seconds and %). Results go to ``reports/benchmark.json`` (or ``--out``).
Not a test: timings depend on the machine.

    .venv/bin/python scripts/benchmark_runner.py [-n 5] [--out reports/benchmark.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wcc_analysis.core import config as config_module  # noqa: E402
from wcc_analysis.core import paths  # noqa: E402
from wcc_analysis.run import exporters, pack, planning, runner  # noqa: E402

NOTEBOOK = "needs_analysis"


def trivial_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    params = nbformat.v4.new_code_cell('council = "E07000237"\nservice = "museums"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Benchmark"),
        params,
        nbformat.v4.new_code_cell("print(service, council)"),
        nbformat.v4.new_code_cell("import wcc_analysis\nwcc_analysis.record(spend_per_head_gbp=1.5)"),
    ]
    return nb


def make_project(base: Path) -> Path:
    root = base / "project"
    (root / "config").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "services.toml", root / "config" / "services.toml")
    (root / "data" / "raw" / "public").mkdir(parents=True)
    (root / "data" / "raw" / "public" / "x.csv").write_text("a,b\n1,2\n")
    (root / "notebooks").mkdir()
    nbformat.write(trivial_notebook(), root / "notebooks" / f"{NOTEBOOK}.ipynb")
    return root


def stats(samples: list[float]) -> dict[str, float]:
    return {
        "mean_s": statistics.mean(samples),
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "samples_s": [round(s, 4) for s in samples],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=5, help="repetitions of each path (default 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "benchmark.json")
    args = parser.parse_args()

    import papermill

    with tempfile.TemporaryDirectory(prefix="wcc-bench-") as tmp:
        base = Path(tmp)
        root = make_project(base)
        os.environ[paths.HOME_ENV] = str(root)
        paths.project_root.cache_clear()
        config_module.load_config.cache_clear()
        config = config_module.load_config()
        council = planning.Council("E07000237", "Worcester", "SD")  # no lookup: ingest is not timed
        (execution,) = planning.plan(config, services=["museums"], notebooks=[NOTEBOOK], council=council)
        notebooks_dir = str(paths.notebooks_dir())

        # warm-up: first kernel start and imports are paid once, outside the measurements
        papermill.execute_notebook(str(execution.input_path), str(base / "warm.ipynb"),
                                   parameters=execution.parameters, kernel_name="python3",
                                   cwd=notebooks_dir, progress_bar=False,
                                   extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        runner.run_execution(execution, base / "warm")

        timings: dict[str, list[float]] = {"papermill": [], "run_execution": [], "pack.build": []}
        for i in range(args.n):
            t = time.perf_counter()
            papermill.execute_notebook(str(execution.input_path), str(base / f"pm-{i}.ipynb"),
                                       parameters=execution.parameters, kernel_name="python3",
                                       cwd=notebooks_dir, progress_bar=False, log_output=False,
                                       extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
            timings["papermill"].append(time.perf_counter() - t)

            t = time.perf_counter()
            result = runner.run_execution(execution, base / f"run-{i}")
            timings["run_execution"].append(time.perf_counter() - t)
            assert result.ok, result.error

            t = time.perf_counter()
            built = pack.build(config, [execution], council, out_dir=base / "packs", jobs=1, prepare=False)
            timings["pack.build"].append(time.perf_counter() - t)
            assert built.ok, built.results[0].error

        # the HTML conversion on its own (it is part of run_execution)
        nb = nbformat.read(base / "run-0" / execution.outputs["ipynb"], as_version=4)
        html_samples = []
        for _ in range(args.n):
            t = time.perf_counter()
            for exporter in exporters.registered_exporters():
                exporter.export(nb, execution, base / "run-0")
            html_samples.append(time.perf_counter() - t)

    baseline = statistics.median(timings["papermill"])
    rows = {}
    for name, samples in timings.items():
        row = stats(samples)
        row["overhead_s"] = row["median_s"] - baseline
        row["overhead_pct"] = 100 * row["overhead_s"] / baseline
        rows[name] = row
    rows["html (every exporter)"] = stats(html_samples)

    print(f"{'path':<22}{'mean s':>9}{'median s':>10}{'min s':>8}{'overhead s':>12}{'overhead %':>12}")
    for name, row in rows.items():
        extra = (f"{row['overhead_s']:>12.3f}{row['overhead_pct']:>11.1f}%" if "overhead_s" in row else "")
        print(f"{name:<22}{row['mean_s']:>9.3f}{row['median_s']:>10.3f}{row['min_s']:>8.3f}{extra}")

    result = {
        "repetitions": args.n,
        "notebook": "trivial: parameters, one print, one headline record",
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "results": {k: {kk: (round(vv, 4) if isinstance(vv, float) else vv) for kk, vv in v.items()}
                    for k, v in rows.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
