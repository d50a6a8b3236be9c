"""Which measure rates a service, against which councils: the rules behind questions 2 and 3."""

from types import SimpleNamespace

import pandas as pd
import pytest

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
    assert rules.first(benchmarks.GroupFacts(4)) is rules.rules[0]  # 4 of 15 have a figure: every other of the class
    assert rules.first(benchmarks.GroupFacts(5)) is rules.rules[1]  # 5 is enough
    assert rules.frame()["group"].tolist() == ["every other authority of the class with a figure",
                                               "computed comparator group"]
    assert "never calls it the comparators or all of the class" in rules.frame()["rule"].iloc[0]


# where the authorities are (the authorities table's county_name and region), as the report names a set
AREAS = pd.DataFrame([
    ("H", "Lancashire", "North West"), ("L1", "Lancashire", "North West"), ("L2", "Lancashire", "North West"),
    ("L3", "Lancashire", "North West"), ("L4", "Lancashire", "North West"), ("U1", None, "North West"),
    ("W", "Worcestershire", "West Midlands"), ("K1", "Kent", "South East"), ("K2", "Kent", "South East"),
], columns=["ons_code", "county_name", "region"])


def test_a_set_is_named_by_its_county_its_region_or_how_many_regions_it_spans():
    lancs = benchmarks.coverage(["L1", "L2", "L3", "H"], AREAS, "shire districts")
    assert (lancs.named_by, lancs.place, lancs.regional) == ("one county", "all in Lancashire", True)
    # a unitary (no county) in the same region: named by the region
    north_west = benchmarks.coverage(["L1", "U1"], AREAS, "authorities")
    assert (north_west.named_by, north_west.place) == ("one region", "all in the North West")
    spread = benchmarks.coverage(["L1", "W", "K1"], AREAS, "shire districts")
    assert (spread.named_by, spread.place, spread.regional) == ("several regions", "across 3 regions", False)
    assert benchmarks.AREA_RULES.frame()["named by"].tolist() == ["one county", "one region", "several regions"]
    # the whole class with a figure: a regional extract is said to be one, never "all shire districts"
    assert benchmarks.class_set_words(lancs) == ("the 4 shire districts with a figure in the data held, all in "
                                                 "Lancashire — not a national comparison")
    assert benchmarks.class_set_words(spread) == "the 3 shire districts with a figure, across 3 regions"
    words = benchmarks.fallback_words(3, lancs)
    assert words.startswith("the 3 other shire districts with a figure in the data held — all in Lancashire: the data "
                            "held has figures for shire districts in Lancashire only")
    assert "not a national one, and not the computed comparators" in words


def _rate(service="x"):
    return measures.Measure("x_rate", service, "Collection rate (higher is better)", "% of debit", "higher_is_better",
                            "MHCLG collection rates", "2024-25", "Lancashire only", "t", "value", suffix="%",
                            held_note="MHCLG publishes it for every council; the project holds Lancashire's only")


def _needs(codes):
    return SimpleNamespace(council_class="SD", group=SimpleNamespace(codes=codes))


def _tables(values: dict[str, float]):
    outturn = pd.DataFrame({"ons_code": ["H", "L1", "L2", "L3", "L4", "U1", "W", "K1", "K2"],
                            "authority_class": ["SD"] * 5 + ["UA"] + ["SD"] * 3})
    rows = pd.DataFrame({"ons_code": list(values), "year": "2024-25", "value": list(values.values())})
    return {"revenue_outturn": outturn, "t": rows}


def test_too_few_comparators_with_a_figure_falls_back_to_the_class_and_names_it():
    # Hyndburn-like: the computed group W, K1, K2, L1, L2, L3 — only L1 and L2 hold the figure (2 < 5), so the council
    # is compared with every other shire district that has one: L1 … L4 (the unitary U1 is of another class)
    tables = _tables({"H": 94.36, "L1": 95.0, "L2": 95.68, "L3": 97.0, "L4": 93.0, "U1": 96.0})
    found, lacking = benchmarks.benchmark_measures("x", "H", _needs(["W", "K1", "K2", "L1", "L2", "L3"]), tables,
                                                   pd.DataFrame(), {"H": "Hyndburn"}, (_rate(),), AREAS)
    assert lacking == [] and len(found) == 1
    b = found[0]
    assert b.fallback and b.compared_with == "the 4 other Lancashire shire districts with a figure in the data held"
    assert b.group_note.startswith("only 3 of the 6 computed comparators have a figure in the data held, so compared "
                                   "with the 4 other shire districts with a figure in the data held — all in "
                                   "Lancashire")
    assert "all shire districts" not in b.group_note and "SD authorities" not in b.group_note
    assert b.class_set == ("the 5 shire districts with a figure in the data held, all in Lancashire — not a national "
                           "comparison")
    # median of 93.0, 95.0, 95.68, 97.0 = 95.34; ranks, highest first: 97, 95.68, 95, 94.36 → 4 of 5
    assert b.benchmark["median"] == pytest.approx(95.34) and b.benchmark["rank"] == 4
    assert b.benchmark["compared_with"] == b.compared_with
    assert b.formatted(94.36) == "94.36%"
    # Worcester holds no figure: not held in the shipped data, with what is published and what is held
    found, lacking = benchmarks.benchmark_measures("x", "W", _needs(["K1", "K2"]), tables, pd.DataFrame(),
                                                   {}, (_rate(),), AREAS)
    assert found == [] and lacking == ["Collection rate (higher is better), 2024-25: not held in the shipped data "
                                       "(MHCLG publishes it for every council; the project holds Lancashire's only)"]


