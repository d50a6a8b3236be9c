"""Sections of the needs-analysis report."""

from __future__ import annotations

import pandas as pd

from wcc_analysis.core.config import Service
from wcc_analysis.core.vocabulary import ILLUSTRATIVE, STABLE
from wcc_analysis.display.report import note, number, number_3, table


def block_note(result, chosen: Service) -> None:
    others = result.others_in_block
    text = (f"The trend is for the RS block '{result.block}' (net current expenditure, £ thousand, as published). ")
    text += (f"That block also holds {', '.join(others)}, so it is not {chosen.name} alone. " if others
             else "No other configured service shares this block. ")
    if chosen.other_blocks:
        text += f"Part of this service is published in another block ({', '.join(chosen.other_blocks)}), not included here. "
    if chosen.ra_lines:
        text += ("The service's own figure is its Revenue Account budget lines (" + "; ".join(chosen.ra_lines)
                 + "), below: a budget, published for every council, so a block shared by several services is never "
                 "read as one service's spend.")
    note(text)


def council_budget(council_data, service_id: str, lines=None) -> None:
    """The council's own budget for the service, beside the published budget lines when there are some."""
    services = council_data.services
    published = None if lines is None else float(lines.council_row["budget_gbp_thousands"]) * 1000.0
    if services is None or service_id not in set(services["service_id"]):
        text = "Council's own budget for this service: not supplied (no row in the council's services table)."
        if published is not None:
            text += (f" The published RA {lines.year} budget lines are used instead: £{published:,.0f} "
                     f"({'; '.join(lines.lines)}).")
        note(text, "missing")
        return
    row = services.set_index("service_id").loc[service_id]
    sample = row["data_status"] == ILLUSTRATIVE
    kind = "warning" if sample else "info"
    label = " — ILLUSTRATIVE SAMPLE, not the council's own figure" if sample else ""
    text = (f"Council's own budget for {row['service_name']}: £{row['budget_gbp']:,.0f}{label}; "
            f"framework phase: {row['seed_phase']}; category: {row['category']}.")
    if published is not None:
        difference = float(row["budget_gbp"]) - published
        text += (f" Published RA {lines.year} budget lines for the service: £{published:,.0f}; the council's figure is "
                 + ("the same." if abs(difference) < 500 else f"£{abs(difference):,.0f} {'above' if difference > 0 else 'below'} "
                    "them (see the council's notes on what its budget line holds)."))
    note(text, kind)


def comparator_method(result) -> None:
    """How the group was made (model, indicators, weights, rebasing), why the service has its own model, the pool."""
    group = result.group
    note(f"Method: {group.method()}")
    table(group.indicator_table(), title=f"Indicators and weights of the {group.model}",
          source="config/services.toml [comparators.weights]" + (f", [comparators.models.{result.service_id}]"
                                                                  if group.reason else "")
          + "; values as the model uses them (shares as fractions of the population)",
          formats={"weight": "g", "council": number_3, "group_median": number_3, "pool_median": number_3})
    if group.reason:
        note(f"Why {result.service_name} has its own model ({group.model}): {group.reason}")
    note(f"Pool: authorities of class {result.council_class} in the {result.year} outturn return that appear in every "
         f"source used ({group.pool_size} authorities; {len(group.left_out)} left out, listed below).")


def comparator_members(result) -> None:
    """The group by name, with each member's rebased distance, how firmly it belongs and its indicators."""
    group = result.group
    members = result.comparators_with_stability()
    shown = members.assign(stability=members["reading"],
                           in_variants=[f"{k} of {v}" for k, v in zip(members["kept"], members["variants"], strict=True)])
    columns = ["rank", "name", "ons_code", "distance", "stability", "in_variants", *group.indicators]
    formats = {"distance": ".3f", "population": ",.0f", "population_growth_5y_pct": "+.1f", "density_per_km2": ",.0f",
               "share_under_16": ".1%", "share_65_plus": ".1%", "imd_score": ".1f", "tax_base_per_head": ".3f"}
    mine = group.pool[group.pool["ons_code"] == result.council]
    council_row = mine.assign(rank="–", stability="the council", in_variants="", distance=0.0)[columns]
    table(pd.concat([council_row, shown[columns].astype({"rank": object})], ignore_index=True),
          title=f"Comparator group ({group.label}): {result.council_name} and its comparators, {result.year}",
          source="ONS mid-year population estimates (MYE2, MYE4, MYE5); English Indices of Deprivation (MHCLG); "
          "MHCLG council tax levels Table 9 (tax base); MHCLG revenue outturn class. Distance rebased: the farthest "
          f"authority of the pool ({group.farthest['name']}) = 1.", formats=formats)


