"""Longest-prefix mapping, allocation shares and the unmapped report."""

import pandas as pd
import pytest

from mineral_workbench.core.crosswalk import REASON_NOT_IN_CROSSWALK, REASON_TOO_COARSE, Crosswalk
from mineral_workbench.core.tradeframe import build_tradeframe


def _table(rows):
    return pd.DataFrame(rows, columns=["match_prefix", "mineral", "share", "form",
                                       "is_derivative", "is_placeholder"])


@pytest.fixture
def crosswalk():
    return Crosswalk(_table([
        ("810520", "cobalt", 1.0, "unwrought metal", False, False),
        ("8105206000", "cobalt", 1.0, "unwrought metal", False, False),
        ("283691", "lithium", 1.0, "chemical/compound", False, False),
        ("0709", "vegetables-test", 1.0, "ore/concentrate", False, False),   # leading zero heading
        ("28273960", "cesium", 1 / 3, "chemical/compound", False, True),     # basket line
        ("28273960", "rubidium", 1 / 3, "chemical/compound", False, True),
        ("28273960", "germanium", 1 / 3, "chemical/compound", False, True),
        ("850760", "lithium", 1.0, "derivative product", True, False),       # derivative: contains
        ("850760", "cobalt", 1.0, "derivative product", True, False),
        ("850760", "nickel", 1.0, "derivative product", True, False),
    ]))


def _frame(codes, values):
    n = len(codes)
    return build_tradeframe(dict(source_id="s", row=list(range(2, n + 2)), flow="imports_consumption",
                                 measure="customs_value", unit="USD", hts=codes, year=2023,
                                 partner_raw="China", partner_code="CHN", value=values))


@pytest.mark.parametrize("code,expected", [
    ("8105206000", "8105206000"),   # exact 10-digit line wins over its subheading
    ("8105209000", "810520"),       # another line of the subheading falls back to 6 digits
    ("81052090", "810520"),         # 8-digit code
    ("810520", "810520"),           # 6-digit code
    ("2836910010", "283691"),
    ("0709999999", "0709"),         # leading zero kept: a number would have lost it
    ("709999999", None),            # the same code with its zero lost maps to nothing
    ("8105", None),                 # coarser than the crosswalk
    ("9999950000", None),
])
def test_longest_prefix(crosswalk, code, expected):
    assert crosswalk.match(code) == expected


def test_basket_line_split_by_shares_never_double_counts(crosswalk):
    mapped = crosswalk.apply(_frame(["2827396000"], [900.0]))
    assert sorted(mapped["mineral"]) == ["cesium", "germanium", "rubidium"]
    assert mapped["mapped_value"].tolist() == pytest.approx([300.0, 300.0, 300.0])
    assert mapped["mapped_value"].sum() == pytest.approx(900.0)
    assert mapped["is_placeholder"].all()


def test_derivative_line_listed_under_each_mineral_but_flagged(crosswalk):
    mapped = crosswalk.apply(_frame(["8507600020"], [1000.0]))
    assert set(mapped["mineral"]) == {"lithium", "cobalt", "nickel"}
    assert mapped["is_derivative"].all()
    assert (mapped["mapped_value"] == 1000.0).all()  # full value under each: never sum across minerals


def test_unmapped_report_with_values_and_reasons(crosswalk):
    frame = _frame(["8105206000", "9999950000", "9999950000", "8105", "2836999000"],
                   [10.0, 5.0, 7.0, 100.0, 3.0])
    report = crosswalk.unmapped_codes(frame)
    assert report == [
        {"code": "8105", "value_usd": 100.0, "rows": 1, "reason": REASON_TOO_COARSE},
        {"code": "9999950000", "value_usd": 12.0, "rows": 2, "reason": REASON_NOT_IN_CROSSWALK},
        {"code": "2836999000", "value_usd": 3.0, "rows": 1, "reason": REASON_NOT_IN_CROSSWALK},
    ]


def test_rows_keep_provenance_through_mapping(crosswalk):
    mapped = crosswalk.apply(_frame(["8105206000", "9999950000"], [10.0, 5.0]))
    assert mapped["row"].tolist() == [2]
    assert mapped["hts"].tolist() == ["8105206000"]


def test_bundled_crosswalk_maps_known_lines():
    cw = Crosswalk.default()
    assert set(cw.apply(_frame(["8105206000"], [1.0]))["mineral"]) == {"cobalt"}
    lithium_batteries = cw.apply(_frame(["8507600020"], [1.0]))
    assert lithium_batteries["is_derivative"].all() and "lithium" in set(lithium_batteries["mineral"])
    for mineral, group in cw.table[~cw.table["is_derivative"]].groupby("match_prefix"):
        assert group["share"].sum() == pytest.approx(1.0), mineral
