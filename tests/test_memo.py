"""The memo model: findings drafted by readable rules carry exactly the core's numbers;
tables, markings and JSON drafts behave; a scenario memo differs from the baseline's only
where the scenario changed something."""

from __future__ import annotations

import json
import math

import pytest

from mineral_workbench.core.export.bundle import pct_text
from mineral_workbench.core.export.findings import (CAR_THRESHOLD, MAX_MINERALS, count_text,
                                                    draft_findings, rules_text, usd_text)
from mineral_workbench.core.export.memo import (Marking, build_memo, load_template, memo_from_json,
                                                memo_to_json, plain_text)
from mineral_workbench.core.reference import load_reference

from memo_fixtures import PRESET, bundle


@pytest.fixture(scope="module")
def base():
    b = bundle()
    return b, build_memo(b)


@pytest.fixture(scope="module")
def scen():
    b = bundle(PRESET)
    return b, build_memo(b)


def close(a, b) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


def test_numbers_read_as_a_reader_says_them():
    assert usd_text(1.2468e9) == "$1.2 billion"
    assert usd_text(31_537_830) == "$31.5 million"
    assert usd_text(367_114_600) == "$367 million"
    assert usd_text(912_400) == "$912,400"
    assert usd_text(-2.5e6) == "-$2.5 million"
    assert pct_text(0.7604) == "76%" and pct_text(0.042) == "4.2%"
    assert count_text(6) == "six" and count_text(16) == "16"


def test_mineral_findings_follow_the_rule_and_carry_the_core_numbers(base):
    b, memo = base
    minerals = b.baseline.minerals
    known = minerals[minerals["car"].notna() & (minerals["import_value_usd"] > 0)]
    expected = known[known["car"] > CAR_THRESHOLD].sort_values("car", ascending=False)
    found = [f for f in memo.findings if f.kind == "mineral"]
    assert [f.mineral for f in found] == list(b.top_minerals(MAX_MINERALS, "baseline")
                                             .query("car > @CAR_THRESHOLD").index)
    assert {f.mineral for f in found} <= set(expected.index)
    assert len(found) == min(MAX_MINERALS, len(expected))
    reference = load_reference()
    for f in found:
        row = minerals.loc[f.mineral]
        for key in ("car", "group_share", "import_value_usd", "nir_pct"):
            assert close(f.numbers[key], row[key]), (f.mineral, key)
        assert f.numbers["nir_edition"] == row["nir_edition"] == "USGS MCS 2025"
        assert pct_text(row["car"]) in f.text and pct_text(row["group_share"]) in f.text
        assert usd_text(row["import_value_usd"]) in f.text and "2020–2024" in f.text
        high = reference.sector_importance.query("analysis_unit == @f.mineral and importance == 'high'")
        assert f.numbers["high_sectors"] == high["sector"].nunique()
        assert f"in {f.numbers['high_sectors']} of 16 sectors" in f.text or f.numbers["high_sectors"] == 0
        assert f.flags == [x for x in str(row["flags"]).split("; ") if x]
        world = reference.world_shares()
        if f.mineral in world.index and world.at[f.mineral, "top_country"]:
            assert close(f.numbers["world_top_share"], world.at[f.mineral, "top_share"])
            assert f"{world.at[f.mineral, 'top_country']} holds" in f.text


def test_overview_counts_every_mineral_above_the_threshold(base):
    b, memo = base
    m = b.baseline.minerals
    known = m[m["car"].notna() & (m["import_value_usd"] > 0)]
    overview = memo.findings[0]
    assert overview.kind == "overview"
    assert overview.numbers["minerals_above"] == int((known["car"] > CAR_THRESHOLD).sum())
    assert overview.numbers["minerals_known"] == len(known)
    assert overview.text.startswith(f"{overview.numbers['minerals_above']} of {len(known)} minerals")


