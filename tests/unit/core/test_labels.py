"""One table of reader's labels: the mapping, the fallback for new columns, and numbers formatted by kind."""

from __future__ import annotations

import math

import pytest

from wcc_analysis.core import labels
from wcc_analysis.core.vocabulary import OPTION_LABELS


def test_listed_columns_have_their_label_and_kind():
    assert labels.label("option_id") == "Option" and labels.kind("option_id") == labels.OPTION
    assert labels.label("spend_per_head_gbp") == "Spend per head (£)" and labels.kind("spend_per_head_gbp") == labels.PER_HEAD
    assert labels.kind("prob_better_than_status_quo") == labels.SHARE
    assert labels.label("service_id") == "Service" and labels.kind("service_id") == labels.SERVICE


@pytest.mark.parametrize(("column", "label", "kind"), [
    ("pv_costs_gbp", "PV costs (£)", labels.MONEY),
    ("new_gap_gbp_thousands", "New gap (£ thousand)", labels.MONEY_K),
    ("uptake_pct", "Uptake (%)", labels.PERCENT),
    ("npv_vs_baseline", "NPV against baseline", None),
    ("cost_per_head", "Cost per head", labels.PER_HEAD),
    ("share_of_spend", "Share of spend", labels.SHARE),
])
def test_a_new_column_is_never_shown_raw(column, label, kind):
    assert labels.label(column) == label and labels.kind(column) == kind


def test_reader_names_are_left_alone_and_their_unit_read():
    assert labels.label("Spend per head (£)") == "Spend per head (£)"
    assert labels.kind("Budget (£ thousand)") == labels.MONEY_K and labels.kind("Budget (£)") == labels.MONEY


def test_money_shares_and_numbers_by_kind():
    assert labels.formatted(-2075.5, labels.MONEY_K) == "−£2,075.5k"
    assert labels.formatted(1234.0, labels.MONEY) == "£1,234" and labels.formatted(704285.7, labels.MONEY) == "£704,286"
    assert labels.formatted(12.345, labels.PER_HEAD) == "£12.35"
    assert labels.formatted(0.988, labels.SHARE) == "98.8%" and labels.formatted(0.5, labels.SHARE) == "50%"
    assert labels.formatted(12.5, labels.PERCENT) == "12.5%"
    assert labels.formatted(95000.0) == "95,000" and labels.formatted(3320.0) == "3,320"
    assert labels.formatted(2021.0, labels.YEAR) == "2021"
    assert labels.formatted(-0.0001, labels.MONEY_K) == "£0.0k"  # no minus on a figure that rounds to zero


def test_missing_and_booleans_never_show_as_python():
    for value in (None, math.nan, float("nan")):
        assert labels.formatted(value) == ""
    assert labels.formatted(True) == "yes" and labels.formatted(False) == "no"


def test_ids_read_as_names():
    assert labels.formatted("outsource_private", labels.OPTION) == OPTION_LABELS["outsource_private"]
    assert labels.name_of("status_quo") == "Business as usual"
    assert labels.service_name("revenues_benefits") != "revenues_benefits"


def test_a_callers_spec_keeps_its_precision_and_gets_the_unit_and_minus():
    assert labels.with_spec(-2075.46, ",.1f", labels.MONEY_K) == "−£2,075.5k"
    assert labels.with_spec(95000.0, ",.0f", labels.MONEY) == "£95,000"
    assert labels.with_spec(-3.25, "+.1f", labels.PERCENT) == "−3.2"
