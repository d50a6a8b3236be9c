"""Sections of the option-appraisal report: one call each, every one a no-op note when there is nothing to show."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.core.guidance import OPTIMISM_BIAS_ITEMS_REASON
from wcc_analysis.core.text import listed
from wcc_analysis.core.vocabulary import OPTION_LABELS, STATUS_QUO, any_illustrative
from wcc_analysis.display import plots
from wcc_analysis.display.report import available, data_label, note, rag_answers, table
from wcc_analysis.display.sections.business_case import commercial_case, five_cases, management_case
from wcc_analysis.display.sections.option_scoring import option_scoring

MONEY = ",.0f"
#: The council tables an NPV, its sensitivity and its Monte Carlo rest on.
FLOW_TABLES = ("appraisal_settings", "option_cashflows", "option_risks", "optimism_bias")
#: Column names as a reader sees them.
READER_NAMES = {
    "pv_costs_gbp": "PV of costs (£)", "pv_optimism_bias_gbp": "of which optimism bias (£)",
    "pv_benefits_gbp": "PV of benefits (£)", "pv_expected_risk_gbp": "expected cost of priced risks (£)",
    "risk_adjusted_npv_gbp": "risk-adjusted NPV (£)",
    "risk_adjusted_npv_vs_status_quo_gbp": "NPV against business as usual (£)",
    "npv_before_optimism_bias_vs_status_quo_gbp": "the same before optimism bias (£)",
    "break_even_uplift": "break-even uplift", "payback_year": "pays back in year", "status": "status",
    "mca_total": "MCA total (0–100)", "mca_rank": "MCA rank", "rank": "order of preference",
}


def option_label(option_id: str) -> str:
    """The reader's name of a sourcing option (the id itself if it is not one of the framework's)."""
    return OPTION_LABELS.get(option_id, option_id)


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "label" not in out.columns and "option_id" in out.columns:
        out.insert(0, "label", out["option_id"].map(option_label))
    return out.drop(columns=[c for c in ("option_id",) if c in out.columns]).rename(columns={"label": "option"})


def preferred(result) -> None:
    """The preferred option as the report's answer (``PREFERRED_RATING_RULES``) and why, in plain sentences."""
    if not available(result, "Option appraisal (no option cash flows supplied)"):
        return
    rag_answers([("Preferred option", result.rating, option_label(result.preferred))])
    table(pd.DataFrame({"Finding": result.narrative}), title="Why (from the figures below)")
    s = result.settings
    year_0 = (f" Year 0 is {result.year_0}, the year before the options go live; the years before it cost every "
              "option the same and are left out." if result.year_0 else "")
    note(f"Appraisal period {s.years} years after year 0, real discount rate {s.discount_rate:.1%} (Green Book social "
         f"time preference rate unless the council sets another), real terms at {s.price_base_year or 'the stated'} "
         f"prices. Every figure is against business as usual.{year_0}")


def shortlist(found) -> None:
    """The long list from the market screen and the shortlist appraised: business as usual, the do-minimum and the
    costed options, each described in a sentence (the council's option_descriptions)."""
    sample = found.market.result.screen_sample
    if sample:
        note("ILLUSTRATIVE SAMPLE: the long list comes from the market screen, which rests on the sample's "
             f"{listed(sample)} — invented figures, not the council's real market.", "warning")
    described = found.council_data.table("option_descriptions", found.service_id)
    words = {} if described is None else dict(zip(described["option_id"], described["description"]))
    rows = [{"option": option_label(o),
             "on the shortlist": "no — add its cash flows to option_cashflows.csv" if o in found.not_costed else "yes",
             "what it is": words.get(o, "not described (add a row to option_descriptions.csv)")}
            for o in found.long_list]
    table(pd.DataFrame(rows), title="Long list and shortlist: business as usual, the do-minimum and the options the "
                                    "market analysis supports" + (" (screened on ILLUSTRATIVE SAMPLE evidence)" if sample else ""),
          source=data_label(found.council_data))
    if found.off_list:
        note("Costed by the council but not supported by the market screen, so left out of the appraisal: "
             + ", ".join(option_label(o) for o in found.off_list) + ".", "warning")


def _flows_source(council_data) -> tuple[str, bool]:
    """Where an NPV chart's figures come from, and whether that is the illustrative sample."""
    if council_data is None:
        return "Source: the council's option cash flows, risks and optimism-bias table.", False
    return (f"Source: the council's option cash flows, risks and optimism-bias table ({data_label(council_data)}).",
            council_data.is_illustrative(*FLOW_TABLES))


