"""Words for the window chrome: the status-bar summary and the window title. No Qt here."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from mineral_workbench import APP_NAME, __version__

_TITLE_FILES = 3


def window_title(files: Sequence[Path]) -> str:
    """'Mineral Exposure Workbench 0.1.0 — a.xlsx, b.csv' (long lists end in '+ N more')."""
    if not files:
        return f"{APP_NAME} {__version__}"
    names = [Path(f).name for f in files]
    shown = ", ".join(names[:_TITLE_FILES])
    if len(names) > _TITLE_FILES:
        shown += f" + {len(names) - _TITLE_FILES} more"
    return f"{APP_NAME} {__version__} — {shown}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def years_text(inputs: Mapping[str, Any], options: Any = None) -> str:
    """'years 2020–2024', 'year 2023' or '' from the analysis inputs (else the options)."""
    years = inputs.get("years") if isinstance(inputs, Mapping) else None
    if years is None and options is not None:
        years = getattr(options, "years", None)
    if years is None:
        return ""
    if isinstance(years, str):
        return f"years {years}"
    try:
        values = sorted(int(y) for y in years)
    except (TypeError, ValueError):
        return ""
    if not values:
        return ""
    first, last = values[0], values[-1]
    return f"year {first}" if first == last else f"years {first}–{last}"


def group_text(inputs: Mapping[str, Any], options: Any = None) -> str:
    """The country group's readable name ('foreign adversaries'), or ''."""
    group = inputs.get("group") if isinstance(inputs, Mapping) else None
    if isinstance(group, Mapping):
        group = group.get("title") or group.get("name") or group.get("id")
    if not group and options is not None:
        group = getattr(options, "group", None)
    if not group:
        return ""
    text = str(group)
    return text.replace("_", " ") if "_" in text else text


def summary_text(result: Any, files: Sequence[Path], options: Any = None) -> str:
    """'41 minerals · 2 files · years 2020–2024 · group: Foreign adversaries (…) · NIR 2024 data'."""
    inputs = getattr(result, "inputs", None) or {}
    parts = [_plural(len(result.minerals), "mineral"), _plural(len(files), "file")]
    years = years_text(inputs, options)
    if years:
        parts.append(years)
    group = group_text(inputs, options)
    if group:
        parts.append(f"group: {group}")
    nir_year = inputs.get("nir_year") if isinstance(inputs, Mapping) else None
    if nir_year is None and options is not None:
        nir_year = getattr(options, "nir_year", None)
    if nir_year:
        parts.append(f"NIR {nir_year} data")
    return " · ".join(parts)


def summary_tooltip(result: Any) -> str:
    """Longer provenance for the summary: the group's full title and as-of date, NIR year."""
    inputs = getattr(result, "inputs", None) or {}
    lines = []
    group = inputs.get("group") if isinstance(inputs, Mapping) else None
    if isinstance(group, Mapping) and group.get("title"):
        as_of = f" (as of {group['as_of']})" if group.get("as_of") else ""
        lines.append(f"Country group: {group['title']}{as_of}")
    if isinstance(inputs, Mapping) and inputs.get("nir_year"):
        lines.append(f"Net import reliance: {inputs['nir_year']} data")
    return "\n".join(lines)
