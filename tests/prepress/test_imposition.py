"""Gang sheet imposition: validator, policies, splitting, grouping, determinism and the command line."""
from __future__ import annotations

import dataclasses
import itertools
import json
import random
import subprocess
import sys
import time
import types
from collections import Counter
from pathlib import Path

import pytest

from prepress import imposition
from prepress import imposition_plan as plan
from prepress import imposition_search as search
from prepress.imposition import ImpositionError, Item, Layout, Placement, Sheet

ROOT = Path(__file__).resolve().parents[2]
FAST = 0.2

MIXED = [
    Item("front", 11.5, 12.0, 4),
    Item("chest", 4.0, 3.5, 15),
    Item("sleeve", 2.5, 11.0, 6),
    Item("youth", 9.0, 9.5, 5),
    Item("hat", 4.25, 2.0, 9),
]


def _layout(placements: list[Placement], length: float = 20.0, width: float = 10.0, spacing: float = 0.0,
            margin: float = 0.0, rotation: str = "any") -> Layout:
    return Layout(width, spacing, margin, rotation, None, [Sheet(length, placements, width)])


def _all(layout: Layout) -> list[Placement]:
    return [p for s in layout.sheets for p in s.placements]


def _min_gap(placements: list[Placement]) -> float:
    """Smallest axis separation over all pairs (the larger of the x and y gaps of each pair)."""
    best = float("inf")
    for i, a in enumerate(placements):
        for b in placements[i + 1:]:
            gx = max(b.x - (a.x + a.width), a.x - (b.x + b.width))
            gy = max(b.y - (a.y + a.height), a.y - (b.y + b.height))
            best = min(best, max(gx, gy))
    return best


# --- validator on hand-made layouts -------------------------------------------------------------------------

def test_validator_accepts_touching_pieces_without_spacing():
    ok = _layout([Placement("a", 0, 0, 5, 5), Placement("b", 5, 0, 5, 5), Placement("c", 0, 5, 10, 2)], length=7)
    assert imposition.validate_layout(ok) == []


def test_validator_catches_overlap():
    bad = _layout([Placement("a", 0, 0, 5, 5), Placement("b", 4, 4, 5, 5)])
    found = imposition.validate_layout(bad)
    assert len(found) == 1 and "overlap" in found[0] and "a" in found[0] and "b" in found[0]


def test_validator_catches_piece_off_the_roll():
    found = imposition.validate_layout(_layout([Placement("a", 6, 0, 5, 5)]))
    assert any("roll width" in p for p in found)
    found = imposition.validate_layout(_layout([Placement("a", 0, 18, 5, 5)]))
    assert any("sheet length" in p for p in found)
    assert imposition.validate_layout(_layout([Placement("a", -0.5, 0, 5, 5)]))


def test_validator_catches_spacing_violation_on_both_axes():
    side = _layout([Placement("a", 0, 0, 4, 4), Placement("b", 4.1, 0, 4, 4)], spacing=0.25)
    above = _layout([Placement("a", 0, 0, 4, 4), Placement("b", 0, 4.2, 4, 4)], spacing=0.25)
    diagonal_ok = _layout([Placement("a", 0, 0, 4, 4), Placement("b", 4.25, 4.0, 4, 4)], spacing=0.25)
    assert any("closer than the spacing" in p for p in imposition.validate_layout(side))
    assert any("closer than the spacing" in p for p in imposition.validate_layout(above))
    assert imposition.validate_layout(diagonal_ok) == []


def test_validator_catches_margin_violations():
    inside = Placement("a", 0.5, 0.5, 4, 4)
    assert imposition.validate_layout(_layout([inside], length=5, margin=0.5)) == []
    assert imposition.validate_layout(_layout([Placement("a", 0.2, 0.5, 4, 4)], margin=0.5))
    assert imposition.validate_layout(_layout([Placement("a", 5.8, 0.5, 4, 4)], margin=0.5))
    assert imposition.validate_layout(_layout([Placement("a", 0.5, 0.1, 4, 4)], margin=0.5))
    assert imposition.validate_layout(_layout([inside], length=4.7, margin=0.5)), "trailing margin missing"


