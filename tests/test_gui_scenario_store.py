"""The scenario store: every change is one undo command with a readable text; undoing all of
any sequence restores the baseline exactly and redoing all equals applying the edits directly."""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mineral_workbench.core.analysis import AnalysisOptions, compute, load_sources
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.scenario import (ImportanceOverride, NirOverride, Scenario,
                                             ScenarioError, ShareOverride, SupplyCut, Tariff)
from mineral_workbench.core.whatif import compute_scenario
from mineral_workbench.gui.scenario_controller import parse_nir
from mineral_workbench.gui.scenario_store import ScenarioStore

OPTIONS = AnalysisOptions()


@pytest.fixture(scope="module")
def loaded():
    return load_sources([sample_workbook()])


@pytest.fixture()
def store(qapp):
    return ScenarioStore()


def texts(store):
    stack = store.undo_stack
    return [stack.text(i) for i in range(stack.count())]


def test_each_change_is_one_command_with_a_readable_text(store):
    name = store.add(Scenario("Ban"))
    store.add_edit(name, SupplyCut("gallium", "CHN", 80))
    store.add_edit(name, Tariff("CHN", "*", 25))
    store.rename(name, "China ban")
    copy = store.duplicate("China ban")
    store.remove_edit(copy, 0)
    assert texts(store) == ["Add scenario 'Ban'", "Cut China gallium supply by 80%",
                            "25% tariff on all minerals from China",
                            "Rename scenario 'Ban' to 'China ban'",
                            "Duplicate scenario 'China ban'",
                            "Remove 'Cut China gallium supply by 80%'"]
    assert store.names() == ["China ban", "China ban (copy)"]
    assert store.active_name == "China ban (copy)" and len(store.active().edits) == 1
    for _ in range(6):
        store.undo_stack.undo()
    assert store.scenarios() == [] and store.active_name is None
    for _ in range(6):
        store.undo_stack.redo()
    assert [len(s.edits) for s in store.scenarios()] == [2, 1]


def test_undo_shows_the_scenario_it_changed_and_delete_restores(store):
    a = store.add(Scenario("A", (SupplyCut("gallium", "CHN", 50),)))
    b = store.add(Scenario("B"))
    store.add_edit(a, Tariff("CHN", "gallium", 10))   # edits A while B... A becomes shown
    store.set_active(b)
    store.undo_stack.undo()
    assert store.active_name == "A" and len(store.get("A").edits) == 1
    store.remove("A")
    assert store.names() == ["B"] and store.active_name is None
    store.undo_stack.undo()
    assert store.names() == ["A", "B"] and store.active_name == "A"


def test_cell_edits_upsert_merge_and_create_a_scenario(store):
    name = store.set_cell(NirOverride("gallium", 90))
    assert name == "Scenario 1" and store.active_name == "Scenario 1"
    store.set_cell(NirOverride("gallium", 80))
    store.set_cell(NirOverride("gallium", 70))      # one cell, typed three times: one command
    assert store.undo_stack.count() == 1
    assert store.active().edits == (NirOverride("gallium", 70),)
    assert texts(store) == ["Set gallium net import reliance to 70%"]
    store.set_cell(ImportanceOverride("gallium", "sector:Energy", "high"))
    store.set_cell(NirOverride("cobalt", 50))
    store.set_cell(NirOverride("gallium", 60))      # not consecutive: a new command, same slot
    assert store.undo_stack.count() == 4
    assert [type(e).__name__ for e in store.active().edits] == [
        "NirOverride", "ImportanceOverride", "NirOverride"]
    assert store.active().edits[0].pct == 60
    store.set_cell(NirOverride("gallium", 0), to_baseline=True)   # merges with the edit before
    assert store.undo_stack.count() == 4
    assert texts(store)[-1] == "Reset gallium net import reliance to the baseline"
    assert len(store.active().edits) == 2
    store.undo_stack.undo()
    assert store.active().edits[0].pct == 70     # before the run of edits of that cell
    for _ in range(3):
        store.undo_stack.undo()
    assert store.scenarios() == [] and store.active_name is None


def test_a_merged_edit_back_to_the_start_leaves_nothing_to_undo(store):
    store.add(Scenario("S", (NirOverride("gallium", 90),)))
    store.undo_stack.setClean()
    store.set_cell(NirOverride("gallium", 50))
    store.set_cell(NirOverride("gallium", 90))
    assert store.undo_stack.isClean() or store.undo_stack.count() == 1
    assert not store.undo_stack.canUndo() or store.undo_stack.index() == 1


