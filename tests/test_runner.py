"""wcc_analysis.runner: planning (no kernels) and execution (two small kernels)."""

from __future__ import annotations

import json

import nbformat
import pytest

from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import executors, exporters, planning, runner

# ----------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("text", "value"),
    [("2023", 2023), ("-4", -4), ("1.5", 1.5), ("1e3", 1000.0), ("True", True), ("False", False),
     ("None", None), ("museums", "museums"), ("", ""), ("a=b", "a=b"), ("true", "true")],
)
def test_values_are_typed_like_papermills_cli(text, value):
    parsed = planning.parse_parameters([f"x={text}"])
    assert parsed == {"x": value}
    assert type(parsed["x"]) is type(value)


@pytest.mark.parametrize("bad", ["year", "=2023", "2x=1", "my-name=1"])
def test_malformed_parameter_is_a_parameter_error(bad):
    with pytest.raises(ParameterError):
        planning.parse_parameters([bad])


@pytest.mark.parametrize("name", ["council", "service"])
def test_runner_parameters_cannot_be_overridden_with_p(name):
    with pytest.raises(ParameterError, match=f"--{name}"):
        planning.parse_parameters([f"{name}=x"])


# ----------------------------------------------------------------------------- plan


def test_default_plan_is_every_service_then_the_portfolio(project):
    plan = planning.plan(load_config(), council="E07000237")
    assert [ex.key for ex in plan] == [
        "museums/needs_analysis",
        "museums/broken",
        "revenues_benefits/needs_analysis",
        "portfolio/priority_setting",
    ]
    first = plan[0]
    assert first.parameters == {"council": "E07000237", "service": "museums"}
    assert first.service_name == "Museums" and first.notebook_title == "Needs analysis"
    assert first.outputs == {
        "ipynb": "museums/needs_analysis.ipynb",
        "html": "museums/needs_analysis.html",
        "code_html": "museums/needs_analysis.code.html",
    }
    assert plan[-1].parameters["service"] == "portfolio"


def test_notebook_filter_and_service_choice(project):
    config = load_config()
    assert [ex.key for ex in planning.plan(config, notebooks=["needs_analysis"])] == [
        "museums/needs_analysis",
        "revenues_benefits/needs_analysis",
    ]
    assert [ex.key for ex in planning.plan(config, services=["portfolio"])] == ["portfolio/priority_setting"]
    # repeated choices run once
    assert len(planning.plan(config, services=["museums", "museums"], notebooks=["broken", "broken"])) == 1


def test_unknown_service_lists_the_valid_ones(project):
    with pytest.raises(ParameterError) as info:
        planning.plan(load_config(), services=["museum"])
    message = str(info.value)
    assert "'museum'" in message and "museums" in message and "portfolio" in message
    assert "Did you mean 'museums'" in message


def test_unknown_notebook_lists_the_valid_ones(project):
    with pytest.raises(ParameterError) as info:
        planning.plan(load_config(), notebooks=["gap_analysis"])
    assert "gap_analysis" in str(info.value)
    assert "needs_analysis" in str(info.value) and "priority_setting" in str(info.value)


def test_notebook_that_applies_to_no_chosen_service(project):
    with pytest.raises(ParameterError, match="nothing to run"):
        planning.plan(load_config(), services=["revenues_benefits"], notebooks=["broken"])


def test_extra_parameter_must_be_declared_by_every_notebook(project):
    config = load_config()
    plan = planning.plan(config, services=["museums"], extra_params=["year=2024"])
    assert all(ex.parameters["year"] == 2024 for ex in plan)
    with pytest.raises(ParameterError) as info:
        planning.plan(config, services=["museums"], extra_params=["yaer=2024"])
    assert "'yaer'" in str(info.value) and "year" in str(info.value)
    with pytest.raises(ParameterError):
        planning.plan(config, extra_params=["year"])  # no '='


def test_missing_notebook_file_is_reported_before_anything_runs(project):
    (project / "notebooks" / "broken.ipynb").unlink()
    with pytest.raises(ParameterError, match="notebooks/broken.ipynb"):
        planning.plan(load_config(), services=["museums"])


def test_council_is_checked_against_the_authorities(project):
    council = planning.resolve_council("e07000237")
    assert council == planning.Council("E07000237", "Worcester", "SD")
    assert council.label == "Worcester (E07000237)"
    with pytest.raises(ParameterError, match="not in the list"):
        planning.resolve_council("E07999999")
    with pytest.raises(ParameterError, match="E followed by 8 digits"):
        planning.resolve_council("W06000001x")
    with pytest.raises(ParameterError):
        planning.plan(load_config(), council="S12000033")


def test_council_check_falls_back_when_ingest_has_no_authorities(project, monkeypatch):
    import wcc_analysis.ingest as ingest

    monkeypatch.delattr(ingest, "authorities", raising=False)
    assert planning.resolve_council("E07000238") == planning.Council("E07000238")


# ----------------------------------------------------------------------------- retry (no kernel)


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
    assert result.status == "failed" and result.attempts == runner.KERNEL_START_ATTEMPTS == 3
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


def test_start_failures_are_told_apart_from_other_runtime_errors():
    assert runner._is_start_failure(RuntimeError("Kernel died before replying to kernel_info"))
    assert runner._is_start_failure(OSError("Address already in use"))
    assert not runner._is_start_failure(RuntimeError("Kernel didn't respond to an execute request"))


# ----------------------------------------------------------------------------- execute (kernels)


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


# ----------------------------------------------------------------------------- registries


def test_default_exporters_are_the_reader_and_code_html():
    registered = [(e.key, e.suffix, e.label) for e in exporters.registered_exporters()]
    assert registered == [("html", ".html", "report"), ("code_html", ".code.html", "with code")]
    assert executors.executor_names() == ["process", "serial"]


def test_unknown_executor_is_a_parameter_error_naming_the_known_ones(project, tmp_path):
    plan = planning.plan(load_config(), services=["portfolio"])
    with pytest.raises(ParameterError) as info:
        runner.execute(plan, tmp_path / "pack", executor="dask")
    assert str(info.value) == "unknown executor 'dask'. Known executors: process, serial."
    assert not (tmp_path / "pack").exists()  # checked before anything is written


def test_an_exporter_cannot_overwrite_the_notebook_or_another_exporters_file():
    for key, suffix in (("ipynb", ".nb.txt"), ("copy", ".ipynb"), ("copy", ".code.html")):
        clash = type("Clash", (exporters.Exporter,), {
            "key": key, "suffix": suffix, "label": "clash", "description": "clash", "render": lambda self, nb, ex: "",
        })
        with pytest.raises(ValueError, match="clashes"):
            exporters.register_exporter(clash)
    assert [e.key for e in exporters.registered_exporters()] == ["html", "code_html"]


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
    assert runs["serial"][2] == [f"museums/{nb}{suffix}" for nb in ("broken", "needs_analysis")
                                 for suffix in (".code.html", ".html", ".ipynb")]
