"""Option appraisal: discounting, NPV against the status quo, optimism bias, risk, payback, MCA,
the combined ranking, switching values, tornado, Monte Carlo, equality check and sourcing plan,
each checked against numbers worked by hand."""

import math

import pandas as pd
import pytest

from wcc_analysis.analysis import options as op

D1 = 1 / 1.035  # 0.966183574879227
D2 = 1 / 1.035**2  # 0.933510700366403
NONE = op.ZERO_OPTIMISM_BIAS
TWO_YEARS = op.AppraisalSettings(years=2)


def flows(*rows):
    """Cash-flow rows (option_id, year, item, amount[, low_pct, high_pct]) as the long table."""
    full = [(*r, math.nan, math.nan) if len(r) == 4 else r for r in rows]
    return pd.DataFrame(full, columns=op.CASHFLOW_COLUMNS)


def example():
    """Status quo: running 100 in years 1 and 2. Outsource to private sector: the same running costs,
    transition 100 in year 0 and savings of 60 in years 1 and 2."""
    return flows(
        ("status_quo", 1, "running", 100.0), ("status_quo", 2, "running", 100.0),
        ("outsource_private", 0, "transition", 100.0),
        ("outsource_private", 1, "running", 100.0), ("outsource_private", 2, "running", 100.0),
        ("outsource_private", 1, "savings", 60.0), ("outsource_private", 2, "savings", 60.0),
    )


def scores(values: dict, criterion="Quality", weight=1.0):
    return pd.DataFrame([(o, criterion, s, weight) for o, s in values.items()], columns=op.SCORE_COLUMNS)


# --- discounting --------------------------------------------------------------------------


def test_discount_factors_and_present_value_by_hand():
    # 1/1.035 = 0.96618…, 1/1.035² = 0.93351…
    factors = op.discount_factors(2, 0.035)
    assert factors.tolist() == pytest.approx([1.0, D1, D2])
    assert factors.index.tolist() == [0, 1, 2]
    # costs 100 now, benefits 60 in years 1 and 2: 60/1.035 + 60/1.035² − 100 = 57.971 + 56.011 − 100 = 13.98166
    assert op.present_value([-100, 60, 60], 0.035) == pytest.approx(13.981656514737807)
    assert op.present_value({0: -100, 1: 60, 2: 60}, 0.035) == pytest.approx(13.981656514737807)
    assert op.present_value(pd.Series([-100.0, 60.0], index=[0, 2]), 0.0) == pytest.approx(-40.0)  # rate 0: plain sum


def test_discounting_rejects_bad_years_and_rates():
    with pytest.raises(ValueError, match="increasing"):
        op.present_value({2: 60, 1: 60}, 0.035)
    with pytest.raises(ValueError, match="negative"):
        op.discount_factors([-1, 0], 0.035)
    with pytest.raises(ValueError, match="0 or more"):
        op.discount_factors(3, -0.01)
    with pytest.raises(ValueError, match="fraction"):
        op.discount_factors(3, 3.5)


def test_settings_from_a_mapping_and_validation():
    # a row of appraisal_settings.csv: the rate in per cent
    s = op.appraisal_settings({"service_id": "leisure", "price_base_year": 2025, "appraisal_years": 10, "discount_rate_pct": 3.5})
    assert (s.years, s.discount_rate, s.price_base_year) == (10, pytest.approx(0.035), 2025)
    assert op.appraisal_settings(None) == op.AppraisalSettings(10, 0.035, None)  # Green Book defaults
    with pytest.raises(ValueError, match="0 or more"):
        op.appraisal_settings({"discount_rate": -0.01})
    with pytest.raises(ValueError, match="0 or more"):
        op.AppraisalSettings(discount_rate=-0.035)
    with pytest.raises(ValueError, match="unknown appraisal settings"):
        op.appraisal_settings({"discount": 0.035})


# --- NPV, optimism bias, risk, payback -------------------------------------------------------


def test_npv_and_npv_against_status_quo_by_hand():
    table = op.npv_table(example(), TWO_YEARS, NONE).set_index("option_id")
    # status quo: −100/1.035 − 100/1.035² = −96.618 − 93.351 = −189.969
    assert table.at["status_quo", "npv_gbp"] == pytest.approx(-100 * (D1 + D2))
    assert table.at["status_quo", "npv_vs_status_quo_gbp"] == pytest.approx(0.0)
    # option: PV costs 100 + 189.969 = 289.969; PV benefits 60/1.035 + 60/1.035² = 113.982
    assert table.at["outsource_private", "pv_costs_gbp"] == pytest.approx(100 + 100 * (D1 + D2))
    assert table.at["outsource_private", "pv_benefits_gbp"] == pytest.approx(113.98165651473781)
    assert table.at["outsource_private", "npv_gbp"] == pytest.approx(113.98165651473781 - 289.96942752456300)
    # against the status quo the running costs cancel: 113.982 − 100 = 13.98166
    assert table.at["outsource_private", "npv_vs_status_quo_gbp"] == pytest.approx(13.981656514737807)
    assert list(table.index) == ["status_quo", "outsource_private"]  # status quo first, then the seed's order


