"""Property-based fuzzing of every importer through `load_file` (DESIGN §6).

Valid small files are mutated — truncated, bytes flipped, XML parts damaged inside the zip,
cells swapped, junk rows inserted — and each result must either import as a valid TradeFrame
or raise InputError. Any other exception (or a crash, or a hang caught by pytest-timeout)
fails the test. Examples are random but bounded (`max_examples`) to keep the
suite fast (FUZZ_EXAMPLES raises the bound); the Hypothesis database is off so nothing is
written into the checkout.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import json
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataweb_fixtures import LONG_ROWS, query_parameters, total_text, write_long_workbook
from hostile_fixtures import SHEET, dataweb_csv_rows, dataweb_xls_sheets, encode_csv, write_xls
from mineral_workbench.core.errors import InputError
from mineral_workbench.core.importing import load_file
from mineral_workbench.core.tradeframe import validate_tradeframe

#: examples per test; raise it for a longer campaign: FUZZ_EXAMPLES=2000 pytest tests/test_fuzz_importers.py
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
TIMEOUT = 60 * max(1, EXAMPLES // 60)          # seconds per test, scaled with EXAMPLES
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def load_or_refuse(data: bytes, name: str) -> None:
    """The property: a valid TradeFrame, or InputError; anything else propagates and fails."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            frame, _report = load_file(path)
        except InputError as error:
            assert error.problem and str(error).startswith(name), str(error)
            return
        validate_tradeframe(frame)


# --- mutations --------------------------------------------------------------------------------

