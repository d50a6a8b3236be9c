"""The Green Book's five cases: which of them the pack covers, the shortlist, and the commercial and management cases.

HM Treasury's business case guidance sets every proposal out as five cases —
strategic, economic, commercial, financial and management (the five case model:
HM Treasury, The Green Book, 2022; Guide to Developing the Project Business Case,
2018, chapter 2 "An overview of the five case model"). This pack builds the
strategic case from its needs and gap analyses and the economic and financial
cases in the option appraisal; the commercial case (procurement route, TUPE,
pensions, contract length, break points) and the management case (the sourcing
plan's Implement activities, dates, owners and milestones) are in brief, from
the council's ``commercial_case`` and ``sourcing_plan`` tables.
:data:`FIVE_CASE_RULES` decides how far each case is covered and prints the rule.

The procurement routes are those of the Procurement Act 2023 (in force from
24 February 2025), defined once here (:data:`PROCUREMENT_ROUTES`); staff
transfers follow the Transfer of Undertakings (Protection of Employment)
Regulations 2006. Pure functions over the council's tables, already read on
ingest; bad content is an :class:`~wcc_analysis.core.errors.InputTableError`
naming the table and column, a bad argument a
:class:`~wcc_analysis.core.errors.ParameterError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from wcc_analysis.analysis.common import file_row, require_columns
from wcc_analysis.analysis.options._checks import PLAN, _check_option, _option_rows, _ordered
from wcc_analysis.analysis.options.plan import sourcing_plan
from wcc_analysis.core.errors import InputTableError
from wcc_analysis.core.rules import Rule, RuleTable, always
from wcc_analysis.core.text import blank_if_missing, listed, plural
from wcc_analysis.core.vocabulary import IMPLEMENT_ACTIVITIES, OPTION_GROUPS, OPTION_LABELS, STATUS_QUO

#: The tables this module is handed, as the analyst knows them (the council template's files).
DESCRIPTIONS = "option descriptions"
COMMERCIAL = "commercial case"

DESCRIPTION_COLUMNS = ["option_id", "description"]
COMMERCIAL_COLUMNS = ["option_id", "procurement_route", "tupe", "pensions", "contract_years", "break_points"]

# --------------------------------------------------------------------------- the commercial case's vocabulary

PROCUREMENT_ACT_SOURCE = "Procurement Act 2023 (in force from 24 February 2025)"

OPEN_PROCEDURE = "open procedure"
COMPETITIVE_FLEXIBLE_PROCEDURE = "competitive flexible procedure"
DIRECT_AWARD = "direct award"
FRAMEWORK_CALL_OFF = "framework call-off"
NOT_PROCURED = "not procured (in-house or inter-authority agreement)"
CONTRACT_MODIFICATION = "modification of the existing contract"

#: The procurement routes an option may take, each with the law it rests on. The Act has two competitive tendering
#: procedures (s.20), direct award only on a Schedule 5 justification (s.41) and call-offs under frameworks (s.45);
#: delivering a service itself, or through another council under an inter-authority agreement, is no procurement
#: (Schedule 2: exempted contracts). A change to a contract already let (e.g. taking up an extension) is not a new
#: procurement: a contract let before the Act keeps the old rules.
PROCUREMENT_ROUTES: dict[str, str] = {
    OPEN_PROCEDURE: "Procurement Act 2023 s.20(2)(a): a competitive tendering procedure in a single stage, any "
                    "supplier may tender",
    COMPETITIVE_FLEXIBLE_PROCEDURE: "Procurement Act 2023 s.20(2)(b): any other competitive tendering procedure the "
                                    "council designs (e.g. shortlisting, negotiation, several rounds), proportionate "
                                    "to the contract",
    DIRECT_AWARD: "Procurement Act 2023 s.41 and Schedule 5: only where a direct award justification applies (e.g. "
                  "extreme and unavoidable urgency, one supplier for technical reasons), after a transparency notice "
                  "(s.44)",
    FRAMEWORK_CALL_OFF: "Procurement Act 2023 s.45: a call-off under a framework the council may use, by the "
                        "framework's own award procedure",
    NOT_PROCURED: "no covered procurement: the council delivers the service itself, or another council does under "
                  "an inter-authority agreement (Procurement Act 2023 Schedule 2, paragraph 3: horizontal "
                  "arrangements; a company the council controls is paragraph 2: vertical arrangements)",
    CONTRACT_MODIFICATION: "a change to a contract already let, not a new procurement: a contract let before 24 "
                           "February 2025 is modified under the Public Contracts Regulations 2015 reg 72 (saved by "
                           "the Procurement Act 2023 (Commencement No. 3 and Transitional and Saving Provisions) "
                           "Regulations 2024, reg 5); one let under the Act under s.74 and Schedule 8",
}
#: The short citation each route is given beside it in a sentence.
ROUTE_CITATIONS: dict[str, str] = {
    OPEN_PROCEDURE: "Procurement Act 2023 s.20(2)(a)",
    COMPETITIVE_FLEXIBLE_PROCEDURE: "Procurement Act 2023 s.20(2)(b)",
    DIRECT_AWARD: "Procurement Act 2023 s.41 and Schedule 5",
    FRAMEWORK_CALL_OFF: "Procurement Act 2023 s.45",
    NOT_PROCURED: "Procurement Act 2023 Schedule 2: exempted contracts",
    CONTRACT_MODIFICATION: "Public Contracts Regulations 2015 reg 72, or Procurement Act 2023 s.74",
}
#: Routes with no contract to run for a number of years: contract length and break points are not asked of them.
NO_CONTRACT_ROUTES: tuple[str, ...] = (NOT_PROCURED,)

TUPE_SOURCE = "Transfer of Undertakings (Protection of Employment) Regulations 2006 (SI 2006/246)"
#: The first words of the ``tupe`` column (a short reason follows).
TUPE_APPLIES, TUPE_DOES_NOT_APPLY = "applies", "does not apply"

#: The commercial case's parts as the pack names them, by column.
COMMERCIAL_PARTS: dict[str, str] = {
    "procurement_route": "procurement route (Procurement Act 2023)",
    "tupe": "TUPE (staff transfer)",
    "pensions": "pensions",
    "contract_years": "contract length",
    "break_points": "break points",
}

# --------------------------------------------------------------------------- the five cases

STRATEGIC, ECONOMIC, COMMERCIAL_CASE, FINANCIAL, MANAGEMENT = (
    "strategic", "economic", "commercial", "financial", "management")
#: The five cases in the guidance's order.
FIVE_CASES: tuple[str, ...] = (STRATEGIC, ECONOMIC, COMMERCIAL_CASE, FINANCIAL, MANAGEMENT)
#: The question each case answers (Guide to Developing the Project Business Case, 2018, chapter 2).
CASE_QUESTIONS: dict[str, str] = {
    STRATEGIC: "Is there a compelling case for change?",
    ECONOMIC: "Which option gives the best public value for money?",
    COMMERCIAL_CASE: "Can the option be procured and contracted for on workable terms?",
    FINANCIAL: "Is it affordable within the council's budget?",
    MANAGEMENT: "Can the council deliver it, and who owns each step?",
}
#: Where in the pack each case is found.
CASE_SECTIONS: dict[str, str] = {
    STRATEGIC: "Needs analysis; Gap analysis",
    ECONOMIC: "Option appraisal: shortlist and economic case",
    COMMERCIAL_CASE: "Option appraisal: commercial case (commercial_case.csv)",
    FINANCIAL: "Option appraisal: financial case",
    MANAGEMENT: "Option appraisal: management case (sourcing_plan.csv)",
}
NEEDS_PART = "needs analysis (spend and need against comparators)"
GAP_PART = "gap analysis (performance against targets and comparators)"
SHORTLIST_PART = "shortlist: each option described in a sentence"
ECONOMIC_PART = "economic case: social costs and benefits against business as usual"
FINANCIAL_PART = "financial case: the council's budget, cash by year"
ACTIVITIES_PART = "the framework's Implement activities with start and end dates"
OWNERS_PART = "an owner for every activity"
MILESTONES_PART = "milestones (each activity's end date)"
#: What a full case holds that the council's template never records: a case with any of these is at most in brief.
CASE_PARTS_BEYOND: dict[str, tuple[str, ...]] = {
    COMMERCIAL_CASE: ("risk allocation between the council and the provider", "payment mechanism",
                      "accountancy treatment"),
    MANAGEMENT: ("governance and reporting", "risk and issue management", "a benefits realisation plan",
                 "post-implementation evaluation"),
}
COVERED_FULLY, IN_BRIEF, NOT_COVERED = "covered fully", "in brief", "not covered"
COVERAGE_LEVELS: tuple[str, ...] = (COVERED_FULLY, IN_BRIEF, NOT_COVERED)
FIVE_CASE_SOURCE = ("HM Treasury, The Green Book (2022) and Guide to Developing the Project Business Case (2018), "
                    "chapter 2: the five case model")


@dataclass(frozen=True)
class CaseFacts:
    """One case's parts as :data:`FIVE_CASE_RULES` reads them."""

    case: str
    present: tuple[str, ...]  # parts the pack holds (for every option they concern)
    partial: tuple[str, ...]  # parts held for some of the options only
    missing: tuple[str, ...]  # parts the pack could hold but does not
    beyond: tuple[str, ...] = ()  # parts a full case holds that the template never records