def test_validator_checks_counts_sizes_and_rotation_policy():
    items = [Item("a", 3, 2, 2)]
    one = _layout([Placement("a", 0, 0, 3, 2)])
    assert any("placed 1 times, ordered 2" in p for p in imposition.validate_layout(one, items))
    wrong = _layout([Placement("a", 0, 0, 3, 2), Placement("a", 0, 3, 2, 3)])
    assert any("not its ordered size" in p for p in imposition.validate_layout(wrong, items))
    turned = _layout([Placement("a", 0, 0, 3, 2), Placement("a", 0, 3, 2, 3, rotated=True)], rotation="none")
    assert any("rotation is off" in p for p in imposition.validate_layout(turned, items))
    too_long = Layout(10, 0, 0, "any", 5.0, [Sheet(6.0, [Placement("a", 0, 0, 3, 2)], 10)])
    assert any("over the maximum" in p for p in imposition.validate_layout(too_long))


def test_validator_strict_raises():
    with pytest.raises(ImpositionError, match="overlap"):
        imposition.validate_layout(_layout([Placement("a", 0, 0, 5, 5), Placement("b", 1, 1, 2, 2)]), strict=True)


# --- packing ------------------------------------------------------------------------------------------------

def test_quantities_expand_and_layout_is_valid():
    layout = imposition.impose(MIXED, 22, spacing=0.25, time_budget=FAST)
    assert imposition.validate_layout(layout, MIXED) == []
    assert Counter(p.key for p in _all(layout)) == {it.key: it.quantity for it in MIXED}
    assert len(layout.sheets) == 1
    sheet = layout.sheets[0]
    area = sum(it.width * it.height * it.quantity for it in MIXED)
    assert sheet.utilization == pytest.approx(area / (22 * sheet.length))


def test_perfect_fit_is_found():
    items = [Item("q", 5, 5, 4), Item("bar", 10, 2, 1)]
    layout = imposition.impose(items, 10, rotation="none", time_budget=FAST)
    assert layout.length == pytest.approx(12)


def test_rotation_none_never_rotates():
    layout = imposition.impose(MIXED, 22, spacing=0.25, rotation="none", time_budget=FAST)
    assert imposition.validate_layout(layout, MIXED) == []
    assert not any(p.rotated for p in _all(layout))
    assert all((p.width, p.height) in {(i.width, i.height) for i in MIXED} for p in _all(layout))


def test_rotation_90_always_rotates():
    layout = imposition.impose(MIXED, 22, spacing=0.25, rotation="90", time_budget=FAST)
    assert imposition.validate_layout(layout, MIXED) == []
    assert all(p.rotated for p in _all(layout))
    assert all((p.height, p.width) in {(i.width, i.height) for i in MIXED} for p in _all(layout))


def test_rotation_any_turns_what_only_fits_turned():
    items = [Item("banner", 20, 3, 2), Item("chest", 4, 3.5, 3)]
    layout = imposition.impose(items, 12, spacing=0.25, rotation="any", time_budget=FAST)
    assert imposition.validate_layout(layout, items) == []
    assert all(p.rotated for p in _all(layout) if p.key == "banner")
    with pytest.raises(ImpositionError, match="banner"):
        imposition.impose(items, 12, spacing=0.25, rotation="none", time_budget=FAST)


def test_spacing_is_honoured():
    layout = imposition.impose(MIXED, 22, spacing=0.5, time_budget=FAST)
    assert imposition.validate_layout(layout, MIXED) == []
    assert _min_gap(_all(layout)) >= 0.5 - 1e-9


def test_margins_are_honoured():
    layout = imposition.impose(MIXED, 22, spacing=0.25, margin=0.75, time_budget=FAST)
    assert imposition.validate_layout(layout, MIXED) == []
    placed = _all(layout)
    assert min(p.x for p in placed) >= 0.75 and max(p.x + p.width for p in placed) <= 22 - 0.75 + 1e-9
    assert min(p.y for p in placed) >= 0.75
    assert layout.sheets[0].length == pytest.approx(max(p.y + p.height for p in placed) + 0.75)


def test_max_length_splits_into_sheets():
    layout = imposition.impose(MIXED, 22, spacing=0.25, margin=0.5, max_length=24, time_budget=FAST)
    assert len(layout.sheets) > 1
    assert all(s.length <= 24 for s in layout.sheets)
    assert imposition.validate_layout(layout, MIXED) == []
    assert Counter(p.key for p in _all(layout)) == {it.key: it.quantity for it in MIXED}


