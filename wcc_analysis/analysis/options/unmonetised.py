"""The effects of each option that are not valued in money, and how large one would have to be to change the choice.

Green Book rule (2022, chapter 5 "Preferred option selection" and Annex A2 "non-market valuation and unmonetisable
values"): an effect that cannot be valued is still appraised — listed with its direction and size beside the
NPV, and carried into the decision. Where an option is preferred on the money alone but carries an unmonetised
disbenefit (closing the museums loses their cultural, education and visitor value), the report says how large
that disbenefit would have to be to reverse the choice: its switching value, the option's NPV margin over the
next-best option, in present value and as £ per resident a year (the margin spread evenly over the appraisal years
as an annuity at the discount rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis.options._checks import _name_rows, _option_rows
from wcc_analysis.analysis.options.discounting import AppraisalSettings
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.text import money_k
from wcc_analysis.core.vocabulary import OPTION_LABELS

EFFECTS = "unmonetised effects"
EFFECT_COLUMNS = ["option_id", "effect", "direction", "size", "who_affected", "evidence"]
BENEFIT, DISBENEFIT = "benefit", "disbenefit"
DIRECTIONS = (BENEFIT, DISBENEFIT)
SIZES = ("small", "medium", "large")


def clean(effects: pd.DataFrame | None) -> pd.DataFrame:
    """The effects checked: known options, direction benefit / disbenefit, size small / medium / large."""
    if _option_rows(effects, EFFECT_COLUMNS, EFFECTS) is None:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    rows = effects[EFFECT_COLUMNS].copy()
    for column, allowed in (("direction", DIRECTIONS), ("size", SIZES)):
        rows[column] = rows[column].astype(str).str.strip().str.lower()
        bad = ~rows[column].isin(allowed)
        if bad.any():
            raise InputTableError(EFFECTS, f"{column} must be one of {list(allowed)} (option / effect: "
                                           f"{_name_rows(rows, bad, ['option_id', 'effect'])})", column=column,
                                  fix=f"write {' or '.join(allowed)}")
    return rows.reset_index(drop=True)


def for_option(effects: pd.DataFrame, option_id: str, direction: str | None = None) -> pd.DataFrame:
    """One option's effects (optionally one direction)."""
    rows = effects[effects["option_id"] == option_id]
    return rows if direction is None else rows[rows["direction"] == direction]


def annuity_factor(settings: AppraisalSettings) -> float:
    """Σ 1/(1+r)^t for years 1..N: the PV of £1 a year over the appraisal period."""
    return sum(1.0 / (1.0 + settings.discount_rate) ** t for t in range(1, settings.years + 1))


@dataclass(frozen=True)
class SwitchingValue:
    """How large an option's unmonetised disbenefits would have to be to lose it its place."""

    option_id: str
    against: str  # the next-best option it would lose to
    margin_pv_gbp: float  # its NPV margin over that option (present value)
    per_resident_year_gbp: float | None  # the margin as £ per resident a year (None without a population)
    effects: tuple[str, ...]
    against_bau_pv_gbp: float | None = None  # its NPV against business as usual (the whole loss set against keeping it)
    against_bau_per_resident_gbp: float | None = None

    def sentence(self, settings: AppraisalSettings) -> str:
        label, other = OPTION_LABELS.get(self.option_id, self.option_id), OPTION_LABELS.get(self.against, self.against)

        def per(value: float | None) -> str:
            return "" if value is None else f", about £{value:,.2f} per resident a year over {settings.years} years"

        bau = ("" if self.against_bau_pv_gbp is None or self.against == "status_quo" else
               f" Against business as usual, which loses none of it, the bar is {money_k(self.against_bau_pv_gbp)}"
               f"{per(self.against_bau_per_resident_gbp)}.")
        return (f"{label} is preferred on the money, but it loses what the money does not count: "
                f"{'; '.join(self.effects)}. It stays ahead of {other} only if that loss — to whoever bears it "
                f"(residents, schools, visitors, businesses) — is worth less than {money_k(self.margin_pv_gbp)} in present "
                f"value{per(self.per_resident_year_gbp)} (its NPV margin).{bau}")


def switching_value(npv: pd.DataFrame, effects: pd.DataFrame, option_id: str, settings: AppraisalSettings,
                    population: float | None = None, candidates: list[str] | None = None) -> SwitchingValue | None:
    """The switching value of ``option_id``'s unmonetised disbenefits against the next-best option (of
    ``candidates``, default every other option), or None when it has none or is not ahead on the money."""
    losses = for_option(effects, option_id, DISBENEFIT)
    if losses.empty:
        return None
    ra = npv.set_index("option_id")["risk_adjusted_npv_vs_status_quo_gbp"]
    others = [o for o in (candidates or list(ra.index)) if o != option_id and o in ra.index]
    if not others or option_id not in ra.index:
        return None
    against = max(others, key=lambda o: float(ra[o]))
    margin = float(ra[option_id]) - float(ra[against])
    if margin <= 0:
        return None
    def per_resident(value: float) -> float | None:
        return None if not population else value / annuity_factor(settings) / float(population)

    bau = float(ra[option_id]) - float(ra["status_quo"]) if "status_quo" in ra.index else None
    return SwitchingValue(option_id, against, margin, per_resident(margin), tuple(losses["effect"].astype(str)),
                          bau, None if bau is None else per_resident(bau))
