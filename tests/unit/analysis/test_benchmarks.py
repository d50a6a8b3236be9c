"""Which measure rates a service, against which councils: the rules behind questions 2 and 3."""

from types import SimpleNamespace

import pandas as pd

from wcc_analysis.analysis import benchmarks, measures, needs


def test_measure_kinds():
    row = SimpleNamespace
    assert benchmarks.measure_kind(row(polarity="volume", basis="statistic")) == "volume"
    assert benchmarks.measure_kind(row(polarity="lower_is_better", basis="outturn")) == "cost"
    assert benchmarks.measure_kind(row(polarity="lower_is_better", basis="budget")) == "cost"
    assert benchmarks.measure_kind(row(polarity="higher_is_better", basis="statistic")) == "performance"
    # a per-head rate that is not spend (fly-tipping incidents per 1,000 people) is performance
    assert benchmarks.measure_kind(measures.get("waste_fly_tipping_per_1000")) == "performance"


def test_comparison_group_rule_falls_back_below_five_publishing():
    rules = benchmarks.COMPARISON_GROUP_RULES
    assert rules.first(benchmarks.GroupFacts(4)) is rules.rules[0]  # 4 of 15 publish: every authority of the class
    assert rules.first(benchmarks.GroupFacts(5)) is rules.rules[1]  # 5 is enough
    assert rules.frame()["group"].tolist() == ["every authority of the class", "computed comparator group"]


def _benchmarked(kind: str, n_with_measure: int, label: str) -> benchmarks.Benchmarked:
    return benchmarks.Benchmarked(label, label, kind, "src", "2024-25", {"n_with_measure": n_with_measure},
                                  pd.DataFrame(), "note")


def test_cost_measure_is_the_first_spend_measure_with_a_comparator():
    found = [_benchmarked("performance", 9, "rate"), _benchmarked("cost", 1, "line alone"),
             _benchmarked("cost", 12, "block"), _benchmarked("cost", 30, "wider block")]
    assert benchmarks.cost_measure(found).label == "block"
    assert benchmarks.cost_measure(found[:2]) is None


def test_need_signals_read_the_drivers_by_key_not_by_label():
    drivers = pd.DataFrame([
        (needs.POPULATION_GROWTH, "any label", 5.1, 3.0),
        (needs.imd_key("imd_score", "IMD 2019"), "old", 10.0, 20.0),
        (needs.imd_key("imd_score", "IMD 2025"), "new", 22.0, 20.0),
    ], columns=["key", "indicator", "council", "comparator_median"])
    signals = needs.need_signals(SimpleNamespace(drivers=drivers))
    assert list(signals.values()) == [True, True]  # grew faster; more deprived on the newest edition (22 > 20)
    assert "IMD 2025 (22.0 against 20.0)" in list(signals)[1]
