"""The comparator model by hand: weighted distance, rebasing, dropped indicators, stability, label group, overlap."""

import math

import pandas as pd
import pytest

from wcc_analysis.analysis import area_indicators, comparator_stability, comparators, needs
from wcc_analysis.core.errors import MissingDataError, ParameterError
from wcc_analysis.core.vocabulary import COMES_AND_GOES, MOSTLY_STABLE, STABLE


def _pool():
    # x: mean 4, population SD sqrt(10); y: 0, 0, 0, 0, 5 -> mean 1, SD 2
    return pd.DataFrame({
        "ons_code": ["E1", "E2", "E3", "E4", "E5"],
        "name": list("abcde"),
        "x": [1.0, 2.0, 3.0, 4.0, 10.0],
        "y": [0.0, 0.0, 0.0, 0.0, 5.0],
    })


def test_standardise_uses_population_sd_and_tolerates_constant_columns():
    z = comparators.standardise(_pool(), ["x", "y"])
    # mean 4, population sd sqrt((9+4+1+0+36)/5) = sqrt(10)
    assert z["x"].iloc[0] == pytest.approx(-3 / math.sqrt(10))
    assert z["y"].tolist() == pytest.approx([-0.5, -0.5, -0.5, -0.5, 2.0])  # y: mean 1, SD 2
    constant = comparators.standardise(_pool().assign(y=0.0), ["y"])
    assert (constant["y"] == 0).all()


def test_weighted_distance_by_hand():
    raw = comparators.distances(_pool(), "E1", {"x": 1.0, "y": 4.0})
    # E2: dz_x = 1/sqrt(10), dz_y = 0 -> sqrt(0.1); E5: dz_x = 9/sqrt(10), dz_y = 5/2 -> sqrt(8.1 + 4 x 6.25)
    assert raw["E1"] == 0
    assert raw["E2"] == pytest.approx(math.sqrt(0.1))
    assert raw["E5"] == pytest.approx(math.sqrt(8.1 + 25.0))


def test_a_list_of_indicators_weighs_each_one():
    assert comparators.distances(_pool(), "E1", ["x", "y"]).tolist() == pytest.approx(
        comparators.distances(_pool(), "E1", {"x": 1.0, "y": 1.0}).tolist())


def test_rebasing_puts_the_farthest_at_one():
    members = comparators.nearest(_pool(), "E1", {"x": 1.0}, 4)
    # raw distances 1, 2, 3, 9 (over sqrt(10)); rebased by the farthest (E5): 1/9, 2/9, 3/9, 1
    assert members["ons_code"].tolist() == ["E2", "E3", "E4", "E5"]
    assert members["distance"].tolist() == pytest.approx([1 / 9, 2 / 9, 3 / 9, 1.0])
    assert members["raw_distance"].iloc[0] == pytest.approx(1 / math.sqrt(10))


def test_ties_broken_by_code():
    pool = pd.DataFrame({"ons_code": ["E9", "E1", "E5"], "name": list("abc"), "x": [1.0, 0.0, 1.0]})
    assert comparators.nearest(pool, "E1", ["x"], 2)["ons_code"].tolist() == ["E5", "E9"]


def _indicators():
    return pd.DataFrame({"ons_code": ["E1", "E2", "E3", "E4", "E5"], "x": [1.0, 2.0, 3.0, 4.0, 10.0],
                         "y": [0.0, 0.0, 0.0, float("nan"), 5.0], "z": [float("nan"), 1.0, 2.0, 3.0, 4.0]})


