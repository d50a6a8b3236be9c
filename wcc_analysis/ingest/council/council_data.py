"""The council's own files: data/raw/council/<ONS code>/ (template in data/raw/council/README.md).

Each table is a CSV (``services.csv``, ``priority_scores.csv``) or a sheet of the
same name in one workbook ``council_data.xlsx`` (``.xls`` and ``.ods`` too).
A council without a folder, or without a table, is not an error: the reports
say the data are absent. A table that is present but wrong is an
InputDataError naming the file, row and column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths, run_facts
from wcc_analysis.core.config import Config, load_config
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.guidance import OPTIMISM_BIAS_ITEMS
from wcc_analysis.core.limits import money_problem
from wcc_analysis.core.vocabulary import (
    ACTIVITY_STATUSES,
    BENEFIT_TYPES,
    CASHFLOW_ITEMS,
    CATEGORIES,
    CYCLE_ACTIVITIES,
    CYCLE_COLUMNS,
    CYCLE_PHASES,
    DATA_STATUS,
    DELIVERY_MODELS,
    IMPLEMENT_ACTIVITIES,
    NOT_NEEDED,
    OPTION_IDS,
    PROVIDER_SECTORS,
    SOLACE_CONDITIONS,
    SOLACE_SCORE_RANGE,
    TARGET_POLARITIES,
    YES_NO,
    any_illustrative,
)
from wcc_analysis.ingest._validate import validate
from wcc_analysis.ingest.text_files import read_csv_text

WORKBOOK_NAMES = ("council_data.xlsx", "council_data.xls", "council_data.ods")
ONS_CODE = re.compile(r"^E0[6-9]\d{6}$")

#: Every table of the template, its columns (optional ones in brackets in the README).
TABLE_COLUMNS = {
    "services": ["service_id", "service_name", "budget_gbp", "seed_phase", "category", "data_status"],
    "priority_scores": ["service_id", "criterion", "score", "rationale", "data_status"],
    "providers": ["provider", "sector", "services", "annual_value_gbp", "contract_end", "in_district", "data_status"],
    "delivery_models": ["service_id", "council_code", "council_name", "model", "source", "data_status"],
    "kpis": ["service_id", "kpi", "unit", "polarity", "target", "period", "actual", "source", "data_status"],
    "survey": ["service_id", "question", "period", "percent_satisfied", "target", "source", "data_status"],
    "outputs": ["service_id", "measure", "unit", "year", "volume", "source", "data_status"],
    "appraisal_settings": ["service_id", "price_base_year", "appraisal_years", "discount_rate_pct", "year_0", "inflation_pct",
                           "inflation_source", "one_off_funding", "data_status"],
    "option_cashflows": ["service_id", "option_id", "year", "item", "amount_gbp", "low_pct", "high_pct", "data_status"],
    "option_criteria": ["service_id", "criterion", "weight", "anchor_0", "anchor_5", "anchor_10", "data_status"],
    "option_scores": ["service_id", "option_id", "criterion", "score", "rationale", "data_status"],
    "option_risks": ["service_id", "option_id", "risk", "probability", "impact_gbp", "optimism_factor", "data_status"],
    "optimism_bias": ["service_id", "option_id", "item", "factor", "share_pct", "mitigated_pct", "evidence",
                      "data_status"],
    "unmonetised_effects": ["service_id", "option_id", "effect", "direction", "size", "who_affected", "evidence",
                            "data_status"],
    "equality_impacts": ["service_id", "option_id", "group_affected", "impact", "mitigation", "data_status"],
    "sourcing_plan": ["service_id", "option_id", "activity", "start", "end", "owner", "data_status"],
    "option_descriptions": ["service_id", "option_id", "description", "data_status"],
    "commercial_case": ["service_id", "option_id", "procurement_route", "tupe", "pensions", "contract_years",
                        "break_points", "data_status"],
    "benefits_register": ["benefit_id", "service_id", "type", "measure", "unit", "baseline", "year", "planned",
                          "actual", "owner", "evidence", "explanation", "data_status"],
    "contract_kpis": ["service_id", "contract", "kpi", "polarity", "target", "quarter", "actual",
                      "service_credit_gbp", "data_status"],
    "cycle_activities": ["service_id", "phase", "column", "activity", "status", "reason", "data_status"],
    "solace_readiness": ["condition", "score", "evidence", "action", "owner", "data_status"],
}

@dataclass
class CouncilData:
    """What a council has supplied: one DataFrame per table, absent tables missing from ``tables``."""

    code: str
    directory: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    #: file name → the encoding a CSV was read in ("UTF-8", "Windows-1252", "Mac Roman"; text_files.ENCODINGS)
    encodings: dict[str, str] = field(default_factory=dict)

    @property
    def services(self) -> pd.DataFrame | None:
        return self.tables.get("services")

    @property
    def priority_scores(self) -> pd.DataFrame | None:
        return self.tables.get("priority_scores")

    def table(self, name: str, service_id: str | None = None) -> pd.DataFrame | None:
        """A supplied table (rows for one service if given), or None when not supplied."""
        frame = self.tables.get(name)
        if frame is None or service_id is None or "service_id" not in frame.columns:
            return frame
        rows = frame[frame["service_id"] == service_id].reset_index(drop=True)
        return rows if len(rows) else None

    @property
    def illustrative(self) -> bool:
        """True when any supplied row is marked illustrative (sample data, not the council's)."""
        return any_illustrative(*self.tables.values())

    def is_illustrative(self, *names: str) -> bool:
        """True when any row of the named tables is illustrative."""
        return any_illustrative(*(self.tables.get(n) for n in names))

    def missing(self) -> list[str]:
        return [name for name in TABLE_COLUMNS if name not in self.tables]


def _read_table(directory: Path, table: str) -> tuple[pd.DataFrame, Path, str | None] | None:
    csv = directory / f"{table}.csv"
    for candidate in (csv, *(directory / n for n in WORKBOOK_NAMES)):
        run_facts.probe(candidate)  # an incremental run must see a template that appears later
    workbooks = [directory / n for n in WORKBOOK_NAMES if (directory / n).exists()]
    sources = ([csv] if csv.exists() else []) + workbooks
    if len(sources) > 1:
        raise InputDataError(
            directory / f"{table}.csv",
            f"table {table!r} is supplied twice ({', '.join(p.name for p in sources)})",
            fix="keep either the CSV files or the workbook, not both",
        )
    if not sources:
        return None
    path = sources[0]
    try:
        if path.suffix == ".csv":
            text = read_csv_text(path)  # refuses an empty, truncated, ragged or UTF-16 file, naming the row
            header, *records = text.records
            frame = pd.DataFrame(records, columns=header, dtype=str)
            frame.attrs["encoding"] = text.encoding_name
            frame["source_row"] = text.lines[1:]
            sheet = None
        else:
            with pd.ExcelFile(path, engine="calamine") as book:
                if table not in book.sheet_names:
                    return None
            frame = pd.read_excel(path, sheet_name=table, engine="calamine", dtype=object)
            frame = frame.astype(object).where(frame.notna(), "").astype(str)
            sheet = table
    except InputDataError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure means the file is unreadable
        raise InputDataError(
            path, f"cannot be read as {'a CSV' if path.suffix == '.csv' else 'a workbook'} ({type(exc).__name__})",
            fix="save it again as UTF-8 CSV or as an Excel workbook, using the template in data/raw/council/_template/",
        ) from None
    encoding = frame.attrs.get("encoding")
    if "source_row" not in frame.columns:
        frame = frame.assign(source_row=range(2, len(frame) + 2))  # a sheet: its header is row 1
    rows = frame.pop("source_row")
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    frame["source_row"] = rows.to_numpy()
    frame = frame[frame.drop(columns="source_row").ne("").any(axis=1)]  # blank lines
    if frame.empty:
        return None  # the template's header alone: the council has not filled this table in (not supplied)
    if encoding:
        frame.attrs["encoding"] = encoding
    return frame, path, sheet


def _parse_numbers(
    frame: pd.DataFrame, column: str, path: Path, sheet: str | None, *, money: bool, blank_ok: bool = False
) -> pd.Series:
    """Numbers written in a template column (commas, and £ for money, allowed); blanks only if allowed."""
    text = frame[column].astype(str).str.replace(",", "", regex=False)
    if money:
        text = text.str.replace("£", "", regex=False)
    numbers = pd.to_numeric(text.where(text != "", None), errors="coerce")
    bad = numbers.isna() & ~(blank_ok & text.eq(""))
    if bad.any():
        first = frame[bad].iloc[0]
        what = "an amount in pounds" if money else "a number"
        example = "1650000" if money else "92.5"
        raise InputDataError(
            path, f"value {first[column]!r} is not {what}",
            row=int(first["source_row"]), column=column, sheet=sheet,
            fix=f"write {what} such as {example} (no words{'' if blank_ok else ' or blanks'})",
        )
    numbers = numbers.astype(float)
    for position, value in enumerate(numbers):
        problem = money_problem(value) if money else (None if pd.isna(value) or math.isfinite(value) else
                                                      f"{value} is not a finite number")
        if problem and not pd.isna(value):
            first = frame.iloc[position]
            raise InputDataError(
                path, f"value {first[column]!r}: {problem}", row=int(first["source_row"]), column=column,
                sheet=sheet, fix="write the amount in whole pounds as it is in the council's accounts (no extra "
                                 "zeros, no 'inf')" if money else "write an ordinary number")
    return numbers


def _parse_dates(frame: pd.DataFrame, column: str, path: Path, sheet: str | None) -> pd.Series:
    """Dates as YYYY-MM-DD or DD/MM/YYYY; blank allowed (no end date)."""
    text = frame[column].astype(str)
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    dates = iso.fillna(uk)
    bad = dates.isna() & text.ne("")
    if bad.any():
        first = frame[bad].iloc[0]
        raise InputDataError(
            path, f"value {first[column]!r} is not a date", row=int(first["source_row"]), column=column,
            sheet=sheet, fix="write the date as 2027-03-31 or 31/03/2027, or leave it blank if there is none",
        )
    return dates


def _ids(config: Config) -> list[str]:
    return sorted(config.services)


def _status() -> pa.Column:
    return pa.Column(str, pa.Check.isin(DATA_STATUS))


def _schema(columns: dict, unique: list[str] | None = None) -> pa.DataFrameSchema:
    return pa.DataFrameSchema({**columns, "data_status": _status(), "source_row": pa.Column(int)}, unique=unique)


def _services_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "service_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "budget_gbp": pa.Column(float, pa.Check.ge(0)),
        "seed_phase": pa.Column(str, pa.Check.isin(CYCLE_PHASES)),
        "category": pa.Column(str, pa.Check.isin(CATEGORIES)),
    }, ["service_id"])


