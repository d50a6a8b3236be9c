"""data/processed: tidy tables as parquet, rebuilt when a raw input's hash changes.

Each table ``<name>.parquet`` has a sidecar ``<name>.json`` holding the sha256 of
every raw file it was built from and the builder's version. A table is rebuilt
when any of those differ; files are written to a temporary name and moved into
place, so a reader never sees a half-written table and concurrent builders
(parallel notebook kernels) cannot corrupt one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from wcc_analysis.core import paths

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(sources: Iterable[Path], builder_version: str) -> dict:
    """What a processed table depends on: its builder's version and its raw files' hashes."""
    return {
        "builder_version": builder_version,
        "sources": {paths.relative_to_root(p): sha256_file(p) for p in sorted(sources)},
    }


def _atomic_write_bytes(target: Path, write: Callable[[Path], None]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cached_table(
    name: str,
    sources: Iterable[Path],
    build: Callable[[], pd.DataFrame],
    *,
    builder_version: str,
    directory: Path | None = None,
) -> pd.DataFrame:
    """Return table ``name`` from data/processed, building it first if stale or absent."""
    directory = directory or paths.processed_dir()
    sources = list(sources)
    table_path = directory / f"{name}.parquet"
    meta_path = directory / f"{name}.json"
    wanted = fingerprint(sources, builder_version)
    if table_path.exists() and meta_path.exists():
        try:
            if json.loads(meta_path.read_text()) == wanted:
                return pd.read_parquet(table_path)
        except (json.JSONDecodeError, OSError, ValueError):
            pass  # a damaged cache is rebuilt, never trusted
    table = build()
    _atomic_write_bytes(table_path, lambda tmp: table.to_parquet(tmp, index=False))
    _atomic_write_bytes(
        meta_path, lambda tmp: tmp.write_text(json.dumps(wanted, indent=2, sort_keys=True))
    )
    return table
