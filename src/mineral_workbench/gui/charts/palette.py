"""Colour-blind-safe colours for every chart (Okabe & Ito 2008) and the theme they sit on.

Colours depend on the data only, so a country keeps its colour across bars, lines and
charts for one result. The theme (background, text, grid) is read from the widget's
palette when data arrives, so charts follow the light or dark desktop theme.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from PySide6.QtGui import QColor, QPalette

# Okabe-Ito without black (invisible on a dark theme); "Other" is a neutral grey.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
OTHER_COLOR = "#999999"
OTHER = "Other"
HIGHLIGHT = "#D55E00"   # vermillion: selection outlines and rings


@dataclass(frozen=True)
class Theme:
    """Colours taken from the widget palette (light or dark desktop theme)."""

    background: QColor
    foreground: QColor
    grid: QColor
    dark: bool

    @classmethod
    def from_palette(cls, palette: QPalette) -> "Theme":
        bg = QColor(palette.color(QPalette.ColorRole.Base))
        fg = QColor(palette.color(QPalette.ColorRole.Text))
        grid = mix(bg, fg, 0.25)
        return cls(background=bg, foreground=fg, grid=grid, dark=bg.lightnessF() < 0.5)


def mix(a: QColor | str, b: QColor | str, t: float) -> QColor:
    """Colour a fraction `t` of the way from `a` to `b`."""
    a, b = QColor(a), QColor(b)
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                           a.greenF() + (b.greenF() - a.greenF()) * t,
                           a.blueF() + (b.blueF() - a.blueF()) * t, 1.0)


def series_color(i: int) -> QColor:
    """The i-th categorical colour: the seven Okabe-Ito hues, then lighter, then darker tints."""
    base = QColor(OKABE_ITO[i % len(OKABE_ITO)])
    round_ = i // len(OKABE_ITO)
    if round_ == 0:
        return base
    if round_ % 2 == 1:
        return mix(base, "#FFFFFF", 0.45)
    return mix(base, "#000000", 0.35)


def partner_ranking(suppliers: Mapping[str, list[dict]]) -> list[str]:
    """Partner codes by total import value over every mineral's listed suppliers, largest first."""
    totals: dict[str, float] = {}
    for rows in suppliers.values():
        for row in rows:
            totals[row["partner_code"]] = totals.get(row["partner_code"], 0.0) + float(row["value_usd"])
    return sorted(totals, key=lambda code: (-totals[code], code))


def partner_colors(ranking: list[str], shown: Iterable[str] | None = None,
                   background: QColor | str | None = None) -> dict[str, QColor]:
    """One colour per partner code, plus grey for "Other".

    The seven largest partners overall keep the seven Okabe-Ito hues in every chart. Each
    other partner a chart shows (in rank order) takes the lighter or darker Okabe-Ito
    variant farthest from the colours already in that chart, so a chart's colours stay
    distinct while the main suppliers look the same everywhere. Passing the `background`
    steers the choice away from colours that would vanish on it (dark shades on a dark theme).
    """
    fixed = len(OKABE_ITO)
    colors = {code: series_color(i) for i, code in enumerate(ranking[:fixed])}
    shown = list(dict.fromkeys(shown if shown is not None else ranking))
    rank = {code: i for i, code in enumerate(ranking)}
    used = [colors[c] for c in shown if c in colors] + [QColor(OTHER_COLOR)]
    if background is not None:
        used.append(QColor(background))
    pool = [series_color(i) for i in range(fixed, 3 * fixed)]
    pool_rgb = [_rgb(c) for c in pool]
    used_rgb = [_rgb(c) for c in used]
    rest = sorted((c for c in shown if c not in colors and c != OTHER),
                  key=lambda c: (rank.get(c, len(rank)), c))
    for i, code in enumerate(rest):
        if pool:
            candidates, rgbs = pool, pool_rgb
        else:
            candidates = [series_color(fixed + i)]
            rgbs = [_rgb(candidates[0])]
        scores = [min(_distance(a, u) for u in used_rgb) for a in rgbs]
        k = scores.index(max(scores))   # the first of equals, as max() picks
        colors[code] = candidates[k]
        used_rgb.append(rgbs[k])
        if pool:
            del pool[k], pool_rgb[k]
    colors[OTHER] = QColor(OTHER_COLOR)
    return colors


def _rgb(color: QColor) -> tuple[int, int, int]:
    return color.red(), color.green(), color.blue()


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """Rough perceptual distance ("redmean" weighted RGB) of two (r, g, b) colours."""
    r = (a[0] + b[0]) / 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return ((2 + r / 256) * dr * dr + 4 * dg * dg + (2 + (255 - r) / 256) * db * db) ** 0.5


def heat_colormap(background: QColor | str):
    """Sequential, colour-blind-safe cividis, fading into `background` at the low end.

    On a light background larger values are darker, on a dark one brighter; small values
    blend toward the background so near-zero cells do not shout. One map per background
    (built once: 256 colour mixes); treat it as read-only.
    """
    return _heat_colormap(QColor(background).name())


@functools.lru_cache(maxsize=8)
def _heat_colormap(background_name: str):
    import pyqtgraph as pg

    background = QColor(background_name)
    base = pg.colormap.get("cividis")
    pos, colors = base.getStops(mode=pg.ColorMap.BYTE)
    pos = np.array(pos, dtype=float)
    colors = np.array(colors)
    if background.lightnessF() >= 0.5:      # light theme: more is darker
        pos, colors = 1.0 - pos[::-1], colors[::-1]
    faded = []
    for t, rgba in zip(pos, colors):
        fade = 0.55 * (1.0 - t) ** 1.5
        faded.append(mix(QColor(*[int(c) for c in rgba[:3]]), background, fade).getRgb())
    return pg.ColorMap(pos, np.array(faded, dtype=np.ubyte), name="cividis (faded)")


def text_on(color: QColor) -> QColor:
    """Black or white, whichever reads on `color`."""
    r, g, b = color.redF(), color.greenF(), color.blueF()
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return QColor("#000000") if luminance > 0.5 else QColor("#FFFFFF")
