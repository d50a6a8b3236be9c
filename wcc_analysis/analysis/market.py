"""Market analysis (seed: Analyse — analysing the market, researching alternative delivery models).

Pure functions over the council's tables: how concentrated the council's spend
(or a local market) is, how many capable providers each sector offers, a
computed market-maturity rating set beside the priority-setting score, and the
seed's twelve sourcing options (section 5) screened against that evidence to
give the long list that option appraisal takes.

Every rule is a documented module-level table: ``HHI_BANDS_2010`` (the HHI
bands of the superseded 2010 Merger Assessment Guidelines, quoted as indicative
for a local market only: the CMA's current guidelines, CMA129, set no HHI
thresholds), ``DEPENDENCY_WORDS``, ``MATURITY_RULES`` (three bidders: the minimum
of the Public Contracts Regulations 2015, reg. 65) and ``OPTION_RULES`` (the
seed's sourcing options, section 5). The first three are
:class:`~wcc_analysis.core.rules.RuleTable` s and ``OPTION_RULES`` an
:class:`OptionRules` table: the function that decides reads the same table the
report prints, so the rule shown is the rule that ran.

Spend concentration is measured on the council's revenue payments only: capital
payments (``suppliers.CAPITAL_RULES``) are one-off purchases of assets — a
leisure centre's construction — and are shown apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from wcc_analysis.analysis.common import require_columns
from wcc_analysis.analysis.suppliers import SPEND_TYPE, capital_by_supplier, capital_lines, split_spend
from wcc_analysis.core.errors import MissingDataError, ParameterError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import listed, plural, sentence
from wcc_analysis.core.vocabulary import (
    ARMS_LENGTH_COMPANY,
    CATEGORIES,
    COMMUNITY,
    DELIVERY_MODELS,
    EXTERNAL_MODELS,
    EXTERNAL_SECTORS,
    HIGH,
    LOW,
    MATURITY_RATINGS,
    MEDIUM,
    MUST_DO,
    NICE_TO_DO,
    OPTION_GROUPS,
    OPTION_LABELS,
    OUTSOURCED,
    PRIVATE,
    PROVIDER_SECTORS,
    PUBLIC_SECTOR,
    SHARED_SERVICE,
    SHOULD_DO,
    THIRD_SECTOR,
    TRUST_OR_THIRD_SECTOR,
    UNCLASSIFIED,
    any_illustrative,
)

SPEND = "spend concentration"
MARKET = "market concentration"

# ---------------------------------------------------------------------------
# Concentration
# ---------------------------------------------------------------------------

#: Where the HHI bands come from, and that they are no longer current guidance.
BAND_SOURCE = (
    "Merger Assessment Guidelines (CC2 Revised / OFT1254, Competition Commission and Office of Fair Trading, "
    "September 2010), para. 5.3.5 — SUPERSEDED: the CMA's current Merger Assessment Guidelines (CMA129, "
    "18 March 2021) replaced them and set no HHI thresholds (the CMA applies no threshold to market shares or "
    "any other measure), so these bands are indicative only"
)


@dataclass(frozen=True)
class HhiFacts:
    """A local market's HHI (0–10,000), as ``HHI_BANDS_2010`` reads it."""

    hhi: float


def _hhi_test(upper: float) -> Callable[[HhiFacts], bool]:
    return lambda f: f.hhi <= upper


#: Indicative HHI bands (0–10,000) for a MARKET's sellers, from the superseded 2010 guidelines (``BAND_SOURCE``),
#: which regarded a market with an HHI above 1,000 as concentrated and above 2,000 as highly concentrated. Not
#: the CMA's current guidance (CMA129 sets no thresholds), and never quoted for one buyer's spend.
HHI_BANDS_2010: RuleTable[HhiFacts] = RuleTable((
    Rule("unconcentrated", "HHI at most 1,000 (2010 guidelines, superseded; indicative only)", _hhi_test(1000.0)),
    Rule("concentrated", "HHI above 1,000 and at most 2,000 (2010 guidelines, superseded; indicative only)",
         _hhi_test(2000.0)),
    Rule("highly concentrated", "HHI above 2,000 (2010 guidelines, superseded; indicative only)",
         _hhi_test(float("inf"))),
), columns=("band", "rule"))

#: What spend concentration measures, and what it does not — one sentence, in every spend description.
SPEND_MEANING = (
    "Spend concentration measures the council's dependency on few suppliers for this revenue spend, not "
    "competition in the market: a supplier's share of one council's payments says nothing about how many "
    "firms could bid."
)



@dataclass(frozen=True)
class SpendFacts:
    """The council's spend concentration, as ``DEPENDENCY_WORDS`` reads it (shares 0–1)."""

    largest_share: float  # the largest supplier's share
    cr3: float  # the three largest suppliers' share


