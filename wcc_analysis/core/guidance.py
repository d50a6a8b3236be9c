"""Published parameters the methods follow, each defined once with its source.

Configuration defaults (``config/services.toml``) and the analysis both read
these, so a default and the rule it comes from cannot drift apart.
"""

from __future__ import annotations

#: HM Treasury, The Green Book (2022), social time preference rate: 3.5 % real for years 0–30.
STPR_PCT = 3.5
STPR = STPR_PCT / 100
#: The appraisal period used when a council gives none (years after year 0).
DEFAULT_APPRAISAL_YEARS = 10

OPTIMISM_BIAS_SOURCE = (
    "HM Treasury, Supplementary Green Book Guidance: Optimism Bias (2003), from Mott MacDonald (2002), "
    "Review of Large Public Procurement in the UK, Table 1 (recommended adjustment ranges)"
)
#: Mott MacDonald (2002) Table 1, as quoted in the HM Treasury supplementary guidance:
#: project type → (upper bound, lower bound, what the uplift applies to). Fractions.
OPTIMISM_BIAS_BOUNDS: dict[str, tuple[float, float, str]] = {
    "Standard buildings": (0.24, 0.02, "capital expenditure"),
    "Non-standard buildings": (0.51, 0.04, "capital expenditure"),
    "Equipment/development": (2.00, 0.10, "capital expenditure"),
    "Outsourcing": (0.41, 0.00, "operating expenditure"),
}
#: Default uplift on the running costs of options delivered by another body: the Outsourcing OPEX upper bound.
OPTIMISM_BIAS_RUNNING = OPTIMISM_BIAS_BOUNDS["Outsourcing"][0]
#: Default uplift on one-off transition, TUPE and pension costs: the Equipment/development lower bound.
OPTIMISM_BIAS_ONE_OFF = OPTIMISM_BIAS_BOUNDS["Equipment/development"][1]
