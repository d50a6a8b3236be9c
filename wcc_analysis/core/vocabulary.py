"""The names every layer shares, defined once.

The commissioning framework's own terms (sourcing options, Must/Should/Nice to
Do, the cycle's phases and Implement activities), the council template's coded
values (sectors, delivery models, cash-flow items, benefit types, data status),
measure polarities, and the RAG ratings with their one colour set. Ingest
validates the council's files against these tuples, analysis computes with
them and display shows them: a new value is added here and nowhere else.
"""

from __future__ import annotations

from typing import NamedTuple

from wcc_analysis.core.errors import ParameterError

# --------------------------------------------------------------------------- the framework


class SourcingOption(NamedTuple):
    group: str  # Make / Buy / Share / Divest
    option_id: str
    label: str


#: The framework's four sourcing routes (section 5), in its order.
SOURCING_GROUPS: tuple[str, ...] = ("Make", "Buy", "Share", "Divest")

#: The framework's twelve sourcing options (section 5), in its order.
SOURCING_OPTIONS: tuple[SourcingOption, ...] = (
    SourcingOption("Make", "in_house_transformation", "In-house transformation"),
    SourcingOption("Make", "arms_length_company", "Arm's-length company"),
    SourcingOption("Buy", "outsource_private", "Outsource to private sector"),
    SourcingOption("Buy", "outsource_third_sector", "Outsource to third sector"),
    SourcingOption("Buy", "private_sector_jv", "Private sector joint venture"),
    SourcingOption("Share", "shared_services", "Shared services"),
    SourcingOption("Share", "shared_management", "Shared management"),
    SourcingOption("Share", "public_sector_jv", "Public sector joint venture"),
    SourcingOption("Divest", "community_transfer", "Transfer to community"),
    SourcingOption("Divest", "mutualisation", "Mutualisation"),
    SourcingOption("Divest", "devolve_to_parish", "Devolve to parish"),
    SourcingOption("Divest", "closure", "Closure"),
)

#: The counterfactual every option is appraised against.
STATUS_QUO = "status_quo"
#: The thirteen option ids: the status quo then the framework's twelve, in its order.
#: The do-minimum: the least change that keeps the service legal and safe. The Green Book (2022, chapter 4, "the
#: shortlist") keeps business as usual and a viable do-minimum on every shortlist as benchmarks.
DO_MINIMUM = "do_minimum"
OPTION_IDS: tuple[str, ...] = (STATUS_QUO, DO_MINIMUM, *(o.option_id for o in SOURCING_OPTIONS))
OPTION_LABELS: dict[str, str] = {
    STATUS_QUO: "Business as usual",
    DO_MINIMUM: "Do minimum",
    **{o.option_id: o.label for o in SOURCING_OPTIONS},
}
OPTION_GROUPS: dict[str, str] = {STATUS_QUO: "Business as usual", DO_MINIMUM: "Business as usual",
                                 **{o.option_id: o.group for o in SOURCING_OPTIONS}}

#: Priority setting (framework section 6): the council's category for each service.
MUST_DO, SHOULD_DO, NICE_TO_DO = "Must Do", "Should Do", "Nice to Do"
CATEGORIES: tuple[str, ...] = (MUST_DO, SHOULD_DO, NICE_TO_DO)
#: The seven criteria of the priority-setting table (section 6), as config/services.toml names them.
MARKET_MATURITY = "Market maturity"
PRIORITY_CRITERIA: tuple[str, ...] = (
    "Spend", "Potential savings", "Service quality", "Strategic significance", MARKET_MATURITY, "Customer views",
    "Risk vs reward",
)
#: Priority-setting scores and market maturity ratings.
HIGH, MEDIUM, LOW = "High", "Medium", "Low"
SCORE_LEVELS: tuple[str, ...] = (HIGH, MEDIUM, LOW)
DEFAULT_SCORE_VALUES: dict[str, int] = {HIGH: 3, MEDIUM: 2, LOW: 1}
MATURITY_RATINGS: tuple[str, ...] = SCORE_LEVELS

