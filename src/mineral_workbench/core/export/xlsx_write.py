"""Write-only sheet toolkit shared by every sheet of the analysis workbook.

The whole workbook is written in openpyxl's write-only (streaming) mode: a workbook cannot
mix modes, and the Data sheets can hold a million rows, so every sheet streams. Streaming
sets the rules this module enforces: column widths are fixed before the first row, every
styled value is a `WriteOnlyCell`, and a formula can only come from a `Formula` — any other
text is written inert (see safe_text), whatever it starts with.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from .safe_text import clean_text, make_inert

USD = "#,##0"
SHARE = "0.0%"
HHI = "#,##0"
PCT = "0"              # a number already in percent (NIR)
TEXT = "@"             # codes: text, never numbers
IMPORTANCE = '[=1]"high";[=0.5]"medium";"low"'   # weights 1 / 0.5 / 0.25 shown as words
NA = "n/a"

NAVY = "1F3864"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=NAVY)
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
SECTION_FONT = Font(bold=True, size=12, color=NAVY)
TITLE_FONT = Font(bold=True, size=16, color=NAVY)
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
NUMBER = Alignment(horizontal="right", vertical="top")   # "n/a" lines up with the numbers
CENTER = Alignment(horizontal="center", vertical="center")
THIN = Border(bottom=Side(style="thin", color="BFBFBF"))


class Formula(str):
    """A formula the exporter built on purpose: the only text written as a formula."""


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12.0
    fmt: str | None = None
    wrap: bool = False
    hidden: bool = False      # workbench-computed twins of live formulas (kept for audit)


def marking_colours(marking: str) -> tuple[str, str]:
    """(fill, font) colours of the usual banner conventions; the text is the analyst's."""
    upper = marking.upper()
    for prefix, fill in (("TOP SECRET", "FF8C00"), ("SECRET", "C8102E"), ("CONFIDENTIAL", "0033A0"),
                         ("CUI", "502B85"), ("CONTROLLED", "502B85"), ("UNCLASSIFIED", "007A33")):
        if upper.startswith(prefix):
            return fill, "FFFFFF"
    return "404040", "FFFFFF"


