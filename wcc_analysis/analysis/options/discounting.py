"""Appraisal settings and discounting.

Green Book rule: costs and benefits in real terms at a price base year are
discounted at the social time preference rate (STPR, 3.5 % real for years
0–30): a flow in year t is worth 1 / (1 + rate)^t of the same flow now
(year 0). The settings are the appraisal period, the real discount rate and
the price base year; a bad setting is a :class:`ParameterError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wcc_analysis.core import guidance
from wcc_analysis.core.errors import ParameterError

#: Green Book social time preference rate (real), years 0–30. For appraisal periods
#: beyond 30 years the Green Book's declining schedule (3.0 % for years 31–75) applies;
#: this module uses one constant rate, which is right for the default 10-year period.
STPR = guidance.STPR
DEFAULT_YEARS = guidance.DEFAULT_APPRAISAL_YEARS


@dataclass(frozen=True)
class AppraisalSettings:
    """Appraisal period (years after year 0), real discount rate (a fraction: 0.035 = 3.5 %) and price base year."""

    years: int = DEFAULT_YEARS
    discount_rate: float = STPR
    price_base_year: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.years, bool) or not float(self.years).is_integer() or int(self.years) < 1:
            raise ParameterError(f"appraisal years must be a whole number of at least 1, not {self.years!r} "
                                 f"(the Green Book default period is {DEFAULT_YEARS} years)")
        object.__setattr__(self, "years", int(self.years))
        _check_rate(self.discount_rate)
        object.__setattr__(self, "discount_rate", float(self.discount_rate))
        if self.price_base_year is not None:
            if not float(self.price_base_year).is_integer():
                raise ParameterError(f"price base year must be a year such as 2025, not {self.price_base_year!r}")
            object.__setattr__(self, "price_base_year", int(self.price_base_year))


#: Keys a settings mapping may use (config or a row of appraisal_settings.csv): key → meaning.
SETTINGS_KEYS: dict[str, str] = {
    "years": "appraisal years", "appraisal_years": "appraisal years",
    "discount_rate": "real discount rate as a fraction (0.035)",
    "discount_rate_pct": "real discount rate in per cent (3.5)",
    "price_base_year": "price base year",
    "service_id": "ignored (metadata)", "data_status": "ignored (metadata)", "source": "ignored (metadata)",
}


def _check_rate(rate: float) -> None:
    """ParameterError unless ``rate`` is a real discount rate given as a fraction from 0 to below 1."""
    if rate is None or isinstance(rate, bool) or pd.isna(rate):
        raise ParameterError(f"discount rate must be a number, not {rate!r} (the Green Book rate is 0.035, i.e. 3.5 %)")
    if rate < 0:
        raise ParameterError(f"discount rate must be 0 or more, not {rate!r} (the Green Book rate is 0.035, i.e. 3.5 %)")
    if rate >= 1:
        raise ParameterError(f"discount rate {rate!r} looks like a percentage: give it as a fraction (0.035 for 3.5 %)")


def appraisal_settings(settings: AppraisalSettings | Mapping | None = None) -> AppraisalSettings:
    """Settings from None (Green Book defaults), an ``AppraisalSettings`` or a mapping (``SETTINGS_KEYS``)."""
    if settings is None:
        return AppraisalSettings()
    if isinstance(settings, AppraisalSettings):
        return settings
    unknown = sorted(set(settings) - set(SETTINGS_KEYS))
    if unknown:
        raise ParameterError(f"unknown appraisal settings {unknown}; use {sorted(SETTINGS_KEYS)}")

    def given(key: str) -> bool:
        value = settings.get(key)
        return value is not None and not (isinstance(value, float) and math.isnan(value))

    kwargs: dict = {}
    for key in ("years", "appraisal_years"):
        if given(key):
            kwargs["years"] = settings[key]
    if given("discount_rate") and given("discount_rate_pct"):
        raise ParameterError("give discount_rate (fraction) or discount_rate_pct (per cent), not both")
    if given("discount_rate"):
        kwargs["discount_rate"] = float(settings["discount_rate"])
    elif given("discount_rate_pct"):
        pct = float(settings["discount_rate_pct"])
        if pct < 0:
            raise ParameterError(f"discount rate must be 0 or more, not {pct!r} % (the Green Book rate is 3.5 %)")
        kwargs["discount_rate"] = pct / 100.0
    if given("price_base_year"):
        kwargs["price_base_year"] = settings["price_base_year"]
    return AppraisalSettings(**kwargs)


def _check_years(years: Sequence) -> list[int]:
    """The years as ints; ParameterError unless whole, non-negative and increasing."""
    out = []
    for y in years:
        if y is None or pd.isna(y) or not float(y).is_integer():
            raise ParameterError(f"years must be whole numbers, not {y!r}")
        if y < 0:
            raise ParameterError(f"year {y} is negative: year 0 is now, 1 is next year")
        out.append(int(y))
    if any(b <= a for a, b in zip(out, out[1:])):
        raise ParameterError(f"years must be in increasing order without repeats, not {out}")
    return out


def discount_factors(years: int | Sequence[int], rate: float = STPR) -> pd.Series:
    """Green Book discount factors 1 / (1 + rate)^t, indexed by year.

    ``years``: the appraisal period N (gives years 0..N) or the years
    themselves (whole, non-negative, increasing). ``rate`` is a real rate as a
    fraction (default 0.035, the STPR); a negative rate is a ParameterError.
    """
    _check_rate(rate)
    ys = list(range(int(years) + 1)) if isinstance(years, (int, np.integer)) else _check_years(list(years))
    return pd.Series([1.0 / (1.0 + rate) ** y for y in ys], index=pd.Index(ys, name="year"), name="discount_factor")


def present_value(flows_by_year: pd.Series | Mapping[int, float] | Sequence[float], rate: float = STPR) -> float:
    """Σ flow_t / (1 + rate)^t. Flows keyed by year (Series index or mapping, increasing) or a list for years 0, 1, 2…"""
    if isinstance(flows_by_year, pd.Series):
        years, flows = list(flows_by_year.index), list(flows_by_year.to_numpy(dtype=float))
    elif isinstance(flows_by_year, Mapping):
        years, flows = list(flows_by_year.keys()), [float(v) for v in flows_by_year.values()]
    else:
        flows = [float(v) for v in flows_by_year]
        years = list(range(len(flows)))
    factors = discount_factors(_check_years(years), rate)
    return float(np.dot(factors.to_numpy(), np.asarray(flows, dtype=float)))
