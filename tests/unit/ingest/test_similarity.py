"""mySociety similarity labels → one row per English authority and dimension; bad files named by row and column."""

from __future__ import annotations

import shutil

import pytest

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.public import similarity
from wcc_analysis.ingest.public.authorities import load_authorities

WORCESTER = "E07000237"
FOLDER = paths.raw_public_dir() / similarity.FOLDER


@pytest.fixture(scope="module")
def lookup():
    return load_authorities()


def test_the_shipped_labels(lookup):
    labels = similarity.load_similarity_labels(lookup=lookup)
    assert list(labels.columns) == similarity.COLUMNS
    mine = labels[labels["ons_code"] == WORCESTER].set_index("dimension")["label"].to_dict()
    assert mine == {"physical": "West Midlands", "emissions": "Public sector", "imd": "3rd IMD quintile",
                    "ruc": "Urban"}
    assert labels.groupby("ons_code").size().eq(4).all()  # every English authority held has all four
    # 394 UK authorities in each file; the English ones in the lookup are kept (Scotland, Wales, NI and the
    # combined authorities are not English councils in the lookup)
    assert labels["ons_code"].str.startswith("E").all() and labels["ons_code"].nunique() == 329
    assert labels.loc[labels["dimension"] == "ruc", "description"].str.contains("neighbourhoods").all()


def _copy(tmp_path):
    target = tmp_path / "labels"
    shutil.copytree(FOLDER, target)
    for file in target.iterdir():
        file.chmod(0o644)
    return target


def test_a_label_missing_from_its_dictionary_is_named_by_row(tmp_path, lookup):
    folder = _copy(tmp_path)
    path = folder / "ruc_la_labels.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].split(",")[0] + ",Suburban"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        similarity.load_similarity_labels(folder, lookup)
    assert caught.value.row == 4 and caught.value.column == "label"
    assert "'Suburban' is not in ruc_label_desc.csv" in str(caught.value)


def test_a_malformed_code_and_a_missing_file_are_clear_errors(tmp_path, lookup):
    folder = _copy(tmp_path)
    path = folder / "imd_la_labels.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = "worcester," + lines[1].split(",", 1)[1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        similarity.load_similarity_labels(folder, lookup)
    assert caught.value.file == "imd_la_labels.csv" and caught.value.row == 2
    (folder / "emissions_label_desc.csv").unlink()
    (folder / "imd_la_labels.csv").write_text((FOLDER / "imd_la_labels.csv").read_text(encoding="utf-8"))
    with pytest.raises(InputDataError, match="not found"):
        similarity.load_similarity_labels(folder, lookup)
