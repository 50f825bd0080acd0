"""Full recompute time on a 60 minerals x 230 countries x 10 years workspace (issue 5: < 5 ms).

A "full recompute" is what every what-if edit triggers: replay the scenario's edits on the
baseline state, then evaluate every per-mineral metric, the sector and defense roll-ups and the
top suppliers. Reported as the median of many runs, with the baseline-only evaluation beside it.

    python benchmarks/bench_recompute.py [--runs 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np


def build_model():
    from mineral_workbench.core.analysis import analysis_minerals
    from mineral_workbench.core.countries import country_table
    from mineral_workbench.core.cube import SupplyCube
    from mineral_workbench.core.engine import ExposureModel
    from mineral_workbench.core.reference import load_reference

    reference = load_reference()
    minerals = analysis_minerals(reference)
    minerals += [f"synthetic mineral {i}" for i in range(60 - len(minerals))]
    partners = country_table()["iso3"].tolist()[:230]
    rng = np.random.default_rng(1)
    values = rng.gamma(0.3, 1e6, size=(10, len(minerals), len(partners)))
    values[values < 2e4] = 0.0          # most countries supply most minerals nothing
    cube = SupplyCube(years=np.arange(2015, 2025), minerals=minerals, partners=partners, values=values,
                      derivative=np.zeros_like(values), placeholder=np.zeros(values.shape[:2]),
                      partner_labels={})
    return ExposureModel(cube, reference)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    from mineral_workbench.core.scenario import (NirOverride, Scenario, SourcingShift, SupplyCut,
                                                 Tariff, apply_scenario)
    model = build_model()
    weights = {"high": 1.0, "medium": 0.5, "low": 0.25}
    scenario = Scenario("bench", (SupplyCut("gallium", "CHN", 80), Tariff("except:us_fta_partners", "*", 25),
                                  SourcingShift("antimony", "CHN", {"BOL": 0.5, "BEL": 0.5}, 50),
                                  NirOverride("nickel", 60), SupplyCut("*", "group:foreign_adversaries", 30)))

    def baseline():
        state = model.baseline_state(None, "foreign_adversaries", 2024)
        model.evaluate(state, None, weights)

    def full():
        state = model.baseline_state(None, "foreign_adversaries", 2024)
        what, _ = apply_scenario(model, state, scenario, 10)
        model.evaluate(what, None, weights)

    rows = []
    for name, fn in (("baseline evaluate", baseline), ("scenario: 5 edits + evaluate", full)):
        for _ in range(10):
            fn()                            # warm caches (NIR, world shares, importance matrices)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        rows.append((name, statistics.median(times), np.percentile(times, 95)))
    print(f"workspace: {len(model.minerals)} minerals x {len(model.partners)} countries x "
          f"{len(model.cube.years)} years")
    print(f"{'recompute':<32}{'median ms':>10}{'p95 ms':>9}{'target':>9}")
    for name, median, p95 in rows:
        print(f"{name:<32}{median:>10.2f}{p95:>9.2f}{'< 5':>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
