"""Needs analysis (framework: Analyse — understanding the current service, understanding need).

Pure functions over the processed tables: the service's RS block net current expenditure per head for
every year published (2010-11 … 2024-25; 2015-16 and 2016-17 are in no source and show as gaps), in cash
and in real terms; its position in a computed comparator group in the latest year; the service's own
budget lines (:mod:`wcc_analysis.analysis.service_lines`); and population change and deprivation as
drivers of need. Per-head figures use the population rule of :mod:`wcc_analysis.analysis.population`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis import area_indicators, comparator_stability, comparators, population, prices
from wcc_analysis.core.config import ComparatorModel
from wcc_analysis.core.errors import MissingDataError

#: IMD 2025 is used for outturn years from 2025-26, and for the comparator group of the latest outturn year
#: when that is 2024-25 or later (the newest picture of deprivation for the newest spending); IMD 2019 otherwise.
FIRST_IMD_2025_YEAR, FIRST_LATEST_YEAR_ON_IMD_2025 = 2025, 2024


def imd_edition_for(year_start: int, *, latest: bool = False) -> str:
    """The IMD edition a figure for the financial year starting ``year_start`` uses (``latest``: the
    comparator group of the latest outturn year)."""
    year_start = int(year_start)
    if year_start >= FIRST_IMD_2025_YEAR or (latest and year_start >= FIRST_LATEST_YEAR_ON_IMD_2025):
        return "IMD 2025"
    return "IMD 2019"


def spend_per_head(outturn: pd.DataFrame, people: pd.DataFrame, block: str) -> pd.DataFrame:
    """Net current expenditure on ``block`` per head, every authority and year with a figure and a population.

    ``people`` is :func:`wcc_analysis.analysis.population.by_year` (``ons_code, year_start, population,
    population_method``). A council that did not submit (a missing figure) is left out, never counted as £0.
    """
    rows = outturn[(outturn["rs_block"] == block) & outturn["net_expenditure_gbp_thousands"].notna()]
    rows = rows.merge(people[["ons_code", "year_start", "population", "population_method"]],
                      on=["ons_code", "year_start"], how="inner")
    rows["spend_per_head_gbp"] = rows["net_expenditure_gbp_thousands"] * 1000.0 / rows["population"]
    keep = [
        "ons_code", "authority_name", "authority_class", "year", "year_start", "rs_block",
        "net_expenditure_gbp_thousands", "population", "population_method", "spend_per_head_gbp",
        *[c for c in ("source", "release", "certified") if c in rows.columns],
    ]
    return rows[keep].sort_values(["year_start", "ons_code"]).reset_index(drop=True)


def missing_returns(outturn: pd.DataFrame, year: str, authority_class: str, block: str) -> pd.DataFrame:
    """Authorities of the class with no published figure for the block in ``year`` (did not submit, or not
    published): they leave the comparator pool for that year. ``ons_code, authority_name, status``."""
    rows = outturn[(outturn["year"] == year) & (outturn["authority_class"] == authority_class)
                   & (outturn["rs_block"] == block) & outturn["net_expenditure_gbp_thousands"].isna()]
    status = rows["status"] if "status" in rows.columns else pd.Series("missing", index=rows.index)
    return pd.DataFrame({"ons_code": rows["ons_code"], "authority_name": rows["authority_name"],
                         "status": status}).sort_values("ons_code", ignore_index=True)


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
class NeedsResult(population.PerHeadDistribution):
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
    stability: comparator_stability.Stability
    distribution: pd.DataFrame
    position: dict
    geographic: pd.DataFrame
    geographic_position: dict | None
    drivers: pd.DataFrame
    missing: pd.DataFrame = field(default_factory=pd.DataFrame)  # class members with no figure in the year
    price_base_year: str = prices.PRICE_BASE_YEAR
    real_terms_note: str = ""
    imd_edition: str = ""  # the deprivation edition the comparator group used
    series_breaks: list = field(default_factory=list)  # prices.SeriesBreak within the trend's years
    label_group: pd.DataFrame = field(default_factory=pd.DataFrame)  # comparators.label_group + name, spend
    position_range: dict | None = None  # the council's rank and the median over the model's variants
    narrative: list[str] = field(default_factory=list)

    def comparators_with_stability(self) -> pd.DataFrame:
        """The group's members (rank, name, distance, indicators…) with reading, kept and variants."""
        steady = self.stability.members[["ons_code", "reading", "kept", "variants"]]
        return self.group.members.merge(steady, on="ons_code", how="left")

    def alternative_overlaps(self) -> dict[str, dict]:
        """How far each alternative group agrees with the computed one (comparators.overlap)."""
        out = {"geographic neighbour group": comparators.overlap(self.group.codes, list(self.geographic["ons_code"]))}
        if len(self.label_group):
            out["mySociety label group"] = comparators.overlap(self.group.codes, list(self.label_group["ons_code"]))
        return out

    @property
    def others_in_block(self) -> list[str]:
        """The other configured services published in the same RS block (their names)."""
        return [s for s in self.sharing_services if s != self.service_name]

    def headline(self) -> dict:
        row = self.council_row
        return {
            "year": self.year,
            "rs_block": self.block,
            "block_shared_with": self.sharing_services,
            "net_expenditure_gbp_thousands": float(row["net_expenditure_gbp_thousands"]),
            "population": round(float(row["population"])),
            "population_method": str(row["population_method"]),
            "spend_per_head_gbp": round(float(row["spend_per_head_gbp"]), 2),
            "comparator_median_spend_per_head_gbp": round(self.position["median"], 2),
            "comparator_rank": self.position["rank"],
            "comparator_rank_of": self.position["of"],
            "comparator_codes": self.group.codes,
            "comparator_pool_size": self.group.pool_size,
            "comparator_model": self.group.model,
            "comparators_stable": self.stability.count(comparator_stability.STABLE),
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
POPULATION_LATEST, POPULATION_GROWTH_5Y = "population_latest", "population_growth_5y_pct"
#: The span of the recent population change (ONS mid-year estimates).
GROWTH_YEARS = 5


def imd_key(measure: str, edition: str) -> str:
    """The drivers-table key of an IMD measure ("imd_score" or "imd_rank") for an edition ("IMD 2025")."""
    return f"{measure}:{edition}"


def drivers_of_need(census: pd.DataFrame, deprivation: pd.DataFrame, council: str, peers: list[str],
                    mid_year: pd.DataFrame | None = None) -> pd.DataFrame:
    """Population, its change and deprivation, for the council and its comparator median.

    Columns ``key`` (``POPULATION_2011`` …, ``imd_key("imd_score", edition)``), ``indicator`` (the label a
    reader sees), ``council`` and ``comparator_median``; IMD editions in date order. With ``mid_year`` (the
    ONS mid-year estimates) the latest estimate and the change over the last ``GROWTH_YEARS`` years come first.
    """
    growth = population.growth_pct(census)
    rows = []
    if mid_year is not None and council in set(mid_year["ons_code"]):
        last = int(mid_year.loc[mid_year["ons_code"] == council, "year"].max())
        wide = mid_year[mid_year["year"].isin([last - GROWTH_YEARS, last])].pivot_table(
            index="ons_code", columns="year", values="population")
        if council in wide.index and last - GROWTH_YEARS in wide.columns:
            change = (wide[last] / wide[last - GROWTH_YEARS] - 1.0) * 100.0
            rows.append((POPULATION_LATEST, f"Population, ONS mid-{last} estimate", wide.at[council, last],
                         wide[last].reindex(peers).median()))
            rows.append((POPULATION_GROWTH_5Y, f"Population change mid-{last - GROWTH_YEARS}→mid-{last} (%, ONS "
                         "mid-year estimates)", change[council], change.reindex(peers).median()))
    pop = census.set_index("ons_code")
    if council in pop.index:
        rows.append((POPULATION_2011, "Population, Census 2011", pop.at[council, "pop_2011"],
                     pop["pop_2011"].reindex(peers).median()))
        rows.append((POPULATION_2021, "Population, Census 2021", pop.at[council, "pop_2021"],
                     pop["pop_2021"].reindex(peers).median()))
        rows.append((POPULATION_GROWTH, "Population change 2011→2021 (%, Census)", growth[council],
                     growth.reindex(peers).median()))
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


def recent_growth(drivers: pd.DataFrame) -> pd.Series | None:
    """The drivers row of the most recent population change: mid-year estimates if held, else the censuses."""
    keyed = drivers.set_index("key")
    for key in (POPULATION_GROWTH_5Y, POPULATION_GROWTH):
        if key in keyed.index:
            return keyed.loc[key]
    return None


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
    model: ComparatorModel | None = None,
    k: int = 15,
    mid_year: pd.DataFrame | None = None,
    structure: pd.DataFrame | None = None,
    tax_levels: pd.DataFrame | None = None,
    labels: pd.DataFrame | None = None,
    stability_change: float = comparator_stability.DEFAULT_WEIGHT_CHANGE,
    deflators: pd.DataFrame | None = None,
    price_base_year: str = prices.PRICE_BASE_YEAR,
) -> NeedsResult:
    """The whole needs analysis for one council and service block, in the latest year published for it.

    ``model``: the comparator model (name, indicator weights; default: population, its five-year change
    and IMD score, equally weighted). ``mid_year``: the ONS mid-year estimates (``ons_code, year,
    population``); without it every per-head figure uses the census-trend estimate. ``structure`` (the
    ``population_structure`` table), ``tax_levels`` (``council_tax_levels``) and ``labels``
    (``similarity_labels``) feed the area indicators and the label group. ``deflators``:
    :func:`prices.financial_year_deflators`; with it the trend is also in real terms at ``price_base_year``.
    """
    model = model or ComparatorModel("area model", {"population": 1.0, "population_growth_5y_pct": 1.0,
                                                    "imd_score": 1.0})
    mine = _council_facts(outturn, council, block)
    latest = mine.sort_values("year_start").iloc[-1]
    year, year_start, council_class = latest["year"], int(latest["year_start"]), latest["authority_class"]
    council_name = str(latest["authority_name"])

    years = sorted(outturn["year_start"].dropna().astype(int).unique())
    no_mid_year = pd.DataFrame(columns=["ons_code", "year", "population"])
    people = population.by_year(mid_year if mid_year is not None else no_mid_year, census, years)
    per_head = spend_per_head(outturn, people, block)
    if council not in set(per_head["ons_code"]):
        raise MissingDataError(
            f"{council} has neither an ONS mid-year estimate nor a Census 2011/2021 population in the shipped "
            "ONS files, so spend per head cannot be computed."
        )
    in_year = outturn[(outturn["year_start"] == year_start) & (outturn["authority_class"] == council_class)]
    candidates = in_year.drop_duplicates("ons_code").rename(columns={"authority_name": "name"})
    candidates = candidates[candidates["ons_code"].notna()]
    edition = imd_edition_for(year_start, latest=True)
    spend_year = in_year[(in_year["rs_block"] == block) & in_year["net_expenditure_gbp_thousands"].notna()]
    people_year = people[people["year_start"] == year_start][["ons_code", "population_method"]]
    indicators, basis = area_indicators.indicators_for_year(
        year_start, mid_year if mid_year is not None else no_mid_year,
        structure if structure is not None else _EMPTY_STRUCTURE, deprivation,
        tax_levels if tax_levels is not None else _EMPTY_TAX, edition)
    gates = {
        f"MHCLG revenue outturn {year} with a published {block} figure": spend_year[["ons_code"]].assign(published=True),
        f"ONS population for {year} (mid-{year_start} estimate or census trend)": people_year,
    }
    group = comparators.comparator_group(candidates, gates, indicators, council, model.weights, k,
                                         model=model.name, reason=model.reason, basis=basis,
                                         transforms=model.transforms)
    steadiness = comparator_stability.stability(group, stability_change)

    members = per_head[(per_head["year_start"] == year_start)]
    distribution = members[members["ons_code"].isin(group.codes + [council])].copy()
    distribution["is_council"] = distribution["ons_code"].eq(council)
    distribution = distribution.sort_values(["spend_per_head_gbp", "ons_code"]).reset_index(drop=True)
    council_value = float(distribution.loc[distribution["is_council"], "spend_per_head_gbp"].iloc[0])
    place = position(distribution.loc[~distribution["is_council"], "spend_per_head_gbp"], council_value)
    latest_values = per_head[per_head["year_start"] == year_start].set_index("ons_code")["spend_per_head_gbp"]
    spread = comparator_stability.position_across_variants(latest_values, council, steadiness.groups, position)

    trend = _spend_trend(per_head, council, group.codes, years)
    note = ""
    if deflators is not None:
        trend, note = _with_real_terms(trend, deflators, price_base_year)
    eligible = members[members["authority_class"] == council_class]["ons_code"].tolist()
    geo = comparators.geographic_group(neighbours, council, eligible, k)
    geo_table = members[members["ons_code"].isin(geo["neighbour_code"])][
        ["ons_code", "authority_name", "spend_per_head_gbp"]
    ].merge(geo[["neighbour_code", "relation"]].rename(columns={"neighbour_code": "ons_code"}), on="ons_code")
    geo_table = geo_table.sort_values(["spend_per_head_gbp", "ons_code"]).reset_index(drop=True)
    geo_place = position(geo_table["spend_per_head_gbp"], council_value) if len(geo_table) else None
    labelled = _label_group(labels, council, members[members["authority_class"] == council_class])

    drivers = drivers_of_need(census, deprivation, council, group.codes, mid_year)
    published = trend.dropna(subset=["net_expenditure_gbp_thousands"])
    breaks = prices.series_breaks(published["year"].iloc[0], published["year"].iloc[-1], block=block) \
        if len(published) else []
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
        stability=steadiness,
        distribution=distribution,
        position=place,
        geographic=geo_table,
        geographic_position=geo_place,
        drivers=drivers,
        missing=missing_returns(outturn, str(year), str(council_class), block),
        price_base_year=price_base_year,
        real_terms_note=note,
        imd_edition=edition,
        series_breaks=breaks,
        label_group=labelled,
        position_range=spread,
    )
    result.narrative = narrative(result)
    return result


