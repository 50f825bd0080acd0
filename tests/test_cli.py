"""The headless commands of DESIGN §5, run as an analyst runs them (a subprocess)."""

import json
import os
import subprocess
import sys

import pytest

from mineral_workbench.core.analysis import AnalysisOptions, analyze_files
from mineral_workbench.core.resources import sample_workbook


def run_cli(*args, timeout=180):
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-m", "mineral_workbench", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    return proc


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0 and "Mineral Exposure Workbench" in proc.stdout


def test_reference_json_reproduces_the_proclamation_counts():
    proc = run_cli("reference", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["nir_counts"]["2023"]["full"], data["nir_counts"]["2023"]["at_least_50"]) == (12, 29)
    assert (data["nir_counts"]["2024"]["full"], data["nir_counts"]["2024"]["at_least_50"]) == (12, 27)
    for name, table in data["tables"].items():
        assert table["edition"] and table["as_of"] and table["rows"] > 0, name
    assert "foreign_adversaries" in data["groups"]


@pytest.fixture(scope="module")
def sample_json():
    proc = run_cli("analyze", sample_workbook(), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_analyze_json_has_the_contract_keys(sample_json):
    assert set(sample_json) >= {"minerals", "sectors", "defense", "inputs"}
    gallium = sample_json["minerals"]["gallium"]
    for key in ("import_value_usd", "suppliers", "hhi", "top_supplier", "top_supplier_share",
                "group_share", "nir_pct", "nir_qualifier", "nir_edition", "car", "world_hhi",
                "group_world_share", "flags"):
        assert key in gallium, key
    assert gallium["nir_pct"] == 100 and gallium["nir_edition"]
    assert 0 < gallium["hhi"] <= 10_000
    assert gallium["suppliers"] and all(0 < s["share"] <= 1 for s in gallium["suppliers"])
    assert len(sample_json["sectors"]) == 16
    assert all({"weakest_link", "weighted_mean", "driving_mineral"} <= set(v)
               for v in sample_json["sectors"].values())
    assert len(sample_json["defense"]) == 10
    assert sample_json["inputs"]["years"] == [2020, 2024]
    assert sample_json["inputs"]["group"]["id"] == "foreign_adversaries"


def test_analyze_json_equals_the_core(sample_json):
    result, _ = analyze_files([sample_workbook()], AnalysisOptions())
    for mineral, row in result.minerals.iterrows():
        got = sample_json["minerals"][mineral]
        assert got["import_value_usd"] == pytest.approx(row["import_value_usd"])
        if row["car"] == row["car"]:
            assert got["car"] == pytest.approx(row["car"])
        else:
            assert got["car"] is None


def test_analyze_options_change_the_result():
    proc = run_cli("analyze", sample_workbook(), "--years", "2021-2022", "--nir-year", "2023",
                   "--group", "feoc_covered_nations", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["inputs"]["years"] == [2021, 2022]
    assert data["inputs"]["nir_year"] == 2023
    assert data["minerals"]["nickel"]["nir_pct"] == 53   # 2023 value; 48 in 2024


def test_analyze_csv(tmp_path):
    proc = run_cli("analyze", sample_workbook(), "--csv")
    assert proc.returncode == 0, proc.stderr
    header = proc.stdout.splitlines()[0].split(",")
    assert header[0] == "mineral" and "hhi" in header and "car" in header
    proc = run_cli("analyze", sample_workbook(), "--csv-dir", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"minerals.csv", "sectors.csv", "defense.csv"}


def test_import_json_reports_checksum():
    proc = run_cli("import", sample_workbook(), "--json")
    assert proc.returncode == 0, proc.stderr
    [report] = json.loads(proc.stdout)
    assert report["format"] == "dataweb_xlsx" and report["layout"] == "long"
    assert report["checksum"]["ok"] is True
    assert report["flow"] == "imports_consumption" and report["primary_measure"] == "customs_value"
    assert report["rows_kept"] > 1000 and report["years"] == [2020, 2021, 2022, 2023, 2024]
    assert any(c["code"].startswith("99999") for c in report["unmapped_codes"])


@pytest.mark.parametrize("make,expected", [
    (lambda p: p / "missing.xlsx", "file not found"),
    (lambda p: (p / "notes.xlsx").write_text("just text") and p / "notes.xlsx", "notes.xlsx"),
    (lambda p: (p / "empty.xlsx").write_bytes(b"") or p / "empty.xlsx", "empty"),
])
def test_bad_input_exits_2_with_one_clear_line(tmp_path, make, expected):
    path = make(tmp_path)
    for command in ("analyze", "import"):
        proc = run_cli(command, path, "--json")
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr


def test_import_still_reports_the_files_it_could_read(tmp_path):
    proc = run_cli("import", sample_workbook(), tmp_path / "missing.xlsx", "--json")
    assert proc.returncode == 2
    assert len(json.loads(proc.stdout)) == 1
    assert "missing.xlsx" in proc.stderr


@pytest.mark.parametrize("args", [("--years", "20x0"), ("--group", "no_such_group")])
def test_bad_options_exit_2(args):
    proc = run_cli("analyze", sample_workbook(), *args, "--json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
