"""Uncertainty in each option's NPV against business as usual: a seeded Monte Carlo run (P10 / P50 / P90).

Green Book rule (HM Treasury, The Green Book 2022, chapter 5 "Risk" and
"Sensitivity analysis"; Annex A5 "Monte Carlo analysis"): the central case is
the optimism-bias-adjusted estimate plus the expected value of each priced
risk; Monte Carlo analysis then shows the spread of outcomes when the
uncertain inputs vary together. ``UNCERTAINTY_RULES`` is the method as the
report prints it:

- one draw per uncertain item, applied to every year of that item and shared
  by every option that has it, so the years of one item move together
  (drawing each year on its own would let the years cancel out and shrink the
  spread by about √years) and the same pay, energy and demand move every
  option's running costs together; different items are drawn independently
  (a correlation between items is not modelled);
- the draw is triangular on the row's own range: (1 + low_pct/100) × the
  amount to (1 + high_pct/100) × the amount, most likely the amount itself,
  divided by its mean so that its mean is the amount (a skewed range adds no
  expected cost on top of optimism bias);
- each priced risk is one Bernoulli draw per trial (it happens: its PV impact;
  it does not: nothing), in place of its expected value;
- the ranges are around the optimism-bias-adjusted central case: no second
  uplift;
- ``numpy.random.default_rng(seed)`` and a fixed order of draws make the result
  identical on re-execution.

When business as usual is preferred its own row is 0 in every draw (it is the
baseline), so the headline reports the runner-up against it (``headline_option``).
A bad argument is a :class:`ParameterError`; bad content in the rows or risks
an :class:`InputTableError` naming the column and the rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wcc_analysis.analysis.common import require_columns
from wcc_analysis.analysis.options._checks import CASHFLOWS, RISKS, _name_rows
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.text import money_k
from wcc_analysis.core.vocabulary import OPTION_LABELS, STATUS_QUO

#: The seed of every Monte Carlo run unless another is given (the draws are reproducible from it).
MONTE_CARLO_SEED = 20240401
#: Draws per run unless another number is given.
MONTE_CARLO_DRAWS = 2000

#: Where the method comes from. Paragraph numbers as in the NPSV-era text of the Green Book consulted
#: (chapter 5: risk 5.47–5.49, sensitivity analysis 5.59–5.61; Annex A5: Monte Carlo analysis A5.21–A5.23);
#: the 2022 edition's numbering was not checked separately, so the source names the sections.
UNCERTAINTY_SOURCE = (
    "HM Treasury, The Green Book (2022): chapter 5 ('Risk'; 'Sensitivity analysis') and Annex A5 "
    "('Monte Carlo analysis')"
)

#: The uncertainty analysis, rule by rule, as the report prints it (``simulate``, ``headline_option``).
UNCERTAINTY_RULES: tuple[tuple[str, str], ...] = (
    ("central case", "each option's NPV at the optimism-bias-adjusted amounts plus the expected value "
                     "(probability × PV impact) of each of its priced risks"),
    ("one draw per item", "one draw per uncertain item (running, savings, transition …), applied to every year of "
                          "it and shared by every option that has it: the years of one item move together, and the "
                          "same pay, energy and demand move every option's running costs together; different items "
                          "are drawn independently (a correlation between items is not modelled)"),
    ("range", "triangular from (1 + low_pct/100) to (1 + high_pct/100) times each row's amount, most likely the "
              "amount itself, divided by its mean so that the mean is the amount: a skewed range widens the spread "
              "but adds no expected cost (optimism bias already carries that); a row with no range is certain"),
    ("risks", "each priced risk happens or not in each draw (Bernoulli with its probability): its PV impact "
              "when it happens, nothing otherwise — in place of its expected value"),
    ("no second uplift", "the ranges are around the optimism-bias-adjusted central case; optimism bias is not "
                         "applied again"),
    ("results", "P10, P50 and P90 of each option's NPV against business as usual over the draws (one draw in ten "
                "is below P10), the mean, and the share of draws in which it beats business as usual (NPV > 0)"),
    ("headline", "the preferred option against business as usual; when business as usual is preferred, the "
                 "runner-up (highest central NPV among the others), never business as usual against itself"),
    ("reproducible", f"numpy.random.default_rng(seed) with a fixed order of draws (seed {MONTE_CARLO_SEED} and "
                     f"{MONTE_CARLO_DRAWS:,} draws unless stated); {UNCERTAINTY_SOURCE}"),
)

ROW_COLUMNS = ["option_id", "item", "year", "pv_gbp", "low_pct", "high_pct"]
RISK_COLUMNS = ["option_id", "risk", "probability", "pv_impact_gbp"]
SIMULATION_COLUMNS = ["option_id", "central_gbp", "p10_gbp", "p50_gbp", "p90_gbp", "mean_gbp",
                      "prob_better_than_status_quo", "n", "seed"]
_ROW_NAMES = ["option_id", "item", "year"]
_RISK_NAMES = ["option_id", "risk"]


def _check_run(n: object, seed: object) -> None:
    """ParameterError unless ``n`` is a whole number of at least 1 and ``seed`` a whole number."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n must be a whole number of at least 1, not {n!r} "
                             f"(the number of Monte Carlo draws; {MONTE_CARLO_DRAWS:,} by default)")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ParameterError(f"seed must be a whole number, not {seed!r} (default {MONTE_CARLO_SEED}); "
                             "the same seed gives the same draws")


