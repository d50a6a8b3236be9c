"""What every report's "What this report found" box is made of: three to five plain sentences, generated from
the figures, naming services and options by name, each figure with its year, and saying ILLUSTRATIVE SAMPLE where
a sentence rests on the council's sample data. Each report object's ``findings()`` builds its own sentences; the
small helpers they share are here."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

#: How a sentence that rests on the shipped sample says so.
SAMPLE = "ILLUSTRATIVE SAMPLE, not the council's own figures"
#: The fewest and the most sentences a findings box holds.
FEWEST, MOST = 3, 5


def flagged(text: str, sample: bool) -> str:
    """``text`` as a sentence, marked as resting on the ILLUSTRATIVE SAMPLE when ``sample``."""
    text = text.strip()
    if not sample:
        return text if text.endswith(".") else text + "."
    return text.rstrip(".") + f" ({SAMPLE})."


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (up to the first full stop followed by a space)."""
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def pounds(value: float) -> str:
    """£ with two decimals below £100 (per-head figures), whole pounds above, a true minus sign."""
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}" if abs(value) < 100 else f"{sign}£{abs(value):,.0f}"


def thousands(value_k: float) -> str:
    """£ thousands to one decimal: ``thousands(-942.1)`` → "−£942.1k"."""
    sign = "−" if value_k < 0 else ""
    return f"{sign}£{abs(value_k):,.1f}k"


def financial_years(dates: Iterable) -> str:
    """The financial year(s) (April to March) that ``dates`` fall in: "2024-25" or "2023-24 to 2024-25"."""
    stamps = pd.to_datetime(pd.Series(list(dates)), errors="coerce").dropna()
    if stamps.empty:
        return ""
    starts = sorted({d.year if d.month >= 4 else d.year - 1 for d in stamps})
    name = [f"{y}-{str(y + 1)[2:]}" for y in (starts[0], starts[-1])]
    return name[0] if name[0] == name[1] else f"{name[0]} to {name[1]}"


def bounded(lines: Iterable[str | None]) -> list[str]:
    """The sentences given (blanks dropped), at most :data:`MOST`; a report always has at least :data:`FEWEST`."""
    kept = [line for line in lines if line][:MOST]
    if len(kept) < FEWEST:
        raise ValueError(f"a findings box needs at least {FEWEST} sentences, got {len(kept)}: {kept}")
    return kept


__all__ = ["FEWEST", "MOST", "SAMPLE", "bounded", "financial_years", "first_sentence", "flagged", "pounds",
           "thousands"]
