"""Help → Methods (every formula, from the core's own METHODS text) and Help → About.

The Methods page is `resources/help/methods.html` with the core's formulas, the importance
weights and the reference editions filled in at open time, so the page cannot drift from
what the core computes.
"""

from __future__ import annotations

import html
import platform
import sys

from PySide6.QtCore import qVersion
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget)

from mineral_workbench import APP_NAME, __version__
from mineral_workbench.core.resources import resource_path

METHOD_TITLES = {
    "import_value_usd": "Import value V[m]",
    "supplier_share": "Supplier share s[m,c]",
    "hhi": "Supplier concentration (HHI)",
    "group_share": "Group share G[m]",
    "car": "Consumption at risk CaR[m]",
    "world_hhi": "World-production concentration",
    "sector_exposure": "Sector exposure",
}
_FALLBACK_PAGE = ("<html><body><h2>Methods</h2><!-- METHODS --><!-- WEIGHTS --><!-- REFERENCE -->"
                  "</body></html>")


def methods_html(methods: dict[str, str] | None = None, weights: dict[str, float] | None = None,
                 reference=None) -> str:
    """The Methods page with every formula of `methods` (default: core.metrics.METHODS)."""
    if methods is None:
        from mineral_workbench.core.metrics import METHODS as methods
    if weights is None:
        from mineral_workbench.core.rollup import DEFAULT_WEIGHTS as weights
    try:
        page = resource_path("help", "methods.html").read_text(encoding="utf-8")
    except OSError:
        page = _FALLBACK_PAGE
    items = "".join(f"<dt><b>{html.escape(METHOD_TITLES.get(k, k.replace('_', ' ')))}</b> "
                    f"<small>({html.escape(k)})</small></dt><dd><p>{html.escape(v)}</p></dd>"
                    for k, v in methods.items())
    weight_rows = "".join(f"<tr><td>{html.escape(level)}</td><td align='right'>{w:g}</td></tr>"
                          for level, w in weights.items())
    page = page.replace("<!-- METHODS -->", f"<dl>{items}</dl>")
    page = page.replace("<!-- WEIGHTS -->", "<p>Importance weights w:</p><table border='1' "
                        f"cellpadding='3' cellspacing='0'><tr><th>level</th><th>w</th></tr>"
                        f"{weight_rows}</table>")
    return page.replace("<!-- REFERENCE -->", reference_html(reference))


def reference_html(reference=None) -> str:
    """Title, edition, as-of date and citation of every bundled reference table."""
    try:
        if reference is None:
            from mineral_workbench.core.reference import load_reference

            reference = load_reference()
        tables = list(reference.tables.values())
    except Exception as exc:  # noqa: BLE001 - help must open even with broken reference data
        return f"<p>The reference data could not be read: {html.escape(str(exc))}</p>"
    rows = "".join(f"<tr><td>{html.escape(t.title)}</td><td>{html.escape(t.edition)}</td>"
                   f"<td>{html.escape(str(t.as_of))}</td><td>{t.rows:,}</td></tr>" for t in tables)
    return ("<table border='1' cellpadding='3' cellspacing='0'><tr><th>Table</th><th>Edition</th>"
            f"<th>As of</th><th>Rows</th></tr>{rows}</table>")


def _version(package: str) -> str:
    from importlib import metadata  # noqa: PLC0415 - slow to import; only the About box needs it

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> dict[str, str]:
    import PySide6

    return {
        APP_NAME: __version__,
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": f"{platform.python_version()} ({sys.implementation.name})",
        "pandas": _version("pandas"),
        "numpy": _version("numpy"),
        "pyqtgraph": _version("pyqtgraph"),
        "Platform": platform.platform(terse=True),
    }


def about_html(reference=None) -> str:
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                   for k, v in versions().items())
    return (f"<h2>{html.escape(APP_NAME)} {html.escape(__version__)}</h2>"
            "<p>Offline workbench for US import exposure to processed critical minerals: "
            "who supplies each mineral, how concentrated and adversary-dependent the supply is, "
            "and which sectors and defense uses carry that exposure.</p>"
            f"<h3>Versions</h3><table cellpadding='3'>{rows}</table>"
            f"<h3>Reference data editions</h3>{reference_html(reference)}"
            "<p>No network access is ever made. Sample data shipped with the application is "
            "synthetic and labelled as such.</p>")


class HtmlDialog(QDialog):
    """A non-modal dialog around a read-only QTextBrowser."""

    def __init__(self, title: str, page: str, parent: QWidget | None = None,
                 size: tuple[int, int] = (760, 640)):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(False)
        self.resize(*size)
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName(title)
        self.browser.setOpenExternalLinks(False)  # offline: never hand a link to a browser
        self.browser.setHtml(page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.browser.toPlainText()


def methods_dialog(parent: QWidget | None = None, weights=None) -> HtmlDialog:
    return HtmlDialog("Methods", methods_html(weights=weights), parent)


def about_dialog(parent: QWidget | None = None) -> HtmlDialog:
    return HtmlDialog(f"About {APP_NAME}", about_html(), parent, size=(640, 600))
