"""The fault tests of test_faults_cells.py and test_faults_runs.py with ``--executor dask`` (a LocalCluster per run):
a hanging cell, a raising cell, a killed kernel, a killed worker and an interrupted run."""

from __future__ import annotations

import signal
import time

import pytest
import test_faults_cells as cells
import test_faults_runs as runs
from faultkit import NOTEBOOKS, add_notebooks, marked_processes, needs_proc, start_run, wait_for, wait_until_gone

from wcc_analysis.run import runner

pytest.importorskip("distributed")
pytestmark = needs_proc

DASK = ("--executor", "dask", "-j", "2")
#: Kills the process that started its kernel, if that is a spawned (Dask) worker, never a test process.
KILL_WORKER = (
    "import os, signal\n"
    "parent = open(f'/proc/{os.getppid()}/cmdline', 'rb').read()\n"
    "assert b'multiprocessing' in parent, parent  # only ever a spawned worker\n"
    "os.kill(os.getppid(), signal.SIGKILL)"
)


def test_a_hanging_cell_is_stopped_at_the_timeout_and_named(faulty, tmp_path):
    cells.test_a_hanging_cell_is_stopped_at_the_timeout_and_named(faulty, tmp_path, "dask")


def test_a_raising_cell_is_named_in_the_manifest(faulty, tmp_path):
    out = tmp_path / "packs"
    result = cells.invoke(cells.cli.app, ["run", "-s", "museums", "--out", str(out), *DASK], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    _, manifest, by_notebook = cells._entries(out)
    assert manifest["selection"]["executor"] == "dask"
    assert by_notebook["needs_analysis"]["status"] == "ok"
    assert by_notebook["broken"]["error"] == {
        "kind": "cell", "cell_index": 3, "execution_count": 4, "ename": "ValueError",
        "evalue": "the data for museums is missing",
        "source_first_line": "raise ValueError('the data for ' + service + ' is missing')",
    }
    assert "at cell index 3 (In [4])" in result.output and "Traceback" not in result.output


def test_a_kernel_killed_mid_run_is_reported_as_kernel_died(faulty, tmp_path):
    out = tmp_path / "packs"
    result = cells.invoke(cells.cli.app, ["run", "-s", "dies", "--out", str(out), *DASK], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    _, _, by_notebook = cells._entries(out)
    assert by_notebook["quick"]["status"] == "ok"
    dead = by_notebook["kill_kernel"]
    # attempts counts kernel starts: 2 only when the first kernel failed to start (a port clash when the
    # cluster's workers start kernels at once, seen once in a fresh-clone CI); a kernel that died is never
    # restarted (test_faults_cells checks attempts == 1 where nothing else starts kernels at the same time)
    assert dead["status"] == "failed" and dead["attempts"] <= runner.KERNEL_START_ATTEMPTS
    error = dead["error"]
    assert error["kind"] == "kernel_died" and error["ename"] == "KernelDied"
    assert error["cell_index"] == 3 and error["source_first_line"] == "import os"
    assert "the kernel died while cell 3" in error["evalue"] and "not retried" in error["evalue"]
    assert not runner.kernels_of(), "a kernel of the run is still running"


def test_a_worker_killed_mid_run_fails_that_notebook_only_and_is_not_rerun(project, tmp_path, monkeypatch):
    monkeypatch.setitem(NOTEBOOKS, "kill_worker", ("Kills its Dask worker", ["print('before')", KILL_WORKER]))
    add_notebooks(project, {"lost": ["kill_worker", "quick"]})
    out = tmp_path / "packs"
    result = cells.invoke(cells.cli.app, ["run", "-s", "lost", "--out", str(out), *DASK], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    _, _, by_notebook = cells._entries(out)
    assert by_notebook["quick"]["status"] == "ok"
    lost = by_notebook["kill_worker"]
    assert lost["status"] == "failed" and lost["error"]["kind"] == "runner"
    assert lost["error"]["ename"] == "KilledWorker"  # the scheduler gave up at once: the notebook ran once
    assert wait_for(lambda: not runner.kernels_of(), 3), "a kernel of the run is still running"


def test_sigint_stops_the_run_cleanly(faulty, tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    before = runs._earlier_pack(out)
    proc, marker = start_run(faulty, "-s", "slow", "-s", "slower", "--out", str(out), *DASK)
    try:
        # the run, its two workers and a kernel (the notebooks run in the workers' temporary folders)
        assert wait_for(lambda: any("ipykernel" in cmd for _, cmd in marked_processes(marker)), 30), "no kernel"
        running = marked_processes(marker)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=15)
        took = time.monotonic() - t0
    finally:
        proc.kill()
    assert proc.returncode == 130, output
    assert took < 5, f"the run took {took:.1f} s to stop after SIGINT"
    assert "interrupted; no pack was written" in output and "Traceback" not in output, output
    assert wait_until_gone(marker, 3) == [], f"still running after SIGINT (of {running})"
    assert not list(out.glob(".incomplete-*")), "the temporary folder was left behind"
    assert runs._packs(out) == [runs.OLD_RUN] and runs._snapshot(out) == before


def test_a_killed_run_leaves_no_worker_or_kernel(faulty, tmp_path):
    proc, marker = start_run(faulty, "-s", "slow", "--out", str(tmp_path / "packs"), *DASK)
    try:
        assert wait_for(lambda: any("ipykernel" in cmd for _, cmd in marked_processes(marker)), 30), "no kernel"
        running = marked_processes(marker)
    finally:
        proc.kill()
        proc.communicate(timeout=10)
    # a LocalCluster's workers end with the process that started them, their kernels with them
    assert wait_until_gone(marker, 3) == [], f"still running after SIGKILL (of {running})"
