"""``--out`` problems are refused before anything runs: one line naming --out and the path, what to do, exit 2."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest
from typer.testing import CliRunner

from wcc_analysis.core.config import load_config
from wcc_analysis.run import cli, planning, runner

RUN_ID = "20260101T000000Z-E07000237"


def _refused(args, *must_say):
    result = CliRunner().invoke(cli.app, ["run", "-s", "quick", *args], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --out "), lines
    for text in must_say:
        assert text in lines[0], (text, lines[0])
    assert "What to do:" in lines[0]  # the message's own advice
    assert "Preparing data" not in result.output
    return lines[0]


def _a_pack(project):
    pack_dir = project / "reports" / RUN_ID
    (pack_dir / "quick").mkdir(parents=True)
    (pack_dir / "manifest.json").write_text("{}")
    os.symlink(RUN_ID, project / "reports" / "latest", target_is_directory=True)
    return pack_dir


def test_out_is_an_existing_file(faulty):
    (faulty / "reports" / "packs.txt").write_text("not a folder")
    _refused(["--out", str(faulty / "reports" / "packs.txt")], "reports/packs.txt is a file, not a folder")


def test_out_below_a_file(faulty):
    (faulty / "reports" / "packs.txt").write_text("not a folder")
    _refused(["--out", str(faulty / "reports" / "packs.txt" / "more")],
             "reports/packs.txt/more cannot be created: reports/packs.txt is a file")
    assert (faulty / "reports" / "packs.txt").read_text() == "not a folder"


@pytest.mark.parametrize("where", ["latest", "latest/quick", RUN_ID, f"{RUN_ID}/quick/deeper",
                                   f".incomplete-{RUN_ID}"])
def test_out_inside_a_pack(faulty, where):
    pack_dir = _a_pack(faulty)
    (faulty / "reports" / f".incomplete-{RUN_ID}").mkdir()
    before = sorted(p.relative_to(faulty).as_posix() for p in (faulty / "reports").rglob("*"))
    line = _refused(["--out", str(faulty / "reports" / where)], f"--out reports/{where} is inside the pack reports/")
    assert "give --out the folder that holds the packs (e.g. reports)" in line
    assert sorted(p.relative_to(faulty).as_posix() for p in (faulty / "reports").rglob("*")) == before
    assert pack_dir.is_dir()


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                    reason="runs as root (or on Windows), where a read-only folder is still writable")
def test_out_not_writable(faulty, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        _refused(["--out", str(locked / "packs")], "is not writable", str(locked))
    finally:
        locked.chmod(0o700)


def test_a_good_out_is_created(faulty, tmp_path):
    out = tmp_path / "new" / "packs"
    result = CliRunner().invoke(cli.app, ["run", "-s", "quick", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert os.readlink(out / "latest").endswith("-E07000237")


def test_the_watchdog_kills_a_kernel_papermill_does_not_stop(faulty, tmp_path, monkeypatch):
    """papermill never returns (a kernel that never answers): the watchdog kills the kernel, reported as a timeout."""
    import subprocess

    import papermill

    monkeypatch.setattr(runner, "WATCHDOG_GRACE_S", 0.5)
    seen = {}

    def stuck(input_path, output_path, **kwargs):
        # a stand-in kernel (its command line names ipykernel) that never answers, and a papermill that waits
        kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "ipykernel"])
        seen["kernel"] = kernel
        kwargs["on_cell_start"](cell=None, cell_index=3)
        kernel.wait()
        raise RuntimeError("Kernel died")

    monkeypatch.setattr(papermill, "execute_notebook", stuck)
    ex = planning.plan(load_config(), services=["quick"])[0]
    t0 = time.monotonic()
    result = runner.run_execution(ex, tmp_path / "pack", exporters=[], timeout=1)
    assert time.monotonic() - t0 < 10
    assert seen["kernel"].poll() is not None and not runner.process_alive(seen["kernel"].pid)
    assert result.attempts == 1 and result.error["kind"] == "timeout" and result.error["timeout_s"] == 1
    assert not [t for t in threading.enumerate() if t.name == "wcc-analysis-watchdog"]
