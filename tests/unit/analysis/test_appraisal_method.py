"""The option appraisal's method (issue 10), each rule on hand-checked numbers: optimism bias on every option and its
mitigation, the economic case's transfers and social value, the break-even uplift, the financial case, the candidate
rules, the preferred option (MCA beside, never blended), switching values and the unmonetised switching value."""

from __future__ import annotations

import pandas as pd
import pytest

from wcc_analysis.analysis import options
from wcc_analysis.analysis.options import unmonetised
from wcc_analysis.analysis.options.financial_case import AFFORDABLE, AFFORDABLE_IF_FUNDED, UNAFFORDABLE
from wcc_analysis.analysis.options.ranking import CANDIDATE, candidate_facts
from wcc_analysis.core.errors import InputTableError

SETTINGS = {"appraisal_years": 2, "discount_rate_pct": 3.5, "price_base_year": 2025}
D1, D2 = 1 / 1.035, 1 / 1.035 ** 2


def flows(*rows) -> pd.DataFrame:
    """(option, year, item, amount[, source]) rows as a cash-flow table with no ranges."""
    out = [{"option_id": r[0], "year": r[1], "item": r[2], "amount_gbp": r[3], "low_pct": None, "high_pct": None,
            "source": r[4] if len(r) > 4 else ""} for r in rows]
    return pd.DataFrame(out)


def mitigation(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(options.optimism_bias.MITIGATION_COLUMNS, r)) for r in rows])


BASE = flows(("status_quo", 1, "running", 100_000), ("outsource_private", 1, "running", 90_000))


# --- optimism bias on every option --------------------------------------------------------------------------


def test_business_as_usual_is_uplifted_too_at_the_outsourcing_opex_upper_bound():
    table = options.uplifts(BASE)
    assert table.set_index("option_id").loc["status_quo", "uplift"] == pytest.approx(0.41)
    assert table.set_index("option_id").loc["outsource_private", "uplift"] == pytest.approx(0.41)


def test_mitigation_and_a_priced_risk_reduce_the_uplift_by_hand():
    # two factors of 50 % each: "Business case" mitigated half (0.25 of the bias); "Economic" priced by a risk.
    # The Economic part of the uplift: PV running 90,000 / 1.035 = 86,956.52 x 41 % x 50 % = 17,826.09. A risk of
    # 0.25 x £40,000 in year 1 (PV 9,661.84) covers 54.20 % of it: m = 0.25 + 0.5 x 0.5420 = 0.5210,
    # uplift 41 % x (1 - 0.5210) = 19.64 %. A risk of 0.5 x £100,000 (PV 48,309) covers it all: m = 0.75, 10.25 %.
    rows = mitigation(("outsource_private", "running", "Business case", 50, 50, "market testing"),
                      ("outsource_private", "running", "Economic", 50, 0, ""))

    def risk(p, impact):
        return pd.DataFrame({"option_id": ["outsource_private"], "risk": ["inflation"], "probability": [p],
                             "impact_gbp": [impact], "optimism_factor": ["Economic"]})

    part = 90_000 / 1.035 * 0.41 * 0.5
    table = options.uplifts(BASE, rows, risk(0.25, 40_000)).set_index("option_id")
    covered = (10_000 / 1.035) / part
    assert table.loc["outsource_private", "mitigation"] == pytest.approx(0.25 + 0.5 * covered)
    assert table.loc["outsource_private", "uplift"] == pytest.approx(0.41 * (1 - 0.25 - 0.5 * covered))
    assert table.loc["outsource_private", "priced_as_risk"] == "Economic (54% of its part)"
    assert table.loc["status_quo", "uplift"] == pytest.approx(0.41)
    full = options.uplifts(BASE, rows, risk(0.5, 100_000)).set_index("option_id")
    assert full.loc["outsource_private", "uplift"] == pytest.approx(0.41 * 0.25)  # 10.25 %


def test_one_off_costs_start_at_the_equipment_development_lower_bound():
    table = options.uplifts(flows(("status_quo", 1, "running", 1), ("outsource_private", 0, "tupe", 10_000)))
    assert table.set_index("item").loc["tupe", "uplift"] == pytest.approx(0.10)


