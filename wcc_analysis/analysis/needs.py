"""Needs analysis (seed: Analyse — understanding the current service, understanding need).

Pure functions over the processed tables: the service's RS block net current
expenditure per head over time, its position in a computed comparator group,
and population change and deprivation as drivers of need.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis import comparators, population
from wcc_analysis.core.errors import MissingDataError

LAST_IMD_2019_YEAR = 2019  # outturn years up to 2019-20 use IMD 2019, later ones IMD 2025


def imd_edition_for(year_start: int) -> str:
    return "IMD 2019" if int(year_start) <= LAST_IMD_2019_YEAR else "IMD 2025"


def spend_per_head(outturn: pd.DataFrame, census: pd.DataFrame, block: str) -> pd.DataFrame:
    """Net current expenditure on ``block`` per head, every authority and year with a census population."""
    rows = outturn[(outturn["rs_block"] == block) & outturn["net_expenditure_gbp_thousands"].notna()]
    rows = rows.merge(census[["ons_code", "pop_2011", "pop_2021"]], on="ons_code", how="inner")
    rows["population"] = population.estimate(
        rows["pop_2011"], rows["pop_2021"], rows["year_start"]
    ).astype(float)
    rows["spend_per_head_gbp"] = rows["net_expenditure_gbp_thousands"] * 1000.0 / rows["population"]
    keep = [
        "ons_code", "authority_name", "authority_class", "year", "year_start", "rs_block",
        "net_expenditure_gbp_thousands", "population", "spend_per_head_gbp",
    ]
    return rows[keep].sort_values(["year_start", "ons_code"]).reset_index(drop=True)


def position(values: pd.Series, council_value: float) -> dict:
    """The council's place in a comparator distribution (rank 1 = lowest spend)."""
    values = values.dropna().astype(float)
    everyone = pd.concat([values, pd.Series([council_value])], ignore_index=True)
    q1, median, q3 = values.quantile([0.25, 0.5, 0.75]).tolist()
    rank = int((everyone < council_value).sum()) + 1
    if council_value <= q1:
        quartile = "lowest-spending quarter"
    elif council_value <= median:
        quartile = "second quarter (below the median)"
    elif council_value <= q3:
        quartile = "third quarter (above the median)"
    else:
        quartile = "highest-spending quarter"
    return {
        "q1": q1,
        "median": median,
        "q3": q3,
        "min": float(values.min()),
        "max": float(values.max()),
        "rank": rank,
        "of": len(everyone),
        "quartile": quartile,
    }


@dataclass
class NeedsResult:
    council: str
    council_name: str
    council_class: str
    service_id: str
    service_name: str
    block: str
    sharing_services: list[str]
    other_blocks: list[str]
    year: str
    trend: pd.DataFrame
    group: comparators.ComparatorGroup
    distribution: pd.DataFrame
    position: dict
    geographic: pd.DataFrame
    geographic_position: dict | None
    drivers: pd.DataFrame
    narrative: list[str] = field(default_factory=list)

    @property
    def others_in_block(self) -> list[str]:
        """The other configured services published in the same RS block (their names)."""
        return [s for s in self.sharing_services if s != self.service_name]

    @property
    def council_row(self) -> pd.Series:
        return self.distribution[self.distribution["is_council"]].iloc[0]

    def headline(self) -> dict:
        row = self.council_row
        return {
            "year": self.year,
            "rs_block": self.block,
            "block_shared_with": self.sharing_services,
            "net_expenditure_gbp_thousands": float(row["net_expenditure_gbp_thousands"]),
            "population": round(float(row["population"])),
            "spend_per_head_gbp": round(float(row["spend_per_head_gbp"]), 2),
            "comparator_median_spend_per_head_gbp": round(self.position["median"], 2),
            "comparator_rank": self.position["rank"],
            "comparator_rank_of": self.position["of"],
            "comparator_codes": self.group.codes,
            "comparator_pool_size": self.group.pool_size,
        }


def _council_facts(outturn: pd.DataFrame, council: str, block: str) -> pd.DataFrame:
    mine = outturn[(outturn["ons_code"] == council) & (outturn["rs_block"] == block)]
    mine = mine[mine["net_expenditure_gbp_thousands"].notna()]
    if mine.empty:
        raise MissingDataError(
            f"no published net current expenditure on {block!r} for {council} in any shipped RS "
            "year. Check the ONS code (the council's own code, e.g. E07000237 for Worcester) or add the year's RS workbook "
            "to data/raw/public/mhclg_revenue_outturn_rs/original/."
        )
    return mine


#: Keys of the drivers-of-need table (the ``key`` column), so that code never looks a driver up by its label.
POPULATION_2011, POPULATION_2021, POPULATION_GROWTH = "population_2011", "population_2021", "population_growth_pct"


def imd_key(measure: str, edition: str) -> str:
    """The drivers-table key of an IMD measure ("imd_score" or "imd_rank") for an edition ("IMD 2025")."""
    return f"{measure}:{edition}"