def test_optimism_bias_default_and_override():
    # default: status quo 0 %; outsource running 41 % (Outsourcing OPEX upper bound); transition 10 %
    assert op.OPTIMISM_BIAS["status_quo"] == {"transition": 0.0, "tupe": 0.0, "pension": 0.0, "running": 0.0}
    assert op.OPTIMISM_BIAS["outsource_private"]["running"] == pytest.approx(0.41)
    assert op.OPTIMISM_BIAS["outsource_private"]["transition"] == pytest.approx(0.10)
    assert op.OPTIMISM_BIAS["in_house_transformation"]["running"] == 0.0
    assert "Mott MacDonald" in op.OPTIMISM_BIAS_SOURCE
    assert op.OPTIMISM_BIAS_BOUNDS["Outsourcing"][:2] == (0.41, 0.0)
    default = op.npv_table(example(), TWO_YEARS).set_index("option_id")
    # bias: 10 % × 100 + 41 % × (100/1.035 + 100/1.035²) = 10 + 41 × 1.89969 = 87.887
    assert default.at["outsource_private", "pv_optimism_bias_gbp"] == pytest.approx(10 + 41 * (D1 + D2))
    assert default.at["status_quo", "pv_optimism_bias_gbp"] == 0.0
    # override running only (merged item by item, transition stays 10 %): bias 10 + 20 × 1.89969 = 47.994;
    # NPV vs status quo 13.982 − 47.994 = −34.012
    table = op.npv_table(example(), TWO_YEARS, {"outsource_private": {"running": 0.2}}).set_index("option_id")
    assert table.at["outsource_private", "pv_optimism_bias_gbp"] == pytest.approx(10 + 20 * (D1 + D2))
    assert table.at["outsource_private", "npv_vs_status_quo_gbp"] == pytest.approx(-34.01222899017479)


def test_optimism_bias_never_enlarges_a_negative_cost_and_rejects_bad_tables():
    # rate relief: business rates −10 in year 1 is a saving of 10/1.035 = 9.662, whatever the uplift
    cf = pd.concat([example(), flows(("outsource_private", 1, "business_rates", -10.0))], ignore_index=True)
    base = op.npv_table(example(), TWO_YEARS, NONE).set_index("option_id")
    relief = op.npv_table(cf, TWO_YEARS, NONE).set_index("option_id")
    assert relief.at["outsource_private", "npv_vs_status_quo_gbp"] - base.at["outsource_private", "npv_vs_status_quo_gbp"] == pytest.approx(10 * D1)
    with pytest.raises(ValueError, match="fraction"):
        op.npv_table(example(), TWO_YEARS, {"outsource_private": {"running": 41}})
    with pytest.raises(ValueError, match="cannot be uplifted"):
        op.npv_table(example(), TWO_YEARS, {"outsource_private": {"vat": 0.1}})


def test_risk_adjustment_by_hand():
    risks = pd.DataFrame(
        [("outsource_private", "Contractor failure", 0.5, 100.0, None), ("status_quo", "Pay inflation", 0.2, 50.0, 2)],
        columns=[*op.RISK_COLUMNS, "year"],
    )
    table = op.npv_table(example(), TWO_YEARS, NONE, risks).set_index("option_id")
    # option: 0.5 × 100 = 50 in year 1 (no year given) → 50/1.035 = 48.309
    assert table.at["outsource_private", "pv_expected_risk_gbp"] == pytest.approx(50 * D1)
    # status quo: 0.2 × 50 = 10 in year 2 → 10/1.035² = 9.335
    assert table.at["status_quo", "pv_expected_risk_gbp"] == pytest.approx(10 * D2)
    # 13.982 − 48.309 + 9.335 = −24.992
    assert table.at["outsource_private", "risk_adjusted_npv_vs_status_quo_gbp"] == pytest.approx(-24.99241522555952)
    assert table.at["status_quo", "risk_adjusted_npv_vs_status_quo_gbp"] == pytest.approx(0.0)


