"""Small helpers the analysis modules share (defined once): empty tables, the trend rule, column checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import (
    HIGHER,
    IMPROVING,
    LOWER,
    NO_TREND,
    POLARITY_ALIASES,
    STABLE,
    TARGET_POLARITIES,
    VOLUME,
    WORSENING,
    polarity_of,
)


def empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    """A table with these columns and no rows (object columns, so None survives)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


#: How many of the latest periods a trend is fitted over (the words are the vocabulary's TRENDS).
KPI_TREND_PERIODS = 4  # a KPI: its last four periods (a year of quarters)
MEASURE_TREND_YEARS = 5  # a published measure: its last five years
#: Below this slope per period (a share: of the target for a KPI, of the average level for a published measure)
#: a trend is "stable". 1 % a period: a KPI whose fitted line moves by less than 1 % of its target a quarter is
#: not changing in any way a board can act on; a published rate moving by less than 1 % of itself a year is
#: within the year-to-year noise of the DEFRA series.
TREND_TOLERANCE = 0.01


@dataclass(frozen=True)
class TrendFacts:
    """A series' fitted trend, as ``TREND_RULES`` reads it."""

    periods: int  # periods with a value in the window
    slope: float | None  # least-squares slope per period as a share of the reference level; positive = better
    tolerance: float = TREND_TOLERANCE


#: A trend word from the least-squares line through the last periods (ordinary least squares of the values on
#: the period number, in the measure's good direction), never from the last two points alone.
TREND_RULES: RuleTable[TrendFacts] = RuleTable((
    Rule(NO_TREND, "fewer than two periods with a value: no trend",
         lambda f: f.periods < 2 or f.slope is None),
    Rule(IMPROVING, f"the least-squares slope over the last periods (a KPI: its last {KPI_TREND_PERIODS}, of "
                    "performance against target as a share of the target; a published measure: its last "
                    f"{MEASURE_TREND_YEARS} years, as a share of their average) is better than +tolerance per "
                    f"period (default {TREND_TOLERANCE:.0%})", lambda f: f.slope > f.tolerance),
    Rule(WORSENING, "the slope is worse than −tolerance per period", lambda f: f.slope < -f.tolerance),
    Rule(STABLE, "otherwise: the slope is within ±tolerance per period (no published guidance sets a trend test for "
                 "KPIs or these statistics: the fitted line and its tolerance are this project's rule, stated here)",
         always),
), columns=("trend", "rule"))


@dataclass(frozen=True)
class Trend:
    """A trend word and the line behind it."""

    word: str
    slope: float | None  # per period, as a share of the reference level; positive = better
    periods: int  # periods with a value the line was fitted through

    @property
    def slope_pct(self) -> float | None:
        """The slope in per cent per period (positive = better)."""
        return None if self.slope is None else 100.0 * self.slope


def least_squares_slope(values: Sequence[float], x: Sequence[float] | None = None) -> float:
    """Ordinary least-squares slope of ``values`` on ``x`` (default 0, 1, 2, …): Σ(x−x̄)(y−ȳ) / Σ(x−x̄)²."""
    y = np.asarray(values, dtype=float)
    xs = np.arange(len(y), dtype=float) if x is None else np.asarray(x, dtype=float)
    if len(y) < 2 or len(xs) != len(y):
        raise ValueError("a least-squares slope needs at least two values and one x per value")
    dx = xs - xs.mean()
    spread = float((dx ** 2).sum())
    if spread == 0:
        raise ValueError("a least-squares slope needs at least two different x values")
    return float((dx * (y - y.mean())).sum() / spread)


def series_trend(values: Sequence[float] | pd.Series, *, periods: int = KPI_TREND_PERIODS, polarity: str = HIGHER,
                 relative_to_level: bool = False, x: Sequence[float] | None = None,
                 tolerance: float = TREND_TOLERANCE) -> Trend:
    """The trend of a series, oldest first, by ``TREND_RULES``.

    The line is fitted through the last ``periods`` entries (missing and infinite values in them left out) against
    ``x`` (default the entry's position; pass the year for a yearly series with gaps). The slope is turned so that
    positive is better (``polarity``) and, with ``relative_to_level``, divided by the average absolute value of
    the points fitted (a published measure); without it the values are already shares (a KPI's performance against
    target as a share of the target).
    """
    ys = pd.Series(list(values), dtype=float)
    xs = pd.Series(list(x) if x is not None else range(len(ys)), dtype=float)
    window = pd.DataFrame({"x": xs.to_numpy(), "y": ys.to_numpy()}).tail(int(periods))
    window = window[np.isfinite(window["y"])]
    if len(window) < 2 or window["x"].nunique() < 2:
        facts = TrendFacts(len(window), None, tolerance)
        return Trend(TREND_RULES.decide(facts), None, len(window))
    slope = least_squares_slope(window["y"], window["x"])
    if relative_to_level:
        level = float(window["y"].abs().mean())
        slope = slope / level if level else 0.0
    if polarity_of(polarity) == LOWER:
        slope = -slope
    facts = TrendFacts(len(window), slope, tolerance)
    return Trend(TREND_RULES.decide(facts), slope, len(window))


def require_columns(frame: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    """InputTableError naming the table and the missing columns, when any of ``columns`` is absent."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputTableError(table, f"missing column(s) {missing} (columns: {list(frame.columns)})",
                              column=missing[0], fix=f"give the table the columns {list(columns)}")


def file_row(rows: pd.DataFrame) -> int | None:
    """The file row (``source_row``, as the council template's loader records it) of the first of ``rows``;
    None when the table does not carry it or ``rows`` is empty."""
    if "source_row" not in rows.columns or rows.empty or pd.isna(rows["source_row"].iloc[0]):
        return None
    return int(rows["source_row"].iloc[0])


def target_polarities(rows: pd.DataFrame, table: str, noun: str, fix: str) -> pd.Series:
    """The rows' ``polarity`` normalised (``polarity_of``); an InputTableError naming the row for a volume,
    which has no better direction and so cannot be rated against a target."""
    known = rows["polarity"].astype(str).str.strip().str.lower().isin(POLARITY_ALIASES)
    if not known.all():
        bad = rows[~known]
        raise InputTableError(table, f"polarity {bad['polarity'].iloc[0]!r} is not one of {list(TARGET_POLARITIES)}",
                              row=file_row(bad), column="polarity", fix=fix)
    polarity = rows["polarity"].map(polarity_of)
    volume = rows[polarity == VOLUME]
    if len(volume):
        raise InputTableError(
            table, f"a {noun} needs a target direction: polarity volume cannot be rated against a target "
            f"(KPI {volume['kpi'].iloc[0]!r})", row=file_row(volume), column="polarity", fix=fix,
        )
    return polarity
