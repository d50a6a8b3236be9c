"""data/processed: tidy tables as parquet, rebuilt when a raw input or the code that builds it changes.

Each table ``<name>.parquet`` has a sidecar ``<name>.json`` holding its
fingerprint: the sha256 of every raw file it was built from, and the sha256 of
the builder's source — the module that defines the build function and every
``wcc_analysis`` module it imports, directly or not (imports inside functions
included) — and the versions of the libraries that parse the files. A table is
rebuilt when any of those differ, so editing a reader never serves a stale
parquet and nobody has to remember to bump a version.
Files are written to a temporary name and moved into place, so a reader never
sees a half-written table and concurrent builders (parallel notebook kernels)
cannot corrupt one.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from wcc_analysis.core import paths
from wcc_analysis.core.errors import ParameterError

_CHUNK = 1 << 20
PACKAGE = "wcc_analysis"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _package_dir() -> Path | None:
    """The folder of the top-level package (found without importing any of its modules)."""
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


def _module_file(name: str) -> Path | None:
    """The source file of a package module, found on disk without importing it (None if it is not one)."""
    root = _package_dir()
    parts = name.split(".")
    if root is None or parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py") if len(parts) > 1 else None):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _imported_modules(name: str, source: str) -> set[str]:
    """Package modules named by the import statements anywhere in ``source`` (inside functions too).

    ``from X import name`` depends on ``X.name`` when that is a module, otherwise on ``X``.
    """
    file = _module_file(name)
    package = name if file is not None and file.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if _module_file(submodule) else base)
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
    """The package module that defines ``build`` (a ``functools.partial`` is looked through); None when the
    builder is not the package's (e.g. a test's lambda)."""
    while isinstance(build, functools.partial):
        build = build.func
    name = getattr(build, "__module__", None)
    if name and (name == PACKAGE or name.startswith(PACKAGE + ".")) and _module_file(name):
        return name
    return None


#: Libraries whose parsing decides what a table holds: a new version rebuilds every table.
READER_LIBRARIES = ("pandas", "pyarrow", "python-calamine", "pandera")


@cache
def library_versions() -> dict[str, str | None]:
    found = {}
    for name in READER_LIBRARIES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def fingerprint(sources: Iterable[Path], build: Callable | None = None, builder_version: str = "") -> dict:
    """What a processed table depends on: its raw files' hashes, its builder's source, the reading libraries'
    versions and an optional version label.

    A builder outside the package has no source to fingerprint, so it must carry a ``builder_version``
    (ParameterError otherwise): without one, a change to its code would never rebuild the table.
    """
    module = _builder_module(build) if build is not None else None
    if build is not None and module is None and not builder_version:
        raise ParameterError(
            f"the builder {getattr(build, '__qualname__', build)!r} is not part of {PACKAGE}, so its code cannot be "
            "fingerprinted: give cached_table a builder_version and change it whenever the builder changes"
        )
    return {
        "builder": {"module": module, "source_sha256": builder_fingerprint(module) if module else None},
        "builder_version": builder_version,
        "libraries": library_versions(),
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
