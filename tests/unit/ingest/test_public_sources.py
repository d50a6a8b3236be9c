"""Census population, IMD, the mySociety lookup and ONS neighbours → tidy tables."""

from __future__ import annotations

import pandas as pd
import pytest

from wcc_analysis.core.errors import ParameterError
from wcc_analysis.ingest.public.authorities import COLUMNS as AUTHORITY_COLUMNS
from wcc_analysis.ingest.public.authorities import known_authority_codes, load_authorities, require_known_authority
from wcc_analysis.ingest.public.deprivation import COLUMNS as IMD_COLUMNS
from wcc_analysis.ingest.public.deprivation import load_deprivation
from wcc_analysis.ingest.public.neighbours import COLUMNS as NEIGHBOUR_COLUMNS
from wcc_analysis.ingest.public.neighbours import load_neighbours
from wcc_analysis.ingest.public.population import COLUMNS as POP_COLUMNS
from wcc_analysis.ingest.public.population import load_census_population

WORCESTER = "E07000237"


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return load_census_population()


@pytest.fixture(scope="module")
def imd() -> pd.DataFrame:
    return load_deprivation()


@pytest.fixture(scope="module")
def authorities() -> pd.DataFrame:
    return load_authorities()


@pytest.fixture(scope="module")
def neighbours() -> pd.DataFrame:
    return load_neighbours()


def test_population(population):
    assert list(population.columns) == POP_COLUMNS
    assert len(population) == 331  # England and Wales LADs (2021)
    assert population["ons_code"].str[0].value_counts().to_dict() == {"E": 309, "W": 22}
    w = population.set_index("ons_code").loc[WORCESTER]
    assert (w["name"], w["county"], w["region"]) == ("Worcester", "Worcestershire", "West Midlands")
    assert (w["pop_2011"], w["pop_2021"]) == (98768, 103700)
    assert population["pop_2021"].dtype == "int64"
    assert population.set_index("ons_code").loc["E08000025", "pop_2021"] == 1140300  # Birmingham


def test_deprivation(imd):
    assert list(imd.columns) == IMD_COLUMNS
    assert imd.groupby("edition").size().to_dict() == {"IMD 2019": 317, "IMD 2025": 296}
    assert imd.groupby("edition")["n_areas"].unique().map(list).to_dict() == {"IMD 2019": [317], "IMD 2025": [296]}
    w = imd[imd["ons_code"] == WORCESTER].set_index("edition")
    assert w.loc["IMD 2019", "imd_score"] == pytest.approx(20.414)
    assert w.loc["IMD 2019", "imd_rank"] == 135  # computed: rank of score, descending
    assert w.loc["IMD 2025", "imd_score"] == pytest.approx(19.112)
    assert w.loc["IMD 2025", "imd_rank"] == 145
    assert w.loc["IMD 2025", "extent"] == pytest.approx(0.1751)
    assert w.loc["IMD 2019", "proportion_most_deprived_10pct"] == pytest.approx(0.127)


def test_imd2019_rank_computed_like_the_published_2025_one(imd):
    """The 2019 rank is computed the way the 2025 one is published: 1 = highest score."""
    for edition, part in imd.groupby("edition"):
        assert part["imd_rank"].min() == 1
        top = part.sort_values("imd_score", ascending=False).iloc[0]
        assert top["imd_rank"] == 1, edition
    e25 = imd[imd["edition"] == "IMD 2025"]
    recomputed = e25["imd_score"].rank(ascending=False, method="min")
    # identical except two districts whose 3-decimal scores hide the published order
    assert (recomputed != e25["imd_rank"]).sum() == 2
    assert imd[imd["edition"] == "IMD 2019"]["imd_rank"].max() <= 317


def test_authorities(authorities):
    assert list(authorities.columns) == AUTHORITY_COLUMNS
    assert len(authorities) == 380  # England, current and abolished
    w = authorities.set_index("ons_code").loc[WORCESTER]
    assert (w["ecode"], w["mysociety_code"], w["name"]) == ("E1837", "WOC", "Worcester")
    assert (w["la_type"], w["rs_class"], w["region"]) == ("NMD", "SD", "West Midlands")
    assert (w["county_code"], w["county_name"]) == ("E10000034", "Worcestershire")
    assert w["official_name"] == "Worcester City Council"
    assert bool(w["current"]) is True
    classes = authorities.groupby("la_type")["rs_class"].first().to_dict()
    assert {k: classes[k] for k in ("NMD", "UA", "MD", "LBO", "CTY")} == {
        "NMD": "SD", "UA": "UA", "MD": "MD", "LBO": "L", "CTY": "SC"}
    assert authorities.loc[authorities["la_type"] == "COMB", "rs_class"].isna().all()
    assert authorities["ons_code"].str.startswith("E").all()


def test_known_codes_and_suggestion(tmp_path, monkeypatch):
    monkeypatch.setattr("wcc_analysis.core.paths.processed_dir", lambda: tmp_path)
    codes = known_authority_codes()
    assert WORCESTER in codes and "W06000015" in codes  # Cardiff, from the census
    assert require_known_authority(WORCESTER) == WORCESTER
    with pytest.raises(ParameterError, match="E07000237"):
        require_known_authority("E07000273")
    with pytest.raises(ParameterError, match="E07000237"):
        require_known_authority("Worcester")


def test_neighbours(neighbours):
    assert list(neighbours.columns) == NEIGHBOUR_COLUMNS
    assert neighbours["ons_code"].nunique() == 374
    assert neighbours["relation"].value_counts().to_dict() == {"nearby": 4580, "shares_boundary": 1930}
    w = neighbours[neighbours["ons_code"] == WORCESTER]
    shares = w[w["relation"] == "shares_boundary"]
    assert list(zip(shares["neighbour_code"], shares["rank"])) == [("E07000235", 1), ("E07000238", 2)]
    nearby = w[w["relation"] == "nearby"]
    assert list(nearby["rank"]) == list(range(1, len(nearby) + 1))
    assert nearby.iloc[0]["neighbour_code"] == "E07000234"  # Bromsgrove
    # islands: no boundary-sharing neighbour (null in the file), nearby ones only
    wight = neighbours[neighbours["ons_code"] == "E06000046"]
    assert set(wight["relation"]) == {"nearby"}
