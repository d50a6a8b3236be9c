"""Small display helpers that keep notebooks thin and their outputs deterministic."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from .config import Config, Service, load_config
from .errors import ParameterError

ILLUSTRATIVE = (
    "ILLUSTRATIVE SAMPLE DATA: the council's own figures in this report are a labelled sample "
    "shipped with wcc-analysis, not the council's real figures. Replace the files in "
    "data/raw/council/{code}/ with real ones before using the results."
)


COLUMN_LABELS = {
    "year": "Year",
    "year_start": "Year starting",
    "ons_code": "ONS code",
    "name": "Authority",
    "authority_name": "Authority",
    "rank": "Rank",
    "distance": "Distance (standardised)",
    "population": "Population (census-trend estimate)",
    "population_growth_pct": "Population change 2011→2021 (%)",
    "imd_score": "IMD average score",
    "net_expenditure_gbp_thousands": "Net current expenditure (£ thousand)",
    "spend_per_head_gbp": "Spend per head (£)",
    "comparator_median_spend_per_head_gbp": "Comparator median per head (£)",
    "comparators_reporting": "Comparators reporting",
    "relation": "Relation",
    "reason": "Why left out",
    "rs_block": "RS block",
    "main_block_of": "Main block of",
    "also_holds_part_of": "Also holds part of",
    "service_id": "Service id",
    "service_name": "Service",
    "budget_gbp": "Budget (£)",
    "category": "Category",
    "seed_phase": "Seed phase",
    "data_status": "Data status",
    "weighted_total": "Weighted total",
    "max_possible": "Maximum possible",
    "share_same_rank": "Share keeping the rank",
    "best_rank": "Best rank",
    "worst_rank": "Worst rank",
    "combinations": "Weightings tried",
    "criterion": "Criterion",
    "score": "Score",
    "rationale": "Rationale",
    "indicator": "Indicator",
    "council": "Council",
    "comparator_median": "Comparator median",
    "measure": "Measure",
    "value": "Value",
    "kind": "Kind",
    "amount_gbp": "£",
    "payments": "Payments",
    "suppliers": "Suppliers",
    "exclusion_reason": "Why left out",
    "comparison_value": "Target or benchmark",
    "compared_with": "Compared with",
    "change_points": "Change (points)",
    "periods_on_target": "Periods on target",
    "periods": "Periods",
    "council_value": "Council",
    "median": "Median",
    "best": "Best performer",
    "kpi": "KPI",
    "unit": "Unit",
    "period": "Period",
    "target": "Target",
    "actual": "Actual",
    "rag": "RAG",
    "trend": "Trend",
    "question": "Question",
    "percent_satisfied": "% satisfied",
    "volume": "Volume",
    "cost_gbp": "Cost (£)",
    "unit_cost_gbp": "Unit cost (£)",
    "provider": "Provider",
    "sector": "Sector",
    "services": "Services",
    "annual_value_gbp": "Annual value (£)",
    "contract_end": "Contract ends",
    "in_district": "In district",
    "model": "Delivery model",
    "council_name": "Council",
    "council_code": "ONS code",
    "source": "Source",
    "group": "Group",
    "label": "Option",
    "supported": "Supported",
    "share": "Share",
    "total": "Total (£)",
}


def _display(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def note(text: str, kind: str = "info") -> None:
    """A boxed note: kind is info, warning or missing."""
    colours = {"info": ("#eef5fb", "#1f78b4"), "warning": ("#fff4e5", "#d95f02"), "missing": ("#f4f4f4", "#777777")}
    background, border = colours.get(kind, colours["info"])
    _display(
        f"<div style='background:{background};border-left:5px solid {border};padding:8px 12px;"
        f"margin:6px 0'>{html.escape(text)}</div>"
    )


def bullets(lines: Sequence[str], title: str | None = None) -> None:
    head = f"<p><b>{html.escape(title)}</b></p>" if title else ""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    _display(f"{head}<ul>{items}</ul>")


def table(
    frame: pd.DataFrame,
    *,
    title: str | None = None,
    source: str | None = None,
    formats: Mapping[str, str | Callable[[object], str]] | None = None,
    index: bool = False,
) -> None:
    """Show a table with a title and a source line. ``formats`` maps column → format spec."""
    shown = frame.copy()
    for column, spec in (formats or {}).items():
        if column in shown.columns:
            render = spec if callable(spec) else (lambda v, s=spec: format(v, s))
            shown[column] = shown[column].map(lambda v, r=render: "" if pd.isna(v) else r(v))
    numeric = [i for i, c in enumerate(frame.columns, start=1 + int(index))
               if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    shown = shown.rename(columns=COLUMN_LABELS)
    css_class = "wcc-" + hashlib.sha1(f"{title}|{list(frame.columns)}".encode()).hexdigest()[:8]
    right = ", ".join(f"table.wcc-table.{css_class} td:nth-child({i}), table.wcc-table.{css_class} th:nth-child({i})" for i in numeric)
    style = (f"<style>table.wcc-table.{css_class} td, table.wcc-table.{css_class} th {{text-align:left; vertical-align:top}}"
             + (f" {right} {{text-align:right}}" if right else "") + "</style>")
    body = style + shown.to_html(index=index, border=0, classes=f"wcc-table {css_class}", na_rep="–", escape=True)
    head = f"<p><b>{html.escape(title)}</b></p>" if title else ""
    foot = f"<p style='font-size:85%;color:#555'>Source: {html.escape(source)}</p>" if source else ""
    _display(head + body + foot)


def check_parameters(council: str, service: str, scope: str, config: Config | None = None) -> Service:
    """Check a notebook's ``council`` and ``service`` parameters; return the service."""
    from .ingest import require_known_authority

    config = config or load_config()
    if not isinstance(council, str) or not council.strip():
        raise ParameterError("parameter 'council' must be an ONS code such as 'E07000237' (Worcester).")
    require_known_authority(council.strip())
    chosen = config.service(service)
    if chosen.scope != scope:
        wanted = f"the portfolio id {config.portfolio.id!r}" if scope == "portfolio" else "a service id such as 'leisure'"
        raise ParameterError(f"this notebook runs for {wanted}, not {service!r}.")
    return chosen


