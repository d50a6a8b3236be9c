"""What one execution read, from its kernel's facts file (:mod:`wcc_analysis.core.run_facts`), as signatures.

An input is named ``"<kind>:<path>"`` (path relative to the project, POSIX): ``file`` (a file the kernel opened,
signed by the sha256 of its bytes), ``dir`` (a folder it listed, signed by the sha256 of its sorted entry names,
hidden ones left out) and ``probe`` (a path it looked for, signed ``present`` or ``absent``). A file or folder that
has gone is signed ``absent``. :func:`changed` says which recorded inputs no longer match — what decides whether an
incremental run may reuse the execution.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wcc_analysis.core.store import sha256_file

ABSENT = "absent"
PRESENT = "present"
KINDS = ("file", "dir", "probe")


@dataclass
class KernelFacts:
    """The inputs a kernel recorded (kind, path relative to the project) and its timed parts, in seconds."""

    reads: list[tuple[str, str]] = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)
    complete: bool = False  # False when the file was missing: nothing is known about what was read


def read_facts(file: Path) -> KernelFacts:
    """The facts in ``file`` (one JSON object a line); a missing file gives an incomplete, empty record."""
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return KernelFacts()
    facts = KernelFacts(complete=True)
    seen: set[tuple[str, str]] = set()
    for line in lines:
        try:
            fact = json.loads(line)
        except ValueError:
            continue  # a line cut short when the kernel was killed
        if fact.get("kind") == "time":
            facts.times[fact["what"]] = facts.times.get(fact["what"], 0.0) + float(fact["s"])
        elif fact.get("kind") in KINDS and (fact["kind"], fact["path"]) not in seen:
            seen.add((fact["kind"], fact["path"]))
            facts.reads.append((fact["kind"], fact["path"]))
    return facts


def _listing(folder: Path) -> str:
    names = sorted(entry.name for entry in folder.iterdir() if not entry.name.startswith("."))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def signature(kind: str, path: Path, hashes: dict[Path, str] | None = None) -> str:
    """The signature of one input now (``hashes``: a cache of file hashes for one run)."""
    try:
        if kind == "probe":
            return PRESENT if path.exists() else ABSENT
        if kind == "dir":
            return _listing(path) if path.is_dir() else ABSENT
        if not path.is_file():
            return ABSENT
        if hashes is None:
            return sha256_file(path)
        if path not in hashes:
            hashes[path] = sha256_file(path)
        return hashes[path]
    except OSError:
        return ABSENT


def signatures(reads: list[tuple[str, str]], root: Path, hashes: dict[Path, str] | None = None) -> dict[str, str]:
    """``{"kind:path": signature}`` for every recorded read, in a stable order."""
    return {f"{kind}:{rel}": signature(kind, root / rel, hashes) for kind, rel in sorted(reads)}


def changed(recorded: Mapping[str, str], root: Path, hashes: dict[Path, str] | None = None) -> list[str]:
    """The recorded inputs (``"kind:path"``) whose signature differs now, in order."""
    different = []
    for name, was in recorded.items():
        kind, _, rel = name.partition(":")
        if kind not in KINDS or signature(kind, root / rel, hashes) != was:
            different.append(name)
    return different


__all__ = ["ABSENT", "PRESENT", "KernelFacts", "changed", "read_facts", "signature", "signatures"]
