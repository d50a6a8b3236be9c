"""``wcc-analysis data add`` and ``data status`` on a temporary copy of the project's real published data.

The real data/raw/public is never touched: each test works on a copy (config/ and
data/raw/public/) pointed at with WCC_ANALYSIS_HOME, and downloads are served from a
local HTTP server on 127.0.0.1 (standard library, ephemeral port).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import shutil
import threading
import zipfile
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from wcc_analysis.core import config as config_module
from wcc_analysis.core import paths
from wcc_analysis.run import cli, data_add, data_catalogue

REAL = Path(__file__).resolve().parents[2]
RSX = "mhclg_rsx_2022-23_to_2024-25_ods_dfe"
RSX_2024 = "RSX_LA_Data_2024-25_data_by_LA.ods"
LACW = "defra_lacw_2022-23_and_flytipping"

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("base") / "project"
    shutil.copytree(REAL / "config", root / "config")
    shutil.copytree(REAL / "data" / "raw" / "public", root / "data" / "raw" / "public",
                    ignore=shutil.ignore_patterns(".*"))
    (root / "data" / "raw" / "council").mkdir()
    (root / "data" / "processed").mkdir()
    (root / "reports").mkdir()
    return root


@pytest.fixture
def project(base, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(base, root)
    monkeypatch.setenv(paths.HOME_ENV, str(root))
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()
    yield root
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


@pytest.fixture
def server(tmp_path):
    """(folder served, base address): files put in the folder are served at http://127.0.0.1:PORT/<name>."""
    folder = tmp_path / "www"
    folder.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def public(root: Path) -> Path:
    return root / "data" / "raw" / "public"


def snapshot(root: Path) -> dict[str, str]:
    """Every file under data/raw/public (hidden ones too) → sha256."""
    folder = public(root)
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def catalogue(root: Path) -> dict[str, dict[str, str]]:
    with open(public(root) / "catalogue.csv", newline="", encoding="utf-8") as handle:
        return {row["path"]: row for row in csv.DictReader(handle)}


