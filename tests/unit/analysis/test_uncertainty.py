"""Uncertainty analysis of the option appraisal (analysis.options.uncertainty), checked against numbers
worked by hand: one draw per item over all its years, triangular ranges, Bernoulli risks, the headline
option when business as usual is preferred, and reproducibility from the seed."""

import math

import numpy as np
import pandas as pd
import pytest

from wcc_analysis.analysis.options import uncertainty as un
from wcc_analysis.core.errors import InputTableError, ParameterError

SQ = "status_quo"
A = "outsource_private"
B = "outsource_third_sector"
#: Symmetric triangular on 0.9–1.1 (mode 1): P10 = 0.9 + √(0.1 × 0.2 × 0.1) = 0.9 + √0.002, P90 = 1.1 − √0.002.
TRI_10_P10 = 0.9 + math.sqrt(0.002)  # 0.944721
TRI_10_P90 = 1.1 - math.sqrt(0.002)  # 1.055279


def rows(*records):
    """Rows (option_id, item, year, pv_gbp[, low_pct, high_pct]) as the simulation's input table."""
    full = [(*r, math.nan, math.nan) if len(r) == 4 else r for r in records]
    return pd.DataFrame(full, columns=un.ROW_COLUMNS)


def risks(*records):
    return pd.DataFrame(list(records), columns=un.RISK_COLUMNS)


def by_option(table):
    return table.set_index("option_id")


def bau(pv=-500_000.0, years=10):
    """Business as usual: a certain running cost of ``pv`` a year (already in present value)."""
    return [(SQ, "running", t, pv) for t in range(1, years + 1)]


# --- (a) one draw per item over all its years -------------------------------------------------

def test_the_years_of_one_item_move_together_so_the_spread_is_ten_times_one_years():
    one_year = un.simulate(rows(*bau(0.0, 1), (A, "running", 1, -100_000.0, -10, 10)))
    ten_years = un.simulate(rows(*bau(0.0, 10), *[(A, "running", t, -100_000.0, -10, 10) for t in range(1, 11)]))
    one, ten = by_option(one_year).loc[A], by_option(ten_years).loc[A]
    spread_one = one["p90_gbp"] - one["p10_gbp"]
    spread_ten = ten["p90_gbp"] - ten["p10_gbp"]
    assert spread_ten == pytest.approx(10 * spread_one, rel=0.01)
    # By hand: one year's spread is 100k × (P90 − P10) of triangular(0.9, 1, 1.1) = 100k × 2 × (0.1 − √0.002).
    assert spread_one == pytest.approx(100_000 * (TRI_10_P90 - TRI_10_P10), rel=0.02)  # £11,056
    assert spread_ten == pytest.approx(1_000_000 * (TRI_10_P90 - TRI_10_P10), rel=0.02)  # £110,557
    # Drawn year by year, ten independent draws would shrink it by about √10: sd 100k × 0.1/√6 × √10 = £12,910,
    # P90 − P10 ≈ 2 × 1.2816 × 12,910 = £33,090. The simulated spread is more than three times that.
    independent = 2 * 1.2816 * 100_000 * 0.1 / math.sqrt(6) * math.sqrt(10)
    assert spread_ten > 3 * independent
    assert ten["central_gbp"] == pytest.approx(-1_000_000.0)


def test_each_year_keeps_its_own_range_on_the_one_draw():
    # Year 1: −10/+10 %; year 2: −20/+20 % on the same draw, so the total is a mixture, not two draws.
    table = un.simulate(rows((SQ, "running", 1, 0.0), (A, "running", 1, -100_000.0, -10, 10),
                             (A, "running", 2, -100_000.0, -20, 20)))
    a = by_option(table).loc[A]
    # P10 of the NPV (cost highest): −(100k × 1.055279 + 100k × (1.2 − √(0.1 × 0.4 × 0.2))) = −£216,584.
    assert a["p10_gbp"] == pytest.approx(-(100_000 * TRI_10_P90 + 100_000 * (1.2 - math.sqrt(0.008))), rel=0.01)


