"""Review phase: benefit realisation and contract governance, checked by hand."""

import math

import pandas as pd
import pytest

from wcc_analysis.analysis import benefits as b
from wcc_analysis.analysis.gap import KpiFacts
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.rules import Rule, RuleTable, always

REG_COLS = b.REGISTER_COLUMNS
NAN = math.nan


def _benefit(benefit_id, type_, plan_actual, service="S1", explanation=""):
    """Rows for one benefit: plan_actual = [(year, planned, actual), ...]."""
    return [
        (benefit_id, service, type_, "saving", "£", 0.0, year, planned, actual, "Owner", "ledger", explanation)
        for year, planned, actual in plan_actual
    ]


def _register(*benefits):
    return pd.DataFrame([row for rows in benefits for row in rows], columns=REG_COLS)


# B1 cashable: planned 100 000 + 120 000 reported, 150 000 not yet; actuals 90 000 + 100 000.
B1 = _benefit("B1", "cashable", [("2024-25", 100_000, 90_000), ("2025-26", 120_000, 100_000), ("2026-27", 150_000, NAN)],
              explanation="slower staff turnover than planned")
# B2 cashable, on plan: 50 000 planned and delivered, 50 000 to come.
B2 = _benefit("B2", "cashable", [("2024-25", 50_000, 50_000), ("2025-26", 50_000, NAN)])
# B3 non-cashable (hours saved): 1 000 planned, 700 actual → 70 % → Red, no explanation.
B3 = _benefit("B3", "non-cashable", [("2024-25", 1_000, 700)])
# B4 cashable, nothing reported yet.
B4 = _benefit("B4", "cashable", [("2025-26", 30_000, NAN)])

REGISTER = _register(B1, B2, B3, B4)


# --- realisation ---------------------------------------------------------------------------


def test_realisation_by_hand():
    s = b.realisation(REGISTER).set_index("benefit_id")
    b1 = s.loc["B1"]
    # to date = the two years with an actual: planned 100k + 120k = 220k, actual 90k + 100k = 190k
    assert b1["planned_to_date"] == 220_000 and b1["actual_to_date"] == 190_000
    assert b1["planned_total"] == 370_000 and b1["remaining_planned"] == 150_000
    # 190 / 220 × 100 = 86.36 % → Amber (80 ≤ x < 95)
    assert b1["realisation_pct"] == pytest.approx(86.3636, abs=1e-3)
    assert b1["rag"] == "Amber" and b1["plan_status"] == "behind plan"
    # forecast at completion (FORECAST_RULES) = realised to date 190k + planned for the later year 150k = 340k,
    # set against planned in total 370k (never against realised to date): 340 / 370 = 91.89 %
    assert b1["forecast_at_completion"] == 340_000 and b1["forecast_shortfall"] == 30_000
    assert b1["forecast_to_plan_pct"] == pytest.approx(91.8919, abs=1e-3)
    assert b1["forecast_basis"] == "realised to date + planned for the later years (no forecast in the register)"
    assert b1["variance_to_date"] == 30_000  # 220k − 190k
    assert b1["explanation"] == "slower staff turnover than planned" and not b1["explanation_missing"]
    assert b1["to_date_year"] == "2025-26" and b1["years_reported"] == 2 and b1["unreported_to_date"] == ""
    # no deflators handed in: no real-terms figures, rated on the register's own figures
    assert pd.isna(b1["planned_to_date_real"]) and pd.isna(b1["price_base_year"]) and b1["rated_pct"] == b1["realisation_pct"]
    # the baseline year defaults to the year before the benefit's first year
    assert b1["baseline_year"] == "2023-24"
    # B2: 50k of 50k = 100 % → Green; forecast 50k + 50k planned = 100k
    assert s.loc["B2", "rag"] == "Green" and s.loc["B2", "forecast_at_completion"] == pytest.approx(100_000)
    # B3: 700 / 1000 = 70 % → Red, and no explanation → flagged
    assert s.loc["B3", "rag"] == "Red" and s.loc["B3", "explanation_missing"]
    # B4: nothing reported → Grey, no %, not flagged; its forecast is its plan (no evidence either way)
    b4 = s.loc["B4"]
    assert b4["rag"] == "Grey" and pd.isna(b4["realisation_pct"]) and b4["forecast_at_completion"] == 30_000
    assert pd.isna(b4["to_date_year"]) and b4["plan_status"] == "not yet reported" and not b4["explanation_missing"]


@pytest.mark.parametrize(
    "pct, expected",
    [(None, "Grey"), (NAN, "Grey"), (120.0, "Green"), (95.0, "Green"), (94.99, "Amber"),
     (80.0, "Amber"), (79.99, "Red"), (0.0, "Red")],
)
def test_benefit_rag_boundaries(pct, expected):
    assert b.benefit_rag(pct) == expected


def test_rag_boundaries_from_the_register():
    # 95 of 100 → 95 % exactly → Green; 80 of 100 → Amber; 79 of 100 → Red
    reg = _register(
        _benefit("G", "cashable", [("2024-25", 100, 95)]),
        _benefit("A", "cashable", [("2024-25", 100, 80)]),
        _benefit("R", "cashable", [("2024-25", 100, 79)]),
    )
    assert b.realisation(reg).set_index("benefit_id")["rag"].to_dict() == {"A": "Amber", "G": "Green", "R": "Red"}


