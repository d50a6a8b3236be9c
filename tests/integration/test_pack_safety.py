"""What a pack must never do: leak the machine or the person, touch the raw data, or name a private individual.

- Every file of a real pack (kernels, papermill, nbconvert), with a notebook that fails and one that
  succeeds, both printing the paths, names and a secret an error or a warning could carry: none of those
  appears in any file (the ``.ipynb``, both HTML pages, ``index.html``, ``manifest.json``, the stylesheet).
- The raw input files are opened read-only and left exactly as they were (sha256, size, mtime), for the tiny
  project's pack run and for the real ingest over the real project's data/raw.
- Supplier payments: no name the redaction rule marks as a private individual reaches the tables the market
  analysis notebook shows (``assemble.market_for_service`` → ``suppliers.prepare_payments``).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import socket
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from notebook_kit import make_notebook

import wcc_analysis
from wcc_analysis.core import paths
from wcc_analysis.core.config import load_config
from wcc_analysis.run import pack, planning, scrub
from wcc_analysis.run.planning import Council

WORCESTER = Council("E07000237", "Worcester", "SD")
PROBE_USER, PROBE_HOST = "wccprobeuser", "wccprobehost"
PROBE_TOKEN = "tok-5ecret-value-42"

# What a traceback or a warning may carry, printed on purpose (outputs of a cell, stderr and the error itself).
LEAKS = """\
import getpass, os, socket, sys, warnings
import pandas as pd
import wcc_analysis
print('project', os.environ['WCC_ANALYSIS_HOME'], os.getcwd())
print('python', sys.prefix, sys.executable, pd.__file__, wcc_analysis.__file__)
print('home', os.path.expanduser('~'), 'user', getpass.getuser(), 'host', os.environ['HOSTNAME'], socket.gethostname())
print('token', os.environ['WCC_PROBE_TOKEN'])
warnings.warn(f"{pd.__file__}: careful, {os.path.expanduser('~')}/x", FutureWarning)
"""


# Reads the raw files through the store (as the ingest does), under an audit hook that refuses any write.
READS_RAW = """\
import os, sys
import wcc_analysis
from pathlib import Path
import pandas as pd
from wcc_analysis.core import paths, store
RAW = str(paths.raw_public_dir().parent)
def _refuse_raw_writes(event, args):
    if event == 'open' and args and isinstance(args[0], str) and args[0].startswith(RAW):
        mode, flags = args[1], args[2] if len(args) > 2 else 0
        if (isinstance(mode, str) and set(mode) & set('wax+')) or (mode is None and flags & (os.O_WRONLY | os.O_RDWR)):
            raise PermissionError('raw file opened for writing: ' + args[0])
    elif event in ('os.remove', 'os.rename', 'os.truncate', 'os.utime', 'os.chmod') and args \\
            and isinstance(args[0], str) and args[0].startswith(RAW):
        raise PermissionError(event + ' on a raw file: ' + args[0])
