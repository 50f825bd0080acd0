"""Metrics against values computed by hand (DESIGN §4)."""

import numpy as np
import pandas as pd
import pytest

from mineral_workbench.core.cube import SupplyCube, build_cube
from mineral_workbench.core.crosswalk import Crosswalk
from mineral_workbench.core.metrics import MetricInputs, mineral_metrics, top_suppliers
from mineral_workbench.core.rollup import importance_by_unit, rollup
from mineral_workbench.core.tradeframe import build_tradeframe

PARTNERS = ["CHN", "COD", "DEU", "S19", "UNMAPPED:Atlantis"]


@pytest.fixture
def cube():
    values = np.zeros((2, 3, 5))
    values[0, 0, 0] = 100                          # 2022 gallium: China only
    values[1, 0, [0, 2, 3]] = [60, 30, 10]         # 2023 gallium: China, Germany, Other Asia nes
    values[1, 1, [1, 0, 4]] = [50, 25, 25]         # 2023 cobalt: DRC, China, an unmapped name
    placeholder = np.zeros((2, 3))
    placeholder[1, 1] = 10
    return SupplyCube(years=np.array([2022, 2023]), minerals=["gallium", "cobalt", "lithium"],
                      partners=PARTNERS, values=values, derivative=np.zeros_like(values),
                      placeholder=placeholder, partner_labels={"UNMAPPED:Atlantis": "Atlantis"})


@pytest.fixture
def inputs():
    nir = pd.DataFrame({"pct": [100.0, 76.0, 50.0], "qualifier": ["=", "=", ">"],
                        "edition": ["USGS MCS 2025"] * 3}, index=["gallium", "cobalt", "lithium"])
    world = pd.DataFrame({"world_hhi": [9604.0], "group_world_share": [0.98],
                          "world_basis": ["other production 2024"]}, index=["gallium"])
    return MetricInputs(nir=nir, group_codes=frozenset({"CHN", "HKG"}), world=world)


def test_one_year(cube, inputs):
    m = mineral_metrics(cube, inputs, years=(2023, 2023))
    ga, co = m.loc["gallium"], m.loc["cobalt"]
    assert ga["import_value_usd"] == 100
    assert ga["hhi"] == pytest.approx(10_000 * (0.6**2 + 0.3**2 + 0.1**2))  # 4,600
    assert ga["top_supplier_code"] == "CHN" and ga["top_supplier_share"] == pytest.approx(0.6)
    assert ga["group_share"] == pytest.approx(0.6)
    assert ga["car"] == pytest.approx(0.6)
    assert ga["aggregate_share"] == pytest.approx(0.1)
    assert "aggregate partners" in ga["flags"]
    assert co["hhi"] == pytest.approx(3_750)
    assert co["group_share"] == pytest.approx(0.25)
    assert co["car"] == pytest.approx(0.76 * 0.25)
    assert co["unmapped_share"] == pytest.approx(0.25)
    assert "placeholder" in co["flags"] and "unmapped partner" in co["flags"]
    assert ga["world_hhi"] == 9604 and ga["group_world_share"] == pytest.approx(0.98)


def test_all_years_and_missing_data(cube, inputs):
    m = mineral_metrics(cube, inputs)
    assert m.loc["gallium", "import_value_usd"] == 200
    assert m.loc["gallium", "hhi"] == pytest.approx(10_000 * (0.8**2 + 0.15**2 + 0.05**2))  # 6,650
    li = m.loc["lithium"]
    assert li["import_value_usd"] == 0
    assert np.isnan(li["hhi"]) and np.isnan(li["group_share"]) and np.isnan(li["car"])
    assert "lower bound" in li["flags"] and "no import data" in li["flags"]


