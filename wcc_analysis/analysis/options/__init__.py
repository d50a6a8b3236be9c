"""Option appraisal and sourcing plan (seed section 7, Design: option appraisal, sourcing plan; Implement).

Appraisal of one service's sourcing options in the manner of HM Treasury's
Green Book: every option is compared with the status quo (business as usual,
in-house: the counterfactual). Pure functions over long tables, already
validated on ingest:

- cash flows: ``option_id, year, item, amount_gbp, low_pct, high_pct`` (real
  terms at the price base year; year 0 = now);
- scores: ``option_id, criterion, score`` (0–10), ``weight``;
- risks: ``option_id, risk, probability, impact_gbp`` (optional ``year``);
- settings: appraisal years, discount rate, price base year (``AppraisalSettings``).

One module per step:

- ``discounting``: settings, ``discount_factors``, ``present_value``;
- ``optimism_bias``: the uplifts on cost estimates (``OPTIMISM_BIAS``);
- ``npv``: net present value against the status quo with risk adjustment and
  payback (``yearly_flows``, ``expected_risk``, ``npv_table``);
- ``multi_criteria``: multi-criteria analysis (``mca``, ``mca_detail``);
- ``ranking``: the combined ranking and preferred option (``RANKING_RULES``,
  ``combined_ranking``, ``preferred_option``);
- ``sensitivity``: ``switching_value``, ``tornado``, ``monte_carlo``;
- ``plan``: the equality check and the sourcing plan against the seed's
  Implement activities (``equality_check``, ``sourcing_plan``);
- ``appraisal``: ``appraise`` ties them together, ``narrative`` states the findings.

Every rule is a documented module-level table. A bad argument or setting is a
:class:`~wcc_analysis.core.errors.ParameterError`; bad content in a table
handed in an :class:`~wcc_analysis.core.errors.InputTableError` naming the
table and column (both are ``ValueError`` s).

Sign convention: costs and benefits are entered as positive amounts; net
benefit = benefits − costs. A negative ``vat`` or ``business_rates`` amount is
a saving (e.g. rate relief for a charitable trust).
"""

from wcc_analysis.analysis.options.appraisal import AppraisalResult, appraise, narrative
from wcc_analysis.analysis.options.discounting import (
    DEFAULT_YEARS,
    SETTINGS_KEYS,
    STPR,
    AppraisalSettings,
    appraisal_settings,
    discount_factors,
    present_value,
)
from wcc_analysis.analysis.options.multi_criteria import SCORE_COLUMNS, mca, mca_detail
from wcc_analysis.analysis.options.npv import (
    CASHFLOW_COLUMNS,
    NPV_COLUMNS,
    RISK_COLUMNS,
    expected_risk,
    npv_table,
    yearly_flows,
)
from wcc_analysis.analysis.options.optimism_bias import (
    CONTRACTED_OPTIONS,
    OPTIMISM_BIAS,
    OPTIMISM_BIAS_BOUNDS,
    OPTIMISM_BIAS_SOURCE,
    OPTIMISM_ITEMS,
    ZERO_OPTIMISM_BIAS,
    effective_optimism,
    optimism_bias_table,
)
from wcc_analysis.analysis.options.plan import (
    IMPACT_COLUMNS,
    PLAN_COLUMNS,
    REDUCING_OPTIONS,
    equality_check,
    sourcing_plan,
)
from wcc_analysis.analysis.options.ranking import RANKING_RULES, combined_ranking, preferred_option
from wcc_analysis.analysis.options.sensitivity import MONTE_CARLO_SEED, monte_carlo, switching_value, tornado
from wcc_analysis.core.vocabulary import (
    BENEFITS,
    COSTS,
    IMPLEMENT_ACTIVITIES,
    ONE_OFF_COSTS,
    OPTION_GROUPS,
    OPTION_IDS,
    OPTION_LABELS,
    STATUS_QUO,
)
from wcc_analysis.core.vocabulary import (
    CASHFLOW_ITEMS as ITEMS,
)

__all__ = [
    # vocabulary (from wcc_analysis.core.vocabulary)
    "OPTION_IDS", "OPTION_LABELS", "OPTION_GROUPS", "STATUS_QUO", "COSTS", "BENEFITS", "ITEMS", "ONE_OFF_COSTS",
    "IMPLEMENT_ACTIVITIES",
    # discounting
    "STPR", "DEFAULT_YEARS", "AppraisalSettings", "SETTINGS_KEYS", "appraisal_settings", "discount_factors",
    "present_value",
    # optimism_bias
    "OPTIMISM_BIAS_SOURCE", "OPTIMISM_BIAS_BOUNDS", "OPTIMISM_ITEMS", "CONTRACTED_OPTIONS", "optimism_bias_table",
    "OPTIMISM_BIAS", "ZERO_OPTIMISM_BIAS", "effective_optimism",
    # npv
    "CASHFLOW_COLUMNS", "RISK_COLUMNS", "NPV_COLUMNS", "yearly_flows", "expected_risk", "npv_table",
    # mca
    "SCORE_COLUMNS", "mca_detail", "mca",
    # ranking
    "RANKING_RULES", "combined_ranking", "preferred_option",
    # sensitivity
    "MONTE_CARLO_SEED", "switching_value", "tornado", "monte_carlo",
    # plan
    "REDUCING_OPTIONS", "IMPACT_COLUMNS", "PLAN_COLUMNS", "equality_check", "sourcing_plan",
    # appraise
    "AppraisalResult", "appraise", "narrative",
]
