"""The sections of each analysis report: what a notebook shows, in one call each.

Built on the generic helpers in :mod:`wcc_analysis.report` (notes, tables,
RAG answers); each function here renders one part of one kind of report.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from wcc_analysis.core.config import Config, Service
from wcc_analysis.display.report import available, data_label, note, number_3, table


def budgets(council_data) -> None:
    services = council_data.services
    if services is None:
        note("Budgets: not available (no services table in the council's files).", "missing")
        return
    shown = services[["service_id", "service_name", "budget_gbp", "category", "seed_phase", "data_status"]]
    total = pd.DataFrame([{"service_id": "", "service_name": "Total", "budget_gbp": services["budget_gbp"].sum(),
                           "category": "", "seed_phase": "", "data_status": ""}])
    table(pd.concat([shown, total], ignore_index=True), title="Budgets of the services in scope (£)",
          source=data_label(council_data), formats={"budget_gbp": ",.0f"})


def priority_result(council_data, config: Config):
    """The priority analysis, or None (with a note saying why) when scores are absent."""
    from wcc_analysis.analysis import priority

    if council_data.priority_scores is None or council_data.services is None:
        return None
    return priority.analyse(council_data.priority_scores, council_data.services, config.priority_weights,
                            config.priority_scores, config.weight_range)


def priority_headline(result, council_data) -> dict:
    if result is None:
        return {"priority_scores_available": False}
    return {**result.headline(), "council_data": "illustrative" if council_data.illustrative else "council"}


def block_note(result, chosen: Service) -> None:
    others = [s for s in result.sharing_services if s != chosen.name]
    text = (f"Figures are for the RS block '{result.block}' (net current expenditure, £ thousand, as published). ")
    text += (f"That block also holds {', '.join(others)}, so it is not {chosen.name} alone. " if others
             else "No other configured service shares this block. ")
    if chosen.other_blocks:
        text += f"Part of this service is published in another block ({', '.join(chosen.other_blocks)}), not included here. "
    if chosen.ro_lines:
        text += ("The detailed Revenue Outturn lines for this service (" + "; ".join(chosen.ro_lines)
                 + ") are not in the shipped data for this council, so the block is the most specific published figure.")
    note(text)


def council_budget(council_data, service_id: str) -> None:
    services = council_data.services
    if services is None or service_id not in set(services["service_id"]):
        note("Council's own budget for this service: not available (no row in the council's services table).", "missing")
        return
    row = services.set_index("service_id").loc[service_id]
    kind = "warning" if row["data_status"] == "illustrative" else "info"
    label = " — ILLUSTRATIVE SAMPLE, not the council's own figure" if row["data_status"] == "illustrative" else ""
    note(f"Council's own budget for {row['service_name']}: £{row['budget_gbp']:,.0f}{label}; "
         f"seed phase: {row['seed_phase']}; category: {row['category']}.", kind)


def comparator_method(result) -> None:
    group = result.group
    note(f"Method: {group.method()} Pool: authorities of class {result.council_class} in the RS {result.year} "
         f"return that appear in every source used ({group.pool_size} authorities; {len(group.left_out)} left out, listed below).")


def position_table(result) -> None:
    p = result.position
    row = result.council_row
    frame = pd.DataFrame([
        {"measure": f"{result.council_name} spend per head (£)", "value": f"{row['spend_per_head_gbp']:,.2f}"},
        {"measure": "Comparator lower quartile (£)", "value": f"{p['q1']:,.2f}"},
        {"measure": "Comparator median (£)", "value": f"{p['median']:,.2f}"},
        {"measure": "Comparator upper quartile (£)", "value": f"{p['q3']:,.2f}"},
        {"measure": "Rank (1 = lowest spend)", "value": f"{p['rank']} of {p['of']}"},
        {"measure": "Position", "value": p["quartile"]},
    ])
    table(frame, title=f"{result.block}, {result.year}: position in the computed comparator group",
          source=f"MHCLG RS {result.year}; census-trend population")


def geographic_table(result) -> None:
    if result.geographic.empty:
        note("Geographic neighbours: none of the same class with published figures for this year.", "missing")
        return
    shown = result.geographic.assign(relation=result.geographic["relation"].map(
        {"shares_boundary": "shares a boundary", "nearby": "nearby"}))
    table(shown, title=f"Geographic neighbours of the same class, {result.block}, {result.year}",
          source="ONS Local Authority Districts 2021 neighbours; MHCLG RS; census-trend population",
          formats={"spend_per_head_gbp": ",.2f"})
    p = result.geographic_position
    note(f"Against its {p['of'] - 1} geographic neighbours of the same class, {result.council_name} ranks "
         f"{p['rank']} of {p['of']} (1 = lowest spend); their median is £{p['median']:,.2f} per head.")


def benchmark_table(benchmarked) -> None:
    """Every published measure the council has, with its position and the group it was compared with."""
    rows = []
    for b in benchmarked:
        m = b.benchmark
        rows.append({
            "measure": b.label, "kind": {"performance": "performance (question 2)", "cost": "cost (question 3)",
                                         "volume": "volume (never rated)"}[b.kind],
            "year": b.year, "council_value": m.get("council_value"), "median": m.get("median"),
            "rank": f"{m['rank']} of {m['n_with_measure']}" if m.get("rank") else "–",
            "best": f"{m.get('best_name')}" if m.get("best_name") else "–", "compared_with": b.group_note,
        })
    frame = pd.DataFrame(rows, columns=["measure", "kind", "year", "council_value", "median", "rank", "best", "compared_with"])
    table(frame, title="Published measures for this service (rank 1 = best; for spend, the lowest)",
          formats={"council_value": number_3, "median": number_3})


def portfolio_answers(counts: dict) -> None:
    """The seed's three questions answered as counts, with the RAG split behind each."""
    rows = []
    for key in ("delivering_need", "best_in_class", "cost_efficiency"):
        c = counts[key]
        rows.append({"question": c["question"], "answer": f"{c['answer']} of {counts['services']}",
                     "Green": c["Green"], "Amber": c["Amber"], "Red": c["Red"], "not assessed (Grey)": c["not_assessed"]})
    table(pd.DataFrame(rows), title="The sourcing policy's key questions (answer = services rated Green)")