def _line_measure(lines, basis=measures.OUTTURN, scope=measures.DETAILED_LINE, id_="x_lines"):
    return measures.Measure(id_, "x", f"{' + '.join(lines)} (lower is cheaper)", "£ per head", "lower_is_better",
                            "src", "2024-25", "cov", "ro", "value", "line", tuple(lines), basis=basis, scope=scope,
                            spend_line=" + ".join(lines), suffix=" per head")


def test_a_multi_line_measure_with_a_blank_line_is_missing_and_the_next_measure_is_used():
    # Hyndburn leisure-like: the two RO5 lines "facilities" (blank for every council in the extract) and "development".
    # No council has the measure — never "development" alone — so question 3 falls through to the budget lines.
    ro = pd.DataFrame([(c, "2024-25", line, value) for c in ("H", "L1", "L2", "L3", "L4", "W")
                       for line, value in (("facilities", float("nan")), ("development", 10.0))],
                      columns=["ons_code", "year", "line", "value"])
    budget = pd.DataFrame([(c, "2024-25", "Recreation and sport", v) for c, v in
                           (("H", 2.72), ("L1", 8.0), ("L2", 9.0), ("L3", 7.0), ("L4", 10.0), ("W", 5.0))],
                          columns=["ons_code", "year", "line", "value"])
    tables = {**_tables({}), "ro": ro, "ra": budget}
    two_lines = _line_measure(("facilities", "development"))
    ra_lines = measures.Measure("x_ra", "x", "RA lines budget per head (lower is cheaper)", "£ per head",
                                "lower_is_better", "src", "2024-25", "cov", "ra", "value", "line",
                                ("Recreation and sport",), basis=measures.BUDGET, scope=measures.SERVICE_LINES)
    found, lacking = benchmarks.benchmark_measures("x", "H", _needs(["L1", "L2", "L3", "L4", "W"]), tables,
                                                   pd.DataFrame(), {}, (two_lines, ra_lines), AREAS)
    assert [b.measure_id for b in found] == ["x_ra"]
    assert lacking == ["facilities + development (lower is cheaper), 2024-25: not held in the shipped data: no figure "
                       "on 'facilities' (blank for every council in the data held); a measure of several lines is "
                       "never a partial sum (LINE_SUM_RULES)"]
    assert benchmarks.cost_measure(found).measure_id == "x_ra"
    # where the council alone has both lines, its figure has no comparator: not used, the next measure is
    ro.loc[(ro["ons_code"] == "H") & (ro["line"] == "facilities"), "value"] = 1.0
    found, _ = benchmarks.benchmark_measures("x", "H", _needs(["L1", "L2", "L3", "L4", "W"]), tables, pd.DataFrame(),
                                             {}, (two_lines, ra_lines), AREAS)
    assert found[0].measure_id == "x_lines" and found[0].benchmark["council_value"] == 11.0
    assert found[0].benchmark["n_with_measure"] == 1
    assert benchmarks.cost_measure(found).measure_id == "x_ra"


def _benchmarked(kind: str, n_with_measure: int, label: str) -> benchmarks.Benchmarked:
    return benchmarks.Benchmarked(label, label, kind, "src", "2024-25", {"n_with_measure": n_with_measure},
                                  pd.DataFrame(), "note")


def test_cost_measure_is_the_first_spend_measure_with_a_comparator():
    found = [_benchmarked("performance", 9, "rate"), _benchmarked("cost", 1, "line alone"),
             _benchmarked("cost", 12, "block"), _benchmarked("cost", 30, "wider block")]
    assert benchmarks.cost_measure(found).label == "block"
    assert benchmarks.cost_measure(found[:2]) is None


def test_a_line_the_council_reports_as_zero_is_not_its_cost():
    # Hyndburn reports £0 on "Museums and galleries" (RO 2024-25): its museum spending is on another line
    zero = benchmarks.Benchmarked("museums line", "museums line", "cost", "src", "2024-25",
                                  {"n_with_measure": 14, "council_value": 0.0}, pd.DataFrame(), "note")
    lines = benchmarks.Benchmarked("budget lines", "budget lines", "cost", "src", "2023-24",
                                   {"n_with_measure": 15, "council_value": 3.09}, pd.DataFrame(), "note")
    assert benchmarks.cost_measure([zero, lines]).label == "budget lines"
    assert "£0" in benchmarks.COST_MEASURE_RULES.frame()["rule"].iloc[3]


def test_need_signals_read_the_drivers_by_key_not_by_label():
    drivers = pd.DataFrame([
        (needs.POPULATION_GROWTH, "any label", 5.1, 3.0),
        (needs.imd_key("imd_score", "IMD 2019"), "old", 10.0, 20.0),
        (needs.imd_key("imd_score", "IMD 2025"), "new", 22.0, 20.0),
    ], columns=["key", "indicator", "council", "comparator_median"])
    signals = needs.need_signals(SimpleNamespace(drivers=drivers))
    assert list(signals.values()) == [True, True]  # grew faster; more deprived on the newest edition (22 > 20)
    assert "IMD 2025 (22.0 against 20.0)" in list(signals)[1]
