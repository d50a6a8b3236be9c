"""Zips of an evidence pack, one per service, that open without anything else when unzipped.

``wcc-analysis pack reports/<run-id>`` calls :func:`share_pack`, which writes, for
each chosen service, ``<pack>/zips/<council>-<service>-<run-id>.zip`` (council: the
council's name in lower case, e.g. ``worcester-museums-20250101T020000Z-E07000237.zip``).
Each zip holds one folder of the same name (without ``.zip``) with::

    README.txt                        what the zip holds, the run id, the council
    manifest.json                     the pack's manifest with only this service's executions
                                      (and only the data_currency entries they used)
    inputs.sha256                     sha256 of every raw input (``sha256sum -c`` from the project folder)
    <service>/<notebook>.html         the service's files as they sit in the pack: every output
    <service>/<notebook>.code.html    the manifest lists for its executions
    <service>/<notebook>.ipynb
    <any file the HTML links to>      e.g. a shared stylesheet ``pack.css`` or ``assets/…``
    index.html                        only when a report links to the pack's front page: a short
                                      page listing this zip's reports (the pack's own front page
                                      links to every service, which the zip does not hold)
    sources/data/raw/public/SOURCES.md             the sources register, and every PROVENANCE.md
    sources/data/raw/…/PROVENANCE.md               among the run's raw inputs (the project's copies)

The linked files are found by parsing each HTML file for ``href``/``src``/``srcset``
(and ``url(…)``/``@import`` in stylesheets and ``style``), following links from the
files found in turn, so that whatever a report links to under the pack folder
travels with it. A link to a file that is not in the pack, or outside the pack
folder, is reported (:attr:`ServiceZip.unresolved`), not followed.

A zip is written to a temporary file beside it and renamed into place, so a
reader never sees half a zip. Entries are sorted and dated with the run's finish
time: zipping the same pack again gives the same bytes.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from wcc_analysis.core import paths
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run.pack import INDEX
from wcc_analysis.run.pack_folders import MANIFEST

ZIPS_DIR = "zips"
README = "README.txt"
INPUTS = "inputs.sha256"
SOURCES_DIR = "sources"
#: Raw inputs that describe where the data came from: copied into every zip.
SOURCE_NOTES = ("SOURCES.md", "PROVENANCE.md")

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: used when the manifest has none


class ShareError(ParameterError):
    """The folder is not a pack, or a service is not in it. ``fix`` says what to do."""

    def __init__(self, problem: str, fix: str) -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem}. What to do: {fix}")


@dataclass
class ServiceZip:
    """One zip written: where, what it holds, and what could not be put in it."""

    service: str
    path: Path
    files: list[str]  # entries (files) inside the zip's folder, POSIX paths
    size: int  # bytes of the zip file
    unresolved: list[str] = field(default_factory=list)  # "<file>: <link>" the zip could not include
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the pack


def load_pack(pack_dir: str | Path) -> tuple[Path, dict[str, Any]]:
    """The pack's folder (resolved, e.g. through ``reports/latest``) and its manifest."""
    given = Path(pack_dir)
    if not given.is_dir():
        raise ShareError(
            f"{given} is not a folder",
            "give the folder of a pack, e.g. reports/latest or reports/<run-id> (made by 'wcc-analysis run')",
        )
    root = given.resolve()
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise ShareError(
            f"{given} is not an evidence pack: it has no {MANIFEST}",
            "give the folder of a pack, e.g. reports/latest or reports/<run-id> (made by 'wcc-analysis run')",
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ShareError(
            f"{manifest_path} cannot be read as a pack's manifest ({exc})",
            "make the pack again with 'wcc-analysis run'; a pack's files are never edited by hand",
        ) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("executions"), list):
        raise ShareError(
            f"{manifest_path} has no list of executions",
            "make the pack again with 'wcc-analysis run'; a pack's files are never edited by hand",
        )
    return root, manifest


def pack_services(manifest: dict[str, Any]) -> list[str]:
    """The services of a pack, in the order they ran."""
    return list(dict.fromkeys(str(e.get("service")) for e in manifest["executions"] if e.get("service")))


def zip_name(manifest: dict[str, Any], service: str) -> str:
    """``<council>-<service>-<run-id>``: the council's name as a slug (its code when it has no name)."""
    council = manifest.get("council") or {}
    label = council.get("name") or council.get("code") or "council"
    slug = re.sub(r"[^a-z0-9]+", "-", str(label).lower()).strip("-") or "council"
    return f"{slug}-{_safe(service)}-{_safe(manifest.get('run_id') or 'pack')}"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", str(text)).strip("-") or "x"


# --------------------------------------------------------------------------- links


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._in_style = True
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "poster", "data"):
                self.links.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.links += [part.strip().split()[0] for part in value.split(",") if part.strip()]
            elif name == "style":
                self.links += css_links(value)

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.links += css_links(data)


