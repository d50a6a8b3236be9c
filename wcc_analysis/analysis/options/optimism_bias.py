"""Optimism bias: the uplift on every option's estimated costs, business as usual's included.

Green Book rule (2022, chapter 5 "Uncertainty, risk, optimism bias", and the Supplementary Green Book Guidance:
Optimism Bias): appraisers systematically under-estimate costs, so every estimated cost is raised by an uplift for
its project type, starting from the recommended upper bound (``OPTIMISM_BIAS_BOUNDS``) and falling towards the
lower bound as the council mitigates the contributory factors, with evidence (``OPTIMISM_BIAS_METHOD``). The
uplift applies to **every** option: a ten-year forecast of the current service is an estimate too, so leaving it
out would tilt the appraisal towards business as usual. Which type each cost item is uplifted as, and where it
starts, is ``OPTIMISM_BIAS_ITEMS`` (config/services.toml ``[appraisal.optimism_bias]`` overrides it); the council's
mitigation is its ``optimism_bias`` table (item, contributory factor, the factor's share of the bias, the share of
it mitigated, the evidence). A factor a priced risk covers (the risk's ``optimism_factor``) has its part of the
uplift reduced by the risk's expected cost, never below zero: the risk register prices that much of the cause, so
it is not counted twice. Transfers (VAT, business rates, redundancy)
are out of the economic case (VAT and business rates carry no uplift; redundancy, an estimate, carries one in the
financial case's contingency); benefits are never uplifted (their uncertainty is in the
ranges, the Monte Carlo run and the switching values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis.options._checks import _name_rows, _option_rows
from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.analysis.options.npv import risk_present_values
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.guidance import (
    OPTIMISM_BIAS_BOUNDS,
    OPTIMISM_BIAS_ITEMS,
    OPTIMISM_BIAS_METHOD,
    OPTIMISM_BIAS_SOURCE,
)
from wcc_analysis.core.rules import Rule, RuleTable, always

MITIGATION = "optimism bias mitigation"
MITIGATION_COLUMNS = ["option_id", "item", "factor", "share_pct", "mitigated_pct", "evidence"]
STARTS = ("upper", "lower")

#: Cost items optimism bias applies to (the others are transfers or benefits).
OPTIMISM_ITEMS: tuple[str, ...] = tuple(OPTIMISM_BIAS_ITEMS)

__all__ = ["OPTIMISM_BIAS_BOUNDS", "OPTIMISM_BIAS_SOURCE", "OPTIMISM_ITEMS", "ItemRule", "item_rules", "uplifts",
           "UPLIFT_RULES", "as_mapping", "no_uplift"]


@dataclass(frozen=True)
class ItemRule:
    """How one cost item is uplifted: its project type (a row of ``OPTIMISM_BIAS_BOUNDS``) and starting bound."""

    item: str
    category: str
    start: str = "upper"

    @property
    def upper(self) -> float:
        return OPTIMISM_BIAS_BOUNDS[self.category][0]

    @property
    def lower(self) -> float:
        return OPTIMISM_BIAS_BOUNDS[self.category][1]

    @property
    def starting_uplift(self) -> float:
        return self.upper if self.start == "upper" else self.lower


def item_rules(overrides: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, ItemRule]:
    """``OPTIMISM_BIAS_ITEMS`` with ``overrides`` (item → {category, start}) merged over it; ParameterError for an
    unknown item, project type or starting point."""
    rules = {item: ItemRule(item, category, start) for item, (category, start) in OPTIMISM_BIAS_ITEMS.items()}
    for item, spec in (overrides or {}).items():
        if item not in rules:
            raise ParameterError(f"optimism bias: {item!r} is not an item optimism bias applies to; use one of "
                                 f"{list(OPTIMISM_ITEMS)}")
        category = str(spec.get("category", rules[item].category))
        start = str(spec.get("start", rules[item].start))
        if category not in OPTIMISM_BIAS_BOUNDS:
            raise ParameterError(f"optimism bias for {item}: unknown project type {category!r}; use one of "
                                 f"{list(OPTIMISM_BIAS_BOUNDS)}")
        if start not in STARTS:
            raise ParameterError(f"optimism bias for {item}: start must be 'upper' or 'lower', not {start!r}")
        rules[item] = ItemRule(item, category, start)
    return rules


@dataclass(frozen=True)
class UpliftFacts:
    """One option's cost item, as ``UPLIFT_RULES`` reads it."""

    has_cost: bool  # the option has a positive estimated amount of the item
    mitigation: float  # share of the bias mitigated, 0–1 (factors priced as risks count in full)


