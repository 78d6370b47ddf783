"""Local search over the order in which the skyline heuristic tries piece types, bounded by work, not time."""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

from prepress import imposition_skyline as skyline

# Work units (see skyline.pack) the search may spend per second of budget. It stops on this count, not on the
# clock, so the same input gives the same layout on any machine; the count fills about 40% of the budget on a
# modest core (a 2024 cloud vCPU does about 25 million units per CPU second), leaving the wall-clock deadline as
# a safety stop for much slower or busy ones.
WORK_PER_SECOND = 10_000_000
# Share of the budget after which the clock stops the search; the rest is the caller's margin.
DEADLINE_SHARE = 0.8

# Non-improving moves before the search jumps back to the best layout found with a bigger kick.
PLATEAU = 200
# Independent trajectories the open-strip search runs side by side, from the best start orders: one alone
# often settles in a local optimum its neighbours cannot leave, several rarely all do.
TRAJECTORIES = 10
# Chance per move of switching the gap-filling rule (plain or tidy); rare because it changes everything.
RULE_SWITCH = 0.02

Shapes = Sequence[Sequence[skyline.Shape]]
Key = tuple[int, int, int]


class State(NamedTuple):
    """What the search tunes: the order types are tried in, which orientation each tries first, the rule."""

    order: list[int]
    flips: list[bool]
    tidy: bool


class Runner:
    """Runs skyline passes for one search, counting their work against the work cap and the clock."""

    def __init__(self, shapes: Shapes, counts: Sequence[int], width: int, start: skyline.Skyline | None,
                 time_budget: float) -> None:
        self.shapes, self.counts, self.width, self.start = shapes, counts, width, start
        self.areas = [s[0].w * s[0].h for s in shapes]
        self.total = sum(a * n for a, n in zip(self.areas, counts, strict=True))
        self.work = 0
        self.max_work = int(WORK_PER_SECOND * max(time_budget, 0.0))
        self.deadline = time.perf_counter() + DEADLINE_SHARE * max(time_budget, 0.0)
        self.last_pass = 0.0

    def __call__(self, state: State, cap: int | None, worse_than: int | None = None) -> skyline.Packed:
        """One pass of the heuristic for `state` on a strip of length `cap` (None: open-ended).

        With `worse_than`, the pass stops (`cut`) as soon as it must leave out more area than that: the caller
        would reject it anyway, and a doomed pass costs a fraction of a full one.
        """
        started = time.perf_counter()
        view = [tuple(reversed(s)) if f else s for s, f in zip(self.shapes, state.flips, strict=True)]
        slack = None
        if cap is not None and worse_than is not None:
            # Waste beyond the strip's spare area plus the allowed shortfall means more than that is left out.
            slack = cap * self.width - self.total + worse_than
        p = skyline.pack(view, state.order, self.counts, self.width, cap, state.tidy, self.start, slack)
        # Bookkeeping around each pass (copies, scoring) costs about as much as a few candidates per type.
        self.work += p.work + 200 + 25 * len(self.shapes)
        self.last_pass = time.perf_counter() - started
        return p

    def spent(self) -> bool:
        """True once the work cap is reached, or when another pass would likely end past the deadline."""
        return self.work >= self.max_work or time.perf_counter() + self.last_pass > self.deadline

    def score(self, p: skyline.Packed, cap: int | None) -> Key:
        """Lexicographic cost: unplaced area (fixed length only), used length, then waste under the skyline."""
        unplaced = sum(self.areas[t] * n for t, n in enumerate(p.left)) if cap is not None else 0
        return (unplaced, p.length, p.waste)


# Decreasing sorts (area, height, width, perimeter, longest side) start the search: big pieces placed first
# leave the small ones to fill the gaps they make.
_SORTS: list[Callable[[skyline.Shape], tuple[int, ...]]] = [
    lambda s: (-s.w * s.h,),
    lambda s: (-s.h, -s.w),
    lambda s: (-s.w, -s.h),
    lambda s: (-(s.w + s.h),),
    lambda s: (-max(s.w, s.h), -min(s.w, s.h)),
]


def _starts(shapes: Shapes, counts: Sequence[int]) -> list[State]:
    """Classic sort orders (area, height, width, perimeter, longest side) x orientation preferences x rules."""
    types = [t for t in range(len(counts)) if counts[t] > 0]
    out: list[State] = []
    for prefer in ("as given", "portrait", "landscape"):
        flips = [len(s) > 1 and (prefer == "portrait" and s[1].w < s[0].w or prefer == "landscape" and s[1].w > s[0].w)
                 for s in shapes]
        first = [s[1] if f else s[0] for s, f in zip(shapes, flips, strict=True)]
        for key in _SORTS:
            order = sorted(types, key=_ranking(first, key))
            for tidy in (False, True):
                start = State(order, flips, tidy)
                if start not in out:
                    out.append(start)
    return out