#: How SPEND concentration is put in words (first rule that holds): the words, and the test.
#: Tests use the largest supplier's share and CR3, both 0–1.
DEPENDENCY_WORDS: RuleTable[SpendFacts] = RuleTable((
    Rule("relies on a single supplier for at least half of this spend", "largest share >= 0.5",
         lambda f: f.largest_share >= 0.5),
    Rule("depends on its three largest suppliers for at least 80% of this spend", "cr3 >= 0.8",
         lambda f: f.cr3 >= 0.8),
    Rule("spreads this spend across several suppliers, with no one supplier dominant", "otherwise", always),
), columns=("words", "test"))

#: The tables concentration is measured on, as the analyst knows them.
PAYMENTS_TABLE = "payments"
MARKET_TABLE = "local market register"


def shares(frame: pd.DataFrame, by: str, value: str = "amount_gbp", *, table: str = PAYMENTS_TABLE) -> pd.DataFrame:
    """Each ``by``'s total of ``value`` and its share (0–1), largest first, ties by name.

    Rows with no value are ignored; a name whose net total is zero or negative
    (credit notes exceeding payments) has no share and is left out. ``table``
    names ``frame`` in the error when a column is missing.
    """
    require_columns(frame, [by, value], table)
    rows = frame[[by, value]].dropna()
    totals = rows.groupby(by, sort=True)[value].sum().astype(float)
    totals = totals[totals > 0]
    table = totals.rename("total").reset_index()
    grand = float(table["total"].sum())
    table["share"] = table["total"] / grand if grand > 0 else pd.Series(dtype=float)
    table = table.sort_values(["total", by], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)


def _check_shares(share_series: pd.Series | Sequence[float]) -> pd.Series:
    s = pd.Series(share_series, dtype=float).dropna()
    if (s < 0).any() or (s > 1 + 1e-9).any() or s.sum() > 1 + 1e-9:
        raise ParameterError("shares must be fractions 0–1 summing to at most 1 (not percentages)")
    return s


def hhi(share_series: pd.Series | Sequence[float]) -> float:
    """Herfindahl–Hirschman index on the 0–10,000 scale: the sum of squared percentage shares."""
    s = _check_shares(share_series)
    return float(((s * 100.0) ** 2).sum())


def cr3(share_series: pd.Series | Sequence[float]) -> float:
    """Three-firm concentration ratio: the sum of the three largest shares (0–1)."""
    s = _check_shares(share_series)
    return float(s.nlargest(3).sum())


def hhi_band_2010(hhi_value: float) -> str:
    """The indicative band of the superseded 2010 guidelines (``HHI_BANDS_2010``) for a market's HHI."""
    if pd.isna(hhi_value):
        raise ParameterError(f"HHI {hhi_value} is not a number")
    return HHI_BANDS_2010.decide(HhiFacts(float(hhi_value)))


@dataclass
class Concentration:
    kind: str  # "spend concentration" or "market concentration"
    hhi: float
    cr3: float
    n_providers: int
    largest: str
    largest_share: float
    band: str | None  # indicative band of the superseded 2010 guidelines, market concentration only
    band_source: str | None
    description: str


def concentration(
    frame: pd.DataFrame, kind: str, *, by: str | None = None, value: str | None = None
) -> Concentration:
    """HHI, CR3 and their meaning for one council's payments or a local-market provider register.

    ``kind="spend"``: the council's payments (defaults ``by="supplier"``,
    ``value="amount_gbp"``) — how dependent the council is on few suppliers,
    described in words (``DEPENDENCY_WORDS``); no competition bands, since one
    buyer's spend is not a market. Give it revenue payments only
    (``suppliers.split_spend``), as ``analyse`` does.
    ``kind="market"``: a register covering the local market, one row per
    provider with its value in that market (defaults ``by="provider"``,
    ``value="annual_value_gbp"``) — described with the indicative bands of the
    superseded 2010 guidelines (``HHI_BANDS_2010``), named as superseded.
    """
    if kind not in ("spend", "market", SPEND, MARKET):
        raise ParameterError(f"kind must be 'spend' or 'market', not {kind!r}")
    is_market = kind in ("market", MARKET)
    by = by or ("provider" if is_market else "supplier")
    value = value or ("annual_value_gbp" if is_market else "amount_gbp")
    table = shares(frame, by, value, table=MARKET_TABLE if is_market else PAYMENTS_TABLE)
    if table.empty:
        raise MissingDataError(
            f"no positive {value} by {by} to measure concentration on: add the values, or leave "
            "concentration out of this service's market analysis"
        )
    h, c = hhi(table["share"]), cr3(table["share"])
    top_name, top_share = str(table.at[0, by]), float(table.at[0, "share"])
    n = len(table)
    if is_market:
        band = hhi_band_2010(h)
        text = (
            f"HHI {h:,.0f}: '{band}' on the indicative bands of the 2010 Merger Assessment Guidelines "
            "(CC2/OFT1254, superseded; the CMA's current guidelines, CMA129 of March 2021, set no HHI thresholds). "
            f"{plural(n, 'provider')}; the largest, {top_name}, holds {top_share:.0%} and the three largest {c:.0%}."
        )
        return Concentration(MARKET, h, c, n, top_name, top_share, band, BAND_SOURCE, text)
    words = DEPENDENCY_WORDS.decide(SpendFacts(top_share, c))
    text = (
        f"The council {words}: {plural(n, 'supplier')} paid; the largest, {top_name}, received {top_share:.0%} "
        f"and the three largest {c:.0%} (HHI {h:,.0f}). {SPEND_MEANING}"
    )
    return Concentration(SPEND, h, c, n, top_name, top_share, None, None, text)


