"""Iterated local search over the order in which the skyline heuristic tries piece types."""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from prepress import imposition_skyline as skyline

# Work units (see skyline.pack) the search may spend per second of budget. It stops on this count, not on the
# clock, so the same input gives the same layout on any machine; the count fills about half the budget on a
# modest core (2024 cloud vCPU), leaving the wall-clock deadline as a safety stop for much slower or busy ones.
WORK_PER_SECOND = 12_000_000

# Non-improving moves before the search jumps back to the best layout found with a bigger kick.
PLATEAU = 200
# Chance per move of switching the gap-filling rule (plain or tidy); rare because it changes everything.
RULE_SWITCH = 0.02

Shapes = Sequence[Sequence[skyline.Shape]]


# Decreasing sorts (area, height, width, perimeter, longest side) start the search: big pieces placed first
# leave the small ones to fill the gaps they make.
_SORTS: list[Callable[[skyline.Shape], tuple[int, ...]]] = [
    lambda s: (-s.w * s.h,),
    lambda s: (-s.h, -s.w),
    lambda s: (-s.w, -s.h),
    lambda s: (-(s.w + s.h),),
    lambda s: (-max(s.w, s.h), -min(s.w, s.h)),
]


def _starts(shapes: Shapes, counts: Sequence[int]) -> list[tuple[list[int], list[bool]]]:
    """Classic sort orders (area, height, width, perimeter, longest side) x orientation preferences."""
    types = [t for t in range(len(counts)) if counts[t] > 0]
    out: list[tuple[list[int], list[bool]]] = []
    for prefer in ("as given", "portrait", "landscape"):
        flips = [len(s) > 1 and (prefer == "portrait" and s[1].w < s[0].w or prefer == "landscape" and s[1].w > s[0].w)
                 for s in shapes]
        first = [s[1] if f else s[0] for s, f in zip(shapes, flips, strict=True)]
        for key in _SORTS:
            start = (sorted(types, key=lambda t, first=first, key=key: key(first[t]) + (t,)), flips)
            if start not in out:
                out.append(start)
    return out


def _score(p: skyline.Packed, areas: Sequence[int], limit: int | None) -> tuple[int, int, int]:
    """Lexicographic cost: unplaced area (bins only), used length, then waste trapped under the skyline."""
    unplaced = sum(areas[t] * n for t, n in enumerate(p.left)) if limit is not None else 0
    return (unplaced, p.length, p.waste)


def search(
    shapes: Shapes,
    counts: Sequence[int],
    width: int,
    *,
    limit: int | None = None,
    lower_bound: int = 0,
    time_budget: float = 1.0,
    seed: int = 0,
    start: skyline.Skyline | None = None,
) -> skyline.Packed:
    """Best packing found from the sort orders plus randomized swaps and moves within the work and time caps."""
    started = time.perf_counter()
    # The clock is only a safety stop (see WORK_PER_SECOND); it keeps a margin for the caller's own work.
    deadline = started + 0.9 * max(time_budget, 0.0)
    rng = random.Random(seed)
    areas = [s[0].w * s[0].h for s in shapes]
    n_types = sum(1 for c in counts if c > 0)
    max_work = int(WORK_PER_SECOND * max(time_budget, 0.0))

    def run(order: list[int], flips: list[bool], tidy: bool) -> skyline.Packed:
        view = [tuple(reversed(s)) if f else s for s, f in zip(shapes, flips, strict=True)]
        p = skyline.pack(view, order, counts, width, limit, tidy, start)
        # Bookkeeping around each pass (copies, scoring) costs about as much as a few candidates per type.
        return p._replace(work=p.work + 200 + 25 * len(shapes))

    best: skyline.Packed | None = None
    best_key = None
    best_state: tuple[list[int], list[bool], bool] = ([], [], False)
    work = 0
    for order, flips in _starts(shapes, counts):
        for tidy in (False, True):
            if best is not None and (work >= max_work or time.perf_counter() > deadline):
                break
            p = run(order, flips, tidy)
            work += p.work
            k = _score(p, areas, limit)
            if best_key is None or k < best_key:
                best, best_key, best_state = p, k, (order, flips, tidy)
    assert best is not None and best_key is not None
    if n_types < 2 and all(len(s) < 2 for s in shapes):
        return best
    cur, cur_key = best_state, best_key
    stale = 0
    can_flip = any(len(shapes[t]) > 1 for t in best_state[0])
    while work < max_work and not _done(best_key, lower_bound):
        if time.perf_counter() > deadline:
            break
        state = _mutate(rng, cur, can_flip, n_types)
        p = run(*state)
        work += p.work
        k = _score(p, areas, limit)
        if k <= cur_key:
            cur, cur_key = state, k
        if k < best_key:
            best, best_key, best_state = p, k, state
            stale = 0
        else:
            stale += 1
        if stale > PLATEAU:
            # Long plateau: restart from the best with a bigger kick rather than wander.
            cur = best_state
            for _ in range(3):
                cur = _mutate(rng, cur, can_flip, n_types)
            p = run(*cur)
            cur_key = _score(p, areas, limit)
            work += p.work
            stale = 0
    return best


def _done(key: tuple[int, int, int], lower_bound: int) -> bool:
    """True when nothing better is possible: everything placed at the length lower bound."""
    return key[0] == 0 and key[1] <= lower_bound


def _mutate(
    rng: random.Random, state: tuple[list[int], list[bool], bool], can_flip: bool, n: int
) -> tuple[list[int], list[bool], bool]:
    """One random neighbour: swap two types, move one type, flip which orientation a type tries first, or
    (rarely) switch the gap-filling rule."""
    order, flips, tidy = list(state[0]), list(state[1]), state[2]
    r = rng.random()
    if r < RULE_SWITCH:
        tidy = not tidy
    elif can_flip and r < 0.2:
        t = order[rng.randrange(n)]
        flips[t] = not flips[t]
    elif r < 0.6 or n < 3:
        i, j = rng.randrange(n), rng.randrange(n)
        order[i], order[j] = order[j], order[i]
    else:
        i, j = rng.randrange(n), rng.randrange(n)
        order.insert(j, order.pop(i))
    return order, flips, tidy
