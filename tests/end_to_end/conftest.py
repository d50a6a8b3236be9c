"""One Worcester pack built once per test session and shared by the end-to-end and browser tests.

Museums (five notebooks), leisure (the same five, a second service on the same block) and the portfolio
(two): every notebook at least once, in about 12 executions. ``WCC_E2E_PACK`` (or the browser test's own
``WCC_BROWSER_TEST_PACK``) names the output folder of a pack already built, to iterate without building one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COUNCIL = "E07000237"  # Worcester: the council with its own (illustrative) files
SERVICES = ("museums", "leisure", "portfolio")
PACK_ENVS = ("WCC_E2E_PACK", "WCC_BROWSER_TEST_PACK")


@dataclass(frozen=True)
class BuiltPack:
    out: Path  # the --out folder: the pack and ``latest``
    pack: Path  # the pack itself
    run: subprocess.CompletedProcess | None  # None when the pack was given, not built


@pytest.fixture(scope="session")
def worcester_pack(tmp_path_factory) -> BuiltPack:
    given = next((os.environ[name] for name in PACK_ENVS if os.environ.get(name)), None)
    if given:
        pack = Path(given).resolve()
        return BuiltPack(out=pack.parent, pack=pack, run=None)
    out = tmp_path_factory.mktemp("worcester")
    services = [arg for service in SERVICES for arg in ("--service", service)]
    run = subprocess.run(
        [sys.executable, "-m", "wcc_analysis.run.cli", "run", *services, "--council", COUNCIL,
         "--out", str(out), "--jobs", "2"],
        capture_output=True, text=True, env={**os.environ, "WCC_ANALYSIS_HOME": str(ROOT)}, cwd=ROOT,
        timeout=900, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return BuiltPack(out=out, pack=(out / "latest").resolve(), run=run)
