"""The folder packs are written into: run ids, each pack's temporary folder and its owner, and ``latest``.

A pack is written into ``<out>/.incomplete-<run-id>/`` (:func:`reserve`) and renamed into place only when it is
whole. If the run is interrupted, or writing the pack raises, the temporary folder is removed. The folder holds a
small owner file (the run's process id) while it is written; a run killed outright (SIGKILL, power loss) leaves
its folder behind, and the next run into the same folder removes it once that process is gone
(:func:`remove_abandoned`). A live run's folder is never touched, so several runs may write into the same folder
at once.

The ``latest`` rule: ``latest`` moves (atomically: a new symlink is made beside it and renamed over it) only when
**every** execution in the new pack succeeded. A pack with failures is kept under its run id beside the others,
and ``latest`` keeps pointing to the last good pack, which is never touched. Any successful pack moves ``latest``,
including one for a subset of services or another council, unless ``latest`` already points to a pack that
started later (two runs at once: the newer one wins whichever finishes last).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wcc_analysis.core import paths
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import runner

MANIFEST = "manifest.json"
LATEST = "latest"
INCOMPLETE_PREFIX = ".incomplete-"
#: In a ``.incomplete-<run-id>`` folder while it is written: the owning run's pid, process identity and host.
OWNER = ".owner.json"
#: A ``.incomplete-`` folder without an owner file (an older version's) is removed once it is this old.
ABANDONED_WITHOUT_OWNER_S = 24 * 3600
#: ``<UTC time>-<council>[-n]``: the order of two runs' ids is the order they started in.
RUN_ID_PATTERN = re.compile(r"^(\d{8}T\d{6}Z)-[^-]+(?:-(\d+))?$")


def new_run_id(council: str, moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}-{council}"


def reserve(out_dir: Path, base: str) -> tuple[str, Path, Path]:
    """A run id not used in ``out_dir`` (suffix -2, -3… on collision) and its temporary folder."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for n in itertools.count(1):
        run_id = base if n == 1 else f"{base}-{n}"
        final = out_dir / run_id
        tmp = out_dir / f"{INCOMPLETE_PREFIX}{run_id}"
        if final.exists() or final.is_symlink():
            continue
        try:
            tmp.mkdir()
        except FileExistsError:
            continue
        if final.exists():  # finished by another run between the two checks
            tmp.rmdir()
            continue
        owner = {"pid": os.getpid(), "identity": runner.process_identity(os.getpid()), "host": socket.gethostname()}
        (tmp / OWNER).write_text(json.dumps(owner) + "\n", encoding="utf-8")
        return run_id, tmp, final
    raise AssertionError("unreachable")


@contextlib.contextmanager
def writing_pack(out_dir: Path, base: str) -> Iterator[tuple[str, Path, Path]]:
    """Write a new pack in ``out_dir``: (its run id, the temporary folder to write, where it will be).

    First removes the folders that stopped runs left behind (saying so). When the block ends normally the owner
    file goes and the folder is renamed into place; when it raises (a Ctrl-C too) the folder is removed.
    """
    for gone in remove_abandoned(out_dir) if out_dir.is_dir() else []:
        print(f"note: removed {shown_path(gone)}, left by a run that was stopped before it finished", file=sys.stderr)
    run_id, tmp, final = reserve(out_dir, base)
    try:
        yield run_id, tmp, final
        (tmp / OWNER).unlink(missing_ok=True)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """``folder/manifest.json``: indented, UTF-8."""
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _abandoned(folder: Path) -> bool:
    """True if the run writing ``folder`` (a ``.incomplete-`` folder) is gone; False when in doubt."""
    try:
        owner = json.loads((folder / OWNER).read_text(encoding="utf-8"))
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > ABANDONED_WITHOUT_OWNER_S
        except OSError:
            return False
    except (OSError, ValueError):
        return False
    if not isinstance(owner, dict) or not isinstance(owner.get("pid"), int) or owner.get("host") != socket.gethostname():
        return False  # another machine's run (a shared folder): it cannot be checked from here
    return not runner.process_alive(owner["pid"], owner.get("identity"))