sys.addaudithook(_refuse_raw_writes)
raw = paths.raw_public_dir() / 'x.csv'
table = store.cached_table('x', [raw], lambda: pd.read_csv(raw), builder_version='1')
budget = pd.read_csv(paths.raw_council_dir() / council / 'budget.csv')
print(table.to_dict('list'), len(budget))
"""


def _build(project, monkeypatch, tmp_path, failing: str, succeeding: str, **kwargs) -> pack.Pack:
    nbformat.write(make_notebook(succeeding, "wcc_analysis.record(spend_per_head_gbp=12.5)"),
                   project / "notebooks" / "needs_analysis.ipynb")
    nbformat.write(make_notebook(failing), project / "notebooks" / "broken.ipynb")
    config = load_config()
    plan = planning.plan(config, council=WORCESTER, services=["museums"])
    assert [ex.notebook for ex in plan] == ["needs_analysis", "broken"]
    return pack.build(config, plan, WORCESTER, out_dir=tmp_path / "packs", **kwargs)


def _path_pattern(path: str) -> re.Pattern:
    return re.compile(r"(?<![\w.\-])" + re.escape(path) + r"(?![\w\-]|\.\w)")


def _word_pattern(name: str, flags: int = 0) -> re.Pattern:
    return re.compile(r"(?<![\w<])" + re.escape(name) + r"(?![\w>])", flags)


def test_no_file_of_a_pack_failed_or_not_holds_a_path_a_name_or_a_secret(project, monkeypatch, tmp_path):
    monkeypatch.setenv("USER", PROBE_USER)
    monkeypatch.setenv("LOGNAME", PROBE_USER)
    monkeypatch.setenv("HOSTNAME", PROBE_HOST)
    monkeypatch.setenv("WCC_PROBE_TOKEN", PROBE_TOKEN)
    # fails inside pandas, with the project's absolute path in the message and a traceback through site-packages
    failing = LEAKS + "pd.read_csv(os.path.join(os.environ['WCC_ANALYSIS_HOME'], 'data', 'raw', 'missing.csv'))"
    built = _build(project, monkeypatch, tmp_path, failing, LEAKS, jobs=2)
    assert [r.status for r in built.results] == ["ok", "failed"]
    assert built.manifest["status"] == "failed"

    checkout = Path(wcc_analysis.__file__).resolve().parent.parent
    home = os.path.expanduser("~")
    needles = {  # what must not appear: name → pattern
        "project root": _path_pattern(str(project)),
        "project root (resolved)": _path_pattern(os.path.realpath(project)),
        "the clone": _path_pattern(str(checkout)),
        "sys.prefix": _path_pattern(sys.prefix),
        "site-packages": _path_pattern(str(Path(pd.__file__).parent.parent)),
        "home": _path_pattern(home),
        "user": _word_pattern(PROBE_USER),
        "host": _word_pattern(PROBE_HOST, re.I),
        "token": re.compile(re.escape(PROBE_TOKEN)),
    }
    real_user, real_host = getpass.getuser(), socket.gethostname()
    if scrub.is_replaceable_name(real_user):  # the documented rule: ≥ 3 characters, a letter, not generic
        needles["real user"] = _word_pattern(real_user)
    if scrub.is_replaceable_name(real_host):
        needles["real host"] = _word_pattern(real_host, re.I)

    files = sorted(p for p in built.path.rglob("*") if p.is_file())
    names = {p.relative_to(built.path).as_posix() for p in files}
    assert {"manifest.json", "index.html", "museums/broken.ipynb", "museums/broken.html", "museums/broken.code.html",
            "museums/needs_analysis.ipynb", "museums/needs_analysis.html"} <= names
    found = {
        (p.relative_to(built.path).as_posix(), what)
        for p in files
        for what, pattern in needles.items()
        if pattern.search(p.read_text(encoding="utf-8", errors="replace"))
    }
    assert not found

    # the outputs really carried them: each was replaced, in the failed notebook and the successful one
    for name in ("broken", "needs_analysis"):
        text = (built.path / "museums" / f"{name}.ipynb").read_text(encoding="utf-8")
        for token in ("<project>", "<python>/site-packages", "<user>", "<host>", "<env:WCC_PROBE_TOKEN>", " ~/x"):
            assert token in text, (name, token)
    nb = nbformat.read(built.path / "museums" / "broken.ipynb", as_version=4)
    (error,) = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert error.ename == "FileNotFoundError" and "<project>/data/raw/missing.csv" in error.evalue
    assert any("<python>/site-packages/pandas" in line for line in error.traceback)
    assert "<project>/data/raw/missing.csv" in built.manifest["executions"][1]["error"]["evalue"]
    # the code nbval would re-run is untouched
    assert [c.source for c in nb.cells if c.source.startswith('import getpass')] == [failing]


def _raw_state(root: Path) -> dict[str, tuple[str, int, int]]:
    return {p.relative_to(root).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size,
                                              p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_run_leaves_every_raw_file_as_it_was(project, monkeypatch, tmp_path):
    """The tiny project's pack run (raw files hashed for the manifest, read by the notebooks through the store,
    an audit hook in each kernel refusing any write) leaves data/raw identical: same sha256, size and mtime."""
    raw = project / "data" / "raw"
    before = _raw_state(raw)
    assert len(before) == 2
    built = _build(project, monkeypatch, tmp_path, READS_RAW + "raise ValueError('after reading')", READS_RAW,
                   jobs=2)
    assert [r.status for r in built.results] == ["ok", "failed"], built.results[0].error
    assert built.results[1].error["ename"] == "ValueError"  # not the hook's PermissionError
    assert set(built.manifest["inputs"]) == set(f"data/raw/{k}" for k in before)
    assert (project / "data" / "processed" / "x.parquet").is_file()  # the notebooks did read through the store
    assert _raw_state(raw) == before


_WATCHED: list[str] = []
_WRITES: list[tuple[str, str]] = []


def _audit(event: str, args: tuple) -> None:
    if not _WATCHED:
        return
    root = _WATCHED[0]
    target = args[0] if args else None
    if isinstance(target, Path):
        target = str(target)
    if not isinstance(target, str) or not os.path.abspath(target).startswith(root):
        return
    if event == "open":
        mode, flags = args[1], args[2] if len(args) > 2 else 0
        writes = (isinstance(mode, str) and bool(set(mode) & set("wax+"))) or (
            mode is None and isinstance(flags, int) and bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_TRUNC)))
        if writes:
            _WRITES.append((event, target))
    elif event in ("os.remove", "os.rename", "os.truncate", "os.utime", "os.chmod", "os.chown", "shutil.rmtree"):
        _WRITES.append((event, target))


_HOOKED: list[bool] = []


def test_the_real_ingest_opens_raw_files_read_only_and_changes_none(tmp_path, monkeypatch):
    """Every table built from the real project's data/raw (into a temporary data/processed), and both councils'
    own files and supplier payments read: no raw file is opened for writing, renamed, removed or touched."""
    from wcc_analysis import ingest

    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    paths.project_root.cache_clear()
    raw = paths.raw_public_dir().parent
    if not (raw / "council" / "E07000120").is_dir():
        pytest.skip("the real project's data/raw is not here")
    monkeypatch.setattr("wcc_analysis.core.paths.processed_dir", lambda: tmp_path)
    before = _raw_state(raw)
    if not _HOOKED:  # an audit hook cannot be removed: one per process, active only while _WATCHED is set
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    _WATCHED[:] = [str(raw.resolve())]
    _WRITES.clear()
    try:
        tables = ingest.build_all()
        for code in ("E07000120", "E07000237"):
            assert ingest.load_council_supplier_payments(code) is not None
            ingest.load_service_area_mapping(code)
    finally:
        _WATCHED.clear()
    assert len(tables) >= 10 and all(len(t) for t in tables.values())
    assert _WRITES == []
    assert _raw_state(raw) == before


# --------------------------------------------------------------------------- private individuals


def _norm(text: object) -> str:
    return " ".join(str(text).split()).casefold()


@pytest.fixture
def real_project(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    paths.project_root.cache_clear()
    from wcc_analysis.core import config as config_module

    config_module.load_config.cache_clear()
    if not (paths.raw_council_dir() / "E07000120" / "supplier_payments").is_dir():
        pytest.skip("the real project's supplier payments are not here")
    monkeypatch.setattr("wcc_analysis.core.paths.processed_dir", lambda: tmp_path)  # never the shared cache
    yield
    config_module.load_config.cache_clear()


@pytest.mark.parametrize("code", ["E07000120", "E07000237"])  # Hyndburn, Worcester
def test_no_private_individual_is_named_in_what_the_market_analysis_shows(real_project, code):
    from wcc_analysis import assemble, ingest
    from wcc_analysis.analysis import suppliers
    from wcc_analysis.core.vocabulary import INDIVIDUAL

    raw = ingest.load_council_supplier_payments(code)
    config = load_config()
    reports = [assemble.market_for_service(code, service, config) for service in config.services.values()]
    prepared = reports[0].prepared
    # The raw rows the rule marks as individuals: by their published spelling, and every row the pipeline
    # redacted (found by file and row), so a spelling merged into an individual's name counts too.
    by_spelling = raw["supplier_raw"].map(suppliers.classify_sector).eq(INDIVIDUAL)
    redacted = pd.concat([prepared.market, prepared.excluded])
    redacted = redacted[redacted["sector"].eq(INDIVIDUAL)][["source_file", "source_row"]]
    rows = raw.merge(redacted, on=["source_file", "source_row"], how="left", indicator=True)["_merge"].eq("both")
    names = {_norm(n) for n in raw.loc[by_spelling.to_numpy() | rows.to_numpy(), "supplier_raw"]} - {""}
    assert len(names) >= {"E07000120": 10, "E07000237": 2}[code]  # the test has individuals to look for
    assert prepared.counts["individual_suppliers_redacted"] >= len(names) // 2

    shown: list[pd.DataFrame] = [prepared.market, prepared.excluded, prepared.exclusions, prepared.variants,
                                 prepared.by_sector(), prepared.by_service(), prepared.capital_by_supplier(),
                                 prepared.revenue, prepared.capital]
    texts: list[str] = []
    for report in reports:
        if report.service_payments is not None:
            shown.append(report.service_payments)
        for value in vars(report.result).values():
            if isinstance(value, pd.DataFrame):
                shown.append(value)
            elif value is not None:
                texts.append(repr(value))
        texts.append(repr(report.headline()))
    cells = {_norm(v) for frame in shown for column in frame.columns
             if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])
             for v in frame[column].dropna().astype(str)}
    spellings = {_norm(part) for frame in shown if "spellings" in frame.columns
                 for v in frame["spellings"].dropna().astype(str) for part in v.split(";")}
    assert not (names & cells), f"{len(names & cells)} individuals' names in a table"
    assert not (names & spellings)
    text = _norm(" ".join(texts))
    assert not [n for n in names if re.search(r"(?<!\w)" + re.escape(n) + r"(?!\w)", text)]
    assert (prepared.market["supplier"].eq(suppliers.REDACTED) == prepared.market["sector"].eq(INDIVIDUAL)).all()
    assert prepared.market.loc[prepared.market["sector"].eq(INDIVIDUAL), "supplier_key"].str.match(
        r"individual-\d+$").all()
