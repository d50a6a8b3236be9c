"""Sections of the market-analysis report."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from wcc_analysis.core.text import listed, plural
from wcc_analysis.display import plots
from wcc_analysis.display.report import available, data_label, note, table

#: How the cleaning-rule tables are titled (the rest: "Supplier payment cleaning rules: <name>").
_RULE_TITLES = {
    "capital": "Capital or revenue: each market payment is decided by the first rule that holds "
               "(spend concentration is measured on revenue only)",
}
#: The capital tables' columns as a reader sees them.
_CAPITAL_COLUMNS = {"supplier": "Supplier", "rules": "Capital rules that applied (numbers)",
                    "descriptions": "Descriptions as published (largest £ first)"}
_SAMPLE = ("ILLUSTRATIVE SAMPLE: {what} rests on the sample's {inputs} — invented figures shipped with "
           "wcc-analysis, not the council's real market. Do not quote it as the council's position.")


def _sample_note(what: str, inputs: tuple[str, ...]) -> None:
    if inputs:
        note(_SAMPLE.format(what=what, inputs=listed(inputs)), "warning")


def payments_status(found) -> None:
    prepared = found.prepared
    if prepared is None:
        note("Supplier payments: not available — the council has not supplied its published payment files "
             f"(data/raw/council/{found.council_data.code}/supplier_payments/), so the council's spend "
             "concentration is not measured.", "missing")
        return
    c = prepared.counts
    label = " (ILLUSTRATIVE SAMPLE)" if prepared.illustrative else ""
    capital = (f" Of these, {plural(c['capital_rows'], 'capital payment')} (£{c['capital_amount_gbp']:,.0f}, "
               f"{plural(c['capital_suppliers'], 'supplier')}) are shown apart and left out of spend concentration."
               if c["capital_rows"] else " None is a capital payment by the capital rule below.")
    note(f"Supplier payments{label}: {c['rows_read']:,} payments totalling £{c['amount_read_gbp']:,.0f} read from "
         f"{c['files']} published file(s); {c['excluded_rows']:,} non-market payments (£{c['excluded_amount_gbp']:,.0f}) "
         f"excluded; {c['market_rows']:,} market payments (£{c['market_amount_gbp']:,.0f}) with {c['market_suppliers']:,} "
         f"suppliers remain, of which £{c['unmapped_market_amount_gbp']:,.0f} is not mapped to any service.{capital} "
         f"{c['individual_suppliers_redacted']:,} private individuals are redacted.",
         "warning" if prepared.illustrative else "info")


def payments_are_sample(found) -> bool:
    return bool(found.prepared is not None and found.prepared.illustrative)


def payments_source(found) -> str:
    """The source line of every table and chart drawn from the council's supplier payments."""
    flag = "; ILLUSTRATIVE SAMPLE, not the council's figures" if payments_are_sample(found) else ""
    return f"the council's published payments (Local Government Transparency Code{flag})"


def providers_source(found) -> str:
    """Where the capable providers come from: the council's register, or its payments when it has none."""
    if found.register_from_payments:
        return f"suppliers paid for the service in {payments_source(found)} (no provider register supplied)"
    return f"the council's provider register ({data_label(found.council_data)})"


def supplier_shares_chart(found, council_name: str, service_name: str) -> None:
    """Revenue spend on the service by supplier, the largest first; stamped when the payments are the sample."""
    result = found.result
    ax = plots.shares_chart(result.spend_shares, result.spend_shares.columns[0],
                            f"{council_name}'s revenue spend on {service_name.lower()} by supplier: the largest takes "
                            f"{result.spend_concentration.largest_share:.0%}")
    plots.caption(ax, f"Source: {payments_source(found)}, cleaned and mapped to the service by the documented rules "
                      "below; revenue payments only (capital shown apart); private individuals redacted.",
                  illustrative=payments_are_sample(found))


def concentration_note(concentration, result=None) -> None:
    """The concentration figures in one note; for spend, what including the capital payments would do."""
    if concentration is None:
        note("Concentration: not available (no revenue payments or provider values for this service).", "missing")
        return
    if concentration.band:
        note(f"{concentration.kind.capitalize()}: HHI {concentration.hhi:,.0f} (0–10,000), CR3 {concentration.cr3:.0%}, "
             f"{concentration.n_providers} providers. {concentration.description} Source of the bands: "
             f"{concentration.band_source}.")
        return
    text = f"Spend concentration on revenue payments only (HHI on a 0–10,000 scale). {concentration.description}"
    with_capital = getattr(result, "concentration_with_capital", None)
    if with_capital is not None:
        n, total = result.capital_total
        text += (f" With the {plural(n, 'capital payment')} (£{total:,.0f}) counted in, the largest supplier would be "
                 f"{with_capital.largest} ({with_capital.largest_share:.0%}), CR3 {with_capital.cr3:.0%} and HHI "
                 f"{with_capital.hhi:,.0f} — but capital payments buy or build assets once; they are not a "
                 "dependency for running the service.")
    note(text)


