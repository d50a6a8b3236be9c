"""End to end on the REAL project: `wcc-analysis run` into a temporary folder, then `validate`.

Starts real kernels (papermill) and nbval: every notebook is executed for at
least one service, for a council with its own files (Worcester) and one
without (Bromsgrove).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "museums"


pytestmark = pytest.mark.e2e


def wcc(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WCC_ANALYSIS_HOME": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "wcc_analysis.run.cli", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False,
    )


def _notebooks_for(service: str) -> list[str]:
    config = tomllib.loads((ROOT / "config" / "services.toml").read_text(encoding="utf-8"))
    return list(config["services"][service]["notebooks"])


def test_run_and_validate_museums_and_portfolio_for_worcester(worcester_pack):
    if worcester_pack.run is not None:
        assert "Traceback" not in worcester_pack.run.stderr
        packs = [p for p in worcester_pack.out.iterdir() if not p.name.startswith(".") and p.name != "latest"]
        assert len(packs) == 1
    pack_dir = worcester_pack.pack
    assert pack_dir.name.endswith("-E07000237")
    assert (worcester_pack.out / "latest").resolve() == pack_dir.resolve()

    manifest = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    assert manifest["council"]["code"] == "E07000237"
    assert manifest["council"]["name"]  # from the authorities lookup, e.g. "Worcester"
    assert any(path.startswith("data/raw/public/") for path in manifest["inputs"])
    assert {e["notebook"] for e in manifest["executions"]} == {*_notebooks_for(SERVICE), "priority_setting",
                                                               "commissioning_overview"}
    needs = next(e for e in manifest["executions"] if e["notebook"] == "needs_analysis" and e["service"] == SERVICE)
    assert needs["parameters"]["service"] == SERVICE
    # Hand-checked: 2024-25 Cultural and related services 2,852 (£k; time series v3.1 = RSX 2024-25) over the
    # ONS mid-2024 estimate 106,671 -> £26.74 per head.
    figures = needs["headline"]
    assert figures["year"] == "2024-25"
    assert figures["rs_block"] == "Cultural and related services"
    assert figures["net_expenditure_gbp_thousands"] == 2852
    assert figures["population"] == 106671 and figures["population_method"] == "ONS mid-year estimate mid-2024"
    assert figures["spend_per_head_gbp"] == 26.74
    # the service's own figure: RA 2023-24 "Culture and heritage (excluding Archives)" 1,017 / 105,143 = £9.67;
    # leisure's "Recreation and sport" 532 / 105,143 = £5.06 — the block is the same, the services are not
    assert figures["service_lines"] == ["Culture and heritage (excluding Archives)"]
    assert figures["service_lines_budget_gbp_thousands"] == 1017 and figures["service_lines_budget_per_head_gbp"] == 9.67
    leisure = next(e for e in manifest["executions"] if e["notebook"] == "needs_analysis" and e["service"] == "leisure")
    assert leisure["headline"]["service_lines_budget_per_head_gbp"] == 5.06
    assert leisure["headline"]["spend_per_head_gbp"] == figures["spend_per_head_gbp"]  # the shared block
    sources = {d["source"] for d in figures["data_used"]}
    assert {"ONS mid-year population estimates (2023 local-authority boundaries)", "HM Treasury GDP deflator"} <= sources
    assert any(d["source"].startswith("MHCLG Revenue Account budget") for d in figures["data_used"])
    currency = {d["source"]: d for d in manifest["data_currency"]}
    outturn = next(d for s, d in currency.items() if s.startswith("MHCLG revenue outturn"))
    assert outturn["period_end"] == "2025-03-31" and outturn["age_days"] >= 0
    assert len(figures["comparator_codes"]) == 15 and "E07000237" not in figures["comparator_codes"]
    assert 1 <= figures["comparator_rank"] <= 16
    assert "Leisure – Sports Centres" in figures["block_shared_with"]
    ranks = next(e for e in manifest["executions"] if e["notebook"] == "priority_setting")["headline"]
    assert ranks["priority_rank"] == {"waste": 1, "leisure": 2, "revenues_benefits": 3, "museums": 4}
    assert ranks["priority_score"]["waste"] == 24 and ranks["council_data"] == "illustrative"
    assert "ILLUSTRATIVE SAMPLE" in (pack_dir / "portfolio" / "priority_setting.html").read_text(encoding="utf-8")
    by_notebook = {e["notebook"]: e["headline"] for e in manifest["executions"] if e["service"] == SERVICE}
    gap = by_notebook["gap_analysis"]
    # Worcester has no published museums performance measure: Q2 must say so (Grey), not invent one.
    assert gap["best_in_class_rag"] == "Grey"
    # Q3 is value for money: no museum outcome is published for Worcester, so cost only — Grey, with the reason —
    # however its spend compares (it was "Red: above the comparator median" when spend alone decided)
    assert gap["value_for_money_rag"] == "Grey" and gap["value_for_money_cost_unit"] == "per head"
    assert gap["value_for_money_cost_gbp"] == 9.67 and gap["value_for_money_outcomes_better_at_worse"] is None
    # every answer carries its years: an RA 2023-24 budget, a comparator group chosen on 2024-25 data
    assert gap["value_for_money_cost_year"] == "2023-24" and gap["comparator_group_year"] == "2024-25"
    assert gap["value_for_money_outcome_tolerance_pct"] == 5 and gap["efficiency_gap_against"] == "the comparator median"
    assert "cost_efficiency_rag" not in gap  # renamed: its meaning changed
    # The efficiency gap stays on the service's own budget lines, never the shared block: (£9.67 - the comparator
    # median in the needs report) per head x 105,143 (mid-2023) / 1000, RA 2023-24 cash, restated at 2024-25 prices
    # with the GDP deflator: x 100.973825 / 97.188025 = 1.038953
    median = figures["service_lines_comparator_median_gbp"]
    assert gap["efficiency_gap_price_base_year"] == "2024-25" and gap["efficiency_gap_year"] == "2023-24"
    assert gap["efficiency_gap_to_median_gbp_thousands"] == pytest.approx((9.67 - median) * 105.143 * 1.038953, abs=1.0)
    html = (pack_dir / SERVICE / "gap_analysis.html").read_text(encoding="utf-8")
    assert "Grey (cost only)" in html and "ILLUSTRATIVE SAMPLE, not the council's figures" in html
    assert "at 2024-25 prices" in html and "Best in class rules" in html and "Value for money rules" in html
    assert "Trend rules" in html  # the KPI trend rule, printed from the table that decides it
    market = by_notebook["market_analysis"]
    assert market["concentration_kind"] == "spend concentration" and 0 < market["hhi"] <= 10_000
    assert "In-house transformation" in market["options_supported"]
    # the sample has no capital payment; maturity and the option screen say they rest on the sample
    assert market["capital_payments_excluded"] == 0
    assert market["maturity_and_options_sample"].startswith("provider register, comparator delivery models")
    market_html = (pack_dir / SERVICE / "market_analysis.html").read_text(encoding="utf-8")
    assert "ILLUSTRATIVE SAMPLE: this market maturity rating" in market_html
    assert "ILLUSTRATIVE SAMPLE: the screen of sourcing options" in market_html
    assert "ILLUSTRATIVE SAMPLE: the long list comes from the market screen" in (
        pack_dir / SERVICE / "option_appraisal.html").read_text(encoding="utf-8")
    realised = by_notebook["benefit_realisation"]
    # B-MUS-01 (illustrative), like with like: to 2024-25 planned 30k + 40k against realised 30k + 41k (cash), at
    # 2024-25 prices x 100 / 96.2507 for the 2023-24 £: planned 71.2k, realised 72.2k (101.4 %); planned in total
    # 170k cash (171.2k real) against the forecast at completion 71k + 100k planned for 2025-26 and 2026-27 = 171k
    assert realised["benefits_to_date_year"] == "2024-25" and realised["benefits_price_base_year"] == "2024-25"
    assert realised["benefits_planned_to_date_gbp_thousands"] == 71.2
    assert realised["benefits_realised_to_date_gbp_thousands"] == 72.2 and realised["realisation_to_date_pct"] == 101.4
    assert realised["benefits_planned_total_gbp_thousands"] == 171.2
    assert realised["benefits_forecast_total_gbp_thousands"] == 172.2
    assert realised["benefits_planned_total_cash_gbp_thousands"] == 170.0
    assert realised["benefits_forecast_total_cash_gbp_thousands"] == 171.0
    assert realised["contract_kpis_red"] is None  # no museum contract KPIs
    assert "benefits_planned_gbp_thousands" not in realised and "realisation_pct" not in realised
    appraisal = by_notebook["option_appraisal"]
    # Illustrative museums options, optimism bias on every option; year 0 = 2027-28, when the museums would close.
    # Business as usual: £1,017k a year x 8.3166 (10 years at 3.5 %) = £8,458.0k, uplifted 41 % x (1 - m): m =
    # 0.35 x 0.8 + 0.25 + 0.20 x 0.1417 + 0.10 + 0.10 x 0.5 = 0.7083, where its pay-inflation risk (0.5 x £203.4k /
    # 1.035 = £98.3k) covers 14.17 % of the Economic factor's part (£8,458.0k x 41 % x 20 % = £693.6k): uplift
    # 11.96 %, £9,469.4k, plus the £98.3k expected risk. Closure: decant £254.2k and LGPS strain £120k, each x 1.10;
    # buildings and collections £140k a year and the schools programme £25k in years 1-2, x 1.1896 (a judicial review
    # risk of £122.8k covers the whole Disputes part); risks £204.7k; the £380k redundancy is a transfer (Green Book
    # 6.9), out of the economic case. NPV = (9,469.4 + 98.3) - (279.6 + 132.0 + 1,441.6 + 204.7) = £7,509.7k.
    assert appraisal["preferred_option"] == "closure"
    assert appraisal["npv_gbp_thousands"]["closure"] == 7509.7
    assert appraisal["candidate_status"]["closure"] == "candidate"  # residual costs, lost value, equality impact
    assert appraisal["npv_p10_gbp_thousands"] <= appraisal["npv_p90_gbp_thousands"]
    html = (pack_dir / SERVICE / "option_appraisal.html").read_text(encoding="utf-8")
    assert "Older residents and disabled visitors" in html  # the equality impact of closure is shown
    assert "loses what the money does not count" in html and "per resident a year" in html
    assert "Amber" in html  # preferred on the money, but it loses what the money does not count
    overview = next(e for e in manifest["executions"] if e["notebook"] == "commissioning_overview")["headline"]
    assert overview["delivering_need_count"].endswith("of 4")
    # question 3 counts value-for-money Greens; leisure, museums and revenues and benefits publish no outcome for
    # Worcester (cost only, Grey), so at most waste can count
    assert overview["value_for_money_count"] in {"0 of 4", "1 of 4"} and "cost_efficiency_count" not in overview
    assert overview["efficiency_gap_price_base_year"] == "2024-25"
    for entry in manifest["executions"]:
        assert entry["status"] == "ok", entry["error"]
        for rel in entry["outputs"].values():
            assert (pack_dir / rel).is_file(), rel

    index = (pack_dir / "index.html").read_text(encoding="utf-8")
    assert "E07000237" in index and "Museums" in index
    assert "Spend per head" in index and "£" in index
    assert "museums/needs_analysis.html" in index

    validate = wcc("validate", str(pack_dir))
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "reproduced" in validate.stdout


def test_a_council_without_its_own_files_still_gets_a_pack(tmp_path):
    run = wcc("run", "--service", "waste", "--service", "portfolio", "--council", "E07000234",
              "--out", str(tmp_path), "--jobs", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    pack_dir = (tmp_path / "latest").resolve()
    manifest = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["council"]["code"] == "E07000234"
    by_notebook = {e["notebook"]: e for e in manifest["executions"]}
    priority = dict(by_notebook["priority_setting"]["headline"])
    used = priority.pop("data_used")
    # the newest outturn year is named even when the council has supplied no scores
    assert priority == {"priority_scores_available": False, "block_spend_year": "2024-25"}
    # no council files: only the published outturn is cited, and nothing is marked illustrative
    assert [d["source"][:21] for d in used] == ["MHCLG revenue outturn"] and not any(d["illustrative"] for d in used)
    waste = by_notebook["needs_analysis"]["headline"]
    assert waste["rs_block"] == "Environmental and regulatory services"
    assert "E07000234" not in waste["comparator_codes"]
    report = (pack_dir / "portfolio" / "priority_setting.html").read_text(encoding="utf-8")
    assert "Bromsgrove (E07000234) has not supplied the council tables" in report
    assert "ILLUSTRATIVE" not in report


def test_unknown_council_and_parameter_stop_before_anything_runs(tmp_path):
    bad_council = wcc("run", "--council", "E07000273", "--out", str(tmp_path))
    assert bad_council.returncode == 2
    assert "E07000237" in bad_council.stderr + bad_council.stdout  # the suggestion
    bad_param = wcc("run", "--service", SERVICE, "-p", "comparator_kk=3", "--out", str(tmp_path))
    assert bad_param.returncode == 2
    assert "comparator_kk" in bad_param.stderr + bad_param.stdout
    bad_type = wcc("run", "--service", SERVICE, "-n", "needs_analysis", "-p", "comparator_k=fifteen", "--out", str(tmp_path))
    assert bad_type.returncode == 2
    assert "must be a whole number" in bad_type.stderr
    assert not [p for p in tmp_path.iterdir()]


def test_hyndburn_market_and_gap_on_its_real_payments_and_detailed_outturn(tmp_path):
    run = wcc("run", "--service", "waste", "--service", "leisure", "--notebook", "market_analysis",
              "--notebook", "gap_analysis", "--council", "E07000120", "--out", str(tmp_path), "--jobs", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    pack_dir = (tmp_path / "latest").resolve()
    manifest = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    figures = {e["notebook"]: e["headline"] for e in manifest["executions"] if e["service"] == "waste"}
    market = figures["market_analysis"]
    # 206 suppliers paid for running waste and grounds maintenance in 2024-25; the largest has about 11 %
    assert market["concentration_kind"] == "spend concentration"
    assert 300 < market["hhi"] < 600 and 0.2 < market["cr3"] < 0.4
    assert market["capital_payments_excluded"] == 6 and market["maturity_and_options_sample"] == "none"
    # leisure: the Wilson Field leisure centre build (29 payments, £6,102,449.05 to Alliance Leisure Services) is
    # capital and shown apart; the revenue spend all goes to the leisure trust
    leisure = next(e["headline"] for e in manifest["executions"]
                   if e["service"] == "leisure" and e["notebook"] == "market_analysis")
    assert leisure["capital_payments_excluded"] == 29 and leisure["capital_excluded_gbp"] == 6_102_449.05
    assert leisure["hhi"] == 10_000 and leisure["cr3"] == 1.0
    leisure_html = (pack_dir / "leisure" / "market_analysis.html").read_text(encoding="utf-8")
    assert "Capital payments for leisure" in leisure_html and "Alliance Leisure Services Limited" in leisure_html
    gap = figures["gap_analysis"]
    assert gap["best_in_class_rag"] in {"Green", "Amber", "Red"}  # DEFRA recycling rate exists for Hyndburn
    # best in class on all three DEFRA waste measures; value for money per household (DEFRA households, derived)
    assert len(gap["best_in_class_measures"]) == 3 and gap["value_for_money_cost_unit"] == "per household"
    assert gap["value_for_money_rag"] in {"Green", "Amber", "Red"}
    # the efficiency gap on Hyndburn's detailed 2024-25 outturn lines: the price base year itself
    assert gap["efficiency_gap_year"] == "2024-25" and gap["efficiency_gap_price_base_year"] == "2024-25"
    assert gap["delivering_need_rag"] == "Grey"  # no KPIs or survey supplied: not available, not a crash
    report = (pack_dir / "waste" / "market_analysis.html").read_text(encoding="utf-8")
    assert "8,988 payments" in report and "private individuals are redacted" in report
    # a supplier the rules classify as a private individual (a sole trader's personal name) is never named
    executed = (pack_dir / "waste" / "market_analysis.ipynb").read_text(encoding="utf-8")
    assert "Rob Mercer" not in report and "Rob Mercer" not in executed
    gap_html = (pack_dir / "waste" / "gap_analysis.html").read_text(encoding="utf-8")
    assert "Waste collection + recycling net spend per head" in gap_html
    # the detailed outturn lines exist for 15 Lancashire councils only: the set compared with is named for what it is
    assert gap["efficiency_gap_against"] == ("the median of the 11 other Lancashire shire districts with a figure in "
                                             "the data held")
    assert "a Lancashire comparison, not a national one" in gap_html and "SD authorities" not in gap_html
    assert gap["value_for_money_outcome_years"] == "2022-23" and gap["value_for_money_households_year"] == "2022-23"
    # leisure's two RO5 lines: the facilities line is blank for every council, so the measure is missing (never
    # sports development alone) and the efficiency gap falls through to the RA 2023-24 budget line
    leisure_gap = next(e["headline"] for e in manifest["executions"]
                       if e["service"] == "leisure" and e["notebook"] == "gap_analysis")
    assert leisure_gap["efficiency_gap_measure"] == "RA 2023-24 Recreation and sport"
    assert "never a partial sum" in (pack_dir / "leisure" / "gap_analysis.html").read_text(encoding="utf-8")


STAMP = "ILLUSTRATIVE SAMPLE DATA — not the council's own figures"
#: Reports whose every chart shows the council's files (the Worcester sample): every one is stamped.
ALL_SAMPLE = {"option_appraisal", "benefit_realisation", "priority_setting", "commissioning_overview"}
#: Reports whose every chart shows published data only: none is stamped.
ALL_PUBLISHED = {"needs_analysis"}


def _charts(notebook: Path) -> list[str]:
    """The alt text of every chart (PNG output) of an executed notebook, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [output.get("metadata", {}).get("image/png", {}).get("alt", "")
            for cell in cells for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]


