"""Cleaning published supplier payments for market analysis: pure functions, no file reading.

The input is the table made by
:func:`wcc_analysis.ingest.council.supplier_payments.load_supplier_payments`. Every rule
is listed in a module-level table so that the README and the reports can print
it (:func:`rules_tables`):

- :data:`NAME_RULES` — how a supplier name is cleaned (:func:`strip_references`,
  :func:`clean_supplier_name`) and how spellings are merged (:func:`merge_key`,
  :func:`merge_variants`);
- :data:`SECTOR_RULES` — ordered rules giving each supplier a sector
  (:func:`classify_sector`); a name no rule recognises is ``unclassified`` and
  shown as such, never hidden;
- :data:`NON_MARKET_RULES` — payments that are not purchases from a market
  (tax, precepts, refunds…), excluded with their reason (:func:`non_market_reason`,
  :func:`split_market`);
- :data:`CAPITAL_RULES` — whether a market payment is capital or revenue, by the
  file's own capital/revenue column where it has one, else by keywords in the
  description and expense type, carried to the rest of a capital invoice and to a
  works contractor's other payments (:func:`classify_spend`, :func:`split_spend`,
  :func:`capital_by_supplier`); spend concentration is measured on revenue only;
- service areas are mapped to service ids by a council's own table
  (:func:`map_service_areas`); rows no mapping row matches are ``unmapped``.

:func:`redact_individuals` replaces the names of private individuals, so no
evidence pack names a private person. :func:`prepare_payments` is the one call
a notebook makes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from wcc_analysis.analysis.common import require_columns
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.vocabulary import (
    COMMUNITY,
    IN_HOUSE,
    INDIVIDUAL,
    PAYMENT_SECTORS,
    PRIVATE,
    PUBLIC_SECTOR,
    THIRD_SECTOR,
    UNCLASSIFIED,
    any_illustrative,
)

REDACTED = "Redacted (private individual)"
UNMAPPED = "unmapped"

# --------------------------------------------------------------------------- names

_ACCOUNT_TOKEN = re.compile(
    r"^(?:(?=(?:[^0-9]*\d){4,})[A-Za-z0-9][A-Za-z0-9\-/]{4,}|(?=(?:[^0-9]*\d){3,})[A-Za-z0-9][A-Za-z0-9\-/]{6,})$"
)
_LONG_NUMBER = re.compile(r"^(?:[A-Za-z]{0,4}\d{6,}|\d{6,}[A-Za-z]{0,2})$")
_PAYMENT_METHOD = re.compile(
    r"\((?:DD|DD ONLY|D/D|direct debits?(?: payments?| only)?|BACS|CHAPS|standing order)\)"
    r"|^\s*(?:DD|D/D)\s*[-:]\s*|\s+-\s*direct debit\s*$",
    re.IGNORECASE,
)
_LABELLED_REF = re.compile(
    r"\b(?:a/c|acct|account|acc|ac|ref|reference|inv|invoice|cust|customer|contract|vendor|supplier)(?![a-z])"
    r"\.?\s*(?:no\.?|number|#)?\s*[:#]?\s*[A-Za-z]{0,4}[\-/]?\d[\w\-/]*",
    re.IGNORECASE,
)
_BRACKETED_REF = re.compile(r"\s*[\(\[][^\)\]]*\d[^\)\]]*[\)\]]")
_TRUNCATION = re.compile(r"\s*(?:\.{2,}|…)\s*$")

#: The supplier-name rules, in the order applied. ``stage``: ``strip`` rules make
#: the display spelling (:func:`strip_references`), ``normalise`` rules make the
#: cleaned name (:func:`clean_supplier_name`), ``merge`` rules make the key that
#: groups spellings of one supplier (:func:`merge_key`).
NAME_RULES: tuple[dict[str, str], ...] = (
    {
        "stage": "strip",
        "rule": (
            "payment-method notes removed: (DD), (DD ONLY), (Direct Debit), (Direct Debit Payments), "
            "(BACS)"
        ),
        "example": "(DD ONLY) Ribble Valley Borough Council → Ribble Valley Borough Council",
    },
    {
        "stage": "strip",
        "rule": "bracketed text holding a digit removed ((Ref 123), [A1234])",
        "example": "Acme Ltd (12345) → Acme Ltd",
    },
    {
        "stage": "strip",
        "rule": (
            "labelled account / reference / invoice numbers removed (A/C 12345, Acct No 9, Ref: AB123, "
            "Inv 456)"
        ),
        "example": "Acme Ltd A/C 12345 → Acme Ltd",
    },
    {
        "stage": "strip",
        "rule": (
            "after ' - ', a part holding an account or meter number (a word of ≥ 5 characters with ≥ 4 "
            "digits, or ≥ 7 characters with ≥ 3) ends the name: it and everything after are removed (site"
            " addresses)"
        ),
        "example": "Water Plus - 4035576019 - 2 Foxhill Bank, Osw → Water Plus",
    },
    {
        "stage": "strip",
        "rule": (
            "without a separator, a long account number (≥ 6 digits, up to 4 letters before it) ends the "
            "name from the first word holding a digit"
        ),
        "example": (
            "Wave Utilities 14 Broadway 88889085585 → Wave Utilities; British Gas Lite BGL499730 → "
            "British Gas Lite"
        ),
    },
    {
        "stage": "strip",
        "rule": (
            "truncation marks ('...') and stray separators at the end removed; spaces trimmed and "
            "collapsed"
        ),
        "example": (
            "(DD) Department of Levelling Up, Housing & Comm... → Department of Levelling Up, Housing & "
            "Comm"
        ),
    },
    {
        "stage": "normalise",
        "rule": "lower case",
        "example": "AMAZON UK → amazon uk",
    },
    {
        "stage": "normalise",
        "rule": "'&' and '+' read as 'and'",
        "example": "Canal & River Trust → canal and river trust",
    },
    {
        "stage": "normalise",
        "rule": "'Limited' → 'ltd', 'Public Limited Company' → 'plc', 'Company' → 'co'",
        "example": "Capita One Limited → capita one ltd",
    },
    {
        "stage": "normalise",
        "rule": "punctuation read as a space (. , ' ` ( ) - / : ; etc.), spaces collapsed",
        "example": "E.On Next Energy / E-On Next Energy → e on next energy",
    },
    {
        "stage": "merge",
        "rule": "a leading 'the' is ignored",
        "example": "The Prospects Foundation = Prospects Foundation Ltd",
    },
    {
        "stage": "merge",
        "rule": "trailing legal forms ltd / plc / llp are ignored",
        "example": "British Telecommunications = British Telecommunications Plc",
    },
    {
        "stage": "merge",
        "rule": "a trailing bracketed acronym is ignored",
        "example": "Royal Town Planning Institute (RTPI) = The Royal Town Planning Institute",
    },
    {
        "stage": "merge",
        "rule": "spaces are ignored",
        "example": "Waterplus = Water Plus; Rosslee Construction Ltd = Ross Lee Construction Ltd",
    },
    {
        "stage": "merge",
        "rule": (
            "the name shown for a merged supplier is its most frequent display spelling (by number of "
            "payments); ties go to a spelling not written all in capitals, then to the alphabetically "
            "first"
        ),
        "example": (
            "Water Plus (79 payments) over Water Plus Ltd (3) and Waterplus (2); Greenline Waste Services"
            " Ltd over GREENLINE WASTE SERVICES LIMITED"
        ),
    },
)


def _cut_accounts_after_separator(name: str) -> str:
    parts = re.split(r"\s+-\s*|\s*-\s+", name)
    if len(parts) > 1 and any(
        _ACCOUNT_TOKEN.match(token) for part in parts[1:] for token in part.replace(",", " ").split()
    ):
        return parts[0]
    return name


def _cut_long_number(name: str) -> str:
    tokens = name.split()
    if not any(_LONG_NUMBER.match(t) for t in tokens[1:]):
        return name
    for index, token in enumerate(tokens[1:], start=1):
        if any(ch.isdigit() for ch in token):
            return " ".join(tokens[:index])
    return name


@lru_cache(maxsize=65536)
def strip_references(name: str) -> str:
    """A supplier name as published, without account/reference numbers and site addresses.

    Keeps the publisher's spelling and case (this is the spelling shown in
    reports); see the ``strip`` rules of :data:`NAME_RULES`.
    """
    text = "" if name is None else str(name)
    text = re.sub(r"\s+", " ", text).strip()
    text = _PAYMENT_METHOD.sub(" ", text).strip()
    text = _BRACKETED_REF.sub("", text).strip()
    text = _LABELLED_REF.sub(" ", text).strip()
    text = re.sub(r"\s*[\(\[]\s*[\)\]]", "", text)
    text = _cut_accounts_after_separator(text)
    text = _cut_long_number(text)
    text = _TRUNCATION.sub("", text)
    text = re.sub(r"[\s,;:\-/]+$", "", text)
    text = re.sub(r"^[\s,;:\-/]+", "", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=65536)
def _normalise(text: str) -> str:
    text = text.lower()
    text = re.sub(r"\s*[&+]\s*", " and ", text)
    text = re.sub(r"\bpublic limited company\b", "plc", text)
    text = re.sub(r"\blimited\b|\blimted\b", "ltd", text)
    text = re.sub(r"\bcompany\b", "co", text)
    text = re.sub(r"[^\w]+|_", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def clean_supplier_name(name: str) -> str:
    """The cleaned, normalised supplier name used by every rule (lower case; see :data:`NAME_RULES`).

    >>> clean_supplier_name("Water Plus - 4035576019 - 2 Foxhill Bank, Osw")
    'water plus'
    >>> clean_supplier_name("Capita  Business Services Limited")
    'capita business services ltd'
    """
    return _normalise(strip_references(name))


_TRAILING_ACRONYM = re.compile(r"\s*\([A-Z]{2,6}\)\s*$")


@lru_cache(maxsize=65536)
def merge_key(name: str) -> str:
    """The key that groups spellings of one supplier (see the ``merge`` rules of :data:`NAME_RULES`)."""
    text = _normalise(_TRAILING_ACRONYM.sub("", strip_references(name)))
    text = re.sub(r"^the\s+", "", text)
    while True:
        shorter = re.sub(r"\s+(ltd|plc|llp)$", "", text)
        if shorter == text:
            break
        text = shorter
    return text.replace(" ", "")


def merge_variants(payments: pd.DataFrame, *, raw_column: str = "supplier_raw") -> pd.DataFrame:
    """Payments with ``supplier`` (the merged, display name) and ``supplier_key`` columns added.

    Spellings with the same :func:`merge_key` are one supplier; its name is its most
    frequent :func:`strip_references` spelling (by number of payments), ties to a
    spelling not all in capitals, then to the alphabetically first. Deterministic: the
    result depends only on the rows given.
    """
    out = payments.copy()
    display = out[raw_column].map(strip_references)
    key = out[raw_column].map(merge_key)
    counts = (
        pd.DataFrame({"key": key, "display": display})
        .groupby(["key", "display"], sort=False).size().rename("n").reset_index()
    )
    counts["shouting"] = counts["display"].map(lambda d: d.isupper() and any(c.islower() for c in d.lower()))
    counts = counts.sort_values(["key", "n", "shouting", "display"], ascending=[True, False, True, True],
                                kind="mergesort")
    canonical = counts.drop_duplicates("key").set_index("key")["display"]
    out["supplier"] = key.map(canonical).where(key != "", "(supplier not named)")
    out["supplier_key"] = key
    return out


def variants_table(payments: pd.DataFrame, *, raw_column: str = "supplier_raw") -> pd.DataFrame:
    """Merged suppliers with more than one published spelling: supplier, spellings, payments, £.

    ``spellings`` lists the raw spellings as published (``; ``-separated, sorted).
    Run :func:`redact_individuals` first if the table is to be shown.
    """
    if "supplier" not in payments.columns:
        payments = merge_variants(payments, raw_column=raw_column)
    grouped = payments.groupby("supplier", sort=True).agg(
        n_spellings=(raw_column, "nunique"),
        spellings=(raw_column, lambda s: "; ".join(sorted(set(s)))),
        payments=(raw_column, "size"),
        amount_gbp=("amount_gbp", "sum"),
    )
    table = grouped[grouped["n_spellings"] > 1].reset_index()
    return table.sort_values(["n_spellings", "supplier"], ascending=[False, True], kind="mergesort").reset_index(
        drop=True
    )


# --------------------------------------------------------------------------- sectors

_W = r"(?:^|\s)"  # word start on the cleaned name (words are space-separated)
_E = r"(?=\s|$)"  # word end


def _words(*alternatives: str) -> str:
    return _W + "(?:" + "|".join(alternatives) + ")" + _E


@dataclass(frozen=True)
class SectorRule:
    sector: str
    name: str
    pattern: str  # searched in the cleaned name (clean_supplier_name)
    rationale: str
    unless: str | None = None  # the rule does not apply when this also matches

    def matches(self, cleaned: str) -> bool:
        return bool(re.search(self.pattern, cleaned)) and not (self.unless and re.search(self.unless, cleaned))


_LEGAL_FORM = _words("ltd", "plc", "llp", "lp", "inc", "gmbh", "llc")

#: Given names used by the last "individual" rule (a sample of common UK forenames).
GIVEN_NAMES = frozenset("""
aaron abdul abigail adam adrian ahmed aisha alan alex alexander alexandra alice alison amanda amber amelia amy
andrea andrew angela anita ann anna anne annette anthony antony barbara barry ben benjamin beth bethany beverley
bill brenda brian bryan carl carol caroline catherine charles charlie charlotte chloe chris christine christopher
claire clare colin craig dale daniel danielle darren dave david dawn dean deborah debra denise dennis derek diane
donna dorothy douglas duncan edward eileen elaine eleanor elizabeth ellen ellie emily emma eric fatima fiona frances
francis frank gail gareth gary gavin gemma geoffrey george georgia gillian glen glenn gordon graham grace hannah
harry hayley heather helen henry holly ian imran irene isabel jack jackie jacqueline james jamie jane janet janice
jasmine jason jean jeff jeffrey jennifer jenny jessica jill jo joan joanna joanne john jonathan joseph josh joshua
joyce judith julia julie justin karen kate katherine kathleen kathryn katie kay keith kelly kenneth kerry kevin
kim kirsty laura lauren lee leigh lesley leslie linda lindsey lisa liz lois lorraine louise lucy luke lynn lynne
margaret maria marie marion mark martin mary matthew maureen megan melanie michael michelle mike mohammed
mohammad muhammad nadia naomi natalie nathan neil nicholas nicola nigel oliver olivia pamela patricia patrick paul
paula pauline peter philip phillip rachel rebecca richard rob robert robin rosemary ross roy ruth ryan sally sam
samantha samuel sandra sarah scott sean shaun sharon shirley simon sophie stephanie stephen steve steven stuart
sue susan suzanne teresa terry thomas tim timothy tina tom tony tracey tracy trevor valerie vicky victoria vincent
wayne wendy william yasmin yvonne zoe
""".split())

#: Surnames used by the last "individual" rule (a sample of common surnames in England; words that
#: are also common place or business words — Green, Hill, Hall, Wood, King, White… — left out).
SURNAMES = frozenset("""
ahmed akhtar ali allen anderson armstrong ashworth atkinson bailey baker barker barnes bennett brown campbell
carter chapman clark clarke collins cooper cox davies davis dawson edwards ellis evans fletcher foster
greenwood griffiths harris harrison holmes hughes hussain iqbal jackson james jenkins johnson jones kaur kelly
khan lee lewis mahmood martin miller mitchell moore morgan morris murphy parker patel phillips rahman
richardson roberts robinson rogers scott shah shaw simpson smith stevens taylor thomas thompson turner walker
watson wilkinson williams wilson wright
""".split())

#: Companies known by a brand alone (cleaned names; matched at the start of the name).
WELL_KNOWN_COMPANIES = (
    "edf", "sse", "e on", "eon", "drax", "npower", "octopus energy", "ovo", "scottish power", "british gas",
    "british telecommunications", "bt", "vodafone", "o2", "ee", "virgin media", "barclaycard", "barclays",
    "lloyds", "natwest", "hsbc", "santander", "experian", "equifax", "metlife", "aviva", "zurich", "amazon",
    "microsoft", "google", "apple", "dell", "granicus", "capita", "civica", "serco", "veolia", "biffa", "suez",
    "fcc environment", "amey", "kier", "mitie", "sodexo", "tesco", "sainsbury s", "sainsburys", "asda",
    "morrisons", "screwfix", "toolstation", "travis perkins", "wickes", "b and q", "halfords", "argos",
    "currys", "royal mail", "parcelforce", "dhl", "ups", "fedex", "water plus", "united utilities",
    "yorkshire water", "severn trent", "anglian water", "thames water",
)
#: Charities known by a name with no charity word (cleaned names; matched at the start of the name).
WELL_KNOWN_CHARITIES = (
    "keep britain tidy", "age uk", "age concern", "white ribbon", "royal british legion", "rbl", "mind",
    "shelter", "barnardo s", "barnardos", "nspcc", "rspca", "macmillan", "oxfam", "british red cross",
    "st john ambulance", "samaritans", "mencap", "scope", "sue ryder", "marie curie", "cancer research uk",
    "wildlife trust", "national trust", "sport england", "fields in trust",
)

_TITLE = r"^(?:mr|mrs|ms|miss|mx|dr|cllr|prof|professor|rev|revd|sir|dame|lady|lord)\s"

#: Sector rules in the order tried: the first rule that matches gives the sector.
SECTOR_RULES: tuple[SectorRule, ...] = (
    SectorRule(INDIVIDUAL, "withheld by the publisher",
               r"^$|" + _words("redacted", "withheld", "personal data", "private individual", "name withheld",
                               "individual", "personal information", "supplier not named"),
               "blank or withheld names are private individuals whose names the council did not publish"),
    SectorRule(PRIVATE, "well-known company",
               r"^(?:" + "|".join(WELL_KNOWN_COMPANIES) + r")(?:\s|$)",
               "national companies that invoice under a brand with no legal form (EDF, SSE, E.ON, Drax, "
               "Barclaycard, Experian, MetLife…)"),
    SectorRule(THIRD_SECTOR, "well-known charity",
               r"^(?:" + "|".join(WELL_KNOWN_CHARITIES) + r")(?:\s|$)",
               "national charities known by a name with no charity word (Keep Britain Tidy, Age UK, "
               "White Ribbon UK, Royal British Legion…)"),
    SectorRule(PUBLIC_SECTOR, "public body",
               _words("council", "councils", "borough", "mbc", "nhs", "police", "constabulary", "fire and rescue",
                      "fire authority", "hmrc", "hm revenue and customs", "revenue and customs", "dwp",
                      "department for", "department of", "cabinet office", "government", "environment agency",
                      "planning inspectorate", "inspectorate", "ministry", "combined authority", "integrated care",
                      "land registry", "pension fund", "valuation office", "electoral commission", "dvla", "rfca",
                      "courts and tribunals", "county court", "magistrates")
               + r"|^hm\s",
               "councils, NHS, police, fire, HMRC/HM bodies, government departments and agencies"),
    SectorRule(PUBLIC_SECTOR, "school, college or university",
               _words("university", "college", "school", "primary", "high school", "academy trust")
               + r"|^the \w+ academy$",
               "state education (schools, academies, colleges, universities) — unless a company (Ltd)",
               unless=_LEGAL_FORM + "|" + _words("driving", "dance", "training")),
    SectorRule(THIRD_SECTOR, "charitable or social-enterprise form",
               _words("charity", "charitable", "trust", "trustees", "cic", "c i c", "community interest",
                      "foundation", "credit union", "hospice", "housing association", "citizens advice", "fund",
                      "relief in need", "relief", "appeal", "almshouses", "ymca", "ywca", "womens aid",
                      "women s aid", "scouts", "girlguiding"),
               "charities, trusts, CICs, foundations, housing associations, hospices — even when also a 'Ltd'"),
    SectorRule(THIRD_SECTOR, "membership or professional body",
               _words("association", "assoc", "society", "institute", "inst", "institution", "federation",
                      "chartered", "chamber of commerce", "chambers of commerce"),
               "associations, societies, institutes and federations (mostly not-for-profit)"),
    SectorRule(PRIVATE, "company legal form",
               _LEGAL_FORM + "|" + _words("t a", "and sons", "and son", "and co", "co", "bros", "brothers",
                                          "holdings", "and partners"),
               "Ltd, Limited, PLC, LLP, Inc, GmbH, '& Sons', '& Co', 'T/A'"),
    SectorRule(COMMUNITY, "community group",
               _words("church", "chapel", "mosque", "masjid", "temple", "gurdwara", "synagogue", "band", "club",
                      "ptfa", "pta", "friends of", "residents", "tenants", "carnival", "food pantry", "pantry",
                      "food bank", "community centre", "community events", "community group", "in the community",
                      "womens institute", "people s centre", "peoples centre", "choir", "brownies", "cubs",
                      "forum", "allotment"),
               "churches and faith groups, clubs, bands, friends-of and residents' groups, food banks, local events"),
    SectorRule(INDIVIDUAL, "title or post-nominal",
               _TITLE + r"|" + _words("kc", "qc"),
               "a personal title (Mr, Mrs, Ms, Miss, Dr, Cllr…) or KC/QC: a person, possibly a sole trader"),
    SectorRule(PRIVATE, "trading name",
               _words("group", "services", "service", "uk", "solicitors", "chambers", "consultants", "consulting",
                      "consultancy", "consultant", "energy", "hotel", "nurseries", "nursery", "engineers",
                      "engineering", "contractors", "contracting", "builders", "building", "plumbing", "plumbers",
                      "heating", "electrical", "electrics", "recruitment", "recruiting", "resourcing", "systems",
                      "solutions", "software", "media", "printing", "print", "printers", "publishing", "supplies",
                      "supply", "motors", "garage", "insurance", "bank", "partnership", "associates", "architects",
                      "surveyors", "trading", "design", "designs", "hire", "windows", "roofs", "roofing",
                      "machinery", "lettings", "letting", "properties", "property", "joinery", "shop", "sales",
                      "international", "industries", "technologies", "technology", "tech", "logistics",
                      "transport", "agency", "products", "equipment", "gas", "power", "water", "utilities",
                      "telecommunications", "communications", "training", "security", "cleaning", "catering",
                      "construction", "landscaping", "landscapes", "landscape", "fencing", "signs", "glass",
                      "carpets", "interiors", "developments", "investments", "management", "marketing",
                      "advertising", "productions", "production", "events", "resurfacing", "kennels", "cattery",
                      "trees", "forestry", "arb", "compliance", "protection", "auto", "diagnostics", "measurements",
                      "lubricants", "furniture", "medical", "practice", "recruit", "self drive", "projects", "com",
                      "ford", "nissan", "vauxhall", "toyota", "renault", "studio", "direct", "digital",
                      "networks", "fleet", "automotive", "trucks", "tyres", "parts", "plastics", "chemicals",
                      "metals", "steel", "timber", "fabrications", "hygiene", "pest", "drainage", "scaffolding",
                      "lifts", "law", "legal", "estates", "agents", "auctioneers", "accountants", "finance",
                      "capital", "entertainment", "music", "sports", "tree services", "tree surgeon",
                      "recycling", "waste", "environmental", "amenity", "partners", "company", "enterprises",
                      "online", "store", "stores", "centre", "workshop", "works"),
               "a business word (Services, Group, UK, Solicitors, Energy, Hotel, Consulting, Supplies…) "
               "and none of the organisation words above"),
    SectorRule(INDIVIDUAL, "looks like a person's name",
               r"^(?:[a-z] )*(?:" + "|".join(sorted(GIVEN_NAMES)) + r")(?: [a-z])*(?: [a-z][a-z'\-]+){1,2}$"
               + r"|^(?:[a-z] ){0,2}[a-z][a-z'\-]+(?: [a-z][a-z'\-]+)? (?:" + "|".join(sorted(SURNAMES)) + r")$",
               "2–4 words, none a company or organisation word, starting with a common given name "
               "(optionally after initials) or ending with a common surname: treated as a private person",
               unless=r"\sand\s"),
)

#: Tried before SECTOR_RULES: a payment to the council itself (its names are given to ``prepare_payments``).
OWN_NAME_RULE = SectorRule(IN_HOUSE, "the council's own name", "",
                           "payments to the council itself (names given to prepare_payments)")
#: When no rule matches.
NO_RULE = SectorRule(UNCLASSIFIED, "no rule matched", "", "anything else is 'unclassified' (shown in every table, never hidden)")


def classify_sector_rule(name: str, *, own_names: Iterable[str] = ()) -> tuple[str, str]:
    """(sector, name of the rule that decided it) for one supplier name."""
    cleaned = clean_supplier_name(name)
    own = {merge_key(n) for n in own_names}
    if own and merge_key(name) in own:
        return OWN_NAME_RULE.sector, OWN_NAME_RULE.name
    return _classify_cleaned(cleaned)


@lru_cache(maxsize=65536)
def _classify_cleaned(cleaned: str) -> tuple[str, str]:
    for rule in SECTOR_RULES:
        if rule.matches(cleaned):
            return rule.sector, rule.name
    return NO_RULE.sector, NO_RULE.name


def classify_sector(name: str, *, own_names: Iterable[str] = ()) -> str:
    """The sector of a supplier: one of :data:`~wcc_analysis.core.vocabulary.PAYMENT_SECTORS`, by the first matching :data:`SECTOR_RULES` rule.

    ``own_names``: the council's own names (payments to itself are ``in-house``).
    """
    return classify_sector_rule(name, own_names=own_names)[0]


# --------------------------------------------------------------------------- non-market payments


@dataclass(frozen=True)
class NonMarketRule:
    reason: str
    supplier: str | None  # regex on the cleaned supplier name
    description: str | None  # regex on the lower-case description
    sector: str | None = None  # the supplier's sector must be this
    rationale: str = ""

    def matches(self, cleaned: str, description: str, sector: str) -> bool:
        if self.supplier and not re.search(self.supplier, cleaned):
            return False
        if self.description and not re.search(self.description, description):
            return False
        return not (self.sector and sector != self.sector)


#: Payments that are not purchases from a market, tried in order (first match gives the reason).
NON_MARKET_RULES: tuple[NonMarketRule, ...] = (
    NonMarketRule("tax, national insurance and levies paid to HMRC",
                  r"(^|\s)hmrc(\s|$)|hm revenue|revenue and customs", None,
                  rationale="PAYE, NI, apprenticeship levy, student loan deductions: taxes, not purchases"),
    NonMarketRule("statutory fees to HM Land Registry or the courts",
                  r"land registry|courts and tribunals|county court|magistrates", None,
                  rationale="fees set by statute, payable only to that body"),
    NonMarketRule("pension fund contributions",
                  r"pension fund|pensions? scheme|superannuation", None,
                  rationale="employer contributions to the Local Government Pension Scheme"),
    NonMarketRule("pension fund contributions",
                  None, r"\bpension|superannuation", PUBLIC_SECTOR,
                  rationale="pension payments to a public body (e.g. the county council administering the fund)"),
    NonMarketRule("business rates retention transfers",
                  r"levelling up|dluhc|mhclg|housing communities and local government", None,
                  rationale="central share, tariffs, top-ups and S31 adjustments with central government"),
    NonMarketRule("precepts and collection-fund shares paid over",
                  None, r"\bp\w{0,3}ce\w{0,2}pt|\bsurplus\b|\bdef[ie]cit\b|collection fund", PUBLIC_SECTOR,
                  rationale="council tax / business rates collected for the county, police, fire and parishes"),
    NonMarketRule("business rates retention transfers",
                  None, r"central share|tariff|\blevy\b|rates pool|top ?up|\bs31\b|\bbrr\b|\brsg\b|\bn?ndr\b",
                  PUBLIC_SECTOR,
                  rationale="tariff, levy and pooling payments between authorities under business rates retention"),
    NonMarketRule("loan or bond interest and repayments",
                  None, r"\blobo\b|loan interest|interest repayment|principal repayment|\bpwlb\b|bond interest"
                        r"|loan repayment",
                  rationale="treasury management: interest and principal on borrowing or held funds"),
    NonMarketRule("refunds and overpayments",
                  None, r"\brefund|\brelinqu|repayment of (council tax|rates|business rates)|credit balance",
                  rationale="money returned (council tax, business rates, fees, burial rights), not a purchase"),
    NonMarketRule("grants to individuals",
                  None, r"\bgrants?\b", INDIVIDUAL,
                  rationale="grants paid to private persons (e.g. home repair grants)"),
)


def non_market_reason(supplier: str, description: str = "", *, sector: str | None = None) -> str | None:
    """Why a payment is not a purchase from a market (:data:`NON_MARKET_RULES`), or None when it is one.

    ``sector`` may be given when already known (otherwise it is classified here).
    """
    cleaned = clean_supplier_name(supplier)
    sector = sector or _classify_cleaned(cleaned)[0]
    text = re.sub(r"\s+", " ", str(description or "")).lower()
    for rule in NON_MARKET_RULES:
        if rule.matches(cleaned, text, sector):
            return rule.reason
    return None


def _supplier_column(payments: pd.DataFrame) -> str:
    return "supplier" if "supplier" in payments.columns else "supplier_raw"


def split_market(payments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(market payments, excluded payments with an ``exclusion_reason`` column).

    Uses the ``sector`` column when present. Row order is kept in both.
    """
    name_col = _supplier_column(payments)
    sectors = payments["sector"] if "sector" in payments.columns else pd.Series([None] * len(payments),
                                                                                index=payments.index)
    reasons = [
        non_market_reason(name, description, sector=sector)
        for name, description, sector in zip(payments[name_col], payments["description"], sectors, strict=True)
    ]
    reasons = pd.Series(reasons, index=payments.index, dtype=object)
    excluded = payments[reasons.notna()].assign(exclusion_reason=reasons[reasons.notna()].astype(str))
    market = payments[reasons.isna()].copy()
    return market, excluded


