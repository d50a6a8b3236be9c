"""HM Treasury GDP deflator, calendar years (greenbook extract of the December 2025 release): reader and bad inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.public import gdp_deflator as gd


def test_real_series():
    table = gd.load_gdp_deflator()
    assert list(table.columns) == gd.COLUMNS
    assert table["calendar_year"].tolist() == list(range(1990, 2025))
    by_year = table.set_index("calendar_year")["deflator_index"]
    assert (by_year[1990], by_year[2017], by_year[2022], by_year[2023], by_year[2024]) == \
        (42.7537, 77.6367, 90.5005, 96.2507, 100.0)  # as in gdp_deflator.csv and PROVENANCE.md
    assert table["source_release"].unique().tolist() == [
        "HM Treasury, GDP deflators at market prices (December 2025 Quarterly National Accounts release, "
        "calendar-year series, 2024 = 100)"]


def _files(tmp_path: Path, lines: list[str], versions: str | None = None) -> tuple[Path, Path]:
    series = tmp_path / "gdp_deflator.csv"
    series.write_text("\n".join(['"year","value"', *lines]) + "\n", encoding="utf-8")
    version_file = tmp_path / "data_versions.csv"
    version_file.write_text(versions if versions is not None else gd.default_paths()[1].read_text(encoding="utf-8"),
                            encoding="utf-8")
    return series, version_file


GOOD = ["2022,90.5005", "2023,96.2507", "2024,100"]


def test_small_good_file(tmp_path):
    table = gd.load_gdp_deflator(*_files(tmp_path, GOOD))
    assert table["deflator_index"].tolist() == [90.5005, 96.2507, 100.0]


@pytest.mark.parametrize(("lines", "row", "column", "text"), [
    (["2022,90.5005", "2023,ninety-six", "2024,100"], 3, "value", "'ninety-six' is not a number"),
    (["2022,90.5005", "2023.5,96.2507", "2024,100"], 3, "year", "is not a whole number"),
    (["2022,90.5005", "2023,-96.2507", "2024,100"], 3, "value", "must be greater than 0"),
    (["2022,90.5005", "2022,96.2507", "2024,100"], 3, "year", "duplicate key"),
    (["2021,85.6358", "2023,96.2507", "2024,100"], 3, "year", "2023 does not follow 2021"),
    (["2022,90.5005", "2023,96.2507", "2024,99.5"], 4, "value", "the release says 2024 = 100 but the index for 2024 is 99.5"),
], ids=["text", "fraction-year", "negative", "duplicate-year", "gap", "base-not-100"])
def test_bad_series(tmp_path, lines, row, column, text):
    with pytest.raises(InputDataError) as info:
        gd.load_gdp_deflator(*_files(tmp_path, lines))
    assert (info.value.file, info.value.row, info.value.column) == ("gdp_deflator.csv", row, column)
    assert text in str(info.value)


def test_bad_versions_file(tmp_path):
    with pytest.raises(InputDataError, match="no row with dataset 'gdp_deflator'"):
        gd.load_gdp_deflator(*_files(tmp_path, GOOD, "dataset,source\nvpf,DfT TAG\n"))
    with pytest.raises(InputDataError, match="missing column"):
        gd.load_gdp_deflator(*_files(tmp_path, GOOD, "name,where\ngdp_deflator,HMT\n"))
    with pytest.raises(InputDataError, match="not found"):
        gd.load_gdp_deflator(tmp_path / "absent.csv", _files(tmp_path, GOOD)[1])