def test_sector_finding_names_the_most_exposed_sector(base):
    b, memo = base
    sectors = b.baseline.sectors
    top = sectors.loc[sectors["weakest_link"].idxmax()]
    finding = next(f for f in memo.findings if f.kind == "sectors")
    assert finding.numbers["top"] == top["sector"]
    assert close(finding.numbers["weakest_link"], top["weakest_link"])
    assert finding.numbers["above"] == int((sectors["weakest_link"] > CAR_THRESHOLD).sum())
    assert f"of {len(sectors)} infrastructure sectors" in finding.text


def test_findings_have_footnotes_from_their_input_flags(base):
    _b, memo = base
    notes, numbers = memo.notes()
    assert len(numbers) == len(memo.findings)
    for finding, marks in zip(memo.findings, numbers):
        assert [notes[n - 1] for n in marks] == finding.flags
    assert len(notes) == len(set(notes))


def test_scenario_findings_match_the_scenario_result(scen):
    b, memo = scen
    outcome = b.scenario
    changed = set(outcome.deltas["minerals"].index[outcome.deltas["minerals"]["changed"]])
    assert changed == {"gallium", "germanium", "antimony"}
    per_mineral = [f for f in memo.findings if f.kind == "scenario" and f.mineral]
    assert {f.mineral for f in per_mineral} == changed
    lost = outcome.result.minerals["consumption_lost"]
    assert [f.mineral for f in per_mineral] == list(lost[list(changed)].sort_values(ascending=False).index)
    for f in per_mineral:
        assert close(f.numbers["consumption_lost"], lost[f.mineral])
        assert close(f.numbers["baseline_car"], outcome.baseline.minerals.at[f.mineral, "car"])
        assert pct_text(lost[f.mineral]) in f.text


def test_scenario_memo_differs_from_the_baseline_only_where_the_scenario_acts(base, scen):
    (_bb, bm), (sb, sm) = base, scen
    shared = [f.text for f in bm.findings]
    assert [f.text for f in sm.findings if f.kind != "scenario"] == shared
    assert all("scenario" not in f.kind for f in bm.findings)
    assert sm.tables[0].rows == bm.tables[0].rows          # ten most exposed: baseline in both
    deltas = sb.scenario.deltas["sectors"]
    sector_table = next(t for t in sm.tables if t.id == "sector_exposure")
    for sector, row, values in zip(sector_table.keys, sector_table.rows, sector_table.values):
        moved = not (close(values["weakest_link"], values["baseline_weakest_link"])
                     and close(values["weighted_mean"], values["baseline_weighted_mean"]))
        assert moved == bool(deltas.at[sector, "changed"]), sector
        if not moved:
            assert row[1] == row[2] and row[4] == row[5], sector
    scenario_table = next(t for t in sm.tables if t.id == "scenario_minerals")
    assert set(scenario_table.keys) == {"gallium", "germanium", "antimony"}
    assert {t.id for t in bm.tables} == {"top_minerals", "sector_exposure"}
    assert sm.assumptions[1:4] == [f"Edit {i}: {e.describe()} (scenario date December 3, 2024)."
                                   for i, e in enumerate(sb.scenario.scenario.edits, 1)]


def test_top_table_holds_the_core_values(base):
    b, memo = base
    table = memo.tables[0]
    top = b.top_minerals(10, "baseline")
    assert table.keys == list(top.index)
    for key, values, row in zip(table.keys, table.values, table.rows):
        core = top.loc[key]
        assert close(values["car"], core["car"]) and close(values["import_value_usd"], core["import_value_usd"])
        assert row[1] == usd_text(core["import_value_usd"]) and row[5] == pct_text(core["car"])
        assert row[2] == f"{core['top_supplier']} ({pct_text(core['top_supplier_share'])})"