def remove_abandoned(out_dir: Path) -> list[Path]:
    """Remove the ``.incomplete-<run-id>`` folders in ``out_dir`` whose run's process no longer exists."""
    removed: list[Path] = []
    try:
        folders = [p for p in out_dir.iterdir() if p.name.startswith(INCOMPLETE_PREFIX)]
    except OSError:
        return removed
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
    return removed


def shown_path(path: Path) -> str:
    """``path`` for a message: relative to the project where it is inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    for candidate in (absolute, absolute.resolve()):
        with contextlib.suppress(ValueError, OSError):
            return candidate.relative_to(paths.project_root()).as_posix() or "."
    return str(absolute)


def check_out_dir(out_dir: str | Path) -> Path:
    """``out_dir`` (``--out``) if packs can be written there; ParameterError saying why not and what to do.

    Refused: an existing file, a folder that cannot be created (a file in the way) or written, and any
    folder inside a pack (``<out>/latest``, ``<out>/<run-id>/…``, a ``.incomplete-`` folder).
    """
    out = Path(out_dir)
    shown = shown_path(out)
    if out.exists() and not out.is_dir():
        raise ParameterError(
            f"--out {shown} is a file, not a folder. What to do: give --out the folder to write packs into "
            "(it is created if it does not exist), or move the file away."
        )
    existing = Path(os.path.abspath(out))
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ParameterError(
            f"--out {shown} cannot be created: {shown_path(existing)} is a file, not a folder. What to do: give --out "
            "a folder whose parents are folders, or move that file away."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ParameterError(
            f"--out {shown} is not writable ({shown_path(existing)} does not let you create files). What to do: "
            "give --out a folder you can write to, or ask for write permission on it."
        )
    resolved = Path(os.path.abspath(out)).resolve()
    for folder in (resolved, *resolved.parents):
        if folder.name.startswith(INCOMPLETE_PREFIX) or (folder / MANIFEST).is_file():
            raise ParameterError(
                f"--out {shown} is inside the pack {shown_path(folder)}. What to do: give --out the folder that "
                f"holds the packs (e.g. {shown_path(folder.parent)}), not a pack or a folder in one."
            )
    return out


def run_order(run_id: str) -> tuple[str, int] | None:
    """The start order of run ``run_id`` (its UTC time, then its -n suffix); None for another name."""
    match = RUN_ID_PATTERN.match(run_id)
    return (match[1], int(match[2] or 1)) if match else None


@contextlib.contextmanager
def _locked(folder: Path):
    """An exclusive lock on ``folder`` (flock on the folder itself: no lock file), where the system has one."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def update_latest(out_dir: Path, run_id: str) -> bool:
    """Point ``out_dir/latest`` at ``run_id`` atomically. False if that is not possible.

    Also False, leaving it alone, when ``latest`` points to a pack that started after ``run_id``
    (two runs at once): ``latest`` ends on the newest complete pack whichever finishes last.
    """
    with _locked(out_dir):
        return _update_latest(out_dir, run_id)


def _update_latest(out_dir: Path, run_id: str) -> bool:
    link = out_dir / LATEST
    if link.exists() and not link.is_symlink():
        print(f"warning: {link} exists and is not a symlink; it was left alone", file=sys.stderr)
        return False
    if link.is_symlink():
        current = os.readlink(link)
        mine, theirs = run_order(run_id), run_order(Path(current).name)
        if mine and theirs and theirs > mine and (out_dir / current).is_dir():
            print(f"note: {link} still points to {current}, which started after {run_id}", file=sys.stderr)
            return False
    tmp = out_dir / f".{LATEST}-{run_id}.tmp"
    try:
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(run_id, tmp, target_is_directory=True)  # relative: the folder can be moved
        os.replace(tmp, link)
    except OSError as exc:  # e.g. a file system without symlinks
        print(f"warning: could not update {link}: {exc}", file=sys.stderr)
        if tmp.is_symlink():
            tmp.unlink()
        return False
    return True


__all__ = ["ABANDONED_WITHOUT_OWNER_S", "INCOMPLETE_PREFIX", "LATEST", "MANIFEST", "OWNER", "RUN_ID_PATTERN",
           "check_out_dir", "new_run_id", "remove_abandoned", "reserve", "run_order", "shown_path",
           "update_latest", "write_manifest", "writing_pack"]
