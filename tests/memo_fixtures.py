"""Shared memo test data: the bundled sample, loaded once, as baseline and preset-scenario bundles."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from mineral_workbench.core.analysis import AnalysisOptions, load_sources
from mineral_workbench.core.export.bundle import make_bundle
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.whatif import load_presets

PRESET = "cn_ga_ge_sb_us_ban_2024"
CREATED = datetime(2026, 1, 20, 9, 30)


@lru_cache(maxsize=1)
def sample_loaded():
    return load_sources([sample_workbook()])


def preset(preset_id: str = PRESET):
    return next(p for p in load_presets() if p.preset_id == preset_id)


def bundle(scenario_id: str | None = None, **kw):
    """A fresh bundle (exporters may cache on it) for the sample; fixed date for stable text."""
    scenario = preset(scenario_id) if scenario_id else None
    return make_bundle(sample_loaded(), kw.pop("options", AnalysisOptions()), scenario,
                       created=CREATED, **kw)


def flat(text: str) -> str:
    """Whitespace-normalised text; a line break after a hyphen joins the word again."""
    text = re.sub(r"-\s*\n\s*", "-", text)
    return " ".join(text.split())
