"""A service's own figure: its Revenue Account (RA) budget lines, per head, against the comparators.

An RS block holds several services (leisure and museums are both in "Cultural and related services"), so a
block's spend is never one service's. The RA budget returns split each block into the lines CIPFA's
Service Reporting Code of Practice (SeRCOP) defines — "Recreation and sport", "Culture and heritage",
"Open spaces", "Waste collection" … — for every council; ``config/services.toml`` maps each service to its
lines (``ra_lines``) and says where a line is wider than the service (``ra_lines_note``). The figures are
**budgets**, not outturn: what the council planned to spend net of income, labelled so everywhere.

Pure functions: the ``ra_budget`` and ``revenue_outturn`` tables and a population table come in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis import comparator_stability, population
from wcc_analysis.analysis.needs import position
from wcc_analysis.core.errors import ParameterError

BUDGET_NOTE = ("Budget, not outturn: the Revenue Account (RA) return is what the council planned to spend, net of "
               "income, at the start of the year; outturn is what it spent.")


def line_totals(ra: pd.DataFrame, lines: Sequence[str], year: str) -> pd.Series:
    """Each authority's budget on ``lines`` added up (£ thousand), by ONS code; an authority missing any of
    the lines in ``year`` has no figure (a partial sum would understate the service)."""
    if not lines:
        raise ParameterError("no budget lines given: list the service's ra_lines in config/services.toml")
    known = set(ra.loc[ra["year"] == year, "line"])
    unknown = [line for line in lines if line not in known]
    if unknown:
        raise ParameterError(f"RA {year} has no line(s) {unknown}; check the names in config/services.toml "
                             "against the RA return (ra_budget table, column 'line')")
    rows = ra[(ra["year"] == year) & ra["line"].isin(lines) & ra["ons_code"].notna()]
    grouped = rows.groupby("ons_code")["net_budget_gbp_thousands"]
    counts = grouped.count()
    return grouped.sum(min_count=1)[counts == len(lines)].astype(float)


@dataclass
class ServiceLines(population.PerHeadDistribution):
    """A service's budget lines for one council beside its comparators, in one RA year."""

    service_id: str
    lines: tuple[str, ...]
    note: str  # what the lines hold (config ra_lines_note)
    year: str
    council: str
    by_line: pd.DataFrame  # line, block, net_budget_gbp_thousands: the council's own lines
    distribution: pd.DataFrame  # ons_code, name, budget_gbp_thousands, population, population_method, budget_per_head_gbp, is_council
    position: dict | None  # needs.position (rank 1 = lowest budget per head); None with no comparator figure

    budget_note: str = BUDGET_NOTE
    position_range: dict | None = None  # comparator_stability.position_across_variants over the model variants

    def headline(self) -> dict:
        row = self.council_row
        return {
            "service_lines_year": self.year,
            "service_lines": list(self.lines),
            "service_lines_budget_gbp_thousands": round(float(row["budget_gbp_thousands"]), 1),
            "service_lines_budget_per_head_gbp": round(float(row["budget_per_head_gbp"]), 2),
            "service_lines_comparator_median_gbp": None if self.position is None else round(self.position["median"], 2),
            "service_lines_rank": None if self.position is None else self.position["rank"],
            "service_lines_rank_of": None if self.position is None else self.position["of"],
        }


