"""Public performance measures per service: a documented catalogue and a pure value selector.

Used by the gap analysis ("Is it best in class?") to compare a council with its
comparator group on every public measure available for a service. Pure: tables
come in as DataFrames (``wcc_analysis.ingest`` table functions), nothing is read here.

Each measure has an ``id``, its ``service_id``, a ``label``, a ``unit``, a
``polarity`` — ``higher_is_better``, ``lower_is_better`` (for spend per head:
lower is *cheaper*, which is not by itself better service) or ``volume`` (a size,
never used to rate best in class: :func:`ascending` refuses it) — its ``source``,
``year`` and a ``coverage`` note saying which councils the source covers.

``measure_values(measure_id, tables, population)`` returns ``ons_code, value``
for every authority with a figure. Spend measures are net current expenditure
(£ thousand as published) divided by the census-trend population for the
financial year's start year (:func:`wcc_analysis.analysis.population.estimate`, see
``population.METHOD_NOTE``), in £ per head. A missing figure stays missing: the
authority is left out of the result, never given zero. Where a measure adds
several lines (waste collection + recycling), an authority missing any of
them is left out. Authorities without a census population (shire counties,
police, fire) are left out of per-head measures.

``tables`` is keyed by the ingest table names: ``ro_detail``, ``recycling``,
``ct_collection``, ``ct_receipts``, ``revenue_outturn``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wcc_analysis.analysis.population import estimate
from wcc_analysis.core.errors import MissingDataError, ParameterError
from wcc_analysis.core.vocabulary import HIGHER, LOWER, VOLUME

PER_HEAD_UNIT = "£ per head (net current expenditure / census-trend population)"

_RO_SOURCE = ("MHCLG Revenue Outturn {form} {year}, net current expenditure (data by LA, via "
              "tompickup23/burnleycouncil); population: census-trend estimate (ONS Census 2011/2021)")
_RS_SOURCE = ("MHCLG Revenue Outturn Summary (RS) {year}, net current expenditure; "
              "population: census-trend estimate (ONS Census 2011/2021)")
_LANCS = ("Lancashire only: 12 shire districts and 2 unitaries with a population (Lancashire County "
          "Council has no census population and is left out); not Worcester or its Worcestershire neighbours")
_LANCS_RSX = _LANCS + "; 2021-22 to 2024-25 held (pass year=)"
_RS_ALL = ("every English council that made an RS return (districts, unitaries, metropolitan, London); "
           "held for 2010-11 to 2014-15 and 2017-18 (pass year=)")


@dataclass(frozen=True)
class Measure:
    """One public measure and how to read it from an ingest table."""

    id: str
    service_id: str
    label: str
    unit: str
    polarity: str
    source: str
    year: str
    coverage: str
    table: str
    value_column: str
    line_column: str | None = None
    lines: tuple[str, ...] = ()
    filters: dict[str, str] = field(default_factory=dict)
    per_head: bool = False
    #: For spend measures, the published block or line the figure is a share of (services measured on
    #: the same one are counted once in portfolio totals); None for performance measures and volumes.
    spend_line: str | None = None
    #: How a value reads (a format spec): a rate held as a fraction 0–1 is shown as a percentage.
    value_format: str = ",.2f"


def _spend_label(spend_line: str) -> str:
    return f"{spend_line} net spend per head (lower is cheaper)"


def _ro(id_: str, service: str, spend_line: str, form: str, lines: tuple[str, ...], coverage: str = _LANCS,
        year: str = "2024-25") -> Measure:
    return Measure(id_, service, _spend_label(spend_line), PER_HEAD_UNIT, LOWER,
                   _RO_SOURCE.format(form=form, year=year), year, coverage, "ro_detail",
                   "net_expenditure_gbp_thousands", "line", lines, {"form": form}, per_head=True,
                   spend_line=spend_line)


def _rs(id_: str, service: str, block: str, year: str = "2017-18") -> Measure:
    spend_line = f"RS block '{block}'"
    return Measure(id_, service, _spend_label(spend_line), PER_HEAD_UNIT,
                   LOWER, _RS_SOURCE.format(year=year), year,
                   _RS_ALL + "; the whole block, not only this service", "revenue_outturn",
                   "net_expenditure_gbp_thousands", "rs_block", (block,), per_head=True, spend_line=spend_line)


def _rsx(id_: str, service: str, block: str) -> Measure:
    return _ro(id_, service, f"RSX block '{block}'", "RSX", (block,),
               coverage=_LANCS_RSX + "; the whole block, not only this service")


ENV = "Environmental and regulatory services"
CULTURE = "Cultural and related services"
CENTRAL = "Central services"

MEASURES: tuple[Measure, ...] = (
    # --- waste -------------------------------------------------------------------------------------
    Measure("waste_household_recycling_rate", "waste", "Household waste recycling rate (higher is better)",
            "share of household waste collected that is recycled (0-1)", HIGHER,
            "DEFRA local authority collected waste statistics 2021-22 (via clarelgibson/uk-recycling)",
            "2021-22",
            "all 309 English districts and unitaries (Dec-2021 codes). 8 districts in shared waste "
            "authorities (Somerset Waste Partnership x4, Cambridge + South Cambridgeshire, Babergh; and "
            "Buckinghamshire under its county code) carry the shared authority's rate, as does Mid Suffolk",
            "recycling", "household_recycling_rate", filters={"year": "2021-22"}, value_format=".1%"),
    _ro("waste_collection_recycling_net_per_head", "waste",
        "Waste collection + recycling", "RO5",
        ("Waste collection", "Recycling"),
        coverage=_LANCS + "; some councils book all recycling under waste collection (Recycling = 0), "
        "hence the two lines are added"),
    _ro("waste_street_cleansing_net_per_head", "waste", "Street cleansing",
        "RO5", ("Street cleansing (not chargeable to highways)",)),
    _rsx("waste_rsx_env_regulatory_net_per_head", "waste", ENV),
    _rs("waste_rs_env_regulatory_net_per_head", "waste", ENV),
    # --- leisure -----------------------------------------------------------------------------------
    _ro("leisure_sports_development_net_per_head", "leisure",
        "Sports development and community recreation", "RO5",
        ("Recreation and sport - Sports development and community recreation",),
        coverage=_LANCS + ". The RO5 line 'Sports and recreation facilities including golf courses' is "
        "empty for every council in this data (not zero: missing), so facilities spend is not compared"),
    _rsx("leisure_rsx_cultural_net_per_head", "leisure", CULTURE),
    _rs("leisure_rs_cultural_net_per_head", "leisure", CULTURE),
    # --- museums -----------------------------------------------------------------------------------
    _ro("museums_museums_galleries_net_per_head", "museums",
        "Museums and galleries", "RO5",
        ("Culture and heritage - Museums and galleries",),
        coverage=_LANCS + "; a published 0 means the council reports no museum spend"),
    _rsx("museums_rsx_cultural_net_per_head", "museums", CULTURE),
    _rs("museums_rs_cultural_net_per_head", "museums", CULTURE),
    # --- revenues and benefits ---------------------------------------------------------------------
    Measure("rb_ct_collection_rate", "revenues_benefits",
            "Council tax collected in year, % of net collectable debit (higher is better)",
            "% of net collectable debit", HIGHER,
            "MHCLG Collection rates for council tax and non-domestic rates in England, Table 6 "
            "(via tompickup23/burnleycouncil)", "2024-25",
            "Lancashire only: 12 shire districts and 2 unitaries (billing authorities); 2019-20 to 2024-25 "
            "held (pass year=); not Worcester (the all-England Table 6 is not held)",
            "ct_collection", "collection_rate_pct", filters={"year": "2024-25"}),
    _ro("rb_ct_collection_net_per_head", "revenues_benefits",
        "Council tax collection", "RO6", ("Council tax collection",)),
    _ro("rb_ndr_collection_net_per_head", "revenues_benefits",
        "Non-domestic rates collection", "RO6",
        ("Non-domestic rates collection",)),
    _ro("rb_hb_admin_net_per_head", "revenues_benefits",
        "Housing benefit administration", "RO4",
        ("Housing Benefits Administration",)),
    _rsx("rb_rsx_central_net_per_head", "revenues_benefits", CENTRAL),
    _rs("rb_rs_central_net_per_head", "revenues_benefits", CENTRAL),
    Measure("rb_ct_receipts", "revenues_benefits",
            "Council tax receipts collected in the year (VOLUME: never rates best in class)",
            "£ thousand", VOLUME,
            "DLUHC Receipts of Council Taxes live table, Table 5 (via FemShow/ct-receipts)", "2022-23",
            "every English billing authority (309 in 2022-23; 2010-11 to 2022-23 held, pass year=). Total "
            "received in the year incl. arrears and advance payments; grows with the tax base and the tax rate",
            "ct_receipts", "receipts_gbp_thousands", filters={"year": "2022-23"}),
)

_BY_ID = {m.id: m for m in MEASURES}
if len(_BY_ID) != len(MEASURES):  # pragma: no cover - a catalogue typo
    raise RuntimeError("duplicate measure id in MEASURES")

CATALOGUE_COLUMNS = ["id", "service_id", "label", "unit", "polarity", "source", "year", "coverage",
                     "table", "per_head"]


def catalogue() -> pd.DataFrame:
    """Every measure, one row each, in catalogue order (columns ``CATALOGUE_COLUMNS``)."""
    return pd.DataFrame([{c: getattr(m, c) for c in CATALOGUE_COLUMNS} for m in MEASURES],
                        columns=CATALOGUE_COLUMNS)


def services() -> list[str]:
    """Service ids with at least one measure, in catalogue order."""
    return list(dict.fromkeys(m.service_id for m in MEASURES))


def measures_for(service_id: str) -> pd.DataFrame:
    """The catalogue rows for one service (may be empty for a service with no public measure)."""
    table = catalogue()
    return table[table["service_id"] == service_id].reset_index(drop=True)


def get(measure_id: str) -> Measure:
    """The measure with this id; ParameterError (with the nearest ids) otherwise."""
    try:
        return _BY_ID[measure_id]
    except KeyError:
        close = difflib.get_close_matches(str(measure_id), list(_BY_ID), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}?" if close else f"known ids: {', '.join(_BY_ID)}"
        raise ParameterError(f"unknown measure {measure_id!r}; {hint}") from None


def ascending(measure_id: str) -> bool:
    """Sort direction that puts the best first (True for lower-is-better).

    Raises ParameterError for a volume measure: it must never rate best in class.
    """
    measure = get(measure_id)
    if measure.polarity == VOLUME:
        raise ParameterError(f"{measure.id} ({measure.label}) is a volume measure: it describes size, "
                             "not performance, and cannot rank councils as best in class")
    return measure.polarity == LOWER


def year_start(year: str) -> int:
    """2024 for "2024-25"."""
    try:
        return int(str(year)[:4])
    except ValueError:
        raise ParameterError(f"{year!r} is not a financial year like '2024-25'") from None


def _population_for(population: pd.DataFrame, year: str) -> pd.Series:
    """Population by ONS code for the financial year: census trend from ``pop_2011, pop_2021``
    (the ``ingest.population()`` table); a frame with a ``population`` column is used as given."""
    if {"pop_2011", "pop_2021"} <= set(population.columns):
        values = estimate(population["pop_2011"].astype(float), population["pop_2021"].astype(float),
                          year_start(year))
    elif "population" in population.columns:
        values = population["population"].astype(float)
    else:
        raise ParameterError("population must have columns ons_code, pop_2011, pop_2021 "
                             "(the ingest.population() table) or ons_code, population")
    series = pd.Series(values.to_numpy(float), index=population["ons_code"].astype(str).to_numpy())
    return series[series > 0]


def measure_values(
    measure_id: str,
    tables: dict[str, pd.DataFrame],
    population: pd.DataFrame | None = None,
    *,
    year: str | None = None,
) -> pd.DataFrame:
    """``ons_code, value`` for every authority with a figure for this measure, sorted by ONS code.

    ``year`` overrides the catalogue year (e.g. "2023-24") where the source holds several years.
    Per-head measures need ``population`` (the ``ingest.population()`` census table).
    Missing figures are left out (never zero); an empty result means no authority has one.
    """
    measure = get(measure_id)
    if measure.table not in tables or tables[measure.table] is None:
        raise MissingDataError(f"measure {measure.id} needs the {measure.table!r} table "
                               f"(wcc_analysis.ingest.{measure.table}()); it was not given")
    table = tables[measure.table]
    year = year or measure.year
    filters = {**measure.filters, "year": year}
    if "year" not in table.columns and year == measure.year:
        filters.pop("year")
    needed = [*filters, "ons_code", measure.value_column] + ([measure.line_column] if measure.line_column else [])
    absent = [c for c in needed if c not in table.columns]
    if absent:
        raise MissingDataError(f"table {measure.table!r} has no column(s) {', '.join(absent)} "
                               f"needed by measure {measure.id}")
    rows = table.dropna(subset=["ons_code"])
    for column, wanted in filters.items():
        rows = rows[rows[column] == wanted]
    if measure.lines:
        rows = rows[rows[measure.line_column].isin(measure.lines)]
        # every line must be present and non-missing: a partial sum would understate spend
        grouped = rows.groupby("ons_code")[measure.value_column]
        counts = grouped.count()
        values = grouped.sum(min_count=1)[counts == len(measure.lines)]
    else:
        values = rows.set_index("ons_code")[measure.value_column]
    values = values.astype(float).dropna()
    if measure.per_head:
        if population is None:
            raise MissingDataError(f"measure {measure.id} is per head: pass population "
                                   "(wcc_analysis.ingest.population(), the census table)")
        people = _population_for(population, year)
        values = values[values.index.isin(people.index)]
        values = values * 1000.0 / people.reindex(values.index)
    result = pd.DataFrame({"ons_code": values.index.astype(str), "value": values.to_numpy(np.float64)})
    result = result[np.isfinite(result["value"])]
    return result.sort_values("ons_code", ignore_index=True)