def test_payback_year_by_hand():
    cf = pd.concat([
        example(),
        # in-house transformation vs status quo (running costs cancel):
        # year 0 +10 (cum 10), year 1 −50/1.035 = −48.31 (cum −38.31), year 2 +100/1.035² = 93.35 (cum 55.04)
        # → pays back in year 2, not year 0: the cumulative must stay ≥ 0 from the payback year on
        flows(("in_house_transformation", 0, "savings", 10.0), ("in_house_transformation", 1, "transition", 50.0),
              ("in_house_transformation", 2, "savings", 100.0),
              ("in_house_transformation", 1, "running", 100.0), ("in_house_transformation", 2, "running", 100.0)),
        # closure: transition 500 now, never recovered → None
        flows(("closure", 0, "transition", 500.0)),
    ], ignore_index=True)
    table = op.npv_table(cf, TWO_YEARS, NONE).set_index("option_id")
    # outsource: −100 (year 0), −100 + 57.97 = −42.03 (year 1), −42.03 + 56.01 = 13.98 (year 2) → 2
    assert table.at["outsource_private", "payback_year"] == 2
    assert table.at["in_house_transformation", "payback_year"] == 2
    assert table.at["in_house_transformation", "npv_vs_status_quo_gbp"] == pytest.approx(55.041891292678955)
    assert table.at["closure", "payback_year"] is None
    assert table.at["status_quo", "payback_year"] is None
    yearly = op.yearly_flows(cf, TWO_YEARS, NONE)
    out = yearly[yearly["option_id"] == "outsource_private"]
    assert out["cumulative_pv_vs_status_quo_gbp"].tolist() == pytest.approx([-100, -100 + 60 * D1, 13.981656514737807])
    assert len(yearly) == 4 * 3  # every option × years 0..2, zeros filled


def test_cash_flow_validation():
    with pytest.raises(ValueError, match="outsource_martians"):
        op.npv_table(flows(("status_quo", 1, "running", 1.0), ("outsource_martians", 1, "running", 1.0)), TWO_YEARS)
    with pytest.raises(ValueError, match=r"beyond the appraisal period of 2 years"):
        op.npv_table(flows(("status_quo", 3, "running", 1.0)), TWO_YEARS)
    with pytest.raises(ValueError, match="negative year"):
        op.npv_table(flows(("status_quo", -1, "running", 1.0)), TWO_YEARS)
    with pytest.raises(ValueError, match="status_quo"):
        op.npv_table(flows(("closure", 1, "running", 1.0)), TWO_YEARS)
    with pytest.raises(ValueError, match="unknown item"):
        op.npv_table(flows(("status_quo", 1, "wages", 1.0)), TWO_YEARS)
    with pytest.raises(ValueError, match="0 or more"):
        op.npv_table(example(), {"years": 2, "discount_rate": -0.02})


# --- MCA and the combined ranking --------------------------------------------------------------


def test_mca_normalisation_by_hand():
    table = pd.DataFrame(
        [("status_quo", "Quality", 4, 3), ("outsource_private", "Quality", 6, 3), ("shared_services", "Quality", 8, 3),
         ("status_quo", "Cost", 5, 1), ("outsource_private", "Cost", 5, 1), ("shared_services", "Cost", 5, 1)],
        columns=op.SCORE_COLUMNS,
    )
    # Quality: (4, 6, 8) → (0, 0.5, 1); Cost all 5 → all 1. Weights 3 : 1 → 0.75 : 0.25.
    # status quo 100 × (0.75 × 0 + 0.25 × 1) = 25; outsource 100 × (0.375 + 0.25) = 62.5; shared 100
    result = op.mca(table).set_index("option_id")
    assert result["mca_total"].to_dict() == pytest.approx({"status_quo": 25.0, "outsource_private": 62.5, "shared_services": 100.0})
    assert result["mca_rank"].to_dict() == {"status_quo": 3, "outsource_private": 2, "shared_services": 1}
    assert result.at["outsource_private", "Quality"] == pytest.approx(37.5)
    detail = op.mca_detail(table)
    assert detail.loc[detail["criterion"] == "Cost", "normalised"].tolist() == [1.0, 1.0, 1.0]


def test_mca_validation():
    uneven = pd.DataFrame([("status_quo", "Q", 5, 1), ("closure", "Q", 5, 2)], columns=op.SCORE_COLUMNS)
    with pytest.raises(ValueError, match="weight differs"):
        op.mca(uneven)
    with pytest.raises(ValueError, match="0–10"):
        op.mca(scores({"status_quo": 11}))
    with pytest.raises(ValueError, match="in_house_magic"):
        op.mca(scores({"in_house_magic": 5}))