def test_cumulative_by_year():
    c = b.cumulative(_register(B1)).set_index("year")
    assert list(c["cumulative_planned"]) == [100_000, 220_000, 370_000]
    assert list(c["cumulative_actual"][:2]) == [90_000, 190_000] and pd.isna(c.loc["2026-27", "cumulative_actual"])
    assert c.loc["2024-25", "cumulative_realisation_pct"] == pytest.approx(90.0)  # 90/100
    assert c.loc["2025-26", "cumulative_realisation_pct"] == pytest.approx(86.3636, abs=1e-3)  # 190/220
    assert pd.isna(c.loc["2026-27", "cumulative_realisation_pct"])


def test_variance_table_orders_by_shortfall_and_skips_unreported():
    v = b.variances(b.realisation(REGISTER))
    # B1 shortfall 30 000, B3 300 (hours), B2 0; B4 not reported → not in the table
    assert list(v["benefit_id"]) == ["B1", "B3", "B2"]
    assert list(v["variance_to_date"]) == [30_000, 300, 0]
    assert list(v["explanation_missing"]) == [False, True, False]


def test_explanations_of_several_years_are_labelled():
    reg = _register(_benefit("X", "cashable", [("2024-25", 100, 50), ("2025-26", 100, 60)]))
    reg.loc[0, "explanation"] = "late start"
    reg.loc[1, "explanation"] = "recovering"
    assert b.realisation(reg).loc[0, "explanation"] == "2024-25: late start; 2025-26: recovering"


# --- totals and overall ---------------------------------------------------------------------


def test_totals_pair_like_with_like_and_exclude_non_cashable_from_pounds():
    t = b.totals(b.realisation(REGISTER))
    # no deflators: the real-terms figures are not available, the cash ones are
    assert t["benefits_price_base_year"] is None and t["benefits_planned_to_date_gbp_thousands"] is None
    # to date (each benefit to its cut-off: B1 2025-26, B2 2024-25): planned 220k + 50k = 270k, realised 190k + 50k
    # = 240k (B4 reports nothing: 0 of 0), ratio 240 / 270 = 88.89 %
    assert t["benefits_planned_to_date_cash_gbp_thousands"] == pytest.approx(270.0)
    assert t["benefits_realised_to_date_cash_gbp_thousands"] == pytest.approx(240.0)
    assert t["realisation_to_date_cash_pct"] == pytest.approx(88.8889, abs=1e-3)
    assert t["benefits_to_date_year"] == "2024-25 to 2025-26 (by benefit)"
    # in total: planned B1 370k + B2 100k + B4 30k = 500k (B3's 1 000 hours excluded); forecast B1 340k + B2 100k
    # + B4 30k = 470k
    assert t["benefits_planned_total_cash_gbp_thousands"] == pytest.approx(500.0)
    assert t["benefits_forecast_total_cash_gbp_thousands"] == pytest.approx(470.0)
    assert t["benefits_red"] == 1  # B3 (non-cashable still counts in the RAG count)
    # B3 (hours) is counted, never added in £: 700 of 1 000 = 70 % → behind plan
    assert (t["benefits_non_cashable_on_plan"], t["benefits_non_cashable_behind_plan"]) == (0, 1)
    assert t["benefits_non_cashable_units"] == "£"  # the test register's unit column


def test_non_cashable_alone_gives_no_pounds():
    t = b.totals(b.realisation(_register(B3)))
    assert t["benefits_planned_total_cash_gbp_thousands"] is None and t["realisation_to_date_pct"] is None
    assert t["benefits_non_cashable_behind_plan"] == 1
    assert b.pairs(b.realisation(_register(B3))).empty


# --- real terms and the pairs -----------------------------------------------------------------

# The shipped HM Treasury calendar-year GDP deflator (data/raw/public/hmt_gdp_deflator_calendar_greenbook/
# gdp_deflator.csv): 2022 = 90.5005, 2023 = 96.2507, 2024 = 100. Financial years as ¾/¼ (analysis.prices):
#   2022-23 = 0.75 × 90.5005 + 0.25 × 96.2507 = 91.93805
#   2023-24 = 0.75 × 96.2507 + 0.25 × 100     = 97.188025
#   2024-25 = 0.75 × 100 + 0.25 × 103.895348 (2025 estimated as 100 × 100 / 96.2507) = 100.973837
# so to 2024-25 prices: a 2023-24 £ × 100.973837 / 97.188025 = × 1.0389535 (exactly 100 / 96.2507), and a 2022-23
# £ × 100.973837 / 91.93805 = × 1.0982813.
CALENDAR = pd.DataFrame({"calendar_year": [2022, 2023, 2024], "deflator_index": [90.5005, 96.2507, 100.0]})
F_2324, F_2223 = 1.0389535, 1.0982813


def _deflators():
    from wcc_analysis.analysis import prices
    return prices.financial_year_deflators(CALENDAR)


