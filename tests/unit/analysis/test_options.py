"""Option appraisal: discounting, NPV against business as usual, optimism bias as given, risk, payback, switching
values, tornado, equality check and sourcing plan, each checked against numbers worked by hand (the method's rules
are in test_appraisal_method.py, the MCA in test_multi_criteria.py, the Monte Carlo in test_uncertainty.py)."""

import math

import pandas as pd
import pytest

from wcc_analysis.analysis import options as op

D1 = 1 / 1.035  # 0.966183574879227
D2 = 1 / 1.035**2  # 0.933510700366403
NONE: dict = {}  # no uplift anywhere
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


#: One MCA criterion weighted 100 (the MCA itself is tested in test_multi_criteria.py).
QUALITY = pd.DataFrame([("Quality", 100, "worse than today", "as today", "much better than today")],
                       columns=op.CRITERIA_COLUMNS)


def scores(values: dict, criterion="Quality"):
    """option_scores rows: each option's score 0–10 on one criterion (``QUALITY``: a score of s earns 10 × s)."""
    return pd.DataFrame([(o, criterion, s, "rationale") for o, s in values.items()],
                        columns=[*op.SCORE_COLUMNS, "rationale"])


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


def test_optimism_bias_as_given_by_hand():
    assert "Mott MacDonald" in op.OPTIMISM_BIAS_SOURCE
    assert op.OPTIMISM_BIAS_BOUNDS["Outsourcing"][:2] == (0.41, 0.0)
    uplift = {"outsource_private": {"running": 0.41, "transition": 0.10}}
    table = op.npv_table(example(), TWO_YEARS, uplift).set_index("option_id")
    # bias: 10 % × 100 + 41 % × (100/1.035 + 100/1.035²) = 10 + 41 × 1.89969 = 87.887
    assert table.at["outsource_private", "pv_optimism_bias_gbp"] == pytest.approx(10 + 41 * (D1 + D2))
    assert table.at["status_quo", "pv_optimism_bias_gbp"] == 0.0
    # running at 20 %: bias 10 + 20 × 1.89969 = 47.994; NPV vs business as usual 13.982 − 47.994 = −34.012
    table = op.npv_table(example(), TWO_YEARS, {"outsource_private": {"running": 0.2, "transition": 0.1}})
    assert table.set_index("option_id").at["outsource_private", "npv_vs_status_quo_gbp"] == pytest.approx(
        -34.01222899017479)


def test_optimism_bias_never_enlarges_a_negative_cost_and_a_transfer_stays_out_of_the_economic_case():
    # rate relief (business rates −10 in year 1) is a transfer: the economic NPV does not move, whatever the uplift
    cf = pd.concat([example(), flows(("outsource_private", 1, "business_rates", -10.0))], ignore_index=True)
    base = op.npv_table(example(), TWO_YEARS, NONE).set_index("option_id")
    relief = op.npv_table(cf, TWO_YEARS, {"outsource_private": {"business_rates": 0.41}}).set_index("option_id")
    assert relief.at["outsource_private", "npv_vs_status_quo_gbp"] == pytest.approx(
        base.at["outsource_private", "npv_vs_status_quo_gbp"])
    assert relief.at["outsource_private", "pv_excluded_transfers_gbp"] == pytest.approx(10 * D1)


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


# --- sensitivity -------------------------------------------------------------------------------


def test_switching_values_by_hand_two_options():
    # Outsource's NPV vs business as usual is 13.9817; it stays preferred while that is above 0.
    # Savings changed by x: NPV(x) = 13.9817 + x × 113.9817 = 0 → x = −12.2666 %.
    # Running costs changed by x: NPV(x) = 13.9817 − x × 100 × (1/1.035 + 1/1.035²) = 0 → x = +7.3600 %.
    inputs = [op.SwitchingInput("outsource_private", "savings"), op.SwitchingInput("outsource_private", "running")]
    table = op.switching_values(example(), TWO_YEARS, ["status_quo", "outsource_private"], inputs, optimism=NONE)
    found = table.set_index("item")["switching_change_pct"]
    assert found["savings"] == pytest.approx(-12.266584766584772, abs=1e-2)
    assert found["running"] == pytest.approx(7.359950859950863, abs=1e-2)
    assert table["item"].tolist() == ["running", "savings"]  # most sensitive first
    assert set(table["switches_to"]) == {"status_quo"}
    # the transition cost switches it at +13.98 % (13.98 = x × 100)
    one = op.switching_values(example(), TWO_YEARS, ["status_quo", "outsource_private"],
                              [op.SwitchingInput("outsource_private", "transition")], optimism=NONE)
    assert one.iloc[0]["switching_change_pct"] == pytest.approx(13.9817, abs=1e-2)


def test_tornado_sorted_by_range():
    table = op.tornado(example(), TWO_YEARS, "outsource_private", ["transition", "savings", "running"], 0.2, optimism=NONE)
    # ranges: running 2 × 0.2 × 189.969 = 75.99; savings 2 × 0.2 × 113.98 = 45.59; transition 2 × 0.2 × 100 = 40
    assert table["item"].tolist() == ["running", "savings", "transition"]
    assert table["range_gbp"].tolist() == pytest.approx([0.4 * 100 * (D1 + D2), 0.4 * 113.98165651473781, 40.0])
    row = table.set_index("item").loc["savings"]
    assert row["npv_at_minus_swing_gbp"] == pytest.approx(13.981656514737807 - 0.2 * 113.98165651473781)


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
    result = op.appraise(cf, scores({"status_quo": 10, "outsource_private": 0}), criteria=QUALITY,
                         settings=TWO_YEARS, n=200)
    head = result.headline()
    assert head["preferred_option"] == "outsource_private"  # no uplift: no mitigation recorded, but the running
    # costs are equal, so the 41 % on both cancels; the transition's 10 % (10) leaves 3.98 ahead
    assert head["npv_gbp_thousands"]["outsource_private"] == pytest.approx(0.0)
    assert head["npv_before_optimism_bias_gbp_thousands"]["outsource_private"] == pytest.approx(0.0)
    assert result.npv.set_index("option_id").at["outsource_private", "risk_adjusted_npv_vs_status_quo_gbp"] == \
        pytest.approx(13.981656514737807 - 10.0)
    assert head["npv_p10_gbp_thousands"] <= head["npv_p90_gbp_thousands"]
    assert result.equality["needed"] is False
    assert result.narrative and result.reasons[0].startswith("Outsource to private sector is preferred")
    assert "ranks 2nd of 2" in " ".join(result.reasons)  # the MCA beside it, not blended
