"""rectpack's best strip for an instance: every algorithm x sort it offers, each layout checked by our validator."""
from __future__ import annotations

import re
from typing import Any

import rectpack
from rectpack import guillotine, maxrects, skyline

from prepress import imposition

SCALE = 1000  # rectpack gets integer thousandths of an inch so float rounding cannot favour either side
SORTS = {name: getattr(rectpack, name) for name in sorted(dir(rectpack)) if name.startswith("SORT_")}

def _algos() -> list[type]:
    """Every concrete packing algorithm rectpack 0.2.2 offers (guillotine ones need a selection and a split)."""
    out = []
    for mod, prefix in ((maxrects, "MaxRects"), (skyline, "Skyline")):
        out += [getattr(mod, n) for n in sorted(dir(mod)) if n.startswith(prefix) and n != prefix
                and n not in ("SkylineWMixin",)]
    out += [getattr(guillotine, n) for n in sorted(dir(guillotine))
            if re.fullmatch(r"Guillotine(Baf|Blsf|Bssf)(Sas|Las|Slas|Llas|Maxas|Minas)", n)]
    return out


def best(items: list[imposition.Item], width: float, spacing: float, rotation: bool) -> dict[str, Any]:
    """Shortest valid strip over every rectpack algorithm x sort, packing one tall bin of the roll width."""
    gap = round(spacing * SCALE)
    rects = [(round(it.width * SCALE) + gap, round(it.height * SCALE) + gap, n)
             for n, it in enumerate(items) for _ in range(it.quantity)]
    tall = sum(max(w, h) for w, h, _ in rects)
    best: dict[str, Any] = {"length": float("inf"), "name": None, "invalid": 0, "incomplete": 0, "runs": 0}
    for algo in _algos():
        for sort_name, sort in SORTS.items():
            packer = rectpack.newPacker(mode=rectpack.PackingMode.Offline, bin_algo=rectpack.PackingBin.BFF,
                                        pack_algo=algo, sort_algo=sort, rotation=rotation)
            for rid, (w, h, _n) in enumerate(rects):
                packer.add_rect(w, h, rid)
            packer.add_bin(round(width * SCALE) + gap, tall)
            packer.pack()
            best["runs"] += 1
            placed = packer.rect_list()
            layout = _rectpack_layout(placed, rects, items, width, spacing, gap, rotation)
            if len(placed) != len(rects):
                # Some guillotine splits strand pieces even in a bin this tall; such runs cannot compete.
                best["incomplete"] += 1
                continue
            if imposition.validate_layout(layout, items):
                best["invalid"] += 1
                continue
            if layout.length < best["length"]:
                best.update(length=layout.length, name=f"{algo.__name__}/{sort_name}")
    return best


def _rectpack_layout(placed: list, rects: list, items: list[imposition.Item], width: float, spacing: float,
                     gap: int, rotation: bool) -> imposition.Layout:
    """rectpack's grown rectangles back to pieces in inches, so our validator judges them like ours."""
    placements = []
    for _, x, y, w, h, rid in placed:
        it = items[rects[rid][2]]
        rotated = (w, h) != rects[rid][:2]
        pw, ph = (it.height, it.width) if rotated else (it.width, it.height)
        placements.append(imposition.Placement(it.key, x / SCALE, y / SCALE, pw, ph, rotated))
    length = max((p.y + p.height for p in placements), default=0.0)
    sheet = imposition.Sheet(round(length, 6), placements, width)
    return imposition.Layout(width, spacing, 0.0, "any" if rotation else "none", None, [sheet])