# C1 cashable: baseline £500k in 2022-23; 2023-24 planned 100k realised 100k; 2024-25 planned 100k realised 80k;
# 2025-26 planned 100k, not yet reported (after the deflator series: taken at 2024-25 prices).
C1 = _benefit("C1", "cashable", [("2023-24", 100_000, 100_000), ("2024-25", 100_000, 80_000), ("2025-26", 100_000, NAN)],
              explanation="late start")


def _c1_register():
    reg = _register(C1)
    reg["baseline"] = 500_000.0
    reg["baseline_year"] = "2022-23"
    return reg


def test_a_2023_24_pound_at_2024_25_prices_by_hand():
    terms = b.price_terms(["2023-24", "2024-25", "2025-26", "2022-23"], _deflators(), "2024-25")
    # £100k of 2023-24 at 2024-25 prices = 100 × 1.0389535 = £103.895k
    assert 100 * terms.factor("2023-24") == pytest.approx(103.89535, abs=1e-4)
    assert terms.factor("2022-23") == pytest.approx(F_2223, abs=1e-6)
    assert terms.factor("2024-25") == pytest.approx(1.0)
    # 2025-26 is after the series: taken at 2024-25 prices, and the note says so
    assert terms.factor("2025-26") == pytest.approx(1.0) and terms.held == ("2025-26",)
    assert "Real terms: £ at 2024-25 prices" in terms.note and "2025-26 is after the deflator series" in terms.note
    assert b.price_terms(["2023-24"], None) is None


def test_real_terms_pairs_by_hand():
    s = b.realisation(_c1_register(), _deflators(), "2024-25").iloc[0]
    # to date (to 2024-25): planned 100k × 1.0389535 + 100k = 203,895.35; realised 100k × 1.0389535 + 80k = 183,895.35
    assert s["planned_to_date_real"] == pytest.approx(203_895.35, abs=0.01)
    assert s["actual_to_date_real"] == pytest.approx(183_895.35, abs=0.01)
    # 183,895.35 / 203,895.35 = 90.19 % (cash 180 / 200 = 90.0 %) → Amber, rated on the real-terms ratio
    assert s["realisation_real_pct"] == pytest.approx(90.1910, abs=1e-3) and s["realisation_pct"] == pytest.approx(90.0)
    assert s["rated_pct"] == s["realisation_real_pct"] and s["rag"] == "Amber"
    # in total: planned 203,895.35 + 100k (2025-26 at 2024-25 prices) = 303,895.35; forecast = realised to date
    # 183,895.35 + planned 100k for 2025-26 = 283,895.35 (cash: 300k and 280k)
    assert s["planned_total_real"] == pytest.approx(303_895.35, abs=0.01)
    assert s["forecast_at_completion_real"] == pytest.approx(283_895.35, abs=0.01)
    assert (s["planned_total"], s["forecast_at_completion"]) == (300_000, 280_000)
    # baseline £500k of 2022-23 = 500k × 1.0982813 = 549,140.6 at 2024-25 prices; the final year's 100k is 18.21 % of it
    assert s["baseline_real"] == pytest.approx(549_140.6, abs=0.1)
    assert s["final_year_pct_of_baseline"] == pytest.approx(18.2103, abs=1e-3)
    assert s["price_base_year"] == "2024-25" and s["to_date_year"] == "2024-25"


def test_headline_pairs_real_terms_with_cash_beside():
    r = b.review(_c1_register(), None, deflators=_deflators())
    h = r.headline()
    assert h["benefits_price_base_year"] == "2024-25" and h["benefits_to_date_year"] == "2024-25"
    assert (h["benefits_planned_to_date_gbp_thousands"], h["benefits_realised_to_date_gbp_thousands"],
            h["realisation_to_date_pct"]) == (203.9, 183.9, 90.2)
    assert (h["benefits_planned_total_gbp_thousands"], h["benefits_forecast_total_gbp_thousands"],
            h["forecast_to_plan_pct"]) == (303.9, 283.9, 93.4)  # 283,895.35 / 303,895.35
    assert (h["benefits_planned_to_date_cash_gbp_thousands"], h["benefits_realised_to_date_cash_gbp_thousands"],
            h["realisation_to_date_cash_pct"]) == (200.0, 180.0, 90.0)
    assert (h["benefits_planned_total_cash_gbp_thousands"], h["benefits_forecast_total_cash_gbp_thousands"]) == (300.0, 280.0)
    assert h["benefits_forecast_basis"].startswith("realised to date + planned for the later years")
    pairs = r.pairs.set_index("pair")
    assert pairs.loc["To date", "set_against"] == "realised to date" and pairs.loc["To date", "years"] == "2023-24 to 2024-25"
    assert pairs.loc["In total", "set_against"] == "forecast at completion"
    assert pairs.loc["In total", "years"] == "2023-24 to 2025-26"
    assert r.price_base_year == "2024-25" and "2025-26 is after the deflator series" in r.price_note
    sentence = r.overall[1]
    assert "to date (to 2024-25): £183.9k at 2024-25 prices (£180.0k cash) realised of £203.9k at 2024-25 prices " \
           "(£200.0k cash) planned to date (90.2 %)" in sentence
    # the chart reads the real-terms cumulative table
    real = r.cashable_cumulative_real.set_index("year")
    assert real.loc["2023-24", "planned"] == pytest.approx(103_895.35, abs=0.01)
    assert "at 2024-25 prices" in r.cashable_chart_title and "to 2024-25" in r.cashable_chart_title


