"""wcc_analysis.run.runner and the executors: real small kernels on the tiny project (tests/conftest.py)."""

from __future__ import annotations

import json

import nbformat
import pytest

from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import exporters, planning, runner


def _fake_papermill(monkeypatch, failures: list[BaseException]):
    """papermill.execute_notebook that raises the given errors first, then 'executes' by copying."""
    import papermill

    calls = []

    def fake(input_path, output_path, **kwargs):
        calls.append(kwargs)
        nb = nbformat.read(input_path, as_version=4)
        for cell in nb.cells:
            cell.setdefault("metadata", {})["papermill"] = {"status": "pending"}
        nbformat.write(nb, output_path)  # what papermill writes before starting the kernel
        if failures:
            raise failures.pop(0)

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    return calls


def test_a_kernel_that_fails_to_start_is_retried_once(project, tmp_path, monkeypatch):
    calls = _fake_papermill(monkeypatch, [RuntimeError("Kernel died before replying to kernel_info")])
    ex = planning.plan(load_config(), services=["portfolio"])[0]
    result = runner.run_execution(ex, tmp_path / "pack")
    assert result.status == "ok" and result.attempts == 2 and len(calls) == 2
    assert calls[0]["kernel_name"] == "python3" and calls[0]["progress_bar"] is False
    assert (tmp_path / "pack" / "portfolio" / "priority_setting.html").is_file()


def test_a_kernel_that_never_starts_fails_after_three_attempts(project, tmp_path, monkeypatch):
    _fake_papermill(monkeypatch, [TimeoutError("no reply")] * 3)
    ex = planning.plan(load_config(), services=["portfolio"])[0]
    result = runner.run_execution(ex, tmp_path / "pack")
    assert result.status == "failed" and result.attempts == runner.KERNEL_START_ATTEMPTS == 2  # one retry
    assert result.error["kind"] == "kernel" and result.error["ename"] == "TimeoutError"


def test_a_port_clash_at_start_is_retried_even_if_papermill_marked_a_cell(project, tmp_path, monkeypatch):
    import papermill

    calls = []

    def fake(input_path, output_path, **kwargs):
        calls.append(1)
        nb = nbformat.read(input_path, as_version=4)
        for cell in nb.cells:
            cell.setdefault("metadata", {})["papermill"] = {"status": "running"}
        nbformat.write(nb, output_path)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", fake)
    ex = planning.plan(load_config(), services=["portfolio"])[0]
    result = runner.run_execution(ex, tmp_path / "pack")
    assert result.status == "ok" and result.attempts == 2


def test_execute_records_a_failing_cell_and_still_runs_the_other(project, tmp_path):
    plan = planning.plan(load_config(), services=["museums"], extra_params={"year": 2023})
    seen = {"started": [], "finished": []}

    class Recorder:
        def started(self, ex):
            seen["started"].append(ex.key)

        def finished(self, result):
            assert result.execution.key in seen["started"]
            seen["finished"].append(result.execution.key)

    out = tmp_path / "pack"
    results = runner.execute(plan, out, jobs=2, progress=Recorder())
    assert [r.execution.key for r in results] == ["museums/needs_analysis", "museums/broken"]
    assert sorted(seen["finished"]) == sorted(seen["started"]) == sorted(ex.key for ex in plan)

    good, bad = results
    assert good.status == "ok" and good.error is None
    assert good.headline == {"spend_per_head_gbp": 12.5, "population": 103872,
                             "comparators": ["A", "B", "C", "D", "E"]}
    assert bad.status == "failed"
    assert bad.error == {
        "kind": "cell",
        "cell_index": 3,  # in notebooks/broken.ipynb (the injected cell is not counted)
        "execution_count": 4,
        "ename": "ValueError",
        "evalue": "the data for museums is missing",
        "source_first_line": "raise ValueError('the data for ' + service + ' is missing')",
    }
    for result in results:
        assert result.duration_s > 0
        for rel in result.outputs.values():
            assert (out / rel).is_file(), rel
        assert set(result.outputs) == {"ipynb", "html", "code_html"}

    # the executed notebook: parameters injected, no absolute paths in its metadata
    text = (out / "museums" / "needs_analysis.ipynb").read_text()
    assert str(tmp_path) not in text and str(project) not in text
    nb = json.loads(text)
    assert nb["metadata"]["papermill"]["input_path"] == "notebooks/needs_analysis.ipynb"
    assert nb["metadata"]["papermill"]["parameters"]["year"] == 2023

    # reader HTML: no code, no injected parameters cell; code HTML has both; no CDN scripts
    reader = (out / "museums" / "needs_analysis.html").read_text()
    code = (out / "museums" / "needs_analysis.code.html").read_text()
    assert "museums in E07000237, year 2023" in reader
    assert "print(f" not in reader and "Parameters" not in reader and "injected-parameters" not in reader
    assert "print" in code and "injected-parameters" in code
    for page in (reader, code):
        assert "<script src=" not in page
    broken_reader = (out / "museums" / "broken.html").read_text()
    assert "papermill-error-cell" in broken_reader and "the data for museums is missing" in broken_reader