def test_items_and_options_are_drawn_independently():
    # Two items of £100k ±10 % each: independent, so P90 − P10 is below the sum of the two spreads.
    table = un.simulate(rows((SQ, "running", 1, 0.0), (A, "running", 1, -100_000.0, -10, 10),
                             (A, "transition", 0, -100_000.0, -10, 10)), n=5000)
    a = by_option(table).loc[A]
    assert a["p90_gbp"] - a["p10_gbp"] < 0.9 * 2 * 100_000 * (TRI_10_P90 - TRI_10_P10)


# --- (b) a certain case -----------------------------------------------------------------------

def test_a_certain_case_has_every_percentile_at_the_central_case():
    table = un.simulate(rows(*bau(), *[(A, "running", t, -450_000.0) for t in range(1, 11)],
                             (A, "transition", 0, -200_000.0)))
    a = by_option(table).loc[A]
    central = 10 * 50_000.0 - 200_000.0  # £300k better than business as usual
    for column in ("central_gbp", "p10_gbp", "p50_gbp", "p90_gbp", "mean_gbp"):
        assert a[column] == pytest.approx(central)
    assert a["prob_better_than_status_quo"] == 1.0
    assert table["option_id"].tolist() == [SQ, A]
    assert (table.loc[0, ["central_gbp", "p10_gbp", "p50_gbp", "p90_gbp", "mean_gbp",
                          "prob_better_than_status_quo"]] == 0).all()
    assert list(table.columns) == un.SIMULATION_COLUMNS


# --- (c) a priced risk ------------------------------------------------------------------------

def test_a_risk_happens_in_its_share_of_draws_in_place_of_its_expected_value():
    # A is £50k better than business as usual before its one risk: p = 0.25, £100k if it happens.
    table = un.simulate(rows((SQ, "running", 1, -100_000.0), (A, "running", 1, -50_000.0)),
                        risks((A, "Mobilisation delay", 0.25, 100_000.0)))
    a = by_option(table).loc[A]
    assert a["central_gbp"] == pytest.approx(50_000 - 25_000)  # expected value in the central case
    share_with_risk = 1 - a["prob_better_than_status_quo"]  # the risk happened: 50k − 100k < 0
    assert share_with_risk == pytest.approx(0.25, abs=0.02)
    # The risk did not happen in at least half the draws: P50 and P90 are central + 25k; P10 is central − 75k.
    assert a["p50_gbp"] == pytest.approx(a["central_gbp"] + 25_000)
    assert a["p90_gbp"] == pytest.approx(a["central_gbp"] + 25_000)
    assert a["p10_gbp"] == pytest.approx(a["central_gbp"] - 75_000)
    assert a["mean_gbp"] == pytest.approx(50_000 - 100_000 * share_with_risk)


def test_a_risk_of_business_as_usual_counts_for_every_other_option():
    table = un.simulate(rows((SQ, "running", 1, -100_000.0), (A, "running", 1, -100_000.0)),
                        risks((SQ, "Contract lapses", 0.5, 40_000.0)))
    a = by_option(table).loc[A]
    assert a["central_gbp"] == pytest.approx(20_000)  # A avoids business as usual's expected £20k
    assert a["p10_gbp"] == pytest.approx(0.0) and a["p90_gbp"] == pytest.approx(40_000)
    assert a["prob_better_than_status_quo"] == pytest.approx(0.5, abs=0.03)


def test_certain_risks_are_always_or_never_there():
    table = un.simulate(rows((SQ, "running", 1, 0.0), (A, "running", 1, 0.0)),
                        risks((A, "Certain", 1.0, 10_000.0), (A, "Impossible", 0.0, 1_000_000.0)))
    a = by_option(table).loc[A]
    assert a["p10_gbp"] == a["p90_gbp"] == pytest.approx(-10_000) == a["central_gbp"]


# --- (d) the mean ------------------------------------------------------------------------------

def test_with_symmetric_ranges_the_mean_is_the_central_case():
    # Business as usual £500k a year certain; A £400k a year ±10 % and a £300k transition ±10 %: central £700k.
    table = un.simulate(rows(*bau(), *[(A, "running", t, -400_000.0, -10, 10) for t in range(1, 11)],
                             (A, "transition", 0, -300_000.0, -10, 10)), n=20_000)
    a = by_option(table).loc[A]
    assert a["central_gbp"] == pytest.approx(700_000.0)
    assert a["mean_gbp"] == pytest.approx(700_000.0, rel=0.005)


