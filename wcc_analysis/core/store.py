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

The sidecar also records, under ``"table"``, what was written: the sha256 and size of the parquet file and
its schema (column names and pandas dtypes, as read back). A read verifies both — it hashes the very bytes it
parses, so a file replaced between the check and the read cannot slip through — and rebuilds from the raw
files when either differs: a parquet edited by hand, another table's parquet copied over it, a truncated or
garbage file. Nothing is raised and a table that fails the check is never returned. The check costs one
sha256 over bytes that are read anyway (well under a millisecond for the project's tables).

A build holds an advisory lock (``.<name>.lock``, POSIX ``flock``; skipped where unavailable) and checks
the cache again once it has it, so parallel kernels that all find a table stale build it once, and the
parquet and sidecar beside each other always come from the same build. Without the lock (another OS, a
file system without locks) two builders can at worst leave a sidecar from one and a parquet from the
other: the next read sees the hash differ and rebuilds once; it never serves the pair.

Arrow's memory (the parquet reader's buffers and the strings of every table) comes from the C library's
allocator, not Arrow's bundled mimalloc, unless ``ARROW_DEFAULT_MEMORY_POOL`` says otherwise: mimalloc keeps
pages it has freed, so a kernel that read the outturn and budget tables held about 50 MB more than its tables
(measured on the largest kernel, museums' gap analysis: 381 MB RSS with mimalloc, 267–306 MB over several runs
with the system allocator).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from wcc_analysis.core import paths, run_facts
from wcc_analysis.core.errors import ParameterError

_CHUNK = 1 << 20
PACKAGE = "wcc_analysis"


def use_returning_allocator() -> None:
    """Arrow allocates through the system allocator, which gives freed pages back, unless the user chose a pool
    with ``ARROW_DEFAULT_MEMORY_POOL`` (Arrow's own setting, read when pyarrow is imported)."""
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())


use_returning_allocator()


#: sha256 of files already hashed by this process, by (path, inode, size, mtime, ctime): as git's index does.
_HASHED: dict[tuple, str] = {}
#: A file changed less than this many seconds ago is hashed again (its timestamps may not yet tell a second
#: write of the same size from the first: git's "racy" entries).
_RACY_S = 2.0


def sha256_file(path: Path) -> str:
    """The file's sha256 (hex); a file unchanged since this process last hashed it is not read again."""
    stat = os.stat(path)
    key = (os.fspath(path), stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if key in _HASHED:
        return _HASHED[key]
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    if time.time() - max(stat.st_mtime, stat.st_ctime) > _RACY_S:
        _HASHED[key] = digest.hexdigest()
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


#: data/processed/<this>: the package modules each module's source imports, by the sha256 of that source. Parsing
#: every builder's modules costs about 2 s per process; kernels read this file instead (the parse is redone for a
#: source not in it, and the whole file is dropped when a package module is added, moved or removed).
IMPORTS_CACHE = ".package-imports.json"


@cache
def _package_layout() -> str:
    """sha256 over the package's module file names (what :func:`_module_file` can find)."""
    root = _package_dir()
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")) if root else []
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def _load_imports_cache(file: Path) -> dict[str, list[str]]:
    try:
        held = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(held, dict) or held.get("layout") != _package_layout() or not isinstance(held.get("edges"), dict):
        return {}
    return held["edges"]


def _save_imports_cache(file: Path, edges: dict[str, list[str]]) -> None:
    with contextlib.suppress(OSError):  # a cache: a read-only data/processed only costs the parse next time
        file.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"layout": _package_layout(), "edges": edges}, sort_keys=True)
        _atomic_write_bytes(file, lambda tmp: tmp.write_text(body, encoding="utf-8"))


@cache
def builder_fingerprint(module_name: str) -> str:
    """sha256 over the source of ``module_name`` and every package module it imports, transitively.

    The imports of a source are looked up in :data:`IMPORTS_CACHE` by the source's sha256 (the sources are always
    read and hashed; only their parse is cached).
    """
    cache_file = paths.processed_dir() / IMPORTS_CACHE
    edges = _load_imports_cache(cache_file)
    learned = False
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
        source_hash = hashlib.sha256(source).hexdigest()
        seen[name] = source_hash
        key = f"{name}:{source_hash}"
        if key not in edges:
            edges[key] = sorted(_imported_modules(name, source.decode("utf-8")))
            learned = True
        stack.extend(set(edges[key]) - set(seen))
    if learned:
        _save_imports_cache(cache_file, edges)
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