_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def css_links(text: str) -> list[str]:
    """Every ``url(…)`` and ``@import "…"`` in a stylesheet."""
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(text)]
    found += [next(g for g in m.groups() if g is not None) for m in _CSS_IMPORT.finditer(text)]
    return [f for f in found if f]


def html_links(text: str) -> list[str]:
    """Every ``href``, ``src``, ``srcset`` and stylesheet link in an HTML page, as written."""
    parser = _Links()
    parser.feed(text)
    parser.close()
    return parser.links


def local_path(link: str) -> str | None:
    """The file part of a relative link (unquoted, no query or fragment); None for any other link.

    Not local: a URL with a scheme (``https:``, ``data:``, ``mailto:``…), a network
    path (``//host/…``), an absolute path (``/…``) and a link within the page (``#…``).
    """
    link = html.unescape(link.strip())
    if not link or link.startswith(("#", "/", "\\")):
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return unquote(parts.path)


def _links_of(path: Path) -> list[str]:
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".css", ".svg"):
        return []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return css_links(text) if suffix == ".css" else html_links(text)


def linked_files(root: Path, start: Iterable[str]) -> tuple[set[str], bool, list[str]]:
    """Files under ``root`` reached from ``start`` by relative links, followed from file to file.

    Returns the files (POSIX paths relative to ``root``, ``start`` included), whether the
    pack's front page (``index.html``) is linked (it is not followed: it links to every
    service), and the links that could not be followed, as ``"<file>: <link> (why)"``.
    """
    found: set[str] = set()
    index_linked = False
    unresolved: list[str] = []
    queue = [s for s in start]
    while queue:
        rel = queue.pop()
        if rel in found:
            continue
        found.add(rel)
        for link in _links_of(root / rel):
            target = local_path(link)
            if target is None:
                continue
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            if joined == "." or joined.startswith("../") or joined == "..":
                unresolved.append(f"{rel}: {link} (outside the pack folder)")
                continue
            if joined == INDEX:
                index_linked = True
                continue
            if (root / joined).is_dir():
                continue  # a folder listing is not a file to carry
            if not (root / joined).is_file():
                unresolved.append(f"{rel}: {link} (not in the pack)")
                continue
            if joined not in found:
                queue.append(joined)
    return found, index_linked, sorted(set(unresolved))


# --------------------------------------------------------------------------- what goes in a zip


def service_manifest(manifest: dict[str, Any], service: str) -> dict[str, Any]:
    """The pack-level fields, with only ``service``'s executions and the data_currency entries they used."""
    executions = [e for e in manifest["executions"] if e.get("service") == service]
    keys = {f"{e.get('service')}/{e.get('notebook')}" for e in executions}
    currency = []
    for entry in manifest.get("data_currency") or []:
        if not isinstance(entry, dict):
            continue
        used_by = [u for u in entry.get("used_by") or [] if u in keys]
        if used_by:
            currency.append({**entry, "used_by": used_by})
    selection = dict(manifest.get("selection") or {})
    selection["services"] = [service]
    selection["notebooks"] = list(dict.fromkeys(str(e.get("notebook")) for e in executions))
    shared = {
        **{k: v for k, v in manifest.items() if k not in ("executions", "data_currency", "selection")},
        "status": "ok" if all(e.get("status") == "ok" for e in executions) else "failed",
        "extract": {"service": service, "of_run": manifest.get("run_id"), "run_status": manifest.get("status"),
                    "note": "this service's part of the pack: its executions only; status is theirs, "
                    "run_status the whole run's"},
        "selection": selection,
        "data_currency": currency,
        "executions": executions,
    }
    return shared


