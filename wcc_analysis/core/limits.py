"""The plausible range of every number that enters the product: a value outside it is refused as bad input.

Each bound is wide enough for every English council and narrow enough to catch a mistyped or corrupted value
(an extra three zeros, ``inf``, a population of 10). They are this project's judgement, written down here once
and printed with the error that uses them.
"""

from __future__ import annotations

import math

#: Any one amount of money, in £: £10 billion is more than any English council's gross annual spending (the
#: largest, a county or a metropolitan district, spends under £5 billion), so a single cash flow, budget line or
#: payment above it is a typing or file error.
MONEY_LIMIT_GBP = 10_000_000_000.0
#: The same in £ thousand, as MHCLG's outturn and budget returns publish.
MONEY_LIMIT_GBP_THOUSANDS = MONEY_LIMIT_GBP / 1_000
#: The population of one English local authority: the Isles of Scilly (about 2,100) is the smallest, Kent
#: (about 1.6 million) the largest.
POPULATION_RANGE = (1_000, 3_000_000)


def money_problem(value: float) -> str | None:
    """Why an amount in £ is not plausible (None when it is): not finite, or beyond ±:data:`MONEY_LIMIT_GBP`."""
    if not math.isfinite(value):
        return f"{value} is not a finite amount"
    if abs(value) > MONEY_LIMIT_GBP:
        return (f"£{value:,.0f} is beyond ±£{MONEY_LIMIT_GBP:,.0f}, more than any English council spends in a year "
                "(core/limits.py)")
    return None