def _scores_schema(config: Config, data: "CouncilData") -> pa.DataFrameSchema:
    known = sorted(data.services["service_id"]) if data.services is not None else _ids(config)
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(known)),
        "criterion": pa.Column(str, pa.Check.isin(list(config.priority_weights))),
        "score": pa.Column(str, pa.Check.isin(list(config.priority_scores))),
        "rationale": pa.Column(str),
    }, ["service_id", "criterion"])


def _providers_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    known = set(_ids(config))
    return _schema({
        "provider": pa.Column(str, pa.Check.str_length(min_value=1)),
        "sector": pa.Column(str, pa.Check.isin(PROVIDER_SECTORS)),
        "services": pa.Column(str, pa.Check(
            lambda s: s.map(lambda v: bool(v) and all(x.strip() in known for x in v.split(";"))),
            element_wise=False, name="services_known",
            error=f"must list service ids separated by ';' from {sorted(known)}")),
        "annual_value_gbp": pa.Column(float, pa.Check.ge(0), nullable=True),
        "contract_end": pa.Column("datetime64[ns]", nullable=True),
        "in_district": pa.Column(str, pa.Check.isin(YES_NO)),
    }, ["provider"])


def _models_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "council_code": pa.Column(str, pa.Check.str_matches(r"^E0[6-9]\d{6}$")),
        "council_name": pa.Column(str),
        "model": pa.Column(str, pa.Check.isin(DELIVERY_MODELS)),
        "source": pa.Column(str),
    }, ["service_id", "council_code"])


