"""Scenario arithmetic against hand-computed cases; presets; replay never mutates the baseline."""

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mineral_workbench.core.analysis import AnalysisOptions, compute, load_sources
from mineral_workbench.core.cube import SupplyCube
from mineral_workbench.core.engine import ExposureModel
from mineral_workbench.core.reference import load_reference
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.scenario import (GroupMembership, ImportanceOverride, NirOverride,
                                             Scenario, ScenarioError, ShareOverride, SourcingShift,
                                             SupplyCut, Tariff, apply_scenario, cell_key,
                                             edit_from_json)
from mineral_workbench.core.whatif import compute_scenario, load_presets, resolve_scenario

WEIGHTS = {"high": 1.0, "medium": 0.5, "low": 0.25}


@pytest.fixture(scope="module")
def model():
    values = np.zeros((1, 3, 5))
    values[0, 0, [0, 2, 3]] = [60, 30, 10]        # gallium: China, Germany, Other Asia nes
    values[0, 1, [1, 0, 4]] = [50, 25, 25]        # cobalt: DRC, China, an unmapped name
    cube = SupplyCube(years=np.array([2023]), minerals=["gallium", "cobalt", "lithium"],
                      partners=["CHN", "COD", "DEU", "S19", "UNMAPPED:Atlantis"], values=values,
                      derivative=np.zeros((1, 3, 5)), placeholder=np.zeros((1, 3)), partner_labels={})
    return ExposureModel(cube, load_reference())


def run(model, *edits, group="foreign_adversaries"):
    base = model.baseline_state(None, group, 2024)
    state, effects = apply_scenario(model, base, Scenario("t", tuple(edits)), n_years=1)
    return model.evaluate(state, None, WEIGHTS), effects, state


def test_supply_cut(model):
    ev, effects, _ = run(model, SupplyCut("gallium", "CHN", 50))
    ga = ev.minerals.loc["gallium"]
    assert effects.consumption_lost[0] == pytest.approx(1.0 * 0.6 * 0.5)   # NIR 100% x s 0.6 x p 0.5
    assert ga["import_value_usd"] == 70
    assert ga["hhi"] == pytest.approx(10_000 * ((30 / 70) ** 2 * 2 + (10 / 70) ** 2))
    assert ga["group_share"] == pytest.approx(30 / 70) and ga["car"] == pytest.approx(30 / 70)


def test_lost_consumption_uses_the_final_nir_wherever_the_override_sits(model):
    _, before, _ = run(model, NirOverride("gallium", 40), SupplyCut("gallium", "CHN", 50))
    _, after, _ = run(model, SupplyCut("gallium", "CHN", 50), NirOverride("gallium", 40))
    assert before.consumption_lost[0] == pytest.approx(0.4 * 0.6 * 0.5)
    assert after.consumption_lost[0] == pytest.approx(before.consumption_lost[0])


def test_tariff_adds_cost_and_changes_no_exposure(model):
    ev, effects, _ = run(model, Tariff("CHN", "cobalt", 25))
    base, _, _ = run(model)
    assert effects.added_tariff_cost_usd[1] == pytest.approx(0.25 * 25)
    assert ev.minerals.loc["cobalt", "car"] == base.minerals.loc["cobalt", "car"]


def test_sourcing_shift_to_new_partners(model):
    ev, _, state = run(model, SourcingShift("cobalt", "COD", {"CHL": 1, "AUS": 1}, 50))
    assert state.partners[-2:] == ["CHL", "AUS"]
    co = ev.minerals.loc["cobalt"]
    assert co["import_value_usd"] == 100
    assert co["hhi"] == pytest.approx(10_000 * (3 * 0.25 ** 2 + 2 * 0.125 ** 2))
    shares = {s["partner_code"]: s["share"] for s in ev.suppliers["cobalt"]}
    assert shares["CHL"] == pytest.approx(0.125) and shares["COD"] == pytest.approx(0.25)


