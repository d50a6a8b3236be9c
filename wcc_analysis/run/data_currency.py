"""How old the data of a pack is on the day of the run: the manifest's ``data_currency`` and its wording.

Each notebook records, with its headline figures, the sources it used under
:data:`~wcc_analysis.core.provenance.DATA_USED_KEY`: a list of
:class:`~wcc_analysis.core.provenance.SourceUse` dicts (``source, covers, used,
release, period_end, illustrative``). The notebooks never compute an age (their
outputs must be the same on any day, for nbval); the runner does, here:

- :func:`data_currency` merges the records of every execution into one entry per
  distinct ``source`` (the same name in several reports is one source): the record
  with the newest ``period_end`` gives ``covers``, ``used``, ``release`` and
  ``period_end``; ``used_by`` lists the executions (``service/notebook``) that
  recorded it; ``illustrative`` is true when any of them said so. ``age_days`` is
  measured from ``period_end`` to the run date, ``age`` says it in whole years and
  months, ``stale`` is :func:`~wcc_analysis.core.provenance.is_stale` (more than
  two years). Entries are ordered oldest first, then by name.
- :func:`age_text` and :func:`summary` are the words the front page and the
  console use.

A record without a usable ``period_end`` is kept with ``age_days``, ``age`` and
``stale`` set to None (the front page says the period was not stated); a record
that is not a mapping with a ``source`` is ignored. Nothing here raises for a
notebook's bad record: the pack is still written.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from wcc_analysis.core.provenance import DATA_USED_KEY, STALE_AFTER_DAYS, age_in_days, is_stale
from wcc_analysis.core.text import plural

RECORD_FIELDS = ("source", "covers", "used", "release", "period_end", "illustrative")


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months; a month-end stays a month-end (31 March + 1 = 30 April)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_month_end = start.day == calendar.monthrange(start.year, start.month)[1]
    return date(year, month + 1, last if at_month_end else min(start.day, last))


def age_in_months(period_end: str | date, on: date) -> int:
    """Whole calendar months from ``period_end`` to ``on`` (negative when ``period_end`` is after ``on``)."""
    start = period_end if isinstance(period_end, date) else date.fromisoformat(period_end)
    if on < start:
        return -age_in_months(on, start)
    months = (on.year - start.year) * 12 + on.month - start.month
    while months > 0 and _add_months(start, months) > on:
        months -= 1
    return months


def age_text(period_end: str | date | None, on: date) -> str | None:
    """The age as a person says it: "1 year 8 months old", "3 years old", "less than a month old".

    None when there is no valid ``period_end``; "period not yet ended" when it is after ``on``.
    """
    start = period_end if isinstance(period_end, date) else _date(period_end)
    if start is None:
        return None
    if start > on:
        return "period not yet ended"
    months = age_in_months(start, on)
    if months == 0:
        return "less than a month old"
    years, months = divmod(months, 12)
    parts = [plural(years, "year")] if years else []
    if months:
        parts.append(plural(months, "month"))
    return " ".join(parts) + " old"


def long_date(value: str | date | None) -> str:
    """An ISO date as "31 March 2025" (the text given when it is not a date)."""
    moment = value if isinstance(value, date) else _date(value)
    if moment is None:
        return "not stated" if value in (None, "") else str(value)
    return f"{moment.day} {moment:%B %Y}"


def _execution_key(execution: Mapping[str, Any]) -> str:
    if execution.get("service") and execution.get("notebook"):
        return f"{execution['service']}/{execution['notebook']}"
    return str(execution.get("key") or execution.get("notebook") or "?")


def _records(execution: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    value = (execution.get("headline") or {}).get(DATA_USED_KEY)
    if isinstance(value, Mapping):  # a single record, not in a list
        value = [value]
    if not isinstance(value, (list, tuple)):
        return []
    return [r for r in value if isinstance(r, Mapping) and str(r.get("source") or "").strip()]


def data_currency(executions: Iterable[Mapping[str, Any]], on: date) -> list[dict[str, Any]]:
    """One entry per distinct source the executions recorded, with its age on ``on`` (the run date).

    ``executions`` are the manifest's execution dicts (``service``, ``notebook``,
    ``headline``); rules in the module docstring.
    """
    found: dict[str, list[tuple[date | None, Mapping[str, Any], str]]] = {}
    for execution in executions:
        key = _execution_key(execution)
        for record in _records(execution):
            source = " ".join(str(record["source"]).split())
            found.setdefault(source, []).append((_date(record.get("period_end")), record, key))
    out = []
    for source, uses in found.items():
        dated = [u for u in uses if u[0] is not None]
        end, newest, _ = max(dated, key=lambda u: u[0]) if dated else uses[0]
        entry = {f: newest.get(f) for f in RECORD_FIELDS}
        entry["source"] = source
        entry["illustrative"] = any(bool(record.get("illustrative")) for _, record, _ in uses)
        entry["age_days"] = age_in_days(end.isoformat(), on) if end else None
        entry["age"] = age_text(end, on) if end else None
        entry["stale"] = is_stale(end.isoformat(), on) if end else None
        entry["used_by"] = list(dict.fromkeys(key for _, _, key in uses))
        out.append(entry)
    return sorted(out, key=lambda e: (e["age_days"] is None, -(e["age_days"] or 0), e["source"]))


def stale_sources(entries: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [e for e in entries if e.get("stale")]


def summary(entries: Sequence[Mapping[str, Any]]) -> str:
    """One sentence: "2 of 9 sources are more than two years old: (1) A (latest period ended 31 March 2015); (2) B (…)."."""
    limit = "more than two years" if STALE_AFTER_DAYS == 2 * 365 else f"more than {STALE_AFTER_DAYS} days"
    if not entries:
        return "The reports in this pack did not record which data they used."
    old = stale_sources(entries)
    total = plural(len(entries), "source")
    if not old:
        return f"None of the {total} used is {limit} old." if len(entries) > 1 else f"The one source used is not {limit} old."
    described = [f"{e['source']} (latest period ended {long_date(e.get('period_end'))})" for e in old]
    # numbered when more than one: the sources' own names may hold commas and semicolons
    names = described[0] if len(described) == 1 else "; ".join(f"({i}) {d}" for i, d in enumerate(described, 1))
    verb = "is" if len(old) == 1 else "are"
    return f"{len(old)} of {total} {verb} {limit} old: {names}."