def _kpis_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "kpi": pa.Column(str, pa.Check.str_length(min_value=1)),
        "unit": pa.Column(str),
        "polarity": pa.Column(str, pa.Check.isin(TARGET_POLARITIES)),
        "target": pa.Column(float),
        "period": pa.Column(str, pa.Check.str_length(min_value=1)),
        "actual": pa.Column(float),
        "source": pa.Column(str),
    }, ["service_id", "kpi", "period"])


def _survey_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "question": pa.Column(str, pa.Check.str_length(min_value=1)),
        "period": pa.Column(str, pa.Check.str_length(min_value=1)),
        "percent_satisfied": pa.Column(float, pa.Check.in_range(0, 100)),
        "target": pa.Column(float, pa.Check.in_range(0, 100), nullable=True),
        "source": pa.Column(str),
    }, ["service_id", "question", "period"])


def _outputs_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "measure": pa.Column(str, pa.Check.str_length(min_value=1)),
        "unit": pa.Column(str),
        "year": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
        "volume": pa.Column(float, pa.Check.ge(0)),
        "source": pa.Column(str),
    }, ["service_id", "measure", "year"])


def _settings_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "price_base_year": pa.Column(float, pa.Check.in_range(1990, 2100)),
        "appraisal_years": pa.Column(float, pa.Check.in_range(1, 60)),
        "discount_rate_pct": pa.Column(float, pa.Check.in_range(0, 25)),
        "year_0": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$"), nullable=True, required=False),
        "inflation_pct": pa.Column(float, pa.Check.in_range(-5, 25), nullable=True, required=False),
        "inflation_source": pa.Column(str, nullable=True, required=False),
        "one_off_funding": pa.Column(str, nullable=True, required=False),
    }, ["service_id"])