def test_header_block_sources_and_methods(base):
    b, memo = base
    assert memo.header.kind == "INFORMATION MEMO" and memo.header.date == "January 20, 2026"
    assert memo.header.subject.startswith("Import exposure of processed critical minerals, 2020–2024")
    text = plain_text(memo)
    report = b.loaded.reports[0]
    assert report.sha256 in text and "accessed 2025-03-14" in text
    assert "USGS Mineral Commodity Summaries 2025" in text
    assert "HHI[m] = 10,000 × sum_c s[m,c]^2" in text
    assert "Foreign adversaries (15 CFR 791.4), as of 2025" in text
    assert rules_text()[0].split(":")[0] == "Overview"
    assert memo.order[0] == "table:top_minerals" and "figure:sector_exposure" in memo.order
    assert {k for k, _ in memo.body()} == {"figure", "table"} and len(memo.body()) == 5
    assert sorted(f.chart_id for f in memo.figures) == ["criticality", "sector_ranking", "supplier_bars"]
    assert all(f.dpi >= 200 and f.alt_text for f in memo.figures)


def test_marking_banner_cui_block_and_portion_marks():
    assert Marking().banner_text == "UNCLASSIFIED"
    cui = Marking(cui=True, controlled_by_agency="DOC", cui_category="PROPIN", portion_marks=True)
    assert cui.banner_text == "CUI" and cui.portion("Text") == "(CUI) Text"
    assert ("CUI Category", "PROPIN") in cui.designation_block()
    assert [k for k, _ in cui.designation_block()] == [
        "Controlled by", "Controlled by", "CUI Category", "Distribution/Dissemination Control", "POC"]
    assert Marking(portion_marks=True).portion("x") == "(U) x"
    assert Marking().portion("x") == "x" and Marking().designation_block() == []
    assert Marking(banner="  SECRET//NOFORN ").banner_text == "SECRET//NOFORN"


def test_template_sets_fonts_headings_and_banner(base):
    _b, memo = base
    template = load_template()
    assert template["banner"]["default"] == "UNCLASSIFIED"
    assert template["fonts"]["body"]["family"] and 11 <= template["fonts"]["body"]["size_pt"] <= 12
    assert memo.heading("findings") == template["headings"]["findings"]
    custom = {**template, "headings": {**template["headings"], "findings": "Main points"}}
    assert build_memo(bundle(), template=custom).heading("findings") == "Main points"


def test_json_round_trip_and_refresh_keeps_the_analysts_words(base):
    b, memo = base
    data = json.loads(json.dumps(memo_to_json(memo)))
    again = memo_from_json(data)
    assert plain_text(again) == plain_text(memo)
    assert [f.numbers for f in again.findings] == [f.to_json()["numbers"] for f in memo.findings]
    again.findings[1].text = "Scandium: analyst wording."
    again.header.for_ = "DEPUTY UNDER SECRETARY"
    again.marking = Marking(cui=True)
    fresh = build_memo(bundle(), previous=again)
    assert fresh.findings[1].text == "Scandium: analyst wording." and fresh.findings[1].edited
    assert fresh.header.for_ == "DEPUTY UNDER SECRETARY" and fresh.banner == "CUI"
    untouched = build_memo(bundle(), previous=memo_from_json(data))
    assert [f.text for f in untouched.findings] == [f.text for f in memo.findings]
    with pytest.raises(ValueError):
        memo_from_json({"format": 99})


def test_a_drafted_subject_follows_the_scenario_an_edited_one_is_kept(base, scen):
    _, scenario_memo = scen
    _, baseline_memo = base
    assert scenario_memo.header.subject != baseline_memo.header.subject
    fresh = build_memo(bundle(), previous=scenario_memo)         # drafted under a scenario
    assert fresh.header.subject == baseline_memo.header.subject
    edited = memo_from_json(memo_to_json(scenario_memo))
    edited.header.subject = "Gallium exposure for the deputy"
    assert build_memo(bundle(), previous=edited).header.subject == "Gallium exposure for the deputy"


def test_analyst_findings_on_the_bundle_replace_the_drafted_ones():
    memo = build_memo(bundle(findings=["One.", "Two."]))
    assert [f.text for f in memo.findings] == ["One.", "Two."]


def test_draft_findings_for_a_single_year_say_that_year():
    from mineral_workbench.core.analysis import AnalysisOptions
    b = bundle(options=AnalysisOptions(years=(2023, 2023)))
    texts = " ".join(f.text for f in draft_findings(b))
    assert "2023 US import value" in texts and "2020–2024" not in texts
