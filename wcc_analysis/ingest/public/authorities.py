"""mySociety local-authority lookup → English authorities with ONS code, E-code and RS class.

Also the register of known ONS codes used to reject unknown authority codes
elsewhere (config, council files, notebook parameters).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError, ParameterError
from wcc_analysis.ingest._validate import read_csv, validate

RELATIVE_PATH = Path("mysociety_la_lookup") / "uk_local_authorities.csv"

#: mySociety local-authority-type → the RS "Class" for the same kind of council.
RS_CLASS_BY_TYPE = {"NMD": "SD", "UA": "UA", "MD": "MD", "LBO": "L", "CTY": "SC"}

HEADERS = {
    "ons_code": "gss-code", "ecode": "ecode", "mysociety_code": "local-authority-code",
    "name": "nice-name", "official_name": "official-name", "la_type": "local-authority-type",
    "region": "region", "county_la": "county-la", "current": "current-authority",
    "start_date": "start-date", "end_date": "end-date", "nation": "nation",
}
COLUMNS = [
    "ons_code", "ecode", "mysociety_code", "name", "official_name", "la_type", "rs_class",
    "region", "county_code", "county_name", "current", "start_date", "end_date",
]

SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(r"^[EWSN]\d{8}$"), unique=True),
        "mysociety_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3,4}$"), unique=True),
        "ecode": pa.Column(str, pa.Check.str_matches(r"^E\d{4}$"), nullable=True),
        "name": pa.Column(str),
        "official_name": pa.Column(str),
        "la_type": pa.Column(str),
        "nation": pa.Column(str),
        "current": pa.Column(str, pa.Check.isin(["True", "False"])),
        "county_la": pa.Column(str, nullable=True),
        "start_date": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d\d-\d\d$"), nullable=True),
        "end_date": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d\d-\d\d$"), nullable=True),
    }
)
ECODE_KEY = pa.DataFrameSchema({"ecode": pa.Column(str)}, unique=["ecode"])


def default_path() -> Path:
    return paths.raw_public_dir() / RELATIVE_PATH


def load_authorities(path: Path | None = None) -> pd.DataFrame:
    """English authorities (current and abolished), one row per ONS code, sorted by ONS code."""
    path = Path(path) if path else default_path()
    raw = read_csv(path, what="mySociety local authority lookup")
    frame = raw.rename(columns={v: k for k, v in HEADERS.items()})
    if "nation" in frame:
        frame = frame[frame["nation"] == "England"]  # other nations are not validated or used
    frame = validate(frame, SCHEMA, file=path, headers=HEADERS,
                     fix="restore the file from mysociety/uk_local_authority_names_and_codes")
    validate(frame.dropna(subset=["ecode"]), ECODE_KEY, file=path, headers=HEADERS)
    by_code = frame.set_index("mysociety_code")
    unknown = frame["county_la"].notna() & ~frame["county_la"].isin(by_code.index)
    if unknown.any():
        bad = frame[unknown].iloc[0]
        raise InputDataError(path, f"county-la {bad['county_la']!r} is not a local-authority-code in this file",
                             row=int(bad["source_row"]), column="county-la",
                             fix="restore the file from mysociety/uk_local_authority_names_and_codes")
    frame["county_code"] = frame["county_la"].map(by_code["ons_code"])
    frame["county_name"] = frame["county_la"].map(by_code["name"])
    frame["rs_class"] = frame["la_type"].map(RS_CLASS_BY_TYPE)
    frame["current"] = frame["current"] == "True"
    return frame[COLUMNS].sort_values("ons_code", ignore_index=True)


def known_authority_codes() -> frozenset[str]:
    """ONS codes this product knows: mySociety lookup (English, incl. abolished) ∪ Census 2011/2021
    LADs (England and Wales) ∪ IMD 2019/2025 districts. RS-only bodies (police, fire) are not
    included: they are not councils a user would analyse."""
    from wcc_analysis.ingest import authorities as authorities_table  # the table functions
    from wcc_analysis.ingest import deprivation, population

    codes = set(authorities_table()["ons_code"])
    codes |= set(population()["ons_code"])
    codes |= set(deprivation()["ons_code"])
    return frozenset(codes)


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbouring characters as one edit (typos in codes)."""
    d = [[max(i, j) if 0 in (i, j) else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def suggest(code: str, known: frozenset[str]) -> str:
    wanted = code.strip().upper()
    # nearest first; among equals, prefer the same characters in another order (a swap)
    scored = sorted((_distance(wanted, k), sorted(k) != sorted(wanted), k) for k in known)
    close = [k for score, _, k in scored if score <= 2][:3]
    if close:
        return f"did you mean {' or '.join(close)}?"
    from wcc_analysis.ingest import authorities as authorities_table  # the table function (see __init__)

    table = authorities_table()
    names = dict(zip(table["name"].str.lower(), table["ons_code"], strict=True))
    match = difflib.get_close_matches(code.strip().lower(), list(names), n=1, cutoff=0.6)
    if match:
        return f"did you mean {names[match[0]]} ({match[0].title()})?"
    return "use a 9-character ONS code such as E07000237 (Worcester)"


def require_known_authority(
    code: str, *, file: str | Path | None = None, row: int | None = None, column: str | None = None
) -> str:
    """Return ``code`` if it is a known ONS code; otherwise raise with a close-match suggestion.

    Raises InputDataError when ``file`` is given (the code came from a file),
    ParameterError otherwise (it came from a parameter or the command line).
    """
    known = known_authority_codes()
    if isinstance(code, str) and code in known:
        return code
    hint = suggest(str(code), known)
    problem = f"{code!r} is not a known local authority ONS code"
    if file is not None:
        raise InputDataError(file, problem,
                             row=row, column=column, fix=hint)
    raise ParameterError(f"{problem}; {hint}")


def check_known_codes(frame: pd.DataFrame, path: Path, header: str, known: Collection[str] | None) -> None:
    """Raise InputDataError (file, row, column, nearest known code) for the first unknown ONS code.

    ``known`` defaults to :func:`wcc_analysis.ingest.known_authority_codes`.
    """
    known = known_authority_codes() if known is None else known
    unknown = frame.loc[~frame["ons_code"].isin(known)]
    if not unknown.empty:
        first = unknown.sort_values("source_row").iloc[0]
        require_known_authority(str(first["ons_code"]), file=path.name,
                                row=int(first["source_row"]), column=header)
