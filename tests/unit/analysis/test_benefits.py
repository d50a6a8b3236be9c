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
    assert b1["rag"] == "Amber"
    # forecast = 190k + 150k × 190/220 = 190k + 129 545.45 = 319 545.45 (= 370k × 0.863636)
    assert b1["forecast_at_completion"] == pytest.approx(319_545.45, abs=0.01)
    assert b1["forecast_shortfall"] == pytest.approx(370_000 - 319_545.45, abs=0.01)
    assert b1["variance_to_date"] == 30_000  # 220k − 190k
    assert b1["explanation"] == "slower staff turnover than planned" and not b1["explanation_missing"]
    assert b1["latest_year_reported"] == "2025-26" and b1["years_reported"] == 2
    # B2: 50k of 50k = 100 % → Green; forecast 50k + 50k × 1 = 100k
    assert s.loc["B2", "rag"] == "Green" and s.loc["B2", "forecast_at_completion"] == pytest.approx(100_000)
    # B3: 700 / 1000 = 70 % → Red, and no explanation → flagged
    assert s.loc["B3", "rag"] == "Red" and s.loc["B3", "explanation_missing"]
    # B4: nothing reported → Grey, no %, no forecast, not flagged
    b4 = s.loc["B4"]
    assert b4["rag"] == "Grey" and pd.isna(b4["realisation_pct"]) and pd.isna(b4["forecast_at_completion"])
    assert not b4["explanation_missing"]


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


def test_totals_exclude_non_cashable_from_pounds():
    t = b.totals(b.realisation(REGISTER))
    # cashable planned in total: B1 370k + B2 100k + B4 30k = 500k → £500.0k (B3's 1 000 hours excluded)
    assert t["benefits_planned_gbp_thousands"] == pytest.approx(500.0)
    # cashable actual to date: 190k + 50k = 240k → £240.0k
    assert t["benefits_realised_gbp_thousands"] == pytest.approx(240.0)
    # cashable actual ÷ planned to date: 240k / (220k + 50k) = 240/270 = 88.89 %
    assert t["realisation_pct"] == pytest.approx(88.8889, abs=1e-3)
    assert t["benefits_red"] == 1  # B3 (non-cashable still counts in the RAG count)


def test_non_cashable_alone_gives_no_pounds():
    t = b.totals(b.realisation(_register(B3)))
    assert t["benefits_planned_gbp_thousands"] == 0.0 and t["benefits_realised_gbp_thousands"] == 0.0
    assert t["realisation_pct"] is None


def test_overall_rag_and_sentence():
    rag, sentence = b.overall(b.realisation(REGISTER))
    # cashable 88.9 % → Amber; 1 Red of 3 rated is not more than a third → Amber
    assert rag == "Amber"
    assert "£240.0k of £270.0k" in sentence and "88.9 %" in sentence
    assert "1 Green, 1 Amber, 1 Red, 1 not yet reported" in sentence
    # forecast: B1 319.5k + B2 100k + B4 (unreported, plan) 30k = £449.5k
    assert "forecast £449.5k" in sentence


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
    assert r.headline() == {
        "benefits_planned_gbp_thousands": 500.0,
        "benefits_realised_gbp_thousands": 240.0,
        "realisation_pct": 88.9,
        "benefits_red": 1,
        "contract_kpis_red": 2,
    }
    text = " ".join(r.narrative)
    assert "Amber" in text and "B3" in text and "contract refinement and adjustment" in text and "£2,500" in text


@pytest.mark.parametrize("register, kpis", [(None, None), (REGISTER.iloc[0:0], KPIS.iloc[0:0]), (REGISTER, None), (None, KPIS)])
def test_review_with_missing_inputs_never_crashes(register, kpis):
    r = b.review(register, kpis)
    h = r.headline()
    if register is None or register.empty:
        assert h["benefits_planned_gbp_thousands"] is None and h["benefits_red"] is None
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


@pytest.mark.parametrize("table", [b.BENEFIT_RAG_RULES, b.OVERALL_RAG_RULES, b.CONTRACT_KPI_RAG_RULES])
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
    assert list(tables) == ["BENEFIT_RAG_RULES", "CONTRACT_KPI_RAG_RULES", "OVERALL_RAG_RULES", "REFINEMENT_RULES",
                            "TREND_RULES"]
    assert b.BENEFIT_RAG_RULES.frame().values.tolist() == [
        ["Grey", "nothing reported yet (no year with an actual), or nothing planned in the reported years"],
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
