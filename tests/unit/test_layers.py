"""The package's layers: which layer may import which, analysis reads no files, notebooks use the public faces.

Layers: core at the bottom; ingest and analysis on core (neither imports the
other); assemble on core, ingest and analysis; display on core alone (it shows
what it is given); run on core and ingest (it knows no analysis). A forbidden
import — a plain or relative import, an attribute reached through
``import wcc_analysis``, or ``importlib.import_module`` — fails with the module,
the line and the rule it breaks.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wcc_analysis"
NOTEBOOKS = ROOT / "notebooks"

#: layer → the layers it may import (itself included). "package" is wcc_analysis/__init__.py.
ALLOWED: dict[str, set[str]] = {
    "package": {"core"},
    "core": {"core"},
    "ingest": {"core", "ingest"},
    "analysis": {"core", "analysis"},
    "assemble": {"core", "ingest", "analysis", "assemble"},
    "display": {"core", "display"},
    "run": {"core", "ingest", "run"},
}
#: What a notebook may import from: the public face of each layer it uses (never ingest or run).
NOTEBOOK_FACES = {"wcc_analysis", "wcc_analysis.core", "wcc_analysis.analysis", "wcc_analysis.assemble",
                  "wcc_analysis.display"}
#: Calls that read or write files: none may appear in the analysis layer.
FILE_CALLS = {"open", "read_csv", "read_excel", "read_parquet", "read_json", "read_table", "read_fwf", "read_text",
              "read_bytes", "write_text", "write_bytes", "to_csv", "to_parquet", "to_excel", "to_json", "savefig",
              "ExcelFile", "json.load", "tomllib.load", "pickle.load", "np.load", "np.loadtxt", "load_config",
              "cached_table"}
#: Core modules that read files: the analysis layer may not import them (it is handed what they read).
FILE_READING_CORE = {"wcc_analysis.core.paths", "wcc_analysis.core.store"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return "package" if len(parts) == 1 else parts[1]


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING`` exactly (not ``not TYPE_CHECKING``, not a longer expression)."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks (imports for type hints only, never run)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _dotted(node: ast.expr) -> str | None:
    """``wcc_analysis.ingest.load`` for an attribute chain on a name; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _layer_module(dotted: str) -> str | None:
    """The ``wcc_analysis.<layer>`` a dotted name reaches into, if it names one of the layers."""
    parts = dotted.split(".")
    if parts[0] == "wcc_analysis" and len(parts) > 1 and ((PACKAGE / parts[1]).is_dir() or (PACKAGE / f"{parts[1]}.py").is_file()):
        return f"wcc_analysis.{parts[1]}"
    return None


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, imported wcc_analysis module) for every import in the file, those inside functions included."""
    module = _name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hints = _type_checking_lines(tree)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in hints:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            # `from wcc_analysis import ingest` imports the layer ingest, not the package
            if base == "wcc_analysis":
                found += [(node.lineno, f"wcc_analysis.{a.name}") for a in node.names
                          if (PACKAGE / a.name).is_dir() or (PACKAGE / f"{a.name}.py").is_file()]
            else:
                found.append((node.lineno, base))
        elif isinstance(node, ast.Attribute) and (dotted := _dotted(node)) and (reached := _layer_module(dotted)):
            found.append((node.lineno, reached))  # `import wcc_analysis` then `wcc_analysis.ingest.load()`
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and (_dotted(node.func) or "").endswith("import_module"):
            found.append((node.lineno, node.args[0].value))  # importlib.import_module("wcc_analysis.ingest")
    found = [(line, name) for line, name in found if name == "wcc_analysis" or name.startswith("wcc_analysis.")]
    return list(dict.fromkeys(found))  # an attribute chain is walked once per link


def layer_violations() -> list[str]:
    problems = []
    for path in _modules():
        module = _name(path)
        mine = layer_of(module)
        for line, imported in imports_of(path):
            theirs = layer_of(imported)
            if theirs != "package" and theirs not in ALLOWED[mine]:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {imported} — the {mine} layer may import "
                                f"only {', '.join(sorted(ALLOWED[mine]))}")
    return problems


def test_every_module_belongs_to_a_layer():
    layers = {layer_of(_name(p)) for p in _modules()}
    assert layers <= set(ALLOWED), layers - set(ALLOWED)
    assert {p.name for p in PACKAGE.iterdir() if p.suffix == ".py"} == {"__init__.py"}, "no modules outside the layers"


def test_layers_import_only_what_they_may():
    assert layer_violations() == []


BAD_ANALYSIS_MODULE = """\
import importlib
from typing import TYPE_CHECKING

