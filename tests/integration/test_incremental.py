"""Incremental runs on the tiny project: an execution is reused only while nothing it read has changed.

Service ``museums`` runs two notebooks: ``reads_budget`` opens the council's budget.csv, ``reads_public`` the
public x.csv. Each test builds packs into one folder with the process executor (warm kernels) and checks which
executions ran and which were copied.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from notebook_kit import make_notebook

from wcc_analysis.core import config as config_module
from wcc_analysis.core.config import load_config
from wcc_analysis.run import pack, planning
from wcc_analysis.run.exporters import STYLESHEET
from wcc_analysis.run.validate import validate_pack

WORCESTER = planning.Council("E07000237", "Worcester", "SD")
BUDGET = "data/raw/council/E07000237/budget.csv"

READS_BUDGET = make_notebook(
    "import wcc_analysis\nfrom wcc_analysis.core import paths\n"
    f"text = (paths.project_root() / {BUDGET!r}).read_text(encoding='utf-8')",
    "wcc_analysis.record(population=len(text.splitlines()))",
)
READS_PUBLIC = make_notebook(
    "import wcc_analysis\nfrom wcc_analysis.core import paths\n"
    "text = (paths.project_root() / 'data/raw/public/x.csv').read_text(encoding='utf-8')",
    "wcc_analysis.record(population=len(text))",
)


@pytest.fixture
def two_readers(project: Path) -> Path:
    toml = project / "config" / "services.toml"
    text = toml.read_text(encoding="utf-8").replace(
        'notebooks = ["needs_analysis", "broken"]', 'notebooks = ["reads_budget", "reads_public"]')
    text += ('\n[notebooks.reads_budget]\ntitle = "Reads the budget"\nscope = "service"\n'
             '\n[notebooks.reads_public]\ntitle = "Reads the public file"\nscope = "service"\n')
    toml.write_text(text, encoding="utf-8")
    nbformat.write(READS_BUDGET, project / "notebooks" / "reads_budget.ipynb")
    nbformat.write(READS_PUBLIC, project / "notebooks" / "reads_public.ipynb")
    config_module.load_config.cache_clear()
    return project


def _build(project: Path, **kwargs) -> pack.Pack:
    config = load_config()
    plan = planning.plan(config, services=["museums"], council=WORCESTER,
                         extra_params=kwargs.pop("parameters", None))
    return pack.build(config, plan, WORCESTER, out_dir=project / "reports", jobs=2, **kwargs)


def _reused(built: pack.Pack) -> dict[str, str | None]:
    return {e["notebook"]: (e.get("reused_from") or {}).get("run_id") for e in built.manifest["executions"]}


def test_an_unchanged_rerun_copies_every_execution_and_says_so(two_readers):
    first = _build(two_readers)
    assert first.ok and _reused(first) == {"reads_budget": None, "reads_public": None}
    entry = {e["notebook"]: e for e in first.manifest["executions"]}["reads_budget"]
    assert entry["inputs_read"] == {
        f"file:{BUDGET}": __import__("hashlib").sha256((two_readers / BUDGET).read_bytes()).hexdigest()}
    timing = entry["timing"]
    assert timing["total_s"] > 0 and timing["imports_s"] >= 0
    if not timing["forked_kernel"]:  # a kernel started afresh imports the stack itself (a forked one did not)
        assert timing["imports_s"] > 0

    second = _build(two_readers)
    assert second.ok and _reused(second) == {"reads_budget": first.run_id, "reads_public": first.run_id}
    for rel in entry["outputs"].values():
        assert (second.path / rel).read_bytes() == (first.path / rel).read_bytes(), rel
    assert second.manifest["executions"][0]["reuse_key"] == entry["reuse_key"]
    assert (second.path / STYLESHEET).read_bytes() == (first.path / STYLESHEET).read_bytes()  # styled, though none ran
    front = (second.path / "index.html").read_text(encoding="utf-8")
    assert f"reused from run {first.run_id}" in front and "2 of 2 reports were <b>reused</b>" in front
    assert json.loads((second.path / "manifest.json").read_text())["executions"][1]["reused_from"]["run_id"] \
        == first.run_id
    checked = validate_pack(second.path, jobs=2)
    assert len(checked) == 2 and all(v.passed and v.cells_checked > 0 for v in checked)  # a reused notebook still reproduces under nbval


def test_a_changed_input_reruns_only_what_read_it_and_force_reruns_everything(two_readers):
    first = _build(two_readers)
    (two_readers / BUDGET).write_text("line,gbp\nmuseums,1\nleisure,2\n", encoding="utf-8")
    second = _build(two_readers)
    assert _reused(second) == {"reads_budget": None, "reads_public": first.run_id}
    figures = {e["notebook"]: e["headline"] for e in second.manifest["executions"]}
    assert figures["reads_budget"]["population"] == 3  # the new file's three lines were read

    third = _build(two_readers)  # reads_public was copied twice: it still names the run that executed it
    assert _reused(third) == {"reads_budget": second.run_id, "reads_public": first.run_id}

    forced = _build(two_readers, reuse=False)
    assert _reused(forced) == {"reads_budget": None, "reads_public": None}


def test_a_changed_notebook_or_parameter_is_run_again(two_readers):
    first = _build(two_readers)
    nb = nbformat.read(two_readers / "notebooks" / "reads_public.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("print('one more cell')"))
    nbformat.write(nb, two_readers / "notebooks" / "reads_public.ipynb")
    second = _build(two_readers)
    assert _reused(second) == {"reads_budget": first.run_id, "reads_public": None}
    third = _build(two_readers, parameters=["year=2024"])
    assert _reused(third) == {"reads_budget": None, "reads_public": None}
