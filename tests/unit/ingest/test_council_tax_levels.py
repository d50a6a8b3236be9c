"""Council tax levels 2024-25 (MHCLG Tables 9 and 7, .ods as published): Band D, requirement, tax base."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wcc_analysis.core.errors import InputDataError
from wcc_analysis.ingest.public import council_tax_levels as ctl

WORCESTER, BROMSGROVE = "E07000237", "E07000234"
KNOWN = frozenset({WORCESTER, BROMSGROVE, "E07000238"})  # + Wychavon


@pytest.fixture(scope="module")
def levels() -> pd.DataFrame:
    return ctl.load_council_tax_levels()


def _row(levels: pd.DataFrame, code: str, year: str) -> pd.Series:
    row = levels[(levels["ons_code"] == code) & (levels["year"] == year)]
    assert len(row) == 1
    return row.iloc[0]


def test_shape(levels):
    assert list(levels.columns) == ctl.COLUMNS
    assert levels.groupby("year").size().to_dict() == {"2023-24": 296, "2024-25": 296}  # all billing authorities
    assert levels["ons_code"].nunique() == 296
    assert levels.groupby("authority_class")["ons_code"].nunique().to_dict() == {"L": 33, "MD": 36, "SD": 164,
                                                                                  "UA": 63}


def test_worcester(levels):
    # Table 7c / Table 9 (Data_Billing row 302). Band D, £ per Band D dwelling:
    now, before = _row(levels, WORCESTER, "2024-25"), _row(levels, WORCESTER, "2023-24")
    assert (now["band_d_excluding_parish_gbp"], now["band_d_including_parish_gbp"]) == (213.08, 217.98)
    assert (before["band_d_excluding_parish_gbp"], before["band_d_including_parish_gbp"]) == (206.89, 211.63)
    assert round(now["band_d_excluding_parish_gbp"] - before["band_d_excluding_parish_gbp"], 2) == 6.19  # 7c £ change
    # Table 9 line 3 (excluding parish precepts), published in £: 7,032,066 (2024-25), 6,817,853 (2023-24);
    # line 7 tax base (Band D equivalents): 33,002 and 32,954. Band D = requirement / tax base:
    # 7,032,066 / 33,002 = 213.0800 and 6,817,853 / 32,954 = 206.8900.
    assert now["council_tax_requirement_gbp_thousands"] == pytest.approx(7032.066, abs=1e-9)
    assert before["council_tax_requirement_gbp_thousands"] == pytest.approx(6817.853, abs=1e-9)
    assert (now["tax_base_band_d_equivalents"], before["tax_base_band_d_equivalents"]) == (33002, 32954)
    # Parish precepts (line 2): 161,760 and 156,231 — line 1 (7,193,826) = line 3 + line 2; 7,193,826 / 33,002 = 217.98
    assert now["parish_precepts_gbp_thousands"] == pytest.approx(161.760, abs=1e-9)
    assert before["parish_precepts_gbp_thousands"] == pytest.approx(156.231, abs=1e-9)
    assert (now["ecode"], now["authority_class"], now["source_row"]) == ("E1837", "SD", 302)


def test_bromsgrove_and_notional_band_d(levels):
    # Table 7c: Bromsgrove 2024-25 £250.00 excluding and £282.21 including parish precepts (+£7.26 on 2023-24).
    now, before = _row(levels, BROMSGROVE, "2024-25"), _row(levels, BROMSGROVE, "2023-24")
    assert (now["band_d_excluding_parish_gbp"], now["band_d_including_parish_gbp"]) == (250.00, 282.21)
    assert before["band_d_excluding_parish_gbp"] == 242.74  # 250.00 − 7.26
    assert (now["tax_base_band_d_equivalents"], before["tax_base_band_d_equivalents"]) == (37997.7, 37919.5)
    # [note g]: the previous year's Band D excluding parish precepts is a notional amount (Cumberland, N Yorkshire)
    flagged = levels.loc[levels["band_d_excluding_parish_notional"], ["authority_name", "year"]]
    assert flagged.values.tolist() == [["Cumberland", "2023-24"], ["North Yorkshire", "2023-24"]]


# --------------------------------------------------------------------------- small workbooks, bad inputs


def _sheet(path: Path, sheet: str) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=sheet, header=None, engine="calamine")


def _keep(frame: pd.DataFrame, ecodes: tuple[str, ...]) -> pd.DataFrame:
    header = next(i for i in range(len(frame)) if frame.iat[i, 0] == "E-code")
    rows = frame.iloc[header + 1:]
    return pd.concat([frame.iloc[:header + 1], rows[rows[0].isin(ecodes)]], ignore_index=True)


def _write(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def _table9(tmp_path: Path, edit=None, ecodes=("E1831", "E1837")) -> Path:
    """Title rows, header (row 5), Bromsgrove (row 6) and Worcester (row 7) of the real Data_Billing sheet, and its Notes."""
    real9 = ctl.default_paths()[0]
    data = _keep(_sheet(real9, "Data_Billing"), ecodes)
    if edit:
        data = edit(data)
    return _write(tmp_path / "table9.xlsx", {"Data_Billing": data, "Notes": _sheet(real9, "Notes")})


def _table7(tmp_path: Path, edit=None) -> Path:
    real7 = ctl.default_paths()[1]
    sheet = _keep(_sheet(real7, "Table_7c"), ("E1831", "E1837"))
    if edit:
        sheet = edit(sheet)
    return _write(tmp_path / "table7.xlsx", {"Table_7a": _keep(_sheet(real7, "Table_7a"), ()), "Table_7c": sheet})


def _column(frame: pd.DataFrame, start: str, which: int = 0) -> int:
    """The first (``which=0``) or last (``-1``: Table 9's current year) column whose header starts with ``start``."""
    header = next(i for i in range(len(frame)) if frame.iat[i, 0] == "E-code")
    return [j for j in range(frame.shape[1]) if str(frame.iat[header, j]).startswith(start)][which]


def _set(frame: pd.DataFrame, ecode: str, start: str, value, which: int = 0) -> pd.DataFrame:
    frame = frame.copy().astype(object)
    frame.loc[frame[0] == ecode, _column(frame, start, which)] = value
    return frame


def _load(table9: Path, table7: Path | None = None) -> pd.DataFrame:
    return ctl.load_council_tax_levels(table9, table7, check_table7_file=table7 is not None, known_codes=KNOWN)


def test_small_workbooks_cross_checked(tmp_path):
    table = _load(_table9(tmp_path), _table7(tmp_path))
    assert table["ons_code"].tolist() == [BROMSGROVE, BROMSGROVE, WORCESTER, WORCESTER]
    assert table["source_row"].tolist() == [6, 6, 7, 7]


def _error(table9: Path, table7: Path | None = None) -> InputDataError:
    with pytest.raises(InputDataError) as info:
        _load(table9, table7)
    return info.value


TAX_BASE_CURRENT = "7. Council tax base for council tax setting purposes\n\n\n\n\n\n\n(current year)"
BAND_D_EXCL_CURRENT = "9. Average (Band D 2 Adult equivalent) council tax \n(including Adult Social Care precept and " \
                      "excluding local precepts)\n\n\n(current year)"


def test_missing_header_row(tmp_path):
    error = _error(_table9(tmp_path, lambda f: f.drop(index=4).reset_index(drop=True)))
    assert (error.file, error.sheet, error.column) == ("table9.xlsx", "Data_Billing", "E-code")
    assert "no header row" in str(error)


def test_text_in_a_number_column(tmp_path):
    error = _error(_table9(tmp_path, lambda f: _set(f, "E1837", "7. Council tax base", "thirty-three thousand", -1)))
    assert (error.file, error.row) == ("table9.xlsx", 7)
    assert error.column == TAX_BASE_CURRENT.replace("\n", " ")
    assert "'thirty-three thousand' is not a number" in str(error)


def test_duplicate_authority(tmp_path):
    def twice(frame):
        return pd.concat([frame, frame.iloc[[-1]]], ignore_index=True)

    error = _error(_table9(tmp_path, twice))
    assert (error.row, error.column) == (8, "E-code") and "duplicate key (E-code='E1837')" in str(error)


def test_band_d_must_match_requirement_over_tax_base(tmp_path):
    # 213.80 × 33,002 = 7,055,827.6, not 7,032,066 (0.34 % off, tolerance 0.1 %)
    error = _error(_table9(tmp_path, lambda f: _set(f, "E1837", "9. Average", 213.80, -1)))
    assert (error.row, error.column) == (7, BAND_D_EXCL_CURRENT.replace("\n", " "))
    assert "213.80 is not the council tax requirement / tax base (213.08)" in str(error)


def test_negative_and_missing_column(tmp_path):
    error = _error(_table9(tmp_path, lambda f: _set(f, "E1837", "2. Parish precepts", -161760)))
    assert error.row == 7 and error.column.startswith("2. Parish precepts") and "at least 0" in str(error)
    error = _error(_table9(tmp_path, lambda f: f.drop(columns=[_column(f, "7. Council tax base")])))
    assert "missing column(s)" in str(error) and error.column == "7. ... (previous year)"


def test_table7_must_agree(tmp_path):
    table9 = _table9(tmp_path)
    wrong = _table7(tmp_path, lambda f: _set(f, "E1837", "Average council tax for the authority excluding parish "
                                             "precepts (Band D) \n\n£", 213.18))
    error = _error(table9, wrong)
    assert (error.file, error.sheet, error.row) == ("table7.xlsx", "Table_7c", 5)  # title, notes, header, Bromsgrove
    assert "Worcester: Band D for the current year is 213.18 here but 213.08 in table9.xlsx" in str(error)
    change = _table7(tmp_path, lambda f: _set(f, "E1837", "Average council tax for the authority excluding parish "
                                              "precepts (Band D) \n\n£ change", 6.29))
    assert "previous year (implied by the change) is 206.79 here but 206.89" in str(_error(table9, change))
    missing = _error(_table9(tmp_path, ecodes=("E1831", "E1837", "E1838")), _table7(tmp_path))
    assert "Wychavon (E1838, in table9.xlsx) is not in any Table 7 sheet" in str(missing)


def test_unreadable_workbook(tmp_path):
    path = tmp_path / "table9.ods"
    path.write_bytes(b"this is not a spreadsheet")
    error = _error(path)
    assert error.file == "table9.ods" and "cannot read this workbook" in str(error)
    with pytest.raises(InputDataError, match="file not found"):
        _load(tmp_path / "absent.ods")