import wcc_analysis

if TYPE_CHECKING:
    from wcc_analysis.ingest import CouncilData  # a type hint only: allowed
if not TYPE_CHECKING:
    from wcc_analysis import display


def f():
    from wcc_analysis import ingest
    importlib.import_module("wcc_analysis.run")
    return wcc_analysis.assemble.needs_for_service
"""


def test_the_checker_catches_every_kind_of_forbidden_import(tmp_path, monkeypatch):
    """The rule test can fail: each way of reaching a higher layer is reported with its line."""
    fake = tmp_path / "wcc_analysis"
    for layer in ("analysis", "ingest", "display", "run", "assemble"):
        (fake / layer).mkdir(parents=True)
        (fake / layer / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "analysis" / "bad.py").write_text(BAD_ANALYSIS_MODULE)
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    rule = "the analysis layer may import only analysis, core"
    assert sorted(layer_violations()) == sorted([
        f"wcc_analysis/analysis/bad.py:9 imports wcc_analysis.display — {rule}",
        f"wcc_analysis/analysis/bad.py:13 imports wcc_analysis.ingest — {rule}",
        f"wcc_analysis/analysis/bad.py:14 imports wcc_analysis.run — {rule}",
        f"wcc_analysis/analysis/bad.py:15 imports wcc_analysis.assemble — {rule}",
    ])


def test_analysis_reads_and_writes_no_files():
    problems = []
    for path in _modules():
        if layer_of(_name(path)) != "analysis":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
                if name in FILE_CALLS or (_dotted(func) or "") in FILE_CALLS:
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {_dotted(func) or name}()")
            if isinstance(node, ast.ImportFrom) and node.module in FILE_READING_CORE | {"wcc_analysis.core"}:
                problems += [f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{a.name}" for a in node.names
                             if f"{node.module}.{a.name}" in FILE_READING_CORE or node.module in FILE_READING_CORE
                             or a.name in {"load_config"}]
            if isinstance(node, ast.ImportFrom) and node.module == "wcc_analysis.core.config":
                problems += [f"{path.relative_to(ROOT)}:{node.lineno} imports load_config" for a in node.names
                             if a.name == "load_config"]
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                problems += [f"{path.relative_to(ROOT)}:{node.lineno} imports {n}" for n in names
                             if n.split(".")[0] in {"os", "pathlib", "shutil", "glob"}]
    assert problems == []


def _notebook_code(path: Path) -> list[tuple[int, str]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebooks_use_only_the_public_faces(notebook):
    problems = []
    for index, source in _notebook_code(notebook):
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wcc_analysis"):
                if node.module not in NOTEBOOK_FACES:
                    problems.append(f"cell {index}: from {node.module} import … (use one of {sorted(NOTEBOOK_FACES)})")
                problems += [f"cell {index}: imports the private name {a.name}" for a in node.names
                             if a.name.startswith("_")]
                problems += [f"cell {index}: imports {a.name} from the package (notebooks never read ingest)"
                             for a in node.names if node.module == "wcc_analysis" and a.name in {"ingest", "run"}]
            elif isinstance(node, ast.Import):
                problems += [f"cell {index}: import {a.name}" for a in node.names if a.name.startswith("wcc_analysis")]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                problems.append(f"cell {index}: uses the private attribute .{node.attr}")
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                problems.append(f"cell {index}: defines {node.name} (logic belongs in the package, where tests reach it)")
            elif isinstance(node, ast.IfExp):
                problems.append(f"cell {index}: decides something ({ast.unparse(node)[:60]}): the package should")
            elif isinstance(node, ast.Compare) and any(
                    isinstance(c, ast.Constant) and isinstance(c.value, str) for c in [node.left, *node.comparators]):
                problems.append(f"cell {index}: compares with a literal ({ast.unparse(node)[:60]}): use the vocabulary "
                                "or a property of the result")
        if re.search(r"\bingest\.", source):
            problems.append(f"cell {index}: reaches into ingest")
    assert problems == []
