"""A design's analysis, made once at upload and stored with the file: pixel size, DPI, alpha and trimmed artwork."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

from prepress import imageinfo, trim

VERSION = 1


class SizeUnknown(ValueError):
    """A design's physical size cannot be derived from the file; the message says what to give instead."""


@dataclasses.dataclass(frozen=True)
class DesignAnalysis:
    """What the file says and where its visible artwork is; `trim_box` is None when no pixel is visible."""

    width_px: int
    height_px: int
    dpi_x: float | None
    dpi_y: float | None
    has_alpha: bool
    trim_box: trim.Box | None
    alpha_threshold: int = trim.DEFAULT_ALPHA_THRESHOLD

    @property
    def dpi(self) -> float | None:
        """The lower of the two resolutions, when the file records them."""
        return None if self.dpi_x is None or self.dpi_y is None else min(self.dpi_x, self.dpi_y)

    @property
    def trimmed_size_px(self) -> tuple[int, int]:
        """Width and height of the visible artwork in pixels (0 x 0 when nothing is visible)."""
        return (self.trim_box.width, self.trim_box.height) if self.trim_box else (0, 0)

    @property
    def trimmed_size_in(self) -> tuple[float, float] | None:
        """The visible artwork's physical size from the DPI metadata; None without DPI or without artwork."""
        if self.dpi_x is None or self.dpi_y is None or self.trim_box is None:
            return None
        return self.trim_box.width / self.dpi_x, self.trim_box.height / self.dpi_y

    @property
    def trim_fractions(self) -> tuple[float, float, float, float] | None:
        """The trim box as fractions (left, top, right, bottom) of the image, for cropping a thumbnail of it."""
        box = self.trim_box
        if box is None:
            return None
        return (box.left / self.width_px, box.top / self.height_px, box.right / self.width_px,
                box.bottom / self.height_px)

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready record (derived sizes included for readers; `from_json` recomputes them)."""
        box = self.trim_box
        size_in = self.trimmed_size_in
        return {
            "version": VERSION, "width_px": self.width_px, "height_px": self.height_px,
            "dpi_x": self.dpi_x, "dpi_y": self.dpi_y, "dpi": self.dpi, "has_alpha": self.has_alpha,
            "alpha_threshold": self.alpha_threshold,
            "trim_box": dataclasses.asdict(box) if box else None,
            "trimmed_width_px": self.trimmed_size_px[0], "trimmed_height_px": self.trimmed_size_px[1],
            "trimmed_width_in": round(size_in[0], 4) if size_in else None,
            "trimmed_height_in": round(size_in[1], 4) if size_in else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DesignAnalysis:
        """The record `to_json` wrote; ValueError naming the field when it is not one."""
        if not isinstance(data, Mapping) or data.get("version") != VERSION:
            raise ValueError(f"not a version {VERSION} design analysis")
        try:
            box = data["trim_box"]
            return cls(_int(data["width_px"]), _int(data["height_px"]), _dpi(data["dpi_x"]), _dpi(data["dpi_y"]),
                       bool(data["has_alpha"]),
                       trim.Box(*(_int(box[k]) for k in ("left", "top", "right", "bottom"))) if box else None,
                       _int(data["alpha_threshold"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"design analysis is missing or has a malformed field: {exc}") from None


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _dpi(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise TypeError(f"expected a positive resolution, got {value!r}")
    return float(value)


def analyze(path: str | os.PathLike[str], facts: imageinfo.ImageFacts | None = None, *,
            alpha_threshold: int = trim.DEFAULT_ALPHA_THRESHOLD) -> DesignAnalysis:
    """Analyse an image file: `facts` from `imageinfo.inspect` (read again when not given), then the trim box.

    BadImage when the file is not a readable image within the configured upload limit; ValueError when its
    pixels cannot be decoded.
    """
    facts = facts if facts is not None else imageinfo.inspect(path)
    box = (trim.visible_box(path, threshold=alpha_threshold) if facts.has_alpha
           else trim.Box(0, 0, facts.width, facts.height))
    return DesignAnalysis(facts.width, facts.height, facts.dpi_x, facts.dpi_y, facts.has_alpha, box,
                          alpha_threshold)


def natural_size(analysis: DesignAnalysis, *, trimmed: bool = True, name: str | None = None) -> tuple[float, float]:
    """The design's print size in inches: its (trimmed) pixels over the DPI in its metadata.

    SizeUnknown, naming the design when `name` is given, when the file records no DPI (give width_in or size_id)
    or, trimmed, when no pixel is visible.
    """
    who = f"Design {name!r}" if name else "The design"
    if analysis.dpi_x is None or analysis.dpi_y is None:
        raise SizeUnknown(f"{who} has no DPI metadata, so its natural print size is unknown: give width_in "
                          "(the height follows its proportions) or size_id")
    if not trimmed:
        return analysis.width_px / analysis.dpi_x, analysis.height_px / analysis.dpi_y
    size = analysis.trimmed_size_in
    if size is None:
        raise SizeUnknown(f"{who} has no visible artwork (every pixel is transparent), so it has no print size")
    return size