def test_item_too_big_is_an_error_naming_it():
    with pytest.raises(ImpositionError, match="'huge'.*wider"):
        imposition.impose([Item("ok", 2, 2), Item("huge", 30, 25)], 22, time_budget=FAST)
    with pytest.raises(ImpositionError, match="'long'.*max_length"):
        imposition.impose([Item("long", 10, 30)], 22, max_length=20, rotation="none", time_budget=FAST)
    with pytest.raises(ImpositionError, match="'edge'"):
        imposition.impose([Item("edge", 22, 23)], 22, margin=0.25, time_budget=FAST)


@pytest.mark.parametrize("bad", [Item("z", 0, 2), Item("z", 2, -1), Item("z", 2, 2, 0), Item("z", 2, 2, -3),
                                 Item("z", float("nan"), 2), Item("z", 2, 2, 1.5)])
def test_bad_sizes_and_quantities_name_the_item(bad):
    with pytest.raises(ImpositionError, match="'z'"):
        imposition.impose([Item("fine", 1, 1), bad], 22, time_budget=FAST)


def test_bad_settings_are_errors():
    with pytest.raises(ImpositionError, match="rotation"):
        imposition.impose(MIXED, 22, rotation="45")
    with pytest.raises(ImpositionError, match="margin"):
        imposition.impose(MIXED, 22, margin=11)
    with pytest.raises(ImpositionError):
        imposition.impose(MIXED, -5)


def test_grouping_keeps_orders_in_disjoint_bands_in_order():
    """Adjacent means: each group fills its own y-band across the roll, bands in order of first appearance,
    at least the spacing apart, so one straight cut separates consecutive orders."""
    items = [Item("o1-front", 11, 12, 2, "o1"), Item("o2-chest", 4, 3.5, 7, "o2"), Item("o1-chest", 4, 3.5, 3, "o1"),
             Item("o3-youth", 9, 9.5, 3, "o3"), Item("o2-sleeve", 2.5, 11, 2, "o2"), Item("loose", 3, 3, 4)]
    layout = imposition.impose(items, 22, spacing=0.25, group_mode=True, time_budget=0.4)
    assert imposition.validate_layout(layout, items) == []
    placed = _all(layout)
    bands = []
    for group in ("o1", "o2", "o3", None):
        mine = [p for p in placed if p.group == group]
        bands.append((min(p.y for p in mine), max(p.y + p.height for p in mine)))
    for (_, end), (start, _) in itertools.pairwise(bands):
        assert end + 0.25 <= start + 1e-9
    plain = imposition.impose(items, 22, spacing=0.25, time_budget=0.2)
    assert layout.grouping_cost is not None and layout.grouping_cost >= 0
    assert layout.grouping_cost == pytest.approx(layout.length - plain.length, abs=2.0)
    print(f"grouping costs {layout.grouping_cost:.2f} in of film ({layout.length:.2f} vs {plain.length:.2f} in)")


def test_flow_grouping_keeps_orders_in_sequence_for_less_film():
    """Flow adjacency: groups follow each other along the roll; no piece of a group starts (bottom edge) before
    the last piece of the previous group starts, while their tops may interlock."""
    items = [Item(f"o{g}-{k}", w, h, q, f"o{g}") for g in range(5) for k, (w, h, q) in
             enumerate([(11, 12, 1), (4, 3.5, 3), (2.5, 9, 1)])]
    flow = imposition.impose(items, 22, spacing=0.25, group_mode="flow", time_budget=0.4)
    bands = imposition.impose(items, 22, spacing=0.25, group_mode=True, time_budget=0.4)
    assert imposition.validate_layout(flow, items) == []
    placed = _all(flow)
    starts = [[p.y for p in placed if p.group == f"o{g}"] for g in range(5)]
    for before, after in itertools.pairwise(starts):
        assert max(before) <= min(after) + 1e-9
    assert flow.grouping_cost is not None and flow.length <= bands.length
    print(f"flow grouping costs {flow.grouping_cost:.2f} in, bands {bands.grouping_cost:.2f} in")


def test_group_mode_must_be_known():
    with pytest.raises(ImpositionError, match="group_mode"):
        imposition.impose(MIXED, 22, group_mode="shuffle")


