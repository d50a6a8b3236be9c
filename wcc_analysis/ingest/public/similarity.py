"""mySociety "similar councils" labels → one row per English authority and dimension.

mySociety's ``local-authority-similarity`` packages (v1.2.0) give every UK council a label
on four dimensions: its region (``physical``), its emissions profile (``emissions``), its
IMD quintile (``imd``) and its rural–urban class (``ruc``). Each dimension is one
``<dimension>_la_labels.csv`` (``local-authority-code,label``) with a dictionary
``<dimension>_label_desc.csv`` (``label,desc``). Codes are mySociety's three-letter codes,
joined to ONS codes through the mySociety lookup (:mod:`.authorities`); authorities outside
England and combined authorities are not in that lookup's English rows and are left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest._validate import read_csv, validate
from wcc_analysis.ingest.public import authorities

FOLDER = Path("mysociety_la_similarity")
#: Dimension → what its label says (the order reports list them in).
DIMENSIONS: dict[str, str] = {
    "physical": "region",
    "emissions": "emissions profile",
    "imd": "deprivation (IMD quintile)",
    "ruc": "rural–urban class",
}
COLUMNS = ["ons_code", "mysociety_code", "dimension", "label", "description"]
HEADERS = {"mysociety_code": "local-authority-code", "label": "label"}
FIX = "restore the file from mysociety/local-authority-similarity (see data/raw/public/mysociety_la_similarity/PROVENANCE.md)"

LABELS_SCHEMA = pa.DataFrameSchema(
    {"mysociety_code": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{3,4}$"), unique=True),
     "label": pa.Column(str)},
)
DESC_SCHEMA = pa.DataFrameSchema({"label": pa.Column(str, unique=True), "desc": pa.Column(str)})


def default_paths() -> tuple[Path, ...]:
    """The label file and the dictionary of each dimension, in :data:`DIMENSIONS` order."""
    folder = paths.raw_public_dir() / FOLDER
    return tuple(folder / f"{d}_{kind}.csv" for d in DIMENSIONS for kind in ("la_labels", "label_desc"))


def _dimension(folder: Path, dimension: str) -> pd.DataFrame:
    labels_path, desc_path = folder / f"{dimension}_la_labels.csv", folder / f"{dimension}_label_desc.csv"
    labels = read_csv(labels_path, what=f"mySociety {dimension} labels").rename(
        columns={"local-authority-code": "mysociety_code"})
    labels = validate(labels, LABELS_SCHEMA, file=labels_path, headers=HEADERS, fix=FIX)
    desc = validate(read_csv(desc_path, what=f"mySociety {dimension} label dictionary"), DESC_SCHEMA,
                    file=desc_path, fix=FIX)
    described = dict(zip(desc["label"], desc["desc"], strict=True))
    unknown = labels[~labels["label"].isin(described)]
    if len(unknown):
        bad = unknown.iloc[0]
        raise InputDataError(labels_path, f"label {bad['label']!r} is not in {desc_path.name}",
                             row=int(bad["source_row"]), column="label", fix=FIX)
    return labels.assign(dimension=dimension, description=labels["label"].map(described))


def load_similarity_labels(folder: Path | None = None, lookup: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every English authority's label on each dimension, sorted by ONS code and dimension."""
    folder = Path(folder) if folder else paths.raw_public_dir() / FOLDER
    lookup = lookup if lookup is not None else authorities.load_authorities()
    codes = lookup.set_index("mysociety_code")["ons_code"]
    frames = [_dimension(folder, d) for d in DIMENSIONS]
    frame = pd.concat(frames, ignore_index=True)
    frame["ons_code"] = frame["mysociety_code"].map(codes)
    frame = frame.dropna(subset=["ons_code"])
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    frame = frame.assign(_order=frame["dimension"].map(order)).sort_values(["ons_code", "_order"])
    return frame[COLUMNS].reset_index(drop=True)