def test_validator_refuses_before_the_stack(store):
    def refuse(scenario):
        if any(getattr(e, "pct", 0) > 100 for e in scenario.edits):
            raise ScenarioError("net import reliance must be 0-100%")
    store.validator = refuse
    with pytest.raises(ScenarioError):
        store.set_cell(NirOverride("gallium", 150))
    assert store.undo_stack.count() == 0 and store.scenarios() == []


def test_names_are_unique_and_renames_checked(store):
    store.add(Scenario("S"))
    assert store.add(Scenario("S"), activate=False) == "S (2)"
    with pytest.raises(ScenarioError, match="already"):
        store.rename("S", "S (2)")
    with pytest.raises(ScenarioError, match="needs a name"):
        store.rename("S", "  ")


def test_reset_clears_history_and_is_clean(store):
    store.add(Scenario("S"))
    assert store.is_modified()
    store.reset([Scenario("X"), Scenario("Y")], active="Y")
    assert store.undo_stack.count() == 0 and not store.is_modified() and store.active_name == "Y"


@pytest.mark.parametrize("text,expected", [("90", (90.0, "=")), (">50", (50.0, ">")),
                                           ("< 25 %", (25.0, "<")), ("e", (None, "E"))])
def test_parse_nir(text, expected):
    pct, qualifier = parse_nir(text)
    assert qualifier == expected[1] and (expected[0] is None or pct == expected[0])


@pytest.mark.parametrize("text", ["lots", "150", "-3"])
def test_parse_nir_refuses(text):
    with pytest.raises(ScenarioError):
        parse_nir(text)


MINERALS = ["gallium", "germanium", "antimony", "cobalt", "tungsten"]
operation = st.one_of(
    st.tuples(st.just("cut"), st.sampled_from(MINERALS), st.sampled_from(["CHN", "DEU", "CAN"]),
              st.integers(0, 100)),
    st.tuples(st.just("tariff"), st.sampled_from(MINERALS + ["*"]), st.sampled_from(["CHN", "except:us_fta_partners"]),
              st.integers(0, 200)),
    st.tuples(st.just("nir"), st.sampled_from(MINERALS), st.integers(0, 100)),
    st.tuples(st.just("share"), st.sampled_from(MINERALS), st.sampled_from(["CHN", "AUS"]),
              st.integers(0, 90)),
    st.tuples(st.just("importance"), st.sampled_from(MINERALS), st.sampled_from(["Energy", "Dams"]),
              st.sampled_from(["high", "low", "none"])),
    st.tuples(st.just("remove"), st.integers(0, 10)),
)


def _apply(store, op) -> None:
    kind, *args = op
    name = store.active_name
    if kind == "cut":
        store.add_edit(name, SupplyCut(args[0], args[1], args[2]))
    elif kind == "tariff":
        store.add_edit(name, Tariff(args[1], args[0], args[2]))
    elif kind == "nir":
        store.set_cell(NirOverride(args[0], args[1]))
    elif kind == "share":
        store.set_cell(ShareOverride(args[0], args[1], args[2]))
    elif kind == "importance":
        store.set_cell(ImportanceOverride(args[0], f"sector:{args[1]}", args[2]))
    elif store.active().edits:
        store.remove_edit(name, args[0] % len(store.active().edits))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=12))
def test_undo_all_restores_the_baseline_and_redo_all_equals_direct(qapp, loaded, ops):
    store = ScenarioStore()
    store.validator = lambda s: compute_scenario(loaded, OPTIONS, s)
    store.add(Scenario("What if"))
    for op in ops:
        try:
            _apply(store, op)
        except ScenarioError:
            pass  # refused edits (e.g. a share with no imports) never enter the stack
    final = store.active()
    direct = compute_scenario(loaded, OPTIONS, Scenario("direct", final.edits))
    for _ in range(store.undo_stack.count()):
        store.undo_stack.undo()
    assert store.scenarios() == [] and store.active_name is None
    baseline = compute(loaded, OPTIONS)
    shown = compute_scenario(loaded, OPTIONS, Scenario("empty"))
    pd.testing.assert_frame_equal(shown.result.minerals.drop(columns=["consumption_lost",
                                                                      "added_tariff_cost_usd"]),
                                  baseline.minerals)
    for _ in range(store.undo_stack.count()):
        store.undo_stack.redo()
    assert store.active() == final
    again = compute_scenario(loaded, OPTIONS, store.active())
    pd.testing.assert_frame_equal(again.result.minerals, direct.result.minerals)
    pd.testing.assert_frame_equal(again.result.sectors, direct.result.sectors)