@st.composite
def byte_mutations(draw, data: bytes) -> bytes:
    """Truncate, flip bytes or insert junk bytes somewhere in `data`."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert"]))
    if kind == "truncate":
        return data[:draw(st.integers(0, max(len(data) - 1, 0)))]
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if kind == "flip" and out:
            out[at] ^= draw(st.integers(1, 255))
        else:
            out[at:at] = draw(st.binary(min_size=1, max_size=16))
    return bytes(out)


@st.composite
def grid_mutations(draw, rows: list[list]) -> list[list]:
    """Swap cells and insert junk rows in a grid of cell values."""
    grid = [list(r) for r in rows]
    cells = [(r, c) for r, row in enumerate(grid) for c in range(len(row))]
    for _ in range(draw(st.integers(0, 4))):
        (r1, c1), (r2, c2) = draw(st.sampled_from(cells)), draw(st.sampled_from(cells))
        grid[r1][c1], grid[r2][c2] = grid[r2][c2], grid[r1][c1]
    printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
    junk_cell = st.one_of(st.none(), printable, st.integers(-10**12, 10**12),
                          st.floats(allow_nan=True, allow_infinity=True),
                          st.sampled_from(["Total: ", "Data Type", "China", "2023", "8105206000",
                                           "1,234.5", "-", "=1+1", "Customs Value"]))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(grid)))
        grid.insert(at, draw(st.lists(junk_cell, min_size=0, max_size=9)))
    return grid


# --- DataWeb .xlsx ------------------------------------------------------------------------------

@functools.cache
def xlsx_base() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return write_long_workbook(Path(folder) / "base.xlsx").read_bytes()


def rezip(base: bytes, part: str, edit) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in source.infolist():
            data = source.read(info.filename)
            dest.writestr(info.filename, edit(data) if info.filename == part else data)
    return out.getvalue()


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(data=st.data())
def test_mutated_xlsx_bytes_import_or_raise_input_error(data):
    load_or_refuse(data.draw(byte_mutations(xlsx_base())), "fuzz.xlsx")


XML_PARTS = [SHEET, "xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
             "[Content_Types].xml", "xl/styles.xml"]


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(part=st.sampled_from(XML_PARTS), data=st.data())
def test_damaged_xml_inside_the_zip_imports_or_raises_input_error(part, data):
    with zipfile.ZipFile(io.BytesIO(xlsx_base())) as archive:
        original = archive.read(part)
    mutated = data.draw(byte_mutations(original))
    load_or_refuse(rezip(xlsx_base(), part, lambda _: mutated), "fuzz.xlsx")


def _long_grid() -> list[list]:
    header = ["Data Type", "Country", "Year", "HTS Number", "Description", "Quantity Description",
              "Customs Value"]
    body = [["Customs Value", c, y, h, d, q, v] for c, y, h, d, q, v in LONG_ROWS]
    total = ["Total: ", None, None, None, None, None, total_text(sum(r[5] for r in LONG_ROWS))]
    return [header, *body, total]


def _workbook_bytes(grid: list[list]) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "Query Parameters"
    for label, value in query_parameters():
        book.active.append([label] if value is None else [label, value])
    sheet = book.create_sheet("Customs Value")
    for row in grid:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(data=st.data())
def test_swapped_cells_and_junk_rows_in_a_workbook(data):
    load_or_refuse(_workbook_bytes(data.draw(grid_mutations(_long_grid()))), "fuzz.xlsx")


# --- legacy .xls (each example runs the isolated reader: keep them few) ---------------------

@functools.cache
def xls_base() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return write_xls(Path(folder) / "base.xls", dataweb_xls_sheets()).read_bytes()


@pytest.mark.timeout(2 * TIMEOUT)
@settings(max_examples=max(6, EXAMPLES // 10), deadline=None, database=None)
@given(data=st.data())
def test_mutated_legacy_xls_imports_or_raises_input_error(data):
    """Flips inside the BIFF records (past the OLE header, sector table and directory), where
    calamine's .xls reader aborts, panics or loops in ~1% of cases: the isolated reader must
    turn every outcome into data or an InputError."""
    out = bytearray(xls_base())
    for _ in range(data.draw(st.integers(1, 8))):
        out[data.draw(st.integers(3 * 512, len(out) - 1))] ^= data.draw(st.integers(1, 255))
    load_or_refuse(bytes(out), "fuzz.xls")


# --- text formats ------------------------------------------------------------------------------

def _csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    return encode_csv([["" if v is None else str(v) for v in row] for row in rows], encoding)


def _text_bases() -> dict[str, tuple[list[list], str, str]]:
    """name -> (grid, encoding, file name) of each small valid text export we can build."""
    bases = {"dataweb_csv": (dataweb_csv_rows(), "utf-8", "fuzz.csv"),
             "dataweb_csv_utf16": (dataweb_csv_rows(), "utf-16", "fuzz.txt")}
    try:
        import text_fixtures  # noqa: PLC0415 - written by the text importers' tests
    except ImportError:
        return bases
    bases["census_csv"] = (text_fixtures.census_rows(), "cp1252", "fuzz.csv")
    header, rows = text_fixtures.api_rows()
    bases["census_json"] = ([header, *rows], "json", "fuzz.json")
    return bases


TEXT_BASES = _text_bases()


def _encode(grid: list[list], encoding: str) -> bytes:
    if encoding == "json":
        return json.dumps([["" if v is None else str(v) for v in row] for row in grid]).encode()
    return _csv_bytes(grid, encoding)


@pytest.mark.timeout(TIMEOUT)
@FUZZ
@given(name=st.sampled_from(sorted(TEXT_BASES)), data=st.data())
def test_mutated_text_exports_import_or_raise_input_error(name, data):
    grid, encoding, file_name = TEXT_BASES[name]
    if data.draw(st.booleans()):
        content = _encode(data.draw(grid_mutations(grid)), encoding)
    else:
        content = data.draw(byte_mutations(_encode(grid, encoding)))
    load_or_refuse(content, file_name)


def test_the_unmutated_bases_import():
    """The fuzz bases themselves are valid, so mutations start from real imports."""
    load_or_refuse(xlsx_base(), "base.xlsx")
    for grid, encoding, file_name in TEXT_BASES.values():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / file_name
            path.write_bytes(_encode(grid, encoding))
            frame, _report = load_file(path)
            assert len(frame) > 0


def test_csv_helper_round_trips():
    rows = [["a", "b,c"], ["1", ""]]
    assert list(csv.reader(io.StringIO(_csv_bytes(rows).decode()))) == rows