#: The uplift on one option's cost item (first rule that holds). The report prints it.
UPLIFT_RULES: RuleTable[UpliftFacts] = RuleTable((
    Rule("none", "the option has no estimated cost of this item", lambda f: not f.has_cost),
    Rule("starting bound", "no mitigation recorded: the starting bound of the item's project type (the upper bound "
                           "for running costs at this early stage, the lower for one-off change costs)",
         lambda f: f.mitigation <= 0),
    Rule("mitigated", OPTIMISM_BIAS_METHOD + "; a contributory factor that a priced risk covers (the risk's "
                      "optimism_factor) has its part of the uplift reduced by the risk's expected cost, never below "
                      "zero, so the risk and the uplift never count one cause twice", always),
), columns=("uplift", "rule"))


def _clean_mitigation(mitigation: pd.DataFrame | None) -> pd.DataFrame:
    """The mitigation rows checked: known options and items, shares 0–100, evidence for every mitigated share."""
    if _option_rows(mitigation, MITIGATION_COLUMNS, MITIGATION) is None:
        return pd.DataFrame(columns=MITIGATION_COLUMNS)
    rows = mitigation[MITIGATION_COLUMNS].copy()
    unknown = sorted(set(rows["item"].astype(str)) - set(OPTIMISM_ITEMS))
    if unknown:
        raise InputTableError(MITIGATION, f"item(s) {unknown} carry no optimism bias", column="item",
                              fix=f"use one of {list(OPTIMISM_ITEMS)}")
    for column in ("share_pct", "mitigated_pct"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
        bad = rows[column].isna() | (rows[column] < 0) | (rows[column] > 100)
        if bad.any():
            raise InputTableError(MITIGATION, f"{column} must be a per cent from 0 to 100 (option / item / factor: "
                                              f"{_name_rows(rows, bad, ['option_id', 'item', 'factor'])})",
                                  column=column, fix="give the share as a per cent, e.g. 25")
    total = rows.groupby(["option_id", "item"])["share_pct"].sum()
    over = total[total > 100 + 1e-9]
    if not over.empty:
        (option, item), value = next(iter(over.items()))
        raise InputTableError(MITIGATION, f"the factors' shares of the bias for {option} / {item} add to {value:g} %, "
                                          "more than 100 %", column="share_pct",
                              fix="give each contributory factor its share of the bias so that they add to 100 % at most")
    blank = rows["evidence"].isna() | rows["evidence"].astype(str).str.strip().eq("")
    unevidenced = blank & (rows["mitigated_pct"] > 0)
    if unevidenced.any():
        raise InputTableError(MITIGATION, "a mitigated factor needs its evidence (option / item / factor: "
                                          f"{_name_rows(rows, unevidenced, ['option_id', 'item', 'factor'])})",
                              column="evidence", fix="say what evidence mitigates the factor (e.g. 'audited outturn "
                                                     "2022-23 to 2024-25'), or set mitigated_pct to 0")
    return rows


def _risk_cover(risks: pd.DataFrame | None, settings: AppraisalSettings | Mapping | None) -> dict[tuple[str, str], float]:
    """(option, factor) → the present value of the expected cost of the priced risks naming that factor (the risk
    register's optional ``optimism_factor``; npv.risk_present_values)."""
    if risks is None or risks.empty or "optimism_factor" not in risks.columns:
        return {}
    rows = risk_present_values(risks, settings)
    factor = rows["optimism_factor"].fillna("").astype(str).str.strip()
    named = rows[factor != ""]
    sums = named["pv_expected_gbp"].groupby([named["option_id"].astype(str), factor[factor != ""]]).sum()
    return {key: float(value) for key, value in sums.items()}


def uplifts(cashflows: pd.DataFrame, mitigation: pd.DataFrame | None = None, risks: pd.DataFrame | None = None,
            overrides: Mapping[str, Mapping[str, str]] | None = None,
            options: Sequence[str] | None = None,
            settings: AppraisalSettings | Mapping | None = None) -> pd.DataFrame:
    """One row per option and cost item it has: project type, bounds, starting uplift, mitigation (including what
    priced risks cover), the uplift used and the rule (``UPLIFT_RULES``). ``cashflows``: option_id, year, item,
    amount_gbp.

    A priced risk that names a contributory factor takes that factor's part of the uplift (its present value over
    the option's items) down by the risk's expected cost, never below zero: the risk register and the uplift then
    count one cause once, and a small risk cannot cancel a large part of the bias."""
    rules = item_rules(overrides)
    table = _clean_mitigation(mitigation)
    discount_rate = appraisal_settings(settings).discount_rate
    cover = _risk_cover(risks, settings)
    ids = list(options) if options is not None else list(dict.fromkeys(cashflows["option_id"]))
    amounts = pd.to_numeric(cashflows["amount_gbp"], errors="coerce")
    years = pd.to_numeric(cashflows["year"], errors="coerce") if "year" in cashflows.columns else 0
    pv = amounts.clip(lower=0) / (1.0 + discount_rate) ** years
    # each factor's part of the uplift before risks, summed over the option's items (PV, £)
    parts: dict[tuple[str, str], float] = {}
    for option in ids:
        for item, rule in rules.items():
            base = float(pv[(cashflows["option_id"] == option) & (cashflows["item"] == item)].sum())
            factors = table[(table["option_id"] == option) & (table["item"] == item)]
            for f, share, done in zip(factors["factor"], factors["share_pct"], factors["mitigated_pct"]):
                key = (option, str(f).strip())
                span = rule.starting_uplift - rule.lower
                parts[key] = parts.get(key, 0.0) + base * span * share / 100.0 * (1.0 - done / 100.0)
    covered = {k: min(1.0, cover[k] / parts[k]) if parts.get(k, 0.0) > 0 else 0.0 for k in cover}
    rows = []
    for option in ids:
        for item, rule in rules.items():
            mine = (cashflows["option_id"] == option) & (cashflows["item"] == item)
            if not mine.any():
                continue
            has_cost = bool((amounts[mine] > 0).any())
            factors = table[(table["option_id"] == option) & (table["item"] == item)]
            m, priced = 0.0, []
            for f, share, done in zip(factors["factor"], factors["share_pct"], factors["mitigated_pct"]):
                key = (option, str(f).strip())
                got = covered.get(key, 0.0)
                if key in cover:
                    priced.append(f"{f} ({got:.0%} of its part)")
                m += share / 100.0 * (done / 100.0 + (1.0 - done / 100.0) * got)
            outcome = UPLIFT_RULES.decide(UpliftFacts(has_cost, m))
            uplift = 0.0 if not has_cost else rule.lower + (rule.starting_uplift - rule.lower) * (1.0 - m)
            rows.append({
                "option_id": option, "item": item, "category": rule.category, "start": rule.start,
                "upper": rule.upper, "lower": rule.lower, "starting_uplift": rule.starting_uplift,
                "mitigation": m, "factors": len(factors), "priced_as_risk": ", ".join(priced),
                "uplift": uplift, "rule": outcome,
            })
    return pd.DataFrame(rows, columns=["option_id", "item", "category", "start", "upper", "lower", "starting_uplift",
                                       "mitigation", "factors", "priced_as_risk", "uplift", "rule"])


def as_mapping(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """The uplifts as option → {item: uplift} (what the NPV functions take)."""
    out: dict[str, dict[str, float]] = {}
    for option, item, uplift in zip(table["option_id"], table["item"], table["uplift"]):
        out.setdefault(str(option), {})[str(item)] = float(uplift)
    return out


def no_uplift(mapping: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """The same shape with every uplift 0 (the NPV before optimism bias)."""
    return {o: {i: 0.0 for i in items} for o, items in mapping.items()}
