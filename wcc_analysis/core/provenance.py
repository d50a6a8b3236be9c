"""What a report says about the data it used: each source, what it covers, what was used, its release.

Every report shows a "Data used" box built from :class:`SourceUse` records and
records the same records with its headline figures (key :data:`DATA_USED_KEY`),
so that the runner can say on the front page and in the manifest how old each
source is on the day of the run. Notebook outputs never contain the age (nbval
re-runs them on later days): each record carries ``period_end``, the date the
latest period it used ended, and the runner measures the age from that date.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from wcc_analysis.core.errors import ParameterError

#: The headline key under which a report records the sources it used.
DATA_USED_KEY = "data_used"
#: A source whose latest period ended more than this many days before the run is flagged as old.
STALE_AFTER_DAYS = 2 * 365

_FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class SourceUse:
    """One source as a report used it."""

    source: str  # who published what, e.g. "MHCLG revenue outturn (RS and RSX returns, multi-year time series)"
    covers: str  # the periods the shipped source holds, e.g. "2010-11 to 2024-25 (2015-16 and 2016-17 not held)"
    used: str  # what this report took from it, e.g. "2024-25, Worcester and 15 comparators"
    release: str  # the edition or release the figures come from, e.g. "time series v3.1"
    period_end: str | None  # ISO date the latest period used ended, e.g. "2025-03-31"; None: no period (not aged)
    illustrative: bool = False  # the council's own sample files, not real figures

    def __post_init__(self) -> None:
        if self.period_end is None:
            return
        try:
            date.fromisoformat(self.period_end)
        except (TypeError, ValueError):
            raise ParameterError(f"period_end must be an ISO date such as 2025-03-31, not {self.period_end!r}") from None

    def to_dict(self) -> dict:
        return asdict(self)


def financial_year_end(year: str) -> str:
    """The last day of a financial year: "2024-25" → "2025-03-31"."""
    match = _FINANCIAL_YEAR.match(str(year).strip())
    if not match:
        raise ParameterError(f"{year!r} is not a financial year such as 2024-25")
    return f"{int(match.group(1)) + 1}-03-31"


def mid_year(year: int) -> str:
    """The reference date of an ONS mid-year estimate: 2024 → "2024-06-30"."""
    return f"{int(year)}-06-30"


def age_in_days(period_end: str, on: date) -> int:
    """Days from the end of the latest period a source covers to ``on`` (the day of the run)."""
    return (on - date.fromisoformat(period_end)).days


def is_stale(period_end: str, on: date) -> bool:
    """True when the source's latest period ended more than :data:`STALE_AFTER_DAYS` before ``on``."""
    return age_in_days(period_end, on) > STALE_AFTER_DAYS
