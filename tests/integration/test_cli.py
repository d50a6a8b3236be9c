"""The wcc-analysis command line, in process (typer's CliRunner) on the tiny project."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from wcc_analysis.run import cli

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


def test_help_explains_run_with_examples():
    result = invoke("run", "--help")
    assert result.exit_code == 0
    for text in ("--service", "--notebook", "--council", "--jobs", "--out", "--parameter",
                 "Examples:", "wcc-analysis run -s museums -p comparator_k=10", "latest", "Exit code"):
        assert text in result.output, text


def test_run_reports_a_failing_notebook_and_exits_1(project, tmp_path):
    out = tmp_path / "packs"
    result = invoke("run", "--service", "museums", "--out", str(out), "-j", "2", "-p", "year=2023")
    assert result.exit_code == 1, result.output
    output = result.output
    # one line per finished execution (not a terminal), then the summary table
    assert "ok     museums/needs_analysis" in output
    assert "failed museums/broken" in output and "ValueError: the data for museums is missing" in output
    assert "service" in output and "seconds" in output
    assert "at cell index 3 (In [4])" in output
    assert "raise ValueError(" in output
    assert "latest was not moved" in output
    assert "Traceback" not in output

    (pack_dir,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert not (out / "latest").exists()  # nothing ever succeeded completely here
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    assert manifest["council"]["name"] == "Worcester"
    assert manifest["selection"] == {"services": ["museums"], "notebooks": ["needs_analysis", "broken"],
                                     "parameters": {"year": 2023}, "jobs": 2, "executor": "process"}
    by_notebook = {e["notebook"]: e for e in manifest["executions"]}
    assert by_notebook["needs_analysis"]["status"] == "ok"
    assert by_notebook["needs_analysis"]["headline"]["spend_per_head_gbp"] == 12.5
    assert by_notebook["needs_analysis"]["parameters"]["year"] == 2023
    assert by_notebook["broken"]["status"] == "failed"
    assert by_notebook["broken"]["error"]["cell_index"] == 3
    index = (pack_dir / "index.html").read_text()
    assert "museums/broken.html" in index and "£12.50" in index


def test_run_help_lists_the_executors():
    result = invoke("run", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())  # the help is wrapped to the terminal's width
    assert "--executor {process,serial,dask}" in text
    assert "process: a pool of worker processes" in text and "serial: one notebook after another" in text
    assert "dask: Dask" in text and "--scheduler ADDRESS" in text


def test_run_with_the_serial_executor(project, tmp_path):
    out = tmp_path / "packs"
    result = invoke("run", "-s", "museums", "-n", "needs_analysis", "--executor", "serial", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "1 notebook run(s), 1 at a time (serial)" in result.output
    assert "ok     museums/needs_analysis" in result.output
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert manifest["selection"]["executor"] == "serial"
    assert manifest["executions"][0]["headline"]["spend_per_head_gbp"] == 12.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "-s", "museum"], "unknown service 'museum'"),
        (["run", "-n", "nope"], "unknown notebook 'nope'"),
        (["run", "-s", "museums", "-p", "year"], "not of the form NAME=VALUE"),
        (["run", "-s", "museums", "-p", "colour=red"], "unknown parameter 'colour'"),
        (["run", "--council", "E07999999"], "E07999999"),
        (["validate", "/nonexistent/pack"], "is not a folder"),
        (["run", "-s", "museums", "--executor", "threads"],
         "unknown executor 'threads'. Known executors: process, serial, dask."),
    ],
)
def test_bad_parameters_exit_2_with_one_line_and_no_traceback(project, args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    text = result.stderr
    assert message in text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "What to do: " in lines[0]
    assert "Traceback" not in result.output and "Traceback" not in text
    assert not list((project / "reports").iterdir())  # nothing ran, nothing written


def test_list_shows_services_notebooks_and_councils(project):
    result = invoke("list")
    assert result.exit_code == 0
    for text in ("museums", "Revenues and Benefits", "portfolio", "priority_setting", "Broken on purpose",
                 "E07000237", "Worcester"):
        assert text in result.output, text


def test_ingest_prints_row_counts(project, monkeypatch):
    import pandas as pd

    import wcc_analysis.ingest as ingest

    def build_all(progress=None):
        pd.DataFrame({"a": range(1500)}).to_parquet(project / "data" / "processed" / "outturn.parquet")

    monkeypatch.setattr(ingest, "build_all", build_all, raising=False)
    result = invoke("ingest")
    assert result.exit_code == 0
    assert "outturn" in result.output and "1,500" in result.output


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and "wcc-analysis" in result.output


def test_console_script_is_declared():
    # pyproject declares wcc-analysis = wcc_analysis.run.cli:main
    assert callable(cli.main)
    assert os.path.basename(cli.__file__) == "cli.py"


def test_run_summary_warns_about_sources_more_than_two_years_old(project, tmp_path):
    import nbformat

    nb = nbformat.read(project / "notebooks" / "needs_analysis.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "wcc_analysis.record(data_used=[{'source': 'DEFRA household recycling', 'covers': '2021-22', "
        "'used': '2021-22', 'release': '2021-22', 'period_end': '2022-03-31', 'illustrative': False}])"))
    nbformat.write(nb, project / "notebooks" / "needs_analysis.ipynb")
    out = tmp_path / "packs"
    result = invoke("run", "-s", "museums", "-n", "needs_analysis", "--executor", "serial", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ("Data currency: 1 of 1 source is more than two years old: DEFRA household recycling "
            "(latest period ended 31 March 2022).") in text
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert manifest["data_currency"][0]["stale"] is True


def test_run_summary_is_quiet_when_no_source_is_old(project, tmp_path):
    result = invoke("run", "-s", "museums", "-n", "needs_analysis", "--executor", "serial",
                    "--out", str(tmp_path / "packs"))
    assert result.exit_code == 0 and "Data currency" not in result.output


def test_data_help_explains_status_and_add_with_examples():
    result = invoke("data", "--help")
    assert result.exit_code == 0 and "status" in result.output and "add" in result.output
    status = invoke("data", "status", "--help")
    for text in ("--write-catalogue", "--plain", "Examples:", "changed since added", "kept for reference",
                 "31 March", "30 June"):
        assert text in " ".join(status.output.split()), text
    add = invoke("data", "add", "--help")
    for text in ("PATH_OR_URL", "--timeout", "--dry-run", "Examples:", "already", "Exit code", "RSX",
                 "mid-year", "collected waste"):
        assert text in " ".join(add.output.split()), text
