"""Preflight checks of a gang sheet before rendering: design resolution, size and transparency, and sheet limits.

Designs are named by their layout key; callers key designs by a label people read (file name and order
reference, see labels.design_labels), so every message names the design as the shop knows it. The sheet limits are
the image-size policy's (imagelimits.output_refusal): the printer's maximum width and length, the request's sheet
length cap, and what a PNG can hold; a design over the upload pixel limit is refused as the renderer would.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from typing import Any, cast

import pyvips
from PIL import Image

from prepress import imageinfo, imagelimits, units

ERROR = "error"
WARNING = "warning"
DEFAULT_MIN_DPI = 150.0
# Placed sizes are stored in rounded inches, so a design made for exactly its size can land a hair under the job
# DPI; shortfalls within this fraction are not worth a warning.
DEFAULT_DPI_TOLERANCE = 0.01


@dataclasses.dataclass(frozen=True)
class Finding:
    """One preflight result; `key` is the design concerned (None for sheet-wide findings)."""

    level: str
    code: str
    key: str | None
    message: str
    sheet: int | None = None


@dataclasses.dataclass(frozen=True)
class DesignFacts:
    """What preflight needs to know about a design file; `has_alpha` means some pixel is not fully opaque."""

    width_px: int
    height_px: int
    has_alpha: bool
    fully_transparent: bool = False


def design_facts(path: str | os.PathLike[str], max_pixels: int | None = None) -> DesignFacts:
    """Facts of one image file, streaming its alpha (never the whole decoded bitmap); ValueError if unreadable.

    A design over `max_pixels` (default: the configured upload limit) is described from its header alone, unread,
    so that `check_design` can refuse it by name instead of the decoder working through a bomb.
    """
    if os.path.getsize(path) == 0:
        return DesignFacts(0, 0, False, False)
    limit = imagelimits.max_upload_pixels() if max_pixels is None else max_pixels
    try:
        # Our own header reader: Pillow's process-wide limit must not decide what preflight may look at.
        header = imageinfo.inspect(path, max_pixels=imagelimits.PNG_MAX_SIDE_PX ** 2)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read image {os.fspath(path)!r}: {exc}") from exc
    width, height = header.width, header.height
    if not header.has_alpha or width * height > limit:
        return DesignFacts(width, height, False, False)
    low, high, full = _alpha_range(path)
    return DesignFacts(width, height, low < full, high == 0)


def _alpha_range(path: str | os.PathLike[str]) -> tuple[float, float, float]:
    try:
        image = pyvips.Image.new_from_file(os.fspath(path), access="sequential")
        if image.hasalpha():
            # One streaming pass: a sequential load cannot be read twice, so min and max come from stats together.
            stats = image[image.bands - 1].stats()
            full = 65535.0 if image.format in ("ushort", "short") else 255.0
            return stats(0, 0)[0], stats(1, 0)[0], full
    except pyvips.Error as exc:
        raise ValueError(f"cannot read image {os.fspath(path)!r}: {exc}") from exc
    # libvips did not expose the colour-key transparency Pillow saw (e.g. tRNS); such files are small, decode them.
    with Image.open(path) as im:
        # One band: the extrema are a (low, high) pair of numbers.
        low, high = cast(tuple[float, float], im.convert("RGBA").getchannel("A").getextrema())
    return float(low), float(high), 255.0


def collect_facts(designs: Mapping[str, str | os.PathLike[str]], max_pixels: int | None = None
                  ) -> tuple[dict[str, DesignFacts], list[Finding]]:
    """Facts for every readable design, plus an error finding for each missing or unreadable file."""
    facts: dict[str, DesignFacts] = {}
    findings: list[Finding] = []
    for key, path in designs.items():
        try:
            facts[key] = design_facts(path, max_pixels)
        except FileNotFoundError:
            findings.append(Finding(ERROR, "missing_design", key, f"design file {os.fspath(path)!r} not found"))
        except (OSError, ValueError) as exc:
            findings.append(Finding(ERROR, "unreadable_design", key, str(exc)))
    return facts, findings


def check_design(key: str, facts: DesignFacts, sheet: int | None = None,
                 max_pixels: int | None = None) -> list[Finding]:
    """Findings about a design on its own: empty, over the pixel limit, fully transparent, or opaque (a box)."""
    if facts.width_px <= 0 or facts.height_px <= 0:
        return [Finding(ERROR, "empty_design", key, f"design {key!r} has no pixels "
                        f"({facts.width_px}x{facts.height_px})", sheet)]
    refusal = None if max_pixels is None else imagelimits.upload_refusal(facts.width_px, facts.height_px, max_pixels)
    if refusal is not None:
        return [Finding(ERROR, "design_too_large", key, f"design {key!r}: {refusal}", sheet)]
    if facts.fully_transparent:
        return [Finding(ERROR, "fully_transparent", key, f"design {key!r} is fully transparent: nothing would print",
                        sheet)]
    if not facts.has_alpha:
        return [Finding(WARNING, "no_transparency", key, f"design {key!r} has no transparency: its whole "
                        f"{facts.width_px}x{facts.height_px} px rectangle will print as a box", sheet)]
    return []


def check_sheet(sheet: Mapping[str, Any], sheet_width: float, facts: Mapping[str, DesignFacts], *, dpi: float,
                min_dpi: float = DEFAULT_MIN_DPI, max_width: float | None = None, max_length: float | None = None,
                length_cap: float | None = None, max_design_pixels: int | None = None,
                dpi_tolerance: float = DEFAULT_DPI_TOLERANCE, sheet_number: int | None = None) -> list[Finding]:
    """All findings for one layout sheet (inches) at job resolution `dpi`.

    Limits are optional: the printer's `max_width` and `max_length`, the sheet `length_cap` of the request (inches),
    and `max_design_pixels`, the upload limit every design must be within (the renderer refuses larger ones).
    """
    n = sheet_number
    findings = _sheet_findings(sheet_width, float(sheet.get("length", 0)), dpi, max_width, max_length, length_cap, n)
    seen_keys: set[str] = set()
    seen_sizes: set[tuple[str, float, float, bool]] = set()
    for p in sheet.get("placements", []):
        key = str(p["key"])
        f = facts.get(key)
        if key not in seen_keys:
            seen_keys.add(key)
            findings.extend(check_design(key, f, n, max_design_pixels) if f else
                            [Finding(ERROR, "missing_design", key, f"no design facts for {key!r}", n)])
        width, height, rotated = float(p["width"]), float(p["height"]), bool(p.get("rotated", False))
        ident = (key, width, height, rotated)
        if f is None or f.width_px <= 0 or f.height_px <= 0 or width <= 0 or height <= 0 or ident in seen_sizes:
            continue
        seen_sizes.add(ident)
        # A rotated placement's placed width is made from the design's pixel height.
        px_w, px_h = (f.height_px, f.width_px) if rotated else (f.width_px, f.height_px)
        findings.extend(_dpi_findings(key, units.effective_dpi(px_w, px_h, width, height), width, height, dpi=dpi,
                                      min_dpi=min_dpi, tolerance=dpi_tolerance, sheet=n))
    return findings


def _sheet_findings(width: float, length: float, dpi: float, max_width: float | None, max_length: float | None,
                    length_cap: float | None, n: int | None) -> list[Finding]:
    found = []
    if max_width is not None and width > max_width + 1e-9:
        found.append(Finding(ERROR, "sheet_too_wide", None,
                             f"sheet is {width:g} in wide, the printer takes at most {max_width:g} in", n))
    if max_length is not None and length > max_length + 1e-9:
        found.append(Finding(ERROR, "sheet_too_long", None,
                             f"sheet is {length:g} in long, the printer takes at most {max_length:g} in", n))
    if length_cap is not None and length > length_cap + 1e-9:
        found.append(Finding(ERROR, "sheet_too_long", None,
                             f"sheet is {length:g} in long, over the sheet length cap of {length_cap:g} in", n))
    if length > 0 and dpi > 0:
        # The caps above are the only ones a printer knows; what a PNG can hold is the last word.
        refusal = imagelimits.output_refusal(width, length, int(dpi))
        if refusal is not None:
            found.append(Finding(ERROR, "sheet_too_large", None, f"sheet cannot be rendered: {refusal}", n))
    return found


def _dpi_findings(key: str, eff: float, width: float, height: float, *, dpi: float, min_dpi: float,
                  tolerance: float, sheet: int | None) -> list[Finding]:
    where = f"design {key!r} placed at {width:g} x {height:g} in reaches {eff:.0f} DPI"
    if eff < min_dpi:
        return [Finding(ERROR, "dpi_below_minimum", key, f"{where}, below the {min_dpi:g} DPI minimum", sheet)]
    if eff < dpi * (1 - tolerance):
        return [Finding(WARNING, "dpi_below_job", key, f"{where}, below the job's {dpi:g} DPI", sheet)]
    return []


def check_layout(layout: Mapping[str, Any], sheet_width: float | None, facts: Mapping[str, DesignFacts], *,
                 dpi: float, **limits: Any) -> list[Finding]:
    """Findings for every sheet of a layout, numbered from 1; width from the argument or the layout's "sheet_width"."""
    findings: list[Finding] = []
    for number, sheet in enumerate(layout.get("sheets", []), start=1):
        width = sheet_width if sheet_width is not None else sheet.get("sheet_width", layout.get("sheet_width"))
        if width is None:
            raise ValueError("sheet width unknown: pass sheet_width or put \"sheet_width\" in the layout")
        findings.extend(check_sheet(sheet, float(width), facts, dpi=dpi, sheet_number=number, **limits))
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when any finding blocks printing."""
    return any(f.level == ERROR for f in findings)