def test_group_leaves_out_authorities_lacking_an_indicator_and_drops_those_the_council_lacks():
    candidates = _pool()[["ons_code", "name"]]
    gates = {"outturn": pd.DataFrame({"ons_code": ["E1", "E2", "E3", "E4"]})}
    group = comparators.comparator_group(candidates, gates, _indicators(), "E1", {"x": 1.0, "y": 1.0, "z": 2.0}, 2,
                                         model="test model", basis={"y": "mid-2024"})
    assert group.dropped == {"z": "no value for the council (the year)"}
    assert group.weights == {"x": 1.0, "y": 1.0}
    reasons = group.left_out.set_index("ons_code")["reason"].to_dict()
    assert set(reasons) == {"E4", "E5"}
    assert reasons["E5"] == "not in outturn"
    assert "mid-2024" in reasons["E4"]  # E4 lacks y, named with its basis
    assert group.pool_size == 3 and group.codes == ["E2", "E3"]
    assert group.farthest["ons_code"] == "E3"
    assert group.members["distance"].iloc[-1] == pytest.approx(1.0)
    assert "test model" in group.method() and "farthest authority in the pool (c) is at 1" in group.method()


def test_pool_reports_who_was_left_out():
    candidates = pd.DataFrame({"ons_code": ["E1", "E2", "E3"], "name": ["a", "b", "c"]})
    sources = {
        "census": pd.DataFrame({"ons_code": ["E1", "E2"], "pop": [1.0, 2.0]}),
        "imd": pd.DataFrame({"ons_code": ["E1", "E3"], "imd": [1.0, 2.0]}),
    }
    pool, left_out = comparators.pool_with_indicators(candidates, sources)
    assert pool["ons_code"].tolist() == ["E1"]
    assert left_out.set_index("ons_code")["reason"].to_dict() == {"E2": "not in imd", "E3": "not in census"}


def test_a_council_with_no_indicator_gets_a_clear_error():
    candidates = _pool()[["ons_code", "name"]]
    with pytest.raises(MissingDataError, match="none of the comparator indicators"):
        comparators.comparator_group(candidates, {}, _indicators(), "E1", {"z": 1.0}, 2)


def test_weights_are_checked():
    with pytest.raises(ParameterError, match="unknown comparator indicator"):
        comparators.check_weights({"popluation": 1.0})
    with pytest.raises(ParameterError, match="at least one above zero"):
        comparators.check_weights({"population": 0.0})
    assert comparators.check_weights({"population": 1, "imd_score": 0}) == {"population": 1.0}


def test_variants_drop_each_indicator_and_move_each_weight():
    runs = comparator_stability.variants({"population": 1.0, "imd_score": 2.0}, 0.5)
    assert len(runs) == 2 + 4
    weights = [w for _, w, _ in runs]
    assert weights[0] == {"imd_score": 2.0} and weights[1] == {"population": 1.0}
    assert {"population": 0.5, "imd_score": 2.0} in weights and {"population": 1.0, "imd_score": 3.0} in weights
    logged = comparator_stability.variants({"population": 1.0, "imd_score": 2.0}, 0.5, {"population": "log"})
    assert len(logged) == 7 and logged[-1] == (comparator_stability.NO_TRANSFORM, {"population": 1.0, "imd_score": 2.0}, {})
    assert all(t == {"population": "log"} for _, _, t in logged[:-1])


def test_a_log_transform_by_hand():
    # x = 1, 10, 100, 1000: logs are evenly spaced, so E2 is as near to E1 as E3 is to E2
    pool = pd.DataFrame({"ons_code": ["E1", "E2", "E3", "E4"], "name": list("abcd"), "x": [1.0, 10.0, 100.0, 1000.0]})
    raw = comparators.distances(pool, "E2", {"x": 1.0}, {"x": "log"})
    assert raw["E1"] == pytest.approx(raw["E3"])
    plain = comparators.distances(pool, "E2", {"x": 1.0})
    assert plain["E3"] == pytest.approx(10 * plain["E1"])  # 90 against 9 without the log
    with pytest.raises(ParameterError, match="above zero to take its log"):
        comparators.distances(pool.assign(x=[0.0, 1.0, 2.0, 3.0]), "E2", {"x": 1.0}, {"x": "log"})