def test_combined_ranking_and_preferred_option_reasons():
    npv = op.npv_table(example(), TWO_YEARS, NONE)
    # MCA: status quo 10 → 100 points, outsource 0 → 0. Financial: outsource 13.98 vs 0 → 1 and 0.
    # weight 0.6: outsource 100 × (0.6 × 1 + 0.4 × 0) = 60; status quo 100 × (0 + 0.4 × 1) = 40
    ranked = op.combined_ranking(npv, op.mca(scores({"status_quo": 10, "outsource_private": 0})), financial_weight=0.6)
    assert ranked["option_id"].tolist() == ["outsource_private", "status_quo"]
    assert ranked["combined_score"].tolist() == pytest.approx([60.0, 40.0])
    option, reasons = op.preferred_option(ranked, TWO_YEARS)
    assert option == "outsource_private"
    text = " ".join(reasons)
    assert "£0.0k better than the status quo" in text  # 13.98 → £0.0k
    assert "ranks 2nd of 2 on the multi-criteria analysis" in text
    assert "pays back against the status quo in year 2" in text
    with pytest.raises(ValueError, match="no MCA scores"):
        op.combined_ranking(npv, op.mca(scores({"status_quo": 10})))


# --- sensitivity -------------------------------------------------------------------------------


def test_switching_value_by_hand_two_options():
    # Two options, weight 0.6 on value for money. MCA: status quo 100, outsource 0. While outsource's
    # NPV vs status quo is above 0 its financial score is 1 and the status quo's 0: 60 against 40.
    # At 0 both financial scores are 1 (all equal): 60 against 100, so the status quo wins.
    # Savings changed by x: NPV(x) = 13.9817 + x × 113.9817 = 0 → x = −13.9817 / 113.9817 = −12.2666 %.
    # Running costs changed by x: NPV(x) = 13.9817 − x × 100 × (1/1.035 + 1/1.035²) = 0
    #   → x = 13.9817 / 189.9694 = +7.3600 %.
    mca_scores = scores({"status_quo": 10, "outsource_private": 0})
    kwargs = dict(scores=mca_scores, optimism=NONE, financial_weight=0.6)
    savings = op.switching_value(example(), TWO_YEARS, "outsource_private", "savings", **kwargs)
    assert savings == pytest.approx(-12.266584766584772, abs=1e-3)
    running = op.switching_value(example(), TWO_YEARS, "outsource_private", "running", **kwargs)
    assert running == pytest.approx(7.359950859950863, abs=1e-3)
    # with the MCA reversed (outsource 100, status quo 0) and weight 0.4, outsource scores at least
    # 0.6 × 100 = 60 and the status quo at most 0.4 × 100 = 40: nothing in −100 %..+500 % switches
    reversed_scores = scores({"status_quo": 0, "outsource_private": 10})
    assert op.switching_value(example(), TWO_YEARS, "outsource_private", "savings", scores=reversed_scores,
                              optimism=NONE, financial_weight=0.4) is None
    with pytest.raises(ValueError, match="not the preferred option"):
        op.switching_value(example(), TWO_YEARS, "status_quo", "running", **kwargs)


def test_tornado_sorted_by_range():
    table = op.tornado(example(), TWO_YEARS, "outsource_private", ["transition", "savings", "running"], 0.2, optimism=NONE)
    # ranges: running 2 × 0.2 × 189.969 = 75.99; savings 2 × 0.2 × 113.98 = 45.59; transition 2 × 0.2 × 100 = 40
    assert table["item"].tolist() == ["running", "savings", "transition"]
    assert table["range_gbp"].tolist() == pytest.approx([0.4 * 100 * (D1 + D2), 0.4 * 113.98165651473781, 40.0])
    row = table.set_index("item").loc["savings"]
    assert row["npv_at_minus_swing_gbp"] == pytest.approx(13.981656514737807 - 0.2 * 113.98165651473781)