def portfolio_gap_total(counts: dict) -> None:
    by_block = counts["efficiency_gap_by_block_gbp_thousands"]
    frame = pd.DataFrame([{"measure": k, "gap_to_median_gbp_thousands": v} for k, v in by_block.items()])
    table(frame, title="Efficiency gap to the comparator median by published block or line (£ thousand a year)",
          formats={"gap_to_median_gbp_thousands": ",.1f"})
    note(f"{counts['efficiency_gap_note']} Blocks spending above their comparator median: "
         f"£{counts['efficiency_gap_above_median_gbp_thousands']:,.1f}k a year above the median in all; net over all "
         f"blocks £{counts['efficiency_gap_net_gbp_thousands']:,.1f}k.")


def portfolio_headline(counts: dict) -> dict:
    return {
        "delivering_need_count": f"{counts['delivering_need']['answer']} of {counts['services']}",
        "best_in_class_count": f"{counts['best_in_class']['answer']} of {counts['services']}",
        "cost_efficiency_count": f"{counts['cost_efficiency']['answer']} of {counts['services']}",
        "efficiency_gap_above_median_gbp_thousands": round(counts["efficiency_gap_above_median_gbp_thousands"], 1),
    }


def has_market_evidence(found) -> bool:
    """Whether a market analysis had any provider register or payments to work on."""
    return found.council_data.table("providers") is not None or (
        found.service_payments is not None and len(found.service_payments) > 0)


def market_headline(found) -> dict:
    figures = found.result.headline()
    if not has_market_evidence(found):
        figures["market_maturity"] = "not assessed (no provider register or payments)"
    return figures


def payments_status(found) -> None:
    prepared = found.prepared
    if prepared is None:
        note("Supplier payments: not available — the council has not supplied its published payment files "
             f"(data/raw/council/{found.council_data.code}/supplier_payments/), so the council's spend "
             "concentration is not measured.", "missing")
        return
    c = prepared.counts
    label = " (ILLUSTRATIVE SAMPLE)" if prepared.illustrative else ""
    note(f"Supplier payments{label}: {c['rows_read']:,} payments totalling £{c['amount_read_gbp']:,.0f} read from "
         f"{c['files']} published file(s); {c['excluded_rows']:,} non-market payments (£{c['excluded_amount_gbp']:,.0f}) "
         f"excluded; {c['market_rows']:,} market payments (£{c['market_amount_gbp']:,.0f}) with {c['market_suppliers']:,} "
         f"suppliers remain, of which £{c['unmapped_market_amount_gbp']:,.0f} is not mapped to any service. "
         f"{c['individual_suppliers_redacted']:,} private individuals are redacted.",
         "warning" if prepared.illustrative else "info")


