"""``wcc-analysis data add PATH_OR_URL``: next year's published file into data/raw/public/, checked and recorded.

Steps (:func:`add`); nothing is half-written — any failure before the last step
leaves data/raw/public/ and the records as they were:

1. **fetch**: a local path is read where it is; an ``http(s)://`` address is downloaded
   with :mod:`urllib.request` into a temporary folder (timeout :data:`DEFAULT_TIMEOUT_S`
   seconds, at most :data:`MAX_BYTES`), named as the server names it
   (``Content-Disposition``) or as the address ends;
2. **recognise** the source by the file's content (:mod:`wcc_analysis.ingest.recognise`),
   with its year and edition; a file it does not know is refused, listing what it expected;
3. **already there?** a file with the same bytes anywhere in data/raw/public/ is "already
   present" (nothing is done; a file dropped into its folder by hand and not yet in the
   catalogue is checked and recorded where it is); a *different* file of the same name in
   the target folder is refused (say which and what to do);
4. **validate** with the source's own reader (its error names file, sheet, row and column);
   for RS and RSX the revenue outturn table is also built with the file beside the others;
5. **copy** the bytes unmodified into the source's folder under a hidden temporary name,
   check their sha256, rename into place;
6. **rebuild** the processed tables that read the file (``ingest.load``: the store rebuilds
   because the raw hashes changed); if that fails the copied file is removed again;
7. **record**: a line in data/raw/public/SOURCES.md under "Files added with
   ``wcc-analysis data add``" and a row in data/raw/public/catalogue.csv.
"""

from __future__ import annotations

import email.message
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from wcc_analysis import __version__
from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.store import sha256_file
from wcc_analysis.ingest.recognise import Recognised, Validated, recognise
from wcc_analysis.run import data_catalogue
from wcc_analysis.run.data_catalogue import HOW_DATA_ADD, TableCoverage

DEFAULT_TIMEOUT_S = 60.0
MAX_BYTES = 500 * 1024 * 1024
SOURCES_FILE = "SOURCES.md"
SOURCES_HEADING = "## Files added with `wcc-analysis data add`"
SOURCES_INTRO = ("One line per file, written by the command: date added, file (under data/raw/public/), source, "
                 "year and edition, sha256 and where it came from. Files are copied unmodified.")

STATUS_ADDED = "added"
STATUS_RECORDED = "recorded"  # already in its folder (dropped in by hand), now checked and recorded
STATUS_PRESENT = "already present"
STATUS_CHECKED = "checked"  # --dry-run


@dataclass
class AddResult:
    status: str
    file: str  # the file's name
    where: str  # where it came from (the address, or the local file)
    sha256: str
    size: int
    recognised: Recognised | None = None
    validated: Validated | None = None
    target: Path | None = None  # the file in data/raw/public/ (the existing one when already present)
    tables: list[TableCoverage] = field(default_factory=list)
    folder_readers: dict[str, list[str]] = field(default_factory=dict)  # no table reads it: who reads the folder

    @property
    def relative(self) -> str | None:
        return data_catalogue.relative(self.target) if self.target else None


# --------------------------------------------------------------------------- fetching


def is_url(text: str) -> bool:
    return urllib.parse.urlparse(text).scheme.lower() in ("http", "https")


def _name_from(response, url: str) -> str:
    header = response.headers.get("Content-Disposition") if hasattr(response, "headers") else None
    name = None
    if header:
        message = email.message.Message()
        message["Content-Disposition"] = header
        name = message.get_filename()
    if not name:
        name = urllib.parse.unquote(Path(urllib.parse.urlparse(url).path).name)
    name = Path(str(name).replace("\\", "/")).name.strip()
    if not name or name.startswith("."):
        raise InputDataError(url, "cannot tell the file's name from the address",
                             fix="download the file in a browser and run data add on the downloaded file")
    return name