#: The commissioning cycle's phases (framework section 2) and the Implement activities (section 7).
CYCLE_PHASES: tuple[str, ...] = ("Analyse", "Design", "Implement", "Review")
IMPLEMENT_ACTIVITIES: tuple[str, ...] = (
    "Arranging services", "Capacity building", "Implement sourcing model", "Consultation", "Deliver to users",
)


#: The two columns of the framework's phase table (section 7): "Commissioning = policy making + sourcing".
POLICY_MAKING, SOURCING = "policy-making", "sourcing"
CYCLE_COLUMNS: tuple[str, ...] = (POLICY_MAKING, SOURCING)


class CycleActivity(NamedTuple):
    phase: str  # one of CYCLE_PHASES
    column: str  # policy-making / sourcing
    activity: str  # the seed's wording


def _phase(phase: str, policy: tuple[str, ...], sourcing: tuple[str, ...]) -> tuple[CycleActivity, ...]:
    return (*(CycleActivity(phase, POLICY_MAKING, a) for a in policy), *(CycleActivity(phase, SOURCING, a) for a in sourcing))


#: The framework's phase table (section 7, "the key activities which may be undertaken at each stage of the cycle"),
#: in its order and wording. The text copy of the seed runs the Implement and Review cells together; they are split
#: here as the Review row of benefit realisation reads (policy-making first, then the contract activities).
CYCLE_ACTIVITIES: tuple[CycleActivity, ...] = (
    *_phase("Analyse", ("Understanding the current service", "Understanding need", "Identifying priorities for action",
                        "Defining expected outcomes", "Researching alternatives"),
            ("Analysing the market", "Researching alternative service delivery models")),
    *_phase("Design", ("Gap analysis", "Service design", "Customer engagement"),
            ("Market engagement (where required)", "Option appraisal", "Sourcing plan",
             "Developing specification (if required)")),
    *_phase("Implement", ("Arranging services", "Capacity building"),
            ("Implement sourcing model", "Consultation", "Deliver to users")),
    *_phase("Review", ("Review performance", "Review impact", "Benefit realisation"),
            ("Contract governance", "Contract management", "Contract refinement & adjustment")),
)
#: Where an activity stands for a service. "not needed" is the proportionate choice the seed allows ("not all
#: activities will be carried out in every case") and needs a reason.
DONE, IN_PROGRESS, NOT_STARTED, NOT_NEEDED = "done", "in progress", "not started", "not needed"
ACTIVITY_STATUSES: tuple[str, ...] = (DONE, IN_PROGRESS, NOT_STARTED, NOT_NEEDED)

#: The conditions for successful commissioning (framework section 8, from "a recent SOLACE Publication"), in the
#: seed's order and wording; self-assessed 1 (weak) to 5 (strong).
SOLACE_CONDITIONS: tuple[str, ...] = (
    "Sound shared methodology",
    "Organisational competencies and capacity",
    "Clarity on sourcing policies",
    "Challenging scope",
    "Change and programme management – support to deliver effective projects",
    "Co-production and insight – engaging customers, customer insight and intelligence",
    "Space for innovation",
    "Evidence and logic",
    "Political leadership",
    "Financial realism",
)
SOLACE_SCORE_RANGE: tuple[int, int] = (1, 5)

# --------------------------------------------------------------------------- the council template

#: Whether a row of a council file is the council's own figure or a labelled sample.
ILLUSTRATIVE, COUNCIL = "illustrative", "council"
DATA_STATUS: tuple[str, ...] = (ILLUSTRATIVE, COUNCIL)
YES_NO: tuple[str, ...] = ("yes", "no")


def any_illustrative(*frames) -> bool:
    """True when any row of any of these tables is marked illustrative (a labelled sample, not real figures)."""
    return any(f is not None and "data_status" in f.columns and f["data_status"].eq(ILLUSTRATIVE).any() for f in frames)

