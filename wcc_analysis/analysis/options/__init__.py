"""Option appraisal and sourcing plan (seed section 7, Design: option appraisal, sourcing plan; Implement).

Appraisal of one service's shortlisted options in the manner of HM Treasury's Green Book (2022): every option is
compared with business as usual (the counterfactual). Pure functions over long tables, already validated on
ingest:

- cash flows: ``option_id, year, item, amount_gbp, low_pct, high_pct`` (real terms at the price base year; year 0
  = now), optional ``source`` (where a social value comes from);
- scores: ``option_id, criterion, score`` (0–10 on a fixed scale), ``rationale``; criteria: ``criterion, weight``
  (summing to 100), ``anchor_0, anchor_5, anchor_10`` (what 0, 5 and 10 mean);
- risks: ``option_id, risk, probability, impact_gbp`` (optional ``year``, ``optimism_factor``);
- optimism-bias mitigation: ``option_id, item, factor, share_pct, mitigated_pct, evidence``;
- unmonetised effects: ``option_id, effect, direction, size, who_affected, evidence``;
- settings: appraisal years, discount rate, price base year (``AppraisalSettings``).

One module per step:

- ``discounting``: settings, ``discount_factors``, ``present_value``;
- ``optimism_bias``: the uplift on every option's cost items, reduced by mitigation (``uplifts``, ``UPLIFT_RULES``);
- ``npv``: the economic case — NPV against business as usual before and after optimism bias, risk-adjusted, with
  the break-even uplift and payback; transfers left out (``ECONOMIC_RULES``, ``npv_table``, ``yearly_flows``);
- ``unmonetised``: effects not valued in money and their switching value;
- ``financial_case``: the budget effect in cash (``cash_by_year``, ``affordability``, ``AFFORDABILITY_RULES``);
- ``multi_criteria``: multi-criteria analysis on fixed 0–10 scales (``MCA_RULES``, ``mca``, ``mca_detail``);
- ``ranking``: the preferred option by the economic case among the candidates (``CANDIDATE_RULES``, ``rank_options``,
  ``preferred_option``);
- ``sensitivity``: switching values for every key input, the discount rate, a tornado table;
- ``uncertainty``: the Monte Carlo spread (``simulate``, ``UNCERTAINTY_RULES``);
- ``business_case``: the five cases' coverage, the commercial and management cases in brief (``FIVE_CASE_RULES``);
- ``plan``: the equality check and the sourcing plan against the seed's Implement activities;
- ``appraisal``: ``appraise`` ties them together, ``narrative`` states the findings.

Every rule is a documented module-level table. A bad argument or setting is a
:class:`~wcc_analysis.core.errors.ParameterError`; bad content in a table handed in an
:class:`~wcc_analysis.core.errors.InputTableError` naming the table and column (both are ``ValueError`` s).

Sign convention: costs and benefits are entered as positive amounts; net benefit = benefits − costs. A negative
``vat`` or ``business_rates`` amount is a saving to whoever pays (e.g. rate relief for a charitable trust).
"""