# ---------------------------------------------------------------------------
# Providers and maturity
# ---------------------------------------------------------------------------


def providers_for(register: pd.DataFrame, service_id: str | None) -> pd.DataFrame:
    """Register rows whose ``services`` (ids separated by ';') include ``service_id`` (all when None)."""
    if service_id is None or "services" not in register.columns:
        return register.copy()
    offers = register["services"].fillna("").astype(str).map(lambda v: {x.strip() for x in v.split(";")})
    return register[offers.map(lambda ids: service_id in ids)].copy()


def _sector(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip().lower()
    return text if text in PROVIDER_SECTORS else UNCLASSIFIED


def providers_by_sector(register: pd.DataFrame, service_id: str | None = None) -> dict[str, int]:
    """Capable providers per sector (every sector listed, zeros included; ``unclassified`` last).

    A provider is counted once (by ``provider`` name). A blank or unknown
    sector is counted as ``unclassified``, never guessed.
    """
    rows = providers_for(register, service_id)
    rows = rows.drop_duplicates("provider") if "provider" in rows.columns else rows
    sectors = rows["sector"].map(_sector) if "sector" in rows.columns else pd.Series(UNCLASSIFIED, index=rows.index)
    counts = sectors.value_counts()
    return {s: int(counts.get(s, 0)) for s in (*PROVIDER_SECTORS, UNCLASSIFIED)}


def n_local_external(register: pd.DataFrame, service_id: str | None = None) -> int:
    """External (non in-house, classified) providers for the service based in the district."""
    rows = providers_for(register, service_id)
    if "in_district" not in rows.columns:
        return 0
    external = rows["sector"].map(_sector).isin(EXTERNAL_SECTORS)
    local = rows["in_district"].astype(str).str.strip().str.lower().eq("yes")
    return int(rows.loc[external & local, "provider"].nunique())


def model_counts(models: pd.DataFrame | None, service_id: str | None = None, exclude: str | None = None) -> dict[str, int]:
    """Comparator councils per delivery model (every model listed), optionally leaving one council out."""
    counts = {m: 0 for m in DELIVERY_MODELS}
    if models is None or models.empty:
        return counts
    rows = models
    if service_id is not None and "service_id" in rows.columns:
        rows = rows[rows["service_id"] == service_id]
    if exclude is not None and "council_code" in rows.columns:
        rows = rows[rows["council_code"] != exclude]
    for model, n in rows["model"].value_counts().items():
        if model in counts:
            counts[model] = int(n)
    return counts


@dataclass(frozen=True)
class MaturityFacts:
    """The market evidence and thresholds ``MATURITY_RULES`` reads (thresholds: ``market_maturity``'s parameters)."""

    n_external: int  # capable external providers (private, third, public and community sectors)
    n_sectors: int  # external sectors with at least one of them
    n_local: int  # of them, based in the district
    comparators_external: int | None  # comparators delivering through an external model; None when not supplied
    min_external: int = 3
    min_sectors: int = 2
    min_local: int = 1
    min_comparators: int = 1
    max_low: int = 1

    @property
    def short_of_high(self) -> tuple[str, ...]:
        """What the evidence lacks for High, in words (empty when it has everything High needs)."""
        missing = []
        if self.n_external < self.min_external:
            missing.append(f"fewer than {self.min_external} external providers")
        if self.n_sectors < self.min_sectors:
            missing.append(f"fewer than {self.min_sectors} external sectors")
        if self.n_local < self.min_local:
            missing.append(f"fewer than {self.min_local} based in the district")
        if self.comparators_external is None:
            missing.append("no comparator evidence (High needs it)")
        elif self.comparators_external < self.min_comparators:
            missing.append(f"fewer than {self.min_comparators} comparator using an external model")
        return tuple(missing)


#: How market maturity is rated (first rule that holds). Thresholds are parameters of
#: ``market_maturity``; defaults in brackets.
MATURITY_RULES: RuleTable[MaturityFacts] = RuleTable((
    Rule(LOW, "at most max_low (1) capable external provider: no competition to buy from",
         lambda f: f.n_external <= f.max_low),
    Rule(
        HIGH,
        "at least min_external (3) capable external providers, across at least min_sectors (2) "
        "external sectors, at least min_local (1) of them based in the district, and at least "
        "min_comparators (1) comparator council already delivering through an external model "
        "(trust or third sector, or outsourced)",
        lambda f: not f.short_of_high,
    ),
    Rule(MEDIUM, "otherwise (including when comparator delivery models are not supplied)", always),
))


@dataclass
class MaturityRating:
    rating: str  # High / Medium / Low
    rule: str  # the rule that fired, with the numbers
    n_external: int
    n_sectors: int
    n_local: int
    comparators_external: int | None  # None when comparator models were not supplied
    comparators_total: int | None


def market_maturity(
    providers_by_sector: Mapping[str, int],
    n_local: int,
    comparator_models: pd.DataFrame | Mapping[str, int] | None = None,
    *,
    min_external: int = 3,
    min_sectors: int = 2,
    min_local: int = 1,
    min_comparators: int = 1,
    max_low: int = 1,
) -> MaturityRating:
    """A computed High/Medium/Low market-maturity rating and the rule that gave it (``MATURITY_RULES``).

    External providers are those in the private, third, public and community
    sectors (in-house and unclassified do not count). ``n_local`` is how many
    of them are based in the district; ``comparator_models`` is the delivery
    models table (column ``model``, already filtered to the service) or its
    counts per model.

    Why these defaults: three bidders is the least that makes a tender
    genuinely competitive (the minimum number of candidates the Public
    Contracts Regulations 2015, reg. 65, set for negotiated procedures); two
    sectors mean the market does not hang on one kind of organisation; one
    comparator already buying the service externally shows the model is
    workable for a council like this; one local provider shows local capacity.
    With one external provider or none there is nothing to compete, so Low.
    """
    external = {s: int(providers_by_sector.get(s, 0)) for s in EXTERNAL_SECTORS}
    n_external = sum(external.values())
    n_sectors = sum(1 for n in external.values() if n > 0)
    if comparator_models is None:
        comp_ext = comp_total = None
    else:
        counts = comparator_models if isinstance(comparator_models, Mapping) else model_counts(comparator_models)
        comp_total = int(sum(counts.values()))
        comp_ext = int(sum(counts.get(m, 0) for m in EXTERNAL_MODELS))
    facts = MaturityFacts(n_external, n_sectors, n_local, comp_ext, min_external=min_external,
                          min_sectors=min_sectors, min_local=min_local, min_comparators=min_comparators,
                          max_low=max_low)
    rating = MATURITY_RULES.decide(facts)
    if rating == LOW:
        why = f"at most {max_low} capable external provider"
    elif rating == HIGH:
        why = (f"at least {min_external} external providers across at least {min_sectors} sectors, "
               f"local capacity, and comparators already buy externally")
    else:
        why = "more than one external provider but not High: " + "; ".join(facts.short_of_high)
    counted = (
        f"{plural(n_external, 'capable external provider')} in {plural(n_sectors, 'sector')}, "
        f"{n_local} based in the district"
    )
    comp_text = (
        "comparator delivery models not supplied"
        if comp_ext is None
        else f"{comp_ext} of {comp_total} comparators deliver through an external model"
    )
    return MaturityRating(rating, f"{rating}: {why} ({counted}; {comp_text}).", n_external, n_sectors,
                          int(n_local), comp_ext, comp_total)


def compare_with_priority(rating: MaturityRating | str, priority_score: str | None, weight: float | None = None) -> dict:
    """The computed rating beside the priority-setting "Market maturity" score, flagging disagreement.

    ``weight`` is the criterion's weight in priority setting (named in the note when given).
    """
    computed = rating.rating if isinstance(rating, MaturityRating) else str(rating)
    if computed not in MATURITY_RATINGS:
        raise ParameterError(f"rating must be one of {MATURITY_RATINGS}, not {computed!r}")
    if priority_score is None or (isinstance(priority_score, float) and pd.isna(priority_score)):
        return {
            "computed": computed, "priority_setting": None, "agrees": None, "steps_apart": None,
            "note": "No Market maturity score was given in priority setting, so there is nothing to compare.",
        }
    given = str(priority_score).strip().capitalize()
    if given not in MATURITY_RATINGS:
        raise ParameterError(f"priority score must be one of {MATURITY_RATINGS}, not {priority_score!r}")
    steps = abs(MATURITY_RATINGS.index(computed) - MATURITY_RATINGS.index(given))
    if steps == 0:
        note = f"The evidence agrees with the priority-setting score ({given})."
    else:
        note = (
            f"Disagreement: priority setting scored Market maturity {given}, the market evidence "
            f"gives {computed}. Revisit the score"
            + (f" (Market maturity is weighted x{weight:g})." if weight is not None else ".")
        )
    return {"computed": computed, "priority_setting": given, "agrees": steps == 0, "steps_apart": steps, "note": note}


# ---------------------------------------------------------------------------
# Sourcing options (seed section 5)
# ---------------------------------------------------------------------------


@dataclass
class MarketEvidence:
    """What the option screen reads. ``comparator_models``: counts per delivery model, or the table."""

    providers_by_sector: Mapping[str, int]
    maturity: str | MaturityRating
    comparator_models: Mapping[str, int] | pd.DataFrame | None = None
    category: str | None = None  # Must Do / Should Do / Nice to Do
    parish_councils: int | None = None


@dataclass(frozen=True)
class ScreenFacts:
    """The evidence as each option's rule reads it: counts per sector and per model, with every key present."""

    providers: Mapping[str, int]  # capable providers per provider sector
    maturity: str  # High / Medium / Low
    models: Mapping[str, int] | None  # comparators per delivery model; None when not supplied
    category: str | None  # Must Do / Should Do / Nice to Do; None when not supplied
    parish_councils: int | None  # parish or town councils in the district; None when not supplied
    min_bidders: int = 2  # capable providers that make a tender competitive

    @property
    def must_do(self) -> bool:
        return self.category == MUST_DO

    def comparators(self, model: str) -> int:
        """Comparators using ``model`` (0 when comparator models were not supplied)."""
        return self.models[model] if self.models is not None else 0

    def comparator_text(self, model: str) -> str:
        """"2 of 5 comparators use the outsourced model", or that the models were not supplied."""
        if self.models is None:
            return "comparator delivery models were not supplied"
        return f"{self.comparators(model)} of {sum(self.models.values())} comparators use the {model} model"


Assessment = tuple[bool, str]  # supported, and the one-sentence reason


@dataclass(frozen=True)
class OptionRule:
    """One sourcing option's rule: its id, the rule as printed, and the test that assesses the evidence."""

    option_id: str
    text: str
    assess: Callable[[ScreenFacts], Assessment]


class OptionRules(Mapping[str, str]):
    """The option screen's rules, one per sourcing option in the framework's order.

    Read as a mapping it is the printed table (option id → rule text); ``rules``
    holds each option's :class:`OptionRule`, whose ``assess`` is what
    ``screen_options`` runs.
    """

    def __init__(self, *rules: OptionRule) -> None:
        self.rules: tuple[OptionRule, ...] = rules
        self._text = {r.option_id: r.text for r in rules}

    def __getitem__(self, option_id: str) -> str:
        return self._text[option_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._text)

    def __len__(self) -> int:
        return len(self._text)


def _buy(f: ScreenFacts, sector: str, model: str) -> Assessment:
    """Outsourcing to ``sector``: enough bidders, or one and a comparator already buying through ``model``."""
    n, c = f.providers[sector], f.comparators(model)
    providers = plural(n, f"capable {sector} provider")
    if n >= f.min_bidders:
        return True, f"{providers}, enough for a competitive tender; {f.comparator_text(model)}."
    if n >= 1 and c >= 1:
        return True, f"Only {providers}, but {f.comparator_text(model)}, so the market is worth testing."
    if n >= 1:
        return False, f"Only {providers} (a tender needs {f.min_bidders}) and {f.comparator_text(model)}."
    return False, f"No capable {sector} provider is listed; {f.comparator_text(model)}."


def _in_house(f: ScreenFacts) -> Assessment:
    return True, "Always on the long list: the counterfactual every other option is appraised against."


def _arms_length(f: ScreenFacts) -> Assessment:
    return f.comparators(ARMS_LENGTH_COMPANY) >= 1, sentence(f.comparator_text(ARMS_LENGTH_COMPANY))


def _outsource_private(f: ScreenFacts) -> Assessment:
    return _buy(f, PRIVATE, OUTSOURCED)


def _outsource_third_sector(f: ScreenFacts) -> Assessment:
    return _buy(f, THIRD_SECTOR, TRUST_OR_THIRD_SECTOR)


def _private_sector_jv(f: ScreenFacts) -> Assessment:
    return (
        f.providers[PRIVATE] >= 1 and f.maturity in (HIGH, MEDIUM),
        f"{plural(f.providers[PRIVATE], 'capable private provider')} to partner with; market maturity {f.maturity}.",
    )


def _shared_services(f: ScreenFacts) -> Assessment:
    return (
        f.comparators(SHARED_SERVICE) >= 1 or f.providers[PUBLIC_SECTOR] >= 1,
        f"{plural(f.providers[PUBLIC_SECTOR], 'public-sector provider')} listed; "
        f"{f.comparator_text('shared service')}.",
    )


def _shared_management(f: ScreenFacts) -> Assessment:
    supported, reason = _shared_services(f)
    return supported, "Same evidence as shared services: " + reason


def _public_sector_jv(f: ScreenFacts) -> Assessment:
    n = f.providers[PUBLIC_SECTOR]
    return n >= 1, f"{plural(n, 'capable public-sector provider')} to partner with."


def _community_transfer(f: ScreenFacts) -> Assessment:
    if f.must_do:
        return False, ("A Must Do (statutory) service cannot be handed to the community; the duty stays with "
                       "the council.")
    return f.providers[COMMUNITY] >= 1, f"{plural(f.providers[COMMUNITY], 'capable community provider')} listed."


def _mutualisation(f: ScreenFacts) -> Assessment:
    return f.comparators(TRUST_OR_THIRD_SECTOR) >= 1, sentence(f.comparator_text(TRUST_OR_THIRD_SECTOR))


def _devolve_to_parish(f: ScreenFacts) -> Assessment:
    if f.must_do:
        return False, "A Must Do (statutory) service cannot be devolved to a parish; the duty stays with the council."
    if f.parish_councils is None:
        return False, "The number of parish or town councils in the district was not supplied."
    return f.parish_councils >= 1, f"{plural(int(f.parish_councils), 'parish or town council')} in the district."


def _closure(f: ScreenFacts) -> Assessment:
    if f.category is None:
        return False, "The service's Must/Should/Nice to Do category was not supplied, so closure is not screened in."
    if f.must_do:
        return False, "Never for a Must Do service: the council is required to provide it."
    if f.category == SHOULD_DO:
        return False, "A Should Do service has a real impact on outcomes; closing it would detract from the vision."
    return f.category == NICE_TO_DO, "A Nice to Do service: the seed names these as opportunities for de-commissioning."


#: When each option is supported on the long list (option id → rule), in the framework's order.
#: ``min_bidders`` (default 2) is a parameter of ``screen_options``. A statutory (Must Do) duty stays
#: with the council: it can buy or share delivery but cannot hand the service away or close it.
OPTION_RULES = OptionRules(
    OptionRule("in_house_transformation",
               "always supported: the counterfactual every other option is compared with", _in_house),
    OptionRule("arms_length_company",
               "at least one comparator runs the service through an arm's-length company", _arms_length),
    OptionRule("outsource_private", (
        "at least min_bidders (2) capable private providers, or one and at least one comparator "
        "that outsources the service"
    ), _outsource_private),
    OptionRule("outsource_third_sector", (
        "at least min_bidders (2) capable third-sector providers, or one and at least one comparator "
        "that uses a trust or third-sector model"
    ), _outsource_third_sector),
    OptionRule("private_sector_jv",
               "at least one capable private provider and market maturity Medium or High", _private_sector_jv),
    OptionRule("shared_services",
               "at least one comparator uses a shared service, or a public-sector provider is listed",
               _shared_services),
    OptionRule("shared_management", "as shared services (the lighter form of the same partnership)",
               _shared_management),
    OptionRule("public_sector_jv", "at least one capable public-sector provider to partner with", _public_sector_jv),
    OptionRule("community_transfer", "at least one capable community provider, and the service is not Must Do",
               _community_transfer),
    OptionRule("mutualisation", (
        "at least one comparator uses a trust or third-sector model (the usual vehicle for a staff "
        "mutual); allowed for Must Do, since the council keeps the duty and contracts with the mutual"
    ), _mutualisation),
    OptionRule("devolve_to_parish",
               "at least one parish or town council in the district, and the service is not Must Do",
               _devolve_to_parish),
    OptionRule("closure",
               "the service is Nice to Do (seed: 'may provide opportunities for de-commissioning'); never Must Do; "
               "not Should Do", _closure),
)

SCREEN_COLUMNS = ["group", "option_id", "label", "supported", "reason", "rule"]


def screen_options(evidence: MarketEvidence | Mapping, *, min_bidders: int = 2) -> pd.DataFrame:
    """The twelve sourcing options, each supported or not with a one-sentence reason (``OPTION_RULES``)."""
    ev = evidence if isinstance(evidence, MarketEvidence) else MarketEvidence(**evidence)
    if ev.comparator_models is None:
        models = None
    elif isinstance(ev.comparator_models, Mapping):
        models = {m: int(ev.comparator_models.get(m, 0)) for m in DELIVERY_MODELS}
    else:
        models = model_counts(ev.comparator_models)
    if ev.category is not None and ev.category not in CATEGORIES:
        raise ParameterError(f"category must be one of {CATEGORIES} or None, not {ev.category!r}")
    facts = ScreenFacts(
        providers={s: int(ev.providers_by_sector.get(s, 0)) for s in PROVIDER_SECTORS},
        maturity=ev.maturity.rating if isinstance(ev.maturity, MaturityRating) else str(ev.maturity),
        models=models, category=ev.category, parish_councils=ev.parish_councils, min_bidders=min_bidders,
    )
    rows = []
    for rule in OPTION_RULES.rules:
        supported, reason = rule.assess(facts)
        rows.append((OPTION_GROUPS[rule.option_id], rule.option_id, OPTION_LABELS[rule.option_id],
                     bool(supported), reason, rule.text))
    return pd.DataFrame(rows, columns=SCREEN_COLUMNS)


# ---------------------------------------------------------------------------
# The whole analysis
# ---------------------------------------------------------------------------


#: The inputs of market maturity, the priority comparison and the option screen, as a report names them when
#: they come from the illustrative sample (``MarketResult.sample_inputs``).
REGISTER_INPUT, MODELS_INPUT = "provider register", "comparator delivery models"
CATEGORY_INPUT, PRIORITY_INPUT = "service category (Must/Should/Nice to Do)", "priority-setting Market maturity score"
MATURITY_INPUTS = (REGISTER_INPUT, MODELS_INPUT, PRIORITY_INPUT)
SCREEN_INPUTS = (REGISTER_INPUT, MODELS_INPUT, CATEGORY_INPUT)


@dataclass
class MarketResult:
    service_id: str
    providers: pd.DataFrame  # register rows for the service
    providers_by_sector: dict[str, int]
    n_local: int
    model_counts: dict[str, int] | None  # comparators per delivery model; None when not supplied
    maturity: MaturityRating
    priority_check: dict
    options: pd.DataFrame  # the screened long list
    spend_shares: pd.DataFrame | None = None
    spend_concentration: Concentration | None = None
    market_shares: pd.DataFrame | None = None
    market_concentration: Concentration | None = None
    capital: pd.DataFrame | None = None  # the service's capital payments, left out of spend concentration
    capital_suppliers: pd.DataFrame | None = None  # them by supplier (suppliers.capital_by_supplier)
    capital_lines: pd.DataFrame | None = None  # them line by line, by date (suppliers.capital_lines)
    concentration_with_capital: Concentration | None = None  # what the spend measure would be with them in
    sample_inputs: tuple[str, ...] = ()  # inputs of maturity and the screen that are the illustrative sample
    narrative: list[str] = field(default_factory=list)

    @property
    def concentration(self) -> Concentration | None:
        """Market concentration when a local-market register was given, else the council's spend concentration."""
        return self.market_concentration or self.spend_concentration

    @property
    def maturity_sample(self) -> tuple[str, ...]:
        """The inputs of the maturity rating and its priority comparison that are the illustrative sample."""
        return tuple(i for i in self.sample_inputs if i in MATURITY_INPUTS)

    @property
    def screen_sample(self) -> tuple[str, ...]:
        """The inputs of the option screen (and the maturity it reads) that are the illustrative sample."""
        return tuple(i for i in self.sample_inputs if i in SCREEN_INPUTS)

    @property
    def capital_total(self) -> tuple[int, float]:
        """(number, £) of the service's capital payments; (0, 0.0) when none or no payments."""
        if self.capital is None or self.capital.empty:
            return 0, 0.0
        return len(self.capital), float(self.capital["amount_gbp"].sum())

    def headline(self) -> dict:
        c = self.concentration
        n_capital, capital_gbp = self.capital_total
        return {
            "hhi": round(c.hhi, 1) if c else None,
            "cr3": round(c.cr3, 4) if c else None,
            "concentration_kind": c.kind if c else None,
            "capital_payments_excluded": n_capital if self.capital is not None else None,
            "capital_excluded_gbp": round(capital_gbp, 2) if self.capital is not None else None,
            "providers_by_sector": dict(self.providers_by_sector),
            "market_maturity": self.maturity.rating,
            "options_supported": self.options.loc[self.options["supported"], "label"].tolist(),
            "maturity_and_options_sample": ", ".join(self.sample_inputs) or "none",
        }


def sample_words(inputs: Sequence[str]) -> str:
    """"ILLUSTRATIVE SAMPLE (provider register and comparator delivery models)": how reports name sample inputs."""
    return f"ILLUSTRATIVE SAMPLE ({listed(inputs)})" if inputs else ""


def analyse(
    register: pd.DataFrame | None,
    *,
    service_id: str,
    comparator_models: pd.DataFrame | None = None,
    payments: pd.DataFrame | None = None,
    payments_by: str = "supplier",
    payments_value: str = "amount_gbp",
    market: pd.DataFrame | None = None,
    market_by: str = "provider",
    market_value: str = "annual_value_gbp",
    council: str | None = None,
    category: str | None = None,
    priority_score: str | None = None,
    priority_weight: float | None = None,
    parish_councils: int | None = None,
    maturity_thresholds: Mapping[str, int] | None = None,
    min_bidders: int = 2,
    sample_inputs: Sequence[str] = (),
) -> MarketResult:
    """The whole market analysis for one service: everything the market notebook shows.

    ``register`` is the provider register (any absent input is reported, not
    an error); ``payments`` the council's payments to suppliers for this
    service: spend concentration is measured on its revenue payments only — by
    their ``spend_type`` column, else classified here (``suppliers.CAPITAL_RULES``)
    when they have a ``description``, else all taken as revenue — and the
    capital ones are returned apart; ``market`` a register covering the local
    market with each provider's value there (market concentration).
    ``council`` is left out of ``comparator_models`` when it appears there.
    ``sample_inputs`` names further inputs that are the illustrative sample
    (``CATEGORY_INPUT``, ``PRIORITY_INPUT``); a register or comparator table is
    recognised as sample by its ``data_status`` column.
    """
    register = register if register is not None else pd.DataFrame(columns=["provider", "sector", "services", "in_district"])
    providers = providers_for(register, service_id).reset_index(drop=True)
    by_sector = providers_by_sector(providers)
    n_local = n_local_external(providers)
    counts = model_counts(comparator_models, service_id, exclude=council) if comparator_models is not None else None
    maturity = market_maturity(by_sector, n_local, counts, **dict(maturity_thresholds or {}))
    check = compare_with_priority(maturity, priority_score, priority_weight)
    evidence = MarketEvidence(by_sector, maturity, counts, category, parish_councils)
    options = screen_options(evidence, min_bidders=min_bidders)
    result = MarketResult(service_id, providers, by_sector, n_local, counts, maturity, check, options)
    detected = [name for name, frame in ((REGISTER_INPUT, register), (MODELS_INPUT, comparator_models))
                if any_illustrative(frame)]
    result.sample_inputs = tuple(dict.fromkeys([*detected, *sample_inputs]))
    if payments is not None and not payments.empty:
        require_columns(payments, [payments_by, payments_value], PAYMENTS_TABLE)
        if SPEND_TYPE in payments.columns or "description" in payments.columns:
            revenue, capital = split_spend(payments)
            result.capital = capital.reset_index(drop=True)
            result.capital_suppliers = capital_by_supplier(capital) if not capital.empty else None
            result.capital_lines = capital_lines(capital) if not capital.empty else None
        else:
            revenue = payments
        result.spend_shares = shares(revenue, payments_by, payments_value)
        if not result.spend_shares.empty:
            result.spend_concentration = concentration(revenue, "spend", by=payments_by, value=payments_value)
        if result.capital is not None and not result.capital.empty:
            result.concentration_with_capital = concentration(payments, "spend", by=payments_by, value=payments_value)
    if market is not None and not market.empty:
        result.market_shares = shares(market, market_by, market_value, table=MARKET_TABLE)
        if not result.market_shares.empty:
            result.market_concentration = concentration(market, "market", by=market_by, value=market_value)
    result.narrative = narrative(result)
    return result


def narrative(result: MarketResult) -> list[str]:
    """Short plain-English findings generated from the numbers."""
    external = {s: n for s, n in result.providers_by_sector.items() if s in EXTERNAL_SECTORS and n}
    listed = ", ".join(f"{n} {s}" for s, n in external.items()) or "none"
    lines = [f"Capable external providers: {listed}; {result.n_local} based in the district."]
    if result.providers_by_sector.get(UNCLASSIFIED):
        lines.append(f"{result.providers_by_sector[UNCLASSIFIED]} provider(s) have no sector recorded and are not counted.")
    sample = (f" This rests on the {sample_words(result.maturity_sample)} — invented figures, not the council's "
              "real market." if result.maturity_sample else "")
    lines.append(f"Market maturity — {result.maturity.rule}{sample}")
    lines.append(result.priority_check["note"])
    for c in (result.market_concentration, result.spend_concentration):
        if c is not None:
            lines.append(c.description)
    n_capital, capital_gbp = result.capital_total
    if n_capital:
        lines.append(f"{plural(n_capital, 'capital payment')} (£{capital_gbp:,.0f}) are shown apart and left out of "
                     "spend concentration, which is measured on revenue payments only.")
    if result.concentration is None:
        lines.append("No payments or local-market values were supplied, so concentration is not measured.")
    supported = result.options.loc[result.options["supported"], "label"].tolist()
    sample = f" (screened on the {sample_words(result.screen_sample)})" if result.screen_sample else ""
    lines.append(f"{len(supported)} of {len(result.options)} sourcing options go forward to option appraisal{sample}: "
                 f"{', '.join(supported)}.")
    return lines
