"""The memo as data (MEMO.md): one model, laid out by the Word and the PDF renderers.

`build_memo(bundle)` drafts every part from the export bundle: header block, marking,
BLUF, numbered findings with their input flags as notes, figure specifications (the GUI
renders them from the screen's chart code), tables, scenario assumptions, methods and
sources. The analyst edits the text parts; `memo_to_json` / `memo_from_json` keep the
draft in the workspace, and `build_memo(bundle, previous=draft)` refreshes the numbers
while keeping what the analyst wrote. Pure Python: no Qt, no python-docx.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from functools import lru_cache
from typing import Callable

from ..resources import resource_path
from .bundle import ExportBundle
from .findings import CAR_THRESHOLD, Finding, draft_findings
from . import memo_content

MEMO_FORMAT = 1
MEMO_KINDS = ("INFORMATION MEMO", "ACTION MEMO")


@lru_cache(maxsize=1)
def _template_file() -> str:
    return resource_path("memo", "template.json").read_text(encoding="utf-8")


def load_template() -> dict:
    """The bundled memo template (fonts, headings, banner, default wording); a fresh copy."""
    return json.loads(_template_file())


@dataclass
class Marking:
    """The classification marking the analyst chose; the workbench never decides it."""
    banner: str = "UNCLASSIFIED"
    cui: bool = False
    controlled_by_agency: str = ""
    controlled_by_office: str = ""
    cui_category: str = ""                 # e.g. PROPIN
    dissemination: str = ""                # e.g. FEDCON
    poc: str = ""                          # name and phone
    portion_marks: bool = False
    portion_mark: str = ""                 # "" = "(CUI)" under CUI, else "(U)"

    @property
    def banner_text(self) -> str:
        text = " ".join(str(self.banner or "").split()) or "UNCLASSIFIED"
        if self.cui and not text.upper().startswith("CUI"):
            return "CUI"
        return text

    @property
    def mark(self) -> str:
        return self.portion_mark.strip() or ("(CUI)" if self.cui else "(U)")

    def portion(self, text: str) -> str:
        """`text` with the portion mark in front when portion marks are on."""
        return f"{self.mark} {text}" if self.portion_marks and text else text

    def designation_block(self) -> list[tuple[str, str]]:
        """The CUI designation indicator lines (32 CFR 2002.20), empty when not CUI."""
        if not self.cui:
            return []
        return [("Controlled by", self.controlled_by_agency or "[agency]"),
                ("Controlled by", self.controlled_by_office or "[office]"),
                ("CUI Category", self.cui_category or "[category]"),
                ("Distribution/Dissemination Control", self.dissemination or "[control]"),
                ("POC", self.poc or "[name, phone]")]


@dataclass
class MemoHeader:
    kind: str = "INFORMATION MEMO"
    date: str = ""                         # "January 20, 2026"
    for_: str = ""
    from_: str = ""
    subject: str = ""
    cc: list[str] = field(default_factory=list)    # further recipients


@dataclass
class MemoFigure:
    """A chart to render for print: which chart, on which result, with what caption."""
    id: str
    chart_id: str
    which: str                             # "baseline" or "scenario"
    caption: str
    source: str
    alt_text: str
    options: dict = field(default_factory=dict)
    minerals: list[str] = field(default_factory=list)   # minerals shown (supplier bars)
    size_inches: tuple[float, float] = (6.5, 4.3)
    dpi: int = 240
    png: bytes | None = None               # filled by the GUI renderer; never saved as JSON
    render: Callable[["MemoFigure"], bytes] | None = None


@dataclass
class MemoTable:
    id: str
    caption: str
    source: str
    columns: list[str]
    rows: list[list[str]]
    align: list[str]                       # "l" / "r" / "c" per column
    widths: list[float]                    # relative column widths
    keys: list[str] = field(default_factory=list)          # row keys (mineral, sector)
    values: list[dict] = field(default_factory=list)       # the raw numbers of each row
    note: str = ""


@dataclass
class Memo:
    marking: Marking
    header: MemoHeader
    bluf: str
    findings: list[Finding]
    figures: list[MemoFigure] = field(default_factory=list)
    tables: list[MemoTable] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    methods: list[dict] = field(default_factory=list)      # {"title", "text"}
    sources: list[str] = field(default_factory=list)
    recommendation: str = ""
    coordination: str = "None."
    attachment: str = "None."
    prepared_by: str = ""
    bluf_drafted: str = ""
    findings_edited: bool = False                          # analyst added, removed or reordered
    scenario_name: str = ""
    order: list[str] = field(default_factory=list)         # "figure:<id>" / "table:<id>", reading order
    basis: dict = field(default_factory=dict)              # what the numbers came from
    style: dict = field(default_factory=dict)              # the template in use

    @property
    def banner(self) -> str:
        return self.marking.banner_text

    @property
    def is_action(self) -> bool:
        return self.header.kind.upper().startswith("ACTION")

    def heading(self, key: str) -> str:
        return str(self.style.get("headings", {}).get(key) or key.replace("_", " ").capitalize())

    def notes(self) -> tuple[list[str], list[list[int]]]:
        """Footnotes: the distinct input flags in order, and each finding's note numbers (1-based)."""
        texts: list[str] = []
        numbers: list[list[int]] = []
        for finding in self.findings:
            mine = []
            for flag in finding.flags:
                if flag not in texts:
                    texts.append(flag)
                mine.append(texts.index(flag) + 1)
            numbers.append(mine)
        return texts, numbers

    def body(self) -> list[tuple[str, MemoFigure | MemoTable]]:
        """Figures and tables in reading order ("figure", f) / ("table", t); unlisted ones last."""
        items = {f"figure:{f.id}": ("figure", f) for f in self.figures}
        items.update({f"table:{t.id}": ("table", t) for t in self.tables})
        ordered = [items.pop(key) for key in self.order if key in items]
        return ordered + list(items.values())

    def figure_number(self, figure: MemoFigure) -> int:
        return [x for kind, x in self.body() if kind == "figure"].index(figure) + 1

    def table_number(self, table: MemoTable) -> int:
        return [x for kind, x in self.body() if kind == "table"].index(table) + 1