def test_a_mitigated_factor_without_evidence_is_refused_naming_the_row():
    rows = mitigation(("outsource_private", "running", "Business case", 50, 50, ""))
    with pytest.raises(InputTableError, match="evidence.*outsource_private"):
        options.uplifts(BASE, rows)


def test_shares_above_100_per_cent_are_refused():
    rows = mitigation(("outsource_private", "running", "A", 60, 0, ""), ("outsource_private", "running", "B", 50, 0, ""))
    with pytest.raises(InputTableError, match="add to 110"):
        options.uplifts(BASE, rows)


# --- economic case ---------------------------------------------------------------------------------------


def test_npv_before_and_after_optimism_bias_and_the_break_even_uplift_by_hand():
    optimism = options.as_mapping(options.uplifts(BASE))
    npv = options.npv_table(BASE, SETTINGS, optimism).set_index("option_id")
    # after: BAU 141,000, option 126,900 in year 1 → (141,000 − 126,900) / 1.035
    assert npv.at["outsource_private", "risk_adjusted_npv_vs_status_quo_gbp"] == pytest.approx(14_100 * D1)
    # before: 100,000 − 90,000
    assert npv.at["outsource_private", "npv_before_optimism_bias_vs_status_quo_gbp"] == pytest.approx(10_000 * D1)
    # break-even: (141,000 − 90,000) / 90,000 = 56.67 % on the option's own costs
    assert npv.at["outsource_private", "break_even_uplift"] == pytest.approx(51_000 / 90_000)


def test_transfers_are_left_out_of_the_economic_case_and_counted_in_the_financial_case():
    cash = flows(("status_quo", 1, "running", 100_000), ("outsource_third_sector", 1, "running", 100_000),
                 ("outsource_third_sector", 1, "business_rates", -10_000),
                 ("outsource_third_sector", 0, "redundancy", 20_000))
    none = options.no_uplift(options.as_mapping(options.uplifts(cash)))
    npv = options.npv_table(cash, SETTINGS, none).set_index("option_id")
    assert npv.at["outsource_third_sector", "npv_vs_status_quo_gbp"] == pytest.approx(0.0)
    assert npv.at["outsource_third_sector", "pv_excluded_transfers_gbp"] == pytest.approx(10_000 * D1 - 20_000)
    budget = options.cash_by_year(cash, SETTINGS, none, options.Inflation(0.0), 100_000).set_index(["option_id", "year"])
    assert budget.at[("outsource_third_sector", 1), "revenue_cost_cash_gbp"] == pytest.approx(90_000)
    assert budget.at[("outsource_third_sector", 0), "one_off_cost_cash_gbp"] == pytest.approx(20_000)


def test_social_value_counts_only_with_a_cited_source():
    cash = flows(("status_quo", 1, "running", 100_000), ("outsource_private", 1, "running", 100_000),
                 ("outsource_private", 1, "social_value", 5_000),
                 ("outsource_private", 2, "social_value", 5_000, "TOMs 2024 proxy values"))
    npv = options.npv_table(cash, SETTINGS, {}).set_index("option_id")
    assert npv.at["outsource_private", "npv_vs_status_quo_gbp"] == pytest.approx(5_000 * D2)
    assert npv.at["outsource_private", "pv_excluded_unsourced_gbp"] == pytest.approx(5_000 * D1)


# --- financial case ----------------------------------------------------------------------------------------


def test_cash_years_use_the_inflation_assumption_and_the_budget_rises_with_it():
    table = options.cash_by_year(BASE, SETTINGS, {}, options.Inflation(2.0, "test"), 95_000)
    row = table[(table["option_id"] == "status_quo") & (table["year"] == 2)]
    assert row["revenue_cost_cash_gbp"].iloc[0] == pytest.approx(0.0)
    row = table[(table["option_id"] == "status_quo") & (table["year"] == 1)].iloc[0]
    assert row["revenue_cost_cash_gbp"] == pytest.approx(102_000)
    assert row["budget_cash_gbp"] == pytest.approx(96_900)
    verdicts = options.affordability(table, "reserve").set_index("option_id")["verdict"]
    assert verdicts["status_quo"] == UNAFFORDABLE  # 102,000 against 96,900
    assert verdicts["outsource_private"] == AFFORDABLE  # 91,800 against 96,900


