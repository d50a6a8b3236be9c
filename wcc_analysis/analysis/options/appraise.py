"""Option appraisal and sourcing plan (seed section 7, Design: option appraisal, sourcing plan; Implement).

Appraisal of one service's sourcing options in the manner of HM Treasury's
Green Book: every option is compared with the status quo (business as usual,
in-house: the counterfactual). Pure functions over long tables, already
validated on ingest:

- cash flows: ``option_id, year, item, amount_gbp, low_pct, high_pct`` (real
  terms at the price base year; year 0 = now);
- scores: ``option_id, criterion, score`` (0–10), ``weight``;
- risks: ``option_id, risk, probability, impact_gbp`` (optional ``year``);
- settings: appraisal years, discount rate, price base year (``AppraisalSettings``).

Steps: discounting (``discount_factors``, ``present_value``), optimism bias
(``OPTIMISM_BIAS``), net present value against the status quo with risk
adjustment and payback (``yearly_flows``, ``npv_table``), multi-criteria
analysis (``mca``), the combined ranking and preferred option
(``combined_ranking``, ``preferred_option``), sensitivity (``switching_value``,
``tornado``, ``monte_carlo``), the equality check (``equality_check``) and the
sourcing plan against the seed's Implement activities (``sourcing_plan``).
``appraise`` ties them together. Every rule is a documented module-level table.

Sign convention: costs and benefits are entered as positive amounts; net
benefit = benefits − costs. A negative ``vat`` or ``business_rates`` amount is
a saving (e.g. rate relief for a charitable trust).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wcc_analysis.core.text import money_k, ordinal
from wcc_analysis.core.vocabulary import (
    BENEFITS,
    CASHFLOW_ITEMS as ITEMS,
    COSTS,
    IMPLEMENT_ACTIVITIES,
    ONE_OFF_COSTS,
    OPTION_GROUPS,
    OPTION_IDS,
    OPTION_LABELS,
    STATUS_QUO,
)

# ---------------------------------------------------------------------------
# Options, items and settings
# ---------------------------------------------------------------------------

#: Green Book social time preference rate (real), years 0–30. For appraisal periods
#: beyond 30 years the Green Book's declining schedule (3.0 % for years 31–75) applies;
#: this module uses one constant rate, which is right for the default 10-year period.
STPR = 0.035
DEFAULT_YEARS = 10

CASHFLOW_COLUMNS = ["option_id", "year", "item", "amount_gbp", "low_pct", "high_pct"]
SCORE_COLUMNS = ["option_id", "criterion", "score", "weight"]
RISK_COLUMNS = ["option_id", "risk", "probability", "impact_gbp"]
IMPACT_COLUMNS = ["option_id", "group_affected", "impact", "mitigation"]
PLAN_COLUMNS = ["option_id", "activity", "start", "end", "owner"]


@dataclass(frozen=True)
class AppraisalSettings:
    """Appraisal period (years after year 0), real discount rate (a fraction: 0.035 = 3.5 %) and price base year."""

    years: int = DEFAULT_YEARS
    discount_rate: float = STPR
    price_base_year: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.years, bool) or not float(self.years).is_integer() or int(self.years) < 1:
            raise ValueError(f"appraisal years must be a whole number of at least 1, not {self.years!r}")
        object.__setattr__(self, "years", int(self.years))
        _check_rate(self.discount_rate)
        object.__setattr__(self, "discount_rate", float(self.discount_rate))
        if self.price_base_year is not None:
            if not float(self.price_base_year).is_integer():
                raise ValueError(f"price base year must be a year such as 2025, not {self.price_base_year!r}")
            object.__setattr__(self, "price_base_year", int(self.price_base_year))


#: Keys a settings mapping may use (config or a row of appraisal_settings.csv): key → meaning.
SETTINGS_KEYS: dict[str, str] = {
    "years": "appraisal years", "appraisal_years": "appraisal years",
    "discount_rate": "real discount rate as a fraction (0.035)",
    "discount_rate_pct": "real discount rate in per cent (3.5)",
    "price_base_year": "price base year",
    "service_id": "ignored (metadata)", "data_status": "ignored (metadata)", "source": "ignored (metadata)",
}


def _check_rate(rate: float) -> None:
    if rate is None or isinstance(rate, bool) or pd.isna(rate):
        raise ValueError(f"discount rate must be a number, not {rate!r}")
    if rate < 0:
        raise ValueError(f"discount rate must be 0 or more, not {rate!r}")
    if rate >= 1:
        raise ValueError(f"discount rate {rate!r} looks like a percentage: give it as a fraction (0.035 for 3.5 %)")


def appraisal_settings(settings: AppraisalSettings | Mapping | None = None) -> AppraisalSettings:
    """Settings from None (Green Book defaults), an ``AppraisalSettings`` or a mapping (``SETTINGS_KEYS``)."""
    if settings is None:
        return AppraisalSettings()
    if isinstance(settings, AppraisalSettings):
        return settings
    unknown = sorted(set(settings) - set(SETTINGS_KEYS))
    if unknown:
        raise ValueError(f"unknown appraisal settings {unknown}; use {sorted(SETTINGS_KEYS)}")

    def given(key: str) -> bool:
        value = settings.get(key)
        return value is not None and not (isinstance(value, float) and math.isnan(value))

    kwargs: dict = {}
    for key in ("years", "appraisal_years"):
        if given(key):
            kwargs["years"] = settings[key]
    if given("discount_rate") and given("discount_rate_pct"):
        raise ValueError("give discount_rate (fraction) or discount_rate_pct (per cent), not both")
    if given("discount_rate"):
        kwargs["discount_rate"] = float(settings["discount_rate"])
    elif given("discount_rate_pct"):
        pct = float(settings["discount_rate_pct"])
        if pct < 0:
            raise ValueError(f"discount rate must be 0 or more, not {pct!r} %")
        kwargs["discount_rate"] = pct / 100.0
    if given("price_base_year"):
        kwargs["price_base_year"] = settings["price_base_year"]
    return AppraisalSettings(**kwargs)


def _check_options(ids: Iterable, where: str) -> None:
    unknown = sorted({str(o) for o in ids} - set(OPTION_IDS))
    if unknown:
        raise ValueError(f"{where}: unknown option id(s) {unknown}; use one of {list(OPTION_IDS)}")


def _check_option(option_id: str) -> None:
    _check_options([option_id], "option")


def _check_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing} (columns: {list(frame.columns)})")


def _one_service(frame: pd.DataFrame, what: str) -> None:
    if "service_id" in frame.columns and frame["service_id"].nunique(dropna=True) > 1:
        raise ValueError(f"{what}: rows for several services {sorted(frame['service_id'].dropna().unique())}; appraise one at a time")


def _ordered(option_ids: Iterable[str]) -> list[str]:
    present = set(option_ids)
    return [o for o in OPTION_IDS if o in present]


# ---------------------------------------------------------------------------
# Discounting
# ---------------------------------------------------------------------------


def _check_years(years: Sequence) -> list[int]:
    out = []
    for y in years:
        if y is None or pd.isna(y) or not float(y).is_integer():
            raise ValueError(f"years must be whole numbers, not {y!r}")
        if y < 0:
            raise ValueError(f"year {y} is negative: year 0 is now, 1 is next year")
        out.append(int(y))
    if any(b <= a for a, b in zip(out, out[1:])):
        raise ValueError(f"years must be in increasing order without repeats, not {out}")
    return out


def discount_factors(years: int | Sequence[int], rate: float = STPR) -> pd.Series:
    """Green Book discount factors 1 / (1 + rate)^t, indexed by year.

    ``years``: the appraisal period N (gives years 0..N) or the years
    themselves (whole, non-negative, increasing). ``rate`` is a real rate as a
    fraction (default 0.035, the STPR); a negative rate is a ValueError.
    """
    _check_rate(rate)
    ys = list(range(int(years) + 1)) if isinstance(years, (int, np.integer)) else _check_years(list(years))
    return pd.Series([1.0 / (1.0 + rate) ** y for y in ys], index=pd.Index(ys, name="year"), name="discount_factor")


def present_value(flows_by_year: pd.Series | Mapping[int, float] | Sequence[float], rate: float = STPR) -> float:
    """Σ flow_t / (1 + rate)^t. Flows keyed by year (Series index or mapping, increasing) or a list for years 0, 1, 2…"""
    if isinstance(flows_by_year, pd.Series):
        years, flows = list(flows_by_year.index), list(flows_by_year.to_numpy(dtype=float))
    elif isinstance(flows_by_year, Mapping):
        years, flows = list(flows_by_year.keys()), [float(v) for v in flows_by_year.values()]
    else:
        flows = [float(v) for v in flows_by_year]
        years = list(range(len(flows)))
    factors = discount_factors(_check_years(years), rate)
    return float(np.dot(factors.to_numpy(), np.asarray(flows, dtype=float)))


# ---------------------------------------------------------------------------
# Optimism bias
# ---------------------------------------------------------------------------

OPTIMISM_BIAS_SOURCE = (
    "HM Treasury, Supplementary Green Book Guidance: Optimism Bias (2003), from Mott MacDonald (2002), "
    "Review of Large Public Procurement in the UK, Table 1 (recommended adjustment ranges)"
)

#: Mott MacDonald (2002) Table 1, as quoted in the HM Treasury supplementary guidance:
#: project type → (upper bound, lower bound, what the uplift applies to). Fractions.
OPTIMISM_BIAS_BOUNDS: dict[str, tuple[float, float, str]] = {
    "Standard buildings": (0.24, 0.02, "capital expenditure"),
    "Non-standard buildings": (0.51, 0.04, "capital expenditure"),
    "Equipment/development": (2.00, 0.10, "capital expenditure"),
    "Outsourcing": (0.41, 0.00, "operating expenditure"),
}

#: Cost items optimism bias may apply to. VAT and business rates are set by tax rules, not
#: estimated, so carry no uplift; benefits are never uplifted (uncertainty in savings, income
#: and social value is handled by the Monte Carlo ranges and the switching values).
OPTIMISM_ITEMS: tuple[str, ...] = ("transition", "tupe", "pension", "running")

#: Options whose running costs are paid to another body under a contract or agreement (a
#: company, contractor, partner council, trust, mutual, community group or parish): the
#: Outsourcing OPEX row of the table applies. Not the status quo (out-turn, not an estimate),
#: in-house transformation (the table gives no OPEX figure for in-house change) or closure
#: (residual costs only).
CONTRACTED_OPTIONS: tuple[str, ...] = tuple(
    o for o in OPTION_IDS if o not in (STATUS_QUO, "in_house_transformation", "closure")
)


def optimism_bias_table(running: float = 0.41, one_off: float = 0.10) -> dict[str, dict[str, float]]:
    """An optimism-bias table in the shape of ``OPTIMISM_BIAS`` with other uplifts (fractions).

    ``running`` applies to running costs of ``CONTRACTED_OPTIONS``; ``one_off``
    to transition, TUPE and pension costs of every option but the status quo.
    E.g. ``optimism_bias_table(running=0.0)`` is the lower bounds throughout.
    """
    table: dict[str, dict[str, float]] = {}
    for option in OPTION_IDS:
        if option == STATUS_QUO:
            table[option] = {item: 0.0 for item in OPTIMISM_ITEMS}
            continue
        table[option] = {item: float(one_off) for item in ONE_OFF_COSTS}
        table[option]["running"] = float(running) if option in CONTRACTED_OPTIONS else 0.0
    return _check_optimism(table)


#: Default optimism-bias uplifts: option id → {cost item: uplift as a fraction}. Source:
#: ``OPTIMISM_BIAS_SOURCE``; the bounds are ``OPTIMISM_BIAS_BOUNDS``.
#:
#: - status quo: 0 % (its costs are current out-turn, not estimates);
#: - transition, TUPE and pension (one-off) for every other option: 10 %, the
#:   Equipment/development LOWER bound. These are mostly staff, legal, actuarial and
#:   mobilisation costs quoted by advisers, far from the bespoke development the 200 %
#:   upper bound was observed on;
#: - running costs of ``CONTRACTED_OPTIONS`` (arm's-length company, the Buy and Share
#:   options, both joint ventures, community transfer, mutualisation, devolve to parish):
#:   41 %, the Outsourcing OPEX UPPER bound, because without project evidence the guidance
#:   says to start from the upper bound;
#: - running costs of in-house transformation and closure: 0 % (no OPEX row applies).
#:
#: Upper bounds apply at an early (strategic outline) stage; the uplift should fall towards
#: the lower bound as evidence firms up (market engagement, tendered prices, signed heads of
#: terms), and as risks are quantified separately in the risk register, to avoid counting
#: them twice. Override with a mapping (``npv_table(..., optimism=...)``) or
#: ``optimism_bias_table(running=..., one_off=...)``.
OPTIMISM_BIAS: dict[str, dict[str, float]] = {}  # filled below, once _check_optimism exists

#: No uplift anywhere (for worked examples, or once every risk is priced in the risk register).
ZERO_OPTIMISM_BIAS: dict[str, dict[str, float]] = {}


def _check_optimism(table: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    _check_options(table.keys(), "optimism bias")
    out: dict[str, dict[str, float]] = {}
    for option, items in table.items():
        bad = sorted(set(items) - set(OPTIMISM_ITEMS))
        if bad:
            raise ValueError(
                f"optimism bias for {option}: item(s) {bad} cannot be uplifted; use {list(OPTIMISM_ITEMS)}"
            )
        for item, uplift in items.items():
            if uplift is None or pd.isna(uplift) or not 0 <= float(uplift) <= 2.0:
                raise ValueError(
                    f"optimism bias for {option} {item} must be a fraction from 0 to 2 (0.41 = 41 %), not {uplift!r}"
                )
        out[str(option)] = {str(i): float(u) for i, u in items.items()}
    return out


OPTIMISM_BIAS.update(optimism_bias_table(running=0.41, one_off=0.10))
ZERO_OPTIMISM_BIAS.update(optimism_bias_table(running=0.0, one_off=0.0))


def effective_optimism(optimism: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, dict[str, float]]:
    """``OPTIMISM_BIAS`` with ``optimism`` merged over it item by item (an override replaces only the items it names)."""
    merged = {o: dict(items) for o, items in OPTIMISM_BIAS.items()}
    for option, items in _check_optimism(optimism or {}).items():
        merged.setdefault(option, {}).update(items)
    return merged


# ---------------------------------------------------------------------------
# Cash flows, NPV against the status quo
# ---------------------------------------------------------------------------


def _clean_cashflows(cashflows: pd.DataFrame, settings: AppraisalSettings) -> pd.DataFrame:
    _check_columns(cashflows, CASHFLOW_COLUMNS, "cash flows")
    _one_service(cashflows, "cash flows")
    rows = cashflows[CASHFLOW_COLUMNS].copy()
    _check_options(rows["option_id"], "cash flows")
    bad_items = sorted(set(rows["item"].astype(str)) - set(ITEMS))
    if bad_items:
        raise ValueError(f"cash flows: unknown item(s) {bad_items}; costs are {list(COSTS)}, benefits {list(BENEFITS)}")
    years = pd.to_numeric(rows["year"], errors="coerce")
    if years.isna().any() or not (years == years.round()).all():
        raise ValueError(f"cash flows: year must be a whole number, not {rows.loc[years.isna() | (years != years.round()), 'year'].tolist()}")
    if (years < 0).any():
        raise ValueError(f"cash flows: negative year(s) {sorted(years[years < 0].astype(int).unique())}; year 0 is now")
    if (years > settings.years).any():
        beyond = sorted(years[years > settings.years].astype(int).unique())
        raise ValueError(f"cash flows: year(s) {beyond} beyond the appraisal period of {settings.years} years")
    rows["year"] = years.astype(int)
    rows["amount_gbp"] = pd.to_numeric(rows["amount_gbp"], errors="coerce")
    if rows["amount_gbp"].isna().any():
        raise ValueError("cash flows: every row needs an amount_gbp")
    if STATUS_QUO not in set(rows["option_id"]):
        raise ValueError("cash flows: no status_quo rows; every option is appraised against the status quo")
    order = {o: i for i, o in enumerate(OPTION_IDS)}
    rows["_order"] = rows["option_id"].map(order)
    rows["_item"] = rows["item"].map({i: n for n, i in enumerate(ITEMS)})
    rows = rows.sort_values(["_order", "year", "_item"], kind="stable").drop(columns=["_order", "_item"])
    return rows.reset_index(drop=True)


def _priced(rows: pd.DataFrame, settings: AppraisalSettings, optimism: Mapping | None) -> pd.DataFrame:
    """Each row with its optimism uplift, signed net benefit (benefits +, costs −) and discount factor."""
    table = effective_optimism(optimism)
    out = rows.copy()
    is_cost = out["item"].isin(COSTS)
    uplift = [table.get(o, {}).get(i, 0.0) for o, i in zip(out["option_id"], out["item"])]
    # Optimism bias raises a cost estimate; it never enlarges a saving entered as a negative cost.
    out["uplift"] = np.where(is_cost & (out["amount_gbp"] > 0), uplift, 0.0)
    out["optimism_bias_gbp"] = out["amount_gbp"] * out["uplift"]
    out["cost_gbp"] = np.where(is_cost, out["amount_gbp"] + out["optimism_bias_gbp"], 0.0)
    out["benefit_gbp"] = np.where(is_cost, 0.0, out["amount_gbp"])
    out["net_gbp"] = out["benefit_gbp"] - out["cost_gbp"]
    out["discount_factor"] = 1.0 / (1.0 + settings.discount_rate) ** out["year"]
    return out


def yearly_flows(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Per option per year 0..N: costs (after optimism bias), the bias within them, benefits, net, and discounting.

    ``pv_net_vs_status_quo_gbp`` is the option's discounted net benefit minus the
    status quo's in that year; ``cumulative_pv_vs_status_quo_gbp`` its running total.
    """
    s = appraisal_settings(settings)
    priced = _priced(_clean_cashflows(cashflows, s), s, optimism)
    options = _ordered(priced["option_id"])
    grid = pd.MultiIndex.from_product([options, range(s.years + 1)], names=["option_id", "year"])
    sums = priced.groupby(["option_id", "year"])[["cost_gbp", "optimism_bias_gbp", "benefit_gbp", "net_gbp"]].sum()
    table = sums.reindex(grid, fill_value=0.0).reset_index()
    table = table.rename(columns={"cost_gbp": "costs_gbp", "benefit_gbp": "benefits_gbp"})
    table["discount_factor"] = 1.0 / (1.0 + s.discount_rate) ** table["year"]
    table["pv_net_gbp"] = table["net_gbp"] * table["discount_factor"]
    sq = table.loc[table["option_id"] == STATUS_QUO].set_index("year")["pv_net_gbp"]
    table["pv_net_vs_status_quo_gbp"] = table["pv_net_gbp"] - table["year"].map(sq)
    table["cumulative_pv_vs_status_quo_gbp"] = table.groupby("option_id", sort=False)["pv_net_vs_status_quo_gbp"].cumsum()
    return table