from wcc_analysis.analysis.options.appraisal import AppraisalResult, appraise, narrative
from wcc_analysis.analysis.options.business_case import FIVE_CASE_RULES, PROCUREMENT_ROUTES
from wcc_analysis.analysis.options.discounting import (
    DEFAULT_YEARS,
    SETTINGS_KEYS,
    STPR,
    AppraisalSettings,
    appraisal_settings,
    discount_factors,
    present_value,
)
from wcc_analysis.analysis.options.financial_case import (
    AFFORDABILITY_RULES,
    FINANCIAL_COLUMNS,
    Inflation,
    affordability,
    cash_by_year,
)
from wcc_analysis.analysis.options.multi_criteria import (
    ANCHORS,
    CRITERIA_COLUMNS,
    DETAIL_COLUMNS,
    MCA_ANCHOR_RULES,
    MCA_RULES,
    SCORE_COLUMNS,
    mca,
    mca_criteria,
    mca_detail,
)
from wcc_analysis.analysis.options.npv import (
    CASHFLOW_COLUMNS,
    ECONOMIC_RULES,
    NPV_COLUMNS,
    RISK_COLUMNS,
    expected_risk,
    npv_table,
    yearly_flows,
)
from wcc_analysis.analysis.options.optimism_bias import (
    OPTIMISM_BIAS_BOUNDS,
    OPTIMISM_BIAS_SOURCE,
    OPTIMISM_ITEMS,
    UPLIFT_RULES,
    as_mapping,
    item_rules,
    no_uplift,
    uplifts,
)
from wcc_analysis.analysis.options.plan import (
    IMPACT_COLUMNS,
    PLAN_COLUMNS,
    REDUCING_OPTIONS,
    equality_check,
    sourcing_plan,
)
from wcc_analysis.analysis.options.ranking import (
    CANDIDATE_RULES,
    PREFERRED_RATING_RULES,
    preferred_option,
    preferred_rating,
    rank_options,
)
from wcc_analysis.analysis.options.sensitivity import (
    SwitchingInput,
    discount_rate_switch,
    switching_values,
    tornado,
)
from wcc_analysis.analysis.options.uncertainty import MONTE_CARLO_SEED, UNCERTAINTY_RULES, simulate
from wcc_analysis.core.vocabulary import (
    BENEFITS,
    COSTS,
    DO_MINIMUM,
    IMPLEMENT_ACTIVITIES,
    ONE_OFF_COSTS,
    OPTION_GROUPS,
    OPTION_IDS,
    OPTION_LABELS,
    STATUS_QUO,
    TRANSFER_ITEMS,
)
from wcc_analysis.core.vocabulary import (
    CASHFLOW_ITEMS as ITEMS,
)

__all__ = [
    # vocabulary (from wcc_analysis.core.vocabulary)
    "OPTION_IDS", "OPTION_LABELS", "OPTION_GROUPS", "STATUS_QUO", "DO_MINIMUM", "COSTS", "BENEFITS", "ITEMS",
    "ONE_OFF_COSTS", "TRANSFER_ITEMS", "IMPLEMENT_ACTIVITIES",
    # discounting
    "STPR", "DEFAULT_YEARS", "AppraisalSettings", "SETTINGS_KEYS", "appraisal_settings", "discount_factors",
    "present_value",
    # optimism_bias
    "OPTIMISM_BIAS_SOURCE", "OPTIMISM_BIAS_BOUNDS", "OPTIMISM_ITEMS", "UPLIFT_RULES", "uplifts", "as_mapping",
    "item_rules", "no_uplift",
    # npv (economic case)
    "CASHFLOW_COLUMNS", "RISK_COLUMNS", "NPV_COLUMNS", "ECONOMIC_RULES", "yearly_flows", "expected_risk", "npv_table",
    # financial case
    "AFFORDABILITY_RULES", "FINANCIAL_COLUMNS", "Inflation", "cash_by_year", "affordability",
    # mca
    "ANCHORS", "CRITERIA_COLUMNS", "DETAIL_COLUMNS", "MCA_ANCHOR_RULES", "MCA_RULES", "SCORE_COLUMNS",
    "mca_criteria", "mca_detail", "mca",
    # ranking
    "CANDIDATE_RULES", "PREFERRED_RATING_RULES", "rank_options", "preferred_option", "preferred_rating",
    # sensitivity and uncertainty
    "SwitchingInput", "switching_values", "discount_rate_switch", "tornado", "MONTE_CARLO_SEED",
    "UNCERTAINTY_RULES", "simulate",
    # business case
    "FIVE_CASE_RULES", "PROCUREMENT_ROUTES",
    # plan
    "REDUCING_OPTIONS", "IMPACT_COLUMNS", "PLAN_COLUMNS", "equality_check", "sourcing_plan",
    # appraise
    "AppraisalResult", "appraise", "narrative",
]
