"""Checks and small helpers the option-appraisal modules share, each defined once (private).

Option ids are checked against the framework's vocabulary: an id passed as an
argument is a :class:`~wcc_analysis.core.errors.ParameterError`, an id in a
table handed in an :class:`~wcc_analysis.core.errors.InputTableError` naming
the table. Column checks reuse :func:`wcc_analysis.analysis.common.require_columns`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from wcc_analysis.analysis.common import require_columns
from wcc_analysis.core.errors import InputTableError, ParameterError
from wcc_analysis.core.vocabulary import OPTION_IDS

#: The tables an appraisal is handed, as the analyst knows them (the council template's files).
CASHFLOWS = "option cash flows"
SCORES = "option scores"
RISKS = "option risks"
IMPACTS = "equality impacts"
PLAN = "sourcing plan"


def _unknown_options(ids: Iterable) -> list[str]:
    """The ids that are not option ids, sorted."""
    return sorted({str(o) for o in ids} - set(OPTION_IDS))


def _check_option(option_id: str) -> None:
    """ParameterError unless ``option_id`` (an argument) is an option id."""
    if _unknown_options([option_id]):
        raise ParameterError(f"unknown option id {option_id!r}; use one of {list(OPTION_IDS)}")


def _check_options(ids: Iterable, table: str) -> None:
    """InputTableError naming ``table`` when its ``option_id`` column holds an id that is not an option id."""
    unknown = _unknown_options(ids)
    if unknown:
        raise InputTableError(table, f"unknown option id(s) {unknown}", column="option_id",
                              fix=f"use the framework's option ids: {list(OPTION_IDS)}")


def _one_service(frame: pd.DataFrame, table: str) -> None:
    """InputTableError when ``table`` holds rows for more than one service."""
    if "service_id" in frame.columns and frame["service_id"].nunique(dropna=True) > 1:
        services = sorted(frame["service_id"].dropna().unique())
        raise InputTableError(table, f"rows for several services {services}", column="service_id",
                              fix="appraise one service at a time: keep one service's rows, or pass service_id to appraise")


def _option_rows(frame: pd.DataFrame | None, columns: Sequence[str], table: str) -> pd.DataFrame | None:
    """A council table of option rows checked — its columns, one service, known option ids — or None when it is not
    given or has no rows."""
    if frame is None or frame.empty:
        return None
    require_columns(frame, columns, table)
    _one_service(frame, table)
    _check_options(frame["option_id"], table)
    return frame


def _ordered(option_ids: Iterable[str]) -> list[str]:
    """The option ids present, in the framework's order (status quo first)."""
    present = set(option_ids)
    return [o for o in OPTION_IDS if o in present]


def _as_years(values: pd.Series) -> pd.Series:
    """Whole years as Python ints, None where there is none (object dtype, so pandas keeps None)."""
    return pd.Series([None if v is None or pd.isna(v) else int(v) for v in values], index=values.index, dtype=object)


def _name_rows(frame: pd.DataFrame, mask: pd.Series, columns: Sequence[str], limit: int = 5) -> str:
    """The rows where ``mask`` holds, named by ``columns`` ("closure / 1 / running; …"), at most ``limit``."""
    rows = frame.loc[mask, list(columns)]
    names = [" / ".join(str(v) for v in row) for row in rows.itertuples(index=False)]
    more = f"; and {len(names) - limit} more" if len(names) > limit else ""
    return "; ".join(names[:limit]) + more
