"""data/processed: tidy tables as parquet, rebuilt when a raw input or the code that builds it changes.

Each table ``<name>.parquet`` has a sidecar ``<name>.json`` holding its
fingerprint: the sha256 of every raw file it was built from, and the sha256 of
the builder's source — the module that defines the build function and every
``wcc_analysis`` module it imports, directly or not (imports inside functions
included). A table is rebuilt when any of those differ, so editing a reader
never serves a stale parquet and nobody has to remember to bump a version.
Files are written to a temporary name and moved into place, so a reader never
sees a half-written table and concurrent builders (parallel notebook kernels)
cannot corrupt one.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from wcc_analysis.core import paths

_CHUNK = 1 << 20
PACKAGE = "wcc_analysis"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _module_file(name: str) -> Path | None:
    """The source file of a package module, without importing it (None if it is not one)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None) if spec else None
    return Path(origin) if origin and origin.endswith(".py") else None


def _imported_modules(name: str, source: str) -> set[str]:
    """``wcc_analysis`` modules named by the import statements anywhere in ``source``."""
    package = name if _module_file(name) and _module_file(name).name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # submodules, when they are
    return {m for m in found if (m == PACKAGE or m.startswith(PACKAGE + ".")) and _module_file(m)}


@cache
def builder_fingerprint(module_name: str) -> str:
    """sha256 over the source of ``module_name`` and every package module it imports, transitively."""
    seen: dict[str, str] = {}
    stack = [module_name]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        file = _module_file(name)
        if file is None:
            continue
        source = file.read_bytes()
        seen[name] = hashlib.sha256(source).hexdigest()
        stack.extend(_imported_modules(name, source.decode("utf-8")) - set(seen))
    digest = hashlib.sha256()
    for name, file_hash in sorted(seen.items()):
        digest.update(f"{name}:{file_hash}\n".encode())
    return digest.hexdigest()


def _builder_module(build: Callable) -> str | None:
    """The package module that defines ``build`` (None for a builder outside the package, e.g. a test's)."""
    name = getattr(build, "__module__", None)
    if name and (name == PACKAGE or name.startswith(PACKAGE + ".")) and name in sys.modules:
        return name
    return None


def fingerprint(sources: Iterable[Path], build: Callable | None = None, builder_version: str = "") -> dict:
    """What a processed table depends on: its raw files' hashes, its builder's source and an optional version."""
    module = _builder_module(build) if build is not None else None
    return {
        "builder": {"module": module, "source_sha256": builder_fingerprint(module) if module else None},
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
    builder_version: str = "",
    directory: Path | None = None,
) -> pd.DataFrame:
    """Return table ``name`` from data/processed, building it first if stale or absent.

    ``build`` makes the table from the raw files; its source (and the package
    modules it imports) is part of the fingerprint. ``builder_version`` adds a
    label for builders outside the package.
    """
    directory = directory or paths.processed_dir()
    sources = list(sources)
    table_path = directory / f"{name}.parquet"
    meta_path = directory / f"{name}.json"
    wanted = fingerprint(sources, build, builder_version)
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
