"""wcc_analysis.run.pack and wcc_analysis.run.validate.

Most tests replace the runner's execute with a fake (no kernels); one builds a
real one-notebook pack and validates it, then a tampered copy.
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from datetime import UTC, datetime

import nbformat
import pytest

from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import exporters, index_page, pack, pack_folders, planning, runner
from wcc_analysis.run.planning import Council
from wcc_analysis.run.runner import ExecutionResult
from wcc_analysis.run.validate import validate_pack

WORCESTER = Council("E07000237", "Worcester", "SD")


def fake_execute(fail: set[str] = frozenset(), headline: dict | None = None, raise_exc=None):
    """Stands in for runner.execute: writes the three files per execution, no kernel."""

    def execute(executions, out_dir, jobs=None, progress=None, executor="process", executor_options=None):
        if raise_exc:
            raise raise_exc
        results = []
        for ex in executions:
            for rel in ex.outputs.values():
                target = out_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("{}" if rel.endswith(".ipynb") else "<html></html>")
            failed = ex.key in fail
            results.append(
                ExecutionResult(
                    execution=ex,
                    status="failed" if failed else "ok",
                    duration_s=1.25,
                    headline={} if failed else dict(headline or {"spend_per_head_gbp": 4.5}),
                    outputs=dict(ex.outputs),
                    error={"kind": "cell", "cell_index": 3, "execution_count": 4, "ename": "KeyError",
                           "evalue": "'museums'", "source_first_line": "table.loc[service]"}
                    if failed else None,
                )
            )
        return results

    return execute


class PlainText(exporters.Exporter):
    """A test format: the text the notebook printed (module level, so worker processes can unpickle it)."""

    key, suffix, label, description = "text", ".txt", "plain text", "what the notebook printed"

    def render(self, nb, execution):
        return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")


@contextmanager
def registered(exporter: type[exporters.Exporter]):
    exporters.register_exporter(exporter)
    try:
        yield
    finally:
        exporters.unregister_exporter(exporter.key)


def build(project_root, monkeypatch, out=None, **fake):
    monkeypatch.setattr(runner, "execute", fake_execute(**fake))
    config = load_config()
    plan = planning.plan(config, council=WORCESTER, notebooks=["needs_analysis", "priority_setting"])
    return pack.build(config, plan, WORCESTER, out_dir=out or project_root / "reports", jobs=2)


def test_pack_layout_manifest_and_latest(project, monkeypatch):
    built = build(project, monkeypatch)
    reports = project / "reports"
    assert built.ok and built.latest
    assert built.path == reports / built.run_id
    assert sorted(p.name for p in reports.iterdir()) == [built.run_id, "latest"]
    assert not [p for p in reports.iterdir() if p.name.startswith(".incomplete")]
    assert os.readlink(reports / "latest") == built.run_id  # relative link
    assert (reports / "latest" / "index.html").is_file()

    manifest = json.loads((built.path / "manifest.json").read_text())
    assert manifest == built.manifest
    assert manifest["run_id"] == built.run_id
    assert built.run_id.endswith("-E07000237") and built.run_id[8] == "T" and built.run_id[15] == "Z"
    assert manifest["council"] == {"code": "E07000237", "name": "Worcester", "rs_class": "SD"}
    assert manifest["status"] == "ok"
    start = datetime.fromisoformat(manifest["started"].replace("Z", "+00:00"))
    finish = datetime.fromisoformat(manifest["finished"].replace("Z", "+00:00"))
    assert start <= finish and start.tzinfo == UTC and manifest["duration_s"] >= 0
    assert manifest["package"]["version"]
    assert manifest["git"] is None  # the tmp project is not a git checkout
    assert manifest["python"].count(".") == 2
    for name in ("pandas", "matplotlib", "papermill", "nbformat", "nbconvert", "nbval", "pandera",
                 "pyarrow", "ipykernel", "python-calamine"):
        assert name in manifest["versions"]
    assert list(manifest["inputs"]) == ["data/raw/council/E07000237/budget.csv", "data/raw/public/x.csv"]
    assert manifest["inputs"]["data/raw/public/x.csv"] == (
        "492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470"  # sha256 of "a,b\n1,2\n"
    )
    assert [(e["service"], e["notebook"]) for e in manifest["executions"]] == [
        ("museums", "needs_analysis"), ("revenues_benefits", "needs_analysis"), ("portfolio", "priority_setting")
    ]
    first = manifest["executions"][0]
    assert first["parameters"] == {"council": "E07000237", "service": "museums"}
    assert first["status"] == "ok" and first["duration_s"] == 1.25
    assert first["headline"] == {"spend_per_head_gbp": 4.5}
    assert first["outputs"]["html"] == "museums/needs_analysis.html"
    assert str(project) not in json.dumps(manifest)  # no absolute paths


def test_council_without_own_files_is_fine(project, monkeypatch):
    shutil.rmtree(project / "data" / "raw" / "council" / "E07000237")
    built = build(project, monkeypatch)
    assert list(built.manifest["inputs"]) == ["data/raw/public/x.csv"]


def test_failed_pack_is_kept_but_latest_stays_on_the_last_good_one(project, monkeypatch):
    good = build(project, monkeypatch)
    bad = build(project, monkeypatch, fail={"museums/needs_analysis"})
    reports = project / "reports"
    assert good.run_id != bad.run_id  # same second: suffixed
    assert not bad.ok and not bad.latest and bad.path.is_dir()
    assert os.readlink(reports / "latest") == good.run_id
    assert bad.manifest["status"] == "failed"
    entry = bad.manifest["executions"][0]
    assert entry["status"] == "failed" and entry["error"]["cell_index"] == 3
    assert entry["error"]["ename"] == "KeyError" and entry["error"]["source_first_line"] == "table.loc[service]"
    index = (bad.path / "index.html").read_text()
    assert "Failures" in index and "KeyError" in index and "the 4th cell of <code>notebooks/needs_analysis.ipynb" in index
    assert "table.loc[service]" in index and "museums/needs_analysis.html#papermill-error-cell" in index
    # a later good pack moves latest again
    newer = build(project, monkeypatch)
    assert os.readlink(reports / "latest") == newer.run_id
    assert not [p for p in reports.iterdir() if p.name.startswith(".")]


def test_an_interrupted_run_leaves_no_temporary_folder(project, monkeypatch):
    with pytest.raises(KeyboardInterrupt):
        build(project, monkeypatch, raise_exc=KeyboardInterrupt())
    assert list((project / "reports").iterdir()) == []


def test_run_id_collision_gets_a_suffix(tmp_path):
    base = pack_folders.new_run_id("E07000237", datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert base == "20250102T030405Z-E07000237"
    (tmp_path / base).mkdir()
    (tmp_path / f".incomplete-{base}-2").mkdir()  # another run in progress
    run_id, tmp, final = pack_folders.reserve(tmp_path, base)
    assert run_id == f"{base}-3" and tmp.is_dir() and not final.exists()


def test_latest_is_replaced_atomically_and_a_real_folder_is_left_alone(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert pack_folders.update_latest(tmp_path, "a") and os.readlink(tmp_path / "latest") == "a"
    assert pack_folders.update_latest(tmp_path, "b") and os.readlink(tmp_path / "latest") == "b"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "latest"]
    os.unlink(tmp_path / "latest")
    (tmp_path / "latest").mkdir()
    assert not pack_folders.update_latest(tmp_path, "a")
    assert (tmp_path / "latest").is_dir() and not (tmp_path / "latest").is_symlink()


def test_index_links_and_readable_headline_figures(project, monkeypatch):
    figures = {"spend_per_head_gbp": 1234567.891, "population": 103872, "share_pct": 12.5,
               "comparators": ["Exeter", "Lincoln", "Gloucester", "Norwich", "Oxford", "Ipswich"],
               "small": 0.000123, "net_gbp": -5.5, "flag": True, "missing": None}
    built = build(project, monkeypatch, headline=figures)
    index = (built.path / "index.html").read_text()
    assert "Worcester (E07000237)" in index and built.run_id in index
    assert "How to read this pack" in index
    for rel in ("museums/needs_analysis.html", "museums/needs_analysis.code.html",
                "museums/needs_analysis.ipynb", "portfolio/priority_setting.html", "manifest.json"):
        assert f"href='{rel}'" in index or f'href="{rel}"' in index, rel
    assert "Museums" in index and "Revenues and Benefits" in index and "Whole portfolio" in index
    assert "Needs analysis" in index and "Priority setting" in index
    assert "£1,234,568" in index and "103,872" in index and "12.5%" in index
    assert "Exeter, Lincoln, Gloucester, Norwich … and 2 more" in index
    assert "−£5.50" in index and "0.000123" in index
    assert "not run" in index  # museums/broken applies but was not chosen
    assert "<script" not in index and "http" not in index.replace("http-equiv", "")


def test_the_default_outputs_and_index_links_are_unchanged(project, monkeypatch):
    built = build(project, monkeypatch)
    (entry, *_) = built.manifest["executions"]
    assert entry["outputs"] == {"ipynb": "museums/needs_analysis.ipynb", "html": "museums/needs_analysis.html",
                                "code_html": "museums/needs_analysis.code.html"}
    assert (
        "<div class='links'><a href='museums/needs_analysis.html'>report</a> "
        "<a href='museums/needs_analysis.code.html'>with code</a> "
        "<a href='museums/needs_analysis.ipynb'>notebook</a></div>"
    ) in (built.path / "index.html").read_text()
    assert built.manifest["selection"] == {"services": ["museums", "revenues_benefits", "portfolio"],
                                           "notebooks": ["needs_analysis", "priority_setting"],
                                           "parameters": {}, "jobs": 2, "executor": "process"}


def test_a_registered_exporter_is_planned_written_and_linked(project, tmp_path):
    config = load_config()
    plan = planning.plan(config, services=["museums"], notebooks=["needs_analysis"], council=WORCESTER,
                         extra_params={"year": 2023})
    default = plan[0].outputs
    with registered(PlainText):
        assert plan[0].outputs == {**default, "text": "museums/needs_analysis.txt"}
        # worker processes run it too (the process executor hands them the parent's exporters)
        built = pack.build(config, plan, WORCESTER, out_dir=tmp_path / "packs", jobs=1, executor="process")
        assert built.ok, built.results[0].error
        assert built.manifest["executions"][0]["outputs"] == plan[0].outputs
    assert plan[0].outputs == default  # unregistered again
    assert list(default) == ["ipynb", "html", "code_html"]
    assert (built.path / "museums" / "needs_analysis.txt").read_text() == "museums in E07000237, year 2023\n"
    assert (
        "<a href='museums/needs_analysis.code.html'>with code</a> "
        "<a href='museums/needs_analysis.txt'>plain text</a> "
        "<a href='museums/needs_analysis.ipynb'>notebook</a></div>"
    ) in (built.path / "index.html").read_text()


def test_unknown_executor_fails_before_any_pack_is_started(project, monkeypatch):
    monkeypatch.setattr(runner, "prepare_data", lambda: pytest.fail("data prepared for a bad executor"))
    plan = planning.plan(load_config(), services=["portfolio"], council=WORCESTER)
    with pytest.raises(ParameterError, match="Known executors: process, serial, dask"):
        pack.build(load_config(), plan, WORCESTER, out_dir=project / "reports", executor="threads")
    assert list((project / "reports").iterdir()) == []


@pytest.mark.parametrize(
    ("value", "key", "text"),
    [(1234567, "population", "1,234,567"), (12.3456, "x", "12.35"), (4.5, "spend_gbp", "£4.50"),
     (2500.4, "spend_gbp", "£2,500"), (3.0, "growth_pct", "3%"), ([1000, 2000], "x", "1,000, 2,000"),
     ({"a": 1, "b": 2.5}, "x", "a: 1; b: 2.5"), (None, "x", "n/a"), ("text", "x", "text")],
)
def test_format_value(value, key, text):
    assert index_page.format_value(value, key) == text


# ----------------------------------------------------------------------------- validate (kernels)


def test_validate_passes_on_a_fresh_pack_and_fails_when_tampered(project, tmp_path):
    config = load_config()
    plan = planning.plan(config, services=["museums"], notebooks=["needs_analysis"], council=WORCESTER)
    built = pack.build(config, plan, WORCESTER, out_dir=tmp_path / "packs", jobs=1)
    assert built.ok, built.results[0].error

    fresh = validate_pack(built.path)
    assert [(r.path, r.status) for r in fresh] == [("museums/needs_analysis.ipynb", "pass")]
    assert fresh[0].cells_checked >= 3 and fresh[0].first_difference is None

    tampered = tmp_path / "tampered"
    shutil.copytree(built.path, tampered)
    path = tampered / "museums" / "needs_analysis.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = output["text"].replace("year 2023", "year 2024")
    nbformat.write(nb, path)
    (result,) = validate_pack(tampered)
    assert result.status == "fail" and result.cells_failed == 1
    assert "year 2024" in result.first_difference and "\x1b" not in result.first_difference


def test_validate_skips_notebooks_that_failed_in_the_run(project, tmp_path):
    manifest = {"executions": [{"status": "failed", "outputs": {"ipynb": "s/n.ipynb"},
                                "error": {"ename": "KeyError", "cell_index": 3}}]}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (result,) = validate_pack(tmp_path)
    assert result.status == "skipped" and "KeyError in cell 3" in result.first_difference


# ----------------------------------------------------------------------------- data currency

STARTED = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
DATA_USED = [
    {"source": "MHCLG revenue outturn", "covers": "2010-11 to 2024-25", "used": "2024-25, Worcester",
     "release": "time series v3.1", "period_end": "2025-03-31", "illustrative": False},
    {"source": "DEFRA household recycling", "covers": "2021-22", "used": "2021-22, every district",
     "release": "2021-22", "period_end": "2022-03-31", "illustrative": False},
]


def test_manifest_data_currency_merges_the_executions_and_ages_them_on_the_run_date(project, monkeypatch):
    monkeypatch.setattr(runner, "execute", fake_execute(headline={"spend_per_head_gbp": 4.5, "data_used": DATA_USED}))
    config = load_config()
    plan = planning.plan(config, council=WORCESTER, notebooks=["needs_analysis", "priority_setting"])
    built = pack.build(config, plan, WORCESTER, out_dir=project / "reports", jobs=2, started=STARTED)
    manifest = json.loads((built.path / "manifest.json").read_text())
    assert manifest["schema"] == pack.MANIFEST_SCHEMA == 3
    assert manifest["started"] == "2026-11-27T03:00:00Z"
    currency = manifest["data_currency"]
    assert [e["source"] for e in currency] == ["DEFRA household recycling", "MHCLG revenue outturn"]  # oldest first
    recycling, outturn = currency
    assert recycling["age_days"] == 1702 and recycling["stale"] is True and recycling["age"] == "4 years 7 months old"
    assert outturn["age_days"] == 606 and outturn["stale"] is False and outturn["release"] == "time series v3.1"
    assert outturn["used_by"] == ["museums/needs_analysis", "revenues_benefits/needs_analysis",
                                  "portfolio/priority_setting"]
    # each execution keeps its own record with its headline figures
    assert manifest["executions"][0]["headline"]["data_used"] == DATA_USED

    index = (built.path / "index.html").read_text()
    assert index.index("Data currency") < index.index("How to read this pack")
    assert "1 of 2 sources is more than two years old: DEFRA household recycling (latest period ended 31 March 2022)." \
        in index
    assert "4 years 7 months old" in index and index_page.STALE_MARKER in index
    assert "Data used" not in index and "£4.50" in index


DATA_USED_NOTEBOOK = """\
import wcc_analysis
wcc_analysis.record(spend_per_head_gbp=12.5, data_used=[
    {"source": "Census 2021", "covers": "2011, 2021", "used": "2021 count", "release": "Census 2021",
     "period_end": "2021-03-21", "illustrative": False},
    {"source": "Council budget", "covers": "2025-26", "used": "2025-26", "release": "template",
     "period_end": "2026-03-31", "illustrative": True},
])"""


def test_a_notebook_recording_data_used_reaches_the_manifest_and_index(project, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell('council = "E07000237"\nservice = "museums"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(DATA_USED_NOTEBOOK)]
    nbformat.write(nb, project / "notebooks" / "needs_analysis.ipynb")
    config = load_config()
    plan = planning.plan(config, services=["museums"], notebooks=["needs_analysis"], council=WORCESTER)
    built = pack.build(config, plan, WORCESTER, out_dir=tmp_path / "packs", jobs=1, executor="serial",
                       started=STARTED)
    assert built.ok, built.results[0].error
    currency = {e["source"]: e for e in built.manifest["data_currency"]}
    assert currency["Census 2021"]["age"] == "5 years 8 months old" and currency["Census 2021"]["stale"] is True
    assert currency["Council budget"]["illustrative"] is True and currency["Council budget"]["stale"] is False
    assert currency["Council budget"]["used_by"] == ["museums/needs_analysis"]
    index = (built.path / "index.html").read_text()
    assert "1 of 2 sources is more than two years old: Census 2021" in index
    assert "illustrative sample" in index and index_page.STALE_MARKER in index
    reports = index[index.index("<h2>Reports</h2>"):]
    assert "Census 2021" not in reports and "£12.50" in reports