def exclusions_summary(excluded: pd.DataFrame) -> pd.DataFrame:
    """Excluded payments by reason: reason, payments, amount_gbp (rule order; reasons with none left out)."""
    order = list(dict.fromkeys(r.reason for r in NON_MARKET_RULES))
    if excluded.empty:
        return pd.DataFrame({"reason": [], "payments": [], "amount_gbp": []}).astype(
            {"payments": int, "amount_gbp": float})
    summary = excluded.groupby("exclusion_reason").agg(payments=("amount_gbp", "size"),
                                                       amount_gbp=("amount_gbp", "sum"))
    summary = summary.reindex([r for r in order if r in summary.index])
    return summary.rename_axis("reason").reset_index()


# --------------------------------------------------------------------------- capital and revenue

#: What a market payment is: capital (building, buying or improving an asset) or revenue (running services).
CAPITAL, REVENUE = "capital", "revenue"
#: The columns :func:`classify_spend` adds: ``spend_type`` (capital / revenue) and the number of the
#: :data:`CAPITAL_RULES` rule that decided it (1 = the first).
SPEND_TYPE, SPEND_RULE = "spend_type", "spend_rule"

_CAPITAL_FLAG = re.compile(r"^(?:capital|cap|c|capex|capital expenditure)$")
_REVENUE_FLAG = re.compile(r"^(?:revenue|rev|r|opex|revenue expenditure)$")