def _cashflows_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "year": pa.Column(float, [pa.Check.in_range(0, 60), pa.Check(lambda s: s % 1 == 0, name="whole_year",
                                                                    error="must be a whole year number 0, 1, 2 …")]),
        "item": pa.Column(str, pa.Check.isin(CASHFLOW_ITEMS)),
        "amount_gbp": pa.Column(float),
        "low_pct": pa.Column(float, pa.Check.in_range(-100, 0), nullable=True),
        "high_pct": pa.Column(float, pa.Check.ge(0), nullable=True),
        "source": pa.Column(str, nullable=True, required=False),
    }, ["service_id", "option_id", "year", "item"])


def _option_criteria_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    """The MCA's criteria: a whole-number weight (the service's weights sum to 100, checked by the MCA) and what a
    score of 0, 5 and 10 means on the criterion."""
    anchor = pa.Column(str, pa.Check.str_length(min_value=1))
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "criterion": pa.Column(str, pa.Check.str_length(min_value=1)),
        "weight": pa.Column(float, [pa.Check.in_range(1, 100), pa.Check(lambda s: s % 1 == 0, name="whole_weight",
                                                                       error="must be a whole number 1 … 100")]),
        "anchor_0": anchor, "anchor_5": anchor, "anchor_10": anchor,
    }, ["service_id", "criterion"])


def _option_scores_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "criterion": pa.Column(str, pa.Check.str_length(min_value=1)),
        "score": pa.Column(float, pa.Check.in_range(0, 10)),
        "rationale": pa.Column(str),
    }, ["service_id", "option_id", "criterion"])