def test_every_chart_names_its_source_and_the_sample_is_stamped_on_every_chart_that_shows_it(worcester_pack):
    manifest = json.loads((worcester_pack.pack / "manifest.json").read_text(encoding="utf-8"))
    seen = 0
    for entry in manifest["executions"]:
        notebook = entry["notebook"]
        for number, alt in enumerate(_charts(worcester_pack.pack / entry["outputs"]["ipynb"]), 1):
            seen += 1
            where = f"{entry['service']}/{notebook} chart {number}: {alt[:160]!r}"
            assert alt.startswith("Chart: ") and "source" in alt.lower(), f"no source named: {where}"
            stamped = alt.startswith(f"Chart: {STAMP}")
            assert stamped or "ILLUSTRATIVE SAMPLE" not in alt, f"rests on the sample but not stamped: {where}"
            if notebook in ALL_SAMPLE:
                assert stamped, f"shows the council's sample but is not stamped: {where}"
            if notebook in ALL_PUBLISHED:
                assert not stamped, f"published data stamped as the sample: {where}"
    assert seen >= 30  # 12 executions: museums and leisure five reports each, the portfolio two


#: Tables that frame a report rather than show data: the sources list itself, the RAG answers (each gives its
#: reasons), and the headline figures recorded for the manifest.
FRAMING_TABLES = ("Data used", "The key questions", "Headline figures recorded")