#: How far the pack covers each of the five cases. Tried in order; the first that holds decides.
FIVE_CASE_RULES: RuleTable[CaseFacts] = RuleTable((
    Rule(COVERED_FULLY, "every part of the case is in the pack, for every shortlisted option: strategic — the needs "
                        "and the gap analysis; economic — each option described in a sentence and the economic case; "
                        "financial — the financial case against the council's budget",
         lambda f: bool(f.present) and not (f.partial or f.missing or f.beyond)),
    Rule(IN_BRIEF, "some of its parts are in the pack, or some options lack them. The commercial case (procurement "
                   "route, TUPE, pensions, contract length, break points) and the management case (Implement "
                   "activities, dates, owners, milestones) are never more than in brief: a full commercial case adds "
                   "risk allocation, the payment mechanism and accountancy treatment, a full management case "
                   f"governance, risk management, a benefits realisation plan and evaluation ({FIVE_CASE_SOURCE})",
         lambda f: bool(f.present or f.partial)),
    Rule(NOT_COVERED, "otherwise: none of its parts is in the pack", always),
), columns=("coverage", "rule"))

COVERAGE_COLUMNS = ["case", "question", "coverage", "sections", "in_the_pack", "missing", "never_in_this_pack"]


# --------------------------------------------------------------------------- checks