#: Keyword patterns searched in a payment's lower-case description (and expense type, when the file has one).
WORKS_STAGE = (r"\bval(?:uation)?\s*(?:no\.?\s*)?\d{1,2}\b"  # a numbered valuation: Valuation 13, Val 2
               r"|\b(?:payment|interim|completion) certificate\b|\bretention\b")
WORKS_STAGE_UNLESS = r"recruitment|\bstaff\b|\bdata\b|\brecords?\b|\bdocuments?\b"
BUILDING_WORK = (r"\bconstruction\b|\bdesign and build\b|\bnew build\b|\bscape\b|national construction framework"
                 r"|\bcapital\b|\bcapex\b")
BUILDING_WORK_UNLESS = r"insurance|renewal|premium|industry scheme|\bcis\b|training|course|capital one"
SCHEME_FEES = (r"\bpm fees?\b|\bproject manage(?:r|ment) fees?\b|\bqs fees?\b|\bquantity surveyor'?s? fees?\b"
               r"|\bclerk of (?:the )?works\b|\bemployer'?s agent\b")
#: A supplier is a works contractor when at least this share of its £ in the year is capital by rules 1–6.
MIN_CONTRACTOR_SHARE = 0.5


def _text(value: object) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().lower()


def _says(pattern: str, unless: str | None = None) -> Callable[[CapitalFacts], bool]:
    compiled, exception = re.compile(pattern), re.compile(unless) if unless else None
    return lambda f: bool(compiled.search(f.text)) and not (exception and exception.search(f.text))


