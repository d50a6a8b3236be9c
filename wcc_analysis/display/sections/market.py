"""Sections of the market-analysis report."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from wcc_analysis.display.report import available, data_label, note, table


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
    if not found.has_evidence:
        note("Market maturity: not assessed — no provider register and no payments for this service.", "missing")
        return
    m = found.result.maturity
    check = found.result.priority_check
    kind = "warning" if check.get("agrees") is False else "info"
    note(f"Computed market maturity: {m.rating}. Rule: {m.rule}. {check.get('note', '')}", kind)


def rules_of_cleaning(tables: Mapping[str, pd.DataFrame]) -> None:
    for name, frame in tables.items():
        table(frame, title=f"Supplier payment cleaning rules: {name}", source="wcc_analysis.analysis.suppliers")


def providers_table(found, limit: int = 25) -> None:
    """The providers of the service, largest first; long stand-in registers are cut to ``limit`` rows."""
    providers = found.result.providers
    if not available(providers, "Provider register for this service"):
        return
    columns = [c for c in ["provider", "sector", "annual_value_gbp", "contract_end", "in_district"] if c in providers.columns]
    shown = providers[columns].sort_values(["annual_value_gbp", "provider"], ascending=[False, True], na_position="last")
    title = "Providers"
    if found.register_from_payments and len(shown) > limit:
        title = f"The {limit} suppliers paid most for this service (of {len(shown)}); value = £ paid in the year"
        shown = shown.head(limit)
    table(shown, title=title, source=data_label(found.council_data) if not found.register_from_payments
          else "the council's published payments", formats={"annual_value_gbp": ",.0f"})