def _output_files(root: Path, executions: Sequence[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Every output the manifest lists for these executions that exists in the pack, and those missing."""
    present, missing = [], []
    for e in executions:
        for rel in (e.get("outputs") or {}).values():
            rel = posixpath.normpath(str(rel))
            if rel.startswith("../") or rel == "..":
                continue
            (present if (root / rel).is_file() else missing).append(rel)
    return list(dict.fromkeys(present)), list(dict.fromkeys(missing))


def source_notes(manifest: dict[str, Any], project: Path) -> tuple[dict[str, Path], list[str]]:
    """SOURCES.md and every PROVENANCE.md among the run's raw inputs, found in ``project``.

    Returns ``{path in the manifest: file}`` and warnings (a file gone, or changed since the run).
    """
    from wcc_analysis.core.store import sha256_file

    found: dict[str, Path] = {}
    warnings: list[str] = []
    for rel, digest in sorted((manifest.get("inputs") or {}).items()):
        if PurePosixPath(rel).name not in SOURCE_NOTES:
            continue
        file = project / rel
        if not file.is_file():
            warnings.append(f"{rel} is no longer in the project folder; it is not in the zip")
            continue
        if sha256_file(file) != digest:
            warnings.append(f"{rel} has changed since the run; the zip holds today's copy")
        found[rel] = file
    return found, warnings


def _finished(manifest: dict[str, Any]) -> tuple[int, int, int, int, int, int]:
    try:
        moment = datetime.fromisoformat(str(manifest.get("finished")).replace("Z", "+00:00"))
    except ValueError:
        return _FIXED_DATE
    if moment.year < 1980:
        return _FIXED_DATE
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def readme_text(manifest: dict[str, Any], service: str, files: Sequence[str],
                notes: Sequence[str], warnings: Sequence[str]) -> str:
    """README.txt: what the zip holds, the run, the council and how illustrative data is marked."""
    executions = [e for e in manifest["executions"] if e.get("service") == service]
    service_name = next((e.get("service_name") for e in executions if e.get("service_name")), service)
    council = manifest.get("council") or {}
    council_label = " ".join(str(x) for x in (council.get("name"), f"({council.get('code')})") if x)
    currency = service_manifest(manifest, service)["data_currency"]
    illustrative = sorted({str(d.get("source")) for d in currency if d.get("illustrative")})
    lines = [
        f"{service_name}: evidence pack extract",
        "=" * len(f"{service_name}: evidence pack extract"),
        "",
        f"Council:  {council_label}",
        f"Run id:   {manifest.get('run_id')}",
        f"Run:      {manifest.get('started')} to {manifest.get('finished')} (UTC), status of this service: "
        + ("all reports ran" if all(e.get("status") == "ok" for e in executions) else "SOME REPORTS FAILED"),
        f"Made by:  wcc-analysis {((manifest.get('package') or {}).get('version')) or ''}".rstrip(),
        "",
        "This folder is one service's part of the evidence pack. It opens on its own:",
        "no Python, Jupyter or network is needed. Open the .html files in a web browser.",
        "",
        "Reports:",
    ]
    for e in executions:
        outputs = e.get("outputs") or {}
        status = "" if e.get("status") == "ok" else f"  [{str(e.get('status')).upper()}: see manifest.json]"
        lines.append(f"  {e.get('notebook_title') or e.get('notebook')}{status}")
        for key, label in (("html", "report to read"), ("code_html", "report with its code"),
                           ("ipynb", "executed notebook (Jupyter)")):
            if outputs.get(key) in files:
                lines.append(f"    {outputs[key]:<44} {label}")
        for key, rel in outputs.items():
            if key not in ("html", "code_html", "ipynb") and rel in files:
                lines.append(f"    {rel:<44} {key}")
    lines += [
        "",
        "Also here:",
        f"  {MANIFEST:<46} the run's record: parameters, versions, git commit, sha256 of every raw",
        f"  {'':<46} input, each source's age; only this service's executions",
        f"  {INPUTS:<46} the same checksums; check them with 'sha256sum -c {INPUTS}'",
        f"  {'':<46} from the project folder the pack was made in",
    ]
    if INDEX in files:
        lines.append(f"  {INDEX:<46} a short page listing this folder's reports")
    others = [f for f in files if f not in (MANIFEST, INPUTS, INDEX, README) and not f.startswith(f"{service}/")
              and not f.startswith(f"{SOURCES_DIR}/")]
    for f in others:
        lines.append(f"  {f:<46} used by the reports (linked from their pages)")
    if notes:
        lines.append(f"  {SOURCES_DIR}/…{'':<37} where the data came from:")
        lines += [f"    {SOURCES_DIR}/{n}" for n in notes]
    lines += [
        "",
        "Illustrative data: figures that come from the council's clearly labelled illustrative",
        "sample files, not real council figures, are marked as illustrative in the reports",
        "(and \"illustrative\": true in manifest.json's data_currency).",
    ]
    if illustrative:
        lines.append("Illustrative sources used by this service's reports:")
        lines += [f"  - {s}" for s in illustrative]
    else:
        lines.append("This service's reports record no illustrative source.")
    if warnings:
        lines += ["", "Notes on this zip:"] + [f"  - {w}" for w in warnings]
    lines.append("")
    return "\n".join(lines)


def index_html(manifest: dict[str, Any], service: str, files: Sequence[str]) -> str:
    """A short front page for the zip: its reports and files (replaces the pack's, which links to every service)."""
    executions = [e for e in manifest["executions"] if e.get("service") == service]
    service_name = next((e.get("service_name") for e in executions if e.get("service_name")), service)
    council = (manifest.get("council") or {}).get("name") or (manifest.get("council") or {}).get("code") or ""
    esc = html.escape
    rows = []
    for e in executions:
        outputs = e.get("outputs") or {}
        links = [f'<a href="{esc(rel)}">{esc(label)}</a>'
                 for key, label in (("html", "report"), ("code_html", "with code"), ("ipynb", "notebook"))
                 if (rel := outputs.get(key)) in files]
        status = "" if e.get("status") == "ok" else f" <strong>({esc(str(e.get('status')))})</strong>"
        rows.append(f"<li>{esc(str(e.get('notebook_title') or e.get('notebook')))}{status}: {' · '.join(links)}</li>")
    title = f"{service_name} — {council} — evidence pack {manifest.get('run_id')}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{esc(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5}</style>\n</head>\n<body>\n"
        f"<h1>{esc(service_name)}</h1>\n<p>{esc(council)}, evidence pack {esc(str(manifest.get('run_id')))}: "
        "this service's reports only.</p>\n"
        f"<ul>\n{''.join(rows)}\n</ul>\n"
        f'<p><a href="{README}">What this folder holds ({README})</a> · '
        f'<a href="{MANIFEST}">The run\'s manifest</a></p>\n</body>\n</html>\n'
    )


# --------------------------------------------------------------------------- writing


def _entry(folder: str, rel: str, date_time: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_service_zip(root: Path, manifest: dict[str, Any], service: str, out_dir: Path,
                      project: Path) -> ServiceZip:
    """Write one service's zip into ``out_dir`` (atomically) and say what it holds."""
    executions = [e for e in manifest["executions"] if e.get("service") == service]
    outputs, missing = _output_files(root, executions)
    pack_files, index_linked, unresolved = linked_files(root, outputs)
    pack_files.discard(MANIFEST)  # the zip has its own
    notes, warnings = source_notes(manifest, project)
    warnings = [f"{rel} is listed in the manifest but is not in the pack" for rel in missing] + warnings
    name = zip_name(manifest, service)

    generated: dict[str, bytes] = {
        MANIFEST: (json.dumps(service_manifest(manifest, service), indent=2, ensure_ascii=False) + "\n").encode(),
        INPUTS: "".join(f"{digest}  {rel}\n" for rel, digest in sorted((manifest.get("inputs") or {}).items()))
        .encode(),
    }
    names = sorted({*pack_files, *generated, README, *(f"{SOURCES_DIR}/{n}" for n in notes),
                    *([INDEX] if index_linked else [])})
    if index_linked:
        generated[INDEX] = index_html(manifest, service, names).encode()
    generated[README] = readme_text(manifest, service, names, sorted(notes), warnings).encode()

    date_time = _finished(manifest)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.zip"
    handle, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".zip.tmp", dir=out_dir)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as zf:
            for rel in names:
                info = _entry(name, rel, date_time)
                if rel in generated:
                    zf.writestr(info, generated[rel])
                elif rel.startswith(f"{SOURCES_DIR}/"):
                    zf.writestr(info, notes[rel[len(SOURCES_DIR) + 1:]].read_bytes())
                else:
                    zf.writestr(info, (root / rel).read_bytes())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ServiceZip(service=service, path=target, files=names, size=target.stat().st_size,
                      unresolved=unresolved, warnings=warnings)


def share_pack(pack_dir: str | Path, services: Sequence[str] | None = None, *, out_dir: str | Path | None = None,
               project: str | Path | None = None) -> list[ServiceZip]:
    """One zip per service of the pack (``services``: default every service in it), in ``<pack>/zips/``.

    ``project``: the project folder whose ``data/raw`` holds the SOURCES.md and PROVENANCE.md
    files (default: this project). Every service is checked before any zip is written.
    """
    root, manifest = load_pack(pack_dir)
    available = pack_services(manifest)
    chosen = list(dict.fromkeys(services)) if services else available
    unknown = [s for s in chosen if s not in available]
    if unknown:
        listed = ", ".join(available) if available else "none"
        raise ShareError(
            f"service {', '.join(repr(s) for s in unknown)} is not in the pack {pack_dir} (its services: {listed})",
            "give one of the pack's services with --service, or leave --service out to zip every one",
        )
    if not chosen:
        raise ShareError(f"the pack {pack_dir} has no executions to zip",
                         "make a pack with 'wcc-analysis run' first")
    project_dir = Path(project) if project else paths.project_root()
    target = Path(out_dir) if out_dir else root / ZIPS_DIR
    return [write_service_zip(root, manifest, s, target, project_dir) for s in chosen]


__all__ = [
    "ServiceZip",
    "ShareError",
    "css_links",
    "html_links",
    "linked_files",
    "load_pack",
    "local_path",
    "pack_services",
    "readme_text",
    "service_manifest",
    "share_pack",
    "write_service_zip",
    "zip_name",
]