def test_a_skewed_range_widens_the_spread_but_adds_no_expected_cost():
    # Triangular(0.9, 1, 1.4) has mean 1.1; re-centred (÷ 1.1) its mean is 1: a £100k cost −10/+40 % still costs
    # £100k on average (optimism bias already carries the expected overrun), ranging from £81.8k to £127.3k.
    table = un.simulate(rows((SQ, "other", 1, 0.0), (A, "running", 1, -100_000.0, -10, 40)), n=20_000)
    a = by_option(table).loc[A]
    assert a["central_gbp"] == pytest.approx(-100_000.0)
    assert a["mean_gbp"] == pytest.approx(-100_000.0, rel=0.005)
    assert -127_300 < a["p10_gbp"] < a["p90_gbp"] < -81_800


def test_one_draw_per_item_is_shared_by_every_option():
    # business as usual £100k and the option £90k of running costs, both ±10 %: one multiplier m moves both, so the
    # option's NPV against business as usual is £10k × m, from £9.0k to £11.0k (independent draws would spread it
    # from about −£3k to +£23k)
    table = un.simulate(rows((SQ, "running", 1, -100_000.0, -10, 10), (A, "running", 1, -90_000.0, -10, 10)),
                        n=2_000)
    a = by_option(table).loc[A]
    assert 9_000 <= a["p10_gbp"] <= a["p90_gbp"] <= 11_000
    assert a["prob_better_than_status_quo"] == 1.0


# --- (e) reproducible ------------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_table_and_another_seed_another():
    data = rows(*bau(), *[(A, "running", t, -480_000.0, -10, 20) for t in range(1, 11)],
                *[(B, "running", t, -470_000.0, -15, 15) for t in range(1, 11)])
    risk = risks((A, "Delay", 0.3, 50_000.0))
    first = un.simulate(data, risk, n=500, seed=7)
    pd.testing.assert_frame_equal(first, un.simulate(data, risk, n=500, seed=7))
    other = un.simulate(data, risk, n=500, seed=8)
    assert not np.isclose(first["p10_gbp"].iloc[1], other["p10_gbp"].iloc[1])
    assert (first["n"] == 500).all() and (first["seed"] == 7).all()
    default = un.simulate(data, risk)
    assert (default["n"] == 2000).all() and (default["seed"] == un.MONTE_CARLO_SEED).all()


def test_options_follow_the_status_quo_in_the_order_they_first_appear():
    table = un.simulate(rows((B, "running", 1, -1.0), (SQ, "running", 1, -1.0), (A, "running", 1, -1.0)))
    assert table["option_id"].tolist() == [SQ, B, A]


# --- (f) the headline option --------------------------------------------------------------------------

def test_when_business_as_usual_is_preferred_the_headline_is_the_runner_up_and_not_zero():
    data = rows(*bau(), *[(A, "running", t, -520_000.0, -10, 10) for t in range(1, 11)],
                *[(B, "running", t, -505_000.0, -10, 10) for t in range(1, 11)])
    table = un.simulate(data)
    assert by_option(table).loc[A, "central_gbp"] == pytest.approx(-200_000)
    assert by_option(table).loc[B, "central_gbp"] == pytest.approx(-50_000)
    assert un.headline_option(SQ, table) == B  # the runner-up: highest central NPV among the others
    assert un.headline_option(A, table) == A  # a preferred option other than BAU is its own headline
    b = by_option(table).loc[B]
    assert b["p10_gbp"] < 0 < b["p90_gbp"]  # not 0/0
    # B's running costs £5,050k ± 10 %: P10 / P90 ≈ −50k ∓ 5,050k × (1 − 0.944721) = −£329k / +£229k, each
    # within £25k (three standard errors of a P10 or P90 from 2,000 draws: 5,050k × √(0.09/2000) / 4.47 ≈ £7.6k).
    assert b["p10_gbp"] == pytest.approx(-50_000 - 5_050_000 * (1 - TRI_10_P10), abs=25_000)
    assert b["p90_gbp"] == pytest.approx(-50_000 + 5_050_000 * (TRI_10_P90 - 1), abs=25_000)
    assert 0.2 < b["prob_better_than_status_quo"] < 0.5
    sentence = un.describe(table, B)
    assert sentence.startswith("Across 2,000 draws (seed 20240401), the NPV of ")
    assert f"{b['prob_better_than_status_quo'] * 100:.0f} % of draws" in sentence and "P10" in sentence
    assert "baseline" in un.describe(table, SQ)