def test_every_table_of_published_data_names_its_source(worcester_pack):
    import re

    unsourced = []
    for report in ("museums/needs_analysis.html", "museums/gap_analysis.html", "leisure/needs_analysis.html",
                   "museums/market_analysis.html", "portfolio/commissioning_overview.html"):
        page = (worcester_pack.pack / report).read_text(encoding="utf-8")
        tables = re.findall(r"<table[^>]*>\s*<caption[^>]*>(.*?)</caption>.*?</table>(.{0,400})", page, re.S)
        assert tables, report
        for caption, after in tables:
            title = re.sub(r"<[^>]+>", "", caption)
            if not title.startswith(FRAMING_TABLES) and "Source:" not in after:
                unsourced.append(f"{report}: {title[:100]}")
    assert unsourced == []


def _outputs(notebook: Path) -> list:
    """Every cell's outputs, without what varies by run (timings, execution metadata)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [[{k: v for k, v in output.items() if k not in ("metadata", "execution_count")}
             for output in cell.get("outputs", [])] for cell in cells]


def test_two_runs_of_the_same_inputs_give_identical_outputs_and_both_validate(worcester_pack, tmp_path):
    """The portfolio's two notebooks again, into another folder: every output identical to the session pack's
    (images included), and the second pack validates with nbval (the first is validated above)."""
    again = wcc("run", "--service", "portfolio", "--council", "E07000237", "--out", str(tmp_path), "--jobs", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    second = (tmp_path / "latest").resolve()
    for notebook in ("priority_setting", "commissioning_overview"):
        first_outputs = _outputs(worcester_pack.pack / "portfolio" / f"{notebook}.ipynb")
        assert first_outputs == _outputs(second / "portfolio" / f"{notebook}.ipynb"), notebook
        assert any(first_outputs), notebook
    validate = wcc("validate", str(second))
    assert validate.returncode == 0, validate.stdout + validate.stderr


def _reran(manifest: dict) -> list[str]:
    return sorted(e["notebook"] for e in manifest["executions"] if not e.get("reused_from"))


def test_a_rerun_reuses_everything_and_a_changed_payments_file_reruns_only_its_readers(worcester_pack, tmp_path):
    """Incremental runs on the real notebooks: museums again into a copy of the session pack's folder reuses all
    five; then, in a linked copy of the project whose supplier payments file gained a blank line (new bytes, the
    same records), exactly the executions that recorded reading that file run again — with the same figures."""
    from wcc_analysis.run.linked_project import link_project, replace_file

    out = tmp_path / "out"
    shutil.copytree(worcester_pack.pack, out / worcester_pack.pack.name, symlinks=True)
    original = json.loads((worcester_pack.pack / "manifest.json").read_text(encoding="utf-8"))
    museums = {e["notebook"]: e for e in original["executions"] if e["service"] == SERVICE}

    def run_museums(home: Path) -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "wcc_analysis.run.cli", "run", "--service", SERVICE, "--council", "E07000237",
             "--out", str(out), "--jobs", "2"], capture_output=True, text=True, cwd=ROOT, timeout=600,
            check=False, env={**os.environ, "WCC_ANALYSIS_HOME": str(home)})
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads((out / "latest" / "manifest.json").read_text(encoding="utf-8"))

    unchanged = run_museums(ROOT)
    assert _reran(unchanged) == [] and len(unchanged["executions"]) == len(museums) == 5
    assert {e["reused_from"]["run_id"] for e in unchanged["executions"]} == {original["run_id"]}

    payments = "data/raw/council/E07000237/supplier_payments/illustrative_2024-25.csv"
    readers = sorted(name for name, e in museums.items() if f"file:{payments}" in e["inputs_read"])
    assert readers == ["market_analysis", "option_appraisal"]  # what the kernels recorded, not a guess
    home = link_project(ROOT, tmp_path / "project")
    replace_file(home, payments, (ROOT / payments).read_text(encoding="utf-8") + "\n")
    changed = run_museums(home)
    assert _reran(changed) == readers
    for entry in changed["executions"]:
        assert entry["headline"] == museums[entry["notebook"]]["headline"], entry["notebook"]
        if entry["notebook"] in readers:
            assert entry["inputs_read"][f"file:{payments}"] != museums[entry["notebook"]]["inputs_read"][
                f"file:{payments}"]