_EMPTY_STRUCTURE = pd.DataFrame(columns=["ons_code", "year", "share_under_16", "share_65_plus", "area_km2"])
_EMPTY_TAX = pd.DataFrame(columns=["ons_code", "year_start", "tax_base_band_d_equivalents"])


def _label_group(labels: pd.DataFrame | None, council: str, members: pd.DataFrame) -> pd.DataFrame:
    """The mySociety label group among the class's authorities with a figure in the year, with their spend."""
    if labels is None or labels.empty:
        return pd.DataFrame(columns=["ons_code", "authority_name", "shared", "differs_on", "spend_per_head_gbp"])
    found = comparators.label_group(labels, council, members["ons_code"].tolist())
    spend = members[["ons_code", "authority_name", "spend_per_head_gbp"]].drop_duplicates("ons_code")
    return found.merge(spend, on="ons_code", how="left")[
        ["ons_code", "authority_name", "shared", "differs_on", "spend_per_head_gbp"]]


def _spend_trend(per_head: pd.DataFrame, council: str, peers: list[str], years: list[int]) -> pd.DataFrame:
    """The council's figures by year, with the comparators' median; a year no source publishes (2015-16,
    2016-17) is a row of missing values, so charts show the gap instead of drawing across it."""
    mine = per_head[per_head["ons_code"] == council].set_index("year_start")
    peer_rows = per_head[per_head["ons_code"].isin(peers)]
    peer_median = peer_rows.groupby("year_start")["spend_per_head_gbp"].median()
    peer_count = peer_rows.groupby("year_start")["ons_code"].nunique()
    span = range(int(mine.index.min()), int(mine.index.max()) + 1)
    columns = ["net_expenditure_gbp_thousands", "population", "population_method", "spend_per_head_gbp",
               *[c for c in ("source", "release") if c in mine.columns]]
    trend = mine[columns].reindex(span)
    trend["comparator_median_spend_per_head_gbp"] = peer_median.reindex(span)
    trend["comparators_reporting"] = peer_count.reindex(span).fillna(0).astype(int)
    trend.index.name = "year_start"
    trend = trend.reset_index()
    trend.insert(0, "year", trend["year_start"].map(prices.fy_label))
    return trend