def _blank(value: object) -> bool:
    return blank_if_missing(value) == ""


def _check_unique(frame: pd.DataFrame, table: str) -> None:
    repeated = frame.loc[frame["option_id"].duplicated(keep=False)]
    if not repeated.empty:
        raise InputTableError(table, f"more than one row for option {repeated['option_id'].iloc[0]!r}",
                              row=file_row(repeated.iloc[[1]]), column="option_id", fix="keep one row per option")


def _descriptions(descriptions: pd.DataFrame | None) -> pd.DataFrame | None:
    if _option_rows(descriptions, DESCRIPTION_COLUMNS, DESCRIPTIONS) is None:
        return None
    _check_unique(descriptions, DESCRIPTIONS)
    blank = descriptions["description"].map(_blank)
    if blank.any():
        raise InputTableError(DESCRIPTIONS, f"no description for option {descriptions.loc[blank, 'option_id'].iloc[0]!r}",
                              row=file_row(descriptions[blank]), column="description",
                              fix="describe the option in one plain sentence")
    return descriptions


def _tupe_word(text: object) -> str | None:
    """TUPE_APPLIES or TUPE_DOES_NOT_APPLY by the entry's first words, "" when blank, None for other wording."""
    words = blank_if_missing(text).lower()
    if not words:
        return ""
    return next((w for w in (TUPE_DOES_NOT_APPLY, TUPE_APPLIES) if words.startswith(w)), None)