def test_monte_carlo_reproducible_and_ordered():
    cf = example()
    cf.loc[cf["item"] == "savings", ["low_pct", "high_pct"]] = (-50.0, 20.0)
    cf.loc[cf["item"] == "transition", ["low_pct", "high_pct"]] = (-10.0, 40.0)
    first = op.monte_carlo(cf, TWO_YEARS, n=500, seed=7, optimism=NONE)
    again = op.monte_carlo(cf, TWO_YEARS, n=500, seed=7, optimism=NONE)
    pd.testing.assert_frame_equal(first, again)
    row = first.set_index("option_id").loc["outsource_private"]
    assert row["p10_gbp"] <= row["p50_gbp"] <= row["p90_gbp"]
    # triangular mean = (low + mode + high) / 3: savings × (0.5 + 1 + 1.2) / 3 = 0.9, transition × (0.9 + 1 + 1.4) / 3
    # = 1.1, so the expected NPV vs status quo is 0.9 × 113.98 − 1.1 × 100 = −7.42 (sampling error ≈ ±0.9 at n = 500)
    assert row["mean_gbp"] == pytest.approx(0.9 * 113.98165651473781 - 110.0, abs=4.0)
    other = op.monte_carlo(cf, TWO_YEARS, n=500, seed=8, optimism=NONE).set_index("option_id")
    assert other.at["outsource_private", "p50_gbp"] != row["p50_gbp"]
    # certain flows: every percentile is the deterministic NPV vs status quo
    certain = op.monte_carlo(example(), TWO_YEARS, n=50, optimism=NONE).set_index("option_id")
    assert certain.loc["outsource_private", ["p10_gbp", "p50_gbp", "p90_gbp"]].tolist() == pytest.approx([13.981656514737807] * 3)
    bad = example()
    bad.loc[0, ["low_pct", "high_pct"]] = (5.0, 10.0)
    with pytest.raises(ValueError, match="low_pct"):
        op.monte_carlo(bad, TWO_YEARS, n=10)


# --- equality and the sourcing plan --------------------------------------------------------------


def test_equality_check_flags_a_reducing_option_without_impacts():
    assert op.REDUCING_OPTIONS == ("community_transfer", "devolve_to_parish", "closure")
    missing = op.equality_check("closure", None)
    assert (missing["needed"], missing["present"], missing["flagged"]) == (True, False, True)
    assert missing["message"].startswith("FLAG")
    impacts = pd.DataFrame([("closure", "Older residents", "Loss of venue", None)], columns=op.IMPACT_COLUMNS)
    recorded = op.equality_check("closure", impacts)
    assert (recorded["needed"], recorded["present"], recorded["flagged"]) == (True, True, False)
    assert recorded["unmitigated"] == ["Older residents"]
    assert op.equality_check("outsource_private", None)["needed"] is False


def test_sourcing_plan_order_durations_missing_and_errors():
    plan = pd.DataFrame(
        [("closure", "Deliver to users", "2026-06-01", "2026-06-30", "Lead"),
         ("closure", "Consultation", "2026-01-05", "2026-01-05", "Lead"),
         ("closure", "Arranging services", "2026-02-01", "2026-02-28", "Lead"),
         ("outsource_private", "Consultation", "2025-01-01", "2025-12-31", "Other")],
        columns=op.PLAN_COLUMNS,
    )
    table = op.sourcing_plan(plan, "closure")
    planned = table[table["status"] == "planned"]
    assert planned["activity"].tolist() == ["Consultation", "Arranging services", "Deliver to users"]
    assert planned["duration_days"].tolist() == [1, 28, 30]  # start and end days both counted
    assert table.loc[table["status"] == "missing", "activity"].tolist() == ["Capacity building", "Implement sourcing model"]
    late = plan.copy()
    late.loc[0, "end"] = "2026-05-01"
    with pytest.raises(ValueError, match="Deliver to users"):
        op.sourcing_plan(late, "closure")
    with pytest.raises(ValueError, match="bogus"):
        op.sourcing_plan(plan, "bogus")


# --- the whole appraisal ----------------------------------------------------------------------------


def test_appraise_headline():
    cf = example()
    cf.loc[cf["item"] == "savings", ["low_pct", "high_pct"]] = (-10.0, 10.0)
    result = op.appraise(cf, scores({"status_quo": 10, "outsource_private": 0}), settings=TWO_YEARS,
                         optimism=NONE, financial_weight=0.6, n=200)
    head = result.headline()
    assert set(head) == {"preferred_option", "npv_gbp_thousands", "switching_value_pct",
                         "npv_p10_gbp_thousands", "npv_p90_gbp_thousands"}
    assert head["preferred_option"] == "outsource_private"
    assert head["npv_gbp_thousands"] == {"status_quo": 0.0, "outsource_private": 0.0}  # £13.98 → £0.0k
    assert result.key_input == "savings"
    assert head["switching_value_pct"] == pytest.approx(-12.3)
    assert head["npv_p10_gbp_thousands"] <= head["npv_p90_gbp_thousands"]
    assert result.equality["needed"] is False
    assert result.narrative and result.reasons[0].startswith("Outsource to private sector")
