"""Comparator groups: an open nearest-neighbours model, and the alternative groups beside it.

The model follows the distance approach of CIPFA's Nearest Neighbours Model
(CIPFA describes it as: each indicator standardised to mean 0 and standard
deviation 1, the Euclidean distance between authorities, then "rebased" so that
the farthest authority is at 1 and every distance lies between 0 and 1), on the
open indicators of :mod:`wcc_analysis.analysis.area_indicators` with weights set
in ``config/services.toml`` (``[comparators.weights]``, per-service models in
``[comparators.models.<service>]``):

1. the pool is every authority of the council's class with a figure in the year
   and a value for every indicator the model uses (others are listed, with why);
2. each indicator is standardised over the pool (z = (x − mean) / population SD), after a natural log
   for the right-skewed ones the config names (``[comparators.transforms]``: population and density, so
   that a few very large or very dense districts do not dominate the distance);
3. distance d = √(Σ wᵢ (zᵢ − zᵢ,council)²) over the indicators with weight wᵢ > 0;
4. rebased: d / the largest d in the pool (the farthest authority = 1);
5. the k nearest, ties broken by ONS code.

An indicator the council itself has no value for is dropped from the model and
the report says so. How fragile the group is, is measured by
:mod:`wcc_analysis.analysis.comparator_stability`. The alternative groups are
the geographic neighbours (ONS) and the councils sharing the council's mySociety
similarity labels (:func:`label_group`); :func:`overlap` says how far two groups agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wcc_analysis.analysis.area_indicators import INDICATORS
from wcc_analysis.core.errors import MissingDataError, ParameterError
from wcc_analysis.core.vocabulary import INDICATOR_TRANSFORMS

#: Indicator key → its name in reports (the area model's; kept under this name for callers).
INDICATOR_LABELS: dict[str, str] = INDICATORS
#: mySociety label dimensions that define the label group (region, emissions, IMD quintile, rural–urban).
LABEL_DIMENSIONS = ("physical", "emissions", "imd", "ruc")
#: How a report names each label dimension.
LABEL_NAMES = {"physical": "region", "emissions": "emissions profile", "imd": "IMD quintile", "ruc": "rural–urban class"}
#: A council joins the label group when it shares at least this many of the council's four labels.
MIN_SHARED_LABELS = 3
#: The transforms an indicator may take before standardising.
TRANSFORMS = INDICATOR_TRANSFORMS


@dataclass(frozen=True)
class ComparatorGroup:
    """A computed comparator group and how it was made."""

    council: str
    weights: dict[str, float]  # the indicators used and their weights (after any the council lacks are dropped)
    k: int
    pool_size: int
    members: pd.DataFrame  # ons_code, name, distance (rebased 0–1), raw_distance, rank, indicators...
    left_out: pd.DataFrame  # ons_code, name, reason
    pool: pd.DataFrame  # every authority in the pool with its indicators and distance from the council
    model: str = "area model"  # the model's name (config): which group a figure used
    reason: str = ""  # why this service has its own model (config), if it has one
    basis: dict[str, str] = field(default_factory=dict)  # indicator → the year or edition it used
    dropped: dict[str, str] = field(default_factory=dict)  # indicator → why it was dropped from the model
    transforms: dict[str, str] = field(default_factory=dict)  # indicator → "log" (applied before standardising)

    @property
    def codes(self) -> list[str]:
        return self.members["ons_code"].tolist()

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(self.weights)

    @property
    def label(self) -> str:
        """The group's name as reports cite it beside a figure."""
        return f"{self.model}: the {len(self.members)} nearest of the same class"

    @property
    def farthest(self) -> pd.Series:
        """The pool's farthest authority from the council (rebased distance 1)."""
        others = self.pool[self.pool["ons_code"] != self.council]
        return others.sort_values(["raw_distance", "ons_code"]).iloc[-1]

    def indicator_table(self) -> pd.DataFrame:
        """One row per indicator used: its weight, the year or edition it used, the council's value and the
        medians of the group and of the whole pool."""
        pool = self.pool.set_index("ons_code")
        rows = [{"indicator": INDICATOR_LABELS.get(i, i), "weight": w, "transform": self.transforms.get(i, "none"),
                 "basis": self.basis.get(i, ""),
                 "council": float(pool.at[self.council, i]),
                 "group_median": float(pool.loc[self.codes, i].median()), "pool_median": float(pool[i].median())}
                for i, w in self.weights.items()]
        return pd.DataFrame(rows, columns=["indicator", "weight", "transform", "basis", "council", "group_median",
                                           "pool_median"])

    def _transform_text(self) -> str:
        logged = [INDICATOR_LABELS.get(i, i).split(" (")[0] for i, t in self.transforms.items() if t == "log"]
        return (f"The right-skewed indicators ({', '.join(logged)}) are taken as natural logs first, so that a few "
                "very large or very dense districts do not dominate. ") if logged else ""

    def method(self) -> str:
        dropped = "".join(f" {INDICATOR_LABELS.get(i, i)} is left out: {why}." for i, why in self.dropped.items())
        return (
            f"{self.model}: the {len(self.members)} nearest authorities of the same class out of a pool of "
            f"{self.pool_size} (the council included), on {len(self.weights)} weighted indicators (table below). "
            f"{self._transform_text()}Each indicator is standardised over the pool (mean 0, standard deviation 1); "
            f"the distance is the "
            f"square root of the weighted sum of squared differences from the council, rebased so that the farthest "
            f"authority in the pool ({self.farthest['name']}) is at 1, as in CIPFA's Nearest Neighbours Model. "
            f"Ties are broken by ONS code.{dropped}"
        )


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """The weights as floats; ParameterError for an unknown indicator, a negative weight or none positive."""
    unknown = sorted(set(weights) - set(INDICATOR_LABELS))
    if unknown:
        raise ParameterError(f"unknown comparator indicator(s) {unknown}; known: {sorted(INDICATOR_LABELS)}")
    checked = {str(k): float(v) for k, v in weights.items()}
    if any(w < 0 for w in checked.values()) or not any(w > 0 for w in checked.values()):
        raise ParameterError(f"comparator weights must be zero or more, and at least one above zero: {checked}")
    return {k: w for k, w in checked.items() if w > 0}


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


