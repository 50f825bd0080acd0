"""Untrusted input (DESIGN §6): every hostile or odd file ends in a clear InputError naming
file (and sheet and row where they exist) and problem, or in a correct import — never a crash,
a hang or another exception type. Fixtures are built per test (hostile_fixtures.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dataweb_fixtures import LONG_ROWS, write_long_workbook
from hostile_fixtures import (DATAWEB_CSV_TOTAL, LAUGHS, SHEET, XXE, add_cells, add_member,
                              big_long_workbook, biff8_workbook, cfb_bytes, corrupt_central_directory,
                              dataweb_csv_rows, dataweb_xls_sheets, declared_size_bomb,
                              encode_csv, lying_size_bomb, patch_declared_size, rewrite_parts,
                              set_dimension, shared_strings_xml, with_dtd, with_macros,
                              with_shared_strings, write_encrypted_workbook, write_xls)
from mineral_workbench.core.errors import InputError
from mineral_workbench.core.importing import legacy_ole, load_file, safety, xlsx_guard
from mineral_workbench.core.tradeframe import validate_tradeframe

LONG_TOTAL = sum(r[5] for r in LONG_ROWS)
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def good(tmp_path) -> Path:
    return write_long_workbook(tmp_path / "good.xlsx")


def refused(path: Path) -> InputError:
    """load_file must raise InputError (and nothing else) whose message names the file."""
    with pytest.raises(InputError) as caught:
        load_file(path)
    assert str(caught.value).startswith(path.name + ":"), str(caught.value)
    return caught.value


def imported(path: Path):
    frame, report = load_file(path)
    validate_tradeframe(frame)
    return frame, report


def customs_total(frame) -> float:
    return float(frame.loc[frame["measure"] == "customs_value", "value"].sum())


# --- zip bombs -----------------------------------------------------------------------------------

def test_declared_size_bomb_is_refused_from_the_central_directory(good, tmp_path):
    path = declared_size_bomb(good, tmp_path / "declared.xlsx", declared=3 * 1024**3)
    start = time.perf_counter()
    error = refused(path)
    assert "would inflate to 3.0 GB" in error.problem
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("part", [SHEET, "xl/sharedStrings.xml"])
def test_part_inflating_past_its_declared_size_is_stopped_at_the_declared_size(good, tmp_path, part):
    source = with_shared_strings(good, tmp_path / "sst.xlsx", shared_strings_xml("China"))
    pad = lambda data: data.replace(b"<si>", b"<si>" + b" " * (48 * 1024**2), 1)  # noqa: E731
    if part == SHEET:
        path = lying_size_bomb(source, tmp_path / "bomb.xlsx", inflated=48 * 1024**2)
    else:
        path = patch_declared_size(rewrite_parts(source, tmp_path / "bomb.xlsx", {part: pad}), part, 2048)
    assert zipfile.ZipFile(path).getinfo(part).file_size < 5000   # the lie is in place
    start = time.perf_counter()
    error = refused(path)
    assert f"part {part} inflates beyond its declared size" in error.problem
    assert "zip bomb" in error.problem
    assert time.perf_counter() - start < 2.0        # stopped early, not inflated to the end


def test_part_shorter_than_declared_is_a_damaged_file(good, tmp_path):
    path = patch_declared_size(rewrite_parts(good, tmp_path / "short.xlsx", {}), SHEET, 10**6)
    error = refused(path)
    assert "corrupt .xlsx" in error.problem and "not the declared 1,000,000" in error.problem


def test_guard_is_fast_on_a_normal_workbook(tmp_path):
    """Every part is inflated and every cell tag scanned: that must stay well below the cost
    of calamine's own read of the same sheet (measured ~25% here; 1,048,575 rows: see README)."""
    import fastexcel  # noqa: PLC0415
    path = big_long_workbook(tmp_path / "big.xlsx", 50_000)             # ~20 MB of sheet XML
    guard = read = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        check = xlsx_guard.check_xlsx_container(path)
        guard = min(guard, time.perf_counter() - start)
        start = time.perf_counter()
        fastexcel.read_excel(path).load_sheet("Customs Value", header_row=None, dtypes="string")
        read = min(read, time.perf_counter() - start)
    assert check.kind == "xlsx" and check.warnings == []
    assert guard < 0.8 * read, (guard, read)


