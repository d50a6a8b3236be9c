"""Optimism bias: the uplifts added to each option's cost estimates.

Green Book rule (Supplementary Guidance: Optimism Bias): appraisers
systematically under-estimate costs, so estimated costs are raised by an
uplift from the recommended ranges (``OPTIMISM_BIAS_BOUNDS``), starting at the
upper bound and falling towards the lower bound as evidence firms up. Only
estimated costs are uplifted: never the status quo's out-turn, taxes or
benefits. A bad uplift table is a :class:`ParameterError`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from wcc_analysis.analysis.options._checks import _unknown_options
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.core.guidance import (  # noqa: F401 - OPTIMISM_BIAS_BOUNDS, _SOURCE are re-exported
    OPTIMISM_BIAS_BOUNDS,
    OPTIMISM_BIAS_ONE_OFF,
    OPTIMISM_BIAS_RUNNING,
    OPTIMISM_BIAS_SOURCE,
)
from wcc_analysis.core.vocabulary import ONE_OFF_COSTS, OPTION_IDS, STATUS_QUO

#: Cost items optimism bias may apply to. VAT and business rates are set by tax rules, not
#: estimated, so carry no uplift; benefits are never uplifted (uncertainty in savings, income
#: and social value is handled by the Monte Carlo ranges and the switching values).
OPTIMISM_ITEMS: tuple[str, ...] = (*ONE_OFF_COSTS, "running")

#: Options whose running costs are paid to another body under a contract or agreement (a
#: company, contractor, partner council, trust, mutual, community group or parish): the
#: Outsourcing OPEX row of the table applies. Not the status quo (out-turn, not an estimate),
#: in-house transformation (the table gives no OPEX figure for in-house change) or closure
#: (residual costs only).
CONTRACTED_OPTIONS: tuple[str, ...] = tuple(
    o for o in OPTION_IDS if o not in (STATUS_QUO, "in_house_transformation", "closure")
)


def _check_optimism(table: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """The table as plain dicts of floats; ParameterError for an unknown option or item, or an uplift outside 0–2."""
    unknown = _unknown_options(table.keys())
    if unknown:
        raise ParameterError(f"optimism bias: unknown option id(s) {unknown}; use one of {list(OPTION_IDS)}")
    out: dict[str, dict[str, float]] = {}
    for option, items in table.items():
        bad = sorted(set(items) - set(OPTIMISM_ITEMS))
        if bad:
            raise ParameterError(
                f"optimism bias for {option}: item(s) {bad} cannot be uplifted; use {list(OPTIMISM_ITEMS)}"
            )
        for item, uplift in items.items():
            if uplift is None or pd.isna(uplift) or not 0 <= float(uplift) <= 2.0:
                raise ParameterError(
                    f"optimism bias for {option} {item} must be a fraction from 0 to 2 (0.41 = 41 %), not {uplift!r}"
                )
        out[str(option)] = {str(i): float(u) for i, u in items.items()}
    return out


def optimism_bias_table(running: float = OPTIMISM_BIAS_RUNNING, one_off: float = OPTIMISM_BIAS_ONE_OFF) -> dict[str, dict[str, float]]:
    """An optimism-bias table in the shape of ``OPTIMISM_BIAS`` with other uplifts (fractions).

    ``running`` applies to running costs of ``CONTRACTED_OPTIONS``; ``one_off``
    to transition, TUPE and pension costs of every option but the status quo.
    E.g. ``optimism_bias_table(running=0.0)`` is the lower bounds throughout.
    """
    table: dict[str, dict[str, float]] = {}
    for option in OPTION_IDS:
        if option == STATUS_QUO:
            table[option] = {item: 0.0 for item in OPTIMISM_ITEMS}
            continue
        table[option] = {item: float(one_off) for item in ONE_OFF_COSTS}
        table[option]["running"] = float(running) if option in CONTRACTED_OPTIONS else 0.0
    return _check_optimism(table)


#: Default optimism-bias uplifts: option id → {cost item: uplift as a fraction}. Source:
#: ``OPTIMISM_BIAS_SOURCE``; the bounds are ``OPTIMISM_BIAS_BOUNDS``.
#:
#: - status quo: 0 % (its costs are current out-turn, not estimates);
#: - transition, TUPE and pension (one-off) for every other option: 10 %, the
#:   Equipment/development LOWER bound. These are mostly staff, legal, actuarial and
#:   mobilisation costs quoted by advisers, far from the bespoke development the 200 %
#:   upper bound was observed on;
#: - running costs of ``CONTRACTED_OPTIONS`` (arm's-length company, the Buy and Share
#:   options, both joint ventures, community transfer, mutualisation, devolve to parish):
#:   41 %, the Outsourcing OPEX UPPER bound, because without project evidence the guidance
#:   says to start from the upper bound;
#: - running costs of in-house transformation and closure: 0 % (no OPEX row applies).
#:
#: Upper bounds apply at an early (strategic outline) stage; the uplift should fall towards
#: the lower bound as evidence firms up (market engagement, tendered prices, signed heads of
#: terms), and as risks are quantified separately in the risk register, to avoid counting
#: them twice. Override with a mapping (``npv_table(..., optimism=...)``) or
#: ``optimism_bias_table(running=..., one_off=...)``.
OPTIMISM_BIAS: dict[str, dict[str, float]] = optimism_bias_table(OPTIMISM_BIAS_RUNNING, OPTIMISM_BIAS_ONE_OFF)

#: No uplift anywhere (for worked examples, or once every risk is priced in the risk register).
ZERO_OPTIMISM_BIAS: dict[str, dict[str, float]] = optimism_bias_table(running=0.0, one_off=0.0)


def effective_optimism(optimism: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, dict[str, float]]:
    """``OPTIMISM_BIAS`` with ``optimism`` merged over it item by item (an override replaces only the items it names)."""
    merged = {o: dict(items) for o, items in OPTIMISM_BIAS.items()}
    for option, items in _check_optimism(optimism or {}).items():
        merged.setdefault(option, {}).update(items)
    return merged