def authority_name(code: str) -> str:
    """The authority's everyday name (e.g. 'Worcester') from the authority lookup."""
    from . import ingest

    table = ingest.authorities()
    names = table.loc[table["ons_code"] == code, "name"]
    return str(names.iloc[0]) if len(names) else code


def number(value: float) -> str:
    """Whole numbers without decimals, others to one decimal place, thousands separated."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def heading(text: str) -> None:
    _display(f"<h2>{html.escape(text)}</h2>")


def data_label(council_data) -> str:
    """How the council's own data must be described wherever it is shown."""
    if council_data.illustrative:
        return "ILLUSTRATIVE SAMPLE, not the council's own figures"
    return "the council's own files"


def council_data_status(council_data, council_name: str, tables: Sequence[str] = ("services", "priority_scores")) -> None:
    """Banner: which council files were used, whether they are illustrative, which of ``tables`` are missing."""
    if not any(t in council_data.tables for t in tables):
        note(
            f"{council_name} ({council_data.code}) has not supplied the council tables this report can use "
            f"({', '.join(tables)}), so it shows published data only for them. To add them, copy "
            f"data/raw/council/_template/ to data/raw/council/{council_data.code}/ and fill it in "
            "(see data/raw/council/README.md).",
            "missing",
        )
        return
    if council_data.is_illustrative(*tables):
        note(ILLUSTRATIVE.format(code=council_data.code), "warning")
    used = ", ".join(sorted({f.name for f in council_data.files if f.stem in tables or f.suffix != ".csv"}))
    note(f"Council files used: {used or 'none for this report'} (data/raw/council/{council_data.code}/).")
    for table_name in [t for t in tables if t in council_data.missing()]:
        note(f"The council has not supplied the table '{table_name}': the sections that need it are left out.", "missing")


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
    from . import priority

    if council_data.priority_scores is None or council_data.services is None:
        return None
    return priority.analyse(council_data.priority_scores, council_data.services, config.priority_weights,
                            config.priority_scores, config.weight_range)


def available(result, what: str) -> bool:
    """True if there is a result to show; otherwise say, in the report, that this part is not available."""
    if result is None:
        note(f"{what}: not available for this council (see the note above on the council's files).", "missing")
        return False
    return True


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


RAG_STYLE = {"Green": "#00703c", "Amber": "#b26c00", "Red": "#d4351c", "Grey": "#6f777b"}


def rag_answers(answers: Sequence[tuple[str, str, str]]) -> None:
    """The key questions with a coloured RAG badge and one plain sentence each."""
    rows = "".join(
        f"<tr><td style='text-align:left;vertical-align:top'><b>{html.escape(q)}</b></td>"
        f"<td style='vertical-align:top'><span style='display:inline-block;min-width:4em;text-align:center;"
        f"color:white;background:{RAG_STYLE.get(rag, '#6f777b')};padding:2px 6px;border-radius:3px;font-weight:bold'>"
        f"{html.escape(rag)}</span></td><td style='text-align:left'>{html.escape(sentence)}</td></tr>"
        for q, rag, sentence in answers
    )
    _display(f"<table class='wcc-rag'>{rows}</table>")


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


def number_3(value: float) -> str:
    """Up to three significant decimals for small values, thousands separators for large ones."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}" if abs(value) < 1 else f"{value:,.2f}"


def rules(module, names: Sequence[str] | None = None) -> None:
    """Print a module's documented rule tables (``*_RULES``), so every rating can be checked by hand."""
    names = names or sorted(n for n in vars(module) if n.endswith("_RULES"))
    for name in names:
        value = getattr(module, name)
        rows = list(value.items()) if isinstance(value, Mapping) else list(value)
        frame = pd.DataFrame(rows, columns=["rating", "rule"]) if rows and len(rows[0]) == 2 else pd.DataFrame(rows)
        comment = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        table(frame, title=name.replace("_", " ").capitalize(), source=f"wcc_analysis.{module.__name__.split('.')[-1]}: {comment}")


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
    from .options import OPTION_LABELS

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
    from .options import OPTIMISM_BIAS_SOURCE

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
    from . import plots
    from .options import STATUS_QUO

    if result.preferred == STATUS_QUO:
        note("The status quo is preferred: no sourcing plan is needed; the service continues as it is.")
        return
    table(result.plan, title=f"Implement activities for {option_label(result.preferred)}", source=data_label(council_data))
    dated = result.plan.dropna(subset=["start"])
    if available(dated if len(dated) else None, "Dated sourcing plan"):
        ax = plots.timeline(dated, f"Sourcing plan: {option_label(result.preferred)}")
        plots.caption(ax, f"Source: the council's sourcing plan ({data_label(council_data)}).")