def test_headline_option_with_business_as_usual_alone_and_an_unknown_option():
    table = un.simulate(rows((SQ, "running", 1, -1.0)))
    assert un.headline_option(SQ, table) == SQ
    with pytest.raises(ParameterError, match="closure"):
        un.headline_option("closure", table)
    with pytest.raises(ParameterError, match="closure"):
        un.describe(table, "closure")


def test_describe_a_certain_option():
    table = un.simulate(rows((SQ, "running", 1, -100_000.0), (A, "running", 1, -60_000.0)))
    assert un.describe(table, A).endswith("£40.0k at P10, P50 and P90 alike (central case £40.0k); it beats "
                                          "business as usual in 100 % of draws.")


# --- validation -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, -5, 2.5, True])
def test_a_bad_number_of_draws_is_a_parameter_error(n):
    with pytest.raises(ParameterError, match="n must be"):
        un.simulate(rows((SQ, "running", 1, -1.0)), n=n)


@pytest.mark.parametrize("low, high, column", [
    (-10, math.nan, "high_pct"), (math.nan, 10, "low_pct"),
    (5, 10, "low_pct"), (-10, -5, "high_pct"), (-120, 10, "low_pct"),
])
def test_a_bad_range_names_its_column_and_row(low, high, column):
    data = rows((SQ, "running", 1, -1.0), (A, "running", 3, -1.0, low, high))
    with pytest.raises(InputTableError) as error:
        un.simulate(data)
    assert error.value.column == column
    assert f"{A} / running / 3" in str(error.value)


@pytest.mark.parametrize("p", [-0.1, 1.5, "likely"])
def test_a_probability_outside_zero_to_one_names_the_risk(p):
    with pytest.raises(InputTableError) as error:
        un.simulate(rows((SQ, "running", 1, -1.0), (A, "running", 1, -1.0)), risks((A, "Delay", p, 10.0)))
    assert error.value.column == "probability" and f"{A} / Delay" in str(error.value)


def test_a_risk_on_an_option_with_no_rows_names_it():
    with pytest.raises(InputTableError) as error:
        un.simulate(rows((SQ, "running", 1, -1.0)), risks((B, "Delay", 0.5, 10.0)))
    assert error.value.column == "option_id" and f"{B} / Delay" in str(error.value)


def test_missing_business_as_usual_missing_pv_and_missing_columns():
    with pytest.raises(InputTableError, match="no status_quo rows"):
        un.simulate(rows((A, "running", 1, -1.0)))
    with pytest.raises(InputTableError) as error:
        un.simulate(rows((SQ, "running", 1, math.nan)))
    assert error.value.column == "pv_gbp"
    with pytest.raises(InputTableError) as error:
        un.simulate(rows((SQ, "running", 1, -1.0)).drop(columns="high_pct"))
    assert error.value.column == "high_pct"


def test_the_rules_are_printable_and_name_the_green_book():
    assert all(len(rule) == 2 for rule in un.UNCERTAINTY_RULES)
    text = " ".join(t for _, t in un.UNCERTAINTY_RULES)
    assert "every year of it" in text and "shared by every option" in text and "Bernoulli" in text
    assert "Green Book (2022)" in text


def test_an_option_with_every_amount_uncertain_and_no_certain_rows():
    table = un.simulate(rows((SQ, "running", 1, -100.0, -10, 10), (A, "running", 1, -100.0, -10, 10)), n=50)
    assert table["n"].tolist() == [50, 50] and (table.loc[0, ["p10_gbp", "p90_gbp"]] == 0).all()
