"""Public measures per service: a documented catalogue and a pure value selector.

Used by the gap analysis ("Is it best in class?", "Is it as cost efficient as it could be?") to compare a
council with its comparators on every public measure available for a service. Pure: tables come in as
DataFrames (the ingest tables), nothing is read here.

Each measure has an ``id``, its ``service_id``, a ``label``, a ``unit``, a ``polarity`` —
``higher_is_better``, ``lower_is_better`` (for spend per head: lower is *cheaper*, which is not by itself
better service) or ``volume`` (a size or a level, never used to rate best in class: :func:`ascending`
refuses it) — its ``source``, ``year``, a ``coverage`` note saying which councils the source covers, its
``basis`` (outturn, budget, or a performance statistic) and ``scope`` (a detailed outturn line, the
service's budget lines, or a whole RS block).

``measure_values(measure, tables, population)`` returns ``ons_code, value`` for every authority with a
figure. Spend measures are £ thousand as published divided by the population for the financial year
(:func:`wcc_analysis.analysis.population.by_year`: the ONS mid-year estimate for mid-YYYY, the
census-trend estimate where there is none), in £ per head; counts per 1,000 people likewise. A missing
figure stays missing: the authority is left out, never given zero. Where a measure adds several lines
(waste collection + recycling), an authority missing any of them has no value (``LINE_SUM_RULES``: never a
partial sum). :func:`why_missing` says, for an authority without a value, whether the project does not hold the
source for it (a Lancashire extract) or which of the measure's lines is blank.

The service's own budget lines (``config/services.toml`` ``ra_lines``) make one more spend measure per
service, built by :func:`service_line_measure`; :func:`measures_for` puts it after the detailed outturn
lines and before the whole blocks, so the most specific figure comes first.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wcc_analysis.analysis.population import estimate
from wcc_analysis.core.errors import MissingDataError, ParameterError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import listed
from wcc_analysis.core.vocabulary import HIGHER, LOWER, VOLUME

PER_HEAD_UNIT = "£ per head (net current expenditure / ONS mid-year population)"
#: Households are not published by DEFRA: they follow from its residual household waste tonnage (LA collected waste
#: Table 1) divided by residual household waste per household (Table 3, NI191); see ingest.public.waste_collection.
HOUSEHOLDS_NOTE = ("households derived: DEFRA publishes no count; it follows from its residual household waste tonnage "
                   "(LA collected waste Table 1) divided by residual household waste per household (Table 3, NI191)")
PER_1000_UNIT = "incidents per 1,000 people (ONS mid-year population)"

#: What a spend figure is: outturn (what was spent) or budget (what was planned). Never mixed up in a label.
OUTTURN, BUDGET, STATISTIC = "outturn", "budget", "statistic"
#: How specific a spend measure is, most specific first.
DETAILED_LINE, SERVICE_LINES, BLOCK = "detailed outturn line", "service budget lines", "RS block"

_RO_SOURCE = ("MHCLG Revenue Outturn {form} {year}, net current expenditure (data by LA, via "
              "tompickup23/burnleycouncil); population: ONS mid-year estimate")
_RS_SOURCE = ("MHCLG revenue outturn {year} (time series v3.1; RS and RSX returns), net current expenditure; "
              "population: ONS mid-year estimate")
_RA_SOURCE = ("MHCLG Revenue Account budget (RA) {year}, budgeted net current expenditure by service line; "
              "population: ONS mid-year estimate")
_LANCS = ("Lancashire only: 12 shire districts and 2 unitaries with a population (Lancashire County "
          "Council has no census population and is left out); not Worcester or its Worcestershire neighbours")
_RS_ALL = ("every English council that made a return (districts, unitaries, metropolitan, London); held for "
           "2010-11 to 2014-15 and 2017-18 to 2024-25 (pass year=)")
#: Where the project holds only part of what is published: said when a council has no figure ("not held in the
#: shipped data", never "not published").
_RO_HELD = ("MHCLG publishes the Revenue Outturn returns of every council; the project holds only the Lancashire "
            "extract, via tompickup23/burnleycouncil")
_CT_HELD = ("MHCLG publishes collection rates for every billing authority in Table 6; the project holds only the 14 "
            "Lancashire billing authorities, via tompickup23/burnleycouncil")
_DEFRA_SOURCE = "DEFRA local authority collected waste statistics, LA data 2022-23 (revised edition, March 2024)"
_DEFRA_ALL = ("every English waste collection and unitary authority (DEFRA's codes of the year mapped to current ONS "
              "codes); 2010-11 to 2022-23 held (pass year=); joint waste bodies have no council code")


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
    #: For spend measures, the published block or lines the figure is a share of (services measured on
    #: the same one are counted once in portfolio totals); None for performance measures and volumes.
    spend_line: str | None = None
    #: How a value reads (a format spec): a rate held as a fraction 0–1 is shown as a percentage.
    value_format: str = ",.2f"
    basis: str = STATISTIC  # outturn, budget or statistic
    scope: str | None = None  # for spend measures: DETAILED_LINE, SERVICE_LINES or BLOCK
    block: str | None = None  # for a whole-block measure, the RS block
    trend: bool = False  # the source holds a series of years: show the council's trend beside the comparators'
    #: Divide by households (derived from DEFRA's waste figures, the latest year up to the measure's) instead of
    #: people; ``per_head`` must then be False.
    per_household: bool = False
    #: What follows a value when it is shown (its unit in a few words: " kg" per household, " per head"); a £ unit
    #: is shown with a £ sign before the figure (:attr:`money`).
    suffix: str = ""
    #: Where the project holds only part of the published source: what is published and what is held.
    held_note: str = ""

    @property
    def money(self) -> bool:
        """A £ figure (shown as £1.23 / −£1.23)."""
        return self.unit.startswith("£")


def _spend_label(spend_line: str, basis: str = OUTTURN) -> str:
    kind = "budget" if basis == BUDGET else "net spend"
    return f"{spend_line} {kind} per head (lower is cheaper)"


def _ro(id_: str, service: str, spend_line: str, form: str, lines: tuple[str, ...], coverage: str = _LANCS,
        year: str = "2024-25") -> Measure:
    return Measure(id_, service, _spend_label(spend_line), PER_HEAD_UNIT, LOWER,
                   _RO_SOURCE.format(form=form, year=year), year, coverage, "ro_detail",
                   "net_expenditure_gbp_thousands", "line", lines, {"form": form}, per_head=True,
                   spend_line=spend_line, basis=OUTTURN, scope=DETAILED_LINE, suffix=" per head", held_note=_RO_HELD)


def _rs(id_: str, service: str, block: str, year: str = "2024-25") -> Measure:
    spend_line = f"RS block '{block}'"
    return Measure(id_, service, _spend_label(spend_line), PER_HEAD_UNIT, LOWER, _RS_SOURCE.format(year=year), year,
                   _RS_ALL + "; the whole block, not only this service", "revenue_outturn",
                   "net_expenditure_gbp_thousands", "rs_block", (block,), per_head=True, spend_line=spend_line,
                   basis=OUTTURN, scope=BLOCK, block=block, suffix=" per head")


def service_line_measure(service_id: str, lines: tuple[str, ...] | list[str], year: str = "2023-24") -> Measure:
    """The spend measure of a service's own budget lines (``ra_lines`` in config/services.toml), per head.

    A budget, labelled so: what the council planned to spend net of income on those lines in ``year``.
    Every line must be published for an authority to have a figure.
    """
    lines = tuple(lines)
    if not lines:
        raise ParameterError(f"service {service_id!r} has no budget lines (ra_lines in config/services.toml)")
    spend_line = f"RA {year} " + " + ".join(lines)
    return Measure(f"{service_id}_ra_service_lines_budget_per_head", service_id, _spend_label(spend_line, BUDGET),
                   "£ per head (budgeted net current expenditure / ONS mid-year population)", LOWER,
                   _RA_SOURCE.format(year=year), year,
                   "every English council that made an RA return (410 in 2023-24; 2021-22 also held, pass year=)",
                   "ra_budget", "net_budget_gbp_thousands", "line", lines, per_head=True, spend_line=spend_line,
                   basis=BUDGET, scope=SERVICE_LINES, suffix=" per head")


def household_counts(tables: dict[str, pd.DataFrame], year: str) -> tuple[pd.Series, str | None]:
    """Households by ONS code for the latest DEFRA year up to ``year`` that has them, and that year (None when no
    year has them). Derived, not published: :data:`HOUSEHOLDS_NOTE`."""
    table = tables.get("waste_collection")
    if table is None or "households" not in table.columns:
        return pd.Series(dtype=float), None
    rows = table.dropna(subset=["ons_code", "households"])
    rows = rows[(rows["households"] > 0) & (rows["year"].astype(str) <= str(year))]
    if rows.empty:
        return pd.Series(dtype=float), None
    latest = str(rows["year"].max())
    rows = rows[rows["year"] == latest]
    return pd.Series(rows["households"].astype(float).to_numpy(), index=rows["ons_code"].astype(str).to_numpy()), latest


def value_for_money_cost_measure(service_id: str, lines: tuple[str, ...] | list[str], year: str = "2023-24", *,
                                 per_household: bool = False, households_year: str | None = None) -> Measure:
    """The spend question 3 sets against outcomes: the service's budget lines (RA ``year``) per head, or per
    household (households from DEFRA's waste figures for ``households_year``, derived: :data:`HOUSEHOLDS_NOTE`)."""
    lines = tuple(lines)
    if not lines:
        raise ParameterError(f"service {service_id!r} has no budget lines for the value-for-money cost")
    spend_line = f"RA {year} " + " + ".join(lines)
    if per_household:
        label = f"{spend_line} budget per household (lower is cheaper)"
        unit = (f"£ per household (budgeted net current expenditure {year} / households {households_year or 'latest'}; "
                f"{HOUSEHOLDS_NOTE})")
    else:
        label, unit = _spend_label(spend_line, BUDGET), "£ per head (budgeted net current expenditure / ONS mid-year population)"
    return Measure(f"{service_id}_vfm_cost_{'per_household' if per_household else 'per_head'}", service_id, label, unit,
                   LOWER, _RA_SOURCE.format(year=year) + ("; households: DEFRA LA collected waste statistics (derived)"
                                                         if per_household else ""), year,
                   "every English council that made an RA return" + (" and has DEFRA waste figures" if per_household else ""),
                   "ra_budget", "net_budget_gbp_thousands", "line", lines, per_head=not per_household,
                   spend_line=spend_line, basis=BUDGET, scope=SERVICE_LINES, per_household=per_household,
                   suffix=" per household" if per_household else " per head")


ENV = "Environmental and regulatory services"
CULTURE = "Cultural and related services"
CENTRAL = "Central services"

MEASURES: tuple[Measure, ...] = (
    # --- waste -------------------------------------------------------------------------------------
    Measure("waste_household_recycling_rate", "waste", "Household waste recycling rate (higher is better)",
            "share of household waste sent for reuse, recycling or composting (0-1)", HIGHER, _DEFRA_SOURCE,
            "2022-23", _DEFRA_ALL, "waste_collection", "household_recycling_rate", filters={"year": "2022-23"},
            value_format=".1%", trend=True),
    Measure("waste_residual_household_waste", "waste",
            "Residual household waste per household (lower is better)", "kg per household", LOWER, _DEFRA_SOURCE,
            "2022-23", _DEFRA_ALL, "waste_collection", "residual_household_waste_kg_per_household",
            filters={"year": "2022-23"}, value_format=",.1f", trend=True, suffix=" kg"),
    Measure("waste_fly_tipping_per_1000", "waste", "Fly-tipping incidents per 1,000 people (lower is better)",
            PER_1000_UNIT, LOWER,
            "DEFRA fly-tipping incidents and actions reported by local authorities, 2012-13 to 2022-23 (revised "
            "13 March 2024); population: ONS mid-year estimate", "2022-23",
            "every English council (2012-13 to 2022-23 held, pass year=); councils' recording practice differs, "
            "so compare with care", "fly_tipping", "incidents", filters={"year": "2022-23"}, per_head=True,
            value_format=",.1f", trend=True),
    _ro("waste_collection_recycling_net_per_head", "waste",
        "Waste collection + recycling", "RO5",
        ("Waste collection", "Recycling"),
        coverage=_LANCS + "; some councils book all recycling under waste collection (Recycling = 0), "
        "hence the two lines are added"),
    _ro("waste_street_cleansing_net_per_head", "waste", "Street cleansing",
        "RO5", ("Street cleansing (not chargeable to highways)",)),
    _rs("waste_rs_env_regulatory_net_per_head", "waste", ENV),
    # --- leisure -----------------------------------------------------------------------------------
    _ro("leisure_sports_net_per_head", "leisure",
        "Sports and recreation facilities + sports development", "RO5",
        ("Recreation and sport - Sports and recreation facilities including golf courses",
         "Recreation and sport - Sports development and community recreation"),
        coverage=_LANCS + ". The service's two RO5 lines (config/services.toml ro_lines); 'Sports and recreation "
        "facilities including golf courses' is empty for every council in this data (missing, not zero), so no "
        "council has the measure (never sports development alone: LINE_SUM_RULES) and question 3 uses the "
        "service's budget lines"),
    _rs("leisure_rs_cultural_net_per_head", "leisure", CULTURE),
    # --- museums -----------------------------------------------------------------------------------
    _ro("museums_museums_galleries_net_per_head", "museums",
        "Museums and galleries", "RO5",
        ("Culture and heritage - Museums and galleries",),
        coverage=_LANCS + "; a published 0 means the council reports no museum spend"),
    _rs("museums_rs_cultural_net_per_head", "museums", CULTURE),
    # --- revenues and benefits ---------------------------------------------------------------------
    Measure("rb_ct_collection_rate", "revenues_benefits",
            "Council tax collected in year, % of net collectable debit (higher is better)",
            "% of net collectable debit", HIGHER,
            "MHCLG Collection rates for council tax and non-domestic rates in England, Table 6 "
            "(via tompickup23/burnleycouncil)", "2024-25",
            "Lancashire only: 12 shire districts and 2 unitaries (billing authorities); 2019-20 to 2024-25 "
            "held (pass year=); not Worcester (the all-England Table 6 is not held)",
            "ct_collection", "collection_rate_pct", filters={"year": "2024-25"}, suffix="%", held_note=_CT_HELD),
    _ro("rb_ct_collection_net_per_head", "revenues_benefits",
        "Council tax collection", "RO6", ("Council tax collection",)),
    _ro("rb_ndr_collection_net_per_head", "revenues_benefits",
        "Non-domestic rates collection", "RO6",
        ("Non-domestic rates collection",)),
    _ro("rb_hb_admin_net_per_head", "revenues_benefits",
        "Housing benefit administration", "RO4",
        ("Housing Benefits Administration",)),
    _rs("rb_rs_central_net_per_head", "revenues_benefits", CENTRAL),
    Measure("rb_ct_receipts", "revenues_benefits",
            "Council tax receipts collected in the year (VOLUME: never rates best in class)",
            "£ thousand", VOLUME,
            "DLUHC Receipts of Council Taxes live table, Table 5 (via FemShow/ct-receipts)", "2022-23",
            "every English billing authority (309 in 2022-23; 2010-11 to 2022-23 held, pass year=). Total "
            "received in the year incl. arrears and advance payments; grows with the tax base and the tax rate",
            "ct_receipts", "receipts_gbp_thousands", filters={"year": "2022-23"}, value_format=",.0f", suffix="k"),
    Measure("rb_band_d_council_tax", "revenues_benefits",
            "Band D council tax excluding parish precepts (CONTEXT: a level the council sets, never rated)",
            "£ per Band D dwelling", VOLUME,
            "MHCLG Council tax levels set by local authorities in England 2024-25, Table 9 (cross-checked with "
            "Table 7)", "2024-25", "every English billing authority; 2023-24 and 2024-25 held (pass year=)",
            "council_tax_levels", "band_d_excluding_parish_gbp", filters={"year": "2024-25"}),
)

_BY_ID = {m.id: m for m in MEASURES}
if len(_BY_ID) != len(MEASURES):  # pragma: no cover - a catalogue typo
    raise RuntimeError("duplicate measure id in MEASURES")

CATALOGUE_COLUMNS = ["id", "service_id", "label", "unit", "polarity", "source", "year", "coverage",
                     "table", "per_head", "basis", "scope"]
#: Where a service's budget-line measure stands among its measures: before the first of these scopes.
_BEFORE = (BLOCK,)


def catalogue(extra: tuple[Measure, ...] = ()) -> pd.DataFrame:
    """Every measure, one row each, in catalogue order (columns ``CATALOGUE_COLUMNS``); ``extra`` measures
    (a service's budget lines) are placed as :func:`ordered` places them."""
    return pd.DataFrame([{c: getattr(m, c) for c in CATALOGUE_COLUMNS} for m in ordered(extra)],
                        columns=CATALOGUE_COLUMNS)


def ordered(extra: tuple[Measure, ...] = ()) -> list[Measure]:
    """The catalogue with ``extra`` measures inserted, each before its service's first whole-block measure."""
    out = list(MEASURES)
    for measure in extra:
        at = next((i for i, m in enumerate(out) if m.service_id == measure.service_id and m.scope in _BEFORE),
                  max((i + 1 for i, m in enumerate(out) if m.service_id == measure.service_id), default=len(out)))
        out.insert(at, measure)
    return out


def services() -> list[str]:
    """Service ids with at least one measure, in catalogue order."""
    return list(dict.fromkeys(m.service_id for m in MEASURES))


def measures_for(service_id: str, extra: tuple[Measure, ...] = ()) -> list[Measure]:
    """The measures of one service, most specific first (may be empty for a service with no public measure)."""
    return [m for m in ordered(extra) if m.service_id == service_id]


def measures_table(service_id: str, extra: tuple[Measure, ...] = ()) -> pd.DataFrame:
    """The catalogue rows of one service (``CATALOGUE_COLUMNS``)."""
    table = catalogue(extra)
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
    """Population by ONS code for the financial year.

    ``population`` is the long table of :func:`wcc_analysis.analysis.population.by_year` (``ons_code,
    year_start, population``), or the census table (``ons_code, pop_2011, pop_2021``: census-trend estimate).
    """
    if {"ons_code", "year_start", "population"} <= set(population.columns):
        rows = population[population["year_start"] == year_start(year)]
        values, codes = rows["population"].astype(float), rows["ons_code"]
    elif {"pop_2011", "pop_2021"} <= set(population.columns):
        values = estimate(population["pop_2011"].astype(float), population["pop_2021"].astype(float),
                          year_start(year))
        codes = population["ons_code"]
    else:
        raise ParameterError("population must be the table of population.by_year (ons_code, year_start, "
                             "population) or the census table (ons_code, pop_2011, pop_2021)")
    series = pd.Series(values.to_numpy(float), index=codes.astype(str).to_numpy())
    return series[series > 0]


@dataclass(frozen=True)
class LineFacts:
    """How many of a measure's published lines have a figure for one authority, as ``LINE_SUM_RULES`` reads it."""

    lines: int  # the lines the measure adds (one or more)
    with_figure: int  # of them, the lines with a figure for the authority (a published 0 is a figure)


SUMMED, NO_VALUE = "the sum of its lines", "no value"

#: An authority's value for a measure of one or more published lines (first rule that holds).
LINE_SUM_RULES: RuleTable[LineFacts] = RuleTable((
    Rule(NO_VALUE, "any of the measure's lines has no figure for the authority (blank in the data held, or not "
                   "returned): the authority has no value for the measure — never a partial sum of the lines it has, "
                   "which would understate its spend and describe a different service (where too few authorities "
                   "are left, question 3 moves on to the next spend measure: COST_MEASURE_RULES)",
         lambda f: f.with_figure < f.lines),
    Rule(SUMMED, "otherwise: the sum of its lines as published (a published £0 is a figure and counts as 0)", always),
), columns=("value", "rule"))


def line_sum(lines: int, with_figure: int) -> str:
    """``SUMMED`` or ``NO_VALUE`` for an authority with figures on ``with_figure`` of a measure's ``lines``."""
    return LINE_SUM_RULES.decide(LineFacts(int(lines), int(with_figure)))


def why_missing(measure: Measure, tables: dict[str, pd.DataFrame], council: str, year: str | None = None) -> str:
    """Why ``council`` has no value for ``measure``, in words: the project does not hold the source for it (what is
    published and what is held), or which of the measure's lines is blank (and whether it is blank for every
    authority) — "not held in the shipped data", never "not published" unless that is so."""
    table = tables.get(measure.table)
    year = year or measure.year
    if table is None or "ons_code" not in table.columns:
        return f"not held in the shipped data (the {measure.table} table was not loaded)"
    rows = table[table["ons_code"] == council]
    filters = {**measure.filters, "year": year} if "year" in table.columns else dict(measure.filters)
    for column, wanted in filters.items():
        if column in rows.columns:
            rows = rows[rows[column] == wanted]
    if rows.empty:
        return "not held in the shipped data" + (f" ({measure.held_note})" if measure.held_note else "")
    if measure.lines and measure.line_column in rows.columns:
        have = set(rows.dropna(subset=[measure.value_column])[measure.line_column])
        blank = [line for line in measure.lines if line not in have]
        if blank:
            everyone = table
            for column, wanted in filters.items():
                if column in everyone.columns:
                    everyone = everyone[everyone[column] == wanted]
            held = everyone.dropna(subset=[measure.value_column])
            nobody = [line for line in blank if line not in set(held[measure.line_column])]
            words = listed(f"'{line}'" for line in blank)
            return (f"not held in the shipped data: no figure on {words}"
                    + (" (blank for every council in the data held)" if nobody == blank else "")
                    + ("; a measure of several lines is never a partial sum (LINE_SUM_RULES)"
                       if len(measure.lines) > 1 else ""))
    return "not held in the shipped data (no figure for the council for this year)"


def measure_values(
    measure: Measure | str,
    tables: dict[str, pd.DataFrame],
    population: pd.DataFrame | None = None,
    *,
    year: str | None = None,
) -> pd.DataFrame:
    """``ons_code, value`` for every authority with a figure for this measure (a :class:`Measure` or a
    catalogue id), sorted by ONS code.

    ``year`` overrides the catalogue year (e.g. "2023-24") where the source holds several years.
    Per-head measures need ``population`` (see :func:`_population_for`). Missing figures are left out
    (never zero); an empty result means no authority has one.
    """
    measure = measure if isinstance(measure, Measure) else get(measure)
    if measure.table not in tables or tables[measure.table] is None:
        raise MissingDataError(f"measure {measure.id} needs the {measure.table!r} table, which was not loaded "
                               "for this analysis")
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
    keep = table["ons_code"].notna()
    for column, wanted in filters.items():
        keep &= table[column] == wanted
    rows = table.loc[keep, list(dict.fromkeys(needed))]  # one copy, of the rows and columns used
    if measure.lines:
        rows = rows[rows[measure.line_column].isin(measure.lines)].dropna(subset=[measure.value_column])
        grouped = rows.groupby("ons_code")
        held = grouped[measure.line_column].nunique()
        totals = grouped[measure.value_column].sum()
        keep = [line_sum(len(measure.lines), int(n)) == SUMMED for n in held.reindex(totals.index)]
        values = totals[keep]
    else:
        values = rows.set_index("ons_code")[measure.value_column]
    values = values.astype(float).dropna()
    if measure.per_household:
        homes, _ = household_counts(tables, year)
        values = values[values.index.isin(homes.index)]
        values = values * 1000.0 / homes.reindex(values.index)
    if measure.per_head:
        if population is None:
            raise MissingDataError(f"measure {measure.id} is per head, and no population was given for it")
        people = _population_for(population, year)
        values = values[values.index.isin(people.index)]
        values = values * 1000.0 / people.reindex(values.index)
    result = pd.DataFrame({"ons_code": values.index.astype(str), "value": values.to_numpy(np.float64)})
    result = result[np.isfinite(result["value"])]
    return result.sort_values("ons_code", ignore_index=True)


def trend_years(measure: Measure, tables: dict[str, pd.DataFrame]) -> list[str]:
    """The financial years the measure's source holds (for a trend measure), oldest first; [] otherwise."""
    table = tables.get(measure.table)
    if not measure.trend or table is None or "year" not in table.columns:
        return []
    return sorted(str(y) for y in table["year"].dropna().unique())


def measure_trend(measure: Measure, tables: dict[str, pd.DataFrame], population: pd.DataFrame | None,
                  council: str, comparators: list[str]) -> pd.DataFrame:
    """The council's value and the comparators' median for every year the source holds.

    ``year, council, comparator_median, comparators_reporting``: the median is over the comparators that
    publish the measure that year (a missing figure is left out, never zero).
    """
    rows = []
    for year in trend_years(measure, tables):
        values = measure_values(measure, tables, population, year=year).set_index("ons_code")["value"]
        others = values.reindex([c for c in comparators if c != council]).dropna()
        rows.append({"year": year, "council": float(values[council]) if council in values.index else np.nan,
                     "comparator_median": float(others.median()) if len(others) else np.nan,
                     "comparators_reporting": int(len(others))})
    return pd.DataFrame(rows, columns=["year", "council", "comparator_median", "comparators_reporting"])
