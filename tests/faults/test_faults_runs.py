"""Whole runs interrupted (SIGINT), killed (SIGKILL at seeded random moments) and run two at once.

Each run is a separate ``wcc-analysis run`` process on the tiny project (faultkit.start_run). What must hold:
the previous pack and ``latest`` are never touched, no worker or kernel outlives the run by more than a few
seconds, the next run removes what a killed run left, and ``latest`` ends on the newest complete pack.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faultkit import marked_processes, needs_proc, start_run, wait_for, wait_until_gone

from wcc_analysis.run import pack_folders, runner

OLD_RUN = "20200101T000000Z-E07000237"

pytestmark = needs_proc


def _earlier_pack(out: Path) -> dict[str, bytes]:
    """A finished pack from an earlier run, with ``latest`` on it; returns a snapshot of the folder."""
    folder = out / OLD_RUN
    (folder / "quick").mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"run_id": OLD_RUN, "status": "ok"}))
    (folder / "index.html").write_text("<html>the earlier pack</html>")
    (folder / "quick" / "quick.html").write_text("<html>an earlier report</html>")
    os.symlink(OLD_RUN, out / "latest", target_is_directory=True)
    return _snapshot(out)


def _snapshot(out: Path) -> dict[str, bytes]:
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / OLD_RUN).rglob("*") if p.is_file()}
    files["latest ->"] = os.readlink(out / "latest").encode()
    return files


def _started_notebook(out: Path) -> bool:
    """True once a run has started executing a notebook (papermill writes its output notebook first)."""
    return any(out.glob(f"{pack_folders.INCOMPLETE_PREFIX}*/*/*.ipynb"))


def _packs(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if not p.name.startswith(".") and p.name != "latest")


@pytest.mark.parametrize("executor", ["process", "serial"])
def test_sigint_stops_the_run_cleanly(faulty, tmp_path, executor):
    out = tmp_path / "packs"
    out.mkdir()
    before = _earlier_pack(out)
    proc, marker = start_run(faulty, "-s", "slow", "-s", "slower", "--out", str(out), "-j", "2",
                             "--executor", executor)
    try:
        assert wait_for(lambda: _started_notebook(out), 30), "no notebook started"
        # the run and a kernel (and, with the process executor, its workers)
        assert wait_for(lambda: len(marked_processes(marker)) >= (3 if executor == "process" else 2), 10)
        running = marked_processes(marker)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=15)
        took = time.monotonic() - t0
    finally:
        proc.kill()
    assert proc.returncode == 130, output
    assert took < 5, f"the run took {took:.1f} s to stop after SIGINT"
    assert "interrupted; no pack was written" in output and "Traceback" not in output
    assert wait_until_gone(marker, 3) == [], f"still running after SIGINT (of {running})"
    assert not list(out.glob(".incomplete-*")), "the temporary folder was left behind"
    assert _packs(out) == [OLD_RUN] and _snapshot(out) == before


def test_sigkill_at_random_moments_leaves_the_last_pack_and_no_process(faulty, tmp_path):
    out = tmp_path / "packs"
    out.mkdir()
    before = _earlier_pack(out)
    rng = random.Random(20261202)
    # seeded moments from start-up (imports, before the pack folder exists) to mid-notebook; then one more
    # trial killed just after its first notebook started (None), so that one kill surely leaves a folder behind
    delays: list[float | None] = [round(rng.uniform(0.3, 4.5), 2) for _ in range(10)] + [None]
    survivors: dict[float | None, list] = {}
    t_start = time.monotonic()
    for delay in delays:
        proc, marker = start_run(faulty, "-s", "slow", "--out", str(out), "-j", "2")
        if delay is None:
            assert wait_for(lambda: _started_notebook(out), 30)
        else:
            time.sleep(delay)
        proc.kill()
        proc.communicate(timeout=10)
        alive = wait_until_gone(marker, 3)  # the workers at once (PDEATHSIG), kernels within a second
        if alive:
            survivors[delay] = alive
            for pid, _ in alive:  # do not leave them for the next trial
                os.kill(pid, signal.SIGKILL)
        assert _packs(out) == [OLD_RUN] and _snapshot(out) == before, f"killed after {delay} s"
    assert not survivors, f"processes outlived the killed run: {survivors}"
    assert time.monotonic() - t_start < 60
    left = sorted(p.name for p in out.glob(".incomplete-*"))
    assert left, "the kill after a notebook started left no folder: the next check proves nothing"

    # a run still writing (this test process, alive) and one without an owner file (an older version's, or
    # one being created this instant) are never removed by the next run; the killed runs' folders are
    alive_owner = out / ".incomplete-20300101T000000Z-E07000237"
    alive_owner.mkdir()
    (alive_owner / pack_folders.OWNER).write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename,
                                                      "identity": runner.process_identity(os.getpid())}))
    no_owner = out / ".incomplete-20300101T000001Z-E07000237"
    no_owner.mkdir()
    reused = out / ".incomplete-20300101T000002Z-E07000237"  # its pid now belongs to another process
    reused.mkdir()
    (reused / pack_folders.OWNER).write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename,
                                                 "identity": "proc:1"}))
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("_run_cli.py")), "run", "-s", "quick",
                           "--out", str(out)], env={**os.environ, "WCC_ANALYSIS_HOME": str(faulty)},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    remaining = sorted(p.name for p in out.glob(".incomplete-*"))
    assert remaining == [alive_owner.name, no_owner.name], done.stderr
    assert done.stderr.count("left by a run that was stopped before it finished") == len(left) + 1
    (new,) = [name for name in _packs(out) if name != OLD_RUN]
    assert os.readlink(out / "latest") == new
    assert not (out / new / pack_folders.OWNER).exists()  # the owner file is not part of a finished pack


def test_latest_ends_on_the_newer_of_two_runs_at_once(faulty, tmp_path):
    out = tmp_path / "packs"
    older, older_marker = start_run(faulty, "-s", "slower", "--out", str(out), "-j", "1")
    try:
        assert wait_for(lambda: _started_notebook(out), 30)
        newer, _ = start_run(faulty, "-s", "quick", "--out", str(out), "-j", "1")
        newer_output, _ = newer.communicate(timeout=60)
        older_output, _ = older.communicate(timeout=60)
    finally:
        older.kill()
    assert newer.returncode == 0, newer_output
    assert older.returncode == 0, older_output
    manifests = {name: json.loads((out / name / "manifest.json").read_text()) for name in _packs(out)}
    (first, second) = sorted(manifests, key=lambda name: manifests[name]["started"] + name)
    assert manifests[first]["selection"]["services"] == ["slower"]  # the run that started first…
    assert manifests[first]["finished"] >= manifests[second]["finished"]  # …finished last
    assert pack_folders.run_order(first) < pack_folders.run_order(second)
    assert os.readlink(out / "latest") == second
    assert wait_until_gone(older_marker, 3) == []


@pytest.mark.parametrize("ids", [("20260101T000000Z-E07000237", "20260101T000000Z-E07000237-2"),
                                 ("20251231T235959Z-E07000238-9", "20260101T000000Z-E07000237")])
def test_update_latest_never_moves_back_to_an_older_pack(tmp_path, ids):
    older, newer = ids
    for name in ids:
        (tmp_path / name).mkdir()
    assert pack_folders.update_latest(tmp_path, newer)
    assert not pack_folders.update_latest(tmp_path, older)  # finished last, but started first
    assert os.readlink(tmp_path / "latest") == newer
    (tmp_path / newer).rename(tmp_path / "gone")  # latest broken: any pack may repair it
    assert pack_folders.update_latest(tmp_path, older) and os.readlink(tmp_path / "latest") == older
