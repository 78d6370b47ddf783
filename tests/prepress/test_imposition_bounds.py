"""Lower bounds on strip length: valid on instances with known optima, and tight where a day is provably optimal."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from prepress import imposition_bounds as bounds

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "packing"


def _day(name: str) -> dict:
    return next(d for d in json.loads((DATA / "dtf_days.json").read_text())["days"] if d["name"] == name)


def _sizes(items: list[dict], w: str = "width", h: str = "height", n: str = "quantity") -> list[tuple]:
    return [(i[w], i[h], i[n]) for i in items]


def test_small_3_is_bounded_by_its_wide_pieces_one_above_the_other():
    day = _day("small-3")
    found = bounds.bounds(_sizes(day["items"]), day["sheet_width"], day["spacing"])
    # 21 pieces of 11.15 x 12.3 and 5 of 11.85 x 12.3 share no line with each other or with the two
    # 13.05 x 10.75 pieces: 21 * 11.15 + 5 * 11.85 + 13.05 + 26 * 0.25.
    assert found["cross_section"] == pytest.approx(312.95, abs=1e-5)
    assert found["best"] == found["cross_section"]
    assert found["area"] == pytest.approx(day["area_lower_bound_length"], abs=0.011)
    assert found["wide"] > found["area"]


def test_every_bound_is_at_most_the_optimum_of_hopper_turton_c():
    for inst in json.loads((DATA / "hopper_turton_c.json").read_text())["instances"]:
        found = bounds.bounds(_sizes(inst["items"]), inst["strip_width"], evaluations=50)
        assert found["best"] <= inst["optimal_length"] + 1e-9, inst["name"]
        # A perfect packing has no waste: the area bound is the optimum itself.
        assert found["area"] == pytest.approx(inst["optimal_length"], abs=1e-5)


def test_every_bound_is_at_most_the_known_optimum_of_the_literature():
    checked = 0
    for inst in json.loads((DATA / "literature.json").read_text())["instances"]:
        if inst.get("optimal_height") and len(inst["items"]) <= 60:
            found = bounds.bounds(_sizes(inst["items"], "w", "h", "count"), inst["strip_width"], evaluations=100)
            assert found["best"] <= inst["optimal_height"] + 1e-9, inst["name"]
            checked += 1
    assert checked >= 50


def test_wide_pieces_stack_and_small_ones_may_sit_beside_them():
    # Three 12-wide pieces on a 20 roll cannot share a line: 3 * 5 = 15, far above the area bound of 9.
    found = bounds.bounds([(12, 5, 3)], 20.0, rotation="none")
    assert found["area"] == pytest.approx(9.0)
    assert found["wide"] == pytest.approx(15.0)
    assert found["cross_section"] == pytest.approx(15.0)
    # Pieces 8 wide fit beside them and add nothing; pieces 9 wide do not, and each needs its own line.
    assert bounds.bounds([(12, 5, 3), (8, 5, 3)], 20.0, rotation="none")["best"] == pytest.approx(15.0)
    assert bounds.bounds([(12, 5, 3), (9, 4, 2)], 20.0, rotation="none")["best"] == pytest.approx(19.0)


def test_spacing_and_margins_are_counted_once_per_gap():
    # Two 10-wide pieces with 1 of spacing do not fit a 20 roll side by side (10 + 1 + 10 = 21).
    found = bounds.bounds([(10, 3, 2)], 20.0, spacing=1.0, rotation="none", margin=0.0)
    assert found["best"] == pytest.approx(7.0)
    with_margin = bounds.bounds([(10, 3, 2)], 22.0, spacing=1.0, rotation="none", margin=1.0)
    assert with_margin["best"] == pytest.approx(9.0)


def test_rotation_lets_pieces_turn_to_share_a_line():
    # 12 x 9 pieces on a 20 roll: upright they stack (3 * 9 = 27), turned two fit side by side.
    assert bounds.bounds([(12, 9, 3)], 20.0, rotation="none")["best"] == pytest.approx(27.0)
    assert bounds.bounds([(12, 9, 3)], 20.0, rotation="any")["best"] < 27.0


def test_dual_ascent_raises_the_bound_where_the_functions_fall_short():
    day = _day("small-5")
    sizes = _sizes(day["items"])
    without = bounds.bounds(sizes, day["sheet_width"], day["spacing"], evaluations=0)["cross_section"]
    found = bounds.bounds(sizes, day["sheet_width"], day["spacing"])["cross_section"]
    assert without == pytest.approx(602.52, abs=0.01)
    assert found == pytest.approx(612.18, abs=0.01)
    # The packer's best layout of this day (before, at 10 s) is 623.15 in: still above the bound.
    assert found <= 623.15


def test_the_exact_cross_section_program_is_valid_and_at_least_the_quick_bounds():
    from bench import lp_bound
    from prepress import imposition

    for name, quick in (("medium-3", 934.84), ("small-3", 312.95), ("small-2", 181.84)):
        day = _day(name)
        sizes = _sizes(day["items"])
        exact = lp_bound.lp_bound(sizes, day["sheet_width"], day["spacing"])
        assert exact >= quick - 1e-6, name
        items = [imposition.Item(i["key"], i["width"], i["height"], i["quantity"]) for i in day["items"]]
        layout = imposition.impose(items, day["sheet_width"], spacing=day["spacing"], time_budget=0.2)
        assert not imposition.validate_layout(layout, items)
        assert exact <= layout.length + 1e-9, name
    # Pieces too wide to pair: the quick bounds stop at the area bound, the program sees the slivers beside them.
    assert lp_bound.lp_bound(_sizes(_day("medium-3")["items"]), 22.0, 0.25) == pytest.approx(939.23, abs=0.01)


def test_the_exact_program_never_passes_a_known_optimum_and_is_tight_where_stacking_is_forced():
    from bench import lp_bound

    for inst in json.loads((DATA / "hopper_turton_c.json").read_text())["instances"]:
        if len(inst["items"]) <= 100:  # C1 - C6; C7's 160-odd pieces take 3 s each and show nothing new
            found = lp_bound.lp_bound(_sizes(inst["items"]), inst["strip_width"])
            assert found == pytest.approx(inst["optimal_length"], abs=1e-5), inst["name"]  # perfect packings
    checked = 0
    for inst in json.loads((DATA / "literature.json").read_text())["instances"]:
        if inst.get("optimal_height") and len(inst["items"]) <= 60:
            found = lp_bound.lp_bound(_sizes(inst["items"], "w", "h", "count"), inst["strip_width"])
            assert found <= inst["optimal_height"] + 1e-9, inst["name"]
            checked += 1
    assert checked >= 50
    assert lp_bound.lp_bound([(12, 5, 3)], 20.0, rotation="none") == pytest.approx(15.0)
    assert lp_bound.lp_bound([(12, 5, 3), (8, 5, 3)], 20.0, rotation="none") == pytest.approx(15.0)
    assert lp_bound.lp_bound([(12, 5, 3), (9, 4, 2)], 20.0, rotation="none") == pytest.approx(19.0)
