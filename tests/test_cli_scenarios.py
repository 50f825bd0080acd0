"""`scenarios --json` and `analyze --scenario X` (DESIGN §5)."""

import json

from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.scenario import Scenario, SupplyCut
from test_cli import run_cli


def test_scenarios_json_lists_presets():
    proc = run_cli("scenarios", "--json")
    assert proc.returncode == 0, proc.stderr
    presets = json.loads(proc.stdout)
    assert {p["id"] for p in presets} >= {"cn_ga_ge_licensing_2023", "cn_ga_ge_sb_us_ban_2024",
                                          "cn_ree_licensing_2025", "foreign_adversary_cutoff",
                                          "s232_pcmdp_tariff_25"}
    assert all({"id", "title", "date", "citation", "edits"} <= set(p) for p in presets)


def test_analyze_with_a_preset_reports_baseline_scenario_and_deltas():
    proc = run_cli("analyze", sample_workbook(), "--scenario", "cn_ga_ge_sb_us_ban_2024", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) >= {"baseline", "scenario", "deltas", "inputs"}
    assert set(data["baseline"]["minerals"]["gallium"]) == set(data["scenario"]["minerals"]["gallium"])
    d = data["deltas"]["minerals"]["antimony"]
    assert d["changed"] and d["car"] < 0 and d["consumption_lost"] > 0
    assert data["deltas"]["minerals"]["copper"]["changed"] is False
    assert data["scenario_definition"]["edit_texts"][0] == "Cut China gallium supply by 100%"


def test_analyze_with_a_scenario_file(tmp_path):
    path = tmp_path / "what_if.json"
    path.write_text(Scenario("Gallium 80", (SupplyCut("gallium", "CHN", 80),)).dumps())
    proc = run_cli("analyze", sample_workbook(), "--scenario", path, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["inputs"]["files"][0]["format"] == "dataweb_xlsx"


def test_unknown_scenario_exits_2():
    proc = run_cli("analyze", sample_workbook(), "--scenario", "no_such_preset", "--json")
    assert proc.returncode == 2 and "no_such_preset" in proc.stderr and "Traceback" not in proc.stderr