def test_to_date_is_up_to_the_latest_actual_and_a_gap_counts_as_nothing_realised():
    gap = _benefit("G", "cashable", [("2023-24", 50, NAN), ("2024-25", 50, 60), ("2025-26", 50, NAN)])
    s = b.realisation(_register(gap)).iloc[0]
    # cut-off 2024-25: planned to date 50 + 50 = 100, realised 0 + 60 = 60 (never 60 of 50)
    assert (s["to_date_year"], s["planned_to_date"], s["actual_to_date"]) == ("2024-25", 100, 60)
    assert s["unreported_to_date"] == "2023-24" and s["realisation_pct"] == pytest.approx(60.0)
    assert s["forecast_at_completion"] == 110  # 60 + 50 planned for 2025-26
    assert "G has no actual for 2023-24 (before its cut-off 2024-25)" in b.overall(b.realisation(_register(gap)))[1]
    c = b.cumulative(_register(gap)).set_index("year")
    assert list(c["to_date"]) == [True, True, False] and c.loc["2024-25", "cumulative_actual"] == 60
    assert c.loc["2024-25", "cumulative_realisation_pct"] == pytest.approx(60.0)
    assert pd.isna(c.loc["2025-26", "cumulative_actual"])


def test_the_register_forecast_replaces_the_plan_for_later_years():
    reg = _register(B1)
    reg["forecast"] = ["", "", "120,000"]  # the owner's forecast for 2026-27 (commas allowed)
    s = b.realisation(reg).iloc[0]
    assert s["forecast_at_completion"] == 190_000 + 120_000
    assert s["forecast_basis"] == "realised to date + the register's forecast for the later years"
    # a forecast in a reported year is not used: FORECAST_RULES take the actual there
    reg["forecast"] = ["999", "", ""]
    assert b.realisation(reg).iloc[0]["forecast_at_completion"] == 340_000
    reg["forecast"] = ["", "", "lots"]
    with pytest.raises(InputTableError, match="forecast 'lots' is not a number") as caught:
        b.realisation(reg)
    assert caught.value.column == "forecast"


def test_baseline_year_is_checked():
    reg = _c1_register()
    reg["baseline_year"] = "2022"
    with pytest.raises(InputTableError, match="baseline_year '2022' is not a financial year"):
        b.realisation(reg)
    reg["baseline_year"] = ["2022-23", "2021-22", "2022-23"]
    with pytest.raises(InputTableError, match="more than one baseline_year"):
        b.realisation(reg)
    reg["baseline_year"] = ""
    assert b.realisation(reg).iloc[0]["baseline_year"] == "2022-23"  # blank: the year before 2023-24


def test_non_cashable_is_counted_never_added_in_pounds():
    visits = [("V", "S1", "non-cashable", "visits", "visits", 360_000.0, y, p, a, "Owner", "return", "")
              for y, p, a in [("2023-24", 10_000, 12_000), ("2024-25", 15_000, 9_000)]]
    on = [("R", "S1", "non-cashable", "recycling", "% points", 36.0, "2024-25", 1.0, 1.0, "Owner", "return", "")]
    status = b.realisation(pd.DataFrame(visits + on, columns=REG_COLS), _deflators())
    t = b.totals(status)
    # V: 21,000 of 25,000 visits = 84 % → behind plan; R: 1 of 1 point = 100 % → on plan
    assert (t["benefits_non_cashable_on_plan"], t["benefits_non_cashable_behind_plan"]) == (1, 1)
    assert t["benefits_non_cashable_units"] == "% points; visits"
    assert t["benefits_planned_total_cash_gbp_thousands"] is None and t["benefits_price_base_year"] is None
    assert status["planned_to_date_real"].isna().all()  # never restated in £
    sentence = b.overall(status)[1]
    assert "1 on plan, 1 behind plan" in sentence and "visits: 21,000 of 25,000 visits planned to 2024-25" in sentence


def test_overall_rag_and_sentence():
    rag, sentence = b.overall(b.realisation(REGISTER))
    # cashable 88.9 % → Amber; 1 Red of 3 rated is not more than a third → Amber
    assert rag == "Amber"
    assert "£240.0k cash realised of £270.0k cash planned to date (88.9 %)" in sentence
    assert "1 Green, 1 Amber, 1 Red, 1 not yet reported" in sentence
    # forecast: B1 340k + B2 100k + B4 (unreported, plan) 30k = £470.0k, against £500.0k planned in total
    assert "forecast £470.0k cash at completion against £500.0k cash planned in total (94.0 %)" in sentence
    assert "to date (to 2024-25 to 2025-26 (by benefit))" in sentence
    assert "non-cashable benefits (never added in £): 0 on plan, 1 behind plan" in sentence


