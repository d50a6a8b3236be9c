"""Financial-year GDP deflators, real terms and series breaks — numbers worked by hand in the comments."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from wcc_analysis.analysis import prices
from wcc_analysis.core.errors import InputTableError, ParameterError

# HM Treasury GDP deflator, calendar years, 2024 = 100 (December 2025 release; gdp_deflator.csv 2016-2024).
CALENDAR = pd.DataFrame({
    "calendar_year": [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024],
    "deflator_index": [76.4554, 77.6367, 79.1606, 81.1085, 85.2137, 85.6358, 90.5005, 96.2507, 100.0],
})


@pytest.fixture(scope="module")
def fy() -> pd.DataFrame:
    return prices.financial_year_deflators(CALENDAR)


def _index(fy: pd.DataFrame, year: str) -> float:
    return float(fy.set_index("year").loc[year, "deflator_index"])


def test_financial_years_are_three_quarters_and_one_quarter(fy):
    assert list(fy.columns) == prices.FY_COLUMNS
    assert fy["year"].tolist() == ["2016-17", "2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23",
                                   "2023-24", "2024-25"]
    # 2023-24 = 0.75 × 96.2507 + 0.25 × 100 = 72.188025 + 25 = 97.188025
    assert _index(fy, "2023-24") == pytest.approx(97.188025, abs=1e-9)
    # 2017-18 = 0.75 × 77.6367 + 0.25 × 79.1606 = 58.227525 + 19.79015 = 78.017675
    assert _index(fy, "2017-18") == pytest.approx(78.017675, abs=1e-9)
    # 2021-22 = 0.75 × 85.6358 + 0.25 × 90.5005 = 64.22685 + 22.625125 = 86.851975
    assert _index(fy, "2021-22") == pytest.approx(86.851975, abs=1e-9)
    assert fy["year_start"].tolist() == list(range(2016, 2025))
    assert fy.loc[fy["year"] == "2023-24", "method"].item() == \
        "¾ × calendar 2023 (96.2507) + ¼ × calendar 2024 (100.0000)"


def test_last_year_uses_an_estimated_next_calendar_year(fy):
    # 2025 is not published: 2024 grown by 2024's growth on 2023,
    #   2025 = 100 × (100 / 96.2507) = 100 × 1.03895348... = 103.895348...
    # 2024-25 = 0.75 × 100 + 0.25 × 103.895348 = 75 + 25.973837 = 100.973837
    assert _index(fy, "2024-25") == pytest.approx(100.973837, abs=1e-6)
    assert fy["estimated"].tolist() == [False] * 8 + [True]
    method = fy["method"].iloc[-1]
    assert method.startswith("¾ × calendar 2024 (100.0000) + ¼ × estimated calendar 2025 (103.8953 = the 2024 "
                             "value grown by 2024's growth of 3.90 % [100.0000 / 96.2507]")


def test_real_terms_hand_worked(fy):
    # £1,000 in 2017-18 at 2023-24 prices = 1,000 × 97.188025 / 78.017675 = 1,000 × 1.2457180 = £1,245.72
    result = prices.to_real_terms([1000.0], ["2017-18"], fy, "2023-24")
    assert result.values.iloc[0] == pytest.approx(1245.718, abs=1e-3)
    assert result.table["factor"].iloc[0] == pytest.approx(97.188025 / 78.017675)
    assert result.estimated_years == ()  # 2017-18 and 2023-24 both published
    # At 2024-25 prices: 1,000 × 100.973837 / 78.017675 = £1,294.24 — 2024-25 is estimated, and says so
    result = prices.to_real_terms([1000.0], ["2017-18"], fy, "2024-25")
    assert result.values.iloc[0] == pytest.approx(1294.243, abs=1e-3)
    assert result.estimated_years == ("2024-25",)
    # A 2024-25 amount at 2024-25 prices is its cash value; the base year's own factor is 1
    assert prices.to_real_terms([500.0], ["2024-25"], fy, "2024-25").values.iloc[0] == 500.0


def test_real_terms_keeps_index_missing_and_one_year_for_all(fy):
    cash = pd.Series([2623.0, float("nan")], index=["cultural", "unknown"])
    result = prices.to_real_terms(cash, "2021-22", fy, "2023-24")
    assert result.values.index.tolist() == ["cultural", "unknown"]
    # 2,623 × 97.188025 / 86.851975 = 2,623 × 1.1190072 = 2,935.157
    assert result.values["cultural"] == pytest.approx(2935.157, abs=1e-3)
    assert math.isnan(result.values["unknown"])
    assert result.table[["year", "estimated"]].values.tolist() == [["2021-22", False], ["2021-22", False]]


def test_note(fy):
    note = prices.price_base_note(fy, "2024-25", release=prices.release_label(
        "HM Treasury, GDP deflators at market prices (December 2025 Quarterly National Accounts release, "
        "calendar-year series, 2024 = 100)"))
    assert note == ("Real terms: £ at 2024-25 prices, HM Treasury GDP deflator (December 2025, calendar years "
                    "converted to financial years as ¾/¼; 2024-25 uses an estimated 2025 value: 103.90, the 2024 "
                    "value grown by 2024's growth of 3.90 %).")
    at_2023 = prices.to_real_terms([1.0], ["2017-18"], fy, "2023-24").note  # no estimated year involved
    assert at_2023 == ("Real terms: £ at 2023-24 prices, HM Treasury GDP deflator (calendar years converted to "
                       "financial years as ¾/¼).")


@pytest.mark.parametrize(("call", "text"), [
    (lambda fy: prices.to_real_terms([1.0], ["2015-16"], fy, "2023-24"),
     "2015-16 outside the deflator series (2016-17 to 2024-25)"),
    (lambda fy: prices.to_real_terms([1.0], ["2025-26"], fy, "2023-24"), "2025-26 outside"),
    (lambda fy: prices.to_real_terms([1.0], ["2017-18"], fy, "2025-26"), "price base year '2025-26' is not in"),
    (lambda fy: prices.to_real_terms([1.0], ["2017/18"], fy, "2023-24"), "'2017/18' is not a financial year"),
    (lambda fy: prices.to_real_terms([1.0], ["2017-19"], fy, "2023-24"), "'2017-19' is not a financial year"),
    (lambda fy: prices.to_real_terms([1.0, 2.0], ["2017-18"], fy, "2023-24"), "2 amount(s) but 1 year(s)"),
], ids=["before", "after", "base", "slash", "two-years", "lengths"])
def test_bad_arguments(fy, call, text):
    with pytest.raises(ParameterError) as info:
        call(fy)
    assert text in str(info.value)


@pytest.mark.parametrize(("calendar", "text"), [
    (CALENDAR.rename(columns={"deflator_index": "value"}), "missing column"),
    (CALENDAR.iloc[[0]], "at least two calendar years"),
    (CALENDAR.drop(index=3), "consecutive"),
    (CALENDAR.assign(deflator_index=lambda f: f["deflator_index"].where(f["calendar_year"] != 2019, -1.0)),
     "positive number"),
], ids=["column", "one-year", "gap", "negative"])
def test_bad_calendar_table(calendar, text):
    with pytest.raises(InputTableError, match=text):
        prices.financial_year_deflators(calendar)


def test_series_breaks():
    central = prices.series_breaks("2012-13", "2014-15", block="Central services")
    assert [b.year for b in central] == ["2013-14"]
    assert "Council Tax Benefit abolished" in central[0].what
    assert "Housing benefits administration" in central[0].lines
    assert "Local tax collection: council tax support administration" in central[0].lines
    assert prices.series_breaks("2013-14", "2017-18", block="Central services") == []  # break year not inside
    span = [b.year for b in prices.series_breaks("2021-22", "2023-24", block="Cultural and related services")]
    assert span == ["2023-24"]  # reorganisation (Cumberland, Westmorland and Furness, North Yorkshire, Somerset)
    with pytest.raises(ParameterError):
        prices.series_breaks("2023-24", "2021-22")


def test_bad_deflator_table(fy):
    with pytest.raises(InputTableError, match="one row per financial year"):
        prices.to_real_terms([1.0], ["2017-18"], pd.concat([fy, fy]), "2023-24")
    with pytest.raises(InputTableError, match="missing column"):
        prices.to_real_terms([1.0], ["2017-18"], fy.drop(columns="estimated"), "2023-24")