def download(url: str, folder: Path, *, timeout: float = DEFAULT_TIMEOUT_S) -> Path:
    """Download ``url`` into ``folder`` (named as the server or the address names it); InputDataError on failure."""
    request = urllib.request.Request(url, headers={"User-Agent": f"wcc-analysis/{__version__} (data add)"})
    fix = "check the address (open it in a browser), or download the file yourself and run data add on it"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            target = folder / _name_from(response, response.geturl() or url)
            size = 0
            with open(target, "wb") as handle:
                while chunk := response.read(1 << 20):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise InputDataError(url, f"the download is larger than {MAX_BYTES // (1 << 20)} MB",
                                             fix="check this is the right file")
                    handle.write(chunk)
    except urllib.error.HTTPError as exc:
        raise InputDataError(url, f"download failed: HTTP {exc.code} {exc.reason}", fix=fix) from None
    except urllib.error.URLError as exc:
        reason = exc.reason if not isinstance(exc.reason, TimeoutError) else f"no answer within {timeout:g} s"
        raise InputDataError(url, f"download failed: {reason}", fix=fix + "; check the internet connection") from None
    except TimeoutError:
        raise InputDataError(url, f"download failed: no answer within {timeout:g} s",
                             fix=fix + "; or try again with a longer --timeout") from None
    except OSError as exc:
        raise InputDataError(url, f"download failed: {exc}", fix=fix) from None
    if size == 0:
        raise InputDataError(url, "download failed: the server sent an empty file", fix=fix)
    return target


def fetch(source: str, folder: Path, *, timeout: float = DEFAULT_TIMEOUT_S) -> tuple[Path, str]:
    """The file to add (downloaded into ``folder`` when ``source`` is an address) and where it came from."""
    if is_url(source):
        return download(source, folder, timeout=timeout), source
    if "://" in source:
        raise InputDataError(source, "data add downloads only http:// and https:// addresses",
                             fix="download the file yourself and give its path")
    path = Path(source).expanduser()
    if not path.is_file():
        raise InputDataError(source, "file not found" if not path.exists() else "not a file",
                             fix="give the path of the downloaded file, or its http(s) address")
    return path.resolve(), f"local file {path.resolve()}"


# --------------------------------------------------------------------------- copying and recording