def excel_value(value):
    """A Python scalar openpyxl accepts: numpy -> Python, NaN -> None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA:
        return None
    return value


class SheetWriter:
    """One streaming worksheet: marking banner in row 1, then whatever the caller appends."""

    def __init__(self, workbook, title: str, marking: str, columns: list[Column],
                 banner: bool = True, pages_wide: int = 1, freeze: tuple[int, int] | None = (3, 1),
                 banner_span: int | None = None):
        """`freeze` = (first scrolling row, first scrolling column): a streaming sheet writes
        its view before the first row, so panes are fixed here, never later."""
        self.ws = workbook.create_sheet(title)
        self.title = title
        self.marking = marking
        self.columns = columns
        self.row_index = 0
        for i, column in enumerate(columns, 1):
            dim = self.ws.column_dimensions[get_column_letter(i)]
            dim.width = column.width
            if column.hidden:
                dim.hidden = True
                dim.outlineLevel = 1
        print_setup(self.ws, marking, pages_wide)
        if freeze:
            self.freeze(*freeze)
        if banner:
            self.banner(banner_span)

    # --- cells -------------------------------------------------------------------------------
    def cell(self, value, fmt: str | None = None, font: Font | None = None,
             fill: PatternFill | None = None, align: Alignment | None = None,
             border: Border | None = None, na: str | None = None):
        """A styled write-only cell; text is inert unless it is a `Formula`."""
        value = excel_value(value)
        if value is None and na is not None:
            value = na
        if isinstance(value, (datetime, date)):
            value = value.isoformat(sep=" ", timespec="seconds") if isinstance(value, datetime) else value.isoformat()
        if isinstance(value, str) and not isinstance(value, Formula):
            value = clean_text(value)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and not isinstance(value, Formula):
            make_inert(cell)
        if fmt:
            cell.number_format = fmt
        for name, style in (("font", font), ("fill", fill), ("alignment", align), ("border", border)):
            if style is not None:
                setattr(cell, name, style)
        return cell

    def append(self, cells: list, height: float | None = None) -> int:
        self.row_index += 1
        if height:
            self.ws.row_dimensions[self.row_index].height = height
        self.ws.append(cells)
        return self.row_index

    def values_row(self, values: list, fmts: list[str | None] | None = None,
                   font: Font | None = None, na: str | None = NA, height: float | None = None,
                   spans: list[int] | None = None, header: bool = False) -> int:
        """Append values formatted by the sheet's column formats (or `fmts`).

        `spans` lets a value take several columns (merged); wrapped text gets a row height
        that shows it (write-only sheets cannot autofit, and Excel does not on open)."""
        spans = spans or [1] * len(values)
        cells, merges, lines, col = [], [], 1, 1
        for i, (value, span) in enumerate(zip(values, spans)):
            spec = self.columns[col - 1] if col <= len(self.columns) else Column("")
            fmt = fmts[i] if fmts else spec.fmt
            width = sum(c.width for c in self.columns[col - 1:col - 1 + span]) or spec.width
            wrap = spec.wrap or header
            if header:
                cell = self.cell(value, font=HEADER_FONT, fill=HEADER_FILL, align=HEADER_ALIGN)
            else:
                numeric = fmt not in (None, TEXT)
                cell = self.cell(value, fmt=fmt, font=font, na=na if numeric else None,
                                 align=WRAP if wrap else NUMBER if numeric else TOP)
            cells += [cell] + [None] * (span - 1)
            if span > 1:
                merges.append(f"{get_column_letter(col)}{{row}}:{get_column_letter(col + span - 1)}{{row}}")
            if wrap and isinstance(value, str):
                lines = max(lines, text_lines(value, width, bold=header))
            col += span
        if height is None and lines > 1:
            height = LINE_HEIGHT * lines + 2
        row = self.append(cells, height)
        for merge in merges:
            self.ws.merged_cells.add(merge.format(row=row))
        return row

    def header(self, headers: list[str] | None = None, height: float | None = None,
               spans: list[int] | None = None) -> int:
        """A row of column headers (wrapped, white on navy)."""
        return self.values_row(headers or [c.header for c in self.columns], height=height,
                               spans=spans, header=True, na=None)

    def banner(self, span: int | None = None) -> int:
        """The marking across the top of the sheet (across the first printed page when the
        sheet prints two pages wide)."""
        fill, colour = marking_colours(self.marking)
        width = span or max(len(self.columns), 1)
        row = self.append([self.cell(self.marking, font=Font(bold=True, color=colour, size=11),
                                     fill=PatternFill("solid", fgColor=fill), align=CENTER)], height=18)
        if width > 1:
            self.ws.merged_cells.add(f"A{row}:{get_column_letter(width)}{row}")
        return row

    def text_row(self, text: str, font: Font | None = None, span: int | None = None,
                 height: float | None = None, align: Alignment | None = None) -> int:
        """A line of prose across `span` columns (merged, wrapped)."""
        row = self.append([self.cell(text, font=font, align=align or WRAP)], height)
        span = span or len(self.columns)
        if span > 1:
            self.ws.merged_cells.add(f"A{row}:{get_column_letter(span)}{row}")
        return row

    def blank(self) -> int:
        return self.append([])

    # --- structure ---------------------------------------------------------------------------
    def table(self, name: str, header_row: int, last_row: int, headers: list[str] | None = None,
              first_col: int = 1) -> None:
        """An Excel table (filter buttons, banded rows) over rows already written."""
        headers = headers or [c.header for c in self.columns]
        last_row = max(last_row, header_row + 1)
        ref = (f"{get_column_letter(first_col)}{header_row}:"
               f"{get_column_letter(first_col + len(headers) - 1)}{last_row}")
        table = Table(displayName=name, ref=ref)
        table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, 1)]
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        with warnings.catch_warnings():    # "must add table columns manually": done above
            warnings.simplefilter("ignore", UserWarning)
            self.ws.add_table(table)

    def freeze(self, row: int, col: int = 1) -> None:
        """Freeze everything above `row` (and left of `col`); repeat the header when printing."""
        self.ws.freeze_panes = f"{get_column_letter(col)}{row}"
        if row > 1:
            self.ws.print_title_rows = f"1:{row - 1}"
        if col > 1 and self.ws.page_setup.fitToWidth != 1:
            self.ws.print_title_cols = f"A:{get_column_letter(col - 1)}"

    def colour_scale(self, col: int, first: int, last: int, low: float, mid: float, high: float) -> None:
        """White -> amber -> red over fixed thresholds, so colours mean the same in every export."""
        if last < first:
            return
        letter = get_column_letter(col)
        self.ws.conditional_formatting.add(
            f"{letter}{first}:{letter}{last}",
            ColorScaleRule(start_type="num", start_value=low, start_color="FFFFFF",
                           mid_type="num", mid_value=mid, mid_color="FFD966",
                           end_type="num", end_value=high, end_color="E06666"))

    def heat_map(self, ref: str) -> None:
        """Importance weights 0.25 / 0.5 / 1: light to strong, dark text stays readable."""
        self.ws.conditional_formatting.add(
            ref, ColorScaleRule(start_type="num", start_value=0.25, start_color="FFF2CC",
                                mid_type="num", mid_value=0.5, mid_color="F8CBAD",
                                end_type="num", end_value=1, end_color="E57373"))

    def data_bar(self, col: int, first: int, last: int) -> None:
        if last < first:
            return
        letter = get_column_letter(col)
        self.ws.conditional_formatting.add(
            f"{letter}{first}:{letter}{last}",
            DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color="5B9BD5"))


def print_setup(ws, marking: str, pages_wide: int = 1) -> None:
    """Landscape Letter, fit to one page wide (two for the widest tables, whose first column
    then repeats), the marking centred in header and footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 1              # US Letter
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    text = marking.replace("&", "&&")
    for part in (ws.oddHeader.center, ws.oddFooter.center):
        part.text = text
        part.font = "Calibri,Bold"
        part.size = 11
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.size = 8


LINE_HEIGHT = 15.0


def text_lines(text: str, width_chars: float, bold: bool = False) -> int:
    """Lines `text` takes when wrapped in a cell `width_chars` wide (Calibri 11, approximate)."""
    per_char = 1.0 if bold else 0.82        # widths are in '0' digits; text averages narrower
    lines = 0
    for paragraph in str(text).split("\n"):
        words, line, count = paragraph.split(" "), 0.0, 1
        for word in words:
            size = len(word) * per_char
            if line and line + 1 + size > width_chars:
                count += 1 + int(size // max(width_chars, 1))
                line = size % max(width_chars, 1)
            else:
                line += (1 if line else 0) + size
        lines += count
    return max(1, lines)


def estimate_height(text: str, width_chars: float) -> float:
    """Row height that shows wrapped `text` in a (merged) cell `width_chars` wide."""
    lines = text_lines(text, width_chars)
    return LINE_HEIGHT * lines + (2 if lines > 1 else 0)
