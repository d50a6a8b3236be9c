"""End to end on the REAL project: `wcc-analysis run` into a temporary folder, then `validate`.

Starts real kernels (papermill) and nbval: every notebook is executed for at
least one service, for a council with its own files (Worcester) and one
without (Bromsgrove).
"""

from __future__ import annotations

import json
import os
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


def test_run_and_validate_museums_and_portfolio_for_worcester(tmp_path):
    run = wcc("run", "--service", SERVICE, "--service", "portfolio", "--council", "E07000237",
              "--out", str(tmp_path), "--jobs", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr

    packs = [p for p in tmp_path.iterdir() if not p.name.startswith(".") and p.name != "latest"]
    assert len(packs) == 1
    pack_dir = packs[0]
    assert pack_dir.name.endswith("-E07000237")
    assert (tmp_path / "latest").resolve() == pack_dir.resolve()

    manifest = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "ok"
    assert manifest["council"]["code"] == "E07000237"
    assert manifest["council"]["name"]  # from the authorities lookup, e.g. "Worcester"
    assert any(path.startswith("data/raw/public/") for path in manifest["inputs"])
    assert {e["notebook"] for e in manifest["executions"]} == {*_notebooks_for(SERVICE), "priority_setting",
                                                               "commissioning_overview"}
    needs = next(e for e in manifest["executions"] if e["notebook"] == "needs_analysis")
    assert needs["parameters"]["service"] == SERVICE
    # Hand-checked: RS 2017-18 Cultural and related services 3,320 (£k) over the census-trend
    # population 98,768 + 0.6 x (103,700 - 98,768) = 101,727.2 -> £32.64 per head.
    figures = needs["headline"]
    assert figures["year"] == "2017-18"
    assert figures["rs_block"] == "Cultural and related services"
    assert figures["net_expenditure_gbp_thousands"] == 3320
    assert figures["population"] == 101727
    assert figures["spend_per_head_gbp"] == 32.64
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
    # Q3 on the cultural block: (32.64 - comparator median 23.69) x 101,727 / 1000, about £910k a year
    assert gap["cost_efficiency_rag"] == "Red" and 905 < gap["efficiency_gap_to_median_gbp_thousands"] < 915
    market = by_notebook["market_analysis"]
    assert market["concentration_kind"] == "spend concentration" and 0 < market["hhi"] <= 10_000
    assert "In-house transformation" in market["options_supported"]
    realised = by_notebook["benefit_realisation"]
    # B-MUS-01 (illustrative): planned 30k + 40k to date, realised 30k + 41k; 170k planned over four years
    assert realised["benefits_planned_gbp_thousands"] == 170.0 and realised["benefits_realised_gbp_thousands"] == 71.0
    assert realised["realisation_pct"] == 101.4 and realised["contract_kpis_red"] is None  # no museum contract KPIs
    appraisal = by_notebook["option_appraisal"]
    # Illustrative museums options: closure saves the £600k running cost a year for 10 years at 3.5 %
    # (about £4.99m discounted) less £150k one-off (+10 % optimism bias) and expected risk costs.
    assert appraisal["preferred_option"] == "closure"
    assert 4700 < appraisal["npv_gbp_thousands"]["closure"] < 4800
    assert appraisal["npv_p10_gbp_thousands"] <= appraisal["npv_p90_gbp_thousands"]
    html = (pack_dir / SERVICE / "option_appraisal.html").read_text(encoding="utf-8")
    assert "Older residents and disabled visitors" in html  # the equality impact of closure is shown
    overview = next(e for e in manifest["executions"] if e["notebook"] == "commissioning_overview")["headline"]
    assert overview["delivering_need_count"].endswith("of 4")
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
    assert by_notebook["priority_setting"]["headline"] == {"priority_scores_available": False}
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
    run = wcc("run", "--service", "waste", "--notebook", "market_analysis", "--notebook", "gap_analysis",
              "--council", "E07000120", "--out", str(tmp_path), "--jobs", "2")
    assert run.returncode == 0, run.stdout + run.stderr
    pack_dir = (tmp_path / "latest").resolve()
    manifest = json.loads((pack_dir / "manifest.json").read_text(encoding="utf-8"))
    figures = {e["notebook"]: e["headline"] for e in manifest["executions"]}
    market = figures["market_analysis"]
    # 207 suppliers paid for waste and grounds maintenance in 2024-25; the largest has about 10 %
    assert market["concentration_kind"] == "spend concentration"
    assert 300 < market["hhi"] < 600 and 0.2 < market["cr3"] < 0.4
    gap = figures["gap_analysis"]
    assert gap["best_in_class_rag"] in {"Green", "Amber", "Red"}  # DEFRA recycling rate exists for Hyndburn
    assert gap["delivering_need_rag"] == "Grey"  # no KPIs or survey supplied: not available, not a crash
    report = (pack_dir / "waste" / "market_analysis.html").read_text(encoding="utf-8")
    assert "8,988 payments" in report and "private individuals are redacted" in report
    # a supplier the rules classify as a private individual (a sole trader's personal name) is never named
    executed = (pack_dir / "waste" / "market_analysis.ipynb").read_text(encoding="utf-8")
    assert "Rob Mercer" not in report and "Rob Mercer" not in executed
    assert "Waste collection + recycling net spend per head" in (pack_dir / "waste" / "gap_analysis.html").read_text(encoding="utf-8")
