"""End to end on the REAL project: `wcc-analysis run` for museums, then `wcc-analysis validate`.

Starts real kernels and nbval (about 15 s). Skipped until the notebooks that
config/services.toml lists for museums exist, and wcc_analysis.ingest has
build_all and authorities.
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


def _museum_notebooks() -> list[str]:
    config = tomllib.loads((ROOT / "config" / "services.toml").read_text(encoding="utf-8"))
    return list(config["services"][SERVICE]["notebooks"])


def _missing() -> list[str]:
    missing = [f"notebooks/{nb}.ipynb" for nb in _museum_notebooks() if not (ROOT / "notebooks" / f"{nb}.ipynb").is_file()]
    try:
        from wcc_analysis import ingest
    except ImportError:
        return [*missing, "wcc_analysis.ingest"]
    return missing + [f"wcc_analysis.ingest.{name}" for name in ("build_all", "authorities") if not hasattr(ingest, name)]


MISSING = _missing()

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(bool(MISSING), reason=f"not written yet: {', '.join(MISSING)}"),
]


def wcc(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "WCC_ANALYSIS_HOME": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "wcc_analysis.cli", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False,
    )


def test_run_and_validate_museums_for_worcester(tmp_path):
    run = wcc("run", "--service", SERVICE, "--council", "E07000237", "--out", str(tmp_path), "--jobs", "2")
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
    assert {e["notebook"] for e in manifest["executions"]} == set(_museum_notebooks())
    needs = next(e for e in manifest["executions"] if e["notebook"] == "needs_analysis")
    assert needs["parameters"]["service"] == SERVICE
    assert isinstance(needs["headline"].get("spend_per_head_gbp"), (int, float))
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