def capital_section(found, service_name: str, limit: int = 60) -> None:
    """The service's capital payments, by supplier and line by line (up to ``limit`` lines), shown apart."""
    result = found.result
    if result.capital is None:
        return
    n, total = result.capital_total
    if not n:
        note(f"Capital payments for {service_name.lower()}: none by the capital rule (see the rules below); every "
             "payment mapped to the service is counted as revenue.")
        return
    note(f"Capital payments for {service_name.lower()}: {plural(n, 'payment')} totalling £{total:,.0f} to "
         f"{plural(len(result.capital_suppliers), 'supplier')}, shown apart and left out of spend concentration.",
         "warning")
    table(result.capital_suppliers.rename(columns=_CAPITAL_COLUMNS),
          title=f"Capital payments for {service_name.lower()} by supplier",
          source="the council's published payments; personal names in descriptions masked; rules: the capital "
                 "rule table at the end of this report", formats={"amount_gbp": ",.2f"})
    lines = result.capital_lines
    title = f"Capital payments for {service_name.lower()}, line by line"
    if len(lines) > limit:
        title += f" (the {limit} largest of {len(lines)})"
        lines = lines.nlargest(limit, "amount_gbp").sort_values(["payment_date", "supplier"], kind="stable")
    table(lines.rename(columns={"payment_date": "Paid", "supplier": "Supplier", "description": "Description",
                                "rule": "Capital rule"}),
          title=title, source="the council's published payments; personal names in descriptions masked",
          formats={"amount_gbp": ",.2f", "Paid": lambda d: f"{d:%d %b %Y}"})


def capital_all_services(found) -> None:
    """Capital payments of every service (mapped or not) by supplier."""
    capital = found.capital_all_services
    if capital is None or capital.empty:
        return
    table(capital.rename(columns=_CAPITAL_COLUMNS),
          title=f"Capital payments, all services: {plural(int(capital['payments'].sum()), 'payment')}, "
          f"£{capital['amount_gbp'].sum():,.0f} (shown apart; not in any spend concentration)",
          source="the council's published payments; personal names in descriptions masked; rules: the capital "
                 "rule table at the end of this report", formats={"amount_gbp": ",.2f"})


def maturity_note(found) -> None:
    if not found.has_evidence:
        note("Market maturity: not assessed — no provider register and no payments for this service.", "missing")
        return
    m = found.result.maturity
    check = found.result.priority_check
    _sample_note("this market maturity rating, and its comparison with priority setting,", found.result.maturity_sample)
    kind = "warning" if check.get("agrees") is False or found.result.maturity_sample else "info"
    label = " (ILLUSTRATIVE SAMPLE)" if found.result.maturity_sample else ""
    note(f"Computed market maturity{label}: {m.rating}. Rule: {m.rule.rstrip('.')}. {check.get('note', '')}", kind)


def options_screen(found) -> None:
    """The screen of the twelve sourcing options, saying first when it rests on the illustrative sample."""
    result = found.result
    _sample_note("the screen of sourcing options below", result.screen_sample)
    label = " — ILLUSTRATIVE SAMPLE evidence" if result.screen_sample else ""
    shown = result.options[["group", "label", "supported", "reason"]].rename(columns={"reason": "Why (the evidence)"})
    table(shown, title=f"Sourcing options screen (the long list for option appraisal){label}",
          source=data_label(found.council_data) if result.screen_sample else None,
          formats={"supported": lambda v: "yes" if v else "no"})


def rules_of_cleaning(tables: Mapping[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        table(frame, title=_RULE_TITLES.get(name, f"Supplier payment cleaning rules: {name}"),
              source="wcc_analysis.analysis.suppliers")


def providers_table(found, limit: int = 25) -> None:
    """The providers of the service, largest first; long stand-in registers are cut to ``limit`` rows."""
    providers = found.result.providers
    if found.register_from_payments and providers.empty:
        revenue = found.service_revenue
        unclassified = sorted(revenue.loc[revenue["sector"] == "unclassified", "supplier"].unique())
        note("No supplier paid for running this service has a recognised sector, so none counts as a capable "
             "provider" + (f" (unclassified: {', '.join(unclassified)})" if unclassified else "") + ". Give the "
             "council's provider register to assess the market.", "missing")
        return
    if not available(providers, "Provider register for this service"):
        return
    columns = [c for c in ["provider", "sector", "annual_value_gbp", "contract_end", "in_district"] if c in providers.columns]
    shown = providers[columns].sort_values(["annual_value_gbp", "provider"], ascending=[False, True], na_position="last")
    title = "Providers"
    if found.register_from_payments and len(shown) > limit:
        title = (f"The {limit} suppliers paid most for running this service (of {len(shown)}; capital payments left "
                 "out); value = £ paid in the year")
        shown = shown.head(limit)
    table(shown, title=title, source=data_label(found.council_data) if not found.register_from_payments
          else "the council's published payments", formats={"annual_value_gbp": ",.0f"})