def test_unknown_executor_is_a_parameter_error_naming_the_known_ones(project, tmp_path):
    plan = planning.plan(load_config(), services=["portfolio"])
    with pytest.raises(ParameterError) as info:
        runner.execute(plan, tmp_path / "pack", executor="threads")
    assert str(info.value) == "unknown executor 'threads'. Known executors: process, serial, dask."
    assert not (tmp_path / "pack").exists()  # checked before anything is written


def test_run_execution_writes_only_the_chosen_exporters(project, tmp_path, monkeypatch):
    _fake_papermill(monkeypatch, [])

    class CellCount(exporters.Exporter):
        key, suffix, label, description = "cells", ".cells.txt", "cells", "the number of cells"

        def render(self, nb, execution):
            return f"{execution.key}: {len(nb.cells)} cells"

    ex = planning.plan(load_config(), services=["portfolio"])[0]
    seen = []
    result = runner.run_execution(ex, tmp_path / "pack", started=seen.append, exporters=[CellCount()])
    assert result.ok and seen == [ex]
    assert result.outputs == {"ipynb": "portfolio/priority_setting.ipynb", "cells": "portfolio/priority_setting.cells.txt"}
    assert (tmp_path / "pack" / "portfolio" / "priority_setting.cells.txt").read_text() == (
        "portfolio/priority_setting: 4 cells"
    )
    assert sorted(p.name for p in (tmp_path / "pack" / "portfolio").iterdir()) == [
        "priority_setting.cells.txt", "priority_setting.ipynb"
    ]
    assert "cells" not in ex.outputs  # chosen for this call, not registered


def test_serial_and_process_executors_give_the_same_results(project, tmp_path):
    plan = planning.plan(load_config(), services=["museums"], extra_params={"year": 2023})
    runs = {}
    for name in ("serial", "process"):
        events = []

        class Recorder:
            def started(self, ex):
                events.append(("started", ex.key))

            def finished(self, result):
                events.append(("finished", result.execution.key))

        out = tmp_path / name
        results = runner.execute(plan, out, jobs=2, progress=Recorder(), executor=name)
        for key in (ex.key for ex in plan):  # each announced once, started before finished
            assert [e for e in events if e[1] == key] == [("started", key), ("finished", key)], name
        cells = {
            r.execution.key: [c.get("outputs") for c in nbformat.read(out / r.outputs["ipynb"], as_version=4).cells]
            for r in results
        }
        files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        runs[name] = ([(r.execution.key, r.status, r.attempts, r.headline, r.outputs, r.error) for r in results],
                      cells, files)
    assert runs["serial"] == runs["process"]
    statuses = [row[1] for row in runs["serial"][0]]
    assert statuses == ["ok", "failed"]
    assert runs["serial"][2] == ["assets/report.css"] + [f"museums/{nb}{suffix}" for nb in ("broken", "needs_analysis")
                                                          for suffix in (".code.html", ".html", ".ipynb")]