def _option_risks_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "risk": pa.Column(str, pa.Check.str_length(min_value=1)),
        "probability": pa.Column(float, pa.Check.in_range(0, 1)),
        "impact_gbp": pa.Column(float, pa.Check.ge(0)),
        "optimism_factor": pa.Column(str, nullable=True, required=False),
    }, ["service_id", "option_id", "risk"])


def _optimism_bias_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "item": pa.Column(str, pa.Check.isin(tuple(OPTIMISM_BIAS_ITEMS))),
        "factor": pa.Column(str, pa.Check.str_length(min_value=1)),
        "share_pct": pa.Column(float, pa.Check.in_range(0, 100)),
        "mitigated_pct": pa.Column(float, pa.Check.in_range(0, 100)),
        "evidence": pa.Column(str, nullable=True),
    }, ["service_id", "option_id", "item", "factor"])


def _unmonetised_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "effect": pa.Column(str, pa.Check.str_length(min_value=1)),
        "direction": pa.Column(str, pa.Check.isin(("benefit", "disbenefit"))),
        "size": pa.Column(str, pa.Check.isin(("small", "medium", "large"))),
        "who_affected": pa.Column(str),
        "evidence": pa.Column(str),
    }, ["service_id", "option_id", "effect"])


def _equality_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "group_affected": pa.Column(str, pa.Check.str_length(min_value=1)),
        "impact": pa.Column(str, pa.Check.str_length(min_value=1)),
        "mitigation": pa.Column(str),
    }, ["service_id", "option_id", "group_affected"])


def _plan_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "activity": pa.Column(str, pa.Check.isin(IMPLEMENT_ACTIVITIES)),
        "start": pa.Column("datetime64[ns]"),
        "end": pa.Column("datetime64[ns]"),
        "owner": pa.Column(str),
    }, ["service_id", "option_id", "activity"])


def _descriptions_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    """One plain sentence per shortlisted option (the shortlist of the economic case)."""
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "description": pa.Column(str, pa.Check.str_length(min_value=1)),
    }, ["service_id", "option_id"])


def _commercial_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    """The commercial case in brief. The procurement routes and the TUPE wording are checked by
    wcc_analysis.analysis.options.business_case (their vocabulary is defined there)."""
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "option_id": pa.Column(str, pa.Check.isin(OPTION_IDS)),
        "procurement_route": pa.Column(str, pa.Check.str_length(min_value=1)),
        "tupe": pa.Column(str, pa.Check.str_length(min_value=1)),
        "pensions": pa.Column(str, pa.Check.str_length(min_value=1)),
        "contract_years": pa.Column(float, pa.Check.in_range(0, 60), nullable=True),
        "break_points": pa.Column(str),
    }, ["service_id", "option_id"])


def _benefits_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "benefit_id": pa.Column(str, pa.Check.str_length(min_value=1)),
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "type": pa.Column(str, pa.Check.isin(BENEFIT_TYPES)),
        "measure": pa.Column(str),
        "unit": pa.Column(str),
        "baseline": pa.Column(float),
        "year": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
        "planned": pa.Column(float),
        "actual": pa.Column(float, nullable=True),
        "owner": pa.Column(str),
        "evidence": pa.Column(str),
        "explanation": pa.Column(str),
    }, ["benefit_id", "year"])


def _contract_kpis_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "contract": pa.Column(str, pa.Check.str_length(min_value=1)),
        "kpi": pa.Column(str, pa.Check.str_length(min_value=1)),
        "polarity": pa.Column(str, pa.Check.isin(TARGET_POLARITIES)),
        "target": pa.Column(float),
        "quarter": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2} Q[1-4]$")),
        "actual": pa.Column(float),
        "service_credit_gbp": pa.Column(float, pa.Check.ge(0), nullable=True),
    }, ["contract", "kpi", "quarter"])


