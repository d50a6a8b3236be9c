"""Data-currency records: dates of periods, ages on a run date, the two-year warning."""

from datetime import date

import pytest

from wcc_analysis.assemble.provenance import _span
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.core.provenance import SourceUse, age_in_days, financial_year_end, is_stale, mid_year


def test_period_ends_and_ages():
    assert financial_year_end("2024-25") == "2025-03-31"
    assert mid_year(2024) == "2024-06-30"
    run = date(2026, 12, 1)
    assert age_in_days("2025-03-31", run) == 610  # 1 April 2025 … 1 December 2026
    assert not is_stale("2025-03-31", run)
    assert is_stale("2023-03-31", run)  # DEFRA 2022-23: 1,341 days, more than two years
    with pytest.raises(ParameterError):
        financial_year_end("2024/25")


def test_a_record_needs_an_iso_date_or_none():
    record = SourceUse("s", "c", "u", "r", "2025-03-31")
    assert record.to_dict()["period_end"] == "2025-03-31"
    assert SourceUse("council files", "c", "u", "r", None).period_end is None
    with pytest.raises(ParameterError, match="ISO date"):
        SourceUse("s", "c", "u", "r", "March 2025")


def test_a_span_of_years_names_the_gaps():
    years = ["2010-11", "2011-12", "2014-15", "2017-18", "2024-25"]
    assert _span(years[:2]) == "2010-11 to 2011-12"
    assert _span(["2013-14", "2014-15", "2017-18"]) == "2013-14 to 2017-18 (2015-16 and 2016-17 not held)"
