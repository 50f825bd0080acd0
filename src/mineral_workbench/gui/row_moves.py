"""Keeping selections and the current cell on their data rows when a model reorders its rows.

The table models show source rows through a permutation (`rows`: view row -> source row).
Before a reorder, `capture` notes the source row under every persistent index; after it,
`restore` points each index at the view row where that source row now is.
"""

from __future__ import annotations

import numpy as np


def capture(model, rows: np.ndarray) -> tuple[list, list[int]]:
    """The model's persistent indexes and the source row each one stands on."""
    persistent = model.persistentIndexList()
    return persistent, [int(rows[p.row()]) for p in persistent]


def restore(model, captured: tuple[list, list[int]], rows: np.ndarray, sources: int) -> None:
    """Move the captured indexes to their source rows' new view rows (`sources`: how many
    source rows there are; a row the view no longer shows gives an invalid index)."""
    persistent, old = captured
    if not persistent:
        return
    view_of_source = np.full(sources, -1, dtype=np.intp)
    view_of_source[rows] = np.arange(len(rows), dtype=np.intp)
    model.changePersistentIndexList(
        persistent, [model.index(int(view_of_source[s]), p.column()) for p, s in zip(persistent, old)])