def _clean_risks(risks: pd.DataFrame | None, settings: AppraisalSettings) -> pd.DataFrame:
    if risks is None or risks.empty:
        return pd.DataFrame(columns=[*RISK_COLUMNS, "year"])
    _check_columns(risks, RISK_COLUMNS, "risks")
    _one_service(risks, "risks")
    rows = risks.copy()
    _check_options(rows["option_id"], "risks")
    p = pd.to_numeric(rows["probability"], errors="coerce")
    if p.isna().any() or ((p < 0) | (p > 1)).any():
        raise ValueError(f"risks: probability must be from 0 to 1 (risks {rows.loc[p.isna() | (p < 0) | (p > 1), 'risk'].tolist()})")
    rows["probability"] = p
    rows["impact_gbp"] = pd.to_numeric(rows["impact_gbp"], errors="coerce")
    if rows["impact_gbp"].isna().any():
        raise ValueError(f"risks: impact_gbp missing for {rows.loc[rows['impact_gbp'].isna(), 'risk'].tolist()}")
    year = pd.to_numeric(rows["year"], errors="coerce") if "year" in rows.columns else pd.Series(np.nan, index=rows.index)
    year = year.fillna(1)
    if not (year == year.round()).all() or (year < 0).any() or (year > settings.years).any():
        raise ValueError(f"risks: year must be a whole number from 0 to {settings.years}")
    rows["year"] = year.astype(int)
    return rows


