"""How fragile a comparator group is: does each member stay in when the model changes a little?

The group is recomputed for every variant of the model (:func:`variants`): each
indicator dropped in turn, each weight in turn multiplied by 1 − c and 1 + c
(c = ``[comparators] stability_weight_change``, 0.5 by default: ±50 %), and —
when the model takes logs of skewed indicators — once with no transform. Each
member of the base group is then read by ``STABILITY_RULES`` from the share of
variants that keep it; authorities outside the base group that enter in some
variant are listed too. The k, the pool and the council stay the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis import comparators
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import COMES_AND_GOES, MOSTLY_STABLE, STABLE

#: A member kept in at least this share of the variants (but not all) is "mostly stable".
MOSTLY_STABLE_SHARE = 0.75
DEFAULT_WEIGHT_CHANGE = 0.5


@dataclass(frozen=True)
class MemberFacts:
    kept: int  # variants in which the authority is in the group
    variants: int


#: How a base-group member's membership across the variants reads (first rule that holds).
STABILITY_RULES: RuleTable[MemberFacts] = RuleTable((
    Rule(STABLE, "in the group in every variant", lambda f: f.kept == f.variants),
    Rule(MOSTLY_STABLE, f"in the group in at least {MOSTLY_STABLE_SHARE:.0%} of the variants",
         lambda f: f.kept >= MOSTLY_STABLE_SHARE * f.variants),
    Rule(COMES_AND_GOES, f"in the group in fewer than {MOSTLY_STABLE_SHARE:.0%} of the variants", always),
), columns=("reading", "rule"))


NO_TRANSFORM = "no log transform (every indicator as published)"


def variants(weights: Mapping[str, float], change: float = DEFAULT_WEIGHT_CHANGE,
             transforms: Mapping[str, str] | None = None) -> list[tuple[str, dict[str, float], dict[str, str]]]:
    """(description, weights, transforms) for each variant: every indicator dropped in turn (when more than
    one is used), every weight × (1 − change) and × (1 + change) in turn, then (when the model transforms
    any indicator) the model with no transform."""
    base = {i: float(w) for i, w in weights.items()}
    logs = dict(transforms or {})
    out: list[tuple[str, dict[str, float], dict[str, str]]] = []
    if len(base) > 1:
        out += [(f"without {comparators.INDICATOR_LABELS.get(i, i)}", {j: w for j, w in base.items() if j != i}, logs)
                for i in base]
    for i in base:
        for factor in (1 - change, 1 + change):
            if factor > 0:
                out.append((f"{comparators.INDICATOR_LABELS.get(i, i)} weight × {factor:g}",
                            {**base, i: base[i] * factor}, logs))
    if logs:
        out.append((NO_TRANSFORM, base, {}))
    return out


@dataclass(frozen=True)
class Stability:
    """Each authority that is in the group in the base model or any variant, and how often."""

    table: pd.DataFrame  # ons_code, name, in_base_group, base_rank, kept, variants, share, reading
    variants: tuple[str, ...]  # the variants' descriptions
    change: float
    groups: tuple[tuple[str, ...], ...] = ()  # each variant's group (ONS codes), in the order of ``variants``

    @property
    def members(self) -> pd.DataFrame:
        return self.table[self.table["in_base_group"]]

    @property
    def entrants(self) -> pd.DataFrame:
        """Authorities outside the base group that enter in at least one variant."""
        return self.table[~self.table["in_base_group"]]

    def described(self) -> str:
        """What the variants were, in one phrase."""
        dropped = sum(d.startswith("without ") for d in self.variants)
        untransformed = sum(d == NO_TRANSFORM for d in self.variants)
        moved = len(self.variants) - dropped - untransformed
        text = f"{len(self.variants)} variants: "
        if dropped:
            text += f"each of the {dropped} indicators dropped in turn ({dropped}); "
        text += f"each weight × {1 - self.change:g} and × {1 + self.change:g} in turn ({moved})"
        return text + ("; no log transform (1)" if untransformed else "")

    def count(self, reading: str) -> int:
        return int((self.members["reading"] == reading).sum())

    def sentence(self) -> str:
        n, v = len(self.members), len(self.variants)
        logs = ", and once with no log transform" if NO_TRANSFORM in self.variants else ""
        text = (f"{self.count(STABLE)} of {n} comparators are stable: in the group in all {v} variants of the model "
                f"(each indicator dropped in turn, each weight changed by ±{self.change:.0%} in turn{logs}).")
        mostly = self.members[self.members["reading"] == MOSTLY_STABLE]
        going = self.members[self.members["reading"] == COMES_AND_GOES]
        if len(mostly):
            text += f" {len(mostly)} {'is' if len(mostly) == 1 else 'are'} mostly stable: {_listed(mostly)}."
        if len(going):
            text += f" {len(going)} {'comes' if len(going) == 1 else 'come'} and {'goes' if len(going) == 1 else 'go'}: {_listed(going)}."
        if len(self.entrants):
            n, top = len(self.entrants), self.entrants.head(3)
            text += (f" {n} other {'authority enters' if n == 1 else 'authorities enter'} in some variants"
                     f" ({'most often ' if n > 3 else ''}{_listed(top)}).")
        return text


def _listed(rows: pd.DataFrame) -> str:
    return ", ".join(f"{r.name} ({r.kept} of {r.variants})" for r in rows.itertuples())


def stability(group: comparators.ComparatorGroup, change: float = DEFAULT_WEIGHT_CHANGE) -> Stability:
    """Recompute ``group`` for every variant of its weights over the same pool, council and k."""
    pool = group.pool.drop(columns=[c for c in ("raw_distance", "distance") if c in group.pool.columns])
    runs = variants(group.weights, change, group.transforms)
    counts: dict[str, int] = {}
    groups = []
    for _, weights, transforms in runs:
        codes = tuple(comparators.nearest(pool, group.council, weights, group.k, transforms)["ons_code"])
        groups.append(codes)
        for code in codes:
            counts[code] = counts.get(code, 0) + 1
    base_rank = dict(zip(group.members["ons_code"], group.members["rank"], strict=True))
    names = pool.set_index("ons_code")["name"]
    codes = list(group.members["ons_code"]) + sorted(set(counts) - set(base_rank), key=lambda c: (-counts[c], c))
    rows = []
    for code in codes:
        kept = counts.get(code, 0)
        rows.append({"ons_code": code, "name": names.get(code, code), "in_base_group": code in base_rank,
                     "base_rank": base_rank.get(code), "kept": kept, "variants": len(runs),
                     "share": kept / len(runs) if runs else 1.0,
                     "reading": STABILITY_RULES.decide(MemberFacts(kept, len(runs))) if code in base_rank
                     else "enters in some variants"})
    return Stability(pd.DataFrame(rows), tuple(d for d, _, _ in runs), float(change), tuple(groups))


def position_across_variants(values: pd.Series, council: str, groups: tuple[tuple[str, ...], ...],
                             position) -> dict | None:
    """How the council's place on one figure moves across the variants' groups: the range of its rank and
    of the group median, and how often each quarter. ``values``: figure by ONS code; ``position``: the
    function that places a value in a distribution (``needs.position``). None without a council value."""
    values = values.dropna().astype(float)
    if council not in values.index or not groups:
        return None
    mine = float(values[council])
    places = [position(values.reindex([c for c in g if c != council]).dropna(), mine) for g in groups]
    places = [p for p in places if p["of"] > 1]
    if not places:
        return None
    quarters = pd.Series([p["quartile"] for p in places]).value_counts()
    sizes = sorted({p["of"] for p in places})
    return {"rank_min": min(p["rank"] for p in places), "rank_max": max(p["rank"] for p in places),
            "of": sizes[0] if len(sizes) == 1 else f"{sizes[0]}–{sizes[-1]}", "median_min": min(p["median"] for p in places),
            "median_max": max(p["median"] for p in places), "variants": len(places),
            "quarters": {q: int(n) for q, n in quarters.items()}}