def _commercial(commercial: pd.DataFrame | None) -> pd.DataFrame | None:
    """The commercial case checked: columns, option ids, one row per option, known routes and TUPE wording."""
    if _option_rows(commercial, COMMERCIAL_COLUMNS, COMMERCIAL) is None:
        return None
    _check_unique(commercial, COMMERCIAL)
    routes = commercial["procurement_route"].map(blank_if_missing).str.lower()
    unknown = routes.ne("") & ~routes.isin(list(PROCUREMENT_ROUTES))
    if unknown.any():
        raise InputTableError(COMMERCIAL, f"unknown procurement route {routes[unknown].iloc[0]!r}",
                              row=file_row(commercial[unknown]), column="procurement_route",
                              fix=f"write one of: {'; '.join(PROCUREMENT_ROUTES)}")
    wording = commercial["tupe"].map(_tupe_word).isna()
    if wording.any():
        raise InputTableError(COMMERCIAL, f"TUPE entry {commercial.loc[wording, 'tupe'].iloc[0]!r} does not start "
                              f"with '{TUPE_APPLIES}' or '{TUPE_DOES_NOT_APPLY}'", row=file_row(commercial[wording]),
                              column="tupe", fix=f"start with '{TUPE_APPLIES}' or '{TUPE_DOES_NOT_APPLY}', then give "
                                                 f"a short reason ({TUPE_SOURCE})")
    text = commercial["contract_years"].map(blank_if_missing)
    years = pd.to_numeric(text.where(text.ne(""), None), errors="coerce")
    bad = (years.isna() & text.ne("")) | years.lt(0)
    if bad.any():
        raise InputTableError(COMMERCIAL, f"contract length {commercial.loc[bad, 'contract_years'].iloc[0]!r} is not "
                              "a number of years", row=file_row(commercial[bad]), column="contract_years",
                              fix="write the contract length in years, e.g. 10 (blank where there is no contract)")
    return commercial.assign(procurement_route=routes, contract_years=years.astype(float))


def _option_ids(option_ids: Iterable[str] | None, *frames: pd.DataFrame | None) -> list[str]:
    """The options in scope (checked), or those the tables hold, in the framework's order."""
    ids = list(option_ids or [])
    for option_id in ids:
        _check_option(option_id)
    if not ids:
        ids = [o for f in frames if f is not None for o in f["option_id"]]
    return _ordered(ids)


def _labels(option_ids: Iterable[str]) -> str:
    return listed(OPTION_LABELS[o] for o in option_ids)


# --------------------------------------------------------------------------- the shortlist