def expected_risk(risks: pd.DataFrame | None, settings: AppraisalSettings | Mapping | None = None) -> pd.Series:
    """Present value of each option's expected risk cost Σ probability × impact, discounted at the risk's
    ``year`` (year 1 when not given), indexed by option id."""
    s = appraisal_settings(settings)
    rows = _clean_risks(risks, s)
    if rows.empty:
        return pd.Series(dtype=float, name="pv_expected_risk_gbp")
    pv = rows["probability"] * rows["impact_gbp"] / (1.0 + s.discount_rate) ** rows["year"]
    return pv.groupby(rows["option_id"]).sum().rename("pv_expected_risk_gbp")


def _payback(cumulative: Sequence[float]) -> int | None:
    """First year from which the cumulative discounted net benefit vs the status quo is ≥ 0 and stays so."""
    values = list(cumulative)
    for year in range(len(values)):
        if all(v >= -1e-9 for v in values[year:]):
            return year
    return None


NPV_COLUMNS = [
    "option_id", "label", "pv_costs_gbp", "pv_optimism_bias_gbp", "pv_benefits_gbp", "npv_gbp",
    "npv_vs_status_quo_gbp", "pv_expected_risk_gbp", "risk_adjusted_npv_gbp",
    "risk_adjusted_npv_vs_status_quo_gbp", "payback_year",
]