def test_one_off_costs_without_named_funding_are_affordable_only_if_funded():
    cash = flows(("status_quo", 1, "running", 100_000), ("outsource_private", 0, "transition", 5_000),
                 ("outsource_private", 1, "running", 90_000))
    table = options.cash_by_year(cash, SETTINGS, {}, options.Inflation(0.0), 100_000)
    assert options.affordability(table, "").set_index("option_id").at["outsource_private", "verdict"] == \
        AFFORDABLE_IF_FUNDED


# --- candidates and the preferred option ---------------------------------------------------------------------

EFFECTS = pd.DataFrame(columns=unmonetised.EFFECT_COLUMNS)


def test_a_closure_without_residual_costs_lost_value_and_equality_impact_is_ruled_out():
    cash = flows(("status_quo", 1, "running", 100_000), ("closure", 1, "running", 0))
    facts = candidate_facts("closure", AFFORDABLE, cash, EFFECTS, None)
    assert options.CANDIDATE_RULES.decide(facts) == "ruled out: closure or divestment priced incompletely"
    cash = flows(("status_quo", 1, "running", 100_000), ("closure", 0, "redundancy", 50_000))
    effects = unmonetised.clean(pd.DataFrame([{"option_id": "closure", "effect": "cultural value", "direction":
                                               "disbenefit", "size": "large", "who_affected": "residents",
                                               "evidence": "survey"}]))
    impacts = pd.DataFrame({"option_id": ["closure"], "group_affected": ["older residents"]})
    assert options.CANDIDATE_RULES.decide(candidate_facts("closure", AFFORDABLE, cash, effects,
                                                                  impacts)) == CANDIDATE


def test_an_unaffordable_option_is_ruled_out_but_business_as_usual_never_is():
    for option, expected in (("outsource_private", "ruled out: not affordable"), ("status_quo", CANDIDATE)):
        facts = candidate_facts(option, UNAFFORDABLE, BASE, EFFECTS, None)
        assert options.CANDIDATE_RULES.decide(facts) == expected


def test_the_preferred_option_is_the_best_npv_and_the_mca_is_never_blended_in():
    npv = options.npv_table(BASE, SETTINGS, {})
    mca = pd.DataFrame({"option_id": ["status_quo", "outsource_private"], "mca_total": [90.0, 10.0],
                        "mca_rank": [1, 2]})
    ranked = options.rank_options(npv, {"status_quo": CANDIDATE, "outsource_private": CANDIDATE}, mca)
    preferred, reasons = options.preferred_option(ranked, SETTINGS)
    assert preferred == "outsource_private"  # £9,662 better, though far behind on the MCA
    assert any("ranks 2nd of 2" in r for r in reasons)
    ranked = options.rank_options(npv, {"status_quo": CANDIDATE, "outsource_private": "ruled out: not affordable"},
                             mca)
    assert options.preferred_option(ranked, SETTINGS)[0] == "status_quo"


# --- switching values ------------------------------------------------------------------------------------


def test_switching_value_of_the_preferred_options_running_cost_by_hand():
    optimism = options.as_mapping(options.uplifts(BASE))
    table = options.switching_values(BASE, SETTINGS, ["status_quo", "outsource_private"],
                                     [options.SwitchingInput("outsource_private", "running")], optimism=optimism)
    # 126,900 × (1 + x) = 141,000 → x = 11.11 %
    assert table.iloc[0]["switching_change_pct"] == pytest.approx(100 * (141_000 / 126_900 - 1), abs=0.01)
    assert table.iloc[0]["switches_to"] == "status_quo"


