"""Worcester's comparator groups on the shipped data: the area model, the service models, stability, overlaps."""

import pytest

from wcc_analysis.analysis import comparator_stability
from wcc_analysis.assemble.needs import needs_for_service
from wcc_analysis.core import load_config
from wcc_analysis.core.vocabulary import STABLE

WORCESTER = "E07000237"


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def leisure(config):
    return needs_for_service(WORCESTER, config.service("leisure"), config)


def test_the_area_model_group_for_worcester_2024_25(leisure):
    group = leisure.group
    assert leisure.year == "2024-25" and group.model == "area model"
    assert group.pool_size == 158  # 164 shire districts less the 6 that made no 2024-25 return
    assert len(group.weights) == 7 and not group.dropped
    assert group.transforms == {"population": "log", "density_per_km2": "log"}
    names = group.members["name"].tolist()
    assert names[:3] == ["Redditch BC", "Erewash", "Worthing"]
    assert group.members["distance"].between(0, 1).all() and group.farthest["name"] == "Stratford-on-Avon"
    assert group.pool.set_index("ons_code").loc[group.farthest["ons_code"], "distance"] == pytest.approx(1.0)


def test_stability_of_worcesters_group(leisure):
    steady = leisure.stability
    # 7 indicators dropped in turn + 7 weights x 0.5 and x 1.5 + once without the log transforms
    assert len(steady.variants) == 22 and len(steady.groups) == 22
    assert steady.count(STABLE) == 7
    assert steady.members.set_index("name").loc["Castle Point", "reading"] == comparator_stability.COMES_AND_GOES
    assert steady.entrants.iloc[0]["name"] == "Mansfield"
    assert steady.sentence().startswith("7 of 15 comparators are stable")
    assert "once with no log transform" in steady.sentence()
    spread = leisure.position_range  # the block figure's rank over the 22 variants' groups
    assert (spread["rank_min"], spread["rank_max"], spread["of"], spread["variants"]) == (7, 10, 16, 22)


def test_service_models_and_alternative_groups(config, leisure):
    waste = needs_for_service(WORCESTER, config.service("waste"), config)
    assert waste.group.model == "waste model" and waste.group.weights["density_per_km2"] == 2.0
    assert "counting density double is this project's judgement" in waste.group.reason
    assert waste.group.codes != leisure.group.codes  # a service-specific group: another order of nearness
    agree = leisure.alternative_overlaps()
    assert agree["mySociety label group"]["n_other"] == 6 and agree["mySociety label group"]["n_both"] == 5
    assert agree["geographic neighbour group"]["n_both"] == 2