@dataclass(frozen=True)
class CapitalFacts:
    """One payment as :data:`CAPITAL_RULES` reads it."""

    text: str  # description and expense type, lower case, spaces collapsed
    flag: str | None = None  # the file's own capital/revenue column: CAPITAL, REVENUE, or None (absent / unreadable)
    same_invoice: bool = False  # another line of its invoice (supplier, reference, date) is capital by rules 1–5
    supplier_capital_share: float = 0.0  # share of the supplier's £ in the year that is capital by rules 1–6
    min_contractor_share: float = MIN_CONTRACTOR_SHARE


#: Whether a market payment is capital or revenue (first rule that holds). Rules 3–5 are keyword rules on the
#: description (and expense type); 6 and 7 carry them to the other lines of a capital invoice and to a works
#: contractor's other payments, whose descriptions often name only the scheme ("Wilson Field Leisure Centre").
CAPITAL_RULES: RuleTable[CapitalFacts] = RuleTable((
    Rule(CAPITAL, "the file's own capital/revenue column says capital (Capital, Cap, C, CAPEX)",
         lambda f: f.flag == CAPITAL),
    Rule(REVENUE, "the file's own capital/revenue column says revenue (Revenue, Rev, R, OPEX)",
         lambda f: f.flag == REVENUE),
    Rule(CAPITAL, "a stage payment under a works contract: a numbered valuation ('Valuation 13', 'Val 2'), a "
                  "payment, interim or completion certificate, or a retention — not asset-valuation fees "
                  "('Valuation Fees', 'Asset Valuations 2024-25') and not staff or records retention",
         _says(WORKS_STAGE, WORKS_STAGE_UNLESS)),
    Rule(CAPITAL, "building work: 'construction' (not construction insurance or the Construction Industry "
                  "Scheme), 'design and build', 'new build', the SCAPE / National Construction Framework, or "
                  "'capital' / 'capex' (in the description or expense type)",
         _says(BUILDING_WORK, BUILDING_WORK_UNLESS)),
    Rule(CAPITAL, "a capital scheme's professional fees: 'PM fee' (project manager), 'project management fee', "
                  "'QS fee', 'clerk of works', 'employer's agent'",
         _says(SCHEME_FEES)),
    Rule(CAPITAL, "another line of the same invoice (same supplier, reference and payment date) is capital by "
                  "rules 1–5: an invoice is one purchase",
         lambda f: f.same_invoice),
    Rule(CAPITAL, f"a works contractor: at least min_contractor_share ({MIN_CONTRACTOR_SHARE:.0%}) of the "
                  "supplier's £ in the year's payments is capital by rules 1–6, so its other payments are the "
                  "same schemes' stage payments",
         lambda f: f.supplier_capital_share >= f.min_contractor_share),
    Rule(REVENUE, "otherwise revenue: the cost of running services (fees, contracts, repairs, supplies)", always),
), columns=("payment is", "rule"))


