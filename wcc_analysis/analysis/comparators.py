"""Comparator groups: computed nearest neighbours of the same class, and geographic neighbours.

Method (stated in every report that uses it): from the authorities of the
council's class present in every source used for the year, standardise each
indicator over that pool (z-score: minus the pool mean, divided by the pool
standard deviation), measure the Euclidean distance from the council, and take
the k nearest (ties broken by ONS code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wcc_analysis.core.errors import MissingDataError

INDICATOR_LABELS = {
    "population": "population in the year (ONS mid-year estimate; census trend where there is none)",
    "population_growth_pct": "population change 2011→2021 (%, Census)",
    "imd_score": "IMD average score",
}


@dataclass(frozen=True)
class ComparatorGroup:
    """A computed comparator group and how it was made."""

    council: str
    indicators: tuple[str, ...]
    k: int
    pool_size: int
    members: pd.DataFrame  # ons_code, name, distance, rank, indicators...
    left_out: pd.DataFrame  # ons_code, name, reason
    pool: pd.DataFrame  # every authority in the pool with its indicators

    @property
    def codes(self) -> list[str]:
        return self.members["ons_code"].tolist()

    @property
    def label(self) -> str:
        """The group's name as reports cite it beside a figure ("computed nearest neighbours (…)")."""
        return f"computed nearest neighbours ({len(self.members)} of the same class)"

    def method(self) -> str:
        labels = ", ".join(INDICATOR_LABELS.get(i, i) for i in self.indicators)
        return (
            f"The {len(self.members)} nearest authorities of the same class out of a pool of "
            f"{self.pool_size} (the council included), by Euclidean distance on standardised "
            f"(z-scored over the pool) indicators: {labels}. Ties are broken by ONS code."
        )


def pool_with_indicators(
    candidates: pd.DataFrame, sources: dict[str, pd.DataFrame]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep candidates present in every source; say who was left out and why.

    ``candidates`` has ``ons_code`` and ``name``; each source is a DataFrame keyed
    by ``ons_code`` whose other columns are indicators. Returns (pool, left_out).
    """
    pool = candidates[["ons_code", "name"]].drop_duplicates("ons_code")
    everyone = pool["ons_code"].tolist()
    reasons: dict[str, list[str]] = {}
    for source_name, table in sources.items():
        present = set(table.dropna()["ons_code"])
        for code in everyone:
            if code not in present:
                reasons.setdefault(code, []).append(f"not in {source_name}")
        pool = pool.merge(table.dropna(), on="ons_code", how="inner")
    names = candidates.drop_duplicates("ons_code").set_index("ons_code")["name"]
    left_out = pd.DataFrame(
        [{"ons_code": c, "name": names.get(c, ""), "reason": "; ".join(r)} for c, r in sorted(reasons.items())],
        columns=["ons_code", "name", "reason"],
    )
    return pool.sort_values("ons_code").reset_index(drop=True), left_out


def standardise(pool: pd.DataFrame, indicators: Sequence[str]) -> pd.DataFrame:
    """z-scores of the indicators over the pool (population standard deviation)."""
    values = pool[list(indicators)].astype(float)
    spread = values.std(ddof=0).replace(0.0, 1.0)
    return (values - values.mean()) / spread


def nearest(pool: pd.DataFrame, council: str, indicators: Sequence[str], k: int) -> pd.DataFrame:
    """The k members of ``pool`` nearest to ``council`` (excluded) with distance and rank."""
    if council not in set(pool["ons_code"]):
        raise MissingDataError(
            f"{council} is not in the comparator pool, so it has no comparators. Check the council code; a district "
            "abolished or created by a reorganisation lacks some sources for some years."
        )
    z = standardise(pool, indicators)
    origin = z[pool["ons_code"].eq(council).to_numpy()].iloc[0]
    distance = np.sqrt(((z - origin) ** 2).sum(axis=1))
    ranked = pool.assign(distance=distance.to_numpy())
    ranked = ranked[ranked["ons_code"] != council]
    ranked = ranked.sort_values(["distance", "ons_code"], kind="stable").head(int(k))
    return ranked.assign(rank=range(1, len(ranked) + 1)).reset_index(drop=True)


def comparator_group(
    candidates: pd.DataFrame,
    sources: dict[str, pd.DataFrame],
    council: str,
    indicators: Sequence[str],
    k: int,
) -> ComparatorGroup:
    pool, left_out = pool_with_indicators(candidates, sources)
    if council not in set(pool["ons_code"]):
        why = left_out.loc[left_out["ons_code"] == council, "reason"]
        reason = why.iloc[0] if len(why) else f"not among the candidates ({', '.join(sources)})"
        raise MissingDataError(
            f"{council} cannot be given comparators: {reason}. Each source named must hold a figure for the council "
            "in this year; check the council code, or add the source's file for the year to data/raw/public/."
        )
    members = nearest(pool, council, indicators, k)
    return ComparatorGroup(
        council=council,
        indicators=tuple(indicators),
        k=int(k),
        pool_size=len(pool),
        members=members,
        left_out=left_out,
        pool=pool,
    )


def geographic_group(neighbours: pd.DataFrame, council: str, eligible: Sequence[str], k: int) -> pd.DataFrame:
    """Geographic neighbours (boundary-sharing first, then nearby) among ``eligible`` codes."""
    mine = neighbours[neighbours["ons_code"] == council].copy()
    order = {"shares_boundary": 0, "nearby": 1}
    mine["_order"] = mine["relation"].map(order).fillna(2)
    mine = mine.sort_values(["_order", "rank"], kind="stable")
    mine = mine[mine["neighbour_code"].isin(set(eligible))].head(int(k))
    return mine.drop(columns="_order").reset_index(drop=True)