def test_overall_rules():
    green = _benefit("G", "cashable", [("2024-25", 100, 100)])
    red = _benefit("R", "non-cashable", [("2024-25", 100, 10)])
    assert b.overall(b.realisation(_register(green)))[0] == "Green"
    # 100 % cashable but 1 Red of 2 rated = half > a third → Red
    assert b.overall(b.realisation(_register(green, red)))[0] == "Red"
    # cashable 70 % → Red on money alone
    assert b.overall(b.realisation(_register(_benefit("C", "cashable", [("2024-25", 100, 70)]))))[0] == "Red"
    # nothing reported → Grey; no register → Grey
    assert b.overall(b.realisation(_register(B4)))[0] == "Grey"
    assert b.overall(None)[0] == "Grey"


def test_register_validation():
    dup = _register(B1, _benefit("B1", "cashable", [("2024-25", 1, 1)]))
    with pytest.raises(ValueError, match=r"benefit_id='B1', year='2024-25'"):
        b.realisation(dup)
    with pytest.raises(ValueError, match="type"):
        b.realisation(_register(_benefit("Z", "cash-ish", [("2024-25", 1, 1)])))
    mixed = _register(_benefit("M", "cashable", [("2024-25", 1, 1)]), _benefit("M", "non-cashable", [("2025-26", 1, 1)]))
    with pytest.raises(ValueError, match="'M'"):
        b.realisation(mixed)


# --- contract governance --------------------------------------------------------------------

KPI_COLS = b.KPI_COLUMNS


def _kpis(rows):
    return pd.DataFrame(rows, columns=KPI_COLS)


KPIS = _kpis([
    # Bins: higher is better, target 95. Missed Q2 and Q3 but met Q4 → not flagged at the latest.
    ("Waste", "Bins collected %", "higher_is_better", 95.0, "2024-25 Q1", 96.0, 0.0),
    ("Waste", "Bins collected %", "higher_is_better", 95.0, "2024-25 Q2", 93.0, 500.0),
    ("Waste", "Bins collected %", "higher_is_better", 95.0, "2024-25 Q3", 90.0, 1_000.0),
    ("Waste", "Bins collected %", "higher_is_better", 95.0, "2024-25 Q4", 95.0, 0.0),
    # Complaints: lower is better, target 20. Met Q2, missed Q3 (21 = 5 % over → Amber) and Q4 (25 → Red) → flagged.
    ("Waste", "Complaints", "lower_is_better", 20.0, "2024-25 Q2", 18.0, 0.0),
    ("Waste", "Complaints", "lower_is_better", 20.0, "2024-25 Q3", 21.0, 0.0),
    ("Waste", "Complaints", "lower_is_better", 20.0, "2024-25 Q4", 25.0, 250.0),
    # Grounds: its own latest quarter is Q3; missed only once → not flagged; Red in its latest.
    ("Grounds", "Cuts on time %", "higher_is_better", 90.0, "2024-25 Q2", 91.0, 0.0),
    ("Grounds", "Cuts on time %", "higher_is_better", 90.0, "2024-25 Q3", 80.0, 750.0),
])


def test_kpi_quarters_rag_and_trend():
    t = b.kpi_quarters(KPIS).set_index(["kpi", "quarter"])
    # 93 vs 95: 2 short; 5 % of 95 = 4.75 → Amber. 90: 5 short → Red. 95: met → Green.
    assert t.loc[("Bins collected %", "2024-25 Q2"), "rag"] == "Amber"
    assert t.loc[("Bins collected %", "2024-25 Q3"), "rag"] == "Red"
    q4 = t.loc[("Bins collected %", "2024-25 Q4")]
    assert q4["rag"] == "Green" and q4["on_target"] and q4["previous_actual"] == 90.0
    # trend (common.TREND_RULES): least-squares line through Q1-Q4 of (actual - 95) / 95 = +1.053, -2.105, -5.263,
    # 0.000 % → slope Σ(x - 1.5)(y - ȳ) / 5 = -3.158 / 5 = -0.632 % of target a quarter, within ±1 % → stable
    # (the last two points alone, 90 → 95, would have said "improving")
    assert q4["trend"] == "stable"
    # complaints 21 vs 20 = exactly 5 % over → Amber; 25 → Red; Q3 → Q4 worsening
    assert t.loc[("Complaints", "2024-25 Q3"), "rag"] == "Amber"
    c4 = t.loc[("Complaints", "2024-25 Q4")]
    # lower is better: Q2-Q4 +10, -5, -25 % of target → slope (-16.667 - 18.333) / 2 = -17.5 % a quarter → worsening
    assert c4["rag"] == "Red" and c4["trend"] == "worsening" and c4["performance_gap"] == -5.0
    assert t.loc[("Complaints", "2024-25 Q2"), "trend"] == "one period only"
    # latest is per contract: Waste Q4, Grounds Q3
    assert t.loc[("Cuts on time %", "2024-25 Q3"), "latest"] and t.loc[("Complaints", "2024-25 Q4"), "latest"]
    assert not t.loc[("Complaints", "2024-25 Q3"), "latest"]