# --- XML entities --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtd,entity", [(LAUGHS, b"&lol9;"), (XXE, b"&xxe;")], ids=["laughs", "xxe"])
@pytest.mark.parametrize("part", [SHEET, "xl/sharedStrings.xml"])
def test_entity_expansion_and_external_entities_are_refused(good, tmp_path, dtd, entity, part):
    source = with_shared_strings(good, tmp_path / "sst.xlsx", shared_strings_xml("China"))
    path = with_dtd(source, tmp_path / "dtd.xlsx", part, dtd, entity)
    error = refused(path)
    assert f"part {part} declares a DTD" in error.problem


def test_dtd_hidden_behind_comments_or_a_long_prolog_is_refused(good, tmp_path):
    comment = b"<!-- <a> looks like an element -->"
    path = with_dtd(good, tmp_path / "comment.xlsx", SHEET, comment + LAUGHS, b"&lol9;")
    assert "declares a DTD" in refused(path).problem
    padded = rewrite_parts(good, tmp_path / "padded.xlsx",
                           {SHEET: lambda data: b"<!--" + b" " * 70_000 + b"-->" + data})
    assert "no XML element in its first 64 KB" in refused(padded).problem


def test_cell_references_hidden_in_entities_or_odd_attributes_are_still_placed(good, tmp_path):
    """`r="&#88;FD1048576"` is XFD1048576 to an XML reader, and `>` may sit inside a quoted
    attribute: the exact scan must see through both."""
    xml = ('<row r="1048576"><c t="n" note="a > b" r="&#88;FD1048576"><v>1</v></c></row>')
    assert "the cells span A1:XFD1048576" in refused(add_cells(good, tmp_path / "ent.xlsx", xml)).problem


def test_calamine_itself_never_expands_entities(good, tmp_path):
    """Documented behaviour beneath our guard: calamine refuses unknown entities (no
    expansion, no file read) and openpyxl with defusedxml raises too."""
    import fastexcel  # noqa: PLC0415
    path = with_dtd(good, tmp_path / "dtd.xlsx", SHEET, XXE, b"&xxe;")
    with pytest.raises(Exception, match="entity"):
        fastexcel.read_excel(path).load_sheet("Customs Value", header_row=None)
    with pytest.raises(Exception):  # noqa: B017 - openpyxl wraps defusedxml's refusal
        openpyxl.load_workbook(path)
    assert xlsx_guard.peek_rows(path, SHEET) == []       # the sniffing peek refuses DTDs too


# --- encrypted workbooks -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["locked.xlsx", "locked.xls", "locked.csv"])
def test_password_protected_workbook_says_so(tmp_path, name):
    path = write_encrypted_workbook(tmp_path / name)
    error = refused(path)
    assert error.problem == ("the workbook is password-protected (encrypted); open it in Excel "
                             "and save it without a password")


def test_encrypted_legacy_xls_says_so(tmp_path):
    stream = biff8_workbook({"Customs Value": [["Data Type"]]})
    filepass = b"\x2f\x00\x06\x00" + b"\x00" * 6           # FILEPASS right after the BOF
    bof_end = 4 + 16
    path = tmp_path / "locked.xls"
    path.write_bytes(cfb_bytes({"Workbook": stream[:bof_end] + filepass + stream[bof_end:]}))
    assert "password-protected" in refused(path).problem


def test_zip_with_encrypted_parts_is_refused(good, tmp_path):
    raw = bytearray(good.read_bytes())
    at = raw.find(b"PK\x01\x02")
    raw[at + 8] |= 0x1                                     # general purpose flag: encrypted
    path = tmp_path / "zipcrypto.xlsx"
    path.write_bytes(bytes(raw))
    assert "parts are encrypted" in refused(path).problem


