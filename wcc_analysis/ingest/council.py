"""The council's own files: data/raw/council/<ONS code>/ (template in data/raw/council/README.md).

Each table is a CSV (``services.csv``, ``priority_scores.csv``) or a sheet of the
same name in one workbook ``council_data.xlsx`` (``.xls`` and ``.ods`` too).
A council without a folder, or without a table, is not an error: the reports
say the data are absent. A table that is present but wrong is an
InputDataError naming the file, row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .. import paths
from ..config import Config, load_config
from ..errors import InputDataError
from ..priority import CATEGORIES
from ._validate import validate

WORKBOOK_NAMES = ("council_data.xlsx", "council_data.xls", "council_data.ods")
SEED_PHASES = ("Analyse", "Design", "Implement", "Review")
DATA_STATUS = ("illustrative", "council")
ONS_CODE = re.compile(r"^E0[6-9]\d{6}$")

TABLE_COLUMNS = {
    "services": ["service_id", "service_name", "budget_gbp", "seed_phase", "category", "data_status"],
    "priority_scores": ["service_id", "criterion", "score", "rationale", "data_status"],
}


@dataclass
class CouncilData:
    """What a council has supplied; ``None`` for a table it has not supplied."""

    code: str
    directory: Path
    services: pd.DataFrame | None = None
    priority_scores: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        """True when any supplied row is marked illustrative (sample data, not the council's)."""
        tables = [t for t in (self.services, self.priority_scores) if t is not None]
        return any(t["data_status"].eq("illustrative").any() for t in tables)

    def missing(self) -> list[str]:
        return [name for name in TABLE_COLUMNS if getattr(self, name) is None]


def _read_table(directory: Path, table: str) -> tuple[pd.DataFrame, Path, str | None] | None:
    csv = directory / f"{table}.csv"
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
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            sheet = None
        else:
            with pd.ExcelFile(path, engine="calamine") as book:
                if table not in book.sheet_names:
                    return None
            frame = pd.read_excel(path, sheet_name=table, engine="calamine", dtype=object)
            frame = frame.astype(object).where(frame.notna(), "").astype(str)
            sheet = table
    except Exception as exc:  # noqa: BLE001 - any reader failure means the file is unreadable
        raise InputDataError(
            path, f"cannot be read ({type(exc).__name__}: {exc})",
            fix="save it again as UTF-8 CSV or as an Excel workbook, using the template in data/raw/council/_template/",
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    frame = frame.assign(source_row=range(2, len(frame) + 2))  # header is row 1
    frame = frame[frame.drop(columns="source_row").ne("").any(axis=1)]  # blank lines
    return frame, path, sheet


def _parse_money(frame: pd.DataFrame, column: str, path: Path, sheet: str | None) -> pd.Series:
    cleaned = frame[column].str.replace(",", "", regex=False).str.replace("£", "", regex=False)
    numbers = pd.to_numeric(cleaned, errors="coerce")
    bad = numbers.isna()
    if bad.any():
        first = frame[bad].iloc[0]
        raise InputDataError(
            path, f"value {first[column]!r} is not an amount in pounds",
            row=int(first["source_row"]), column=column, sheet=sheet,
            fix="write a number of pounds such as 1650000 (no words or blanks)",
        )
    return numbers.astype(float)


def _services_schema(config: Config) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "service_id": pa.Column(str, pa.Check.isin(sorted(config.services))),
            "service_name": pa.Column(str, pa.Check.str_length(min_value=1)),
            "budget_gbp": pa.Column(float, pa.Check.ge(0)),
            "seed_phase": pa.Column(str, pa.Check.isin(SEED_PHASES)),
            "category": pa.Column(str, pa.Check.isin(CATEGORIES)),
            "data_status": pa.Column(str, pa.Check.isin(DATA_STATUS)),
            "source_row": pa.Column(int),
        },
        unique=["service_id"],
    )


def _scores_schema(config: Config, services: list[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "service_id": pa.Column(str, pa.Check.isin(services)),
            "criterion": pa.Column(str, pa.Check.isin(list(config.priority_weights))),
            "score": pa.Column(str, pa.Check.isin(list(config.priority_scores))),
            "rationale": pa.Column(str),
            "data_status": pa.Column(str, pa.Check.isin(DATA_STATUS)),
            "source_row": pa.Column(int),
        },
        unique=["service_id", "criterion"],
    )


FIXES = {
    "service_id": "use a service id from config/services.toml (run `wcc-analysis list`), or add the service there",
    "category": f"write one of {', '.join(CATEGORIES)}",
    "seed_phase": f"write one of {', '.join(SEED_PHASES)}",
    "data_status": "write 'illustrative' for sample rows or 'council' for the council's own figures",
    "score": "write High, Medium or Low",
    "criterion": "use the criterion names of the seed's priority-setting table, as in config/services.toml [priority.weights]",
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


def council_directory(code: str) -> Path:
    return paths.raw_council_dir() / code


def load_council_data(code: str, config: Config | None = None, directory: Path | None = None) -> CouncilData:
    """Read and check whatever the council has supplied under data/raw/council/<code>/."""
    config = config or load_config()
    directory = Path(directory) if directory else council_directory(code)
    data = CouncilData(code=code, directory=directory)
    if not directory.is_dir():
        return data

    found = _read_table(directory, "services")
    if found:
        frame, path, sheet = found
        if "budget_gbp" in frame.columns:
            frame["budget_gbp"] = _parse_money(frame, "budget_gbp", path, sheet)
        data.services = validate(
            frame, _services_schema(config), file=path, sheet=sheet, fix=FIXES,
            found_columns=[c for c in frame.columns if c != "source_row"],
        ).reset_index(drop=True)
        data.files.append(path)

    found = _read_table(directory, "priority_scores")
    if found:
        frame, path, sheet = found
        known = sorted(data.services["service_id"]) if data.services is not None else sorted(config.services)
        scores = validate(
            frame, _scores_schema(config, known), file=path, sheet=sheet, fix=FIXES,
            found_columns=[c for c in frame.columns if c != "source_row"],
        )
        _check_complete(scores, config, path, sheet)
        data.priority_scores = scores.reset_index(drop=True)
        data.files.append(path)
    return data


def councils_with_files() -> list[str]:
    """ONS codes that have a folder under data/raw/council/ (the template folder is not one)."""
    root = paths.raw_council_dir()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and ONS_CODE.match(p.name)) if root.is_dir() else []