def optimism_bias(result, council_data=None) -> None:
    """The uplift on every option's cost items, its mitigation, and each option's NPV before and after it."""
    if result is None:
        return
    note(OPTIMISM_BIAS_ITEMS_REASON)
    if available(result.mitigation, "Optimism-bias mitigation (the council's optimism_bias table): every uplift "
                                    "is at its starting bound"):
        if any_illustrative(result.mitigation):
            note("ILLUSTRATIVE SAMPLE: the contributory factors, their shares of the bias, how far each is mitigated "
                 "and the evidence are invented to show the method; a council takes the shares from the supplementary "
                 "guidance's worksheet for its project type.", "warning")
        factors = _labelled(result.mitigation)[["option", "item", "factor", "share_pct", "mitigated_pct", "evidence"]]
        table(factors, title="Contributory factors of the optimism bias, their share of it and how far each is "
                             "mitigated, with the evidence (a factor a priced risk covers is reduced further: below)")
    uplifts = _labelled(result.uplifts)[["option", "item", "category", "start", "starting_uplift", "mitigation",
                                         "priced_as_risk", "uplift", "rule"]]
    table(uplifts, title="Optimism bias on every option, business as usual included (uplift on the cost estimate)",
          formats={"starting_uplift": ".0%", "mitigation": ".0%", "uplift": ".1%"},
          source=f"{result.optimism_source}; mitigation: the council's optimism_bias table")
    npv = result.npv
    view = pd.DataFrame({
        "option": npv["label"],
        "NPV before optimism bias (£)": npv["npv_before_optimism_bias_vs_status_quo_gbp"],
        "NPV after optimism bias (£)": npv["risk_adjusted_npv_vs_status_quo_gbp"],
        "break-even uplift on its costs": npv["break_even_uplift"],
    })[npv["option_id"] != STATUS_QUO]
    table(view, title="Each option against business as usual, before and after optimism bias (risk-adjusted, present "
                      "value); the break-even uplift is the uplift on the option's own costs at which it exactly matches "
                      "business as usual (business as usual keeping its own)",
          formats={"NPV before optimism bias (£)": MONEY, "NPV after optimism bias (£)": MONEY,
                   "break-even uplift on its costs": ".1%"})
    ax = plots.npv_before_after(npv)
    source, sample = _flows_source(council_data)
    plots.caption(ax, "Present value over the appraisal period against business as usual, real terms; optimism bias on "
                      f"every option's estimated costs (table above); expected cost of priced risks subtracted. {source}",
                  illustrative=sample)


def economic_case(result) -> None:
    """The economic case: NPV against business as usual, what it leaves out, and the unmonetised effects."""
    if result is None:
        return
    cols = ["label", "pv_costs_gbp", "pv_optimism_bias_gbp", "pv_benefits_gbp", "pv_expected_risk_gbp",
            "risk_adjusted_npv_gbp", "risk_adjusted_npv_vs_status_quo_gbp", "payback_year"]
    shown = result.npv[cols].rename(columns={"label": "option", **READER_NAMES})
    table(shown, title="Economic case: present values (£, real terms, discounted; costs include optimism bias; "
                       "risk-adjusted = minus the expected cost of priced risks)",
          formats={READER_NAMES[c]: MONEY for c in cols if c.endswith("_gbp")})
    if available(result.excluded, "Transfers and unsourced values left out of the economic case"):
        table(_labelled(result.excluded).rename(columns={"economic": "why"}),
              title="Left out of the economic case (present value, + = a benefit left out); the financial case counts "
                    "the transfers", formats={"pv_gbp": MONEY})
    if available(result.effects, "Unmonetised effects (add rows to unmonetised_effects.csv)"):
        table(_labelled(result.effects), title="Effects not valued in money, carried into the decision")
    if result.effect_switch is not None:
        note(result.effect_switch.sentence(result.settings), "warning")


def financial_case(result) -> None:
    """The financial case: the budget effect in cash, affordability, and the inflation assumption."""
    if result is None:
        return
    inflation = result.inflation
    note(f"Cash years: inflation {inflation.pct:.1f} % a year from the price base — {inflation.source}. The budget is "
         "the council's budget for the service (its services table), taken at the price base and held constant in "
         "real terms (it rises with the same inflation); a cash-limited budget would be tighter. Affordability is "
         "tested on the central estimate; the optimism-bias contingency is shown beside it, not tested.",
         "warning" if inflation.illustrative else "info")
    note("Business-rates relief (a charitable trust's) is counted in full as a saving to the service. Under 50 % "
         "business rates retention the council also bears its share of the relief through the collection fund "
         "(about 40 % for a shire district), which this financial case does not deduct.")
    table(_labelled(result.affordable).drop(columns=["rule"]), title="Affordability against the service's budget (cash)",
          formats={"worst_headroom_cash_gbp": MONEY, "one_off_cost_cash_gbp": MONEY})
    cash = result.financial
    wide = cash.pivot(index="year", columns="label", values="revenue_cost_cash_gbp")
    wide.columns.name = None
    wide.insert(0, "budget (cash)", cash.drop_duplicates("year").set_index("year")["budget_cash_gbp"])
    table(wide.reset_index(), title="Net revenue cost of each option by year (£ cash; central estimate, transfers "
                                    "included, social value never; one-off costs are shown in the affordability table)",
          formats={c: MONEY for c in wide.columns})