def transformed(pool: pd.DataFrame, indicators: Sequence[str], transforms: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The indicators as the model measures them: natural logs where ``transforms`` says "log"."""
    values = pool[list(indicators)].astype(float)
    for indicator, how in dict(transforms or {}).items():
        if indicator not in values.columns:
            continue
        if how not in TRANSFORMS:
            raise ParameterError(f"unknown transform {how!r} for {indicator}; known: {', '.join(TRANSFORMS)}")
        if (values[indicator] <= 0).any():
            bad = pool.loc[values[indicator] <= 0, "ons_code"].iloc[0]
            raise ParameterError(f"{indicator} must be above zero to take its log ({bad} has "
                                 f"{values[indicator][values[indicator] <= 0].iloc[0]}); drop the transform")
        values[indicator] = np.log(values[indicator])
    return values


def standardise(pool: pd.DataFrame, indicators: Sequence[str], transforms: Mapping[str, str] | None = None) -> pd.DataFrame:
    """z-scores of the (transformed) indicators over the pool (population SD; a constant column scores 0)."""
    values = transformed(pool, indicators, transforms)
    spread = values.std(ddof=0).replace(0.0, 1.0)
    return (values - values.mean()) / spread


def _weighted(weights: Mapping[str, float] | Sequence[str]) -> dict[str, float]:
    return dict(weights) if isinstance(weights, Mapping) else {i: 1.0 for i in weights}


def distances(pool: pd.DataFrame, council: str, weights: Mapping[str, float] | Sequence[str],
              transforms: Mapping[str, str] | None = None) -> pd.Series:
    """Weighted Euclidean distance of every pool member from ``council`` on z-scores (index = ONS code).

    ``weights`` maps indicator → weight; a plain list of indicators weighs each 1; ``transforms``: indicator → "log".
    """
    if council not in set(pool["ons_code"]):
        raise MissingDataError(
            f"{council} is not in the comparator pool, so it has no comparators. Check the council code; a district "
            "abolished or created by a reorganisation lacks some sources for some years."
        )
    weighted = {i: w for i, w in _weighted(weights).items() if w > 0}
    z = standardise(pool, list(weighted), transforms)
    origin = z[pool["ons_code"].eq(council).to_numpy()].iloc[0]
    w = pd.Series(weighted, dtype=float)
    raw = np.sqrt((((z - origin) ** 2) * w).sum(axis=1))
    return pd.Series(raw.to_numpy(float), index=pool["ons_code"].to_numpy(), name="raw_distance")


def rebase(raw: pd.Series) -> pd.Series:
    """Distances divided by the largest (the farthest = 1; all between 0 and 1). All zero stays zero."""
    top = float(raw.max()) if len(raw) else 0.0
    return (raw / top if top > 0 else raw * 0.0).rename("distance")


def nearest(pool: pd.DataFrame, council: str, weights: Mapping[str, float] | Sequence[str], k: int,
            transforms: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The k members of ``pool`` nearest to ``council`` (excluded), with raw and rebased distance and rank."""
    raw = distances(pool, council, weights, transforms)
    ranked = pool.assign(raw_distance=raw.to_numpy(), distance=rebase(raw).to_numpy())
    ranked = ranked[ranked["ons_code"] != council]
    ranked = ranked.sort_values(["raw_distance", "ons_code"], kind="stable").head(int(k))
    return ranked.assign(rank=range(1, len(ranked) + 1)).reset_index(drop=True)


def comparator_group(
    candidates: pd.DataFrame,
    gates: dict[str, pd.DataFrame],
    indicators: pd.DataFrame,
    council: str,
    weights: Mapping[str, float] | Sequence[str],
    k: int,
    *,
    model: str = "area model",
    reason: str = "",
    basis: Mapping[str, str] | None = None,
    transforms: Mapping[str, str] | None = None,
) -> ComparatorGroup:
    """The council's comparator group among ``candidates`` (ons_code, name).

    ``gates``: source name → table of the ONS codes it holds a figure for (an authority must be in every
    one, e.g. a published spend figure for the year); ``indicators``: ons_code + one column per indicator
    (:func:`wcc_analysis.analysis.area_indicators.indicators_for_year`). An indicator the council has no
    value for is dropped from the model (``dropped``); an authority lacking a used indicator leaves the pool
    (``left_out``, with the reason).
    """
    weighted = {i: w for i, w in _weighted(weights).items() if w > 0}
    basis = dict(basis or {})
    mine = indicators[indicators["ons_code"] == council]
    dropped = {i: f"no value for the council ({basis.get(i, 'the year')})" for i in weighted
               if i not in indicators.columns or mine.empty or mine[i].isna().all()}
    weighted = {i: w for i, w in weighted.items() if i not in dropped}
    if not weighted:
        raise MissingDataError(f"{council} has a value for none of the comparator indicators "
                               f"({', '.join(dropped) or 'none configured'}), so it cannot be given comparators.")
    sources = dict(gates)
    for indicator in weighted:
        what = INDICATOR_LABELS.get(indicator, indicator)
        sources[f"{what} ({basis[indicator]})" if indicator in basis else what] = indicators[["ons_code", indicator]]
    pool, left_out = pool_with_indicators(candidates, sources)
    if council not in set(pool["ons_code"]):
        why = left_out.loc[left_out["ons_code"] == council, "reason"]
        cause = why.iloc[0] if len(why) else f"not among the candidates ({', '.join(gates)})"
        raise MissingDataError(
            f"{council} cannot be given comparators: {cause}. Each source named must hold a figure for the council "
            "in this year; check the council code, or add the source's file for the year to data/raw/public/."
        )
    others = len(pool) - 1
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 1 <= int(k) <= others:
        raise ParameterError(f"k = {k!r} comparators cannot be chosen from a pool of {others} other authorities. "
                             f"What to do: set [comparators] k in config/services.toml to a whole number from 1 to "
                             f"{others} (15 is usual).")
    keep = ["ons_code", "name", *weighted]
    pool = pool[keep + [c for c in pool.columns if c not in keep]]
    transforms = {i: t for i, t in dict(transforms or {}).items() if i in weighted}
    raw = distances(pool, council, weighted, transforms)
    pool = pool.assign(raw_distance=raw.to_numpy(), distance=rebase(raw).to_numpy())
    members = nearest(pool.drop(columns=["raw_distance", "distance"]), council, weighted, k, transforms)
    return ComparatorGroup(
        council=council, weights=weighted, k=int(k), pool_size=len(pool), members=members, left_out=left_out,
        pool=pool, model=model, reason=reason, basis={i: b for i, b in basis.items() if i in weighted},
        dropped=dropped, transforms=transforms,
    )


def geographic_group(neighbours: pd.DataFrame, council: str, eligible: Sequence[str], k: int) -> pd.DataFrame:
    """Geographic neighbours (boundary-sharing first, then nearby) among ``eligible`` codes."""
    mine = neighbours[neighbours["ons_code"] == council].copy()
    order = {"shares_boundary": 0, "nearby": 1}
    mine["_order"] = mine["relation"].map(order).fillna(2)
    mine = mine.sort_values(["_order", "rank"], kind="stable")
    mine = mine[mine["neighbour_code"].isin(set(eligible))].head(int(k))
    return mine.drop(columns="_order").reset_index(drop=True)


def label_group(labels: pd.DataFrame, council: str, eligible: Sequence[str],
                min_shared: int = MIN_SHARED_LABELS) -> pd.DataFrame:
    """The ``eligible`` councils sharing at least ``min_shared`` of the council's mySociety labels.

    ``labels``: ons_code, dimension, label (the ``similarity_labels`` table). Returns ons_code, shared
    (how many labels), differs_on (the dimensions that differ), most shared first, then by ONS code;
    empty when the council has no labels.
    """
    wide = labels[labels["dimension"].isin(LABEL_DIMENSIONS)].pivot_table(
        index="ons_code", columns="dimension", values="label", aggfunc="first")
    if council not in wide.index:
        return pd.DataFrame(columns=["ons_code", "shared", "differs_on"])
    mine = wide.loc[council]
    others = wide[wide.index.isin(set(eligible)) & (wide.index != council)]
    same = others.eq(mine, axis=1)
    table = pd.DataFrame({
        "ons_code": others.index,
        "shared": same.sum(axis=1).astype(int).to_numpy(),
        "differs_on": [", ".join(LABEL_NAMES[d] for d in LABEL_DIMENSIONS if d in same.columns and not row[d])
                       for _, row in same.iterrows()],
    })
    table = table[table["shared"] >= int(min_shared)]
    return table.sort_values(["shared", "ons_code"], ascending=[False, True]).reset_index(drop=True)


def overlap(group: Sequence[str], other: Sequence[str]) -> dict:
    """How far two groups agree: the codes in both, and the share of each group that is in the other."""
    a, b = list(dict.fromkeys(group)), list(dict.fromkeys(other))
    both = [c for c in a if c in set(b)]
    return {"both": both, "n_both": len(both), "n_group": len(a), "n_other": len(b),
            "share_of_group": len(both) / len(a) if a else None, "share_of_other": len(both) / len(b) if b else None}