def drop_from_catalogue(root: Path, relative: str) -> None:
    rows = catalogue(root)
    del rows[relative]
    with open(public(root) / "catalogue.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "source_folder", "sha256", "added", "how"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows.values())


def refused(result) -> list[str]:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and lines[1].startswith("what to do: "), result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert lines[-1] == "Nothing was added: data/raw/public/ is unchanged."
    return lines



# ----------------------------------------------------------------------------- data add


def test_add_from_a_url_recognises_copies_records_and_rebuilds(project, server):
    www, address = server
    original = public(project) / RSX / RSX_2024
    shutil.move(original, www / RSX_2024)  # next year's file, not yet in the project
    drop_from_catalogue(project, f"{RSX}/{RSX_2024}")
    sources_before = (public(project) / "SOURCES.md").read_text(encoding="utf-8")

    result = invoke("data", "add", f"{address}/{RSX_2024}")
    assert result.exit_code == 0, result.output + result.stderr
    text = " ".join(result.output.split())
    assert "Recognised: MHCLG Revenue Outturn Service Expenditure Summary (RSX), data by LA, 2024-25 (second release)" \
        in text
    assert "Valid: 5,740 rows, 2024-25, 409 authorities." in text
    assert f"Copied to data/raw/public/{RSX}/{RSX_2024}" in text

    # copied byte for byte, nothing else left in the folder
    assert original.read_bytes() == (www / RSX_2024).read_bytes()
    assert sorted(p.name for p in original.parent.iterdir()) == [
        "PROVENANCE.md", "RSX_2022-23_data_by_LA.ods", "RSX_2023-24_data_by_LA.ods", RSX_2024]
    sha = hashlib.sha256(original.read_bytes()).hexdigest()
    assert original.stat().st_mode & 0o444 == 0o444  # readable like the files beside it, not private

    # recorded: one line appended to SOURCES.md under its section, one catalogue row
    sources = (public(project) / "SOURCES.md").read_text(encoding="utf-8")
    assert sources.startswith(sources_before)
    added = sources[len(sources_before):]
    assert "## Files added with `wcc-analysis data add`" in added
    (line,) = [ln for ln in added.splitlines() if ln.startswith("- ")]
    today = date.today().isoformat()
    assert line.startswith(f"- {today}: `{RSX}/{RSX_2024}` — MHCLG Revenue Outturn Service Expenditure Summary (RSX)")
    assert "2024-25, second release" in line and f"sha256 `{sha}`" in line and f"from {address}/{RSX_2024}." in line
    row = catalogue(project)[f"{RSX}/{RSX_2024}"]
    assert row == {"path": f"{RSX}/{RSX_2024}", "source_folder": RSX, "sha256": sha, "added": today, "how": "data add"}

    # the tables that read it were rebuilt with it
    processed = project / "data" / "processed"
    every = pd.read_parquet(processed / "revenue_outturn_all_sources.parquet")
    assert (every["source_file"] == RSX_2024).sum() > 5000
    combined = pd.read_parquet(processed / "revenue_outturn.parquet")
    for name, table in (("revenue_outturn", combined), ("revenue_outturn_all_sources", every)):
        assert name[:15] in result.output and f"{len(table):,}" in result.output
    assert "2010-11 to" in result.output and "2024-25" in result.output


def test_an_identical_file_is_already_present(project, server):
    www, address = server
    shutil.copyfile(public(project) / RSX / "RSX_2022-23_data_by_LA.ods", www / "RSX_2022-23_data_by_LA.ods")
    before = snapshot(project)
    result = invoke("data", "add", f"{address}/RSX_2022-23_data_by_LA.ods")
    assert result.exit_code == 0, result.output
    assert f"Already present: data/raw/public/{RSX}/RSX_2022-23_data_by_LA.ods has the same bytes" in \
        " ".join(result.output.split())
    assert snapshot(project) == before


def test_a_url_that_is_not_there_gives_a_clear_error(project, server):
    _, address = server
    before = snapshot(project)
    lines = refused(invoke("data", "add", f"{address}/RSX_2031-32_data_by_LA.ods"))
    assert f"{address}/RSX_2031-32_data_by_LA.ods: download failed: HTTP 404" in lines[0]
    assert snapshot(project) == before


@pytest.mark.parametrize("damage", ["truncated", "text renamed .ods"])
def test_a_corrupt_file_is_refused_and_nothing_is_copied(project, server, damage):
    www, address = server
    name = "RSX_2025-26_data_by_LA.ods"
    if damage == "truncated":
        (www / name).write_bytes((public(project) / RSX / RSX_2024).read_bytes()[:50_000])
    else:
        (www / name).write_text("E-code,ONS Code,Local authority\nE0101,E06000022,Bath\n", encoding="utf-8")
    before = snapshot(project)
    lines = refused(invoke("data", "add", f"{address}/{name}"))
    assert lines[0] == f"error: file {name}: cannot read this file as a spreadsheet (CalamineError: Cannot detect " \
        "file format)"
    assert "truncated" in lines[1]
    assert snapshot(project) == before


def test_a_recognised_file_with_a_bad_cell_is_refused_with_the_readers_error(project, tmp_path, resave):
    bad = resave(public(project) / RSX / RSX_2024, tmp_path / "RSX_2025-26_data_by_LA.xlsx",
                 ["Front_Page", "RSX_LA_Data_202425"], bad_cell=("RSX_LA_Data_202425", 20, 13))
    before = snapshot(project)
    result = invoke("data", "add", str(bad))
    lines = refused(result)
    assert "Recognised: MHCLG Revenue Outturn Service Expenditure Summary (RSX)" in result.output
    assert lines[0] == ("error: file RSX_2025-26_data_by_LA.xlsx, sheet 'RSX_LA_Data_202425', row 21, column "
                        "'Education services - Net Current Expenditure (C7 = C3 - C6)': 'abc' is not a number "
                        "(net expenditure in £ thousand)")
    assert snapshot(project) == before


def test_a_valid_spreadsheet_it_does_not_know_is_refused_saying_what_it_expected(project, server):
    www, address = server
    shutil.copyfile(public(project) / LACW / "flytipping_la.ods", www / "flytipping_2023-24.ods")
    before = snapshot(project)
    lines = refused(invoke("data", "add", f"{address}/flytipping_2023-24.ods"))
    assert "not recognised as any source data add knows (its sheets: 'Metadata', 'Notes'" in lines[0]
    expected = "\n".join(lines[1:])
    for label in ("MHCLG Revenue Outturn Summary (RS)", "MHCLG Revenue Outturn Service Expenditure Summary (RSX)",
                  "ONS mid-year population estimates workbook", "DEFRA Local Authority Collected Waste"):
        assert label in expected, label
    assert "'E-code' header row" in expected and "'MYE4'" in expected and "'Table_3'" in expected
    assert snapshot(project) == before


def rezip(source: Path, target: Path) -> Path:
    """The same .ods (a zip) compressed again: other bytes, the same content."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info), compress_type=info.compress_type, compresslevel=1)
    assert target.read_bytes() != source.read_bytes()
    return target


def test_a_different_file_of_the_same_name_is_refused(project, server):
    www, address = server
    # a 2023-24 workbook (other bytes than any shipped file) under the 2022-23 workbook's name
    rezip(public(project) / RSX / "RSX_2023-24_data_by_LA.ods", www / "RSX_2022-23_data_by_LA.ods")
    before = snapshot(project)
    lines = refused(invoke("data", "add", f"{address}/RSX_2022-23_data_by_LA.ods"))
    assert f"a different file of this name is already in data/raw/public/{RSX}/" in lines[0]
    assert "move the old file out of data/raw/public/" in lines[1] and "rename the new file" in lines[1]
    assert snapshot(project) == before


def test_dry_run_checks_and_changes_nothing(project, tmp_path):
    moved = shutil.move(public(project) / RSX / RSX_2024, tmp_path / RSX_2024)
    before = snapshot(project)
    result = invoke("data", "add", str(moved), "--dry-run")
    assert result.exit_code == 0, result.output + result.stderr
    assert f"Dry run: it would be copied to data/raw/public/{RSX}/{RSX_2024}; nothing was changed." in \
        " ".join(result.output.split())
    assert snapshot(project) == before


def test_a_new_edition_is_read_by_its_table(project, tmp_path, resave):
    """A later DEFRA edition added beside the shipped one is the one the waste table reads (latest Table 3 year;
    between equal years, the later name)."""
    edition = resave(public(project) / LACW / "LA_collection.ods", tmp_path / "LA_collection_resaved.xlsx",
                     ["Metadata", "Table_3"])
    result = invoke("data", "add", str(edition))
    assert result.exit_code == 0, result.output + result.stderr
    text = " ".join(result.output.split())
    assert "DEFRA Local Authority Collected Waste statistics, LA data, 2022-23" in text
    assert "No processed table reads this file yet" not in text and "waste_collection" in text
    from wcc_analysis.ingest.public import waste_collection

    assert waste_collection.default_path().name == "LA_collection_resaved.xlsx"
    assert (public(project) / LACW / "LA_collection_resaved.xlsx").read_bytes() == edition.read_bytes()
    assert catalogue(project)[f"{LACW}/LA_collection_resaved.xlsx"]["how"] == "data add"


def test_a_file_dropped_into_its_folder_by_hand_is_checked_and_recorded(project):
    rel = f"{RSX}/{RSX_2024}"
    drop_from_catalogue(project, rel)
    result = invoke("data", "add", str(public(project) / rel))
    assert result.exit_code == 0, result.output + result.stderr
    assert f"Recorded (already in its folder): data/raw/public/{rel}" in " ".join(result.output.split())
    assert catalogue(project)[rel]["how"] == "data add"
    again = invoke("data", "add", str(public(project) / rel))
    assert again.exit_code == 0 and "Already present" in again.output


def test_sources_line_goes_under_its_section_even_when_it_is_not_last(tmp_path):
    sources = tmp_path / "SOURCES.md"
    sources.write_text("# Sources\n\n## 1. A\n\ntext\n", encoding="utf-8")
    data_add.append_to_sources("- first", sources)
    data_add.append_to_sources("- second", sources)
    with open(sources, "a", encoding="utf-8") as handle:
        handle.write("\n## 99. Later section\n\nmore\n")
    data_add.append_to_sources("- third", sources)
    text = sources.read_text(encoding="utf-8")
    assert text.count(data_add.SOURCES_HEADING) == 1
    section = text[text.index(data_add.SOURCES_HEADING):text.index("## 99.")]
    assert [ln for ln in section.splitlines() if ln.startswith("- ")] == ["- first", "- second", "- third"]
    assert text.startswith("# Sources\n\n## 1. A\n\ntext\n\n## Files added")


# ----------------------------------------------------------------------------- data status


def test_status_lists_every_folder_and_flags_changed_and_uncatalogued_files(project):
    folders = sorted(p.name for p in public(project).iterdir() if p.is_dir())
    kept = public(project) / "ons_census2021_population" / "lad_population_growth_2011_2021.csv"
    with open(kept, "ab") as handle:
        handle.write(b"E99999999,Nowhere,1,2\n")  # its bytes no longer match the catalogue
    (public(project) / "ons_neighbours" / "extra_notes.csv").write_text("a\n1\n", encoding="utf-8")

    result = invoke("data", "status")
    assert result.exit_code == 0, result.output + result.stderr
    out = result.output
    for folder in folders:
        assert f"\n{folder}/  (" in out, folder
    assert "PROVENANCE.md" not in out
    assert "lad_population_growth_2011_2021.csv  [CHANGED SINCE ADDED]" in out
    assert "CHANGED since added: ons_census2021_population/lad_population_growth_2011_2021.csv" in out
    assert "extra_notes.csv  [not in the catalogue]" in out
    assert "Not in the catalogue: ons_neighbours/extra_notes.csv" in out
    # what reads each file, what that table covers and how old it is
    rsx = out[out.index(f"  {RSX_2024}"):]
    assert "added 2026-12-01 (shipped)" in rsx.splitlines()[1]
    assert "read by revenue_outturn: 2010-11 to 2024-25" in rsx and "latest period ended 31 March 2025" in rsx
    assert "read by mid_year_population: 2011 to 2024" in out and "latest period ended 30 June 2024" in out
    assert "kept for reference (no processed table reads it)" in out
    assert "20 source folders" in out and "a financial year (YYYY-YY) ends on 31 March" in out

    # on a terminal: one rich table, the same folders and flags
    screen = Console(file=io.StringIO(), width=160, force_terminal=True, color_system=None)
    data_catalogue.render_rich(data_catalogue.data_status(), screen)
    shown = screen.file.getvalue()
    assert all(f"{folder}/" in shown for folder in folders) and "CHANGED SINCE ADDED" in shown
    assert "kept for reference" in shown and "revenue_outturn: 2010-11 to 2024-25" in shown

    written = invoke("data", "status", "--write-catalogue")
    assert written.exit_code == 0
    assert "1 row(s) added:" in written.output and "ons_neighbours/extra_notes.csv" in written.output
    assert catalogue(project)["ons_neighbours/extra_notes.csv"]["how"] == "shipped"
    assert "[CHANGED SINCE ADDED]" in written.output  # an existing row is never rewritten
    assert "[not in the catalogue]" not in written.output


def test_a_shipped_file_changed_in_place_is_refused(project):
    path = public(project) / RSX / "RSX_2022-23_data_by_LA.ods"
    rezip(public(project) / RSX / "RSX_2023-24_data_by_LA.ods", path.with_name("new.ods"))
    path.with_name("new.ods").replace(path)  # overwritten by hand with other bytes
    before = snapshot(project)
    lines = refused(invoke("data", "add", str(path)))
    assert "this file has changed since it was added on 2026-12-01" in lines[0]
    assert f"git checkout -- data/raw/public/{RSX}/RSX_2022-23_data_by_LA.ods" in lines[1]
    assert snapshot(project) == before
