"""Sector-scale benchmark: the all-districts run (one notebook for every English shire district) on one executor.

Runs ``wcc-analysis run --council all-districts --notebook NOTEBOOK --service SERVICE --executor EXECUTOR --force``
into a temporary folder and measures its wall time, executions a minute (from the sector manifest), and peak
memory of the runner, of each worker (a process-pool worker, or a Dask worker of the LocalCluster the run starts,
without its kernels), of each kernel and of each kernel template. Writes ``reports/sector-benchmark-EXECUTOR.json``
(or ``--out``). A script, not a test: the figures depend on the machine.

    .venv/bin/python benchmarks/sector.py [--executor process|dask] [--jobs N] [--scheduler ADDRESS]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from peak_memory import PeakMemory

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def sector_run(executor: str, jobs: int, notebook: str, service: str, out: Path,
               scheduler: str | None) -> tuple[float, dict, PeakMemory]:
    """Wall seconds of one all-districts run, its sector manifest and its memory."""
    command = [str(BIN / "wcc-analysis"), "run", "--council", "all-districts", "--notebook", notebook,
               "--service", service, "--executor", executor, "--jobs", str(jobs), "--force", "--out", str(out)]
    if scheduler:
        command += ["--scheduler", scheduler]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakMemory(process.pid)
    _, err = process.communicate()
    elapsed = time.perf_counter() - start
    memory.stop()
    manifests = sorted(out.glob("*-all-districts/manifest.json"))
    if not manifests:
        raise SystemExit(f"the all-districts run wrote no sector pack (exit {process.returncode}): "
                         f"{err.decode()[-2000:]}")
    return elapsed, json.loads(manifests[-1].read_text(encoding="utf-8")), memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--executor", default="process", choices=("process", "dask"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--scheduler", help="a running Dask scheduler (with --executor dask)")
    parser.add_argument("--notebook", default="needs_analysis")
    parser.add_argument("--service", default="leisure")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or ROOT / "reports" / f"sector-benchmark-{args.executor}.json"
    with tempfile.TemporaryDirectory(prefix="wcc-sector-bench-") as tmp:
        print(f"all-districts {args.notebook} ({args.service}) on {args.executor}, {args.jobs} workers", flush=True)
        wall, manifest, memory = sector_run(args.executor, args.jobs, args.notebook, args.service, Path(tmp),
                                            args.scheduler)
    sector = manifest["sector"]
    result = {
        "executor": args.executor, "scheduler": args.scheduler, "jobs": args.jobs, "notebook": args.notebook,
        "service": args.service, "python": platform.python_version(), "cpu_count": os.cpu_count(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "councils": sector["councils"], "ok": sector["ok"], "failed": sector["failed"],
        "wall_s": round(wall, 1), "execution_s": sector["execution_s"],
        "executions_per_minute": sector["executions_per_minute"],
        "peak_memory_mb": memory.summary(),
    }
    peaks = result["peak_memory_mb"]
    print(f"  {result['ok']} of {result['councils']} ok, {result['failed']} failed; wall {wall:.0f} s; "
          f"{result['executions_per_minute']} executions a minute")
    print(f"  peak memory (MB RSS): runner {peaks['runner_rss']:.0f}; "
          + "; ".join(f"{of} {peaks[of]['count']}, largest {peaks[of]['largest_rss']:.0f} "
                      f"(PSS {peaks[of]['largest_pss']:.0f}, USS {peaks[of]['largest_uss']:.0f}), "
                      f"median {peaks[of]['median_rss']:.0f}" for of in ("workers", "kernels", "templates")))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
