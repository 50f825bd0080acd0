"""The pure core: data model, reference data, importing, mapping and metrics.

Nothing under this package may import Qt or pyqtgraph (a test enforces it), so the
CLI, the tests and batch users run it headless.
"""