def test_nir_importance_and_group_edits(model):
    ev, _, _ = run(model, NirOverride("cobalt", 90), GroupMembership("foreign_adversaries", "CHN", False))
    co = ev.minerals.loc["cobalt"]
    assert co["nir_pct"] == 90 and co["nir_edition"] == "scenario override"
    assert co["group_share"] == 0 and co["car"] == 0
    base, _, _ = run(model)
    ev, _, _ = run(model, ImportanceOverride("gallium", "sector:Dams", "high"))
    dams = ev.sectors.set_index("sector").loc["Dams"]
    assert dams["driving_mineral"] == "gallium"
    assert dams["weakest_link"] == pytest.approx(base.minerals.loc["gallium", "car"])


def test_share_override_rescales_the_others_and_keeps_the_total(model):
    ev, effects, state = run(model, ShareOverride("gallium", "CHN", 30))
    ga = ev.minerals.loc["gallium"]
    assert ga["import_value_usd"] == pytest.approx(100)
    # China 60 -> 30; Germany 30 and Other Asia 10 scale by 70/40
    assert state.v[0, :4] == pytest.approx([30, 0, 30 * 70 / 40, 10 * 70 / 40])
    assert ga["group_share"] == pytest.approx(0.30) and effects.consumption_lost[0] == 0
    ev, _, state = run(model, ShareOverride("cobalt", "AUS", 20))    # a new supplier
    assert state.partners[-1] == "AUS" and state.v[1, -1] == pytest.approx(20)
    assert state.v[1].sum() == pytest.approx(100)
    with pytest.raises(ScenarioError, match="no imports of lithium"):
        run(model, ShareOverride("lithium", "CHN", 10))
    with pytest.raises(ScenarioError, match="one mineral"):
        run(model, ShareOverride("*", "CHN", 10))


def test_cell_keys_say_which_edits_replace_each_other():
    assert cell_key(NirOverride("gallium", 90)) == cell_key(NirOverride("gallium", 50, ">"))
    assert cell_key(ShareOverride("gallium", "chn", 1)) == cell_key(ShareOverride("gallium", "CHN", 5))
    assert cell_key(ImportanceOverride("gallium", "sector:Dams", "high")) != \
        cell_key(ImportanceOverride("gallium", "sector:Energy", "high"))
    assert cell_key(SupplyCut("gallium", "CHN", 10)) is None


@pytest.mark.parametrize("edit,message", [
    (SupplyCut("unobtainium", "CHN", 10), "unknown mineral"),
    (SupplyCut("gallium", "China", 10), "ISO3"),
    (SupplyCut("gallium", "CHN", 150), "between 0 and 100"),
    (Tariff("group:nope", "*", 10), "unknown country group"),
    (ImportanceOverride("gallium", "sector:Nowhere", "high"), "unknown sector"),
])
def test_bad_edits_are_named(model, edit, message):
    with pytest.raises(ScenarioError, match=message):
        run(model, edit)


def test_json_round_trip_and_readable_texts():
    scenario = Scenario("mix", (SupplyCut("gallium", "CHN", 80), Tariff("except:us_fta_partners", "*", 25),
                                SourcingShift("antimony", "CHN", {"BOL": 0.5, "BEL": 0.5}, 50)))
    assert Scenario.from_json(json.loads(scenario.dumps())) == scenario
    assert scenario.edits[0].describe() == "Cut China gallium supply by 80%"
    with pytest.raises(ScenarioError):
        edit_from_json({"kind": "meteor_strike"})