def group_stability(result, rules) -> None:
    """Does the group hold when the model changes a little? The sentence, the rule, and who comes and goes."""
    steadiness = result.stability
    kind = "info" if steadiness.count(STABLE) * 3 >= 2 * len(steadiness.members) else "warning"
    note(f"Stability: {steadiness.sentence()}", kind)
    table(rules.frame(), title="How a comparator's membership is read (the rule that runs)",
          source="wcc_analysis.analysis.comparator_stability.STABILITY_RULES")
    if len(steadiness.entrants):
        table(steadiness.entrants[["name", "ons_code", "kept", "variants"]].rename(
              columns={"kept": "in_group_in", "variants": "of_variants"}),
              title="Authorities outside the group that enter it in some variants",
              source=steadiness.described())


def alternative_groups(result) -> None:
    """The mySociety label group beside the computed one, and how far each alternative agrees with it."""
    labelled = result.label_group
    if labelled.empty:
        note("mySociety label group: no authority of the class with a figure this year shares at least three of the "
             "council's four mySociety labels.", "missing")
    else:
        shown = labelled.assign(differs_on=labelled["differs_on"].replace("", "(none)"))
        table(shown, title=f"Alternative group: authorities of class {result.council_class} sharing at least three of "
              f"{result.council_name}'s four mySociety labels (region, emissions profile, IMD quintile, rural–urban class)",
              source="mySociety local-authority-similarity labels v1.2.0 (CC-BY-4.0); MHCLG revenue outturn "
              f"{result.year}; population: {result.population_method}", formats={"spend_per_head_gbp": ",.2f"})
    names = result.group.members.set_index("ons_code")["name"]
    for what, agree in result.alternative_overlaps().items():
        both = ", ".join(names.get(c, c) for c in agree["both"]) or "none"
        note(f"Overlap with the {what}: {agree['n_both']} of the {agree['n_group']} computed comparators are also among "
             f"its {agree['n_other']} councils ({both}).")


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
          source=f"MHCLG revenue outturn {result.year}; population: {result.population_method}")
    variant_range(result.position_range, f"{result.block} spend per head")


def geographic_table(result) -> None:
    if result.geographic.empty:
        note("Geographic neighbours: none of the same class with published figures for this year.", "missing")
        return
    shown = result.geographic.assign(relation=result.geographic["relation"].map(
        {"shares_boundary": "shares a boundary", "nearby": "nearby"}))
    table(shown, title=f"Geographic neighbours of the same class, {result.block}, {result.year}",
          source=f"ONS Local Authority Districts 2021 neighbours; MHCLG revenue outturn {result.year}; population: "
          f"{result.population_method}",
          formats={"spend_per_head_gbp": ",.2f"})
    p = result.geographic_position
    note(f"Against its {p['of'] - 1} geographic neighbours of the same class, {result.council_name} ranks "
         f"{p['rank']} of {p['of']} (1 = lowest spend); their median is £{p['median']:,.2f} per head.")


def drivers_table(result) -> None:
    """Population change and deprivation beside the comparator median (the drivers of need)."""
    table(
        result.drivers[["indicator", "council", "comparator_median"]],
        title="Population change and deprivation, council and comparator median",
        source="ONS Census 2011 and 2021; English Indices of Deprivation 2019 and 2025 (MHCLG), local authority summaries",
        formats={"council": number, "comparator_median": number},
    )


def trend_table(found) -> None:
    """Net current expenditure and spend per head by year, cash and real terms, with the population method."""
    result = found.needs
    columns = ["year", "net_expenditure_gbp_thousands", "population", "population_method", "spend_per_head_gbp",
               "comparator_median_spend_per_head_gbp", "comparators_reporting"]
    formats = {"net_expenditure_gbp_thousands": ",.0f", "population": ",.0f", "spend_per_head_gbp": ",.2f",
               "comparator_median_spend_per_head_gbp": ",.2f", "spend_per_head_real_gbp": ",.2f",
               "net_expenditure_real_gbp_thousands": ",.0f", "comparator_median_real_gbp": ",.2f"}
    if "spend_per_head_real_gbp" in result.trend.columns:
        columns[2:2] = ["net_expenditure_real_gbp_thousands"]
        columns.insert(columns.index("comparator_median_spend_per_head_gbp"), "spend_per_head_real_gbp")
    shown = result.trend[columns].assign(population_method=result.trend["population_method"].fillna("not published"))
    table(shown, title=f"{result.council_name}: {result.block}, net current expenditure and spend per head, "
          f"cash and real terms ({result.price_base_year} prices)",
          source="MHCLG revenue outturn (RS and RSX returns; multi-year time series v2.3 and v3.1), each year held; "
          "2015-16 and 2016-17 are in no source. " + result.real_terms_note, formats=formats)


