"""Small helpers the analysis modules share (defined once): empty tables, trend words, column checks."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.vocabulary import POLARITY_ALIASES, TARGET_POLARITIES, VOLUME, polarity_of


def empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    """A table with these columns and no rows (object columns, so None survives)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def trend_word(latest: float | None, previous: float | None, *, single: str = "one period only") -> str:
    """"improving", "worsening" or "steady" from the previous value to the latest (higher = better);
    ``single`` when there is no previous value."""
    if previous is None or latest is None or pd.isna(previous) or pd.isna(latest):
        return single
    if math.isclose(latest, previous, abs_tol=1e-9):
        return "steady"
    return "improving" if latest > previous else "worsening"


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