def drivers_of_need(census: pd.DataFrame, deprivation: pd.DataFrame, council: str, peers: list[str]) -> pd.DataFrame:
    """Population change 2011→2021 and deprivation, for the council and its comparator median.

    Columns ``key`` (``POPULATION_2011`` …, ``imd_key("imd_score", edition)``), ``indicator`` (the label a
    reader sees), ``council`` and ``comparator_median``; IMD editions in date order.
    """
    growth = population.growth_pct(census)
    rows = []
    pop = census.set_index("ons_code")
    rows.append((POPULATION_2011, "Population, Census 2011", pop.at[council, "pop_2011"], pop.loc[peers, "pop_2011"].median()))
    rows.append((POPULATION_2021, "Population, Census 2021", pop.at[council, "pop_2021"], pop.loc[peers, "pop_2021"].median()))
    rows.append((POPULATION_GROWTH, "Population change 2011→2021 (%)", growth[council], growth.reindex(peers).median()))
    for edition in sorted(deprivation["edition"].unique()):
        table = deprivation[deprivation["edition"] == edition].set_index("ons_code")
        if council not in table.index:
            continue
        n = int(table["n_areas"].iloc[0])
        rows.append((imd_key("imd_score", edition), f"{edition} average score (higher = more deprived)",
                     table.at[council, "imd_score"], table["imd_score"].reindex(peers).median()))
        rows.append((imd_key("imd_rank", edition), f"{edition} rank of average score (1 = most deprived of {n})",
                     table.at[council, "imd_rank"], table["imd_rank"].reindex(peers).median()))
    return pd.DataFrame(rows, columns=["key", "indicator", "council", "comparator_median"])


def latest_deprivation(drivers: pd.DataFrame) -> tuple[str, pd.Series] | None:
    """(edition, its average-score row) for the newest IMD edition in a drivers table; None if none."""
    scores = drivers[drivers["key"].str.startswith("imd_score:")]
    if scores.empty:
        return None
    row = scores.iloc[-1]
    return row["key"].split(":", 1)[1], row


def analyse(
    outturn: pd.DataFrame,
    census: pd.DataFrame,
    deprivation: pd.DataFrame,
    neighbours: pd.DataFrame,
    *,
    council: str,
    service_id: str,
    service_name: str,
    block: str,
    sharing_services: list[str],
    other_blocks: list[str] | None = None,
    indicators: tuple[str, ...] = ("population", "population_growth_pct", "imd_score"),
    k: int = 15,
) -> NeedsResult:
    """The whole needs analysis for one council and service block (latest shipped year)."""
    mine = _council_facts(outturn, council, block)
    latest = mine.sort_values("year_start").iloc[-1]
    year, year_start, council_class = latest["year"], int(latest["year_start"]), latest["authority_class"]
    council_name = str(latest["authority_name"])

    per_head = spend_per_head(outturn, census, block)
    if council not in set(per_head["ons_code"]):
        raise MissingDataError(
            f"{council} has no Census 2011/2021 population in the shipped ONS file, so spend per "
            "head cannot be computed. Districts abolished before 2021 are not covered."
        )
    in_year = outturn[(outturn["year_start"] == year_start) & (outturn["authority_class"] == council_class)]
    candidates = in_year.drop_duplicates("ons_code").rename(columns={"authority_name": "name"})
    candidates = candidates[candidates["ons_code"].notna()]
    edition = imd_edition_for(year_start)
    imd = deprivation[deprivation["edition"] == edition][["ons_code", "imd_score"]]
    spend_year = in_year[(in_year["rs_block"] == block) & in_year["net_expenditure_gbp_thousands"].notna()]
    census_year = population.for_year(census, year_start).merge(
        population.growth_pct(census).rename_axis("ons_code").reset_index(), on="ons_code"
    )
    sources = {
        f"RS {year} with a {block} figure": spend_year[["ons_code", "net_expenditure_gbp_thousands"]],
        "ONS Census 2011 and 2021": census_year,
        edition: imd,
    }
    group = comparators.comparator_group(candidates, sources, council, indicators, k)

    members = per_head[(per_head["year_start"] == year_start)]
    distribution = members[members["ons_code"].isin(group.codes + [council])].copy()
    distribution["is_council"] = distribution["ons_code"].eq(council)
    distribution = distribution.sort_values(["spend_per_head_gbp", "ons_code"]).reset_index(drop=True)
    council_value = float(distribution.loc[distribution["is_council"], "spend_per_head_gbp"].iloc[0])
    place = position(distribution.loc[~distribution["is_council"], "spend_per_head_gbp"], council_value)

    trend = _spend_trend(per_head, council, group.codes)
    eligible = members[members["authority_class"] == council_class]["ons_code"].tolist()
    geo = comparators.geographic_group(neighbours, council, eligible, k)
    geo_table = members[members["ons_code"].isin(geo["neighbour_code"])][
        ["ons_code", "authority_name", "spend_per_head_gbp"]
    ].merge(geo[["neighbour_code", "relation"]].rename(columns={"neighbour_code": "ons_code"}), on="ons_code")
    geo_table = geo_table.sort_values(["spend_per_head_gbp", "ons_code"]).reset_index(drop=True)
    geo_place = position(geo_table["spend_per_head_gbp"], council_value) if len(geo_table) else None

    drivers = drivers_of_need(census, deprivation, council, group.codes)
    result = NeedsResult(
        council=council,
        council_name=council_name,
        council_class=str(council_class),
        service_id=service_id,
        service_name=service_name,
        block=block,
        sharing_services=sharing_services,
        other_blocks=list(other_blocks or []),
        year=str(year),
        trend=trend,
        group=group,
        distribution=distribution,
        position=place,
        geographic=geo_table,
        geographic_position=geo_place,
        drivers=drivers,
    )
    result.narrative = narrative(result)
    return result


