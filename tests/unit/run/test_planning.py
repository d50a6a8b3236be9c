"""wcc_analysis.run: planning, parameter typing, the registries and error classification (no kernels)."""

from __future__ import annotations

import pytest

from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import executors, exporters, planning, runner


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


def test_start_failures_are_told_apart_from_other_runtime_errors():
    assert runner._is_start_failure(RuntimeError("Kernel died before replying to kernel_info"))
    assert runner._is_start_failure(OSError("Address already in use"))
    assert not runner._is_start_failure(RuntimeError("Kernel didn't respond to an execute request"))


def test_default_exporters_are_the_reader_and_code_html():
    registered = [(e.key, e.suffix, e.label) for e in exporters.registered_exporters()]
    assert registered == [("html", ".html", "report"), ("code_html", ".code.html", "with code")]
    assert executors.executor_names() == ["process", "serial", "dask"]


def test_an_exporter_cannot_overwrite_the_notebook_or_another_exporters_file():
    for key, suffix in (("ipynb", ".nb.txt"), ("copy", ".ipynb"), ("copy", ".code.html")):
        clash = type("Clash", (exporters.Exporter,), {
            "key": key, "suffix": suffix, "label": "clash", "description": "clash", "render": lambda self, nb, ex: "",
        })
        with pytest.raises(ValueError, match="clashes"):
            exporters.register_exporter(clash)
    assert [e.key for e in exporters.registered_exporters()] == ["html", "code_html"]