def test_unmonetised_switching_value_per_resident_a_year_by_hand():
    npv = pd.DataFrame({"option_id": ["status_quo", "closure"],
                        "risk_adjusted_npv_vs_status_quo_gbp": [0.0, 1_000_000.0]})
    effects = unmonetised.clean(pd.DataFrame([{"option_id": "closure", "effect": "cultural value", "direction":
                                               "disbenefit", "size": "large", "who_affected": "residents",
                                               "evidence": "survey"}]))
    settings = options.appraisal_settings({"appraisal_years": 10, "discount_rate_pct": 3.5})
    found = unmonetised.switching_value(npv, effects, "closure", settings, population=100_000)
    annuity = sum(1.035 ** -t for t in range(1, 11))  # 8.3166
    assert found.margin_pv_gbp == pytest.approx(1_000_000)
    assert found.per_resident_year_gbp == pytest.approx(1_000_000 / annuity / 100_000)  # £1.20
    assert "less than £1,000.0k" in found.sentence(settings)


# --- the whole appraisal -----------------------------------------------------------------------------------


def test_when_business_as_usual_is_preferred_the_headline_range_is_the_runner_up_not_zero():
    cash = pd.DataFrame([{"option_id": o, "year": y, "item": "running", "amount_gbp": a, "low_pct": -10,
                          "high_pct": 20} for o, a in (("status_quo", 100_000), ("outsource_private", 101_000))
                         for y in (1, 2)])
    result = options.appraise(cash, settings=SETTINGS, n=500)
    headline = result.headline()
    assert headline["preferred_option"] == "status_quo"
    assert headline["monte_carlo_option"] == "outsource_private"
    assert headline["npv_p10_gbp_thousands"] != headline["npv_p90_gbp_thousands"]


def test_the_headline_range_is_never_an_option_ruled_out():
    # business as usual £100k a year (the budget); do minimum £101k: closest on NPV (−£2.7k) but over budget, so
    # ruled out; outsource £95k a year after a £30k transition (−£19.6k): the runner-up among the candidates
    cash = pd.DataFrame([{"option_id": o, "year": y, "item": "running", "amount_gbp": a, "low_pct": -5, "high_pct": 5}
                         for o, a in (("status_quo", 100_000), ("do_minimum", 101_000), ("outsource_private", 95_000))
                         for y in (1, 2)]
                        + [{"option_id": "outsource_private", "year": 0, "item": "transition", "amount_gbp": 30_000,
                            "low_pct": None, "high_pct": None}])
    result = options.appraise(cash, settings=SETTINGS, budget_gbp=100_000, n=300)
    head = result.headline()
    assert head["preferred_option"] == "status_quo"
    assert head["candidate_status"]["do_minimum"] == "ruled out: not affordable"
    assert head["npv_gbp_thousands"]["do_minimum"] > head["npv_gbp_thousands"]["outsource_private"]
    assert head["monte_carlo_option"] == head["runner_up"] == "outsource_private"


def test_discount_rate_switch_by_hand_nearest_step_and_none_when_nothing_switches():
    # Investing 150,000 now saves 80,000 in each of years 1 and 2: worth it while 80,000·(d + d²) ≥ 150,000 with
    # d = 1/(1 + r), i.e. d ≥ 0.95774, r ≤ 4.41 %. At the appraisal's 3.5 % the investment is preferred; the
    # nearest 0.25-point step at which business as usual is preferred instead is 4.50 %.
    invest = flows(("status_quo", 1, "running", 100_000), ("status_quo", 2, "running", 100_000),
                   ("outsource_private", 0, "transition", 150_000), ("outsource_private", 1, "running", 20_000),
                   ("outsource_private", 2, "running", 20_000))
    candidates = ["status_quo", "outsource_private"]
    assert options.npv_table(invest, SETTINGS, {}).set_index("option_id").loc[
        "outsource_private", "risk_adjusted_npv_vs_status_quo_gbp"] == pytest.approx(-150_000 + 80_000 * (D1 + D2))
    assert options.discount_rate_switch(invest, SETTINGS, candidates, optimism={}) == pytest.approx(0.045)
    cheaper = flows(("status_quo", 1, "running", 100_000), ("outsource_private", 1, "running", 90_000))
    assert options.discount_rate_switch(cheaper, SETTINGS, candidates, optimism={}) is None  # cheaper at any rate