def sensitivity(result, council_data=None) -> None:
    """Switching values for every key input, most sensitive first, and the discount rate."""
    if result is None:
        return
    shown = result.switching.copy()
    shown["switches_to"] = shown["switches_to"].map(lambda o: option_label(o) if isinstance(o, str) else "no switch in −100 % to +500 %")
    table(shown.drop(columns=["option_id", "item"]), title="Switching values: how far each input (all its years together) "
                                                           "would have to change before another option is preferred",
          formats={"pv_gbp": MONEY, "switching_change_pct": "+.1f"})
    if result.tornado is not None and not result.tornado.empty:
        ax = plots.tornado(result.tornado, option_label(result.monte_carlo_option))
        source, sample = _flows_source(council_data)
        plots.caption(ax, "Each cost and benefit item of the option moved down and up by 20 %, one at a time; present "
                          f"value against business as usual, after optimism bias. {source}", illustrative=sample)
    rate = result.discount_rate_switch
    note("No real discount rate from 0 % to 10 % changes the preferred option." if rate is None else
         f"At a real discount rate of {rate:.2%} (instead of {result.settings.discount_rate:.1%}) the preferred option changes.")


def uncertainty(result, council_data=None) -> None:
    """The Monte Carlo spread of each option's NPV against business as usual."""
    if result is None:
        return
    mc = _labelled(result.monte_carlo)
    table(mc, title="Monte Carlo: NPV against business as usual (£, present value)",
          formats={c: MONEY for c in mc.columns if c.endswith("_gbp")} | {"prob_better_than_status_quo": ".0%"})
    ax = plots.npv_uncertainty(result.monte_carlo, OPTION_LABELS)
    source, sample = _flows_source(council_data)
    plots.caption(ax, "One draw per uncertain item, applied to all its years and shared by every option that has it; "
                      "triangular on its low–high range around the optimism-bias-adjusted amount, re-centred so that "
                      f"it adds no expected cost; each priced risk happens or not; fixed seed. {source}",
                  illustrative=sample)


def scoring(result, council_data, rules=None) -> None:
    """The multi-criteria analysis (fixed 0–10 scales), beside the NPV; ``rules``: the MCA's rule table."""
    if result is None:
        return
    option_scoring(result.mca_criteria, result.mca_detail, result.mca, rules,
                   data_label(council_data), illustrative=council_data.is_illustrative("option_criteria", "option_scores"))


def candidates(result) -> None:
    """Which options can be preferred, and why (``CANDIDATE_RULES``)."""
    if result is None:
        return
    table(_labelled(result.candidates), title="Candidates for the preferred option (the rule that decided each)")
    ranked = _labelled(result.ranked).rename(columns=READER_NAMES)
    table(ranked, title="Options in order of preference: candidates by risk-adjusted NPV against business as usual; "
                        "the multi-criteria total beside it, not added to it",
          formats={READER_NAMES["risk_adjusted_npv_vs_status_quo_gbp"]: MONEY,
                   READER_NAMES["npv_before_optimism_bias_vs_status_quo_gbp"]: MONEY,
                   READER_NAMES["break_even_uplift"]: ".1%", READER_NAMES["mca_total"]: ".1f"},
          source="the rule that decides each: CANDIDATE_RULES, printed at the end")


def commercial_and_management(found, rules=None) -> None:
    """The five cases and how far the pack covers each, then the commercial and management cases in brief."""
    case = found.business
    if case is None:
        note("Commercial and management cases: not available (no option cash flows supplied).")
        return
    five_cases(case.coverage, case.sentence, rules)
    commercial_case(case.commercial, found.council_data, case.routes)
    if case.management is not None:
        management_case(case.management, found.council_data)


def equality_section(result) -> None:
    if result is None:
        return
    check = result.equality
    note(check.get("message", ""), "warning" if check.get("flagged") else "info")
    if check.get("present"):
        table(check["impacts"], title="Equality impact: groups affected, impact and mitigation")


def sourcing_plan_section(result, council_data) -> None:
    """The preferred option's Implement activities as a table and a timeline (none for business as usual)."""
    if result is None:
        return
    if result.preferred == STATUS_QUO:
        note("Business as usual is preferred: no change of delivery model, so no sourcing plan for one; a re-let of "
             "an existing contract follows the management case above.")
        return
    table(result.plan, title=f"Implement activities for {option_label(result.preferred)}", source=data_label(council_data))
    dated = result.plan.dropna(subset=["start"]) if result.plan is not None else None
    if available(dated, "Dated sourcing plan"):
        ax = plots.timeline(dated, f"Sourcing plan: {option_label(result.preferred)}")
        plots.caption(ax, f"Source: the council's sourcing plan ({data_label(council_data)}).",
                      illustrative=council_data.is_illustrative("sourcing_plan"))


__all__ = ["option_label", "preferred", "shortlist", "optimism_bias", "economic_case",
           "financial_case", "sensitivity", "uncertainty", "candidates", "scoring", "commercial_and_management", "equality_section", "sourcing_plan_section"]