def test_refinement_flags_consecutive_misses_up_to_latest():
    f = b.refinement_flags(KPIS)
    # Bins: missed Q2, Q3 but met Q4 → not flagged. Complaints: missed Q3, Q4 → flagged. Grounds: one miss.
    assert list(f["kpi"]) == ["Complaints"]
    row = f.iloc[0]
    assert row["quarters"] == ["2024-25 Q3", "2024-25 Q4"] and row["quarters_missed"] == 2
    assert row["action"] == "contract refinement and adjustment" and "2024-25 Q3, 2024-25 Q4" in row["reason"]
    # consecutive=1: Grounds' single Red in its latest quarter is now enough; Bins still met at the latest
    assert sorted(b.refinement_flags(KPIS, consecutive=1)["kpi"]) == ["Complaints", "Cuts on time %"]
    assert b.refinement_flags(KPIS, consecutive=3).empty
    with pytest.raises(ValueError):
        b.refinement_flags(KPIS, consecutive=0)


def test_a_gap_in_the_quarters_breaks_the_run():
    k = _kpis([
        ("C", "K", "higher_is_better", 10.0, "2024-25 Q1", 5.0, 0.0),
        ("C", "K", "higher_is_better", 10.0, "2024-25 Q3", 5.0, 0.0),  # Q2 not reported
    ])
    assert b.refinement_flags(k).empty
    k2 = _kpis([
        ("C", "K", "higher_is_better", 10.0, "2024-25 Q4", 5.0, 0.0),
        ("C", "K", "higher_is_better", 10.0, "2025-26 Q1", 5.0, 0.0),  # Q4 → next year's Q1 is consecutive
    ])
    assert list(b.refinement_flags(k2)["quarters"].iloc[0]) == ["2024-25 Q4", "2025-26 Q1"]


def test_service_credits_totals():
    c = b.service_credits(KPIS)
    # 500 + 1 000 + 250 + 750 = 2 500
    assert c["total_gbp"] == 2_500.0
    assert c["by_contract"].set_index("contract")["service_credit_gbp"].to_dict() == {"Grounds": 750.0, "Waste": 1_750.0}
    q = c["by_contract_quarter"].set_index(["contract", "quarter"])["service_credit_gbp"]
    assert q[("Waste", "2024-25 Q4")] == 250.0 and q[("Waste", "2024-25 Q3")] == 1_000.0


def test_latest_quarter_red_count():
    # Waste Q4: Complaints Red, Bins Green; Grounds Q3: Cuts Red → 2
    assert b.contract_kpis_red(KPIS) == 2
    assert b.contract_kpis_red(None) is None


def test_kpi_validation():
    dup = pd.concat([KPIS, KPIS.iloc[[0]]])
    with pytest.raises(ValueError, match=r"contract='Waste', kpi='Bins collected %', quarter='2024-25 Q1'"):
        b.kpi_quarters(dup)
    neg = KPIS.copy()
    neg.loc[0, "service_credit_gbp"] = -1.0
    with pytest.raises(ValueError, match="negative"):
        b.service_credits(neg)


# --- review ---------------------------------------------------------------------------------


def test_review_headline_and_narrative():
    r = b.review(REGISTER, KPIS)
    h = r.headline()
    assert {k: h[k] for k in ("benefits_planned_to_date_cash_gbp_thousands", "benefits_realised_to_date_cash_gbp_thousands",
                              "realisation_to_date_cash_pct", "benefits_planned_total_cash_gbp_thousands",
                              "benefits_forecast_total_cash_gbp_thousands", "benefits_red", "contract_kpis_red")} == {
        "benefits_planned_to_date_cash_gbp_thousands": 270.0,
        "benefits_realised_to_date_cash_gbp_thousands": 240.0,
        "realisation_to_date_cash_pct": 88.9,
        "benefits_planned_total_cash_gbp_thousands": 500.0,
        "benefits_forecast_total_cash_gbp_thousands": 470.0,
        "benefits_red": 1,
        "contract_kpis_red": 2,
    }
    # the old mismatched figures (planned in total against realised to date) are gone
    assert not {"benefits_planned_gbp_thousands", "benefits_realised_gbp_thousands", "realisation_pct"} & set(h)
    text = " ".join(r.narrative)
    assert "Amber" in text and "B3" in text and "contract refinement and adjustment" in text and "£2,500" in text


@pytest.mark.parametrize("register, kpis", [(None, None), (REGISTER.iloc[0:0], KPIS.iloc[0:0]), (REGISTER, None), (None, KPIS)])
def test_review_with_missing_inputs_never_crashes(register, kpis):
    r = b.review(register, kpis)
    h = r.headline()
    if register is None or register.empty:
        assert h["benefits_planned_to_date_gbp_thousands"] is None and h["benefits_red"] is None
        assert r.overall[0] == "Grey" and "Not available" in r.narrative[0]
    if kpis is None or kpis.empty:
        assert h["contract_kpis_red"] is None and r.credits["total_gbp"] is None
        assert "not available" in r.narrative[-1]
    else:
        assert h["contract_kpis_red"] == 2


# --- the rule tables: the table the report prints is the one that decides ---------------------


def _overall_rag(*benefits):
    return b.overall(b.realisation(_register(*benefits)))[0]


GREEN_CASH = _benefit("G", "cashable", [("2024-25", 100, 100)])
RED_HOURS = _benefit("R", "non-cashable", [("2024-25", 100, 10)])

