"""Population by year, service budget lines, budget against outturn, the needs trend in real terms: hand-checked.

Figures are read from the published files by their readers (tests/unit/conftest.py) and checked against
numbers looked up by hand in those files (ONS MYE4/MYE2, MHCLG RA 2023-24, RS/RSX/time series, HMT deflator).
"""

from __future__ import annotations

import pandas as pd
import pytest

from wcc_analysis.analysis import benchmarks, measures, needs, population, prices, service_lines
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.ingest.public.deprivation import load_deprivation
from wcc_analysis.ingest.public.gdp_deflator import load_gdp_deflator
from wcc_analysis.ingest.public.neighbours import load_neighbours
from wcc_analysis.ingest.public.ra_budget import load_ra_budget
from wcc_analysis.ingest.public.revenue_outturn import load_revenue_outturn

WORCESTER, BROMSGROVE, ALLERDALE = "E07000237", "E07000234", "E07000026"
CULTURE = "Cultural and related services"


@pytest.fixture(scope="module")
def ra() -> pd.DataFrame:
    return load_ra_budget()


@pytest.fixture(scope="module")
def outturn() -> pd.DataFrame:
    return load_revenue_outturn()


@pytest.fixture(scope="module")
def people(mid_year, census) -> pd.DataFrame:
    return population.by_year(mid_year, census, range(2010, 2025))


def _of(people, code, year):
    return people[(people["ons_code"] == code) & (people["year_start"] == year)].iloc[0]


def test_population_uses_the_mid_year_estimate_and_marks_the_census_fallback(people):
    # ONS MYE4/MYE2: Worcester mid-2017 105,321, mid-2023 105,143, mid-2024 106,671
    assert _of(people, WORCESTER, 2017)["population"] == 105_321
    assert _of(people, WORCESTER, 2024)["population"] == 106_671
    assert _of(people, WORCESTER, 2024)["population_method"] == "ONS mid-year estimate mid-2024"
    # no mid-2010 estimate: census trend 98,768 + (−0.1) × (103,700 − 98,768) = 98,274.8
    assert _of(people, WORCESTER, 2010)["population"] == pytest.approx(98_274.8)
    assert _of(people, WORCESTER, 2010)["population_method"].startswith(population.CENSUS_TREND)
    # Allerdale (abolished 2023) is not on 2023 boundaries: 96,422 + 0.6 × (96,100 − 96,422) = 96,228.8
    assert _of(people, ALLERDALE, 2017)["population"] == pytest.approx(96_228.8)
    assert _of(people, ALLERDALE, 2017)["population_method"].startswith(population.CENSUS_TREND)
    assert population.method_of(["ONS mid-year estimate mid-2024"]) == "ONS mid-year estimate mid-2024"
    assert "for authorities without one" in population.method_of(
        ["ONS mid-year estimate mid-2017", population.CENSUS_TREND + " (no ONS mid-year estimate)"])


def test_service_lines_are_added_up_per_head_and_ranked(ra, people):
    lines = ("Waste collection", "Recycling", "Open spaces")
    totals = service_lines.line_totals(ra, lines, "2023-24")
    assert totals[WORCESTER] == 884 + 1261 + 1300 and totals[BROMSGROVE] == 1951 + 0 + 377
    found = service_lines.service_lines(ra, people, council=WORCESTER, comparators=[BROMSGROVE], service_id="waste",
                                        lines=lines, names={WORCESTER: "Worcester", BROMSGROVE: "Bromsgrove"})
    row = found.council_row
    assert found.year == "2023-24" and row["population"] == 105_143  # mid-2023 for 2023-24
    assert row["budget_per_head_gbp"] == pytest.approx(3_445_000 / 105_143)  # £32.77
    bromsgrove = found.distribution.set_index("ons_code").loc[BROMSGROVE, "budget_per_head_gbp"]
    assert bromsgrove == pytest.approx(2_328_000 / 100_679)  # £23.12: lower, so Worcester ranks 2 of 2
    assert (found.position["rank"], found.position["of"]) == (2, 2)
    assert found.by_line.set_index("line")["net_budget_gbp_thousands"].to_dict() == {
        "Waste collection": 884, "Recycling": 1261, "Open spaces": 1300}
    with pytest.raises(ParameterError, match="no line"):
        service_lines.line_totals(ra, ("Waste colection",), "2023-24")


def test_budget_against_outturn_for_the_same_block_and_year(ra, outturn):
    table = service_lines.budget_against_outturn(ra, outturn, WORCESTER, [CULTURE]).set_index("year")
    # RA 2023-24 cultural total 3,191 against outturn 2,453; RA 2021-22 2,623 against 2,720
    assert table.loc["2023-24", "budget_gbp_thousands"] == 3191
    assert table.loc["2023-24", "outturn_gbp_thousands"] == 2453
    assert table.loc["2023-24", "difference_gbp_thousands"] == -738
    assert table.loc["2023-24", "difference_pct"] == pytest.approx(-738 / 3191 * 100)
    assert table.loc["2021-22", "difference_gbp_thousands"] == 2720 - 2623