def test_net_exporter_and_not_available(cube, inputs):
    nir = inputs.nir.copy()
    nir.loc["gallium", ["pct", "qualifier"]] = [np.nan, "E"]
    nir.loc["cobalt", ["pct", "qualifier"]] = [np.nan, "NA"]
    m = mineral_metrics(cube, MetricInputs(nir, inputs.group_codes, inputs.world), years=(2023, 2023))
    assert m.loc["gallium", "car"] == 0.0 and "net exporter" in m.loc["gallium", "flags"]
    assert np.isnan(m.loc["cobalt", "car"]) and "not available" in m.loc["cobalt", "flags"]


def test_top_suppliers(cube):
    top = top_suppliers(cube, years=(2023, 2023), n=2)
    assert [s["partner_code"] for s in top["gallium"]] == ["CHN", "DEU"]
    assert top["gallium"][0]["share"] == pytest.approx(0.6)
    assert top["lithium"] == []


def test_sector_rollup_weakest_link_and_weighted_mean():
    table = pd.DataFrame([
        ("gallium", "A", "high", "usgs_stated_use"), ("cobalt", "A", "medium", "analyst_judgment"),
        ("lithium", "A", "low", "usgs_stated_use"),
        ("neodymium", "B", "high", "usgs_stated_use"), ("cerium", "B", "low", "usgs_stated_use"),
        ("cerium", "C", "medium", "analyst_judgment"),
    ], columns=["mineral", "sector", "importance", "basis"])
    unit = {"neodymium": "rare earths", "cerium": "rare earths"}
    imp = importance_by_unit(table, "sector", lambda m: unit.get(m, m))
    re_rows = imp[imp["unit"] == "rare earths"].set_index("sector")["importance"].to_dict()
    assert re_rows == {"B": "high", "C": "medium"}   # highest per sector rolls up to the group
    car = pd.Series({"gallium": 0.6, "cobalt": 0.19, "lithium": np.nan, "rare earths": 0.4})
    out = rollup(imp, "sector", car, order=["A", "B", "C", "D"]).set_index("sector")
    assert out.loc["A", "weakest_link"] == pytest.approx(0.6)
    assert out.loc["A", "driving_mineral"] == "gallium"
    assert out.loc["A", "weighted_mean"] == pytest.approx((1 * 0.6 + 0.5 * 0.19) / 1.5)
    assert out.loc["A", "minerals_without_car"] == 1
    assert out.loc["C", "weakest_link"] == pytest.approx(0.2)
    assert np.isnan(out.loc["D", "weakest_link"])


def test_cube_from_trade_rows_splits_baskets_and_keeps_derivatives_apart():
    cw = Crosswalk(pd.DataFrame([
        ("28273960", "cesium", 0.5, "chemical/compound", False, True),
        ("28273960", "rubidium", 0.5, "chemical/compound", False, True),
        ("850760", "lithium", 1.0, "derivative product", True, False),
        ("283691", "lithium", 1.0, "chemical/compound", False, False),
    ], columns=["match_prefix", "mineral", "share", "form", "is_derivative", "is_placeholder"]))
    frame = build_tradeframe(dict(
        source_id="s", row=[2, 3, 4, 5], flow="imports_consumption", measure="customs_value",
        unit="USD", hts=["2827396000", "8507600020", "2836910000", "2836910000"],
        year=[2023, 2023, 2023, 2024], partner_raw=["Chile", "China", "Chile", "Narnia"],
        partner_code=["CHL", "CHN", "CHL", "UNMAPPED"], value=[100.0, 1000.0, 40.0, 10.0]))
    cube = build_cube(frame, cw, ["cesium", "lithium", "rubidium", "tin"])
    assert cube.minerals == ["cesium", "lithium", "rubidium", "tin"]
    m = {name: i for i, name in enumerate(cube.minerals)}
    assert cube.values[:, m["cesium"]].sum() == 50 and cube.values[:, m["rubidium"]].sum() == 50
    assert cube.values[:, m["lithium"]].sum() == 50          # 40 + 10: the battery line is not added
    assert cube.derivative[:, m["lithium"]].sum() == 1000
    assert "UNMAPPED:Narnia" in cube.partners
    assert cube.placeholder.sum() == 100