def build_memo(bundle: ExportBundle, *, previous: Memo | None = None, template: dict | None = None,
               for_: str | None = None, from_: str | None = None, subject: str | None = None,
               attachment: str | None = None, kind: str | None = None,
               marking: Marking | None = None) -> Memo:
    """Draft the whole memo from `bundle`; `previous` (an analyst's draft) keeps its texts."""
    style = copy.deepcopy(template) if template is not None else load_template()
    defaults = style.get("defaults", {})
    threshold = float(style.get("findings", {}).get("car_threshold", CAR_THRESHOLD))
    findings = draft_findings(bundle, threshold)
    if bundle.findings is not None:    # texts the analyst already edited for the workbook
        findings = [Finding(t, "note", drafted=t) for t in bundle.findings]
    scenario = bundle.scenario.scenario if bundle.scenario else None
    header = MemoHeader(
        kind=kind or defaults.get("kind", MEMO_KINDS[0]),
        date=long_date(bundle.created.date()),
        for_=for_ if for_ is not None else defaults.get("for", ""),
        from_=from_ if from_ is not None else (bundle.prepared_by or defaults.get("from", "")),
        subject=subject or memo_content.subject(bundle, defaults.get("subject", bundle.title)))
    bluf = memo_content.draft_bluf(bundle, findings, threshold)
    figure_cfg = style.get("figures", {})
    memo = Memo(
        marking=marking or Marking(banner=bundle.marking or style.get("banner", {}).get("default",
                                                                                      "UNCLASSIFIED")),
        header=header, bluf=bluf, bluf_drafted=bluf, findings=findings,
        figures=memo_content.figures(bundle, (float(figure_cfg.get("width_in", 6.5)),
                                              float(figure_cfg.get("height_in", 4.3))),
                                     int(figure_cfg.get("dpi", 240))),
        tables=memo_content.tables(bundle),
        assumptions=memo_content.assumptions(bundle),
        methods=memo_content.methods(bundle, threshold),
        sources=memo_content.sources(bundle),
        coordination=defaults.get("coordination", "None."),
        attachment=attachment if attachment is not None else defaults.get("attachment", "None."),
        prepared_by=bundle.prepared_by or defaults.get("prepared_by", ""),
        scenario_name=scenario.name if scenario else "",
        order=memo_content.reading_order(bundle), basis=memo_content.basis(bundle), style=style)
    if previous is not None:
        keep_analyst_text(memo, previous)
    return memo


def keep_analyst_text(memo: Memo, previous: Memo) -> Memo:
    """Carry the analyst's own words (header, marking, BLUF, edited findings, closing) into a
    freshly drafted memo; drafted text they never touched follows the new numbers."""
    memo.marking = copy.deepcopy(previous.marking)
    drafted = memo.header.subject
    memo.header = copy.deepcopy(previous.header)
    stem = drafted.split(": ", 1)[0]
    if previous.header.subject == stem or previous.header.subject.startswith(stem + ": "):
        memo.header.subject = drafted   # a drafted subject follows the scenario (or its absence)
    if previous.bluf != previous.bluf_drafted:
        memo.bluf = previous.bluf
    if previous.findings_edited or any(f.edited for f in previous.findings):
        memo.findings = copy.deepcopy(previous.findings)
        memo.findings_edited = True
    for name in ("recommendation", "coordination", "attachment", "prepared_by"):
        setattr(memo, name, getattr(previous, name))
    return memo


