"""The sector run (wcc_analysis.run.sector) and its page (wcc_analysis.run.sector_page).

Unit tests on hand-made tables and manifests; one run of the real needs analysis for three councils (one made
to fail: a well-formed code no authority has), and the ``run --council all-districts`` branch of the command
line on the tiny project (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import cli, planning, sector
from wcc_analysis.run.planning import Council
from wcc_analysis.run.sector_page import figure_columns, histogram_svg, render_sector_page

# --------------------------------------------------------------------------- choosing councils


def _outturn() -> pd.DataFrame:
    rows = [
        # ons_code, class, year, year_start, name, status
        ("E07000001", "SD", "2023-24", 2023, "Old name", "published"),
        ("E07000002", "SD", "2023-24", 2023, "Bravo", "published"),
        ("E07000099", "SD", "2023-24", 2023, "Abolished", "published"),  # not in the latest year: left out
        ("E07000001", "SD", "2024-25", 2024, "Alpha", "published"),
        ("E07000001", "SD", "2024-25", 2024, "Alpha", "published"),  # a second block: one council
        ("E07000002", "SD", "2024-25", 2024, "Bravo", "missing: not submitted"),
        ("E07000003", "SD", "2024-25", 2024, "Charlie", "published"),
        ("E06000001", "UA", "2024-25", 2024, "Unitary", "published"),  # another class
        (None, "SD", "2024-25", 2024, "No code", "published"),
    ]
    return pd.DataFrame(rows, columns=["ons_code", "authority_class", "year", "year_start", "authority_name",
                                       "status"])


def test_councils_are_every_sd_code_of_the_latest_outturn_year():
    names = pd.DataFrame({"ons_code": ["E07000003"], "name": ["Charlie District"]})
    chosen = sector.councils_in_latest_year(_outturn(), names)
    assert chosen.year == "2024-25"
    assert [c.code for c in chosen.councils] == ["E07000001", "E07000002", "E07000003"]
    assert [c.name for c in chosen.councils] == ["Alpha", "Bravo", "Charlie District"]  # the lookup's name wins
    assert {c.rs_class for c in chosen.councils} == {"SD"}
    assert chosen.not_submitted == ("E07000002",)  # run too; its report uses its latest published year
    assert "revenue_outturn" in chosen.source


def test_no_council_of_the_class_is_a_clear_error():
    with pytest.raises(ParameterError, match="no council of class 'SD'.*What to do"):
        sector.councils_in_latest_year(_outturn()[lambda t: t["authority_class"] != "SD"])


def test_the_real_tables_hold_the_shire_districts():
    chosen = sector.sector_councils()
    assert 150 <= len(chosen.councils) <= 200
    assert "E07000237" in {c.code for c in chosen.councils}
    assert all(c.name for c in chosen.councils)


@pytest.mark.parametrize("value, expected", [("all-districts", True), ("  ALL-Districts ", True),
                                             ("E07000237", False), (None, False)])
def test_is_sector(value, expected):
    assert sector.is_sector(value) is expected


# --------------------------------------------------------------------------- choosing what runs


def test_defaults_first_service_and_needs_analysis_with_a_note():
    config = load_config()
    chosen = sector.choose(config)
    assert chosen.service == next(iter(config.services)) and chosen.notebook == "needs_analysis"
    assert len(chosen.notes) == 1 and "first configured service" in chosen.notes[0]
    assert sector.choose(config, ["museums"]).notes == ()


@pytest.mark.parametrize("services, notebooks, message", [
    (None, ["priority_setting"], "portfolio scope"),
    (["portfolio"], None, "portfolio scope"),
    (["leisure", "museums"], None, "at most one --service"),
    (None, ["nope"], "unknown notebook 'nope'"),
])
def test_refused_choices(services, notebooks, message):
    with pytest.raises(ParameterError, match=message):
        sector.choose(load_config(), services, notebooks)


def test_parameters_are_checked_and_typed_and_each_council_gets_its_folder():
    config = load_config()
    chosen = sector.choose(config, ["leisure"], None, ["comparator_k=10"])
    assert chosen.extra == {"comparator_k": 10}
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        sector.choose(config, ["leisure"], None, ["colour=red"])
    executions = sector.plan_sector(config, chosen, [Council("E07000234", "Bromsgrove"), Council("E07000237")])
    assert [ex.key for ex in executions] == ["E07000234/leisure/needs_analysis", "E07000237/leisure/needs_analysis"]
    assert executions[0].output_path(".html") == "E07000234/leisure/needs_analysis.html"
    assert executions[0].outputs["ipynb"] == "E07000234/leisure/needs_analysis.ipynb"
    assert executions[1].parameters == {"council": "E07000237", "service": "leisure", "comparator_k": 10}
    ordinary = planning.plan(config, ["leisure"], ["needs_analysis"], Council("E07000237"))[0]
    assert ordinary.folder == "" and ordinary.key == "leisure/needs_analysis"  # unchanged without a folder
    assert ordinary.output_path(".html") == "leisure/needs_analysis.html"


# --------------------------------------------------------------------------- the page


def _entry(code: str, name: str, **figures) -> dict:
    return {"council": {"code": code, "name": name}, "folder": code, "status": "ok", "error": None,
            "parameters": {"council": code, "service": "leisure"}, "service": "leisure", "notebook": "needs_analysis",
            "outputs": {"html": f"{code}/leisure/needs_analysis.html", "ipynb": f"{code}/leisure/needs_analysis.ipynb"},
            "headline": {"year": "2024-25", "rs_block": "Cultural and related services", "comparator_rank_of": 16,
                         "data_used": [{"source": "x"}], **figures}}


def _manifest() -> dict:
    failed = _entry("E07000003", "Charlie")
    failed.update(status="failed", headline={}, error={
        "kind": "cell", "cell_index": 2, "execution_count": 3, "ename": "ParameterError",
        "evalue": "'E07000003' is not a known council", "source_first_line": "from wcc_analysis import assemble"})
    executions = [
        _entry("E07000001", "Alpha", spend_per_head_gbp=3.56, population=101_685, comparator_rank=2),
        _entry("E07000237", "Worcester", spend_per_head_gbp=12.25, population=103_872, comparator_rank=9),
        _entry("E07000002", "Bravo", spend_per_head_gbp=20.0, population=None, comparator_rank=16, year="2023-24"),
        failed,
    ]
    return {"run_id": "20261202T080000Z-all-districts", "started": "2026-12-02T08:00:00Z", "duration_s": 754.2,
            "git": {"commit": "abcdef1234567", "dirty": False}, "executions": executions,
            "data_currency": [{"source": "MHCLG revenue outturn", "release": "v3.1", "age": "1 year", "stale": False}],
            "sector": {"data_year": "2024-25", "councils": 4, "ok": 3, "failed": 1, "rs_class": "SD",
                       "councils_from": "revenue_outturn: every ONS code of class SD in 2024-25",
                       "service": "leisure", "service_name": "Leisure – Sports Centres", "notebook": "needs_analysis",
                       "notebook_title": "Needs analysis", "highlight": "E07000237", "jobs": 2,
                       "executor": "process", "execution_s": 740.0, "executions_per_minute": 13.3,
                       "notes": ["no --service given: the first configured service"]}}


def _rows(page: str, table_id: str = "councils") -> list[str]:
    table = re.search(rf"<table[^>]*id='{table_id}'.*?</table>", page, re.S)[0]
    body = re.search(r"<tbody>(.*)</tbody>", table, re.S)[1]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


def test_the_page_has_one_sortable_row_per_council():
    page = render_sector_page(_manifest())
    rows = _rows(page)
    assert len(rows) == 4
    assert [re.search(r"data-v='([^']*)'", r)[1] for r in rows] == ["Alpha", "Bravo", "Charlie", "Worcester"]
    assert "<table class='sortable' id='councils'>" in page and "addEventListener(\"click\"" in page
    assert "data-type='number'" in page and "aria-sort" in page
    assert "href='E07000001/leisure/needs_analysis.html'" in page
    worcester = next(r for r in rows if "Worcester" in r)
    assert "class='highlight'" in worcester and "data-v='12.25'" in worcester and ">103,872<" in worcester
    for text in ("2024-25", "Councils", "3 succeeded, 1 failed", "13.30", "12 min 34 s", "2 at a time",
                 "first configured service", "Outturn year"):
        assert text in page, text
    assert "1 council(s) have no 2024-25 figures" in page and "Bravo" in page
    # the same for every council: stated once, not a column
    assert "The same for every council that succeeded" in page and "Ranked out of: 16" in page
    assert "Ranked out of</button>" not in page
    # offline: nothing fetched
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page
    assert "<script src" not in page and "<link" not in page


def test_failed_councils_are_listed_apart_with_their_error():
    page = render_sector_page(_manifest())
    failed = page[page.index("<h2 id='failed'>"):]
    assert "Councils whose notebook failed (1)" in failed
    row = re.search(r"<tr id='failed-E07000003'>.*?</tr>", failed, re.S)[0]
    for text in ("Charlie", "E07000003", ">cell<", "cell 2 (In [3])", "ParameterError",
                 "&#x27;E07000003&#x27; is not a known council", "from wcc_analysis import assemble"):
        assert text in row, text
    assert "href='#failed-E07000003'" in page  # from its row in the main table


def test_one_histogram_per_numeric_figure_with_worcester_marked():
    page = render_sector_page(_manifest())
    numeric, text, same = figure_columns(_manifest()["executions"])
    assert numeric == ["population", "spend_per_head_gbp", "comparator_rank"]
    assert text == ["year"] and same == {"rs_block": "Cultural and related services", "comparator_rank_of": 16}
    assert page.count("<svg class=\"hist\"") == 3
    assert page.count("Worcester: ") >= 3 and "#D55E00" in page and "median" in page


def test_histogram_bins():
    svg = histogram_svg("Rank", [1, 2, 2, 16], ("Worcester", 2))
    assert svg.count("<rect") == 16  # one bin per whole number
    assert "2 councils" in svg and "Worcester: 2" in svg
    assert histogram_svg("x", []) == ""
    assert histogram_svg("Spend", [0.5 * i for i in range(100)]).count("<rect") == 10


def test_an_all_ok_page_says_so():
    manifest = _manifest()
    manifest["executions"] = manifest["executions"][:3]
    assert "Every council&#x27;s notebook succeeded." in render_sector_page(manifest) or \
        "Every council's notebook succeeded." in render_sector_page(manifest)


# --------------------------------------------------------------------------- a real run, three councils


def test_a_sector_run_of_three_councils_one_failing(tmp_path):
    out = tmp_path / "packs"
    council_pack = out / "20260101T000000Z-E07000237"
    council_pack.mkdir(parents=True)
    os.symlink(council_pack.name, out / "latest")
    lines: list[str] = []
    councils = [Council("E07000234", "Bromsgrove", "SD"), Council("E07000237", "Worcester", "SD"),
                Council("E07999999", "Nowhere", "SD")]  # a well-formed code no authority has: its notebook raises
    built = sector.run_sector(load_config(), ["leisure"], councils=councils, out_dir=out, jobs=2,
                              say=lines.append, progress=sector.LineProgress(lines.append))

    assert not built.ok and [r.execution.folder for r in built.failed] == ["E07999999"]
    assert os.readlink(out / "latest") == council_pack.name  # a sector run never moves latest
    assert built.path.parent == out and built.path.name.endswith("-all-districts")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # reserved and finished atomically
    assert any("[3/3]" in line for line in lines) and any("164 councils" in line or "councils;" in line
                                                          for line in lines)
    for council in councils:
        for suffix in (".ipynb", ".html", ".code.html"):
            assert (built.path / council.code / "leisure" / f"needs_analysis{suffix}").is_file()
    assert (built.path / "assets" / "report.css").is_file()
    report = (built.path / "E07000234" / "leisure" / "needs_analysis.html").read_text()
    assert 'href="../../assets/report.css"' in report and 'href="../../index.html"' in report

    manifest = json.loads((built.path / "manifest.json").read_text())
    assert manifest["kind"] == "sector" and manifest["council"]["code"] == "all-districts"
    assert manifest["sector"]["councils"] == 3 and manifest["sector"]["ok"] == 2
    assert manifest["sector"]["data_year"] == "2024-25" and manifest["sector"]["executions_per_minute"] > 0
    by_code = {e["council"]["code"]: e for e in manifest["executions"]}
    assert by_code["E07000234"]["status"] == "ok" and by_code["E07000234"]["headline"]["population"] > 90_000
    assert by_code["E07000237"]["headline"]["spend_per_head_gbp"] > 0
    error = by_code["E07999999"]["error"]
    assert by_code["E07999999"]["status"] == "failed" and error["kind"] == "cell"
    assert error["ename"] == "ParameterError" and "E07999999" in error["evalue"] and error["cell_index"] == 2

    page = (built.path / "index.html").read_text()
    rows = _rows(page)
    assert len(rows) == 3 and sum("FAILED" in r for r in rows) == 1
    assert "href='E07000234/leisure/needs_analysis.html'" in page
    assert "<tr id='failed-E07999999'>" in page and "ParameterError" in page
    assert page.count("<svg class=\"hist\"") >= 5 and "Worcester: " in page
    assert str(tmp_path) not in page and str(load_config().path.parent.parent) not in page


# --------------------------------------------------------------------------- the command line (tiny project)


def test_cli_all_districts_runs_every_council_and_exits_1_when_one_fails(project, tmp_path, monkeypatch):
    councils = sector.Councils("2024-25", (Council("E07000237", "Worcester", "SD"),
                                           Council("E07000238", "Wychavon", "SD")))
    monkeypatch.setattr(sector, "sector_councils", lambda: councils)
    out = tmp_path / "packs"
    invoke = CliRunner().invoke
    result = invoke(cli.app, ["run", "--council", "All-Districts", "-s", "museums", "-o", str(out), "-j", "2"],
                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 councils, 2 ok, 0 failed" in result.output and "[2/2] ok" in result.output
    (pack_dir,) = out.iterdir()
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    assert [e["folder"] for e in manifest["executions"]] == ["E07000237", "E07000238"]
    assert len(_rows((pack_dir / "index.html").read_text())) == 2

    broken = invoke(cli.app, ["run", "--council", "all-districts", "-s", "museums", "-n", "broken", "-o", str(out)],
                    catch_exceptions=False)
    assert broken.exit_code == 1 and "FAILED E07000237: cell ValueError" in broken.output
    assert not (out / "latest").exists()

    refused = invoke(cli.app, ["run", "--council", "all-districts", "-n", "priority_setting", "-o", str(out)])
    assert refused.exit_code == 2 and "portfolio scope" in refused.stderr and "What to do" in refused.stderr