# --- macros ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["macros.xlsm", "renamed.xlsx"])
def test_macro_enabled_workbook_is_read_and_macros_never_run(good, tmp_path, name):
    path = with_macros(good, tmp_path / name)
    assert "xl/vbaProject.bin" in zipfile.ZipFile(path).namelist()
    frame, report = imported(path)
    assert customs_total(frame) == pytest.approx(LONG_TOTAL)
    assert report.checksum.ok
    assert "the workbook contains macros (vbaProject.bin); macros were not run" in report.warnings


# --- wrong extensions ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["export.csv", "export.xls", "export.txt", "export"])
def test_xlsx_under_another_name_is_read_by_content(good, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(good.read_bytes())
    frame, report = imported(path)
    assert report.format == "dataweb_xlsx" and customs_total(frame) == pytest.approx(LONG_TOTAL)


def test_csv_text_named_xlsx_is_read_as_csv(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(encode_csv(dataweb_csv_rows(), "utf-8"))
    frame, report = imported(path)
    assert report.format == "dataweb_csv" and frame["value"].sum() == pytest.approx(DATAWEB_CSV_TOTAL)


def test_unrecognised_zip_says_what_it_is_not(tmp_path):
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("image.png", b"\x89PNG")
    assert "not an Excel workbook" in refused(path).problem
    xlsb = tmp_path / "binary.xlsb"
    with zipfile.ZipFile(xlsb, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\0")
    assert "(.xlsb)" in refused(xlsb).problem


# --- legacy .xls --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["export.xls", "export.xlsx"])
def test_dataweb_like_legacy_xls_is_read_in_an_isolated_process(tmp_path, name):
    path = write_xls(tmp_path / name, dataweb_xls_sheets())
    frame, report = imported(path)
    assert report.format == "dataweb_xlsx" and report.sheets == ["Query Parameters", "Customs Value"]
    assert customs_total(frame) == pytest.approx(LONG_TOTAL) and report.checksum.ok
    assert sorted(frame["hts"].unique()) == sorted({r[2] for r in LONG_ROWS})
    assert legacy_ole.LEGACY_NOTE in report.warnings


def test_other_legacy_xls_gets_a_clear_message(tmp_path):
    path = write_xls(tmp_path / "budget.xls", {"Sheet1": [["Item", "Amount"], ["Pens", 3.5]]})
    error = refused(path)
    assert "no measure sheet" in error.problem and "Sheet1" in error.problem


def test_legacy_reader_crash_or_hang_becomes_an_input_error(tmp_path, monkeypatch):
    path = write_xls(tmp_path / "export.xls", dataweb_xls_sheets())
    monkeypatch.setattr(legacy_ole, "_WORKER", "import os; os.abort()")
    assert "its reader stopped" in refused(path).problem
    monkeypatch.setattr(legacy_ole, "_WORKER", "import time; time.sleep(30)")
    monkeypatch.setattr(legacy_ole, "LEGACY_TIMEOUT_S", 1.0)
    start = time.perf_counter()
    assert "did not finish within 1 s" in refused(path).problem
    assert time.perf_counter() - start < 10


def test_bundle_worker_entry_runs_the_same_child_program(tmp_path, capsysbinary):
    """A bundled app has no `python -c`; its entry point hands `--legacy-xls-worker FILE`
    to `worker_main`, which must answer exactly like the child program."""
    import pickle  # noqa: PLC0415
    path = write_xls(tmp_path / "export.xls", dataweb_xls_sheets())
    assert legacy_ole.worker_main(["app", legacy_ole.WORKER_FLAG, str(path)]) == 0
    status, sheets = pickle.loads(capsysbinary.readouterr().out)
    assert status == "ok" and list(sheets) == ["Query Parameters", "Customs Value"]


def test_damaged_ole_structures_are_named(tmp_path):
    looped = bytearray(cfb_bytes({"Workbook": biff8_workbook({"Customs Value": [["Data Type"]]})}))
    fat_at = 512
    first_dir = int.from_bytes(looped[48:52], "little")
    looped[fat_at + 4 * first_dir:fat_at + 4 * first_dir + 4] = first_dir.to_bytes(4, "little")
    path = tmp_path / "looped.xls"
    path.write_bytes(bytes(looped))
    assert "damaged (a sector chain loops" in refused(path).problem
    word = tmp_path / "memo.xls"
    word.write_bytes(cfb_bytes({"WordDocument": b"\xec\xa5" + b"\0" * 100}))
    assert "not an Excel workbook" in refused(word).problem


# --- encodings (DataWeb CSV) --------------------------------------------------------------------

@pytest.mark.parametrize("encoding,suffix", [("utf-8", ".csv"), ("utf-8-sig", ".csv"),
                                             ("utf-16", ".txt"), ("cp1252", ".csv")])
def test_csv_encodings_read_the_same_numbers_and_names(tmp_path, encoding, suffix):
    path = tmp_path / f"dataweb_{encoding}{suffix}"
    path.write_bytes(encode_csv(dataweb_csv_rows(), encoding))
    frame, report = imported(path)
    assert report.format == "dataweb_csv"
    assert frame["value"].sum() == pytest.approx(DATAWEB_CSV_TOTAL) and report.checksum.ok
    assert set(frame["partner_code"]) == {"AUS", "CIV"}               # Côte d'Ivoire decoded
    assert report.encoding.replace("-le", "") in {encoding, "utf-16"}
    if encoding == "cp1252":
        assert any("Windows-1252" in w for w in report.warnings)


# --- empty files and sheets ---------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"   \r\n\t \n"], ids=["zero-bytes", "whitespace"])
@pytest.mark.parametrize("name", ["empty.xlsx", "empty.csv", "empty.xls"])
def test_empty_files(tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    assert refused(path).problem == "the file is empty"


def test_workbook_with_only_query_parameters(tmp_path):
    path = write_long_workbook(tmp_path / "params.xlsx", sheets={})
    error = refused(path)
    assert "no measure sheet" in error.problem and "Query Parameters" in error.problem


def test_empty_measure_sheet_names_the_sheet(tmp_path):
    path = write_long_workbook(tmp_path / "blank.xlsx", sheets={})
    book = openpyxl.load_workbook(path)
    book.create_sheet("Customs Value")
    book.save(path)
    error = refused(path)
    assert error.sheet == "Customs Value" and "empty" in error.problem


# --- declared dimension and cell extent ----------------------------------------------------------

def test_dimension_declared_too_small_is_read_fully(good, tmp_path):
    path = set_dimension(good, tmp_path / "a1.xlsx", "A1")
    frame, report = imported(path)
    assert len(frame) == len(LONG_ROWS) and report.checksum.ok


def test_million_row_dimension_with_few_cells_is_read_quickly_without_allocating_it(good, tmp_path):
    """The declared `A1:G1048576` must not make anyone allocate a million rows: a child
    process compares its peak memory after reading the plain and the inflated-dimension file."""
    huge = set_dimension(good, tmp_path / "huge.xlsx", "A1:G1048576")
    script = (
        "import json, resource, sys, time\n"
        "from mineral_workbench.core.importing import load_file\n"
        "load_file(sys.argv[1])\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "start = time.perf_counter(); frame, report = load_file(sys.argv[2])\n"
        "print(json.dumps({'seconds': time.perf_counter() - start, 'rows': len(frame),\n"
        "  'grew_mb': (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))\n")
    src = Path(__file__).resolve().parents[1] / "src"
    done = subprocess.run([sys.executable, "-c", script, str(good), str(huge)], capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(src), "PATH": ""})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["rows"] == len(LONG_ROWS)
    assert result["seconds"] < 2.0
    assert result["grew_mb"] < 30            # a 1,048,576 x 7 grid would be ~235 MB


@pytest.mark.parametrize("xml,span", [
    ('<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>', "A1:XFD1048576"),
    ('<x:row r="9" xmlns:x="urn:x"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>', "A1:XFD1048576"),
    ('<row r="4000000000"><c r="A4000000000"><v>1</v></c></row>', "A1:G4000000000"),
    ('<row r="3">' + '<c t="n"><v>1</v></c>' * 20_000 + '</row>'
     + '<row/>' * 2_000 + '<row><c><v>1</v></c></row>', "A1:ACOF2004"),
], ids=["far-corner", "prefixed", "absurd-row", "cells-without-r"])
def test_stray_far_cells_are_refused_before_calamine_aborts(good, tmp_path, xml, span):
    """calamine makes the sheet dense from first to last cell; a stray far cell would ask
    for up to 550 GB and abort the process (calamine issue 693, fastexcel issue 487)."""
    path = add_cells(good, tmp_path / "far.xlsx", xml)
    error = refused(path)
    assert error.sheet == "Customs Value" and f"the cells span {span}" in error.problem
    assert "Ctrl+End" in error.problem and str(error.row) == span.split(":")[1].lstrip(UPPER)


def test_stray_cell_within_bounds_is_read(good, tmp_path):
    note = '<row r="40"><c r="Z40" t="inlineStr"><is><t>note</t></is></c></row>'
    frame, report = imported(add_cells(good, tmp_path / "note.xlsx", note))
    assert customs_total(frame) == pytest.approx(LONG_TOTAL)


def test_cells_without_references_are_placed_as_calamine_places_them(good, tmp_path):
    """Some writers omit `r`; the exact scan then counts positions like calamine does."""
    import re  # noqa: PLC0415
    strip = lambda data: re.sub(rb'(<c) r="[A-Z]+[1-6]"', rb"\1", data)  # noqa: E731  (full rows)
    path = rewrite_parts(good, tmp_path / "nor.xlsx", {SHEET: strip})
    assert b' r="A2"' not in zipfile.ZipFile(path).read(SHEET)
    frame, report = imported(path)
    assert customs_total(frame) == pytest.approx(LONG_TOTAL) and report.checksum.ok


def test_exact_scan_measures_a_wide_sheet(tmp_path, monkeypatch):
    path = tmp_path / "wide.xlsx"
    book = openpyxl.Workbook()
    for r in range(1, 41):
        book.active.append([r * 100 + c for c in range(60)])        # columns A..BH: exact path
    book.save(path)
    assert xlsx_guard.check_xlsx_container(path).kind == "xlsx"
    monkeypatch.setattr(safety, "MAX_GRID_CELLS", 40 * 60 - 1)
    with pytest.raises(InputError, match=r"the cells span A1:BH40, 2,400 cells"):
        xlsx_guard.check_xlsx_container(path)


# --- damaged and crafted zips ---------------------------------------------------------------------

def test_truncated_and_corrupted_zips_are_refused(good, tmp_path):
    raw = good.read_bytes()
    for cut in (len(raw) // 3, len(raw) - 30):
        path = tmp_path / f"cut{cut}.xlsx"
        path.write_bytes(raw[:cut])
        assert "corrupt .xlsx" in refused(path).problem
    path = corrupt_central_directory(good, tmp_path / "cd.xlsx")
    assert "corrupt .xlsx" in refused(path).problem


@pytest.mark.parametrize("name,why", [("../evil", "climbs out of the archive"),
                                      ("/etc/passwd", "an absolute path"),
                                      ("xl\\worksheets\\sheet9.xml", "backslash"),
                                      ("xl/workbook.xml", "appears twice")])
def test_crafted_member_names_are_refused(good, tmp_path, name, why):
    import warnings  # noqa: PLC0415
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                       # zipfile warns on duplicates
        path = add_member(good, tmp_path / "crafted.xlsx", name)
    assert why in refused(path).problem


def test_compression_methods_excel_never_writes_are_refused(good, tmp_path):
    path = tmp_path / "bzip.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
    assert "compression method 12" in refused(path).problem


def test_overlapping_members_are_refused(good, tmp_path):
    raw = bytearray(good.read_bytes())
    entries = []
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        entries.append(at)
        at = raw.find(b"PK\x01\x02", at + 4)
    raw[entries[1] + 42:entries[1] + 46] = raw[entries[0] + 42:entries[0] + 46]  # same offset
    path = tmp_path / "overlap.xlsx"
    path.write_bytes(bytes(raw))
    assert "overlap" in refused(path).problem