def test_position_across_variants_by_hand():
    values = pd.Series({"C": 10.0, "A": 5.0, "B": 20.0, "D": 30.0, "E": 8.0})
    # group 1: A, B, D -> C is 2nd of 4, median 20; group 2: A, E, B -> C is 3rd of 4, median 8
    spread = comparator_stability.position_across_variants(values, "C", (("A", "B", "D"), ("A", "E", "B")),
                                                           needs.position)
    assert (spread["rank_min"], spread["rank_max"], spread["of"], spread["variants"]) == (2, 3, 4, 2)
    assert (spread["median_min"], spread["median_max"]) == (8.0, 20.0)
    assert sum(spread["quarters"].values()) == 2
    assert comparator_stability.position_across_variants(values.drop("C"), "C", (("A",),), needs.position) is None


def test_stability_by_hand():
    # Council E0 at (0, 0). A (1, 0) and B (0, 1) are equally near on both; C (3, 0.5) and D (0.5, 3) are the
    # 2nd/3rd nearest depending on which axis counts more; E is far on both. With k = 3 and weights x, y = 1:
    pool = pd.DataFrame({"ons_code": ["E0", "EA", "EB", "EC", "ED", "EE"], "name": ["me", "A", "B", "C", "D", "E"],
                         "x": [0.0, 1.0, 0.0, 3.0, 0.5, 9.0], "y": [0.0, 0.0, 1.0, 0.5, 3.0, 9.0]})
    group = comparators.comparator_group(pool[["ons_code", "name"]], {}, pool.drop(columns="name"), "E0",
                                         {"x": 1.0, "y": 1.0}, 3)
    assert group.codes[:2] == ["EA", "EB"]
    result = comparator_stability.stability(group, 0.5)
    table = result.table.set_index("name")
    # 6 variants: without x, without y, x x0.5, x x1.5, y x0.5, y x1.5
    assert len(result.variants) == 6
    assert table.loc["A", "reading"] == STABLE and table.loc["B", "reading"] == STABLE
    third = group.members["name"].iloc[2]
    other = "D" if third == "C" else "C"
    assert table.loc[third, "reading"] in (MOSTLY_STABLE, COMES_AND_GOES)
    assert table.loc[other, "in_base_group"] == False  # noqa: E712 - a numpy bool
    assert table.loc[third, "kept"] + table.loc[other, "kept"] == 6  # one of the two is third in every variant
    assert "E" not in table.index  # never enters
    assert result.sentence().startswith("2 of 3 comparators are stable: in the group in all 6 variants")
    assert result.described() == ("6 variants: each of the 2 indicators dropped in turn (2); each weight × 0.5 and "
                                  "× 1.5 in turn (4)")


def test_stability_rules_read_membership():
    rules = comparator_stability.STABILITY_RULES
    assert rules.decide(comparator_stability.MemberFacts(21, 21)) == STABLE
    assert rules.decide(comparator_stability.MemberFacts(16, 21)) == MOSTLY_STABLE  # 16/21 = 76 %
    assert rules.decide(comparator_stability.MemberFacts(15, 21)) == COMES_AND_GOES  # 71 %


def test_label_group_and_overlap():
    labels = pd.DataFrame({
        "ons_code": ["C"] * 4 + ["A"] * 4 + ["B"] * 4 + ["D"] * 4,
        "dimension": ["physical", "emissions", "imd", "ruc"] * 4,
        "label": ["WM", "Public", "3rd", "Urban",
                  "SE", "Public", "3rd", "Urban",  # 3 shared (differs on region)
                  "WM", "Public", "3rd", "Urban",  # all 4
                  "WM", "Agri", "1st", "Urban"],  # 2 shared: not in the group
    })
    group = comparators.label_group(labels, "C", ["A", "B", "D"])
    assert group["ons_code"].tolist() == ["B", "A"]
    assert group["shared"].tolist() == [4, 3]
    assert group.set_index("ons_code").loc["A", "differs_on"] == "region"
    assert comparators.label_group(labels, "C", ["A"], min_shared=4).empty
    agree = comparators.overlap(["A", "B", "X"], ["B", "A", "Y", "Z"])
    assert agree["both"] == ["A", "B"] and agree["share_of_group"] == pytest.approx(2 / 3)
    assert agree["share_of_other"] == pytest.approx(0.5)