#: Sectors of a provider (the provider register) and of a supplier paid (payments add two).
PRIVATE, THIRD_SECTOR, PUBLIC_SECTOR, COMMUNITY, IN_HOUSE = (
    "private", "third sector", "public sector", "community", "in-house")
PROVIDER_SECTORS: tuple[str, ...] = (PRIVATE, THIRD_SECTOR, PUBLIC_SECTOR, COMMUNITY, IN_HOUSE)
EXTERNAL_SECTORS: tuple[str, ...] = (PRIVATE, THIRD_SECTOR, PUBLIC_SECTOR, COMMUNITY)
INDIVIDUAL, UNCLASSIFIED = "individual", "unclassified"
PAYMENT_SECTORS: tuple[str, ...] = (*PROVIDER_SECTORS, INDIVIDUAL, UNCLASSIFIED)

#: How a comparator council delivers a service.
IN_HOUSE_MODEL, ARMS_LENGTH_COMPANY, TRUST_OR_THIRD_SECTOR, OUTSOURCED, SHARED_SERVICE = (
    "in-house", "arm's-length company", "trust or third sector", "outsourced", "shared service")
DELIVERY_MODELS: tuple[str, ...] = (IN_HOUSE_MODEL, ARMS_LENGTH_COMPANY, TRUST_OR_THIRD_SECTOR, OUTSOURCED, SHARED_SERVICE)
#: Delivery models that show an external market already delivers the service. An arm's-length
#: company and a shared service are public-sector vehicles: evidence for Make and Share, not maturity.
EXTERNAL_MODELS: tuple[str, ...] = (TRUST_OR_THIRD_SECTOR, OUTSOURCED)

#: Option cash-flow items that are costs (positive = money out; vat / business_rates may be negative = a saving).
COSTS: tuple[str, ...] = ("transition", "tupe", "pension", "redundancy", "contract_exit", "asset_holding", "running",
                           "vat", "business_rates")
#: Option cash-flow items that are benefits (positive = value in). ``asset_disposal``: a capital receipt.
BENEFITS: tuple[str, ...] = ("savings", "income", "asset_disposal", "social_value")
CASHFLOW_ITEMS: tuple[str, ...] = COSTS + BENEFITS
#: A cash-flow item as a reader names it (option_cashflows.csv ``item``).
CASHFLOW_ITEM_LABELS: dict[str, str] = {
    "transition": "transition costs", "tupe": "TUPE transfer costs", "pension": "pension costs",
    "redundancy": "redundancy costs", "contract_exit": "contract exit costs",
    "asset_holding": "costs of holding the assets", "running": "running costs", "vat": "VAT",
    "business_rates": "business rates", "savings": "savings", "income": "income",
    "asset_disposal": "asset sale receipts", "social_value": "social value",
}


def cashflow_item_label(item: str) -> str:
    """The reader's name of an option cash-flow item (the id with spaces if it is not one of the template's)."""
    return CASHFLOW_ITEM_LABELS.get(item, item.replace("_", " "))
#: One-off costs of changing delivery model, or of closing a service (redundancy, contract exit).
ONE_OFF_COSTS: tuple[str, ...] = ("transition", "tupe", "pension", "redundancy", "contract_exit")
#: Transfers (Green Book 2022, 6.7–6.9: they move purchasing power without using resources, so are left out of the
#: net present social value): recoverable VAT; business rates (relief moves money between the council, the county,
#: the fire authority and government through the collection fund); redundancy payments (6.9: a transfer, but a
#: financial cost). Left out of the economic case and listed; counted in the financial case (the council's budget).
TRANSFER_ITEMS: tuple[str, ...] = ("vat", "business_rates", "redundancy")
#: Items that are value, not cash: never in the financial case; in the economic case only where the row cites a source.
NON_CASH_ITEMS: tuple[str, ...] = ("social_value",)
#: Residual costs a closure or divestment carries (and is expected to show).
RESIDUAL_COSTS: tuple[str, ...] = ("redundancy", "contract_exit", "asset_holding")

