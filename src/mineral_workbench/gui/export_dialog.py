"""The Export dialog: which files, where, under which marking — checked before anything runs.

`ExportDialog` collects an `ExportRequest`; pressing Export validates it in place (the
dialog stays open and says what is wrong): at least one output, a writable folder, a plain
file name, no output that is one of the loaded source files (the CLI's guard,
`core.export.check_target`: same resolved path or same SHA-256), and a question before
replacing any other existing file. The dialog writes nothing.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QRadioButton, QVBoxLayout, QWidget)

from ..core.export import ExportError, check_target
from ..core.importing.report import file_sha256
from .memo_editor import MARKING_NOTE

FORMATS = {"xlsx": ("Analysis &workbook (Excel, .xlsx)", ".xlsx"),
           "docx": ("Memo (&Word, .docx)", ".docx"),
           "pdf": ("Memo (&PDF, .pdf)", ".pdf")}
MEMO_FORMATS = ("docx", "pdf")
MARKINGS = ("UNCLASSIFIED", "CUI")


@dataclass(frozen=True)
class ExportRequest:
    """What the analyst asked for; `targets()` are the files it will write."""
    formats: tuple[str, ...]
    folder: Path
    base_name: str
    marking: str = "UNCLASSIFIED"
    prepared_by: str = ""
    include_scenario: bool = False
    edit_memo: bool = False

    @property
    def cui(self) -> bool:
        return self.marking.upper().startswith("CUI")

    def targets(self) -> list[tuple[str, Path]]:
        return [(fmt, self.folder / f"{self.base_name}{FORMATS[fmt][1]}") for fmt in self.formats]


def default_base_name(scenario_name: str | None, day: date | None = None) -> str:
    """'<scenario or baseline>-<YYYY-MM-DD>', safe as a file name on every platform."""
    label = re.sub(r"[^\w.-]+", "-", scenario_name or "baseline").strip("-.") or "baseline"
    return f"{label[:60].rstrip('-.')}-{(day or date.today()).isoformat()}"


class _FileSource:
    """A loaded file with no import report (e.g. a workspace): hashed only when needed."""

    def __init__(self, path: Path):
        self.file = str(path)

    @cached_property
    def sha256(self) -> str | None:
        try:
            return file_sha256(self.file)
        except OSError:
            return None


def refuse_source_overwrite(target: Path, loaded, files=()) -> Path:
    """`check_target` (the CLI's guard) over the import reports plus any other loaded file;
    raises ExportError when `target` is a source file by path or by content."""
    reports = list(getattr(loaded, "reports", None) or [])
    known = {_resolved(r.file) for r in reports}
    extra = [_FileSource(Path(f)) for f in files if _resolved(f) not in known]
    return check_target(SimpleNamespace(loaded=SimpleNamespace(reports=reports + extra)), target)


def _resolved(path) -> Path:
    try:
        return Path(path).expanduser().resolve()
    except OSError:
        return Path(path)


def folder_problem(folder: Path) -> str | None:
    """Why nothing can be written in `folder`, or None (tries a real temp file)."""
    if not str(folder).strip():
        return "Choose a folder to export to."
    if not folder.is_dir():
        return f"The folder {folder} does not exist."
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"The folder {folder} is not writable ({exc.strerror or exc})."
    return None


def name_problem(name: str) -> str | None:
    if not name:
        return "Give the files a name."
    if re.search(r'[\\/:*?"<>|\x00-\x1f]', name) or name in (".", ".."):
        return "The file name must not contain \\ / : * ? \" < > | or control characters."
    return None


class ExportDialog(QDialog):
    """Choose outputs, folder and name, marking, prepared-by and what to include."""

    def __init__(self, formats, *, folder: Path, scenario_name: str | None = None,
                 marking: str = "UNCLASSIFIED", prepared_by: str = "", loaded=None, files=(),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.setAccessibleName("Export")
        self._loaded, self._files, self._scenario_name = loaded, tuple(files), scenario_name
        outputs = QGroupBox("Files to write")
        column = QVBoxLayout(outputs)
        self.format_boxes: dict[str, QCheckBox] = {}
        for fmt, (label, _ext) in FORMATS.items():
            box = QCheckBox(label)
            box.setChecked(fmt in formats)
            box.toggled.connect(self._update)
            column.addWidget(box)
            self.format_boxes[fmt] = box
        self.folder = QLineEdit(str(folder))
        self.folder.setAccessibleName("Output folder")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.clicked.connect(self.browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse_button)
        self.base_name = QLineEdit()
        self.base_name.setAccessibleName("File name, without extension")
        self.base_name.textEdited.connect(self._name_typed)
        self._name_edited = False
        self.baseline_only = QRadioButton("&Baseline only")
        self.with_scenario = QRadioButton(f"Baseline + &scenario “{scenario_name}”" if scenario_name
                                          else "Baseline + scenario (no scenario is active)")
        self.with_scenario.setEnabled(bool(scenario_name))
        (self.with_scenario if scenario_name else self.baseline_only).setChecked(True)
        self.with_scenario.toggled.connect(self._scenario_toggled)
        include = QHBoxLayout()
        include.addWidget(self.baseline_only)
        include.addWidget(self.with_scenario)
        self.marking = QComboBox()
        self.marking.setEditable(True)
        self.marking.addItems(list(MARKINGS) + [m for m in [marking] if m and m not in MARKINGS])
        self.marking.setCurrentText(marking or "UNCLASSIFIED")
        self.marking.setAccessibleName("Classification marking")
        self.marking.setToolTip(MARKING_NOTE)
        self.prepared_by = QLineEdit(prepared_by)
        self.prepared_by.setAccessibleName("Prepared by")
        self.prepared_by.setPlaceholderText("Name, office, phone or e-mail")
        self.edit_memo = QCheckBox("&Edit the memo before export")
        form = QFormLayout()
        folder_label = QLabel("&Folder:")
        folder_label.setBuddy(self.folder)   # a row holding a layout gets no buddy by itself
        form.addRow(folder_label, folder_row)
        form.addRow("File &name:", self.base_name)
        form.addRow("Include:", include)
        form.addRow("&Marking:", self.marking)
        form.addRow("", _note(MARKING_NOTE))
        form.addRow("&Prepared by:", self.prepared_by)
        self.preview = _note("")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        self.error.setAccessibleName("Export problems")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("E&xport", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(outputs)
        layout.addLayout(form)
        layout.addWidget(self.edit_memo)
        layout.addWidget(self.preview)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.folder.textChanged.connect(self._update)
        self.base_name.textChanged.connect(self._update)
        self._scenario_toggled()

    # --- reading the form ------------------------------------------------------------------
    def request(self) -> ExportRequest:
        name = self.base_name.text().strip()
        for _label, ext in FORMATS.values():   # "x.xlsx" typed as the name means "x"
            if name.lower().endswith(ext) and len(name) > len(ext):
                name = name[:-len(ext)]
        return ExportRequest(
            formats=tuple(f for f, box in self.format_boxes.items() if box.isChecked()),
            folder=Path(self.folder.text().strip()).expanduser(), base_name=name,
            marking=" ".join(self.marking.currentText().split()) or "UNCLASSIFIED",
            prepared_by=self.prepared_by.text().strip(),
            include_scenario=self.with_scenario.isChecked() and self.with_scenario.isEnabled(),
            edit_memo=self.edit_memo.isChecked() and self.edit_memo.isEnabled())

    def problems(self, request: ExportRequest) -> list[str]:
        """Everything that stops this export (empty when it may run)."""
        if not request.formats:
            return ["Choose at least one file to write."]
        found = [p for p in (folder_problem(request.folder), name_problem(request.base_name)) if p]
        if found:
            return found
        for _fmt, target in request.targets():
            try:
                refuse_source_overwrite(target, self._loaded, self._files)
            except ExportError as exc:
                found.append(f"{exc} — choose another folder or name.")
        return found

    # --- slots -----------------------------------------------------------------------------
    def accept(self) -> None:
        request = self.request()
        found = self.problems(request)
        self.error.setText("\n".join(found))
        if found:
            return
        existing = [t for _f, t in request.targets() if t.exists()]
        if existing and QMessageBox.question(
                self, "Replace files?",
                "These files exist already and will be replaced:\n"
                + "\n".join(t.name for t in existing),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No) != QMessageBox.StandardButton.Yes:
            self.error.setText("Not replacing existing files: choose another name or folder.")
            return
        super().accept()

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to folder", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _name_typed(self) -> None:
        self._name_edited = True

    def _scenario_toggled(self) -> None:
        if not self._name_edited:
            self.base_name.setText(default_base_name(
                self._scenario_name if self.with_scenario.isChecked() else None))
        self._update()

    def _update(self) -> None:
        request = self.request()
        memo = any(f in request.formats for f in MEMO_FORMATS)
        self.edit_memo.setEnabled(memo)
        self.export_button.setEnabled(bool(request.formats))
        names = ", ".join(t.name for _f, t in request.targets()) if request.base_name else ""
        self.preview.setText(f"Writes: {names}" if names else "")


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label