def _copy_into(source: Path, target: Path, sha256: str) -> None:
    """Copy ``source`` to ``target`` via a hidden temporary name in the same folder; never overwrite."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".data-add", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, data_catalogue.readable_mode())  # mkstemp makes it private
        if sha256_file(tmp) != sha256:
            raise InputDataError(source.name, "the copy differs from the file (disk full?)",
                                 fix="free some space and run data add again")
        try:
            os.link(tmp, target)  # fails if the target appeared meanwhile: never overwrites
        except FileExistsError:
            raise InputDataError(target.name, "a file of this name appeared in the folder while adding",
                                 fix="run data add again") from None
        except OSError:  # no hard links on this file system
            if target.exists():
                raise InputDataError(target.name, "a file of this name appeared in the folder while adding",
                                     fix="run data add again") from None
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def sources_line(result: AddResult, today: date) -> str:
    rec = result.recognised
    what = f"{rec.source.label}; {rec.match.year}, {rec.match.edition}" if rec else "unrecognised"
    return (f"- {today.isoformat()}: `{result.relative}` — {what}; sha256 `{result.sha256}`; "
            f"{result.size:,} bytes; from {result.where}.")


def append_to_sources(line: str, sources: Path | None = None) -> None:
    """Add ``line`` at the end of SOURCES.md's "Files added with wcc-analysis data add" section (made if absent)."""
    sources = sources or paths.raw_public_dir() / SOURCES_FILE
    text = sources.read_text(encoding="utf-8") if sources.is_file() else ""
    lines = text.splitlines()
    if SOURCES_HEADING not in lines:
        with open(sources, "a", encoding="utf-8", newline="\n") as handle:
            gap = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
            handle.write(f"{gap}{SOURCES_HEADING}\n\n{SOURCES_INTRO}\n\n{line}\n")
        return
    start = lines.index(SOURCES_HEADING)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    if end == len(lines):  # the section is the last one: a plain append
        with open(sources, "a", encoding="utf-8", newline="\n") as handle:
            handle.write(("" if text.endswith("\n") else "\n") + line + "\n")
        return
    last = end
    while last > start + 1 and not lines[last - 1].strip():
        last -= 1
    lines[last:last] = [line]
    fd, tmp = tempfile.mkstemp(prefix=f".{sources.name}.", dir=sources.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("\n".join(lines) + "\n")
        os.chmod(tmp, data_catalogue.readable_mode())
        os.replace(tmp, sources)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _readers_of(path: Path) -> list[str]:
    readers, _ = data_catalogue.table_readers()
    return readers.get(data_catalogue.relative(path), [])


def _source_readers(recognised: Recognised, folder: Path) -> dict[str, list[str]]:
    """Table → the files it reads in ``folder``, for the tables built by the source's reader module (to say what
    reads the source when no table reads the new file)."""
    from wcc_analysis.ingest.tables import TABLES

    readers, _ = data_catalogue.table_readers()
    prefix = data_catalogue.relative(folder) + "/"
    out: dict[str, list[str]] = {}
    for rel, names in readers.items():
        for name in names:
            if rel.startswith(prefix) and getattr(TABLES[name].build, "__module__", "") == recognised.source.reader:
                out.setdefault(name, []).append(rel)
    return out


def rebuild(names: list[str], today: date, load: Callable | None = None) -> list[TableCoverage]:
    """Rebuild (``ingest.load``) each table; the reader's error propagates."""
    if load is None:
        from wcc_analysis import ingest

        load = ingest.load
    return [data_catalogue.coverage(name, load(name), today) for name in names]


# --------------------------------------------------------------------------- the command


def add(source: str, *, timeout: float = DEFAULT_TIMEOUT_S, dry_run: bool = False, today: date | None = None,
        progress: Callable[[str], None] | None = None) -> AddResult:
    """Add the file at ``source`` (a path or an http(s) address) to data/raw/public/; steps in the module docstring."""
    today = today or date.today()
    say = progress or (lambda line: None)
    with tempfile.TemporaryDirectory(prefix="wcc-data-add-") as work:
        if is_url(source):
            say(f"Downloading {source} …")
        local, where = fetch(source, Path(work), timeout=timeout)
        sha, size = sha256_file(local), local.stat().st_size
        result = AddResult(status=STATUS_CHECKED, file=local.name, where=where, sha256=sha, size=size)
        result.recognised = recognised = recognise(local)
        say(f"Recognised: {recognised.description} — {recognised.match.evidence}")
        target = recognised.source.target_dir() / local.name
        catalogue = data_catalogue.read_catalogue()

        if local.resolve() == target.resolve():  # run on a file already in its folder
            row = catalogue.get(data_catalogue.relative(target))
            if row is not None and row.sha256 != sha:
                raise InputDataError(
                    local.name, f"this file has changed since it was added on {row.added} (catalogue sha256 "
                    f"{row.sha256[:12]}…, now {sha[:12]}…)",
                    fix=f"restore it (git checkout -- data/raw/public/{row.path}); if it is a new release, save it "
                    "under a name of its own outside data/raw/public/ and run data add on that")
        same_bytes = [p for p in data_catalogue.data_files() if p.stat().st_size == size and sha256_file(p) == sha]
        in_place = target.is_file() and target.resolve() in [p.resolve() for p in same_bytes]
        if same_bytes and not (in_place and data_catalogue.relative(target) not in catalogue):
            result.status, result.target = STATUS_PRESENT, same_bytes[0]
            return result
        if target.exists() and not in_place:
            row = catalogue.get(data_catalogue.relative(target))
            when = f", added {row.added}" if row else ""
            raise InputDataError(
                local.name, f"a different file of this name is already in data/raw/public/{recognised.source.folder.as_posix()}/ "
                f"(sha256 {sha256_file(target)[:12]}…{when})",
                fix="if the new file replaces it (a revised release), move the old file out of data/raw/public/ and "
                "delete its row from data/raw/public/catalogue.csv, then run data add again; if both are needed, "
                "rename the new file")

        say(f"Validating with {recognised.source.reader} …")
        result.validated = v = recognised.source.validate(local)
        say(f"Valid: {v.rows:,} rows, {v.years}, {v.authorities:,} authorities.")
        result.target = target
        if dry_run:
            return result

        if not in_place:
            _copy_into(local, target, sha)
        try:
            names = _readers_of(target)
            if names:
                say(f"Rebuilding {', '.join(names)} …")
            result.tables = rebuild(names, today)
        except BaseException:
            if not in_place:
                target.unlink(missing_ok=True)  # nothing half-written: the tables rebuild from the old files
            raise
        if not names:
            result.folder_readers = _source_readers(recognised, target.parent)
        result.status = STATUS_RECORDED if in_place else STATUS_ADDED
        append_to_sources(sources_line(result, today))
        data_catalogue.add_row(data_catalogue.row_for(target, added=today.isoformat(), how=HOW_DATA_ADD, sha256=sha))
        return result
