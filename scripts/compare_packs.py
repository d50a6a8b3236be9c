"""Compare two evidence packs: headline figures, and (with --outputs) every text output of every report.

    python scripts/compare_packs.py reports/<before> reports/<after> [--outputs]

Exit 0 when the headline figures of every execution are identical (and, with
--outputs, every cell's text outputs too), 1 otherwise, listing each difference.
Used to show that a change which should not alter results (a refactor) did not.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

_CSS_CLASS = re.compile(r"wcc-[0-9a-f]{8}")
_STYLE = re.compile(r"<style>.*?</style>", re.S)


def _manifest(pack: Path) -> dict:
    return json.loads((pack / "manifest.json").read_text(encoding="utf-8"))


def _headlines(pack: Path) -> dict[str, dict]:
    return {f"{e['service']}/{e['notebook']}": e.get("headline", {}) for e in _manifest(pack)["executions"]}


def _text_outputs(notebook: Path, replacements: list[tuple[str, str]] = ()) -> list[str]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in ("text/html", "text/plain", "text/markdown"):
                if mime in data:
                    value = data[mime]
                    value = "".join(value) if isinstance(value, list) else value
                    value = _STYLE.sub("", _CSS_CLASS.sub("wcc-x", value))
                    for old, new in replacements:
                        value = value.replace(old, new)
                    texts.append(value)
                    break
            if output.get("output_type") == "stream":
                texts.append("".join(output.get("text", "")))
    return texts


def compare(before: Path, after: Path, outputs: bool, replacements: list[tuple[str, str]] = ()) -> list[str]:
    differences = []
    a, b = _headlines(before), _headlines(after)
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            differences.append(f"{key}: only in {'after' if key in b else 'before'}")
            continue
        for name in sorted(set(a[key]) | set(b[key])):
            if a[key].get(name) != b[key].get(name):
                differences.append(f"{key} headline {name}: {a[key].get(name)!r} -> {b[key].get(name)!r}")
        if outputs:
            ta = _text_outputs(before / f"{key}.ipynb", replacements)
            tb = _text_outputs(after / f"{key}.ipynb", replacements)
            if len(ta) != len(tb):
                differences.append(f"{key}: {len(ta)} text outputs before, {len(tb)} after")
            for i, (x, y) in enumerate(zip(ta, tb)):
                if x != y:
                    at = next((n for n, (c, d) in enumerate(zip(x, y)) if c != d), min(len(x), len(y)))
                    start = max(0, at - 80)
                    differences.append(f"{key} output {i}, from character {at}:\n  before: {x[start:at + 160]!r}"
                                       f"\n  after:  {y[start:at + 160]!r}")
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--outputs", action="store_true", help="also compare every cell's text outputs")
    parser.add_argument("--same", action="append", default=[], metavar="OLD=NEW",
                        help="treat text OLD in the before pack's outputs as NEW (a deliberate wording change); repeatable")
    args = parser.parse_args()
    replacements = [tuple(item.split("=", 1)) for item in args.same]
    differences = compare(args.before.resolve(), args.after.resolve(), args.outputs, replacements)
    for line in differences:
        print(line)
    n = len(_headlines(args.before.resolve()))
    print(f"{n} executions compared: {'identical' if not differences else f'{len(differences)} difference(s)'}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
