"""MHCLG Revenue Outturn time series (JSON extracts) → RS net current expenditure source rows.

Two extracts of MHCLG's "Local authority revenue expenditure and financing England:
revenue outturn multi-year data set", each in its own folder of data/raw/public/:

**Time series v2.3** (``council_spending.json``, 2017-18 … 2023-24): a list of records
``{year_ending: 201803, ONS_code, LA_name, Education, Highways_Transport, …, Total}``
— the official CSV's ``RS_*_net_exp`` columns renamed (``Culture`` = Cultural and
related services, ``Total`` = Total service expenditure, …), **£ thousand**. A record
whose every block is null is a council that **did not submit** (missing, never £0);
a single null would be a figure not published. Records whose code is a class or
England aggregate (``E07``, ``EOTH``, ``P``, ``E92000001``, …) are dropped. One body
(Lee Valley Regional Park Authority) has its E-code (``E6803``) in ``ONS_code``: it
is read as the E-code. The extract has no E-code and no class: they are attached
when the sources are combined (``revenue_outturn``).

**Time series v3.1** (``uk_council_finance_YYYY_YY.json``, 2022-23 … 2024-25): per
council ``ons_code, lgf_code`` (the E-code), ``class``, ``status`` and
``services_net_gbp``, a mapping block → net current expenditure **in £ (not £
thousand): divided by 1,000 here**. Rules, as the files were built (values × 1000,
blocks equal to 0 omitted, see the folder's PROVENANCE.md):

- ``status == "submitted"``: each of the 13 service blocks is the published figure
  / 1000, and **a block absent from ``services_net_gbp`` is a published 0** (checked
  against the RSX 2024-25 workbook: every omitted block of every submitted council
  is 0 there, see tests/unit/ingest/test_outturn_sources.py);
- ``status == "not submitted"`` (a total of 0 and no blocks): every block is
  **missing** (status "missing: not submitted"), never £0;
- ``status == "total"``: class aggregates, dropped.

v3.1 publishes no "Total service expenditure" (its ``net_current_expenditure_gbp`` is
the RS *net current expenditure* line, a different, wider total) and no certification.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from wcc_analysis.core import paths
from wcc_analysis.core.errors import InputDataError
from wcc_analysis.core.text import blank_if_missing
from wcc_analysis.ingest.public.outturn_common import (
    ECODE_RE,
    ONS_RE,
    RELEASE_V23,
    RELEASE_V31,
    STATUS_NOT_PUBLISHED,
    STATUS_NOT_SUBMITTED,
    STATUS_PUBLISHED,
    TOTAL_BLOCK,
    canonical_block,
    is_placeholder,
    number,
    source_frame,
    unknown_block_error,
    year_label,
)

V23_SUBDIR = Path("mhclg_rs_timeseries_2017-18_to_2023-24_arcadesproject")
V23_FILE = "council_spending.json"
V31_SUBDIR = Path("mhclg_rs_2022-23_to_2024-25_json_germanbudgetgalaxy")
V31_PATTERN = "uk_council_finance_*.json"

SOURCE_V23 = "MHCLG Revenue Outturn time series v2.3"
SOURCE_V31 = "MHCLG Revenue Outturn time series v3.1"

#: v2.3 field → canonical block (the extract renamed the official RS_*_net_exp columns).
V23_BLOCKS = {
    "Education": "Education services", "Highways_Transport": "Highways and transport services",
    "Children_Social_Care": "Children Social Care", "Adult_Social_Care": "Adult Social Care",
    "Public_Health": "Public Health", "Housing": "Housing services (GFRA only)",
    "Culture": "Cultural and related services", "Environment": "Environmental and regulatory services",
    "Planning": "Planning and development services", "Police": "Police services",
    "Fire_Rescue": "Fire and rescue services", "Central_Services": "Central services",
    "Other": "Other services", "Total": TOTAL_BLOCK,
}
V23_KEYS = ("year_ending", "ONS_code", "LA_name")
#: v2.3 aggregate rows: England and the class totals.
V23_AGGREGATES = frozenset({"E92000001", "E06", "E07", "E08", "E09", "E10", "EOTH", "P", "FR", "NPA", "WA",
                            "GLA", "CA"})

#: v3.1 service name → canonical block.
V31_BLOCKS = {
    "Education": "Education services", "Highways & Transport": "Highways and transport services",
    "Children's Social Care": "Children Social Care", "Adult Social Care": "Adult Social Care",
    "Public Health": "Public Health", "Housing Services": "Housing services (GFRA only)",
    "Cultural & Related": "Cultural and related services",
    "Environmental & Regulatory": "Environmental and regulatory services",
    "Planning & Development": "Planning and development services", "Police": "Police services",
    "Fire & Rescue": "Fire and rescue services", "Central Services": "Central services",
    "Other Services": "Other services",
}
V31_CLASSES = {"Shire District": "SD", "Unitary Authority": "UA", "Met District": "MD", "London": "L",
               "Shire County": "SC", "Other": "O"}
V31_STATUSES = ("submitted", "not submitted", "total")
V31_KEYS = ("ons_code", "lgf_code", "name", "class", "status", "services_net_gbp")


def v23_path() -> Path:
    return paths.raw_public_dir() / V23_SUBDIR / V23_FILE


def v31_paths(directory: Path | None = None) -> list[Path]:
    directory = directory or paths.raw_public_dir() / V31_SUBDIR
    return sorted(directory.glob(V31_PATTERN))


def _load_json(path: Path) -> object:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise InputDataError(path, f"file not found in {paths.relative_to_root(path.parent)}",
                             fix="restore it from the source named in the folder's PROVENANCE.md") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputDataError(path, f"cannot read this JSON ({exc})",
                             fix="restore the file from the source named in the folder's PROVENANCE.md") from None


def _missing_field(file: str, record: int, field: str, sheet: str, found: object) -> InputDataError:
    shown = ", ".join(repr(k) for k in found) if isinstance(found, dict) else type(found).__name__
    return InputDataError(file, f"record {record} has no field {field!r} (fields found: {shown})",
                          row=record, column=field, sheet=sheet,
                          fix="restore the file from the source named in the folder's PROVENANCE.md")


def read_timeseries_v23(path: Path | None = None):
    """The v2.3 extract → source rows (£ thousand, as published); aggregates dropped."""
    path = Path(path) if path else v23_path()
    file, sheet = path.name, "records"
    data = _load_json(path)
    if not isinstance(data, list):
        raise InputDataError(file, f"expected a JSON list of records, found a {type(data).__name__}",
                             fix="restore the file from the source named in the folder's PROVENANCE.md")
    records = []
    for i, record in enumerate(data, start=1):
        for field in (*V23_KEYS, *V23_BLOCKS):
            if not isinstance(record, dict) or field not in record:
                raise _missing_field(file, i, field, sheet, record)
        unknown = [k for k in record if k not in V23_KEYS and k not in V23_BLOCKS]
        if unknown:
            raise unknown_block_error(file, unknown[0], row=i, column=unknown[0], sheet=sheet)
        code = blank_if_missing(record["ONS_code"])
        if code in V23_AGGREGATES:
            continue
        if ONS_RE.match(code):
            ecode, ons = None, code
        elif ECODE_RE.match(code):
            ecode, ons = code, None
        else:
            raise InputDataError(file, f"value {code!r} is neither an ONS code, an E-code nor a known aggregate "
                                 f"({', '.join(sorted(V23_AGGREGATES))})", row=i, column="ONS_code", sheet=sheet,
                                 fix="restore the file from the source named in the folder's PROVENANCE.md")
        ending = record["year_ending"]
        text = blank_if_missing(ending)
        if not re.fullmatch(r"20\d\d03", text):
            raise InputDataError(file, f"value {ending!r} is not a year ending YYYY03", row=i,
                                 column="year_ending", sheet=sheet,
                                 fix="restore the file from the source named in the folder's PROVENANCE.md")
        start = int(text[:4]) - 1
        values = {f: number(record[f], file=file, row=i, column=f, sheet=sheet) for f in V23_BLOCKS}
        none_submitted = all(is_placeholder(record[f]) for f in V23_BLOCKS)
        base = {
            "ecode": ecode, "ons_published": ons, "authority_name": blank_if_missing(record["LA_name"]),
            "authority_class": None, "year": year_label(start), "year_start": start,
            "total_expenditure_gbp_thousands": np.nan, "total_income_gbp_thousands": np.nan,
            "certified": None, "source": SOURCE_V23, "release": RELEASE_V23,
            "source_file": file, "source_sheet": sheet, "source_row": i,
        }
        for field, block in V23_BLOCKS.items():
            value = values[field]
            status = (STATUS_NOT_SUBMITTED if none_submitted
                      else STATUS_PUBLISHED if not np.isnan(value) else STATUS_NOT_PUBLISHED)
            records.append({**base, "rs_block": block, "net_expenditure_gbp_thousands": value, "status": status})
    return source_frame(records)


def read_timeseries_v31(path: Path):
    """One v3.1 year file → source rows, converted from £ to £ thousand; aggregates dropped."""
    path = Path(path)
    file, sheet = path.name, "councils"
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("councils"), list):
        raise InputDataError(file, "expected a JSON object with a 'councils' list",
                             fix="restore the file from the source named in the folder's PROVENANCE.md")
    unit = blank_if_missing(data.get("unit"))
    if unit != "GBP":
        raise InputDataError(file, f"unit is {unit!r}; this reader expects 'GBP' (pounds, converted to £ thousand)",
                             column="unit", fix="restore the file from the source named in the folder's PROVENANCE.md")
    label = blank_if_missing(data.get("fiscal_year_label"))
    match = re.fullmatch(r"(20\d\d)-(\d\d)", label)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise InputDataError(file, f"fiscal_year_label {label!r} is not a financial year 'YYYY-YY'",
                             column="fiscal_year_label",
                             fix="restore the file from the source named in the folder's PROVENANCE.md")
    start = int(match.group(1))
    records = []
    for i, council in enumerate(data["councils"], start=1):
        for field in V31_KEYS:
            if not isinstance(council, dict) or field not in council:
                raise _missing_field(file, i, field, sheet, council)
        status = blank_if_missing(council["status"])
        if status not in V31_STATUSES:
            raise InputDataError(file, f"value {status!r} must be one of {list(V31_STATUSES)}", row=i,
                                 column="status", sheet=sheet,
                                 fix="restore the file from the source named in the folder's PROVENANCE.md")
        if status == "total":
            continue
        ecode, ons = blank_if_missing(council["lgf_code"]), blank_if_missing(council["ons_code"])
        if not ECODE_RE.match(ecode):
            raise InputDataError(file, f"value {ecode!r} is not an E-code (E followed by 4 digits)", row=i,
                                 column="lgf_code", sheet=sheet,
                                 fix="restore the file from the source named in the folder's PROVENANCE.md")
        if not (ONS_RE.match(ons) or ons == ecode):
            raise InputDataError(file, f"value {ons!r} is not an ONS code", row=i, column="ons_code", sheet=sheet,
                                 fix="restore the file from the source named in the folder's PROVENANCE.md")
        klass = blank_if_missing(council["class"])
        if klass not in V31_CLASSES:
            raise InputDataError(file, f"value {klass!r} must be one of {list(V31_CLASSES)}", row=i,
                                 column="class", sheet=sheet,
                                 fix="restore the file from the source named in the folder's PROVENANCE.md")
        services = council["services_net_gbp"]
        if not isinstance(services, dict):
            raise InputDataError(file, "services_net_gbp is not a mapping of service → £", row=i,
                                 column="services_net_gbp", sheet=sheet,
                                 fix="restore the file from the source named in the folder's PROVENANCE.md")
        values = {}
        for name, value in services.items():
            block = canonical_block(name, V31_BLOCKS)
            if block is None or block == TOTAL_BLOCK:
                raise unknown_block_error(file, name, row=i, column=f"services_net_gbp.{name}", sheet=sheet)
            values[block] = number(value, file=file, row=i, column=f"services_net_gbp.{name}", sheet=sheet,
                                   what="net current expenditure in £") / 1000.0
        if status == "not submitted" and (values or council.get("net_current_expenditure_gbp") not in (0, None)):
            raise InputDataError(file, "a council marked 'not submitted' has figures", row=i, column="status",
                                 sheet=sheet, fix="restore the file from the source named in the folder's PROVENANCE.md")
        base = {
            "ecode": ecode, "ons_published": ons if ONS_RE.match(ons) else None,
            "authority_name": blank_if_missing(council["name"]), "authority_class": V31_CLASSES[klass],
            "year": year_label(start), "year_start": start,
            "total_expenditure_gbp_thousands": np.nan, "total_income_gbp_thousands": np.nan,
            "certified": None, "source": SOURCE_V31, "release": RELEASE_V31,
            "source_file": file, "source_sheet": sheet, "source_row": i,
        }
        for block in V31_BLOCKS.values():
            if status == "not submitted":
                value, row_status = np.nan, STATUS_NOT_SUBMITTED
            else:  # a block omitted for a submitted council is a published 0 (the file omits zeros)
                value = values.get(block, 0.0)
                row_status = STATUS_PUBLISHED if not np.isnan(value) else STATUS_NOT_PUBLISHED
            records.append({**base, "rs_block": block, "net_expenditure_gbp_thousands": value, "status": row_status})
    return source_frame(records)