def versions_of(names: Iterable[str]) -> dict[str, str | None]:
    """The installed version of each distribution in ``names`` (None for one not installed)."""
    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


@cache
def library_versions() -> dict[str, str | None]:
    return versions_of(READER_LIBRARIES)


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


#: The sidecar key holding what was written (not part of the fingerprint the builder's inputs decide).
TABLE_KEY = "table"


def table_schema(table: pd.DataFrame) -> list[list[str]]:
    """``[[column, dtype], …]``: the column names and pandas dtypes of ``table``, in order, as text."""
    return [[str(column), str(dtype)] for column, dtype in table.dtypes.items()]


#: Each table parsed once per process: (parquet path, sha256 of its bytes) → the table as read. The bytes are
#: still read and hashed on every call, so a changed file is never answered from here.
_TABLES_READ: dict[tuple[str, str], pd.DataFrame] = {}


def _verified_read(table_path: Path, meta_path: Path, wanted: dict) -> pd.DataFrame | None:
    """The table, if its sidecar matches ``wanted`` and the parquet is the one the sidecar recorded (same
    sha256 and schema); None — rebuild — otherwise, whatever is wrong (never raises)."""
    try:
        meta = json.loads(meta_path.read_text())
        written = meta.pop(TABLE_KEY, None)
        if meta != wanted or not isinstance(written, dict):
            return None
        data = table_path.read_bytes()  # hashed and parsed from the same bytes
        sha256 = hashlib.sha256(data).hexdigest()
        if sha256 != written.get("sha256"):
            return None
        table = _TABLES_READ.get((str(table_path), sha256))
        if table is None:
            table = pd.read_parquet(io.BytesIO(data))
            if table_schema(table) != written.get("schema"):
                return None
            _TABLES_READ[(str(table_path), sha256)] = table
        return table.copy(deep=False)  # copy-on-write: a caller's change never reaches the next reader
    except Exception:  # noqa: BLE001 - a damaged cache (bad JSON, truncated or garbage parquet) is rebuilt
        return None


@contextlib.contextmanager
def _build_lock(directory: Path, name: str) -> Iterator[None]:
    """Hold ``directory/.<name>.lock`` exclusively (POSIX); a no-op where locking is unavailable."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the hash check still catches a mixed pair
        yield
        return
    handle = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / f".{name}.lock", "a+b")  # noqa: SIM115
        fcntl.flock(handle, fcntl.LOCK_EX)
    except OSError:  # e.g. a read-only folder or a file system without locks
        if handle is not None:
            handle.close()
        handle = None
    try:
        yield
    finally:
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()


def _write_table(table: pd.DataFrame, table_path: Path, meta_path: Path, wanted: dict) -> None:
    """Write the parquet, then its sidecar with the parquet's sha256, size and schema (read back from the
    file, so the schema is what a reader will see)."""
    written: dict = {}

    def write(tmp: Path) -> None:
        table.to_parquet(tmp, index=False)
        data = tmp.read_bytes()
        written.update(sha256=hashlib.sha256(data).hexdigest(), bytes=len(data),
                       schema=table_schema(pd.read_parquet(io.BytesIO(data))))

    _atomic_write_bytes(table_path, write)
    meta = {**wanted, TABLE_KEY: written}
    _atomic_write_bytes(meta_path, lambda tmp: tmp.write_text(json.dumps(meta, indent=2, sort_keys=True)))


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
    label for builders outside the package. A parquet that is not byte for byte the one its sidecar recorded,
    or whose schema differs, is rebuilt (never returned, never an error).
    """
    with run_facts.loading_data():
        return _cached_table(name, list(sources), build, builder_version, directory or paths.processed_dir())


def _cached_table(name: str, sources: list[Path], build: Callable[[], pd.DataFrame], builder_version: str,
                  directory: Path) -> pd.DataFrame:
    table_path = directory / f"{name}.parquet"
    meta_path = directory / f"{name}.json"
    wanted = fingerprint(sources, build, builder_version)
    cached = _verified_read(table_path, meta_path, wanted)
    if cached is not None:
        return cached
    with _build_lock(directory, name):
        cached = _verified_read(table_path, meta_path, wanted)  # built by another process while we waited
        if cached is not None:
            return cached
        table = build()
        _write_table(table, table_path, meta_path, wanted)
    return table
