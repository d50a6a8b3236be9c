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

ROOT = Path(__file__).resolve().parents[1]
SERVICE = "museums"


pytestmark = pytest.mark.e2e


def wcc(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WCC_ANALYSIS_HOME": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "wcc_analysis.cli", *args],
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
    assert {e["notebook"] for e in manifest["executions"]} == {*_notebooks_for(SERVICE), "priority_setting"}
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
    assert "No council files for Bromsgrove" in report
    assert "ILLUSTRATIVE" not in report


def test_unknown_council_and_parameter_stop_before_anything_runs(tmp_path):
    bad_council = wcc("run", "--council", "E07000273", "--out", str(tmp_path))
    assert bad_council.returncode == 2
    assert "E07000237" in bad_council.stderr + bad_council.stdout  # the suggestion
    bad_param = wcc("run", "--service", SERVICE, "-p", "comparator_kk=3", "--out", str(tmp_path))
    assert bad_param.returncode == 2
    assert "comparator_kk" in bad_param.stderr + bad_param.stdout
    bad_type = wcc("run", "--service", SERVICE, "-p", "comparator_k=fifteen", "--out", str(tmp_path))
    assert bad_type.returncode == 2
    assert "must be a whole number" in bad_type.stderr
    assert not [p for p in tmp_path.iterdir()]
