"""Shared fixtures: `project` is a tiny self-contained wcc-analysis project (runner, pack and CLI tests).

Shared by tests/test_runner.py, tests/test_pack.py and tests/test_cli.py. The
project has its own config/services.toml (the real file, trimmed), one raw
public file and three small notebooks:

- ``needs_analysis``: records headline figures with ``wcc_analysis.record``;
- ``broken``: raises in cell 3 (0-based index in the source notebook);
- ``priority_setting``: the portfolio notebook (same content as needs_analysis).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
from notebook_kit import make_notebook

from wcc_analysis.core import config as config_module
from wcc_analysis.core import paths

SERVICES_TOML = '''\
[portfolio]
id = "portfolio"
name = "Whole portfolio"
notebooks = ["priority_setting"]
default_council = "E07000237"  # Worcester City Council

[notebooks.priority_setting]
title = "Priority setting"
scope = "portfolio"

[notebooks.needs_analysis]
title = "Needs analysis"
scope = "service"

[notebooks.broken]
title = "Broken on purpose"
scope = "service"

[priority]
scores = { High = 3, Medium = 2, Low = 1 }
weight_range = [1, 3]

[priority.weights]
"Spend" = 1
"Potential savings" = 2

[comparators]
k = 15
indicators = ["population", "population_growth_5y_pct", "imd_score"]

[rs_blocks]
names = ["Cultural and related services", "Central services"]

[services.museums]
name = "Museums"
rs_block = "Cultural and related services"
ro_lines = ["RO5: Culture and heritage - Museums and galleries"]
notebooks = ["needs_analysis", "broken"]

[services.revenues_benefits]
name = "Revenues and Benefits"
rs_block = "Central services"
notebooks = ["needs_analysis"]
'''



GOOD = make_notebook(
    "import wcc_analysis\nprint(f'{service} in {council}, year {year}')",
    "wcc_analysis.record(spend_per_head_gbp=12.5 if year == 2023 else 99.0, "
    "population=103_872, comparators=['A', 'B', 'C', 'D', 'E'])",
)
# cells: 0 markdown, 1 parameters, 2 print, 3 raise, 4 never runs
BROKEN = make_notebook(
    "print('before the failure')",
    "raise ValueError('the data for ' + service + ' is missing')",
    "print('never reached')",
)


def make_project(root: Path) -> Path:
    (root / "config").mkdir(parents=True)
    (root / "config" / "services.toml").write_text(SERVICES_TOML, encoding="utf-8")
    (root / "data" / "raw" / "public").mkdir(parents=True)
    (root / "data" / "raw" / "public" / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (root / "data" / "raw" / "council" / "E07000237").mkdir(parents=True)
    (root / "data" / "raw" / "council" / "E07000237" / "budget.csv").write_text("line,gbp\nmuseums,1\n")
    (root / "data" / "processed").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "reports").mkdir()
    nbformat.write(GOOD, root / "notebooks" / "needs_analysis.ipynb")
    nbformat.write(GOOD, root / "notebooks" / "priority_setting.ipynb")
    nbformat.write(BROKEN, root / "notebooks" / "broken.ipynb")
    return root


def point_at(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """Make ``root`` the project for this process (and kernels started from it); no ingest."""
    monkeypatch.setenv(paths.HOME_ENV, str(root))
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()
    import wcc_analysis.ingest as ingest

    # the tiny project has no real data: ingest is stubbed out
    monkeypatch.setattr(ingest, "build_all", lambda progress=None: None, raising=False)
    monkeypatch.setattr(ingest, "authorities", _authorities, raising=False)


def _authorities():
    import pandas as pd

    return pd.DataFrame(
        {
            "ons_code": ["E07000237", "E07000238"],
            "name": ["Worcester", "Wychavon"],
            "rs_class": ["SD", "SD"],
            "current": [True, True],
        }
    )


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project(tmp_path / "project")
    point_at(monkeypatch, root)
    yield root
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()


__all__ = ["make_project", "point_at", "project"]


def _resave(source: Path, target: Path, sheets: list[str], bad_cell: tuple[str, int, int] | None = None) -> Path:
    """Sheets of a shipped workbook written again as .xlsx (other bytes, the same cells); ``bad_cell`` =
    (sheet, row index, column index) is set to "abc"."""
    book = pd.ExcelFile(source, engine="calamine")
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for name in sheets:
            frame = pd.read_excel(book, sheet_name=name, header=None)
            if bad_cell and bad_cell[0] == name:
                frame = frame.astype(object)
                frame.iat[bad_cell[1], bad_cell[2]] = "abc"
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
    return target


@pytest.fixture(scope="session")
def resave():
    """``resave(source, target, sheets, bad_cell=None)``: a workbook's sheets re-saved as .xlsx (recognition tests)."""
    return _resave
