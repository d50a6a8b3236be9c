"""English Indices of Deprivation 2019 and 2025, lower-tier local authority summaries, long format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.ingest._validate import coerce_numeric, read_csv, validate

DIRECTORY = Path("imd_humaniverse")
FILE_2019 = DIRECTORY / "imd2019_england_ltla19.csv"
FILE_2025 = DIRECTORY / "imd2025_england_ltla24.csv"

COLUMNS = ["ons_code", "edition", "imd_score", "imd_rank", "proportion_most_deprived_10pct",
           "extent", "n_areas"]

HEADERS_2019 = {"ons_code": "ltla19_code", "imd_score": "Score",
                "proportion_most_deprived_10pct": "Proportion", "extent": "Extent"}
HEADERS_2025 = {"ons_code": "ltla24_code", "name": "ltla24_name", "imd_score": "imd_average_score",
                "imd_rank": "imd_rank_of_average_score",
                "proportion_most_deprived_10pct":
                    "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally",
                "extent": "imd25_extent"}

_share = pa.Check.in_range(0, 1)
SCHEMA = pa.DataFrameSchema(
    {
        "ons_code": pa.Column(str, pa.Check.str_matches(r"^E0[6-9]\d{6}$"), unique=True),
        "imd_score": pa.Column(float, pa.Check.ge(0)),
        "imd_rank": pa.Column("Int64", pa.Check.ge(1)),
        "proportion_most_deprived_10pct": pa.Column(float, _share),
        "extent": pa.Column(float, _share),
    }
)


def default_paths() -> tuple[Path, Path]:
    root = paths.raw_public_dir()
    return root / FILE_2019, root / FILE_2025


def _rank(score: pd.Series) -> pd.Series:
    """Rank of average score, 1 = most deprived (highest score); ties share the lower rank."""
    return score.rank(ascending=False, method="min").astype("Int64")


def _load(path: Path, headers: dict[str, str], edition: str, *, computed_rank: bool) -> pd.DataFrame:
    frame = read_csv(path, what=f"{edition} file").rename(columns={v: k for k, v in headers.items()})
    numeric = [c for c in ("imd_score", "proportion_most_deprived_10pct", "extent") if c in frame]
    frame = coerce_numeric(frame, numeric, file=path, headers=headers)
    if computed_rank:
        if "imd_score" in frame:
            frame["imd_rank"] = _rank(frame["imd_score"])
    else:
        frame = coerce_numeric(frame, ["imd_rank"], file=path, integer=True, headers=headers)
    frame = validate(frame, SCHEMA, file=path, headers=headers,
                     fix="restore the published file (humaniverse/IMD, see data/raw/public/SOURCES.md)")
    frame["edition"] = edition
    frame["n_areas"] = len(frame)
    return frame[COLUMNS]


def load_imd2019(path: Path | None = None) -> pd.DataFrame:
    """IoD 2019 LAD summaries (2019 districts). The file has no rank, so it is computed from Score."""
    return _load(Path(path) if path else default_paths()[0], HEADERS_2019, "IMD 2019", computed_rank=True)


def load_imd2025(path: Path | None = None) -> pd.DataFrame:
    """IoD 2025 LAD summaries (2024 districts), with the published rank of average score.

    The published rank comes from unrounded scores: recomputing it from the
    3-decimal scores in this file differs for two districts, so it is kept as published.
    """
    return _load(Path(path) if path else default_paths()[1], HEADERS_2025, "IMD 2025", computed_rank=False)


def load_deprivation(path_2019: Path | None = None, path_2025: Path | None = None) -> pd.DataFrame:
    """Both editions, long: one row per (ons_code, edition); ``n_areas`` = districts in that edition."""
    table = pd.concat([load_imd2019(path_2019), load_imd2025(path_2025)], ignore_index=True)
    table = table.astype({"imd_rank": "int64", "n_areas": "int64"})
    return table.sort_values(["edition", "ons_code"], ignore_index=True)
