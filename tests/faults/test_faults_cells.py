"""A cell that never ends (--timeout), a kernel killed mid-run, a cell that raises: reported, the others still run."""

from __future__ import annotations

import json
import time

import pytest
from faultkit import needs_proc
from typer.testing import CliRunner

from wcc_analysis.core.config import load_config
from wcc_analysis.run import cli, planning, runner

invoke = CliRunner().invoke


def _entries(out):
    (pack_dir,) = [p for p in out.iterdir() if not p.name.startswith(".") and p.name != "latest"]
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    return pack_dir, manifest, {e["notebook"]: e for e in manifest["executions"]}


@needs_proc
@pytest.mark.parametrize("executor", ["process", "serial"])
def test_a_hanging_cell_is_stopped_at_the_timeout_and_named(faulty, tmp_path, executor):
    out = tmp_path / "packs"
    t0 = time.monotonic()
    result = invoke(cli.app, ["run", "-s", "faulty", "--out", str(out), "--timeout", "5", "-j", "2",
                              "--executor", executor], catch_exceptions=False)
    took = time.monotonic() - t0
    assert result.exit_code == 1, result.output
    assert took < 40, f"the run took {took:.0f} s with --timeout 5"
    pack_dir, manifest, by_notebook = _entries(out)
    assert manifest["status"] == "failed"
    assert by_notebook["quick"]["status"] == "ok"  # the other notebook still ran
    hang = by_notebook["hang"]
    assert hang["status"] == "failed" and hang["attempts"] == 1
    error = hang["error"]
    assert error["kind"] == "timeout" and error["ename"] == "Timeout" and error["timeout_s"] == 5
    assert error["cell_index"] == 3  # markdown, parameters, print, the loop (source notebook, no injected cell)
    assert error["source_first_line"] == "import time"
    assert "cell 3" in error["evalue"] and "notebooks/hang.ipynb" in error["evalue"] and "5 s" in error["evalue"]
    assert "--timeout" in error["evalue"]
    assert "FAILED faulty/hang at cell index 3" in result.output and "Timeout:" in result.output
    index = (pack_dir / "index.html").read_text()
    assert "the 4th cell of <code>notebooks/hang.ipynb" in index and "Timeout" in index
    assert not (out / "latest").exists()
    assert not runner.kernels_of(), "a kernel of the run is still running"


@pytest.mark.parametrize("value", ["0", "-3", "nan", "inf"])
def test_timeout_must_be_more_than_zero(faulty, tmp_path, value):
    out = tmp_path / "packs"
    result = invoke(cli.app, ["run", "-s", "quick", "--out", str(out), f"--timeout={value}"], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("error: --timeout must be a number of seconds greater than 0"), lines
    assert len(lines) == 1 and "What to do:" in lines[0]  # one line: what, where, what to do
    assert "Checking the inputs" not in result.output and not out.exists()


@needs_proc
def test_a_kernel_killed_mid_run_is_reported_and_not_retried(faulty, tmp_path):
    out = tmp_path / "packs"
    t0 = time.monotonic()
    result = invoke(cli.app, ["run", "-s", "dies", "--out", str(out), "-j", "2"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert time.monotonic() - t0 < 40
    pack_dir, manifest, by_notebook = _entries(out)
    assert by_notebook["quick"]["status"] == "ok"
    dead = by_notebook["kill_kernel"]
    assert dead["status"] == "failed"
    assert dead["attempts"] == 1  # not retried: the kernel had started and run cells
    error = dead["error"]
    assert error["kind"] == "kernel_died" and error["ename"] == "KernelDied"
    assert error["cell_index"] == 3 and error["source_first_line"] == "import os"
    assert "the kernel died while cell 3" in error["evalue"] and "not retried" in error["evalue"]
    assert "KernelDied: the kernel died" in result.output
    assert "did not start" not in (pack_dir / "index.html").read_text()  # not mistaken for a start failure


def test_a_kernel_that_dies_at_start_is_still_retried(faulty, tmp_path, monkeypatch):
    """Only a kernel that never came up is retried: the same 'Kernel died' before any cell ran is a start failure."""
    import papermill

    calls = []

    def fake(input_path, output_path, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("Kernel died")  # no on_cell_start: no cell began
        kwargs["on_cell_start"](cell=None, cell_index=2)
        raise RuntimeError("Kernel died")

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    ex = planning.plan(load_config(), services=["quick"])[0]
    result = runner.run_execution(ex, tmp_path / "pack", exporters=[])
    assert len(calls) == 2 and result.attempts == 2
    assert result.error["kind"] == "kernel_died"
    assert calls[0]["execution_timeout"] == runner.DEFAULT_TIMEOUT_S == 1800


def test_a_raising_cell_is_named_in_the_manifest_and_the_front_page(faulty, tmp_path):
    out = tmp_path / "packs"
    result = invoke(cli.app, ["run", "-s", "museums", "--out", str(out), "-j", "2"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    pack_dir, manifest, by_notebook = _entries(out)
    assert by_notebook["needs_analysis"]["status"] == "ok"
    error = by_notebook["broken"]["error"]
    assert (error["kind"], error["cell_index"], error["execution_count"]) == ("cell", 3, 4)
    index = (pack_dir / "index.html").read_text()
    assert "the 4th cell of <code>notebooks/broken.ipynb</code>" in index
    assert "shown as In&nbsp;[4]" in index and "raise ValueError(" in index