def test_grouping_with_max_length_keeps_groups_whole_when_they_fit():
    items = [Item(f"o{g}-{k}", w, h, q, f"o{g}") for g in range(4) for k, (w, h, q) in
             enumerate([(10, 11, 1), (4, 3.5, 3)])]
    layout = imposition.impose(items, 22, spacing=0.25, max_length=26, group_mode=True, time_budget=0.4)
    assert imposition.validate_layout(layout, items) == []
    for group in ("o0", "o1", "o2", "o3"):
        assert len({n for n, s in enumerate(layout.sheets) for p in s.placements if p.group == group}) == 1


def test_same_input_same_output(frozen_clock):
    first = imposition.layout_to_dict(imposition.impose(MIXED, 22, spacing=0.25, time_budget=FAST))
    second = imposition.layout_to_dict(imposition.impose(MIXED, 22, spacing=0.25, time_budget=FAST))
    assert first == second


# --- quality, determinism, budget, production scale ----------------------------------------------------------

TRANSFERS = [(11.5, 12.0), (10.5, 9.8), (12.0, 13.15), (8.0, 7.9), (9.35, 12.65), (4.0, 3.5), (3.25, 3.1),
             (2.85, 12.0), (3.95, 2.45), (2.0, 3.65), (10.6, 2.75), (4.25, 2.0), (6.75, 6.95), (2.5, 11.0)]


def _day(kinds: int, pieces: int, seed: int) -> list[Item]:
    """A production day: typical transfer sizes, slightly varied, with order quantities adding up to `pieces`."""
    rng = random.Random(seed)
    sizes = [(round(w * rng.uniform(0.9, 1.05), 2), round(h * rng.uniform(0.9, 1.05), 2))
             for w, h in rng.choices(TRANSFERS, k=kinds)]
    counts = [1] * kinds
    for _ in range(pieces - kinds):
        counts[rng.randrange(kinds)] += 1
    return [Item(f"d{n}", w, h, q) for n, ((w, h), q) in enumerate(zip(sizes, counts, strict=True))]


@pytest.fixture
def frozen_clock(monkeypatch):
    """A clock that never moves: the search then stops on its work count alone, as on an idle machine."""
    monkeypatch.setattr(search, "time", types.SimpleNamespace(perf_counter=lambda: 0.0))


def test_quality_sets_the_budget_and_an_explicit_budget_wins(monkeypatch):
    seen = []
    real = plan.lay_out

    def spy(*args, **kwargs):
        seen.append(args[5])
        return real(*args[:5], 0.0, **kwargs)

    monkeypatch.setattr(plan, "lay_out", spy)
    imposition.impose(MIXED, 22, spacing=0.25)
    imposition.impose(MIXED, 22, spacing=0.25, quality="thorough")
    imposition.impose(MIXED, 22, spacing=0.25, quality="thorough", time_budget=0.3)
    assert seen == [imposition.QUALITY_BUDGETS["fast"], imposition.QUALITY_BUDGETS["thorough"], 0.3]
    assert imposition.QUALITY_BUDGETS["thorough"] > imposition.QUALITY_BUDGETS["fast"]
    with pytest.raises(ImpositionError, match="quality"):
        imposition.impose(MIXED, 22, quality="best")


@pytest.mark.parametrize("quality", ["fast", "thorough"])
def test_same_layout_twice_for_each_quality(frozen_clock, quality):
    items = _day(12, 90, seed=3)
    first = imposition.layout_to_dict(imposition.impose(items, 22, spacing=0.25, quality=quality))
    second = imposition.layout_to_dict(imposition.impose(items, 22, spacing=0.25, quality=quality))
    assert first == second


def test_thorough_continues_the_fast_search(frozen_clock):
    """The search is one seeded trajectory cut by its work count: more work can only find a shorter strip."""
    items = _day(20, 150, seed=5)
    fast = imposition.impose(items, 22, spacing=0.25, quality="fast")
    thorough = imposition.impose(items, 22, spacing=0.25, quality="thorough")
    assert imposition.validate_layout(thorough, items) == []
    assert thorough.length <= fast.length


def test_two_thousand_pieces_stay_within_a_generous_bound_of_the_budget():
    rng = random.Random(11)
    items = [Item(f"k{n}", round(rng.uniform(1, 12), 2), round(rng.uniform(1, 14), 2)) for n in range(2000)]
    started = time.perf_counter()
    layout = imposition.impose(items, 22, spacing=0.25, time_budget=1.0)
    # Only a loose bound: a shared machine's timings are noisy; bench/imposition.py measures the real figures.
    assert time.perf_counter() - started < 5.0
    assert imposition.validate_layout(layout, items) == []


