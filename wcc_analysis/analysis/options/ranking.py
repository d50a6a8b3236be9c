"""The combined ranking of the options and the preferred option, with the reasons in plain English.

Green Book rule: the preferred option is the one that offers best value for
money against the status quo, judged on the risk-adjusted NPV together with
the unmonetised benefits (the MCA). The combination is the documented rule
table ``RANKING_RULES``; ``financial_weight`` sets the balance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from wcc_analysis.analysis.options._checks import _as_years, _ordered
from wcc_analysis.analysis.options.discounting import AppraisalSettings, appraisal_settings
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.text import money_k, ordinal
from wcc_analysis.core.vocabulary import STATUS_QUO

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
        raise ParameterError(f"financial_weight must be from 0 to 1, not {financial_weight!r} "
                             "(0.5 weighs value for money and the multi-criteria analysis equally)")
    cols = ["option_id", "label", "npv_vs_status_quo_gbp", "risk_adjusted_npv_vs_status_quo_gbp", "payback_year"]
    table = npv[cols].copy()
    if mca_table is None:
        table["mca_total"], table["mca_rank"], weight = 0.0, None, 1.0
    else:
        only_npv = sorted(set(table["option_id"]) - set(mca_table["option_id"]))
        only_mca = sorted(set(mca_table["option_id"]) - set(table["option_id"]))
        if only_npv or only_mca:
            raise InputTableError(
                "option scores and cash flows",
                f"options must be both costed and scored: no MCA scores for {only_npv}, no cash flows for {only_mca}",
                column="option_id",
                fix="score every costed option on every criterion, and cost every scored option (or remove its scores)",
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
        raise InputTableError("combined ranking", "no options to choose from",
                              fix="pass the table combined_ranking returns (it holds the status quo and every costed option)")
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
