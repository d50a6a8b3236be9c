"""The council template: read as CSV or workbook, absent files tolerated, bad rows named."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.council.council_data import councils_with_files, load_council_data

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "raw" / "council" / "E07000237"


@pytest.fixture
def council_dir(tmp_path):
    target = tmp_path / "E07000237"
    shutil.copytree(SAMPLE, target)
    return target


def test_worcester_sample_is_labelled_and_matches_the_published_budget_lines():
    data = load_council_data("E07000237")
    # the sample's budgets are Worcester's published RA 2023-24 net budget lines (£k): recreation and sport 532;
    # waste collection 884 + recycling 1,261 + open spaces 1,300; culture and heritage 1,017; housing benefits
    # administration 438 + council tax support administration 28 + local tax collection: other 685
    budgets = data.services.set_index("service_id")["budget_gbp"].to_dict()
    assert budgets == {"leisure": 532_000, "waste": 3_445_000, "museums": 1_017_000, "revenues_benefits": 1_151_000}
    from wcc_analysis.core.config import load_config
    from wcc_analysis.ingest.public.ra_budget import load_ra_budget

    ra = load_ra_budget()
    mine = ra[(ra["ons_code"] == "E07000237") & (ra["year"] == "2023-24")].set_index("line")["net_budget_gbp_thousands"]
    for service in load_config().services.values():
        assert budgets[service.id] == 1000 * sum(mine[line] for line in service.ra_lines)
    assert set(data.services["service_id"]) == {"leisure", "waste", "museums", "revenues_benefits"}
    assert data.illustrative
    assert (data.priority_scores.groupby("service_id").size() == 7).all()
    assert "E07000237" in councils_with_files()


def test_absent_council_is_not_an_error(tmp_path):
    data = load_council_data("E07000234", directory=tmp_path / "E07000234")
    assert data.services is None and data.priority_scores is None
    assert data.missing()[:2] == ["services", "priority_scores"] and "kpis" in data.missing()
    assert not data.illustrative


def test_workbook_with_one_sheet_per_table_is_read_the_same(council_dir, tmp_path):
    book = tmp_path / "book" / "E07000237"
    book.mkdir(parents=True)
    with pd.ExcelWriter(book / "council_data.xlsx") as writer:
        for table in ("services", "priority_scores"):
            pd.read_csv(council_dir / f"{table}.csv", dtype=str).to_excel(writer, sheet_name=table, index=False)
    from_csv = load_council_data("E07000237", directory=council_dir)
    from_xlsx = load_council_data("E07000237", directory=book)
    assert from_xlsx.services["budget_gbp"].tolist() == from_csv.services["budget_gbp"].tolist()
    assert len(from_xlsx.priority_scores) == 28


def _edit(path: Path, row: int, column: str, value: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row - 2, column] = value  # row as numbered in a spreadsheet (header = 1)
    frame.to_csv(path, index=False)


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "words"),
    [
        ("services", 3, "budget_gbp", "about 2m", "not an amount"),
        ("services", 4, "budget_gbp", "-5", "at least 0"),
        ("services", 2, "service_id", "leisre", "must be one of"),
        ("services", 5, "category", "Could Do", "must be one of"),
        ("priority_scores", 6, "score", "Very High", "must be one of"),
        ("priority_scores", 9, "criterion", "Cost", "must be one of"),
        ("providers", 3, "sector", "charity", "must be one of"),
        ("providers", 4, "services", "leisure;swimming", "service ids"),
        ("providers", 2, "contract_end", "next spring", "not a date"),
        ("providers", 2, "annual_value_gbp", "lots", "not an amount"),
        ("delivery_models", 2, "model", "insourced", "must be one of"),
        ("kpis", 5, "polarity", "up", "must be one of"),
        ("kpis", 6, "actual", "n/a", "not a number"),
        ("survey", 3, "percent_satisfied", "120", "range"),
        ("outputs", 2, "volume", "-4", "at least 0"),
        ("appraisal_settings", 2, "discount_rate_pct", "-1", "range"),
        ("option_cashflows", 2, "option_id", "outsource_to_aliens", "must be one of"),
        ("option_cashflows", 3, "year", "1.5", "whole year"),
        ("option_risks", 2, "probability", "1.5", "range"),
        ("sourcing_plan", 3, "activity", "Go live", "must be one of"),
        ("benefits_register", 2, "type", "cash", "must be one of"),
        ("contract_kpis", 2, "quarter", "Q1 2024", "pattern"),
        ("option_descriptions", 3, "option_id", "outsource_to_aliens", "must be one of"),
        ("option_descriptions", 4, "description", "", "cell is blank; this column must be filled in"),
        ("option_descriptions", 2, "service_id", "leisre", "must be one of"),
        ("commercial_case", 3, "option_id", "outsource_to_aliens", "must be one of"),
        ("commercial_case", 2, "contract_years", "ten", "not a number"),
        ("commercial_case", 2, "contract_years", "-1", "range"),
        ("commercial_case", 4, "tupe", "", "cell is blank"),
        ("commercial_case", 5, "pensions", "", "cell is blank"),
        ("optimism_bias", 2, "share_pct", "120", "range"),
        ("optimism_bias", 3, "item", "vat", "must be one of"),
        ("unmonetised_effects", 2, "direction", "good", "must be one of"),
        ("unmonetised_effects", 3, "size", "huge", "must be one of"),
        ("appraisal_settings", 3, "year_0", "2027", "pattern"),
        ("option_risks", 3, "impact_gbp", "-5", "at least 0"),
        ("cycle_activities", 2, "status", "finished", "must be one of"),
        ("cycle_activities", 3, "activity", "Go live", "must be one of"),
        ("cycle_activities", 2, "service_id", "leisre", "must be one of"),
        ("cycle_activities", 2, "phase", "Design", "Analyse policy-making activity in the seed's table"),
        ("cycle_activities", 4, "column", "sourcing", "Analyse policy-making activity in the seed's table"),
        ("cycle_activities", 23, "reason", "", "'not needed' with no reason"),
        ("solace_readiness", 2, "score", "6", "range"),
        ("solace_readiness", 3, "score", "2.5", "whole number"),
        ("solace_readiness", 4, "condition", "Good vibes", "must be one of"),
    ],
)
def test_bad_values_name_file_row_and_column(council_dir, table, row, column, value, words):
    _edit(council_dir / f"{table}.csv", row, column, value)
    with pytest.raises(InputDataError) as caught:
        load_council_data("E07000237", directory=council_dir)
    message = str(caught.value)
    assert f"{table}.csv" in message and f"row {row}" in message and repr(column) in message
    assert words in message and "What to do" in message


def test_missing_column_is_named(council_dir):
    frame = pd.read_csv(council_dir / "services.csv").drop(columns="seed_phase")
    frame.to_csv(council_dir / "services.csv", index=False)
    with pytest.raises(InputDataError, match="missing column.*seed_phase"):
        load_council_data("E07000237", directory=council_dir)


def test_duplicate_score_is_rejected_with_both_rows(council_dir):
    path = council_dir / "priority_scores.csv"
    frame = pd.read_csv(path, dtype=str)
    pd.concat([frame, frame.iloc[[0]]]).to_csv(path, index=False)
    with pytest.raises(InputDataError, match=r"rows 2 and 30"):
        load_council_data("E07000237", directory=council_dir)


def test_incomplete_scores_are_rejected(council_dir):
    path = council_dir / "priority_scores.csv"
    frame = pd.read_csv(path, dtype=str)
    frame[~((frame.service_id == "museums") & (frame.criterion == "Spend"))].to_csv(path, index=False)
    with pytest.raises(InputDataError, match="'museums' has no score for Spend"):
        load_council_data("E07000237", directory=council_dir)


def test_corrupt_workbook_is_named(council_dir):
    for f in council_dir.glob("*.csv"):
        f.unlink()
    (council_dir / "council_data.xlsx").write_bytes(b"this is not a workbook")
    with pytest.raises(InputDataError, match="council_data.xlsx.*cannot be read"):
        load_council_data("E07000237", directory=council_dir)


def test_same_table_twice_is_rejected(council_dir):
    with pd.ExcelWriter(council_dir / "council_data.xlsx") as writer:
        pd.read_csv(council_dir / "services.csv").to_excel(writer, sheet_name="services", index=False)
    with pytest.raises(InputDataError, match="supplied twice"):
        load_council_data("E07000237", directory=council_dir)


def test_every_template_table_of_the_sample_is_read_and_labelled():
    data = load_council_data("E07000237")
    assert data.missing() == []
    for name, frame in data.tables.items():
        assert (frame["data_status"] == "illustrative").all(), name
    assert len(data.table("kpis", "waste")) == 8
    assert data.table("survey", "unknown_service") is None
    providers = data.tables["providers"]
    assert providers["annual_value_gbp"].isna().sum() == 5  # blank: value not known
    assert str(providers.loc[providers.provider == "Severnside Leisure Trust", "contract_end"].iloc[0].date()) == "2028-03-31"


def test_through_reads_the_tables_only_as_far_as_the_one_named():
    full = load_council_data("E07000237")
    services_only = load_council_data("E07000237", through="services")
    assert list(services_only.tables) == ["services"] and len(full.tables) > 10
    assert services_only.services.equals(full.services)
    two = load_council_data("E07000237", through="priority_scores")
    assert list(two.tables) == ["services", "priority_scores"]  # the scores' checks use the services
    with pytest.raises(ValueError, match="no council table 'nope'"):
        load_council_data("E07000237", through="nope")
