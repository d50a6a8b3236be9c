"""ONS geographic neighbours of each local authority district (2021 boundaries)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import validate

RELATIVE_PATH = Path("ons_neighbours") / "lad2021_neighbours.json"
CODE_RE = re.compile(r"^[EWSN]\d{8}$")
COLUMNS = ["ons_code", "neighbour_code", "relation", "rank"]

SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(CODE_RE.pattern)),
        "neighbour_code": pa.Column(str, pa.Check.str_matches(CODE_RE.pattern)),
        "relation": pa.Column(str, pa.Check.isin(["shares_boundary", "nearby"])),
        "rank": pa.Column(int, pa.Check.ge(1)),
    },
    unique=["ons_code", "neighbour_code"],
)


def default_path() -> Path:
    return paths.raw_public_dir() / RELATIVE_PATH


def _bad(path: Path, problem: str, code: str | None = None) -> InputDataError:
    return InputDataError(path, problem + (f" (entry {code!r})" if code else ""),
                          fix="the file must be {code: [[boundary-sharing codes], nearby, nearby, ...]} "
                          "as published by ONSvisual; restore it")


def load_neighbours(path: Path | None = None) -> pd.DataFrame:
    """One row per (district, neighbour): boundary-sharing neighbours first, then nearby ones.

    ``rank`` is the 1-based position within its list (boundary-sharing ones are
    ordered by shared boundary length, nearby ones by distance). Islands have no
    boundary-sharing neighbours (``null`` in the file).
    """
    path = Path(path) if path else default_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _bad(path, "file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _bad(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _bad(path, "expected an object keyed by ONS code")
    records = []
    for code, entry in data.items():
        if not isinstance(entry, list) or not entry:
            raise _bad(path, "expected a non-empty list", code)
        sharing, nearby = entry[0] or [], entry[1:]
        if not isinstance(sharing, list):
            raise _bad(path, "the first item must be the list of boundary-sharing codes", code)
        for relation, codes in (("shares_boundary", sharing), ("nearby", nearby)):
            for rank, other in enumerate(codes, start=1):
                if not isinstance(other, str):
                    raise _bad(path, f"{other!r} is not an ONS code", code)
                records.append((code, other, relation, rank))
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["source_row"] = range(1, len(frame) + 1)  # no rows in JSON; messages name the entry
    frame = validate(frame, SCHEMA, file=path, row_column="_none_",
                     fix="restore the published file (ONSvisual/Local-Authority-Districts-2021-neighbours)")
    return frame[COLUMNS].sort_values(["ons_code", "relation", "rank"], ascending=[True, False, True],
                                      ignore_index=True)