def _clean_rows(rows: pd.DataFrame, status_quo: str) -> pd.DataFrame:
    """The rows with numeric PV and range (NaN range = 0 / 0: certain), checked."""
    require_columns(rows, ROW_COLUMNS, CASHFLOWS)
    out = rows[ROW_COLUMNS].copy().reset_index(drop=True)
    pv = pd.to_numeric(out["pv_gbp"], errors="coerce")
    if pv.isna().any():
        raise InputTableError(CASHFLOWS, "pv_gbp missing or not a number (option / item / year: "
                                         f"{_name_rows(out, pv.isna(), _ROW_NAMES)})", column="pv_gbp",
                              fix="give every row its present value in £ (0 if nothing is spent or gained)")
    low = pd.to_numeric(out["low_pct"], errors="coerce")
    high = pd.to_numeric(out["high_pct"], errors="coerce")
    half = low.isna() != high.isna()
    if half.any():
        column = "low_pct" if low[half].isna().iloc[0] else "high_pct"
        raise InputTableError(CASHFLOWS, "give both low_pct and high_pct or neither (option / item / year: "
                                         f"{_name_rows(out, half, _ROW_NAMES)})", column=column,
                              fix="fill in the missing end of the range, or leave both blank for a certain amount")
    for column, bad, rule in (
        ("low_pct", low > 0, "low_pct must be 0 or less (the amount is the most likely value)"),
        ("low_pct", low < -100, "low_pct must be −100 or more (an amount cannot fall by more than all of it)"),
        ("high_pct", high < 0, "high_pct must be 0 or more (the amount is the most likely value)"),
    ):
        if bad.any():
            raise InputTableError(CASHFLOWS, f"{rule} (option / item / year: {_name_rows(out, bad, _ROW_NAMES)})",
                                  column=column,
                                  fix="give the range as per cent changes around the amount, e.g. low_pct −10 "
                                      "and high_pct 20")
    if status_quo not in set(out["option_id"]):
        raise InputTableError(CASHFLOWS, f"no {status_quo} rows; every option is compared with business as usual",
                              column="option_id", fix=f"add business as usual's rows (option_id {status_quo})")
    out["pv_gbp"] = pv.astype(float)
    out["low_pct"] = low.fillna(0.0).astype(float)
    out["high_pct"] = high.fillna(0.0).astype(float)
    return out


def _clean_risks(risks: pd.DataFrame | None, options: list[str]) -> pd.DataFrame:
    """The priced risks with numeric probability and PV impact, checked; empty when there are none."""
    if risks is None or len(risks) == 0:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("probability", "pv_impact_gbp") else object)
                             for c in RISK_COLUMNS})
    require_columns(risks, RISK_COLUMNS, RISKS)
    out = risks[RISK_COLUMNS].copy().reset_index(drop=True)
    p = pd.to_numeric(out["probability"], errors="coerce")
    bad = p.isna() | (p < 0) | (p > 1)
    if bad.any():
        raise InputTableError(RISKS, f"probability must be from 0 to 1 (option / risk: "
                                     f"{_name_rows(out, bad, _RISK_NAMES)})", column="probability",
                              fix="give each risk's likelihood as a fraction (0.25 = a one-in-four chance)")
    impact = pd.to_numeric(out["pv_impact_gbp"], errors="coerce")
    if impact.isna().any():
        raise InputTableError(RISKS, f"pv_impact_gbp missing or not a number (option / risk: "
                                     f"{_name_rows(out, impact.isna(), _RISK_NAMES)})", column="pv_impact_gbp",
                              fix="give each risk's present-value cost in £ if it happens")
    orphan = ~out["option_id"].isin(options)
    if orphan.any():
        raise InputTableError(RISKS, f"a risk on an option with no cash flows (option / risk: "
                                     f"{_name_rows(out, orphan, _RISK_NAMES)})", column="option_id",
                              fix="add that option's cash flows, or remove its risks")
    out["probability"] = p.astype(float)
    out["pv_impact_gbp"] = impact.astype(float)
    return out