# (table, rule index, deciding call, the facts that call measures) — one case per rule, in table order
RULE_CASES = [
    (b.BENEFIT_RAG_RULES, 0, lambda: b.benefit_rag(None), b.BenefitFacts(None)),
    (b.BENEFIT_RAG_RULES, 0, lambda: b.benefit_rag(NAN), b.BenefitFacts(NAN)),
    (b.BENEFIT_RAG_RULES, 1, lambda: b.benefit_rag(95.0), b.BenefitFacts(95.0)),
    (b.BENEFIT_RAG_RULES, 2, lambda: b.benefit_rag(80.0), b.BenefitFacts(80.0)),
    (b.BENEFIT_RAG_RULES, 3, lambda: b.benefit_rag(79.99), b.BenefitFacts(79.99)),
    (b.OVERALL_RAG_RULES, 0, lambda: _overall_rag(B4), b.OverallFacts(0, 0, 0, None)),
    (b.OVERALL_RAG_RULES, 0, lambda: b.overall(None)[0], b.OverallFacts(0, 0, 0, None)),
    # 100 % cashable, but 1 Red of 2 rated is more than a third
    (b.OVERALL_RAG_RULES, 1, lambda: _overall_rag(GREEN_CASH, RED_HOURS), b.OverallFacts(1, 0, 1, "Green")),
    (b.OVERALL_RAG_RULES, 1, lambda: _overall_rag(_benefit("C", "cashable", [("2024-25", 100, 70)])),
     b.OverallFacts(0, 0, 1, "Red")),
    # the sample register: cashable 88.9 % (Amber), 1 Red of 3 rated
    (b.OVERALL_RAG_RULES, 2, lambda: b.overall(b.realisation(REGISTER))[0], b.OverallFacts(1, 1, 1, "Amber")),
    (b.OVERALL_RAG_RULES, 3, lambda: _overall_rag(GREEN_CASH), b.OverallFacts(1, 0, 0, "Green")),
    (b.OVERALL_RAG_RULES, 3, lambda: _overall_rag(_benefit("H", "non-cashable", [("2024-25", 10, 10)])),
     b.OverallFacts(1, 0, 0, None)),
    (b.PLAN_STATUS_RULES, 0, lambda: b.plan_status(None), b.BenefitFacts(None)),
    (b.PLAN_STATUS_RULES, 1, lambda: b.plan_status(95.0), b.BenefitFacts(95.0)),
    (b.PLAN_STATUS_RULES, 2, lambda: b.plan_status(94.99), b.BenefitFacts(94.99)),
    (b.FORECAST_RULES, 0, lambda: b.forecast_uses(True, 5.0), b.ForecastFacts(True, 5.0)),
    (b.FORECAST_RULES, 1, lambda: b.forecast_uses(False, 5.0), b.ForecastFacts(False, 5.0)),
    (b.FORECAST_RULES, 2, lambda: b.forecast_uses(False, None), b.ForecastFacts(False, None)),
    (b.FORECAST_RULES, 2, lambda: b.forecast_uses(False, NAN), b.ForecastFacts(False, NAN)),
    (b.CONTRACT_KPI_RAG_RULES, 0, lambda: b.contract_kpi_rag(95.0, 95.0, "higher"),
     b.ContractKpiFacts(KpiFacts.of(95.0, 95.0, "higher"))),
    (b.CONTRACT_KPI_RAG_RULES, 1, lambda: b.contract_kpi_rag(21.0, 20.0, "lower"),
     b.ContractKpiFacts(KpiFacts.of(21.0, 20.0, "lower"))),
    (b.CONTRACT_KPI_RAG_RULES, 2, lambda: b.contract_kpi_rag(90.0, 95.0, "higher"),
     b.ContractKpiFacts(KpiFacts.of(90.0, 95.0, "higher"))),
    (b.CONTRACT_KPI_RAG_RULES, 3, lambda: b.contract_kpi_rag(NAN, 95.0, "higher"), b.ContractKpiFacts(None)),
]


@pytest.mark.parametrize("table, index, decide, facts", RULE_CASES)
def test_each_printed_rule_is_the_rule_that_decides(table, index, decide, facts):
    rule = table.rules[index]
    assert table.first(facts) is rule
    assert decide() == rule.outcome


@pytest.mark.parametrize("table", [b.BENEFIT_RAG_RULES, b.PLAN_STATUS_RULES, b.FORECAST_RULES, b.OVERALL_RAG_RULES,
                                   b.CONTRACT_KPI_RAG_RULES])
def test_every_rule_of_each_table_is_exercised(table):
    assert isinstance(table, RuleTable)
    assert {index for t, index, _, _ in RULE_CASES if t is table} == set(range(len(table)))


def test_kpi_quarters_rate_by_the_contract_table():
    rated = b.kpi_quarters(KPIS).set_index(["contract", "kpi", "quarter"])["rag"].to_dict()
    by_hand = {(r.contract, r.kpi, r.quarter): b.contract_kpi_rag(r.actual, r.target, r.polarity) for r in KPIS.itertuples()}
    assert rated == by_hand


