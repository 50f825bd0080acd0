"""`mineral-workbench export … --xlsx/--docx/--pdf` writes the same files the GUI makes."""

import shutil

import openpyxl
from docx import Document

from mineral_workbench.core.resources import sample_workbook
from test_cli import run_cli


def test_export_all_three_for_a_preset_scenario(tmp_path):
    out = {ext: tmp_path / f"memo.{ext}" for ext in ("xlsx", "docx", "pdf")}
    proc = run_cli("export", sample_workbook(), "--scenario", "cn_ga_ge_sb_us_ban_2024",
                   "--marking", "CUI", *[a for ext, p in out.items() for a in (f"--{ext}", p)], timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert out["pdf"].read_bytes()[:5] == b"%PDF-"
    document = Document(out["docx"])
    assert document.sections[0].header.paragraphs[0].text.strip() == "CUI"
    book = openpyxl.load_workbook(out["xlsx"], read_only=True)
    assert {"Summary", "Minerals", "Suppliers", "Assumptions", "Sources"} <= set(book.sheetnames)
    book.close()


def test_export_never_overwrites_a_source_file(tmp_path):
    source = tmp_path / "trade.xlsx"
    shutil.copy(sample_workbook(), source)
    before = source.read_bytes()
    proc = run_cli("export", source, "--xlsx", source)
    assert proc.returncode == 2 and "refusing to overwrite" in proc.stderr
    copy = tmp_path / "copy_of_trade.xlsx"
    shutil.copy(source, copy)
    proc = run_cli("export", source, "--xlsx", copy)
    assert proc.returncode == 2 and "same SHA-256" in proc.stderr
    assert source.read_bytes() == before


def test_export_needs_a_target():
    proc = run_cli("export", sample_workbook())
    assert proc.returncode == 2 and "--xlsx" in proc.stderr and "Traceback" not in proc.stderr
