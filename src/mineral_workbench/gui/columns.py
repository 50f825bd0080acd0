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
    ColumnSpec("car", "Consumption at risk", Kind.PERCENT,
               "CaR = NIR/100 × group share: share of US apparent consumption supplied by imports from "
               "the group (assumes the import mix applies to net imports)."),
    ColumnSpec("world_hhi", "World HHI", Kind.INTEGER,
               "HHI of world production (scale 0-10,000)."),
    ColumnSpec("group_world_share", "Group world share", Kind.PERCENT,
               "The group's share of world production; compare with its share of US imports."),
    ColumnSpec("flags", "Flags", Kind.TEXT, "Caveats carried from the inputs.", missing_text=""),
    ColumnSpec("derivative_import_value_usd", "Derivative imports", Kind.USD,
               "Imports of derivative products containing the mineral (magnets, batteries); listed "
               "under every mineral they contain, never summed across minerals."),
    ColumnSpec("aggregate_share", "Aggregate-partner share", Kind.PERCENT,
               "Share of import value from aggregate partners such as 'Other Asia, nes'."),
    ColumnSpec("unmapped_share", "Unmapped-partner share", Kind.PERCENT,
               "Share of import value from partner names that could not be mapped to a country."),
    ColumnSpec("top_supplier_code", "Top supplier code", Kind.TEXT,
               "ISO 3166-1 alpha-3 code (or aggregate code) of the top supplier.", missing_text=""),
    ColumnSpec("nir_edition", "NIR edition", Kind.TEXT, "USGS Mineral Commodity Summaries edition.",
               missing_text=""),
    ColumnSpec("world_basis", "World basis", Kind.TEXT,
               "Which world-production series the world HHI and group world share use.",
               missing_text=""),
)

_EXPOSURE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("weakest_link", "Weakest link", Kind.PERCENT,
               "Max over minerals of importance weight × consumption at risk."),
    ColumnSpec("weighted_mean", "Weighted mean", Kind.PERCENT,
               "Importance-weighted mean of consumption at risk over the minerals that matter here "
               "(high/medium/low = 1/0.5/0.25)."),
    ColumnSpec("driving_mineral", "Driving mineral", Kind.TEXT, "Mineral that sets the weakest link."),
    ColumnSpec("driving_basis", "Basis", Kind.TEXT,
               "Whether the driving mineral's importance is stated by USGS or analyst judgment.",
               missing_text=""),
    ColumnSpec("minerals", "Minerals", Kind.INTEGER, "Minerals with any importance here."),
    ColumnSpec("high_importance_minerals", "High", Kind.INTEGER, "Minerals of high importance here."),
    ColumnSpec("minerals_without_car", "Without CaR", Kind.INTEGER,
               "Minerals left out because their consumption at risk is n/a."),
)

SECTOR_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("sector", "Sector", Kind.TEXT, "Critical infrastructure sector (NSM-22)."),
    *_EXPOSURE_COLUMNS,
    ColumnSpec("sector_id", "ID", Kind.TEXT, "NSM-22 sector identifier."),
)

DEFENSE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("category", "Category", Kind.TEXT, "Category of defense applications."),
    *_EXPOSURE_COLUMNS,
)

DEFENSE_USE_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("mineral", "Mineral", Kind.TEXT, "Analysis unit (rare-earth elements roll up to the group)."),
    ColumnSpec("element", "Element", Kind.TEXT, "The element named by the source, when it differs.",
               missing_text=""),
    ColumnSpec("defense_use", "Application", Kind.TEXT, "What the mineral does in defense systems."),
    ColumnSpec("system_examples", "Example systems", Kind.TEXT, "Named platforms and systems."),
    ColumnSpec("categories", "Categories", Kind.TEXT, "Defense-use categories this application counts in."),
    ColumnSpec("importance", "Importance", Kind.TEXT, "high / medium / low."),
    ColumnSpec("confidence", "Confidence", Kind.TEXT, "How firmly the sources support the row."),
    ColumnSpec("source", "Source", Kind.TEXT, "Where the row comes from."),
    ColumnSpec("notes", "Notes", Kind.TEXT, "", missing_text=""),
)