def _spend_trend(per_head: pd.DataFrame, council: str, peers: list[str]) -> pd.DataFrame:
    mine = per_head[per_head["ons_code"] == council].set_index("year")
    peer_median = per_head[per_head["ons_code"].isin(peers)].groupby("year")["spend_per_head_gbp"].median()
    peer_count = per_head[per_head["ons_code"].isin(peers)].groupby("year")["ons_code"].nunique()
    trend = mine[["year_start", "net_expenditure_gbp_thousands", "population", "spend_per_head_gbp"]].copy()
    trend["comparator_median_spend_per_head_gbp"] = peer_median.reindex(trend.index)
    trend["comparators_reporting"] = peer_count.reindex(trend.index).fillna(0).astype(int)
    return trend.sort_values("year_start").reset_index()


def _money(value: float) -> str:
    return f"£{value:,.2f}"


def narrative(result: NeedsResult) -> list[str]:
    """Short plain-English findings generated from the numbers."""
    row = result.council_row
    p = result.position
    above = "above" if row["spend_per_head_gbp"] > p["median"] else "below" if row["spend_per_head_gbp"] < p["median"] else "at"
    lines = [
        f"In {result.year} {result.council_name} reported net current expenditure of "
        f"£{row['net_expenditure_gbp_thousands']:,.0f} thousand on {result.block}, "
        f"{_money(row['spend_per_head_gbp'])} per head (census-trend population {row['population']:,.0f}).",
        f"That is {above} the median of its {len(result.group.members)} computed comparators "
        f"({_money(p['median'])} per head): rank {p['rank']} of {p['of']} (1 = lowest spend), "
        f"in the {p['quartile']}.",
    ]
    trend = result.trend.dropna(subset=["spend_per_head_gbp"])
    if len(trend) >= 2:
        first, last = trend.iloc[0], trend.iloc[-1]
        change = (last["spend_per_head_gbp"] / first["spend_per_head_gbp"] - 1) * 100 if first["spend_per_head_gbp"] else float("nan")
        direction = "rose" if change > 0 else "fell"
        lines.append(
            f"Between {first['year']} and {last['year']} spend per head {direction} by {abs(change):.0f}% "
            f"in cash terms, from {_money(first['spend_per_head_gbp'])} to {_money(last['spend_per_head_gbp'])}."
        )
    growth = result.drivers.set_index("key").loc[POPULATION_GROWTH]
    lines.append(
        f"Population changed by {growth['council']:+.1f}% between the 2011 and 2021 censuses "
        f"(comparator median {growth['comparator_median']:+.1f}%)."
    )
    latest = latest_deprivation(result.drivers)
    if latest is not None:
        edition, d = latest
        more = "more" if d["council"] > d["comparator_median"] else "less"
        lines.append(
            f"{edition}: average score {d['council']:.1f}, {more} deprived than "
            f"the comparator median ({d['comparator_median']:.1f})."
        )
    others = result.others_in_block
    if others:
        lines.append(
            f"{result.block} is a whole RS block: it also holds {', '.join(others)}, so the figure is "
            f"not {result.service_name} alone."
        )
    return lines


def need_signals(needs_result: NeedsResult) -> dict[str, bool]:
    """Drivers of need from the needs analysis, as flags for question 1 (description → need is rising)."""
    growth = needs_result.drivers.set_index("key").loc[POPULATION_GROWTH]
    signals = {
        f"Population grew faster than the comparator median ({growth['council']:+.1f}% against "
        f"{growth['comparator_median']:+.1f}%)": bool(growth["council"] > growth["comparator_median"]),
    }
    latest = latest_deprivation(needs_result.drivers)
    if latest is not None:
        edition, d = latest
        signals[f"More deprived than the comparator median on {edition} "
                f"({d['council']:.1f} against {d['comparator_median']:.1f})"] = bool(d["council"] > d["comparator_median"])
    return signals