def concentration_note(concentration) -> None:
    if concentration is None:
        note("Concentration: not available (no payments or provider values for this service).", "missing")
        return
    band = f" Competition authority band: {concentration.band} ({concentration.band_source})." if concentration.band else ""
    note(f"{concentration.kind.capitalize()}: HHI {concentration.hhi:,.0f} (0–10,000), CR3 {concentration.cr3:.0%}, "
         f"{concentration.n_providers} suppliers; the largest is {concentration.largest} "
         f"({concentration.largest_share:.0%}). {concentration.description}{band}")


def maturity_note(found) -> None:
    if not has_market_evidence(found):
        note("Market maturity: not assessed — no provider register and no payments for this service.", "missing")
        return
    m = found.result.maturity
    check = found.result.priority_check
    kind = "warning" if check.get("agrees") is False else "info"
    note(f"Computed market maturity: {m.rating}. Rule: {m.rule}. {check.get('note', '')}", kind)


def rules_of_cleaning(tables: Mapping[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        table(frame, title=f"Supplier payment cleaning rules: {name}", source="wcc_analysis.suppliers")


def providers_table(found, limit: int = 25) -> None:
    """The providers of the service, largest first; long stand-in registers are cut to ``limit`` rows."""
    providers = found.result.providers
    if not available(providers if len(providers) else None, "Provider register for this service"):
        return
    columns = [c for c in ["provider", "sector", "annual_value_gbp", "contract_end", "in_district"] if c in providers.columns]
    shown = providers[columns].sort_values(["annual_value_gbp", "provider"], ascending=[False, True], na_position="last")
    title = "Providers"
    if found.register_from_payments and len(shown) > limit:
        title = f"The {limit} suppliers paid most for this service (of {len(shown)}); value = £ paid in the year"
        shown = shown.head(limit)
    table(shown, title=title, source=data_label(found.council_data) if not found.register_from_payments
          else "the council's published payments", formats={"annual_value_gbp": ",.0f"})


def option_label(option_id: str) -> str:
    from wcc_analysis.analysis.options import OPTION_LABELS

    return OPTION_LABELS.get(option_id, option_id)


def long_list(found) -> None:
    """The options carried forward from the market screen, and which have been costed."""
    rows = [{"option": option_label(o), "costed": "no — add its cash flows to option_cashflows.csv" if o in found.not_costed else "yes"}
            for o in found.long_list]
    table(pd.DataFrame(rows), title="Long list: the status quo and the options the market analysis supports")
    if found.off_list:
        note("Costed by the council but not supported by the market screen, so left out of the appraisal: "
             + ", ".join(option_label(o) for o in found.off_list) + ".", "warning")


def optimism_note(result) -> None:
    from wcc_analysis.analysis.options import OPTIMISM_BIAS_SOURCE

    uplifts = sorted({(item, v) for table_ in result.optimism.values() for item, v in table_.items() if v})
    text = ", ".join(f"{item} {v:.0%}" for item, v in uplifts) or "none"
    note(f"Optimism bias: cost uplifts used ({text}), by option type as in config/services.toml [appraisal]. "
         f"Source of the default values: {OPTIMISM_BIAS_SOURCE}")


def equality_section(result) -> None:
    check = result.equality
    kind = "warning" if check.get("flagged") else "info"
    note(check.get("message", ""), kind)
    if check.get("present"):
        table(check["impacts"], title="Equality impact: groups affected, impact and mitigation")


def value_format(benchmarked) -> str:
    """How a measure's values read: a rate between 0 and 1 as a percentage, anything else to 2 places."""
    values = benchmarked.values["value"]
    return ".1%" if "rate" in benchmarked.measure_id and values.max() <= 1 else ",.2f"


def sourcing_plan_section(result, council_data) -> None:
    """The preferred option's Implement activities as a table and a timeline (none for the status quo)."""
    from wcc_analysis.display import plots
    from wcc_analysis.analysis.options import STATUS_QUO

    if result.preferred == STATUS_QUO:
        note("The status quo is preferred: no sourcing plan is needed; the service continues as it is.")
        return
    table(result.plan, title=f"Implement activities for {option_label(result.preferred)}", source=data_label(council_data))
    dated = result.plan.dropna(subset=["start"])
    if available(dated if len(dated) else None, "Dated sourcing plan"):
        ax = plots.timeline(dated, f"Sourcing plan: {option_label(result.preferred)}")
        plots.caption(ax, f"Source: the council's sourcing plan ({data_label(council_data)}).")