def shortlist_descriptions(descriptions: pd.DataFrame | None, option_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The shortlist, one row per option in the framework's order: ``option_id``, ``option`` (its label),
    ``description`` (the council's sentence, or what to add where there is none) and ``described``.

    ``option_ids`` is the shortlist; without it, the options the table describes.
    """
    table = _descriptions(descriptions)
    ids = _option_ids(option_ids, table)
    given = {} if table is None else dict(zip(table["option_id"], table["description"].map(blank_if_missing)))
    rows = [{"option_id": o, "option": OPTION_LABELS[o],
             "description": given.get(o) or "not described: add one sentence to option_descriptions.csv",
             "described": o in given} for o in ids]
    return pd.DataFrame(rows, columns=["option_id", "option", "description", "described"])


# --------------------------------------------------------------------------- the commercial case


@dataclass(frozen=True)
class CommercialSummary:
    """One option's commercial case in brief, from the council's ``commercial_case`` table."""

    option_id: str
    recorded: bool  # a row for the option exists
    procurement_route: str | None
    route_basis: str | None  # the law the route rests on (PROCUREMENT_ROUTES)
    tupe: str | None
    tupe_applies: bool | None
    pensions: str | None
    contract_years: float | None
    break_points: str | None
    gaps: tuple[str, ...]  # parts not given (contract length and break points are not asked of a route with no contract)
    sentence: str

    @property
    def label(self) -> str:
        return OPTION_LABELS[self.option_id]

    def frame(self) -> pd.DataFrame:
        """The summary as rows a reader checks: ``aspect``, ``value``."""
        years = None if self.contract_years is None else f"{self.contract_years:g}"
        rows = [("Procurement route", self.procurement_route), ("Legal basis", self.route_basis),
                ("TUPE", self.tupe), ("Pensions", self.pensions), ("Contract length (years)", years),
                ("Break points", self.break_points)]
        return pd.DataFrame([(a, v or "–") for a, v in rows], columns=["aspect", "value"])


def _text(value: object) -> str | None:
    return blank_if_missing(value) or None


def commercial_summary(commercial: pd.DataFrame | None, option_id: str) -> CommercialSummary:
    """The commercial case of one option: its procurement route and the law behind it, TUPE, pensions, contract
    length and break points, the parts not given, and one plain sentence.

    An option with no row is not an error: the summary says what to add. An unknown route, TUPE wording that
    does not start with "applies" or "does not apply", or a second row for the option is an InputTableError.
    """
    _check_option(option_id)
    table = _commercial(commercial)
    label = OPTION_LABELS[option_id]
    rows = None if table is None else table[table["option_id"] == option_id]
    if rows is None or rows.empty:
        return CommercialSummary(
            option_id, False, None, None, None, None, None, None, None, tuple(COMMERCIAL_PARTS.values()),
            f"No commercial case is recorded for {label}: add its row to commercial_case.csv (procurement route, "
            "TUPE, pensions, contract length, break points).")
    row = rows.iloc[0]
    route = _text(row["procurement_route"])
    years = None if pd.isna(row["contract_years"]) else float(row["contract_years"])
    asked = [c for c in COMMERCIAL_PARTS if route not in NO_CONTRACT_ROUTES or c not in ("contract_years", "break_points")]
    gaps = tuple(COMMERCIAL_PARTS[c] for c in asked if _blank(row[c]))
    tupe, pensions, breaks = _text(row["tupe"]), _text(row["pensions"]), _text(row["break_points"])
    cited = (f"{route[:-1]}; {ROUTE_CITATIONS[route]})" if route.endswith(")") else f"{route} ({ROUTE_CITATIONS[route]})"
             ) if route else "procurement route not given"
    first = f"{label}: {cited}"
    if years is not None:
        first += f", for {years:g} years" + (f" (break points: {breaks})" if breaks else "")
    words = [first, f"TUPE {tupe}" if tupe else "TUPE not given",
             f"Pensions: {pensions}" if pensions else "Pensions not given"]
    if gaps:
        words.append(f"Not given: {listed(gaps)}")
    return CommercialSummary(option_id, True, route, PROCUREMENT_ROUTES.get(route) if route else None, tupe,
                             {TUPE_APPLIES: True, TUPE_DOES_NOT_APPLY: False}.get(_tupe_word(tupe)), pensions, years,
                             breaks, gaps, " ".join(w.rstrip(".") + "." for w in words))


def commercial_table(commercial: pd.DataFrame | None, option_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The commercial case of every option in scope (``option_ids``, or those the table holds), one row each:
    ``option_id``, ``option``, ``procurement_route``, ``route_basis``, ``tupe``, ``pensions``, ``contract_years``,
    ``break_points``, ``gaps``."""
    ids = _option_ids(option_ids, _commercial(commercial))
    rows = []
    for option_id in ids:
        s = commercial_summary(commercial, option_id)
        rows.append({"option_id": option_id, "option": s.label, "procurement_route": s.procurement_route,
                     "route_basis": s.route_basis, "tupe": s.tupe, "pensions": s.pensions,
                     "contract_years": s.contract_years, "break_points": s.break_points, "gaps": "; ".join(s.gaps)})
    return pd.DataFrame(rows, columns=["option_id", "option", "procurement_route", "route_basis", "tupe", "pensions",
                                       "contract_years", "break_points", "gaps"])


def procurement_routes() -> pd.DataFrame:
    """The procurement routes an option may take and the law each rests on (``route``, ``basis``)."""
    return pd.DataFrame(list(PROCUREMENT_ROUTES.items()), columns=["route", "basis"])


# --------------------------------------------------------------------------- the management case


@dataclass(frozen=True)
class ManagementSummary:
    """One option's management case in brief, from the council's sourcing plan."""

    option_id: str
    activities: pd.DataFrame  # sourcing_plan(): the planned activities by start date, then a row per missing one
    milestones: pd.DataFrame  # milestone, date, owner, flag: each planned activity's end date, in date order
    unowned: tuple[str, ...]  # planned activities with no owner
    missing_activities: tuple[str, ...]  # framework Implement activities not planned (none asked of an unplanned BAU)
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    flags: tuple[str, ...]
    sentence: str

    @property
    def label(self) -> str:
        return OPTION_LABELS[self.option_id]

    @property
    def planned(self) -> bool:
        return self.start is not None


MILESTONE_COLUMNS = ["milestone", "date", "owner", "flag"]


def _day(date: pd.Timestamp) -> str:
    return f"{date.day} {date:%B %Y}"


def management_summary(plan: pd.DataFrame | None, option_id: str) -> ManagementSummary:
    """The management case of one option: its Implement activities (checked by
    :func:`~wcc_analysis.analysis.options.plan.sourcing_plan`), the milestones — each activity's end date with
    its owner — and flags for an activity with no owner and a framework activity not planned.

    Business as usual and the do-minimum need no plan when the service carries on unchanged: with no rows they
    are not flagged (a re-let or renewal needs a plan, and the council records it like any other).
    """
    activities = sourcing_plan(plan, option_id)
    label = OPTION_LABELS[option_id]
    planned = activities[activities["status"] == "planned"]
    if planned.empty and OPTION_GROUPS[option_id] == OPTION_GROUPS[STATUS_QUO]:
        sentence = (f"No Implement activities are recorded for {label}: none is needed if the service carries on "
                    "unchanged; a re-let or renewal needs its own plan in sourcing_plan.csv.")
        return ManagementSummary(option_id, activities, pd.DataFrame(columns=MILESTONE_COLUMNS), (), (), None, None,
                                 (), sentence)
    if planned.empty:
        flag = f"FLAG: no sourcing plan is recorded for {label}: add its Implement activities to sourcing_plan.csv."
        return ManagementSummary(option_id, activities, pd.DataFrame(columns=MILESTONE_COLUMNS), (),
                                 tuple(IMPLEMENT_ACTIVITIES), None, None, (flag,), flag)
    owners = planned["owner"].map(blank_if_missing)
    unowned = tuple(planned.loc[owners.eq(""), "activity"])
    missing = tuple(activities.loc[activities["status"] == "missing", "activity"])
    milestones = pd.DataFrame({
        "milestone": planned["activity"] + " complete", "date": planned["end"], "owner": owners,
        "flag": owners.map(lambda o: "" if o else "FLAG: no owner"),
    }).sort_values(["date", "milestone"], kind="stable").reset_index(drop=True)
    flags = tuple(f"FLAG: no owner for {a}." for a in unowned)
    if missing:
        flags += (f"FLAG: not planned: {listed(missing)} (the framework's Implement activities).",)
    start, end = planned["start"].min(), planned["end"].max()
    owned = "each with an owner" if not unowned else f"{plural(len(unowned), 'activity')} without an owner"
    sentence = (f"{label}: {len(planned)} of the framework's {len(IMPLEMENT_ACTIVITIES)} Implement activities "
                f"planned, {_day(start)} to {_day(end)}, {owned}.")
    if flags:
        sentence += " " + " ".join(flags)
    return ManagementSummary(option_id, activities, milestones, unowned, missing, start, end, flags, sentence)


# --------------------------------------------------------------------------- five-case coverage


def _parts(given: dict[str, list[str]], scope: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """Parts held for every option in scope, for some (named with the options lacking them), for none."""
    present, partial, missing = [], [], []
    for part, options in given.items():
        lacking = [o for o in scope if o not in options]
        if scope and not lacking:
            present.append(part)
        elif len(lacking) < len(scope):
            partial.append(f"{part} (not for {_labels(lacking)})")
        else:
            missing.append(part)
    return present, partial, missing


def _case(case: str, present: Sequence[str], partial: Sequence[str] = (), missing: Sequence[str] = ()) -> CaseFacts:
    return CaseFacts(case, tuple(present), tuple(partial), tuple(missing), CASE_PARTS_BEYOND.get(case, ()))


def _commercial_parts(table: pd.DataFrame | None, scope: Sequence[str]) -> dict[str, list[str]]:
    given: dict[str, list[str]] = {part: [] for part in COMMERCIAL_PARTS.values()}
    for option_id in scope:
        summary = commercial_summary(table, option_id)
        for part in given:
            if summary.recorded and part not in summary.gaps:
                given[part].append(option_id)
    return given


def _management_parts(plan: pd.DataFrame | None, option_ids: Sequence[str]) -> tuple[dict[str, list[str]], list[str]]:
    """The management parts each option has, and the options asked for a plan (an unplanned BAU is not)."""
    given: dict[str, list[str]] = {ACTIVITIES_PART: [], OWNERS_PART: [], MILESTONES_PART: []}
    scope = []
    for option_id in option_ids:
        summary = management_summary(plan, option_id)
        if not summary.planned and not summary.flags:
            continue  # business as usual carrying on unchanged: no plan asked
        scope.append(option_id)
        if summary.planned and not summary.missing_activities:
            given[ACTIVITIES_PART].append(option_id)
        if summary.planned and not summary.unowned:
            given[OWNERS_PART].append(option_id)
        if summary.planned:
            given[MILESTONES_PART].append(option_id)
    return given, scope


def five_case_coverage(
    *,
    needs_analysis: bool,
    gap_analysis: bool,
    economic_case: bool,
    financial_case: bool,
    descriptions: pd.DataFrame | None = None,
    commercial: pd.DataFrame | None = None,
    plan: pd.DataFrame | None = None,
    option_ids: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The Green Book's five cases and how far the pack covers each (:data:`FIVE_CASE_RULES`), one row per case:
    ``case``, ``question``, ``coverage`` (covered fully / in brief / not covered), ``sections`` (where in the pack),
    ``in_the_pack``, ``missing`` and ``never_in_this_pack`` (what a full case adds that the template does not record).

    The four flags say whether those parts of the pack were produced; ``descriptions``, ``commercial`` and ``plan``
    are one service's option_descriptions, commercial_case and sourcing_plan tables; ``option_ids`` is the shortlist
    (without it, the options those tables hold).
    """
    described = _descriptions(descriptions)
    checked = _commercial(commercial)
    if plan is not None and not plan.empty:
        require_columns(plan, ["option_id"], PLAN)
    scope = _option_ids(option_ids, described, checked,
                        plan if plan is not None and not plan.empty else None)
    facts = [_case(STRATEGIC, [p for p, done in ((NEEDS_PART, needs_analysis), (GAP_PART, gap_analysis)) if done],
                   missing=[p for p, done in ((NEEDS_PART, needs_analysis), (GAP_PART, gap_analysis)) if not done])]
    shortlist = shortlist_descriptions(described, scope)
    present, partial, missing = _parts({SHORTLIST_PART: list(shortlist.loc[shortlist["described"], "option_id"])},
                                       scope)
    (present if economic_case else missing).append(ECONOMIC_PART)
    facts.append(_case(ECONOMIC, present, partial, missing))
    facts.append(_case(COMMERCIAL_CASE, *_parts(_commercial_parts(checked, scope), scope)))
    facts.append(_case(FINANCIAL, [FINANCIAL_PART] if financial_case else [], (), [] if financial_case else [FINANCIAL_PART]))
    given, asked = _management_parts(plan, scope)
    facts.append(_case(MANAGEMENT, *_parts(given, asked)))
    rows = [{
        "case": f.case, "question": CASE_QUESTIONS[f.case], "coverage": FIVE_CASE_RULES.decide(f),
        "sections": CASE_SECTIONS[f.case], "in_the_pack": "; ".join(f.present + f.partial),
        "missing": "; ".join(f.missing), "never_in_this_pack": "; ".join(f.beyond),
    } for f in sorted(facts, key=lambda f: FIVE_CASES.index(f.case))]
    return pd.DataFrame(rows, columns=COVERAGE_COLUMNS)


def coverage_sentence(coverage: pd.DataFrame) -> str:
    """One plain sentence: which cases the pack covers fully, which in brief and which not at all."""
    how = {COVERED_FULLY: "fully", IN_BRIEF: "in brief", NOT_COVERED: "not at all"}
    parts = []
    for level in COVERAGE_LEVELS:
        cases = list(coverage.loc[coverage["coverage"] == level, "case"])
        if cases:
            parts.append(f"the {listed(cases)} case{'s' if len(cases) > 1 else ''} {how[level]}")
    return f"Of the Green Book's five cases, this pack covers {listed(parts)} ({FIVE_CASE_SOURCE})."