def pool_changes(result) -> None:
    """Councils of the class with no figure in the latest year (they leave the comparator pool), and series breaks."""
    if len(result.missing):
        listed = ", ".join(f"{r.authority_name} ({r.status.replace('missing: ', '')})" for r in result.missing.itertuples())
        note(f"{len(result.missing)} authorities of class {result.council_class} have no published {result.block} "
             f"figure for {result.year} and are left out of the comparator pool for that year: {listed}. "
             "A missing return is never counted as £0.", "missing")
    specific = [b for b in result.series_breaks if b.blocks]
    reorganisations = [b for b in result.series_breaks if not b.blocks]
    for item in specific:
        note(f"Series break, {item.year}: {item.what.rstrip('.')}. {item.effect}")
    if reorganisations:
        listed = "; ".join(f"{b.year}: {b.what.rstrip('.').split(': ', 1)[-1]}" for b in reorganisations)
        note(f"Reorganisations within these years changed the pool of comparable councils ({listed}). The councils "
             "concerned have no series across their reorganisation year, so the comparator median is over the councils "
             "that existed in each year.")


def service_lines(found) -> None:
    """The service's own budget lines: what they hold, the council's figures, and its place among the comparators."""
    lines = found.service_lines
    if lines is None:
        note("Service budget lines: not available (no ra_lines in config/services.toml for this service, or no RA "
             "return from this council).", "missing")
        return
    note(f"{lines.note} {lines.budget_note}")
    table(lines.by_line,
          title=f"{found.needs.council_name}: RA {lines.year} budget lines for the service (£ thousand, budget)",
          source=f"MHCLG Revenue Account budget (RA) {lines.year}", formats={"net_budget_gbp_thousands": ",.0f"})
    row = lines.council_row
    p = lines.position
    rows = [{"measure": f"{found.needs.council_name}: budget (£ thousand)", "value": f"{row['budget_gbp_thousands']:,.0f}"},
            {"measure": f"{found.needs.council_name}: budget per head (£)", "value": f"{row['budget_per_head_gbp']:,.2f}"},
            {"measure": "Population used", "value": f"{row['population']:,.0f} ({row['population_method']})"}]
    if p is not None:
        rows += [{"measure": "Comparator lower quartile (£ per head)", "value": f"{p['q1']:,.2f}"},
                 {"measure": "Comparator median (£ per head)", "value": f"{p['median']:,.2f}"},
                 {"measure": "Comparator upper quartile (£ per head)", "value": f"{p['q3']:,.2f}"},
                 {"measure": "Rank (1 = lowest budget per head)", "value": f"{p['rank']} of {p['of']}"}]
    table(pd.DataFrame(rows), title=f"Service budget lines, {lines.year}: position in the computed comparator group "
          "(budget, not outturn)", source=f"MHCLG RA {lines.year}; ONS mid-year population estimates")
    variant_range(lines.position_range, "budget per head")


def variant_range(spread: dict | None, what: str) -> None:
    """How far the council's rank and the comparator median move when the comparator model changes a little."""
    if spread is None:
        return
    quarters = "; ".join(f"{q} in {n}" for q, n in sorted(spread["quarters"].items(), key=lambda kv: -kv[1]))
    same = spread["rank_min"] == spread["rank_max"]
    rank = f"stays {spread['rank_min']}" if same else f"runs from {spread['rank_min']} to {spread['rank_max']}"
    note(f"Does the answer depend on the group? Across the {spread['variants']} variants of the comparator model "
         f"(stability check above), the council's rank on {what} {rank} of {spread['of']} (1 = lowest) and the "
         f"comparator median runs from £{spread['median_min']:,.2f} to £{spread['median_max']:,.2f}; its place: "
         f"{quarters}.")


def budget_against_outturn(found) -> None:
    """The council's RA budget beside its outturn for the same block and year."""
    shown = found.budget_against_outturn
    if shown.empty:
        note("Budget against outturn: no year with both an RA budget and an outturn for this council's blocks.", "missing")
        return
    table(shown, title="Budget against outturn, same block and year (£ thousand; difference = outturn − budget)",
          source="MHCLG Revenue Account budget (RA) and revenue outturn (RS/RSX, time series)",
          formats={"budget_gbp_thousands": ",.0f", "outturn_gbp_thousands": ",.0f", "difference_gbp_thousands": ",.0f",
                   "difference_pct": "+.1f"})


def detailed_outturn(found) -> None:
    """The council's detailed outturn lines for the service, where it publishes them (outturn, not budget)."""
    detail = found.detailed_outturn
    if detail is None:
        note("Detailed outturn lines for this service (RO4/RO5/RO6): not published for this council in the shipped "
             "data (held for the Lancashire councils only), so the budget lines above are the most specific figure.",
             "missing")
        return
    table(detail, title=f"{found.needs.council_name}: detailed Revenue Outturn lines for the service, "
          f"{detail['year'].iloc[0]} (£ thousand, outturn; an empty line is not published)",
          source="MHCLG Revenue Outturn RO4/RO5/RO6, data by LA",
          formats={c: ",.0f" for c in detail.columns if c.endswith("_gbp_thousands")})
