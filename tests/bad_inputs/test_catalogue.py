"""Every bad input of the catalogue (catalogue.py) refused in one line naming the file; nothing produced changes.

Each case runs on its own copy of the real project (config copied, raw files linked, data/processed copied
from one shared build, a previous pack in reports/): the change is applied to a real copy of the one input,
then the checks a run makes before any notebook starts (``run.preflight.check_inputs``, after
``load_config``) are made in this process. For a bad input: the expected exception class, one line, the
expected words, the file named relative to the project and never an absolute path, and data/processed and the
previous pack byte-for-byte unchanged. For an accepted variant: no error.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
from catalogue import ARGUMENTS, CASES, COUNCIL, Case

from wcc_analysis.core import config as config_module
from wcc_analysis.core import paths
from wcc_analysis.run import preflight
from wcc_analysis.run.cli import error_line
from wcc_analysis.run.linked_project import link_project

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS_PACK = "20260101T000000Z-E07000237"


def _point_at(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    monkeypatch.setenv(paths.HOME_ENV, str(root))
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.endswith(".lock")}


@pytest.fixture(scope="session")
def base_project(tmp_path_factory) -> Path:
    """The real project's inputs, linked, with data/processed built once and a previous pack."""
    root = link_project(ROOT, tmp_path_factory.mktemp("bad-inputs") / "base", processed=False)
    pack = root / "reports" / PREVIOUS_PACK
    (pack / "museums").mkdir(parents=True)
    (pack / "index.html").write_text("<!DOCTYPE html><title>the last good pack</title>", encoding="utf-8")
    (pack / "museums" / "needs_analysis.html").write_text("<p>museums</p>", encoding="utf-8")
    (root / "reports" / "latest").symlink_to(PREVIOUS_PACK)
    with pytest.MonkeyPatch.context() as patch:
        _point_at(patch, root)
        preflight.check_inputs(COUNCIL, config_module.load_config())  # the good inputs pass, and build processed
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()
    return root


def _project_for(case: Case, base: Path, where: Path) -> Path:
    root = link_project(base, where / "project")
    shutil.copytree(base / "reports", root / "reports", symlinks=True)
    target = root / case.input
    if target.is_symlink():
        data = target.read_bytes()
        target.unlink()
        target.write_bytes(data)  # a real copy: the change never reaches the repository's file
    target.parent.mkdir(parents=True, exist_ok=True)
    case.change.apply(target)
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_in_one_line_and_nothing_produced_changes(case, base_project, tmp_path, monkeypatch):
    root = _project_for(case, base_project, tmp_path)
    _point_at(monkeypatch, root)
    processed, reports = snapshot(root / "data" / "processed"), snapshot(root / "reports")
    if case.error is None:
        preflight.check_inputs(COUNCIL, config_module.load_config())
        return
    with pytest.raises(case.error) as raised:
        preflight.check_inputs(COUNCIL, config_module.load_config())
    line = error_line(raised.value)
    assert "\n" not in line
    assert re.search(case.words, line), line
    if case.names_file:
        assert case.input in line, f"the message does not name {case.input}: {line}"
    assert str(root) not in line and str(ROOT) not in line and not re.search(r"(^|\s)/(tmp|work|home|root)/", line), line
    assert snapshot(root / "data" / "processed") == processed, "data/processed changed"
    assert snapshot(root / "reports") == reports, "the previous pack changed"
    assert (root / "reports" / "latest").resolve().name == PREVIOUS_PACK


def test_the_catalogue_covers_every_kind_of_input():
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
    suffixes = {Path(c.input).suffix for c in CASES}
    assert {".csv", ".xlsx", ".xls", ".ods", ".json", ".toml"} <= suffixes
    assert sum(c.error is None for c in CASES) >= 8  # accepted variants: £, BOM, CRLF, encodings, placeholders


@pytest.mark.parametrize("argument", ARGUMENTS, ids=[a.id for a in ARGUMENTS])
def test_bad_argument_exits_2_in_one_line_before_anything_runs(argument, base_project, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from wcc_analysis.run import cli

    _point_at(monkeypatch, base_project)
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    args = [str(a_file) if a == "{file}" else a for a in argument.args]
    reports = snapshot(base_project / "reports")
    result = CliRunner().invoke(cli.app, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert re.search(argument.words, lines[0]), lines[0]
    assert "Traceback" not in result.output
    assert snapshot(base_project / "reports") == reports


def test_run_refuses_a_bad_input_before_any_notebook_starts(base_project, tmp_path, monkeypatch):
    """The same check is the first step of ``wcc-analysis run``: exit 1, one line, no pack begun."""
    from typer.testing import CliRunner

    from wcc_analysis.run import cli

    case = next(c for c in CASES if c.id == "services: text in a money column")
    root = _project_for(case, base_project, tmp_path)
    _point_at(monkeypatch, root)
    before = snapshot(root / "reports")
    result = CliRunner().invoke(cli.app, ["run", "--service", "museums", "--notebook", "needs_analysis"],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(case.words, lines[0]) and case.input in lines[0], result.stderr
    assert snapshot(root / "reports") == before and not list((root / "reports").glob(".incomplete-*"))
