"""Which result columns each table shows, with titles, formats and what they mean."""

from __future__ import annotations

from .formatters import ColumnSpec, Kind

MINERAL_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("mineral", "Mineral", Kind.TEXT, "Critical mineral (rare earths roll up to the group)."),
    ColumnSpec("import_value_usd", "Import value", Kind.USD,
               "Σ allocation share × primary value measure of the import rows mapped to the mineral, in USD."),
    ColumnSpec("hhi", "HHI", Kind.INTEGER,
               "Herfindahl-Hirschman index of US import suppliers: 10,000 × Σ share² over all partners "
               "(scale 0-10,000)."),
    ColumnSpec("top_supplier", "Top supplier", Kind.TEXT, "Partner with the largest share of import value."),
    ColumnSpec("top_supplier_share", "Top share", Kind.PERCENT,
               "Top supplier's share of the mineral's import value."),
    ColumnSpec("group_share", "Group share", Kind.PERCENT,
               "Share of import value from the chosen country group."),
    ColumnSpec("nir_pct", "NIR", Kind.PERCENT_POINTS,
               "USGS net import reliance, percent of apparent consumption (see the qualifier)."),
    ColumnSpec("nir_qualifier", "NIR qualifier", Kind.TEXT,
               "'=' exact, '>' lower bound, '<' upper bound, 'E' net exporter, 'NA' not available.",
               missing_text=""),
    ColumnSpec("nir_edition", "NIR edition", Kind.TEXT, "USGS Mineral Commodity Summaries edition.",
               missing_text=""),
    ColumnSpec("car", "Consumption at risk", Kind.PERCENT,
               "CaR = NIR/100 × group share: share of US apparent consumption supplied by imports from "
               "the group (assumes the import mix applies to net imports)."),
    ColumnSpec("world_hhi", "World HHI", Kind.INTEGER,
               "HHI of world production (scale 0-10,000)."),
    ColumnSpec("group_world_share", "Group world share", Kind.PERCENT,
               "The group's share of world production; compare with its share of US imports."),
    ColumnSpec("flags", "Flags", Kind.TEXT, "Caveats carried from the inputs.", missing_text=""),
)

_EXPOSURE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("weakest_link", "Weakest link", Kind.PERCENT,
               "Max over minerals of importance weight × consumption at risk."),
    ColumnSpec("weighted_mean", "Weighted mean", Kind.PERCENT,
               "Importance-weighted mean of consumption at risk over the minerals that matter here "
               "(high/medium/low = 1/0.5/0.25)."),
    ColumnSpec("driving_mineral", "Driving mineral", Kind.TEXT, "Mineral that sets the weakest link."),
)

SECTOR_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("sector_id", "ID", Kind.TEXT, "NSM-22 sector identifier."),
    ColumnSpec("sector", "Sector", Kind.TEXT, "Critical infrastructure sector."),
    *_EXPOSURE_COLUMNS,
)

DEFENSE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("category", "Defense use", Kind.TEXT, "Category of defense applications."),
    *_EXPOSURE_COLUMNS,
)
