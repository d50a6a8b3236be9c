"""The template's shortlist and commercial-case tables (option_descriptions, commercial_case): read, labelled,
bad rows named by file, row and column."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.council.council_data import TABLE_COLUMNS, load_council_data

COUNCIL = Path(__file__).resolve().parents[3] / "data" / "raw" / "council"
SAMPLE = COUNCIL / "E07000237"
TABLES = ("option_descriptions", "commercial_case")


@pytest.fixture
def council_dir(tmp_path):
    target = tmp_path / "E07000237"
    shutil.copytree(SAMPLE, target)
    return target


def _edit(path: Path, row: int, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value  # row as numbered in a spreadsheet (header = 1)
    frame.to_csv(path, index=False)


@pytest.mark.parametrize("table", TABLES)
def test_template_headers_match_the_schema(table):
    header = (COUNCIL / "_template" / f"{table}.csv").read_text(encoding="utf-8").splitlines()
    assert header == [",".join(TABLE_COLUMNS[table])]


def test_the_sample_tables_are_read_and_labelled():
    data = load_council_data("E07000237")
    descriptions, commercial = data.tables["option_descriptions"], data.tables["commercial_case"]
    assert descriptions["data_status"].eq("illustrative").all() and commercial["data_status"].eq("illustrative").all()
    # every service: business as usual and the do-minimum, each described and with a commercial row
    for frame in (descriptions, commercial):
        assert frame.groupby("service_id")["option_id"].apply(lambda s: {"status_quo", "do_minimum"} <= set(s)).all()
    assert set(zip(descriptions["service_id"], descriptions["option_id"])) == set(
        zip(commercial["service_id"], commercial["option_id"]))
    leisure = data.table("option_descriptions", "leisure").set_index("option_id")["description"]
    assert leisure["status_quo"].startswith("Re-let the leisure management contract to a trust on current terms")
    assert "in-house" in leisure["in_house_transformation"]
    row = data.table("commercial_case", "leisure").set_index("option_id").loc["status_quo"]
    assert row["procurement_route"] == "competitive flexible procedure" and row["contract_years"] == 10.0
    # in-house: no contract, so no length
    assert pd.isna(data.table("commercial_case", "waste").set_index("option_id").loc["status_quo", "contract_years"])


def test_route_and_option_are_read_in_any_case(council_dir):
    _edit(council_dir / "commercial_case.csv", 2, "procurement_route", "Competitive Flexible Procedure")
    _edit(council_dir / "commercial_case.csv", 2, "option_id", "Status_Quo")
    commercial = load_council_data("E07000237", directory=council_dir).tables["commercial_case"]
    assert commercial.loc[0, ["option_id", "procurement_route"]].tolist() == ["status_quo",
                                                                            "competitive flexible procedure"]


@pytest.mark.parametrize("table", TABLES)
def test_a_second_row_for_an_option_is_rejected(council_dir, table):
    path = council_dir / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    pd.concat([frame, frame.iloc[[0]]]).to_csv(path, index=False)
    with pytest.raises(InputDataError, match=rf"{table}.csv.*rows 2 and {len(frame) + 2}"):
        load_council_data("E07000237", directory=council_dir)


def test_a_council_without_the_tables_still_loads(council_dir):
    for table in TABLES:
        (council_dir / f"{table}.csv").unlink()
    data = load_council_data("E07000237", directory=council_dir)
    assert set(TABLES) <= set(data.missing())