def long_date(day: Date) -> str:
    """'January 20, 2026' (no leading zero, as memos write it)."""
    return f"{day.strftime('%B')} {day.day}, {day.year}"


# --- JSON (the workspace keeps drafts) --------------------------------------------------------
def memo_to_json(memo: Memo) -> dict:
    """Plain JSON data; rendered figure images are left out (they are redrawn from the numbers)."""
    figures = []
    for fig in memo.figures:
        item = {k: v for k, v in asdict(fig).items() if k not in ("png", "render")}
        item["size_inches"] = list(fig.size_inches)
        figures.append(item)
    return {"format": MEMO_FORMAT, "marking": asdict(memo.marking), "header": asdict(memo.header),
            "bluf": memo.bluf, "bluf_drafted": memo.bluf_drafted,
            "findings": [f.to_json() for f in memo.findings],
            "findings_edited": memo.findings_edited, "figures": figures,
            "tables": [asdict(t) for t in memo.tables], "assumptions": list(memo.assumptions),
            "methods": [dict(m) for m in memo.methods], "sources": list(memo.sources),
            "recommendation": memo.recommendation, "coordination": memo.coordination,
            "attachment": memo.attachment, "prepared_by": memo.prepared_by,
            "scenario_name": memo.scenario_name, "order": list(memo.order), "basis": memo.basis,
            "style": memo.style}


def memo_from_json(data: dict) -> Memo:
    if not isinstance(data, dict) or data.get("format") != MEMO_FORMAT:
        raise ValueError(f"not a memo draft of format {MEMO_FORMAT}")
    marking = Marking(**{k: v for k, v in data.get("marking", {}).items()
                         if k in Marking.__dataclass_fields__})
    head = data.get("header", {})
    header = MemoHeader(**{k: v for k, v in head.items() if k in MemoHeader.__dataclass_fields__})
    header.cc = [str(c) for c in header.cc]
    figures = []
    for item in data.get("figures", []):
        item = {k: v for k, v in item.items() if k in MemoFigure.__dataclass_fields__}
        item["size_inches"] = tuple(item.get("size_inches", (6.5, 4.3)))
        figures.append(MemoFigure(**item))
    tables = [MemoTable(**{k: v for k, v in t.items() if k in MemoTable.__dataclass_fields__})
              for t in data.get("tables", [])]
    return Memo(marking=marking, header=header, bluf=str(data.get("bluf", "")),
                bluf_drafted=str(data.get("bluf_drafted", data.get("bluf", ""))),
                findings=[Finding.from_json(f) for f in data.get("findings", [])],
                findings_edited=bool(data.get("findings_edited", False)),
                figures=figures, tables=tables, assumptions=list(data.get("assumptions", [])),
                methods=[dict(m) for m in data.get("methods", [])],
                sources=list(data.get("sources", [])),
                recommendation=str(data.get("recommendation", "")),
                coordination=str(data.get("coordination", "None.")),
                attachment=str(data.get("attachment", "None.")),
                prepared_by=str(data.get("prepared_by", "")),
                scenario_name=str(data.get("scenario_name", "")),
                order=[str(k) for k in data.get("order", [])], basis=dict(data.get("basis", {})),
                style=dict(data.get("style") or load_template()))


def plain_text(memo: Memo) -> str:
    """The memo's words in reading order (tests, previews and accessibility checks)."""
    lines = [memo.banner, memo.header.kind, memo.header.date, f"FOR: {memo.header.for_}",
             f"FROM: {memo.header.from_}", f"SUBJECT: {memo.header.subject}",
             f"BLUF: {memo.bluf}"]
    lines += [f"{i}. {f.text}" for i, f in enumerate(memo.findings, 1)]
    for kind, item in memo.body():
        if kind == "figure":
            lines.append(f"Figure {memo.figure_number(item)}. {item.caption} {item.source}")
        else:
            lines.append(f"Table {memo.table_number(item)}. {item.caption}")
            lines += [" | ".join(row) for row in [item.columns, *item.rows]]
    lines += memo.assumptions + [f"{m['title']}: {m['text']}" for m in memo.methods] + memo.sources
    lines += [f"COORDINATION: {memo.coordination}", f"Attachment: {memo.attachment}",
              f"Prepared by: {memo.prepared_by}", memo.banner]
    return "\n".join(lines)