def _with_real_terms(trend: pd.DataFrame, deflators: pd.DataFrame, base: str) -> tuple[pd.DataFrame, str]:
    """The trend with its £ columns also in real terms at ``base`` prices (years outside the deflator left out)."""
    covered = set(deflators["year"])
    rows = trend["year"].isin(covered)
    out = trend.copy()
    for cash, real in (("net_expenditure_gbp_thousands", "net_expenditure_real_gbp_thousands"),
                       ("spend_per_head_gbp", "spend_per_head_real_gbp"),
                       ("comparator_median_spend_per_head_gbp", "comparator_median_real_gbp")):
        out[real] = float("nan")
        converted = prices.to_real_terms(trend.loc[rows, cash], list(trend.loc[rows, "year"]), deflators, base)
        out.loc[rows, real] = converted.values.to_numpy()
        note = converted.note
    return out, note


def _compared(council: float, median: float) -> str:
    """"more deprived than", "less deprived than" or "about as deprived as" (equal to one decimal place)."""
    if round(float(council), 1) == round(float(median), 1):
        return "about as deprived as"
    return "more deprived than" if council > median else "less deprived than"


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
        f"{_money(row['spend_per_head_gbp'])} per head (population {row['population']:,.0f}, "
        f"{row['population_method']}).",
        f"That is {above} the median of its {len(result.group.members)} computed comparators "
        f"({_money(p['median'])} per head): rank {p['rank']} of {p['of']} (1 = lowest spend), "
        f"in the {p['quartile']}.",
    ]
    steady, agree = result.stability, result.alternative_overlaps()
    groups = "; ".join(f"{a['n_both']} of its {a['n_group']} members are also among the {a['n_other']} councils "
                       f"of the {what}" for what, a in agree.items())
    lines.append(f"Comparator group: {result.group.label}; {steady.count(comparator_stability.STABLE)} of "
                 f"{len(steady.members)} members stay in it in all {len(steady.variants)} variants of the model; "
                 f"{groups}.")
    trend = result.trend.dropna(subset=["spend_per_head_gbp"])
    if len(trend) >= 2:
        first, last = trend.iloc[0], trend.iloc[-1]
        change = (last["spend_per_head_gbp"] / first["spend_per_head_gbp"] - 1) * 100 if first["spend_per_head_gbp"] else float("nan")
        direction = "rose" if change > 0 else "fell"
        text = (f"Between {first['year']} and {last['year']} spend per head {direction} by {abs(change):.0f}% "
                f"in cash terms, from {_money(first['spend_per_head_gbp'])} to {_money(last['spend_per_head_gbp'])}")
        if "spend_per_head_real_gbp" in trend.columns and pd.notna(first.get("spend_per_head_real_gbp")):
            real = (last["spend_per_head_real_gbp"] / first["spend_per_head_real_gbp"] - 1) * 100
            text += (f"; in real terms ({result.price_base_year} prices) it {'rose' if real > 0 else 'fell'} by "
                     f"{abs(real):.0f}%, from {_money(first['spend_per_head_real_gbp'])} to "
                     f"{_money(last['spend_per_head_real_gbp'])}")
        lines.append(text + ".")
    growth = recent_growth(result.drivers)
    if growth is not None:
        lines.append(f"{growth['indicator'].split(' (')[0]}: {growth['council']:+.1f}% "
                     f"(comparator median {growth['comparator_median']:+.1f}%).")
    latest = latest_deprivation(result.drivers)
    if latest is not None:
        edition, d = latest
        lines.append(f"{edition}: average score {d['council']:.1f}, {_compared(d['council'], d['comparator_median'])} "
                     f"the comparator median ({d['comparator_median']:.1f}).")
    others = result.others_in_block
    if others:
        lines.append(
            f"{result.block} is a whole RS block: it also holds {', '.join(others)}, so the figure is "
            f"not {result.service_name} alone."
        )
    return lines


def need_signals(needs_result: NeedsResult) -> dict[str, bool]:
    """Drivers of need from the needs analysis, as flags for question 1 (description → need is rising)."""
    growth = recent_growth(needs_result.drivers)
    signals = {} if growth is None else {
        f"Population grew faster than the comparator median ({growth['indicator'].split(' (')[0].lower()}: "
        f"{growth['council']:+.1f}% against {growth['comparator_median']:+.1f}%)":
            bool(growth["council"] > growth["comparator_median"]),
    }
    latest = latest_deprivation(needs_result.drivers)
    if latest is not None:
        edition, d = latest
        signals[f"More deprived than the comparator median on {edition} "
                f"({d['council']:.1f} against {d['comparator_median']:.1f})"] = bool(d["council"] > d["comparator_median"])
    return signals