def _cycle_activities_schema(config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    """Each activity of the seed's phase table (section 7) a service has done, is doing, has not started or does
    not need (with the reason: the proportionate approach the seed asks for)."""
    return _schema({
        "service_id": pa.Column(str, pa.Check.isin(_ids(config))),
        "phase": pa.Column(str, pa.Check.isin(CYCLE_PHASES)),
        "column": pa.Column(str, pa.Check.isin(CYCLE_COLUMNS)),
        "activity": pa.Column(str, pa.Check.isin(sorted({a.activity for a in CYCLE_ACTIVITIES}))),
        "status": pa.Column(str, pa.Check.isin(ACTIVITY_STATUSES)),
        "reason": pa.Column(str),
    }, ["service_id", "activity"])


def _solace_schema(_config: Config, _data: "CouncilData") -> pa.DataFrameSchema:
    """The council's self-assessment against the seed's ten SOLACE conditions for successful commissioning."""
    low, high = SOLACE_SCORE_RANGE
    return _schema({
        "condition": pa.Column(str, pa.Check.isin(SOLACE_CONDITIONS)),
        "score": pa.Column(float, [pa.Check.in_range(low, high), pa.Check(
            lambda s: s % 1 == 0, name="whole_score", error=f"must be a whole number {low} … {high}")]),
        "evidence": pa.Column(str),
        "action": pa.Column(str),
        "owner": pa.Column(str),
    }, ["condition"])


def _check_cycle_activities(table: pd.DataFrame, path: Path, sheet: str | None) -> None:
    """Each activity sits in its own phase and column of the seed's table; a "not needed" activity says why."""
    cells = {a.activity: a for a in CYCLE_ACTIVITIES}
    for _, row in table.iterrows():
        seed = cells[row["activity"]]
        for column in ("phase", "column"):
            if row[column] != getattr(seed, column):
                raise InputDataError(
                    path, f"activity {row['activity']!r} is a {seed.phase} {seed.column} activity in the seed's table, "
                          f"not {row[column]!r}", row=int(row["source_row"]), column=column, sheet=sheet,
                    fix=f"write {getattr(seed, column)!r} (framework section 7), or correct the activity")
        if row["status"] == NOT_NEEDED and not row["reason"]:
            raise InputDataError(
                path, f"activity {row['activity']!r} is 'not needed' with no reason given",
                row=int(row["source_row"]), column="reason", sheet=sheet,
                fix="say in a sentence why the activity is not needed for this service (the seed's proportionate "
                    "approach: not all activities are carried out in every case)")


@dataclass(frozen=True)
class TableSpec:
    """How one template table is read: its schema and which columns are money, numbers or dates."""

    name: str
    schema: Callable[[Config, "CouncilData"], pa.DataFrameSchema]
    money: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    blank_numbers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    lower: tuple[str, ...] = ()
    fixes: tuple[tuple[str, str], ...] = ()  # (column, what to do) for this table, over FIXES
    check: Callable[[pd.DataFrame, Path, str | None], None] | None = None  # checks across columns, after the schema


TABLES: tuple[TableSpec, ...] = (
    TableSpec("services", _services_schema, money=("budget_gbp",)),
    TableSpec("priority_scores", _scores_schema),
    TableSpec("providers", _providers_schema, money=("annual_value_gbp",), blank_numbers=("annual_value_gbp",),
              dates=("contract_end",), lower=("sector", "in_district")),
    TableSpec("delivery_models", _models_schema, lower=("model",)),
    TableSpec("kpis", _kpis_schema, numbers=("target", "actual"), lower=("polarity",)),
    TableSpec("survey", _survey_schema, numbers=("percent_satisfied",), blank_numbers=("target",)),
    TableSpec("outputs", _outputs_schema, numbers=("volume",)),
    TableSpec("appraisal_settings", _settings_schema, numbers=("price_base_year", "appraisal_years", "discount_rate_pct"),
              blank_numbers=("inflation_pct",)),
    TableSpec("option_cashflows", _cashflows_schema, money=("amount_gbp",), numbers=("year",),
              blank_numbers=("low_pct", "high_pct"), lower=("option_id", "item")),
    TableSpec("option_criteria", _option_criteria_schema, numbers=("weight",),
              fixes=(("criterion", "name each criterion once per service (the names option_scores uses)"),
                     ("weight", "write a whole-number weight from 1 to 100; the service's weights sum to 100"),
                     ("anchor_0", "describe what a score of 0 means on the criterion"),
                     ("anchor_5", "describe what a score of 5 means on the criterion"),
                     ("anchor_10", "describe what a score of 10 means on the criterion"))),
    TableSpec("option_scores", _option_scores_schema, numbers=("score",), lower=("option_id",),
              fixes=(("score", "write a score from 0 to 10 against the criterion's anchors in option_criteria"),
                     ("criterion", "use a criterion named in option_criteria, one row per option and criterion"))),
    TableSpec("option_risks", _option_risks_schema, money=("impact_gbp",), numbers=("probability",), lower=("option_id",)),
    TableSpec("optimism_bias", _optimism_bias_schema, numbers=("share_pct", "mitigated_pct"), lower=("option_id", "item")),
    TableSpec("unmonetised_effects", _unmonetised_schema, lower=("option_id", "direction", "size")),
    TableSpec("equality_impacts", _equality_schema, lower=("option_id",)),
    TableSpec("sourcing_plan", _plan_schema, dates=("start", "end"), lower=("option_id",)),
    TableSpec("option_descriptions", _descriptions_schema, lower=("option_id",)),
    TableSpec("commercial_case", _commercial_schema, blank_numbers=("contract_years",),
              lower=("option_id", "procurement_route")),
    TableSpec("benefits_register", _benefits_schema, numbers=("baseline", "planned"), blank_numbers=("actual",),
              lower=("type",)),
    TableSpec("contract_kpis", _contract_kpis_schema, numbers=("target", "actual"),
              blank_numbers=("service_credit_gbp",), lower=("polarity",)),
    TableSpec("cycle_activities", _cycle_activities_schema, lower=("column", "status"), check=_check_cycle_activities,
              fixes=(("phase", f"write one of {', '.join(CYCLE_PHASES)}"),
                     ("column", f"write one of {', '.join(CYCLE_COLUMNS)}"),
                     ("activity", "write an activity of the seed's phase table (framework section 7) as worded "
                                  "there, e.g. 'Understanding need' (see data/raw/council/README.md)"),
                     ("status", f"write one of {', '.join(ACTIVITY_STATUSES)}"))),
    TableSpec("solace_readiness", _solace_schema, numbers=("score",),
              fixes=(("condition", "write one of the ten SOLACE conditions as the seed words them (framework "
                                   "section 8; listed in data/raw/council/README.md), one row each"),
                     ("score", "write a whole number from 1 (weak) to 5 (strong)"))),
)

FIXES = {
    "service_id": "use a service id from config/services.toml (run `wcc-analysis list`), or add the service there",
    "services": "list service ids from config/services.toml separated by ';', e.g. leisure;museums",
    "category": f"write one of {', '.join(CATEGORIES)}",
    "seed_phase": f"write one of {', '.join(CYCLE_PHASES)}",
    "data_status": "write 'illustrative' for sample rows or 'council' for the council's own figures",
    "score": "write High, Medium or Low",
    "criterion": "use the criterion names of the seed's priority-setting table, as in config/services.toml [priority.weights]",
    "sector": f"write one of {', '.join(PROVIDER_SECTORS)}",
    "model": f"write one of {', '.join(DELIVERY_MODELS)}",
    "polarity": f"write one of {', '.join(TARGET_POLARITIES)}",
    "in_district": "write yes or no",
    "council_code": "write the comparator's ONS code, e.g. E07000234",
    "option_id": f"write one of {', '.join(OPTION_IDS)}",
    "item": f"write one of {', '.join(CASHFLOW_ITEMS)}",
    "activity": f"write one of {', '.join(IMPLEMENT_ACTIVITIES)}",
    "description": "describe the option in one plain sentence",
    "procurement_route": "write the procurement route, one of those listed in data/raw/council/README.md",
    "tupe": "write 'applies' or 'does not apply' and a short reason",
    "pensions": "write the pension treatment, e.g. 'admitted body to the LGPS, closed' or 'not applicable'",
    "contract_years": "write the contract length in years (blank where there is no contract)",
    "type": f"write one of {', '.join(BENEFIT_TYPES)}",
    "discount_rate_pct": "write a real discount rate in % between 0 and 25 (the Green Book rate is 3.5)",
    "*": "correct the value, following data/raw/council/README.md",
}


def _check_complete(scores: pd.DataFrame, config: Config, path: Path, sheet: str | None) -> None:
    for service_id, group in scores.groupby("service_id", sort=True):
        missing = [c for c in config.priority_weights if c not in set(group["criterion"])]
        if missing:
            raise InputDataError(
                path, f"service {service_id!r} has no score for {', '.join(missing)}",
                row=int(group["source_row"].max()), column="criterion", sheet=sheet,
                fix="add one row per service and criterion (seven criteria per service)",
            )


def _load_table(spec: TableSpec, directory: Path, config: Config, data: "CouncilData") -> tuple[pd.DataFrame, Path] | None:
    found = _read_table(directory, spec.name)
    if not found:
        return None
    frame, path, sheet = found
    encoding = frame.attrs.get("encoding")
    for column in spec.lower:
        if column in frame.columns:
            frame[column] = frame[column].str.lower()
    for column in (*spec.money, *spec.numbers):
        if column in frame.columns:
            frame[column] = _parse_numbers(frame, column, path, sheet, money=column in spec.money,
                                           blank_ok=column in spec.blank_numbers)
    for column in spec.blank_numbers:
        if column in frame.columns and column not in (*spec.money, *spec.numbers):
            frame[column] = _parse_numbers(frame, column, path, sheet, money=False, blank_ok=True)
    for column in spec.dates:
        if column in frame.columns:
            frame[column] = _parse_dates(frame, column, path, sheet)
    table = validate(
        frame, spec.schema(config, data), file=path, sheet=sheet, fix={**FIXES, **dict(spec.fixes)},
        found_columns=[c for c in frame.columns if c != "source_row"],
    )
    if spec.name == "priority_scores":
        _check_complete(table, config, path, sheet)
    if spec.check is not None:
        spec.check(table, path, sheet)
    table = table.reset_index(drop=True)
    if encoding:
        table.attrs["encoding"] = encoding
    return table, path


def council_directory(code: str) -> Path:
    return paths.raw_council_dir() / code


def load_council_data(code: str, config: Config | None = None, directory: Path | None = None, *,
                      through: str | None = None) -> CouncilData:
    """Read and check whatever the council has supplied under data/raw/council/<code>/.

    ``through``: read the tables of :data:`TABLES` in order only as far as this one (a later table's checks may
    use an earlier one; ``"services"``, the first, reads that table alone)."""
    config = config or load_config()
    directory = Path(directory) if directory else council_directory(code)
    data = CouncilData(code=code, directory=directory)
    run_facts.probe(directory)
    if not directory.is_dir():
        return data
    names = [spec.name for spec in TABLES]
    if through is not None and through not in names:
        raise ValueError(f"no council table {through!r}; the tables are {names}")
    specs = TABLES[: names.index(through) + 1] if through is not None else TABLES
    with run_facts.loading_data():
        for spec in specs:
            loaded = _load_table(spec, directory, config, data)
            if loaded is not None:
                data.tables[spec.name], path = loaded
                data.files.append(path)
                if data.tables[spec.name].attrs.get("encoding"):
                    data.encodings[path.name] = data.tables[spec.name].attrs["encoding"]
    return data


def councils_with_files() -> list[str]:
    """ONS codes that have a folder under data/raw/council/ (the template folder is not one)."""
    root = paths.raw_council_dir()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and ONS_CODE.match(p.name)) if root.is_dir() else []