def _flag(value: object) -> str | None:
    text = _text(value)
    if _CAPITAL_FLAG.match(text):
        return CAPITAL
    if _REVENUE_FLAG.match(text):
        return REVENUE
    return None


def classify_spend(payments: pd.DataFrame, *, min_contractor_share: float = MIN_CONTRACTOR_SHARE) -> pd.DataFrame:
    """Payments with ``spend_type`` (capital / revenue) and ``spend_rule`` (the :data:`CAPITAL_RULES` rule) added.

    Reads ``description`` and ``amount_gbp`` and, when present, ``expense_type`` and ``capital_revenue`` (the
    file's own field); rules 6 and 7 group by supplier (``supplier_key`` when present), ``reference`` and
    ``payment_date``. A missing ``description`` or ``amount_gbp`` is an :class:`InputTableError` naming it.
    Deterministic: the result depends only on the rows given. Row order and index are kept.
    """
    if not 0 < min_contractor_share <= 1:
        raise ParameterError(f"min_contractor_share must be a share above 0 and at most 1, not {min_contractor_share}")
    require_columns(payments, ["description", "amount_gbp"], "payments")
    if not any(c in payments.columns for c in ("supplier_key", "supplier", "supplier_raw")):
        require_columns(payments, ["supplier"], "payments")
    out = payments.copy()
    if out.empty:
        return out.assign(**{SPEND_TYPE: pd.Series(dtype=object), SPEND_RULE: pd.Series(dtype=object)})
    text = out["description"].map(_text)
    if "expense_type" in out.columns:
        text = (text + " " + out["expense_type"].map(_text)).str.strip()
    flags = out["capital_revenue"].map(_flag) if "capital_revenue" in out.columns else pd.Series(None, index=out.index)
    supplier = out[next(c for c in ("supplier_key", "supplier", "supplier_raw") if c in out.columns)].astype(str)
    reference = out["reference"].astype(str).str.strip() if "reference" in out.columns else pd.Series("", index=out.index)
    dated = out["payment_date"].astype(str) if "payment_date" in out.columns else ""
    invoice = supplier + "|" + reference + "|" + dated
    invoice = invoice.where(reference != "")  # no reference: each line stands alone
    amount = out["amount_gbp"].astype(float)

    def decide(same_invoice: pd.Series, share: pd.Series) -> list[Rule[CapitalFacts]]:
        return [CAPITAL_RULES.first(CapitalFacts(t, None if pd.isna(f) else f, bool(s), float(c), min_contractor_share))
                for t, f, s, c in zip(text, flags, same_invoice, share, strict=True)]

    def capital(rules: list[Rule[CapitalFacts]]) -> pd.Series:
        return pd.Series([r.outcome == CAPITAL for r in rules], index=out.index)

    no, zero = pd.Series(False, index=out.index), pd.Series(0.0, index=out.index)
    direct = capital(decide(no, zero))  # rules 1–5: each payment on its own
    same_invoice = invoice.isin(set(invoice[direct & invoice.notna()]))
    by_invoice = capital(decide(same_invoice, zero))  # and rule 6
    capital_gbp = amount.where(by_invoice, 0.0).groupby(supplier).transform("sum")
    total_gbp = amount.groupby(supplier).transform("sum")
    share = (capital_gbp / total_gbp).where(total_gbp > 0, 0.0).fillna(0.0)
    numbers = {id(r): i for i, r in enumerate(CAPITAL_RULES, start=1)}
    rules = decide(same_invoice, share)
    out[SPEND_TYPE] = [r.outcome for r in rules]
    out[SPEND_RULE] = [numbers[id(r)] for r in rules]
    return out