#: Benefits register: only cashable benefits are added up in £.
CASHABLE, NON_CASHABLE = "cashable", "non-cashable"
BENEFIT_TYPES: tuple[str, ...] = (CASHABLE, NON_CASHABLE)

# --------------------------------------------------------------------------- comparator groups

#: The area indicators a comparator model may weigh (config ``[comparators.weights]`` keys) → their names in
#: reports. They describe the area a council serves, not its spending (the tax base is net of its own support scheme).
AREA_INDICATORS: dict[str, str] = {
    "population": "population (ONS mid-year estimate)",
    "population_growth_5y_pct": "population change over five years (%, ONS mid-year estimates)",
    "density_per_km2": "people per km² (ONS mid-year estimate over land area)",
    "share_under_16": "share aged under 16 (ONS mid-year estimate)",
    "share_65_plus": "share aged 65 and over (ONS mid-year estimate)",
    "imd_score": "deprivation: IMD average score",
    "tax_base_per_head": "council tax base per head (Band D equivalents for tax-setting, net of council tax support; MHCLG Table 9)",
}

#: The transforms an area indicator may take before it is standardised (config ``[comparators.transforms]``).
INDICATOR_TRANSFORMS: tuple[str, ...] = ("log",)

#: How firmly a comparator belongs to the group across the model's variants (comparator_stability).
STABLE, MOSTLY_STABLE, COMES_AND_GOES = "stable", "mostly stable", "comes and goes"
STABILITY_READINGS: tuple[str, ...] = (STABLE, MOSTLY_STABLE, COMES_AND_GOES)

# --------------------------------------------------------------------------- measures and ratings

#: Which way a measure is better. A volume describes size and is never rated.
HIGHER, LOWER, VOLUME = "higher_is_better", "lower_is_better", "volume"
POLARITIES: tuple[str, ...] = (HIGHER, LOWER, VOLUME)
#: Polarities a target can have (a KPI or contract KPI): not volume.
TARGET_POLARITIES: tuple[str, ...] = (HIGHER, LOWER)
POLARITY_ALIASES: dict[str, str] = {
    HIGHER: HIGHER, "higher": HIGHER, LOWER: LOWER, "lower": LOWER, VOLUME: VOLUME,
}

#: A series' direction (analysis.common.TREND_RULES: the least-squares line through its last periods); "stable"
#: is the same word as the comparator reading above.
IMPROVING, WORSENING, NO_TREND = "improving", "worsening", "one period only"
TRENDS: tuple[str, ...] = (IMPROVING, STABLE, WORSENING, NO_TREND)

#: The RS/RO authority classes as a report names them ("all 164 shire districts").
AUTHORITY_CLASS_NAMES: dict[str, str] = {
    "SD": "shire districts", "UA": "unitary authorities", "MD": "metropolitan districts", "L": "London boroughs",
    "SC": "shire counties", "O": "other authorities",
}

#: RAG ratings; Grey = not assessed (no evidence), never an error.
GREEN, AMBER, RED, GREY = "Green", "Amber", "Red", "Grey"
RAGS: tuple[str, ...] = (GREEN, AMBER, RED, GREY)
#: The one colour per rating, used by badges and charts alike (white text reads on each).
RAG_COLOURS: dict[str, str] = {GREEN: "#00703c", AMBER: "#b26c00", RED: "#d4351c", GREY: "#6f777b"}


def polarity_of(value: str) -> str:
    """Normalise a polarity: ``higher_is_better``/``higher``, ``lower_is_better``/``lower`` or ``volume``."""
    key = str(value).strip().lower()
    if key not in POLARITY_ALIASES:
        raise ParameterError(f"polarity must be one of {sorted(set(POLARITY_ALIASES))}, not {value!r}")
    return POLARITY_ALIASES[key]