@pytest.mark.parametrize("group_mode", [False, "bands", "flow"])
def test_production_day_on_a_22_inch_roll_is_valid(group_mode):
    items = [dataclasses.replace(it, group=f"o{n % 40}") for n, it in enumerate(_day(60, 400, seed=7))]
    layout = imposition.impose(items, 22, spacing=0.25, margin=0.5, max_length=120, time_budget=0.5,
                               group_mode=group_mode)
    assert imposition.validate_layout(layout, items) == []
    assert len(layout.sheets) > 1 and all(s.length <= 120 for s in layout.sheets)
    assert Counter(p.key for p in _all(layout)) == {it.key: it.quantity for it in items}
    area = sum(it.width * it.height * it.quantity for it in items)
    assert layout.length < 1.5 * area / 21


def test_zero_budget_still_gives_a_valid_first_pass():
    layout = imposition.impose(MIXED, 22, spacing=0.25, time_budget=0)
    assert imposition.validate_layout(layout, MIXED) == []


def test_empty_order_gives_no_sheets():
    assert imposition.impose([], 22).sheets == []


# --- command line -------------------------------------------------------------------------------------------

def _cli(tmp_path: Path, payload, *flags: str) -> subprocess.CompletedProcess:
    path = tmp_path / "in.json"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    return subprocess.run([sys.executable, "-m", "prepress.imposition", *flags, str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_prints_layout_json(tmp_path):
    request = {"sheet_width": 22, "spacing": 0.25, "margin": 0, "rotation": "any", "max_length": None,
               "time_budget": FAST, "items": [{"key": "A", "width": 4, "height": 3.5, "quantity": 12}]}
    done = _cli(tmp_path, request)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    placed = out["sheets"][0]["placements"]
    assert len(placed) == 12 and set(placed[0]) == {"key", "x", "y", "width", "height", "rotated"}
    assert 0 < out["sheets"][0]["utilization"] <= 1
    layout = Layout(22, 0.25, 0, "any", None, [Sheet(s["length"], [Placement(**p) for p in s["placements"]], 22)
                                                for s in out["sheets"]])
    assert imposition.validate_layout(layout, [Item("A", 4, 3.5, 12)]) == []


def test_cli_group_mode_reports_groups_and_cost(tmp_path):
    request = {"sheet_width": 22, "spacing": 0.25, "group_mode": True, "time_budget": FAST,
               "items": [{"key": "A", "width": 4, "height": 3.5, "quantity": 3, "group": "o1"},
                         {"key": "B", "width": 11, "height": 12, "quantity": 1, "group": "o2"}]}
    done = _cli(tmp_path, request)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["grouping_cost"] >= 0
    assert {p["group"] for p in out["sheets"][0]["placements"]} == {"o1", "o2"}


@pytest.mark.parametrize("payload", [
    {"sheet_width": 22, "items": [{"key": "big", "width": 30, "height": 30, "quantity": 1}]},
    {"sheet_width": 22, "items": [{"key": "neg", "width": 3, "height": 3, "quantity": -1}]},
    {"sheet_width": 22, "rotation": "sideways", "items": []},
    {"items": []},
    "{not json",
])
def test_cli_bad_input_exits_2_with_one_line(tmp_path, payload):
    done = _cli(tmp_path, payload)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    if isinstance(payload, dict) and payload.get("items"):
        assert payload["items"][0]["key"] in done.stderr


def test_cli_takes_the_quality_as_flag_or_in_the_request(tmp_path):
    # One piece type that cannot turn leaves nothing to search, so even the thorough quality answers at once.
    request = {"sheet_width": 22, "spacing": 0.25, "rotation": "none",
               "items": [{"key": "A", "width": 4, "height": 3.5, "quantity": 12}]}
    for flags, body in (((), {**request, "quality": "thorough"}), (("--quality", "thorough"), request)):
        done = _cli(tmp_path, body, *flags)
        assert done.returncode == 0, done.stderr
        assert len(json.loads(done.stdout)["sheets"][0]["placements"]) == 12
    for flags, body in ((("--quality", "best"), request), ((), {**request, "quality": "best"})):
        done = _cli(tmp_path, body, *flags)
        assert done.returncode == 2 and done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1 and "quality" in done.stderr
