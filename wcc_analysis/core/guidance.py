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
#: The supplementary guidance's method: start from the upper bound of the project type and reduce it by the share of
#: the contributory factors the project has mitigated, with evidence: uplift = lower + (start − lower) × (1 − m),
#: m = Σ factor share × share mitigated (which is upper × (1 − m) where the lower bound is 0).
OPTIMISM_BIAS_METHOD = ("start from the recommended upper bound of the cost's project type (an early, strategic "
                        "outline estimate) and reduce it by the contributory factors the council has mitigated, with "
                        "evidence: uplift = lower bound + (start − lower bound) × (1 − mitigation), mitigation = "
                        "Σ factor's share of the bias × share of it mitigated")
#: Which project type each cost item of an option is uplifted as, where it starts, and why. The guidance has no type
#: for the running costs of an existing in-house service: the Outsourcing operating-expenditure range is the only
#: operating-cost range it gives, so every option's running costs — business as usual's too — start there, and what
#: the council knows about each (audited outturn for the current service, a tendered price for a contract) is
#: recorded as mitigation. One-off change costs (staff transfer, pensions, legal, redundancy, contract exit) are
#: mostly adviser-quoted staff and legal costs, far from the bespoke development the Equipment/development upper
#: bound (200 %) was observed on: they start at its lower bound (10 %).
OPTIMISM_BIAS_ITEMS_REASON = (
    "The supplementary guidance has no project type for the running costs of an existing in-house service. The "
    "Outsourcing operating-expenditure range (41 % to 0 %) is the only operating-cost range it gives, so every "
    "option's running costs — business as usual's too, a ten-year forecast being an estimate as well — start at its "
    "upper bound, and what the council knows about each (audited outturn for the current service, a tendered price "
    "for a contract) is recorded as mitigation. One-off change costs (staff transfer, pensions, legal, redundancy, "
    "contract exit) are mostly adviser-quoted staff and legal costs, far from the bespoke development the "
    "Equipment/development upper bound (200 %) was observed on: they start at its lower bound (10 %). This choice "
    "is this project's; config/services.toml [appraisal.optimism_bias] changes it.")
OPTIMISM_BIAS_ITEMS: dict[str, tuple[str, str]] = {
    "running": ("Outsourcing", "upper"),
    "asset_holding": ("Outsourcing", "upper"),
    "transition": ("Equipment/development", "lower"),
    "tupe": ("Equipment/development", "lower"),
    "pension": ("Equipment/development", "lower"),
    "redundancy": ("Equipment/development", "lower"),
    "contract_exit": ("Equipment/development", "lower"),
}
