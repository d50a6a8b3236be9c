"""data/processed is verified on every read: a parquet that is not the one its sidecar recorded is rebuilt.

The sidecar records the parquet's sha256 and schema; an edited, swapped, truncated or garbage parquet is
rebuilt from the raw file and never returned, and a good one is read without calling the builder.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys

import pandas as pd
import pytest

from wcc_analysis.core import store


class Builder:
    """A table built from ``raw.csv``, counting its calls."""

    def __init__(self, raw):
        self.raw = raw
        self.calls = 0

    def __call__(self) -> pd.DataFrame:
        self.calls += 1
        return pd.read_csv(self.raw)


@pytest.fixture
def table(tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_text("council,spend_gbp\nE07000237,1250.5\nE07000238,980.0\n")
    out = tmp_path / "processed"
    build = Builder(raw)

    def read():
        return store.cached_table("spend", [raw], build, builder_version="1", directory=out)

    first = read()
    assert build.calls == 1
    return read, build, out, first


def test_the_sidecar_records_the_parquets_hash_size_and_schema(table):
    read, build, out, first = table
    meta = json.loads((out / "spend.json").read_text())
    written = meta["table"]
    assert written["sha256"] == store.sha256_file(out / "spend.parquet")
    assert written["bytes"] == (out / "spend.parquet").stat().st_size
    assert written["schema"] == [["council", str(first["council"].dtype)], ["spend_gbp", "float64"]]


def test_a_good_table_is_read_without_calling_the_builder(table):
    read, build, out, first = table
    for _ in range(3):
        again = read()
    assert build.calls == 1
    pd.testing.assert_frame_equal(again, first)


def test_an_edited_value_in_a_valid_parquet_is_rebuilt_and_the_true_value_returned(table):
    read, build, out, first = table
    edited = first.copy()
    edited.loc[0, "spend_gbp"] = 999_999.0  # a valid parquet, same schema, one value changed
    edited.to_parquet(out / "spend.parquet", index=False)
    assert pd.read_parquet(out / "spend.parquet")["spend_gbp"].iloc[0] == 999_999.0

    got = read()
    assert build.calls == 2
    assert got["spend_gbp"].tolist() == [1250.5, 980.0]
    assert pd.read_parquet(out / "spend.parquet")["spend_gbp"].tolist() == [1250.5, 980.0]  # repaired on disk
    read()
    assert build.calls == 2  # and trusted again


def test_another_tables_parquet_copied_over_is_rebuilt(table, tmp_path):
    read, build, out, first = table
    other_raw = tmp_path / "other.csv"
    other_raw.write_text("ons_code,population\nE07000237,103872\n")
    store.cached_table("population", [other_raw], lambda: pd.read_csv(other_raw), builder_version="1", directory=out)
    (out / "spend.parquet").write_bytes((out / "population.parquet").read_bytes())

    got = read()
    assert build.calls == 2
    assert list(got.columns) == ["council", "spend_gbp"] and got["spend_gbp"].tolist() == [1250.5, 980.0]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "missing"])
def test_a_truncated_or_garbage_parquet_is_rebuilt_never_raised(table, damage):
    read, build, out, first = table
    path = out / "spend.parquet"
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"PAR1" + os.urandom(200) + b"PAR1")
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()

    got = read()
    assert build.calls == 2
    pd.testing.assert_frame_equal(got, first)


def test_a_schema_that_differs_from_the_sidecar_is_rebuilt(table):
    """The schema is checked on its own too: a sidecar whose recorded schema is not the file's."""
    read, build, out, first = table
    meta = json.loads((out / "spend.json").read_text())
    meta["table"]["schema"][1][1] = "int64"
    (out / "spend.json").write_text(json.dumps(meta))
    read()
    assert build.calls == 2


def test_a_sidecar_from_before_the_check_is_rebuilt_once(table):
    read, build, out, first = table
    meta = json.loads((out / "spend.json").read_text())
    del meta["table"]
    (out / "spend.json").write_text(json.dumps(meta))
    read()
    read()
    assert build.calls == 2


def test_a_mixed_pair_from_two_builders_is_rebuilt_once_not_forever(table):
    """Two builders without the lock: the parquet of one and the sidecar of the other. One rebuild, then stable."""
    read, build, out, first = table
    other = first.assign(spend_gbp=[1.0, 2.0])
    other.to_parquet(out / "spend.parquet", index=False)  # builder B's parquet beside builder A's sidecar
    assert read()["spend_gbp"].tolist() == [1250.5, 980.0]
    for _ in range(3):
        read()
    assert build.calls == 2


# --------------------------------------------------------------------------- concurrent builders (processes)


def _build_slowly(raw: str, log: str) -> pd.DataFrame:
    import time

    with open(log, "a") as handle:
        handle.write("built\n")
    time.sleep(0.2)  # long enough for the other process to find the table stale too
    return pd.read_csv(raw)


def _reader(raw: str, out: str, log: str, start, results) -> None:
    from functools import partial
    from pathlib import Path

    start.wait()
    for _ in range(3):
        table = store.cached_table("spend", [Path(raw)], partial(_build_slowly, raw, log), builder_version="1",
                                   directory=Path(out))
        results.put(table["spend_gbp"].tolist())


@pytest.mark.skipif(sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods(),
                    reason="needs fork and POSIX locks")
def test_concurrent_builders_build_once_and_leave_a_consistent_pair(tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_text("council,spend_gbp\nE07000237,1250.5\nE07000238,980.0\n")
    out = tmp_path / "processed"
    log = tmp_path / "builds.log"
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(3), context.Queue()
    workers = [context.Process(target=_reader, args=(str(raw), str(out), str(log), start, results))
               for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    seen = [results.get(timeout=5) for _ in range(9)]
    assert all(s == [1250.5, 980.0] for s in seen)
    assert log.read_text().count("built") == 1  # the lock and the second look: one build for three processes
    meta = json.loads((out / "spend.json").read_text())
    assert meta["table"]["sha256"] == store.sha256_file(out / "spend.parquet")
    assert not [p.name for p in out.iterdir() if p.name.startswith(".spend.") and not p.name.endswith(".lock")]