def npv_table(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
    risks: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Net present value of each option, and against the status quo, in £ at the price base year.

    PV costs include optimism bias (``OPTIMISM_BIAS`` merged with ``optimism``);
    ``npv_gbp`` = PV benefits − PV costs of the option's own flows;
    ``npv_vs_status_quo_gbp`` = NPV(option) − NPV(status quo).
    ``risk_adjusted_npv_gbp`` subtracts the PV of expected risk (``expected_risk``);
    ``risk_adjusted_npv_vs_status_quo_gbp`` compares that with the status quo's
    risk-adjusted NPV (so the status quo's own risks count in the comparison).
    ``payback_year``: first year from which the cumulative discounted net benefit
    against the status quo is ≥ 0 and stays ≥ 0 to the end; None if never (and for
    the status quo itself).
    """
    s = appraisal_settings(settings)
    flows = yearly_flows(cashflows, s, optimism)
    risk = expected_risk(risks, s)
    missing = sorted(set(risk.index) - set(flows["option_id"]))
    if missing:
        raise ValueError(f"risks: option(s) {missing} have risks but no cash flows")
    rows = []
    for option, group in flows.groupby("option_id", sort=False):
        df = group["discount_factor"]
        rows.append({
            "option_id": option,
            "label": OPTION_LABELS[option],
            "pv_costs_gbp": float((group["costs_gbp"] * df).sum()),
            "pv_optimism_bias_gbp": float((group["optimism_bias_gbp"] * df).sum()),
            "pv_benefits_gbp": float((group["benefits_gbp"] * df).sum()),
            "npv_gbp": float(group["pv_net_gbp"].sum()),
            "pv_expected_risk_gbp": float(risk.get(option, 0.0)),
            "payback_year": None if option == STATUS_QUO else _payback(group["cumulative_pv_vs_status_quo_gbp"]),
        })
    table = pd.DataFrame(rows)
    sq = table.set_index("option_id").loc[STATUS_QUO]
    table["npv_vs_status_quo_gbp"] = table["npv_gbp"] - sq["npv_gbp"]
    table["risk_adjusted_npv_gbp"] = table["npv_gbp"] - table["pv_expected_risk_gbp"]
    table["risk_adjusted_npv_vs_status_quo_gbp"] = table["risk_adjusted_npv_gbp"] - (sq["npv_gbp"] - sq["pv_expected_risk_gbp"])
    table["payback_year"] = _as_years(table["payback_year"])
    return table[NPV_COLUMNS]


def _as_years(values: pd.Series) -> pd.Series:
    """Whole years as Python ints, None where there is none (object dtype, so pandas keeps None)."""
    return pd.Series([None if v is None or pd.isna(v) else int(v) for v in values], index=values.index, dtype=object)


# ---------------------------------------------------------------------------
# Multi-criteria analysis
# ---------------------------------------------------------------------------


def _minmax(values: pd.Series) -> pd.Series:
    """Min–max to 0–1; all equal → 1 (nothing separates the options, so none is marked down)."""
    lo, hi = float(values.min()), float(values.max())
    if math.isclose(lo, hi, rel_tol=1e-12, abs_tol=1e-9):
        return pd.Series(1.0, index=values.index)
    return (values - lo) / (hi - lo)


def mca_detail(scores: pd.DataFrame) -> pd.DataFrame:
    """Long MCA table: each option's score per criterion normalised 0–1 (min–max across options; all equal
    → 1), the criterion weight normalised to sum 1, and the points it earns (0–100 scale)."""
    _check_columns(scores, SCORE_COLUMNS, "scores")
    _one_service(scores, "scores")
    rows = scores[SCORE_COLUMNS].copy()
    if rows.empty:
        raise ValueError("scores: no rows; score every option on every criterion")
    _check_options(rows["option_id"], "scores")
    rows["score"] = pd.to_numeric(rows["score"], errors="coerce")
    rows["weight"] = pd.to_numeric(rows["weight"], errors="coerce")
    bad = rows[rows["score"].isna() | (rows["score"] < 0) | (rows["score"] > 10)]
    if not bad.empty:
        raise ValueError(f"scores: score must be 0–10, not {bad[['option_id', 'criterion', 'score']].to_dict('records')}")
    if rows["weight"].isna().any() or (rows["weight"] < 0).any():
        raise ValueError("scores: weight must be 0 or more on every row")
    if rows.duplicated(["option_id", "criterion"]).any():
        dup = rows.loc[rows.duplicated(["option_id", "criterion"]), ["option_id", "criterion"]].to_dict("records")
        raise ValueError(f"scores: option scored twice on a criterion {dup}")
    weights = rows.groupby("criterion", sort=False)["weight"].agg(["min", "max"])
    uneven = weights.index[weights["min"] != weights["max"]].tolist()
    if uneven:
        raise ValueError(f"scores: criterion weight differs between options for {uneven}; give one weight per criterion")
    weight = weights["max"]
    if float(weight.sum()) <= 0:
        raise ValueError("scores: the criterion weights sum to 0")
    options, criteria = _ordered(rows["option_id"]), list(weight.index)
    have = set(zip(rows["option_id"], rows["criterion"]))
    gaps = [f"{o} / {c}" for o in options for c in criteria if (o, c) not in have]
    if gaps:
        raise ValueError(f"scores: missing score(s) for {gaps}; score every option on every criterion")
    rows["normalised"] = rows.groupby("criterion", sort=False)["score"].transform(_minmax)
    rows["weight_normalised"] = rows["criterion"].map(weight / weight.sum())
    rows["points"] = 100.0 * rows["weight_normalised"] * rows["normalised"]
    rows["_o"] = rows["option_id"].map({o: i for i, o in enumerate(OPTION_IDS)})
    rows["_c"] = rows["criterion"].map({c: i for i, c in enumerate(criteria)})
    return rows.sort_values(["_o", "_c"]).drop(columns=["_o", "_c"]).reset_index(drop=True)


def mca(scores: pd.DataFrame) -> pd.DataFrame:
    """Weighted multi-criteria score per option: ``mca_total`` 0–100 and ``mca_rank`` (1 = best; ties share
    the better rank), with each criterion's points as a column (``mca_detail`` shows the working)."""
    detail = mca_detail(scores)
    wide = detail.pivot(index="option_id", columns="criterion", values="points")
    wide = wide.reindex(index=_ordered(detail["option_id"]), columns=list(dict.fromkeys(detail["criterion"])))
    table = wide.reset_index()
    table.columns.name = None
    table.insert(1, "label", table["option_id"].map(OPTION_LABELS))
    table["mca_total"] = wide.sum(axis=1).to_numpy()
    table["mca_rank"] = table["mca_total"].round(9).rank(ascending=False, method="min").astype(int)
    return table


# ---------------------------------------------------------------------------
# Combined ranking and the preferred option
# ---------------------------------------------------------------------------

#: How the combined ranking is made (first to last): rule.
RANKING_RULES: tuple[tuple[str, str], ...] = (
    ("financial score", "risk-adjusted NPV vs the status quo, min–max normalised 0–1 across options (all equal → 1)"),
    ("combined score", "100 × (financial_weight × financial score + (1 − financial_weight) × MCA total / 100)"),
    ("ties", "broken by higher risk-adjusted NPV vs status quo, then higher MCA total, then the seed's option order (status quo first)"),
)


def _combine(ra_npv: np.ndarray, mca_total: np.ndarray, financial_weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Financial score, combined score and the ranking order (indices best first)."""
    lo, hi = float(ra_npv.min()), float(ra_npv.max())
    fin = np.ones_like(ra_npv) if math.isclose(lo, hi, rel_tol=1e-12, abs_tol=1e-6) else (ra_npv - lo) / (hi - lo)
    combined = 100.0 * (financial_weight * fin + (1.0 - financial_weight) * mca_total / 100.0)
    position = np.arange(len(ra_npv))
    order = np.lexsort((position, -np.round(mca_total, 9), -np.round(ra_npv, 6), -np.round(combined, 9)))
    return fin, combined, order


def combined_ranking(npv: pd.DataFrame, mca_table: pd.DataFrame | None, financial_weight: float = 0.5) -> pd.DataFrame:
    """Options ranked on value for money and the MCA together (``RANKING_RULES``); rank 1 = preferred.

    ``npv`` from ``npv_table``, ``mca_table`` from ``mca`` (None = rank on the
    financial score alone). Every option must appear in both.
    """
    if not 0 <= financial_weight <= 1:
        raise ValueError(f"financial_weight must be from 0 to 1, not {financial_weight!r}")
    cols = ["option_id", "label", "npv_vs_status_quo_gbp", "risk_adjusted_npv_vs_status_quo_gbp", "payback_year"]
    table = npv[cols].copy()
    if mca_table is None:
        table["mca_total"], table["mca_rank"], weight = 0.0, None, 1.0
    else:
        only_npv = sorted(set(table["option_id"]) - set(mca_table["option_id"]))
        only_mca = sorted(set(mca_table["option_id"]) - set(table["option_id"]))
        if only_npv or only_mca:
            raise ValueError(
                f"options must be both costed and scored: no MCA scores for {only_npv}, no cash flows for {only_mca}"
            )
        table = table.merge(mca_table[["option_id", "mca_total", "mca_rank"]], on="option_id", how="left")
        weight = financial_weight
    table = table.set_index("option_id").loc[_ordered(table["option_id"])].reset_index()
    fin, combined, order = _combine(
        table["risk_adjusted_npv_vs_status_quo_gbp"].to_numpy(float), table["mca_total"].to_numpy(float), weight
    )
    table["financial_score"] = fin
    table["combined_score"] = combined
    table = table.iloc[order].reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    table["financial_weight"] = weight
    table["payback_year"] = _as_years(table["payback_year"])
    return table


def preferred_option(combined: pd.DataFrame, settings: AppraisalSettings | Mapping | None = None) -> tuple[str, list[str]]:
    """The rank-1 option of ``combined_ranking`` and plain sentences saying why."""
    if combined.empty:
        raise ValueError("no options to choose from")
    s = appraisal_settings(settings)
    ranked = combined.sort_values("rank")
    top = ranked.iloc[0]
    option, label = str(top["option_id"]), str(top["label"])
    n = len(ranked)
    prices = f" at {s.price_base_year} prices" if s.price_base_year else ""
    horizon = f"over {s.years} years at a {s.discount_rate:.1%} real discount rate{prices}"
    w = float(top.get("financial_weight", 0.5))
    reasons = [
        f"{label} has the highest combined score ({top['combined_score']:.1f} of 100, weighting value for money "
        f"{w:.0%} and the multi-criteria analysis {1 - w:.0%})."
    ]
    if option == STATUS_QUO:
        reasons.append(f"No option improves enough on the status quo {horizon} to outweigh it.")
    else:
        ra, raw = float(top["risk_adjusted_npv_vs_status_quo_gbp"]), float(top["npv_vs_status_quo_gbp"])
        better = "better" if ra >= 0 else "worse"
        reasons.append(
            f"Its risk-adjusted net present value is {money_k(abs(ra))} {better} than the status quo {horizon} "
            f"({money_k(raw)} before expected risks)."
        )
    if top.get("mca_rank") is not None and not pd.isna(top.get("mca_rank")):
        reasons.append(
            f"It ranks {ordinal(int(top['mca_rank']))} of {n} on the multi-criteria analysis "
            f"({top['mca_total']:.1f} of 100)."
        )
    if option != STATUS_QUO:
        pb = top["payback_year"]
        reasons.append(
            f"It pays back against the status quo in year {int(pb)}." if pb is not None and not pd.isna(pb)
            else f"It does not pay back against the status quo within {s.years} years."
        )
    if n > 1:
        second = ranked.iloc[1]
        reasons.append(f"The runner-up is {second['label']} ({second['combined_score']:.1f} of 100).")
    return option, reasons


# ---------------------------------------------------------------------------
# Sensitivity
# ---------------------------------------------------------------------------


def _item_pv(cashflows: pd.DataFrame, settings: AppraisalSettings, optimism: Mapping | None, option_id: str, item: str) -> float:
    """PV of one option's item as a contribution to its net benefit (after optimism bias; costs negative)."""
    priced = _priced(_clean_cashflows(cashflows, settings), settings, optimism)
    rows = priced[(priced["option_id"] == option_id) & (priced["item"] == item)]
    return float((rows["net_gbp"] * rows["discount_factor"]).sum())


def _shifted(npv: pd.DataFrame, option_id: str, delta: float) -> np.ndarray:
    """Risk-adjusted NPV vs status quo when ``option_id``'s net PV moves by ``delta``."""
    values = npv["risk_adjusted_npv_vs_status_quo_gbp"].to_numpy(float).copy()
    is_option = (npv["option_id"] == option_id).to_numpy()
    if option_id == STATUS_QUO:
        values[~is_option] -= delta  # the baseline moves, so every other option moves the other way
    else:
        values[is_option] += delta
    return values


def _check_item(item: str) -> None:
    if item not in ITEMS:
        raise ValueError(f"unknown item {item!r}; use one of {list(ITEMS)}")


def switching_value(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None,
    option_id: str,
    item: str,
    *,
    scores: pd.DataFrame | None = None,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
    financial_weight: float = 0.5,
    lower_pct: float = -100.0,
    upper_pct: float = 500.0,
    tol_pct: float = 1e-4,
) -> float | None:
    """The % change in ``option_id``'s ``item`` amounts (every year together) at which it stops being preferred.

    The preferred option is rank 1 of ``combined_ranking`` (MCA from ``scores``;
    no scores = on risk-adjusted NPV alone). Searches [lower_pct, upper_pct]
    (default −100 % to +500 %) in both directions by bisection and returns the
    change nearest zero that switches the preference, to within ``tol_pct``
    (on the switching side); None when no change in the range switches it.
    A ValueError if the option is not preferred to begin with.
    """
    s = appraisal_settings(settings)
    _check_option(option_id)
    _check_item(item)
    npv = npv_table(cashflows, s, optimism, risks)
    if option_id not in set(npv["option_id"]):
        raise ValueError(f"option {option_id!r} has no cash flows")
    mca_table = mca(scores) if scores is not None else None
    base = combined_ranking(npv, mca_table, financial_weight)
    if base.iloc[0]["option_id"] != option_id:
        raise ValueError(f"option {option_id!r} is not the preferred option ({base.iloc[0]['option_id']} is)")
    pv_item = _item_pv(cashflows, s, optimism, option_id, item)
    if pv_item == 0:
        return None
    mca_total = (
        npv["option_id"].map(mca_table.set_index("option_id")["mca_total"]).to_numpy(float)
        if mca_table is not None else np.zeros(len(npv))
    )
    weight = financial_weight if mca_table is not None else 1.0
    index = int(np.flatnonzero((npv["option_id"] == option_id).to_numpy())[0])
    # npv rows follow the seed's option order, which is also _combine's final tie-break.

    def preferred(change_pct: float) -> bool:
        _, _, order = _combine(_shifted(npv, option_id, pv_item * change_pct / 100.0), mca_total, weight)
        return int(order[0]) == index

    found = []
    for end in (upper_pct, lower_pct):
        if end == 0 or preferred(end):
            continue
        keep, switch = 0.0, float(end)
        while abs(switch - keep) > tol_pct:
            mid = (keep + switch) / 2.0
            if preferred(mid):
                keep = mid
            else:
                switch = mid
        found.append(switch)
    return min(found, key=abs) if found else None


def tornado(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None,
    option_id: str,
    items: Sequence[str],
    swing: float = 0.2,
    *,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """Risk-adjusted NPV vs the status quo with each of ``option_id``'s items in turn −swing and +swing
    (default ±20 %), widest range first. An item the option does not have has range 0."""
    s = appraisal_settings(settings)
    _check_option(option_id)
    if option_id == STATUS_QUO:
        raise ValueError("the status quo is the baseline: its NPV against itself is always 0; choose another option")
    if not 0 < swing <= 1:
        raise ValueError(f"swing must be a fraction above 0 and at most 1 (0.2 = ±20 %), not {swing!r}")
    npv = npv_table(cashflows, s, optimism, risks)
    if option_id not in set(npv["option_id"]):
        raise ValueError(f"option {option_id!r} has no cash flows")
    base = float(npv.set_index("option_id").at[option_id, "risk_adjusted_npv_vs_status_quo_gbp"])
    rows = []
    for item in items:
        _check_item(item)
        pv_item = _item_pv(cashflows, s, optimism, option_id, item)
        low, high = base - swing * pv_item, base + swing * pv_item
        rows.append({
            "item": item, "npv_at_minus_swing_gbp": low, "base_gbp": base, "npv_at_plus_swing_gbp": high,
            "range_gbp": abs(high - low), "swing_pct": 100.0 * swing,
        })
    table = pd.DataFrame(rows, columns=["item", "npv_at_minus_swing_gbp", "base_gbp", "npv_at_plus_swing_gbp", "range_gbp", "swing_pct"])
    return table.sort_values("range_gbp", ascending=False, kind="stable").reset_index(drop=True)


MONTE_CARLO_SEED = 20240401


def monte_carlo(
    cashflows: pd.DataFrame,
    settings: AppraisalSettings | Mapping | None = None,
    n: int = 2000,
    seed: int = MONTE_CARLO_SEED,
    *,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
) -> pd.DataFrame:
    """P10 / P50 / P90 of each option's risk-adjusted NPV vs the status quo over ``n`` draws.

    Each uncertain amount (``low_pct`` and ``high_pct`` given; NaN = certain) is
    drawn from a triangular distribution from (1 + low_pct/100) to
    (1 + high_pct/100) times the amount, mode = the amount; draws are
    independent between rows and the status quo is drawn in the same trial.
    Optimism bias is applied as in ``npv_table``. ``numpy.random.default_rng(seed)``
    and a fixed row order make the result identical on re-execution.
    ``prob_better_than_status_quo`` is the share of draws above 0.
    """
    s = appraisal_settings(settings)
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n!r}")
    rows = _clean_cashflows(cashflows, s)
    low = pd.to_numeric(rows["low_pct"], errors="coerce")
    high = pd.to_numeric(rows["high_pct"], errors="coerce")
    half = low.isna() != high.isna()
    if half.any():
        raise ValueError(f"cash flows: give both low_pct and high_pct or neither (rows {rows.index[half].tolist()})")
    wrong = (low > 0) | (high < 0) | (low < -100)
    if wrong.any():
        raise ValueError("cash flows: low_pct must be from −100 to 0 and high_pct 0 or more (the amount is the most likely value)")
    priced = _priced(rows, s, optimism)
    coef = (priced["net_gbp"] * priced["discount_factor"]).to_numpy(float)  # PV of each row at its amount
    uncertain = (low.notna() & (high > low)).to_numpy()
    multipliers = np.ones((n, len(rows)))
    if uncertain.any():
        rng = np.random.default_rng(seed)
        left = 1.0 + low.to_numpy(float)[uncertain] / 100.0
        right = 1.0 + high.to_numpy(float)[uncertain] / 100.0
        multipliers[:, uncertain] = rng.triangular(left, 1.0, right, size=(n, int(uncertain.sum())))
    options = _ordered(priced["option_id"])
    membership = np.zeros((len(rows), len(options)))
    membership[np.arange(len(rows)), priced["option_id"].map({o: i for i, o in enumerate(options)}).to_numpy()] = 1.0
    npv = (multipliers * coef) @ membership  # n × options
    risk = expected_risk(risks, s).reindex(options, fill_value=0.0).to_numpy(float)
    vs_sq = (npv - risk) - (npv[:, [0]] - risk[0])  # options[0] is the status quo
    p10, p50, p90 = np.percentile(vs_sq, [10, 50, 90], axis=0)
    return pd.DataFrame({
        "option_id": options,
        "label": [OPTION_LABELS[o] for o in options],
        "p10_gbp": p10, "p50_gbp": p50, "p90_gbp": p90,
        "mean_gbp": vs_sq.mean(axis=0),
        "prob_better_than_status_quo": (vs_sq > 0).mean(axis=0),
        "n": n, "seed": seed,
    })


# ---------------------------------------------------------------------------
# Equality impact
# ---------------------------------------------------------------------------

#: Options that reduce or withdraw the council's own provision: choosing one needs an equality
#: impact assessment (Public Sector Equality Duty, Equality Act 2010 s.149).
REDUCING_OPTIONS: tuple[str, ...] = ("community_transfer", "devolve_to_parish", "closure")


def equality_check(preferred: str, impacts: pd.DataFrame | None) -> dict:
    """Whether the preferred option needs an equality impact assessment, whether one is recorded, and a flag.

    Keys: ``needed``, ``present`` (impacts recorded for the option), ``flagged``
    (needed but absent), ``unmitigated`` (groups with no mitigation), ``impacts``
    (the option's rows) and ``message``.
    """
    _check_option(preferred)
    needed = preferred in REDUCING_OPTIONS
    rows = pd.DataFrame(columns=IMPACT_COLUMNS)
    if impacts is not None and not impacts.empty:
        _check_columns(impacts, IMPACT_COLUMNS, "equality impacts")
        _check_options(impacts["option_id"], "equality impacts")
        rows = impacts.loc[impacts["option_id"] == preferred, IMPACT_COLUMNS].reset_index(drop=True)
    present = not rows.empty
    blank = rows["mitigation"].isna() | rows["mitigation"].astype(str).str.strip().eq("")
    unmitigated = rows.loc[blank, "group_affected"].astype(str).tolist()
    label = OPTION_LABELS[preferred]
    if needed and not present:
        message = (
            f"FLAG: {label} reduces the council's provision but no equality impacts are recorded for it. "
            "Complete an equality impact assessment (Public Sector Equality Duty, Equality Act 2010 s.149) "
            "before a decision."
        )
    elif needed:
        message = f"{label} reduces the council's provision; {len(rows)} equality impact(s) recorded"
        message += f", {len(unmitigated)} without mitigation ({', '.join(unmitigated)})." if unmitigated else ", each with a mitigation."
    elif present:
        message = f"{label} does not reduce provision; {len(rows)} equality impact(s) are recorded all the same."
    else:
        message = f"{label} does not reduce the council's provision, so no equality impact assessment is required by this check."
    return {
        "needed": needed, "present": present, "flagged": needed and not present,
        "unmitigated": unmitigated, "impacts": rows, "message": message,
    }


# ---------------------------------------------------------------------------
# Sourcing plan (seed section 7: Implement)
# ---------------------------------------------------------------------------

def sourcing_plan(plan: pd.DataFrame | None, option_id: str) -> pd.DataFrame:
    """One option's sourcing plan sorted by start date, with ``duration_days`` (start and end days both
    counted) and a ``status`` row ``missing`` for each seed Implement activity not planned.

    An end before its start, or a date that cannot be read, is a ValueError naming the activity.
    """
    _check_option(option_id)
    columns = [*PLAN_COLUMNS, "duration_days", "seed_activity", "status"]
    if plan is None or plan.empty:
        rows = pd.DataFrame(columns=PLAN_COLUMNS)
    else:
        _check_columns(plan, PLAN_COLUMNS, "sourcing plan")
        _one_service(plan, "sourcing plan")
        _check_options(plan["option_id"], "sourcing plan")
        rows = plan.loc[plan["option_id"] == option_id, PLAN_COLUMNS].copy()
    for column in ("start", "end"):
        parsed = pd.to_datetime(rows[column], errors="coerce")
        bad = rows.loc[parsed.isna(), "activity"].tolist()
        if bad:
            raise ValueError(f"sourcing plan for {option_id}: {column} date missing or unreadable for activity {bad[0]!r}")
        rows[column] = parsed
    late = rows.loc[rows["end"] < rows["start"], "activity"].tolist()
    if late:
        raise ValueError(f"sourcing plan for {option_id}: activity {late[0]!r} ends before it starts")
    rows["duration_days"] = ((rows["end"] - rows["start"]).dt.days + 1).astype(int)
    rows["seed_activity"] = rows["activity"].isin(IMPLEMENT_ACTIVITIES)
    rows["status"] = "planned"
    rows = rows.sort_values(["start", "end", "activity"], kind="stable")
    missing = [a for a in IMPLEMENT_ACTIVITIES if a not in set(rows["activity"])]
    gaps = pd.DataFrame({
        "option_id": option_id, "activity": missing, "start": pd.NaT, "end": pd.NaT, "owner": None,
        "duration_days": None, "seed_activity": True, "status": "missing",
    }, columns=columns)
    parts = [p for p in (rows[columns], gaps) if not p.empty]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return table.reset_index(drop=True)


# ---------------------------------------------------------------------------
# The whole appraisal
# ---------------------------------------------------------------------------


@dataclass
class AppraisalResult:
    settings: AppraisalSettings
    optimism: dict[str, dict[str, float]]  # the uplifts used
    yearly: pd.DataFrame  # yearly_flows
    npv: pd.DataFrame  # npv_table
    mca: pd.DataFrame | None  # mca (None when no scores)
    combined: pd.DataFrame  # combined_ranking
    preferred: str
    reasons: list[str]
    key_input: str | None  # savings if the preferred option has any, else running
    switching_value_pct: float | None
    tornado: pd.DataFrame | None  # for the preferred option (the runner-up when the status quo is preferred)
    tornado_option: str | None
    monte_carlo: pd.DataFrame
    equality: dict
    plan: pd.DataFrame | None
    service_id: str | None = None
    narrative: list[str] = field(default_factory=list)

    def headline(self) -> dict:
        ra = self.npv.set_index("option_id")["risk_adjusted_npv_vs_status_quo_gbp"]
        mc = self.monte_carlo.set_index("option_id")
        return {
            "preferred_option": self.preferred,
            "npv_gbp_thousands": {o: round(float(v) / 1000.0, 1) for o, v in ra.items()},
            "switching_value_pct": None if self.switching_value_pct is None else round(self.switching_value_pct, 1),
            "npv_p10_gbp_thousands": round(float(mc.at[self.preferred, "p10_gbp"]) / 1000.0, 1),
            "npv_p90_gbp_thousands": round(float(mc.at[self.preferred, "p90_gbp"]) / 1000.0, 1),
        }


def _key_input(cashflows: pd.DataFrame, option_id: str) -> str | None:
    rows = cashflows[cashflows["option_id"] == option_id]
    for item in ("savings", "running"):
        if (rows.loc[rows["item"] == item, "amount_gbp"] != 0).any():
            return item
    return None


def appraise(
    cashflows: pd.DataFrame,
    scores: pd.DataFrame | None = None,
    *,
    settings: AppraisalSettings | Mapping | None = None,
    risks: pd.DataFrame | None = None,
    optimism: Mapping[str, Mapping[str, float]] | None = None,
    impacts: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    financial_weight: float = 0.5,
    tornado_items: Sequence[str] | None = None,
    swing: float = 0.2,
    n: int = 2000,
    seed: int = MONTE_CARLO_SEED,
    service_id: str | None = None,
) -> AppraisalResult:
    """The whole option appraisal for one service: everything the option-appraisal notebook shows."""
    s = appraisal_settings(settings)
    if service_id is not None:
        cashflows, scores, risks, impacts, plan = (
            f[f["service_id"] == service_id] if f is not None and "service_id" in f.columns else f
            for f in (cashflows, scores, risks, impacts, plan)
        )
    yearly = yearly_flows(cashflows, s, optimism)
    npv = npv_table(cashflows, s, optimism, risks)
    mca_table = mca(scores) if scores is not None and not scores.empty else None
    combined = combined_ranking(npv, mca_table, financial_weight)
    preferred, reasons = preferred_option(combined, s)
    key = _key_input(cashflows, preferred)
    switch = None
    if key is not None:
        switch = switching_value(cashflows, s, preferred, key, scores=scores if mca_table is not None else None,
                                 risks=risks, optimism=optimism, financial_weight=financial_weight)
    alternatives = combined.loc[combined["option_id"] != STATUS_QUO, "option_id"].tolist()
    tornado_option = preferred if preferred != STATUS_QUO else (alternatives[0] if alternatives else None)
    items = list(tornado_items) if tornado_items is not None else [
        i for i in ITEMS if tornado_option is not None and ((cashflows["option_id"] == tornado_option) & (cashflows["item"] == i)).any()
    ]
    torn = tornado(cashflows, s, tornado_option, items, swing, risks=risks, optimism=optimism) if tornado_option else None
    mc = monte_carlo(cashflows, s, n, seed, risks=risks, optimism=optimism)
    equality = equality_check(preferred, impacts)
    plan_table = sourcing_plan(plan, preferred) if plan is not None else None
    result = AppraisalResult(
        s, effective_optimism(optimism), yearly, npv, mca_table, combined, preferred, reasons, key, switch,
        torn, tornado_option, mc, equality, plan_table, service_id,
    )
    result.narrative = narrative(result)
    return result


def narrative(result: AppraisalResult) -> list[str]:
    """Short plain-English findings generated from the numbers."""
    lines = list(result.reasons)
    label = OPTION_LABELS[result.preferred]
    if result.key_input is not None:
        if result.switching_value_pct is None:
            lines.append(
                f"No change in its {result.key_input} from −100 % to +500 % makes another option preferred."
            )
        else:
            lines.append(
                f"A change of {result.switching_value_pct:+.1f} % in its {result.key_input} would make another option "
                "preferred (the switching value)."
            )
    mc = result.monte_carlo.set_index("option_id")
    if result.preferred != STATUS_QUO:
        row = mc.loc[result.preferred]
        lines.append(
            f"Across {int(row['n']):,} Monte Carlo draws, the risk-adjusted NPV of {label} against the status quo runs from "
            f"{money_k(row['p10_gbp'])} (P10) to {money_k(row['p90_gbp'])} (P90); it beats the status quo in "
            f"{row['prob_better_than_status_quo']:.0%} of draws."
        )
    lines.append(result.equality["message"])
    if result.plan is not None:
        missing = result.plan.loc[result.plan["status"] == "missing", "activity"].tolist()
        lines.append(
            "The sourcing plan covers every Implement activity in the framework." if not missing
            else f"The sourcing plan does not yet cover: {', '.join(missing)}."
        )
    return lines