def service_lines(
    ra: pd.DataFrame,
    people: pd.DataFrame,
    *,
    council: str,
    comparators: Sequence[str],
    service_id: str,
    lines: Sequence[str],
    note: str = "",
    year: str | None = None,
    names: Mapping[str, str] | None = None,
    variant_groups: Sequence[Sequence[str]] = (),
) -> ServiceLines | None:
    """The service's budget lines for ``council`` and its ``comparators`` in ``year`` (default: the latest RA
    year in which the council has every line); None when the council has none of the years.
    ``variant_groups``: the comparator groups of the model's variants (comparator_stability), over which the
    council's rank and the median are also given."""
    lines = tuple(lines)
    years = sorted(ra.loc[ra["ons_code"] == council, "year"].unique(), reverse=True)
    chosen = year
    if chosen is None:
        chosen = next((y for y in years if council in line_totals(ra, lines, y).index), None)
        if chosen is None:
            return None
    totals = line_totals(ra, lines, chosen)
    if council not in totals.index:
        return None
    people_year = people[people["year_start"] == int(str(chosen)[:4])].set_index("ons_code")
    codes = [c for c in dict.fromkeys([*comparators, council]) if c in totals.index and c in people_year.index]
    names = dict(names or {})
    frame = pd.DataFrame({
        "ons_code": codes,
        "name": [names.get(c, c) for c in codes],
        "budget_gbp_thousands": totals.reindex(codes).to_numpy(float),
        "population": people_year.loc[codes, "population"].to_numpy(float),
        "population_method": people_year.loc[codes, "population_method"].to_numpy(),
    })
    frame["budget_per_head_gbp"] = frame["budget_gbp_thousands"] * 1000.0 / frame["population"]
    frame["is_council"] = frame["ons_code"].eq(council)
    frame = frame.sort_values(["budget_per_head_gbp", "ons_code"]).reset_index(drop=True)
    others = frame.loc[~frame["is_council"], "budget_per_head_gbp"]
    council_value = float(frame.loc[frame["is_council"], "budget_per_head_gbp"].iloc[0])
    place = position(others, council_value) if len(others) else None
    per_head = totals * 1000.0 / people_year["population"].reindex(totals.index)
    spread = comparator_stability.position_across_variants(
        per_head, council, tuple(tuple(g) for g in variant_groups), position)
    mine = ra[(ra["ons_code"] == council) & (ra["year"] == chosen) & ra["line"].isin(lines)]
    by_line = mine.set_index("line").reindex(list(lines))[["block", "net_budget_gbp_thousands"]].reset_index()
    return ServiceLines(service_id, lines, note, str(chosen), council, by_line, frame, place, position_range=spread)


def budget_against_outturn(ra: pd.DataFrame, outturn: pd.DataFrame, council: str, blocks: Sequence[str]) -> pd.DataFrame:
    """The council's RA budget beside its outturn for the same block and year, every year both exist.

    ``year, rs_block, budget_gbp_thousands, outturn_gbp_thousands, difference_gbp_thousands`` (outturn −
    budget) and ``difference_pct`` (of the budget). The RA block totals are the budget lines marked
    ``is_total``; a year with no outturn (or no budget) is left out.
    """
    totals = ra[(ra["ons_code"] == council) & ra["is_total"].astype(bool) & ra["block"].isin(blocks)]
    budget = totals.groupby(["year", "block"])["net_budget_gbp_thousands"].sum(min_count=1)
    spent = outturn[(outturn["ons_code"] == council) & outturn["rs_block"].isin(blocks)]
    spent = spent.set_index(["year", "rs_block"])["net_expenditure_gbp_thousands"]
    rows = []
    for (year, block), planned in budget.items():
        actual = spent.get((year, block))
        if pd.isna(planned) or actual is None or pd.isna(actual):
            continue
        rows.append({"year": year, "rs_block": block, "budget_gbp_thousands": float(planned),
                     "outturn_gbp_thousands": float(actual), "difference_gbp_thousands": float(actual - planned),
                     "difference_pct": float((actual - planned) / planned * 100.0) if planned else None})
    columns = ["year", "rs_block", "budget_gbp_thousands", "outturn_gbp_thousands", "difference_gbp_thousands",
               "difference_pct"]
    return pd.DataFrame(rows, columns=columns).sort_values(["rs_block", "year"], ignore_index=True)


def detailed_outturn(ro: pd.DataFrame, council: str, ro_lines: Sequence[str]) -> pd.DataFrame | None:
    """The council's detailed Revenue Outturn lines for the service (``ro_lines``: "RO5: Waste collection"), in
    the latest year it published any of them; None when it publishes none (most councils: the detailed lines
    are held for Lancashire only). ``year, form, line, net_expenditure_gbp_thousands, total_expenditure_gbp_thousands,
    total_income_gbp_thousands`` — an empty line stays missing, never 0."""
    wanted = [tuple(part.strip() for part in entry.split(":", 1)) for entry in ro_lines if ":" in entry]
    if not wanted:
        return None
    keys = set(wanted)
    mine = ro[ro["ons_code"] == council]
    mine = mine[pd.Series([(f, line) in keys for f, line in zip(mine["form"], mine["line"])], index=mine.index,
                          dtype=bool)]
    published = mine.dropna(subset=["net_expenditure_gbp_thousands"])
    if published.empty:
        return None
    year = sorted(published["year"].unique())[-1]
    rows = mine[mine["year"] == year].set_index(["form", "line"]).reindex(wanted).reset_index()
    columns = ["form", "line", "net_expenditure_gbp_thousands", "total_expenditure_gbp_thousands",
               "total_income_gbp_thousands"]
    return rows[columns].assign(year=year)[["year", *columns]]