def test_area_indicators_by_hand():
    mid_year = pd.DataFrame({"ons_code": ["A", "A", "B", "B"], "year": [2019, 2024, 2019, 2024],
                             "population": [100_000, 105_000, 50_000, 49_000]})
    structure = pd.DataFrame({"ons_code": ["A", "B"], "year": [2023, 2023], "share_under_16": [0.2, 0.1],
                              "share_65_plus": [0.15, 0.3], "area_km2": [35.0, 980.0]})
    deprivation = pd.DataFrame({"ons_code": ["A", "B"], "edition": ["IMD 2025"] * 2, "imd_score": [20.4, 10.0]})
    tax = pd.DataFrame({"ons_code": ["A", "B"], "year_start": [2024, 2024],
                        "tax_base_band_d_equivalents": [33_000.0, 24_500.0]})
    frame, basis = area_indicators.indicators_for_year(2024, mid_year, structure, deprivation, tax, "IMD 2025")
    a = frame.set_index("ons_code").loc["A"]
    assert a["population_growth_5y_pct"] == pytest.approx(5.0)
    assert a["density_per_km2"] == pytest.approx(3000.0)  # 105,000 / 35
    assert a["tax_base_per_head"] == pytest.approx(33_000 / 105_000)
    assert a["share_65_plus"] == 0.15  # the nearest held mid-year (2023)
    b = frame.set_index("ons_code").loc["B"]
    assert b["population_growth_5y_pct"] == pytest.approx(-2.0) and b["density_per_km2"] == pytest.approx(50.0)
    assert basis["share_under_16"] == "mid-2023" and basis["imd_score"] == "IMD 2025"
    assert basis["population_growth_5y_pct"] == "mid-2019 to mid-2024"
    assert area_indicators.nearest_year([2023, 2024], 2019) == 2023
    assert area_indicators.nearest_year([2022, 2024], 2023) == 2022  # a tie goes to the earlier
    assert area_indicators.nearest_year([], 2023) is None


def test_worcester_area_indicators_from_the_published_files():
    from wcc_analysis import ingest

    frame, basis = area_indicators.indicators_for_year(
        2024, ingest.mid_year_population(), ingest.population_structure(), ingest.deprivation(),
        ingest.council_tax_levels(), "IMD 2025")
    w = frame.set_index("ons_code").loc["E07000237"]
    assert w["population"] == 106_671  # ONS mid-2024
    assert w["population_growth_5y_pct"] == pytest.approx((106_671 / 105_137 - 1) * 100)  # mid-2019 105,137 (MYE4)
    assert w["density_per_km2"] == pytest.approx(106_671 / 33.2781, rel=1e-4)  # MYE5 area 33.2781 km²
    assert w["tax_base_per_head"] == pytest.approx(33_002 / 106_671)  # Table 9 2024-25: 33,002 Band D equivalents
    assert w["share_65_plus"] == pytest.approx(19_412 / 106_671)
    assert basis["tax_base_per_head"] == "2024-25 tax base over mid-2024 population"


def test_geographic_group_puts_boundary_neighbours_first():
    neighbours = pd.DataFrame({
        "ons_code": ["C"] * 4,
        "neighbour_code": ["N1", "B1", "B2", "N2"],
        "relation": ["nearby", "shares_boundary", "shares_boundary", "nearby"],
        "rank": [3, 1, 2, 4],
    })
    group = comparators.geographic_group(neighbours, "C", ["N1", "B2", "N2"], 2)
    assert group["neighbour_code"].tolist() == ["B2", "N1"]