edit_strategy = st.one_of(
    st.builds(SupplyCut, st.sampled_from(["gallium", "cobalt", "*"]),
              st.sampled_from(["CHN", "COD", "group:foreign_adversaries", "except:nato"]),
              st.floats(0, 100)),
    st.builds(Tariff, st.sampled_from(["CHN", "DEU"]), st.sampled_from(["gallium", "*"]), st.floats(0, 200)),
    st.builds(SourcingShift, st.just("gallium"), st.sampled_from(["CHN", "DEU"]),
              st.just({"AUS": 0.5, "CAN": 0.5}), st.floats(0, 100)),
    st.builds(NirOverride, st.sampled_from(["gallium", "lithium"]), st.floats(0, 100)),
    st.builds(ShareOverride, st.just("gallium"), st.sampled_from(["CHN", "DEU", "AUS"]), st.floats(0, 99)),
    st.builds(GroupMembership, st.just("foreign_adversaries"), st.sampled_from(["CHN", "DEU"]), st.booleans()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(edit_strategy, max_size=8))
def test_replaying_edits_never_touches_the_baseline(model, edits):
    base = model.baseline_state(None, "foreign_adversaries", 2024)
    snapshot = (base.v.copy(), base.nir_pct.copy(), list(base.partners), base.group_codes)
    try:
        first, _ = apply_scenario(model, base, Scenario("s", tuple(edits)), 1)
    except ScenarioError:   # e.g. a share set after every supplier was cut: refused, every time
        with pytest.raises(ScenarioError):
            apply_scenario(model, base, Scenario("s", tuple(edits)), 1)
    else:
        again, _ = apply_scenario(model, base, Scenario("s", tuple(edits)), 1)
        np.testing.assert_array_equal(first.v, again.v)      # redo gives the same result
    assert np.array_equal(base.v, snapshot[0]) and base.partners == snapshot[2]
    undone, _ = apply_scenario(model, base, Scenario("s", ()), 1)   # undo all = the baseline
    np.testing.assert_array_equal(undone.v, snapshot[0])
    assert model.evaluate(undone, None, WEIGHTS).minerals.equals(model.evaluate(base, None, WEIGHTS).minerals)


@pytest.fixture(scope="module")
def sample():
    return load_sources([sample_workbook()])


def test_presets_move_the_numbers_as_documented(sample):
    options = AnalysisOptions()
    base = compute(sample, options).minerals
    shares = {m: {s["partner_code"]: s["share"] for s in compute(sample, AnalysisOptions(top_n=500)).suppliers[m]}
              for m in ("gallium", "germanium", "antimony")}
    presets = {p.preset_id: p for p in load_presets()}
    assert len(presets) == 5 and all(p.citation and p.edits for p in presets.values())

    lic = compute_scenario(sample, options, presets["cn_ga_ge_licensing_2023"]).result.minerals
    for m in ("gallium", "germanium"):
        assert lic.loc[m, "consumption_lost"] == pytest.approx(base.loc[m, "nir_pct"] / 100 * shares[m]["CHN"] * 0.5)
    ban = compute_scenario(sample, options, presets["cn_ga_ge_sb_us_ban_2024"])
    sb = ban.result.minerals.loc["antimony"]
    assert sb["consumption_lost"] == pytest.approx(0.85 * shares["antimony"]["CHN"])
    assert sb["car"] < base.loc["antimony", "car"]
    assert set(ban.deltas["minerals"].index[ban.deltas["minerals"]["changed"]]) == {"gallium", "germanium", "antimony"}

    cut = compute_scenario(sample, options, presets["foreign_adversary_cutoff"]).result.minerals
    assert (cut["group_share"].fillna(0) == 0).all()

    tariff = compute_scenario(sample, options, presets["s232_pcmdp_tariff_25"])
    assert not tariff.deltas["minerals"]["car"].abs().gt(0).any()      # cost only, no exposure change
    assert tariff.result.minerals["added_tariff_cost_usd"].sum() > 0
    fta = load_reference().group_members("us_fta_partners")
    al = {s["partner_code"]: s["value_usd"] for s in compute(sample, AnalysisOptions(top_n=500)).suppliers["aluminum"]}
    expected = 0.25 * sum(v for c, v in al.items() if c not in fta) / len(sample.years)
    assert tariff.result.minerals.loc["aluminum", "added_tariff_cost_usd"] == pytest.approx(expected)


def test_resolve_scenario_order(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(Scenario("mine", (SupplyCut("gallium", "CHN", 10),)).dumps())
    assert resolve_scenario(str(path)).name == "mine"
    assert resolve_scenario("foreign_adversary_cutoff").preset_id == "foreign_adversary_cutoff"
    assert resolve_scenario("ws", [Scenario("ws")]).name == "ws"
    with pytest.raises(ScenarioError, match="neither"):
        resolve_scenario("nothing")