def _ranking(first: Sequence[skyline.Shape], key: Callable[[skyline.Shape], tuple[int, ...]]
             ) -> Callable[[int], tuple[int, ...]]:
    """Sort key of a type: the sort's key of its preferred shape, then its index (a total order)."""
    return lambda t: key(first[t]) + (t,)


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
    """Best packing found from the sort orders plus randomized swaps and moves within the work and time caps.

    An open-ended strip (no `limit`) is shortened by asking for ever shorter fixed lengths (see `descend`); a
    sheet of fixed length is filled as fully as possible (see `improve`).
    """
    run = Runner(shapes, counts, width, start, time_budget)
    best: skyline.Packed | None = None
    best_key: Key | None = None
    best_state = State([], [], False)
    tried: list[tuple[Key, int, State]] = []
    for state in _starts(shapes, counts):
        if best is not None and run.spent():
            break
        p = run(state, limit)
        k = run.score(p, limit)
        tried.append((k, len(tried), state))
        if best_key is None or k < best_key:
            best, best_key, best_state = p, k, state
    assert best is not None and best_key is not None
    n_types = sum(1 for c in counts if c > 0)
    if n_types < 2 and all(len(s) < 2 for s in shapes) or _done(best_key, lower_bound):
        return best
    moves = Moves(random.Random(seed), any(len(shapes[t]) > 1 for t in best_state.order), n_types)
    if limit is None:
        return descend(run, moves, best, [t[2] for t in sorted(tried)[:TRAJECTORIES]], lower_bound)
    return improve(run, moves, best, best_key, best_state, limit, lower_bound)


def descend(run: Runner, moves: Moves, best: skyline.Packed, states: list[State], lower_bound: int) -> skyline.Packed:
    """Shorten an open strip: local search for a layout of every piece within one unit less than the best.

    Asking "does everything fit within this length?" (the decision version, as in Wei et al.'s iterated binary
    search on the strip length) scores each pass by the area it leaves out, a far finer signal than the length
    itself, which most orders share. Each success sets the target just below the new best: on production days
    the lower bound is far from reachable, so probing halfway down would spend the budget on hopeless targets.
    The trajectories from `states` take turns, each accepting a move that leaves out no more than it did.
    """
    curs = list(states)
    while not run.spent() and best.length > lower_bound:
        target = best.length - 1
        keys = [run.score(run(c, target), target) for c in curs]
        n = 0
        while not run.spent():
            j = n % len(curs)
            n += 1
            state = moves.mutate(curs[j])
            p = run(state, target, keys[j][0])
            if p.cut:
                continue
            k = run.score(p, target)
            if k[0] == 0:
                best, curs[j] = p, state
                break
            if k <= keys[j]:
                curs[j], keys[j] = state, k
    return best


def improve(run: Runner, moves: Moves, best: skyline.Packed, best_key: Key, best_state: State, limit: int,
            lower_bound: int) -> skyline.Packed:
    """Fill a sheet of fixed length: local search on (unplaced area, length, waste) with restarts."""
    cur, cur_key = best_state, best_key
    stale = 0
    while not run.spent() and not _done(best_key, lower_bound):
        state = moves.mutate(cur)
        p = run(state, limit)
        k = run.score(p, limit)
        if k <= cur_key:
            cur, cur_key = state, k
        if k < best_key:
            best, best_key, best_state = p, k, state
            stale = 0
        else:
            stale += 1
        if stale > PLATEAU:
            # Long plateau: restart from the best with a bigger kick rather than wander.
            cur = moves.kick(best_state)
            cur_key = run.score(run(cur, limit), limit)
            stale = 0
    return best


def _done(key: Key, lower_bound: int) -> bool:
    """True when nothing better is possible: everything placed at the length lower bound."""
    return key[0] == 0 and key[1] <= lower_bound


class Moves:
    """Random neighbours of a search state, from the search's own seeded generator."""

    def __init__(self, rng: random.Random, can_flip: bool, n_types: int) -> None:
        self.rng, self.can_flip, self.n = rng, can_flip, n_types

    def mutate(self, state: State) -> State:
        """Swap two types, move one type, flip which orientation a type tries first, or (rarely) switch rule."""
        rng, n = self.rng, self.n
        order, flips, tidy = list(state.order), list(state.flips), state.tidy
        r = rng.random()
        if r < RULE_SWITCH:
            tidy = not tidy
        elif self.can_flip and r < 0.2:
            t = order[rng.randrange(n)]
            flips[t] = not flips[t]
        elif r < 0.6 or n < 3:
            i, j = rng.randrange(n), rng.randrange(n)
            order[i], order[j] = order[j], order[i]
        else:
            i, j = rng.randrange(n), rng.randrange(n)
            order.insert(j, order.pop(i))
        return State(order, flips, tidy)

    def kick(self, state: State) -> State:
        """A few moves at once, to leave a plateau."""
        for _ in range(3):
            state = self.mutate(state)
        return state