def test_needs_trend_in_cash_and_real_terms_with_the_unpublished_years_as_gaps(outturn, census, mid_year):
    deflators = prices.financial_year_deflators(load_gdp_deflator())
    result = needs.analyse(outturn, census, load_deprivation(), load_neighbours(), council=WORCESTER,
                           service_id="leisure", service_name="Leisure", block=CULTURE,
                           sharing_services=["Leisure", "Museums"], mid_year=mid_year, deflators=deflators)
    assert result.year == "2024-25"
    row = result.council_row  # 2,852 / 106,671 = £26.74 a head
    assert row["spend_per_head_gbp"] == pytest.approx(2_852_000 / 106_671)
    trend = result.trend.set_index("year")
    assert trend.loc[["2015-16", "2016-17"], "net_expenditure_gbp_thousands"].isna().all()
    assert trend.loc["2017-18", "spend_per_head_gbp"] == pytest.approx(3_320_000 / 105_321)  # £31.52
    # real terms at 2024-25 prices: × 100.973837 / 78.017675 (¾/¼ of the calendar deflators; 2025 estimated)
    assert trend.loc["2017-18", "spend_per_head_real_gbp"] == pytest.approx(3_320_000 / 105_321 * 100.973837 / 78.017675)
    assert trend.loc["2024-25", "spend_per_head_real_gbp"] == pytest.approx(trend.loc["2024-25", "spend_per_head_gbp"])
    # IMD 2025 for the latest year's group; the six districts that did not submit 2024-25 are out of the pool
    deprivation = load_deprivation().set_index(["edition", "ons_code"])["imd_score"]
    assert result.group.pool.set_index("ons_code").loc[WORCESTER, "imd_score"] == deprivation[("IMD 2025", WORCESTER)]
    assert set(result.missing["ons_code"]) >= {"E07000032"}  # Amber Valley: not submitted
    assert not set(result.missing["ons_code"]) & set(result.group.pool["ons_code"])
    assert "2025 value" in result.real_terms_note


def test_fly_tipping_is_a_rate_per_1000_people_and_a_performance_measure(mid_year, census):
    from wcc_analysis.ingest.public.fly_tipping import load_fly_tipping

    people = population.by_year(mid_year, census, [2022])
    values = measures.measure_values("waste_fly_tipping_per_1000", {"fly_tipping": load_fly_tipping()}, people)
    # 340 incidents in 2022-23 / 104,119 people (ONS mid-2022) × 1,000 = 3.27 (DEFRA publishes 3.27 on 104,120)
    assert values.set_index("ons_code").loc[WORCESTER, "value"] == pytest.approx(340 / 104_119 * 1000)
    assert benchmarks.measure_kind(measures.get("waste_fly_tipping_per_1000")) == "performance"


def test_a_shared_block_never_decides_question_three():
    def made(kind, scope, block=None, n=10, label="x"):
        return benchmarks.Benchmarked(label, label, kind, "src", "2024-25", {"n_with_measure": n}, pd.DataFrame(), "",
                                      scope=scope, block=block)
    block = made("cost", measures.BLOCK, CULTURE, label="block")
    lines = made("cost", measures.SERVICE_LINES, label="lines")
    assert benchmarks.cost_measure([block, lines], frozenset({CULTURE})).label == "lines"
    assert benchmarks.cost_measure([block], frozenset({CULTURE})) is None
    assert benchmarks.cost_measure([block], frozenset()).label == "block"  # not shared: it may decide
    rule = benchmarks.COST_MEASURE_RULES.first(benchmarks.CostFacts("cost", 10, True))
    assert "never rated as one service's spend" in rule.text


def test_service_line_measures_come_before_the_blocks():
    extra = measures.service_line_measure("leisure", ["Recreation and sport"])
    order = [m.id for m in measures.measures_for("leisure", (extra,))]
    assert order.index(extra.id) < order.index("leisure_rs_cultural_net_per_head")
    assert extra.basis == measures.BUDGET and "budget per head" in extra.label
    with pytest.raises(ParameterError, match="ra_lines"):
        measures.service_line_measure("leisure", [])


def test_detailed_outturn_lines_where_published_and_none_elsewhere(ro):
    lines = ("RO5: Waste collection", "RO5: Recycling")
    burnley = service_lines.detailed_outturn(ro, "E07000117", lines).set_index("line")
    # Burnley RO5 2024-25: waste collection 972, recycling 800 (£k, outturn)
    assert burnley.loc["Waste collection", "net_expenditure_gbp_thousands"] == 972
    assert burnley.loc["Recycling", "net_expenditure_gbp_thousands"] == 800
    assert set(burnley["year"]) == {"2024-25"}
    assert service_lines.detailed_outturn(ro, WORCESTER, lines) is None  # not held outside Lancashire
    assert service_lines.detailed_outturn(ro, "E07000117", ()) is None