def split_spend(payments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(revenue payments, capital payments), by ``spend_type`` (classified here when absent). Row order kept."""
    classified = payments if SPEND_TYPE in payments.columns else classify_spend(payments)
    capital = classified[SPEND_TYPE].eq(CAPITAL)
    return classified[~capital], classified[capital]


_PERSON = re.compile(r"\b(?:mr|mrs|ms|miss|mx|dr)\b\.?\s+(?:[a-z]\.?\s+)*[a-z][a-z'\-]+", re.IGNORECASE)
WITHHELD = "(withheld: private individual)"


def _shown_description(description: object, sector: object) -> str:
    """A description as a report may show it: spaces collapsed, personal titles and names masked."""
    if sector == INDIVIDUAL:
        return WITHHELD
    return _PERSON.sub("[name]", re.sub(r"\s+", " ", str(description or "")).strip())


def capital_lines(payments: pd.DataFrame) -> pd.DataFrame:
    """Each capital payment as a report shows it, by date: payment_date, supplier, description, amount_gbp, rule.

    Descriptions as in :func:`capital_by_supplier` (names masked, a private individual's withheld).
    """
    _, capital = split_spend(payments)
    name = "supplier" if "supplier" in capital.columns else "supplier_raw"
    sectors = capital["sector"] if "sector" in capital.columns else pd.Series("", index=capital.index)
    lines = pd.DataFrame({
        "payment_date": capital["payment_date"] if "payment_date" in capital.columns else pd.NaT,
        "supplier": capital[name].astype(str),
        "description": [_shown_description(d, s) for d, s in zip(capital["description"], sectors, strict=True)],
        "amount_gbp": capital["amount_gbp"].astype(float),
        "rule": capital[SPEND_RULE].astype(int),
    })
    return lines.sort_values(["payment_date", "supplier", "amount_gbp"], ascending=[True, True, False],
                             kind="stable").reset_index(drop=True)


def capital_by_supplier(payments: pd.DataFrame, *, examples: int = 3) -> pd.DataFrame:
    """Capital payments by supplier, largest first: supplier, sector, payments, amount_gbp, rules, descriptions.

    ``rules``: the numbers of the :data:`CAPITAL_RULES` rules that made its payments capital;
    ``descriptions`` shows up to ``examples`` distinct descriptions (most £ first) and how many more there are,
    with personal titles and names ("Mrs A Smith") masked; a private individual's descriptions are withheld.
    Takes every payment given and keeps the capital ones (classified here when ``spend_type`` is absent).
    """
    columns = ["supplier", "sector", "payments", "amount_gbp", "rules", "descriptions"]
    _, capital = split_spend(payments)
    if capital.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "amount_gbp" else int if c == "payments" else object)
                             for c in columns})
    name = "supplier" if "supplier" in capital.columns else "supplier_raw"
    rows = []
    for supplier_name, group in capital.groupby(name, sort=True):
        sector = str(group["sector"].iloc[0]) if "sector" in group.columns else ""
        rules = sorted({int(n) for n in group[SPEND_RULE]})
        if sector == INDIVIDUAL:
            described = WITHHELD
        else:
            spend = group.groupby(group["description"].map(lambda d: _shown_description(d, sector)),
                                  sort=True)["amount_gbp"].sum().sort_values(ascending=False, kind="stable")
            described = "; ".join(d or "(blank)" for d in spend.index[:examples])
            described += f"; and {len(spend) - examples} more" if len(spend) > examples else ""
        rows.append((str(supplier_name), sector, len(group), float(group["amount_gbp"].sum()),
                     ", ".join(map(str, rules)), described))
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["amount_gbp", "supplier"], ascending=[False, True], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- services


def _match(pattern: str, value: str) -> bool:
    if pattern.startswith("re:"):
        return bool(re.search(pattern[3:], value, re.IGNORECASE))
    return re.sub(r"\s+", " ", pattern).strip().casefold() == re.sub(r"\s+", " ", value).strip().casefold()


def map_service_areas(payments: pd.DataFrame, mapping: pd.DataFrame | None) -> pd.DataFrame:
    """Payments with ``service_id`` and ``service_rationale`` added from a council's mapping table.

    ``mapping`` rows are tried in order; the first whose ``service_area`` (exact
    text, case and spacing ignored, or a regular expression after ``re:``) and,
    when given, ``supplier`` (same form, against the merged ``supplier`` name)
    both match gives the service. Rows no mapping row matches get ``unmapped``;
    a mapping row may also say ``unmapped`` to record a deliberate decision.
    """
    out = payments.copy()
    if mapping is None or mapping.empty:
        out["service_id"] = UNMAPPED
        out["service_rationale"] = "no service-area mapping supplied"
        return out
    name_col = _supplier_column(out)
    rules = [
        (str(r.get("service_area", "") or ""), str(r.get("supplier", "") or ""), str(r["service_id"]),
         str(r.get("rationale", "") or ""))
        for r in mapping.to_dict("records")
    ]
    cache: dict[tuple[str, str], tuple[str, str]] = {}
    ids, why = [], []
    for area, supplier in zip(out["service_area"].astype(str), out[name_col].astype(str), strict=True):
        key = (area, supplier)
        if key not in cache:
            cache[key] = (UNMAPPED, "no mapping row matches this service area")
            for rule_area, rule_supplier, service_id, rationale in rules:
                area_ok = not rule_area or _match(rule_area, area)
                if area_ok and (not rule_supplier or _match(rule_supplier, supplier)):
                    cache[key] = (service_id, rationale)
                    break
        ids.append(cache[key][0])
        why.append(cache[key][1])
    out["service_id"] = ids
    out["service_rationale"] = why
    return out


# --------------------------------------------------------------------------- redaction


def redact_individuals(payments: pd.DataFrame) -> pd.DataFrame:
    """Rows whose supplier is a private individual keep their amount but lose the name.

    ``supplier`` / ``supplier_raw`` (and ``spellings`` in a variants table) become
    ``"Redacted (private individual)"``; ``supplier_key`` becomes ``individual-1``,
    ``individual-2``… (numbered in order of appearance, so people can still be counted).
    The ``sector`` column is used when present, otherwise it is classified here.
    """
    out = payments.copy()
    if "sector" in out.columns:
        individual = out["sector"].eq(INDIVIDUAL)
    else:
        name_col = _supplier_column(out)
        individual = out[name_col].map(classify_sector).eq(INDIVIDUAL)
    for column in ("supplier", "supplier_raw", "spellings"):
        if column in out.columns:
            out[column] = out[column].astype(object).where(~individual, REDACTED)
    if "supplier_key" in out.columns:
        keys = out.loc[individual, "supplier_key"]
        numbers = {k: f"individual-{i}" for i, k in enumerate(dict.fromkeys(keys), start=1)}
        out.loc[individual, "supplier_key"] = keys.map(numbers)
    return out


# --------------------------------------------------------------------------- the one call


@dataclass
class PreparedPayments:
    """What a notebook needs from a council's published payments.

    ``market``: purchases from a market (supplier, sector, service_id, spend_type, …),
    private individuals redacted; ``excluded``: non-market payments with
    ``exclusion_reason`` (redacted too); ``exclusions``: £ and count by reason;
    ``variants``: merged suppliers and their published spellings; ``counts``: headline numbers.
    """

    market: pd.DataFrame
    excluded: pd.DataFrame
    exclusions: pd.DataFrame
    variants: pd.DataFrame
    counts: dict[str, float] = field(default_factory=dict)

    @property
    def illustrative(self) -> bool:
        return any_illustrative(self.market, self.excluded)

    @property
    def revenue(self) -> pd.DataFrame:
        """Market payments that are revenue (:data:`CAPITAL_RULES`): what spend concentration is measured on."""
        return self.market[self.market[SPEND_TYPE].eq(REVENUE)]

    @property
    def capital(self) -> pd.DataFrame:
        """Market payments that are capital (:data:`CAPITAL_RULES`), shown apart."""
        return self.market[self.market[SPEND_TYPE].eq(CAPITAL)]

    def capital_by_supplier(self) -> pd.DataFrame:
        """Capital payments of every service by supplier (:func:`capital_by_supplier`)."""
        return capital_by_supplier(self.market)

    def by_sector(self) -> pd.DataFrame:
        """Market suppliers, payments and £ by sector (every sector listed, including none found)."""
        grouped = self.market.groupby("sector").agg(
            suppliers=("supplier_key", "nunique"), payments=("amount_gbp", "size"), amount_gbp=("amount_gbp", "sum"))
        return grouped.reindex(list(PAYMENT_SECTORS), fill_value=0).rename_axis("sector").reset_index()

    def by_service(self) -> pd.DataFrame:
        """Market payments and £ by service id (``unmapped`` last)."""
        grouped = self.market.groupby("service_id").agg(
            suppliers=("supplier_key", "nunique"), payments=("amount_gbp", "size"), amount_gbp=("amount_gbp", "sum"))
        order = sorted(i for i in grouped.index if i != UNMAPPED) + ([UNMAPPED] if UNMAPPED in grouped.index else [])
        return grouped.reindex(order).rename_axis("service_id").reset_index()


MARKET_COLUMNS = (
    "payment_date", "supplier", "sector", "service_id", SPEND_TYPE, "amount_gbp", "department", "service_area",
    "description", "reference", "supplier_raw", "supplier_key", "sector_rule", "service_rationale", SPEND_RULE,
    "source_file", "source_row",
)


def prepare_payments(
    raw: pd.DataFrame, mapping: pd.DataFrame | None, *, own_names: Iterable[str] = (),
    sector_overrides: Mapping[str, str] | None = None,
) -> PreparedPayments:
    """Clean, classify, split, map and redact a council's payments (the one call a notebook makes).

    ``raw``: from ``load_supplier_payments``; ``mapping``: the council's
    ``service_areas.csv`` (``load_service_area_mapping``), or None; ``own_names``:
    the council's own names (``in-house``); ``sector_overrides``: supplier name →
    sector for organisations the rules cannot recognise (e.g. a leisure trust
    named without "Trust"), applied to the merged name, recorded as rule "override".
    """
    payments = merge_variants(raw)
    decided = {
        supplier: classify_sector_rule(supplier, own_names=own_names)
        for supplier in payments["supplier"].unique()
    }
    # A merged supplier whose shown spelling is unclassified takes the sector of another spelling.
    fallback = {}
    for supplier, spelling in payments[["supplier", "supplier_raw"]].drop_duplicates().itertuples(index=False):
        if decided[supplier][0] == UNCLASSIFIED and supplier not in fallback:
            found = classify_sector_rule(spelling, own_names=own_names)
            if found[0] != UNCLASSIFIED:
                fallback[supplier] = (found[0], found[1] + " (another spelling)")
    decided.update(fallback)
    overrides = {merge_key(k): v for k, v in (sector_overrides or {}).items()}
    for supplier in decided:
        if merge_key(supplier) in overrides:
            sector = overrides[merge_key(supplier)]
            if sector not in PAYMENT_SECTORS:
                raise ParameterError(f"sector override for {supplier!r}: {sector!r} is not one of {PAYMENT_SECTORS}")
            decided[supplier] = (sector, "override")
    payments["sector"] = payments["supplier"].map(lambda s: decided[s][0])
    payments["sector_rule"] = payments["supplier"].map(lambda s: decided[s][1])

    variants = redact_individuals(variants_table(payments).assign(
        sector=lambda t: t["supplier"].map(lambda s: decided[s][0])))
    counts_before = {
        "suppliers_after_cleaning": int(payments["supplier_raw"].map(clean_supplier_name).nunique()),
        "suppliers_after_merging": int(payments["supplier_key"].nunique()),
    }
    payments = redact_individuals(payments)  # before anything else is derived: no name survives
    market, excluded = split_market(payments)
    market = classify_spend(map_service_areas(market, mapping))
    excluded = map_service_areas(excluded, mapping)

    counts = {
        "rows_read": len(raw),
        "amount_read_gbp": float(raw["amount_gbp"].sum()),
        "files": int(raw["source_file"].nunique()),
        "supplier_spellings": int(raw["supplier_raw"].nunique()),
        **counts_before,
        "market_rows": len(market),
        "market_amount_gbp": float(market["amount_gbp"].sum()),
        "market_suppliers": int(market["supplier_key"].nunique()),
        "excluded_rows": len(excluded),
        "excluded_amount_gbp": float(excluded["amount_gbp"].sum()),
        "individual_rows_redacted": int(payments["sector"].eq(INDIVIDUAL).sum()),
        "individual_suppliers_redacted": int(
            payments.loc[payments["sector"].eq(INDIVIDUAL), "supplier_key"].nunique()),
        "unclassified_market_suppliers": int(market.loc[market["sector"].eq(UNCLASSIFIED), "supplier_key"].nunique()),
        "unmapped_market_rows": int(market["service_id"].eq(UNMAPPED).sum()),
        "unmapped_market_amount_gbp": float(market.loc[market["service_id"].eq(UNMAPPED), "amount_gbp"].sum()),
        "capital_rows": int(market[SPEND_TYPE].eq(CAPITAL).sum()),
        "capital_amount_gbp": float(market.loc[market[SPEND_TYPE].eq(CAPITAL), "amount_gbp"].sum()),
        "capital_suppliers": int(market.loc[market[SPEND_TYPE].eq(CAPITAL), "supplier_key"].nunique()),
    }
    extra = [c for c in ("expense_type", "capital_revenue", "data_status") if c in payments.columns]
    market = market[[*MARKET_COLUMNS, *extra]].reset_index(drop=True)
    excluded = excluded[[*(c for c in MARKET_COLUMNS if c not in (SPEND_TYPE, SPEND_RULE)), "exclusion_reason",
                         *extra]].reset_index(drop=True)
    return PreparedPayments(
        market=market, excluded=excluded, exclusions=exclusions_summary(excluded), variants=variants, counts=counts,
    )


# --------------------------------------------------------------------------- the rules as tables


def rules_tables() -> dict[str, pd.DataFrame]:
    """Every cleaning rule as a table (for the README and reports): names, sectors, non-market, capital."""
    names = pd.DataFrame(list(NAME_RULES))
    names.insert(0, "order", range(1, len(names) + 1))
    tried = [OWN_NAME_RULE, *SECTOR_RULES, NO_RULE]  # in the order classify_sector_rule tries them
    sectors = pd.DataFrame(
        [{"order": i, "sector": r.sector, "rule": r.name, "what it matches": r.rationale} for i, r in enumerate(tried)])
    non_market = pd.DataFrame(
        [{"order": i, "reason": r.reason,
          "supplier": r.supplier or "", "description": r.description or "", "sector": r.sector or "",
          "why": r.rationale}
         for i, r in enumerate(NON_MARKET_RULES, start=1)]
    )
    capital = CAPITAL_RULES.frame()
    capital.insert(0, "order", range(1, len(capital) + 1))
    return {"names": names, "sectors": sectors, "non_market": non_market, "capital": capital}