@pytest.mark.parametrize(
    "name, decide, normally",
    [
        ("BENEFIT_RAG_RULES", lambda: b.benefit_rag(100.0), "Green"),
        ("OVERALL_RAG_RULES", lambda: _overall_rag(GREEN_CASH), "Green"),
        ("CONTRACT_KPI_RAG_RULES", lambda: b.contract_kpi_rag(95.0, 95.0, "higher"), "Green"),
        ("CONTRACT_KPI_RAG_RULES", lambda: b.kpi_quarters(KPIS.iloc[[0]]).at[0, "rag"], "Green"),
    ],
)
def test_the_deciding_function_reads_the_module_table(monkeypatch, name, decide, normally):
    assert decide() == normally
    monkeypatch.setattr(b, name, RuleTable((Rule("Red", "always Red", always),)))
    assert decide() == "Red"


def test_printed_rule_tables_keep_their_wording():
    tables = {name: getattr(b, name) for name in sorted(vars(b)) if name.endswith("_RULES")}
    # TREND_RULES is analysis.common's (it decides the contract KPIs' trend column), printed with these
    assert list(tables) == ["BENEFIT_RAG_RULES", "CONTRACT_KPI_RAG_RULES", "FORECAST_RULES", "OVERALL_RAG_RULES",
                            "PAIRING_RULES", "PLAN_STATUS_RULES", "REFINEMENT_RULES", "TREND_RULES"]
    assert b.BENEFIT_RAG_RULES.frame().values.tolist() == [
        ["Grey", "nothing reported yet (no year with an actual), or nothing planned up to the cut-off year"],
        ["Green", "realisation to date at or above 95 %"],
        ["Amber", "at or above 80 %, below 95 %"],
        ["Red", "below 80 %"],
    ]
    assert b.OVERALL_RAG_RULES.frame().values.tolist() == [
        ["Grey", "no benefit has anything reported yet"],
        ["Red", "cashable realisation below 80 %, or more than a third of the rated benefits Red"],
        ["Amber", "cashable realisation below 95 %, or any benefit Amber or Red"],
        ["Green", "cashable realisation at or above 95 % (or no cashable benefit reported) and every rated benefit "
                  "Green"],
    ]
    assert b.CONTRACT_KPI_RAG_RULES.frame().values.tolist() == [
        ["Green", "met: on or better than target"],
        ["Amber", "on the wrong side of target by at most tolerance × |target| (default 5 %)"],
        ["Red", "on the wrong side by more than that"],
        ["Grey", "no actual reported for the quarter (not counted as a miss)"],
    ]
    assert list(b.OVERALL_RAG_RULES.frame().columns) == ["rating", "rule"]
    assert b.PLAN_STATUS_RULES.frame().values.tolist() == [
        ["not yet reported", "no year with an actual yet, or nothing planned up to the cut-off year"],
        ["on plan", "realised to date at or above 95 % of planned to date (Green)"],
        ["behind plan", "below 95 % of planned to date (Amber or Red)"],
    ]
    assert list(b.FORECAST_RULES.frame()["forecast uses"]) == ["actual", "register forecast", "planned"]
    assert [term for term, _ in b.PAIRING_RULES] == ["to date", "in total", "real terms", "cash", "baseline",
                                                     "non-cashable", "rating"]


# --- the package's errors --------------------------------------------------------------------


def test_register_errors_name_table_row_and_column():
    dup = _register(B1, _benefit("B1", "cashable", [("2024-25", 1, 1)]))
    dup["source_row"] = range(2, len(dup) + 2)
    with pytest.raises(InputTableError, match=r"benefit_id='B1', year='2024-25'") as caught:
        b.realisation(dup)
    assert (caught.value.table, caught.value.row, caught.value.column) == ("benefits register", 2, "year")
    odd = _register(B2, _benefit("Z", "cash-ish", [("2024-25", 1, 1)]))
    odd["source_row"] = range(2, len(odd) + 2)
    with pytest.raises(InputTableError, match="type") as caught:
        b.realisation(odd)
    assert (caught.value.row, caught.value.column) == (4, "type") and "What to do" in str(caught.value)
    no_plan = _register(_benefit("P", "cashable", [("2024-25", NAN, 1)]))
    with pytest.raises(InputTableError, match="no planned value") as caught:
        b.realisation(no_plan)
    assert caught.value.column == "planned" and caught.value.row is None  # no source_row: the row is named instead
    with pytest.raises(InputTableError, match="explanation") as caught:
        b.realisation(REGISTER.drop(columns="explanation"))
    assert caught.value.table == "benefits register"


def test_contract_kpi_errors_name_table_row_and_column():
    neg = KPIS.assign(source_row=range(2, len(KPIS) + 2))
    neg.loc[2, "service_credit_gbp"] = -1.0
    with pytest.raises(InputTableError, match="negative") as caught:
        b.service_credits(neg)
    assert (caught.value.table, caught.value.row, caught.value.column) == ("contract KPIs", 4, "service_credit_gbp")
    volume = KPIS.copy()
    volume.loc[0, "polarity"] = "volume"
    with pytest.raises(InputTableError, match="volume") as caught:
        b.kpi_quarters(volume)
    assert caught.value.column == "polarity"
    with pytest.raises(InputTableError, match="service_credit_gbp"):
        b.kpi_quarters(KPIS.drop(columns="service_credit_gbp"))


def test_bad_arguments_are_parameter_errors():
    with pytest.raises(ParameterError, match="consecutive"):
        b.refinement_flags(KPIS, consecutive=0)