def _triangular(u: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution from ``left`` to ``right`` with mode 1, at ``u`` (0–1).

    ``u`` is n × terms; ``left`` and ``right`` one per term. A term with no width (a certain amount) is 1.
    """
    width = right - left
    below = 1.0 - left  # mode − left
    above = right - 1.0  # right − mode
    share_below = np.divide(below, width, out=np.zeros_like(width), where=width > 0)  # CDF at the mode
    rising = left + np.sqrt(u * width * below)
    falling = right - np.sqrt((1.0 - u) * width * above)
    draws = np.where(u < share_below, rising, falling)
    return np.where(width > 0, draws, 1.0)


def simulate(
    rows: pd.DataFrame,
    risks: pd.DataFrame | None = None,
    n: int = MONTE_CARLO_DRAWS,
    seed: int = MONTE_CARLO_SEED,
    status_quo: str = STATUS_QUO,
) -> pd.DataFrame:
    """P10 / P50 / P90, mean and chance of beating business as usual of each option's NPV against it.

    ``rows``: one row per option, item and year — ``option_id, item, year, pv_gbp, low_pct, high_pct``;
    ``pv_gbp`` is the row's signed present-value contribution to the option's economic NPV at the central
    case, already after optimism bias (costs negative, benefits positive); ``low_pct`` / ``high_pct`` its
    range in % around the amount (NaN = certain). ``risks``: ``option_id, risk, probability,
    pv_impact_gbp`` (the PV of the impact if it happens; positive = a cost).

    ``central_gbp`` is the NPV against ``status_quo`` at the central case, which includes each risk's
    expected value (probability × PV impact). Each draw takes one triangular multiplier per uncertain item —
    the same for all its years and every option that has it, each row on its own range, re-centred to mean 1 —
    and one Bernoulli outcome per risk in place of its expected value; different items are drawn
    independently (a correlation between items is not modelled). ``UNCERTAINTY_RULES`` states the method. The status quo comes first (all zeros:
    it is the baseline), then the other options in the order they first appear in ``rows``.
    Reproducible: ``numpy.random.default_rng(seed)``; the item draws come first, in the order the
    items first appear, then the risks in their table order.
    """
    _check_run(n, seed)
    clean = _clean_rows(rows, status_quo)
    options = [status_quo, *(o for o in pd.unique(clean["option_id"]) if o != status_quo)]
    priced = _clean_risks(risks, options)
    column = {o: i for i, o in enumerate(options)}

    # Rows of one (option, item) with the same range share one multiplier, so they add up into one term.
    terms = clean.groupby(["option_id", "item", "low_pct", "high_pct"], sort=False, as_index=False,
                          dropna=False)["pv_gbp"].sum()
    left = 1.0 + terms["low_pct"].to_numpy(float) / 100.0
    right = 1.0 + terms["high_pct"].to_numpy(float) / 100.0
    uncertain = right > left
    # one draw per item, shared by every option that has it: the same pay, energy and demand drive the running costs
    # of every option, so they move together
    groups = terms["item"].astype(str).reset_index(drop=True)
    drawn = list(dict.fromkeys(groups[uncertain]))  # uncertain items, in first-seen order
    rng = np.random.default_rng(int(seed))
    u_items = rng.random((n, len(drawn)))
    u_risks = rng.random((n, len(priced)))

    term_option = terms["option_id"].map(column).to_numpy(int)
    pv = terms["pv_gbp"].to_numpy(float)
    certain = np.bincount(term_option[~uncertain], weights=pv[~uncertain], minlength=len(options)).astype(float)
    npv = np.tile(certain, (n, 1))
    if uncertain.any():
        index = groups[uncertain].map({g: i for i, g in enumerate(drawn)}).to_numpy(int)
        # re-centred so that its mean is 1: a skewed range must not add expected cost on top of optimism bias
        mean = (left[uncertain] + 1.0 + right[uncertain]) / 3.0
        multiplier = _triangular(u_items[:, index], left[uncertain], right[uncertain]) / mean
        weights = np.zeros((int(uncertain.sum()), len(options)))
        weights[np.arange(len(index)), term_option[uncertain]] = pv[uncertain]
        npv += multiplier @ weights
    central = np.bincount(term_option, weights=pv, minlength=len(options)).astype(float)
    if len(priced):
        risk_option = priced["option_id"].map(column).to_numpy(int)
        probability = priced["probability"].to_numpy(float)
        impact = priced["pv_impact_gbp"].to_numpy(float)
        central -= np.bincount(risk_option, weights=probability * impact, minlength=len(options))
        weights = np.zeros((len(priced), len(options)))
        weights[np.arange(len(priced)), risk_option] = impact
        npv -= (u_risks < probability).astype(float) @ weights

    against = npv - npv[:, [0]]  # options[0] is business as usual
    against[:, 0] = 0.0
    p10, p50, p90 = np.percentile(against, [10, 50, 90], axis=0)
    return pd.DataFrame({
        "option_id": options,
        "central_gbp": central - central[0],
        "p10_gbp": p10, "p50_gbp": p50, "p90_gbp": p90,
        "mean_gbp": against.mean(axis=0),
        "prob_better_than_status_quo": (against > 0).mean(axis=0),
        "n": int(n), "seed": int(seed),
    }, columns=SIMULATION_COLUMNS)


def _check_in(table: pd.DataFrame, option: str, what: str) -> None:
    """ParameterError unless ``option`` has a row in the simulation ``table``."""
    require_columns(table, SIMULATION_COLUMNS, "Monte Carlo results")
    if option not in set(table["option_id"]):
        raise ParameterError(f"{what} {option!r} is not in the Monte Carlo results; choose one of "
                             f"{table['option_id'].tolist()}")


def headline_option(preferred: str, table: pd.DataFrame, status_quo: str = STATUS_QUO,
                    candidates: Sequence[str] | None = None) -> str:
    """The option the headline range reports: ``preferred``, or when business as usual is preferred the
    runner-up — the highest ``central_gbp`` among the other options that could be preferred (``candidates``;
    default every simulated option; the first in the table on a tie). Business as usual itself only when there is
    no other."""
    _check_in(table, preferred, "preferred option")
    if preferred != status_quo:
        return preferred
    others = table[table["option_id"] != status_quo]
    if candidates is not None:
        others = others[others["option_id"].isin(list(candidates))]
    if others.empty:
        return status_quo
    return str(others.loc[others["central_gbp"].idxmax(), "option_id"])


def _label(option: str) -> str:
    return OPTION_LABELS.get(option, option)


def describe(table: pd.DataFrame, option: str, status_quo: str = STATUS_QUO) -> str:
    """One sentence on ``option``'s simulated NPV against business as usual (from ``simulate``)."""
    _check_in(table, option, "option")
    row = table.set_index("option_id").loc[option]
    n, seed = int(row["n"]), int(row["seed"])
    if option == status_quo:
        return (f"{_label(option)} is the baseline, so its NPV against itself is £0 in all {n:,} draws; "
                "the range reported is the runner-up's against it.")
    share = f"{100 * float(row['prob_better_than_status_quo']):.0f} %"
    opening = f"Across {n:,} draws (seed {seed}), the NPV of “{_label(option)}” against business as usual is "
    central = f"(central case {money_k(float(row['central_gbp']))}); it beats business as usual in {share} of draws."
    if np.isclose(float(row["p10_gbp"]), float(row["p90_gbp"]), rtol=0.0, atol=0.5):
        return f"{opening}{money_k(float(row['p50_gbp']))} at P10, P50 and P90 alike {central}"
    return (f"{opening}{money_k(float(row['p10_gbp']))} at P10, {money_k(float(row['p50_gbp']))} at P50 and "
            f"{money_k(float(row['p90_gbp']))} at P90 {central}")
