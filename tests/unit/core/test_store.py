"""data/processed tables are rebuilt when a raw file's hash (or the builder version) changes."""

from __future__ import annotations

import json

import pandas as pd

from wcc_analysis.core import store


def test_rebuild_when_raw_hash_changes(tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_text("a\n1\n")
    out = tmp_path / "processed"
    calls = []

    def build() -> pd.DataFrame:
        calls.append(1)
        return pd.read_csv(raw)

    first = store.cached_table("t", [raw], build, builder_version="1", directory=out)
    again = store.cached_table("t", [raw], build, builder_version="1", directory=out)
    assert len(calls) == 1 and first.equals(again)
    assert (out / "t.parquet").exists()
    meta = json.loads((out / "t.json").read_text())
    assert meta["sources"] and list(meta["sources"].values())[0] == store.sha256_file(raw)

    raw.write_text("a\n2\n")  # same size, different content
    changed = store.cached_table("t", [raw], build, builder_version="1", directory=out)
    assert len(calls) == 2 and changed["a"].tolist() == [2]

    store.cached_table("t", [raw], build, builder_version="2", directory=out)
    assert len(calls) == 3


def test_damaged_cache_is_rebuilt(tmp_path):
    raw = tmp_path / "raw.csv"
    raw.write_text("a\n1\n")
    out = tmp_path / "processed"
    store.cached_table("t", [raw], lambda: pd.read_csv(raw), builder_version="1", directory=out)
    (out / "t.json").write_text("{not json")
    table = store.cached_table("t", [raw], lambda: pd.DataFrame({"a": [9]}), builder_version="1", directory=out)
    assert table["a"].tolist() == [9]


def test_ingest_tables_use_the_cache(tmp_path, monkeypatch):
    """The public table functions write data/processed and reuse it until a raw file changes."""
    from wcc_analysis import ingest
    from wcc_analysis.ingest import population as population_table  # the function

    monkeypatch.setattr("wcc_analysis.core.paths.processed_dir", lambda: tmp_path)
    table = population_table()
    assert (tmp_path / "population.parquet").exists()
    assert table.set_index("ons_code").loc["E07000237", "pop_2021"] == 103700
    meta = json.loads((tmp_path / "population.json").read_text())
    assert list(meta["sources"]) == ["data/raw/public/ons_census2021_population/lad_population_census2011_2021_rank.csv"]
    assert population_table().equals(table)
    files = ingest.raw_public_files()
    assert len(files) == 42 and all(p.exists() for p in files)  # 34 + 8 mySociety label files
    assert callable(ingest.authorities) and callable(ingest.revenue_outturn)


def _write_package(root, helper_value: int) -> None:
    package = root / "probe_pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text(f"VALUE = {helper_value}\n")
    (package / "builder.py").write_text(
        "import pandas as pd\n\n\n"
        "def build():\n"
        "    from probe_pkg.helper import VALUE  # imported inside the function: still a dependency\n"
        "    return pd.DataFrame({'a': [VALUE]})\n"
    )


def test_rebuild_when_the_builders_code_changes(tmp_path, monkeypatch):
    """Editing the builder (or a module it imports, even lazily) rebuilds the table without a version bump."""
    import importlib
    import sys

    _write_package(tmp_path, 1)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(store, "PACKAGE", "probe_pkg")
    store.builder_fingerprint.cache_clear()
    raw = tmp_path / "raw.csv"
    raw.write_text("a\n1\n")
    out = tmp_path / "processed"
    builder = importlib.import_module("probe_pkg.builder")

    assert store.cached_table("t", [raw], builder.build, directory=out)["a"].tolist() == [1]
    meta = json.loads((out / "t.json").read_text())
    assert meta["builder"]["module"] == "probe_pkg.builder" and len(meta["builder"]["source_sha256"]) == 64

    _write_package(tmp_path, 2)  # only the lazily imported helper changes
    store.builder_fingerprint.cache_clear()
    for name in ("probe_pkg.helper", "probe_pkg.builder"):
        sys.modules.pop(name, None)
    builder = importlib.import_module("probe_pkg.builder")
    assert store.cached_table("t", [raw], builder.build, directory=out)["a"].tolist() == [2]
    store.builder_fingerprint.cache_clear()
    for name in ("probe_pkg", "probe_pkg.helper", "probe_pkg.builder"):
        sys.modules.pop(name, None)


def test_a_table_is_parsed_once_per_process_and_a_readers_change_never_reaches_the_next(tmp_path, monkeypatch):
    raw = tmp_path / "raw.csv"
    raw.write_text("a,b\n1,x\n2,y\n")
    out = tmp_path / "processed"
    store.cached_table("t", [raw], lambda: pd.read_csv(raw), builder_version="1", directory=out)
    parsed = []
    real_read = pd.read_parquet
    monkeypatch.setattr(store.pd, "read_parquet", lambda *a, **k: parsed.append(1) or real_read(*a, **k))

    first = store.cached_table("t", [raw], lambda: pd.read_csv(raw), builder_version="1", directory=out)
    first.loc[0, "a"] = 99  # a notebook changing its copy in place
    first["c"] = 0
    second = store.cached_table("t", [raw], lambda: pd.read_csv(raw), builder_version="1", directory=out)
    assert second["a"].tolist() == [1, 2] and list(second.columns) == ["a", "b"]
    assert len(parsed) == 1  # the second read was answered from the first parse

    raw.write_text("a,b\n3,z\n")  # the table is rebuilt: new parquet bytes, parsed afresh
    assert store.cached_table("t", [raw], lambda: pd.read_csv(raw), builder_version="1",
                              directory=out)["a"].tolist() == [3]


def test_a_file_is_hashed_again_whenever_it_may_have_changed(tmp_path):
    import hashlib
    import os

    old = tmp_path / "old.csv"
    old.write_text("a\n1\n")
    os.utime(old, (1_600_000_000, 1_600_000_000))  # long unchanged: its hash is kept
    assert store.sha256_file(old) == hashlib.sha256(b"a\n1\n").hexdigest()
    new = tmp_path / "new.csv"
    for text in ("a\n1\n", "a\n2\n"):  # written twice within the same clock tick, same size
        new.write_text(text)
        assert store.sha256_file(new) == hashlib.sha256(text.encode()).hexdigest()
    old.write_text("b\n2\n")  # rewritten in place: new timestamps
    assert store.sha256_file(old) == hashlib.sha256(b"b\n2\n").hexdigest()


def test_arrow_uses_the_system_allocator_unless_the_user_chose_a_pool(monkeypatch):
    import pyarrow as pa

    chosen = pa.default_memory_pool()
    try:
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
        store.use_returning_allocator()
        assert pa.default_memory_pool().backend_name == "system"

        pa.set_memory_pool(pa.mimalloc_memory_pool())
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "mimalloc")
        store.use_returning_allocator()
        assert pa.default_memory_pool().backend_name == "mimalloc"
    finally:
        pa.set_memory_pool(chosen)
