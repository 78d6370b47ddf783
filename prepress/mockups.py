"""Product mockups: warp a design into a template photo's print areas and encode a listing photo.

Coordinates are continuous photo pixels: (0, 0) is the top-left corner of the top-left pixel and
(width, height) the bottom-right corner of the bottom-right pixel, so a point may lie on the photo's edge.

A quad area lists corners top-left, top-right, bottom-right, bottom-left as seen on the product (clockwise on
screen); the design canvas gets the area's aspect (explicit `aspect`, else the mean of opposite edge lengths)
and is warped onto the quad with a perspective homography. A polygon area fits the design to the polygon's
bounding box and clips it by the polygon.

Fit: `contain` shows the whole design (letterboxed, transparent around it), `cover` fills the area and crops
the design, `stretch` distorts the design to the area. Alignment picks where the letterbox/crop slack goes:
`center`, `top`, `bottom`, `left`, `right`, `top-left`, `top-right`, `bottom-left`, `bottom-right`.

Blend: `normal` paints the design as is; `multiply` scales it by the photo's luminance divided by the area's
median luminance, so folds and shadows darken it and highlights brighten it (factor capped at 1.5).
Displacement (template-photo pixels, 0 = off) shifts design pixels along the photo's blurred luminance
gradient, the strongest folds by the full amount.

Output size: the photo is scaled so its long side is `long_side`; a smaller photo is NOT upscaled unless
`upscale=True` (an upscaled listing photo only looks soft), so the output long side is min(long_side, photo).
Photos are used in their stored pixel orientation: apply ImageOps.exif_transpose when loading if the template
editor shows them upright. Designs and photos in any mode are converted to sRGB through their embedded ICC
profile; the output is opaque sRGB RGB with the sRGB profile embedded.

Watermark: drawn last, over the designs; its long side is `scale` x the output long side, placed at `position`
(`center`, the four corners with a `margin` fraction of the long side, or `tile` for a staggered grid).

Batches: prepare_template() caches the scaled photo, shading, masks and watermark per output size, and
prepare_design() converts a design once; pass those instead of raw images when rendering many mockups.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np
from PIL import Image

from prepress import mockup_blend, mockup_checks, mockup_geometry, mockup_warp

FORMATS = {"JPEG": "jpg", "JPG": "jpg", "WEBP": "webp", "PNG": "png"}
PREVIEW_LONG_SIDE = 600
# Luminance blur for displacement, relative to the output long side: follows folds, ignores weave noise.
_DISPLACEMENT_BLUR = 0.006


class MockupError(ValueError):
    """A template, area, design or output option that cannot be rendered."""

    def __init__(self, message: str, area_index: int | None = None) -> None:
        super().__init__(message if area_index is None else f"area {area_index}: {message}")
        self.area_index = area_index


@dataclass(frozen=True)
class PrintArea:
    """Where a design goes on a template photo and how it is blended (see the module docstring)."""

    points: Sequence[Sequence[float]]
    shape: str = "quad"
    fit: str = "contain"
    align: str = "center"
    blend: str = "normal"
    opacity: float = 1.0
    displacement: float = 0.0
    aspect: float | None = None


@dataclass(frozen=True, eq=False)
class Watermark:
    """A mark drawn over the finished mockup; `scale` is its long side as a fraction of the output's."""

    image: Image.Image
    opacity: float = 0.3
    scale: float = 0.2
    position: str = "bottom-right"
    margin: float = 0.02


@dataclass(frozen=True, eq=False)
class MockupTemplate:
    """A base product photo with its print areas and optional watermark."""

    photo: Image.Image
    areas: Sequence[PrintArea]
    name: str = "template"
    watermark: Watermark | None = None


def _points(area: PrintArea) -> list[tuple[float, float]]:
    return [(float(p[0]), float(p[1])) for p in area.points]


def validate_area(area: PrintArea, photo_size: tuple[int, int], index: int = 0) -> None:
    """Raise MockupError naming the problem and `index` if `area` cannot be rendered on a photo of `photo_size`."""
    problem = mockup_checks.area_problem(area, photo_size)
    if problem is not None:
        raise MockupError(problem, index)


def validate_watermark(mark: Watermark) -> None:
    """Raise MockupError if the watermark options are unusable."""
    problem = mockup_checks.watermark_problem(mark)
    if problem is not None:
        raise MockupError(problem)


def validate_template(template: MockupTemplate) -> None:
    """Raise MockupError for the first unusable area or watermark option of `template`."""
    if template.photo.width < 1 or template.photo.height < 1:
        raise MockupError("template photo is empty")
    if not template.areas:
        raise MockupError("template has no print areas")
    for index, area in enumerate(template.areas):
        validate_area(area, template.photo.size, index)
    if template.watermark is not None:
        validate_watermark(template.watermark)


def area_quad(area: PrintArea) -> list[tuple[float, float]]:
    """The quad the design is warped onto: the corners themselves, or a polygon's bounding box."""
    pts = _points(area)
    return pts if area.shape == "quad" else mockup_geometry.bounding_quad(pts)


def design_to_photo(area: PrintArea, design_size: tuple[int, int], point: tuple[float, float]) -> tuple[float, float]:
    """Where continuous design coordinate `point` lands on the template photo (before any output scaling)."""
    matrix = mockup_geometry.design_to_quad(design_size, area_quad(area), area.fit, area.align, area.aspect)
    return mockup_geometry.apply(matrix, *point)


@dataclass(frozen=True, eq=False)
class PreparedDesign:
    """A design converted once to premultiplied sRGB (mode RGBa), reusable across many templates."""

    image: Image.Image


def prepare_design(design: Image.Image | PreparedDesign) -> PreparedDesign:
    """Convert a design (any mode, any embedded ICC profile) to premultiplied sRGB once."""
    if isinstance(design, PreparedDesign):
        return design
    if design.width < 1 or design.height < 1:
        raise MockupError("design image is empty")
    return PreparedDesign(mockup_blend.to_srgb_rgba(design).convert("RGBa"))


@dataclass(frozen=True, eq=False)
class _AreaCache:
    area: PrintArea
    aspect: float
    quad: list[tuple[float, float]]
    extent: tuple[float, float]
    box: tuple[int, int, int, int]
    clip: np.ndarray | None
    shade: np.ndarray | None
    field: tuple[np.ndarray, np.ndarray] | None


@dataclass(frozen=True, eq=False)
class _Scaled:
    base: Image.Image
    areas: list[_AreaCache]
    mark: tuple[Image.Image, Image.Image, tuple[int, int]] | None


class PreparedTemplate:
    """A validated template plus per-output-size caches (scaled photo, shading, masks, watermark) for batches."""

    def __init__(self, template: MockupTemplate) -> None:
        validate_template(template)
        self.template = template
        self.photo = mockup_blend.to_srgb_rgb(template.photo)
        self._sizes: dict[tuple[int, int], _Scaled] = {}

    def output_size(self, long_side: int, upscale: bool = False) -> tuple[int, int]:
        """The output pixel size for `long_side`: exact, unless that would upscale and `upscale` is off."""
        if not isinstance(long_side, int) or isinstance(long_side, bool) or long_side < 16:
            raise MockupError(f"long_side must be an integer >= 16, got {long_side!r}")
        w, h = self.photo.size
        target = long_side if upscale else min(long_side, max(w, h))
        if w >= h:
            return target, max(1, round(h * target / w))
        return max(1, round(w * target / h)), target

    def scaled(self, long_side: int, upscale: bool = False) -> _Scaled:
        """The cached derived data at one output size, built on first use."""
        size = self.output_size(long_side, upscale)
        if size not in self._sizes:
            self._sizes[size] = self._build(size)
        return self._sizes[size]

    def _build(self, size: tuple[int, int]) -> _Scaled:
        base = self.photo if size == self.photo.size else self.photo.resize(
            size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        sx, sy = size[0] / self.photo.width, size[1] / self.photo.height
        base_rgb = np.asarray(base)
        areas = [self._build_area(area, base_rgb, sx, sy) for area in self.template.areas]
        mark = self.template.watermark
        layer = None if mark is None else mockup_warp.watermark_layer(
            mark.image, mark.opacity, mark.scale, mark.position, mark.margin, size)
        return _Scaled(base, areas, layer)

    @staticmethod
    def _build_area(area: PrintArea, base_rgb: np.ndarray, sx: float, sy: float) -> _AreaCache:
        height, width = base_rgb.shape[:2]
        pts = [(x * sx, y * sy) for x, y in _points(area)]
        quad = pts if area.shape == "quad" else mockup_geometry.bounding_quad(pts)
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        box = (max(0, math.floor(min(xs)) - 1), max(0, math.floor(min(ys)) - 1),
               min(width, math.ceil(max(xs)) + 1), min(height, math.ceil(max(ys)) + 1))
        coverage = mockup_blend.coverage_mask(pts, box[:2], (box[2] - box[0], box[3] - box[1]))
        lum = mockup_blend.luminance(base_rgb[box[1]:box[3], box[0]:box[2]])
        # Contain/stretch edges come anti-aliased from the warped alpha; only overflow needs clipping.
        clip = coverage[..., None] if area.shape == "polygon" or area.fit == "cover" else None
        shade = mockup_blend.shade_map(lum, coverage) if area.blend == "multiply" else None
        field = None
        if area.displacement > 0:
            field = mockup_blend.displacement_field(lum, area.displacement * max(sx, sy),
                                                    _DISPLACEMENT_BLUR * max(width, height))
        # The aspect comes from the unscaled area so the output size never changes the fit.
        aspect = area.aspect or mockup_geometry.quad_aspect(area_quad(area))
        return _AreaCache(area, aspect, quad, mockup_geometry.quad_extent(quad), box, clip, shade, field)


def prepare_template(template: MockupTemplate) -> PreparedTemplate:
    """Validate `template` and return a reusable PreparedTemplate for batch rendering."""
    return PreparedTemplate(template)


def render_mockup_image(template: MockupTemplate | PreparedTemplate, design: Image.Image | PreparedDesign, *,
                        long_side: int = 2000, upscale: bool = False) -> Image.Image:
    """Render one mockup as an sRGB RGB image whose long side is `long_side` (see module docstring)."""
    prepared = template if isinstance(template, PreparedTemplate) else PreparedTemplate(template)
    art = prepare_design(design).image
    scaled = prepared.scaled(long_side, upscale)
    out = scaled.base.copy()
    for cache in scaled.areas:
        area = cache.area
        placement = mockup_geometry.place(art.size, cache.aspect, area.fit, area.align)
        to_quad = mockup_geometry.design_to_quad(art.size, cache.quad, area.fit, area.align, cache.aspect)
        layer = mockup_warp.warp(art, to_quad, placement, cache.extent, cache.box, cache.field)
        weight = area.opacity if cache.clip is None else cache.clip * area.opacity
        # Composite onto the current output, not the cached photo, so overlapping areas stack.
        under = np.asarray(out.crop(cache.box))
        out.paste(Image.fromarray(mockup_blend.composite(under, layer, weight, cache.shade), "RGB"), cache.box[:2])
    if scaled.mark is not None:
        rgb, alpha, pos = scaled.mark
        out.paste(rgb, pos, alpha)
    return out


def _format(fmt: str) -> str:
    key = str(fmt).upper().lstrip(".")
    if key not in FORMATS:
        raise MockupError(f"format must be one of JPEG, WEBP, PNG, got {fmt!r}")
    return "JPEG" if key == "JPG" else key


def render_mockup(template: MockupTemplate | PreparedTemplate, design: Image.Image | PreparedDesign, *,
                  long_side: int = 2000, fmt: str = "JPEG", quality: int = 90, upscale: bool = False) -> bytes:
    """Render one mockup and encode it (JPEG, WEBP or PNG, sRGB profile embedded)."""
    kind = _format(fmt)
    if not isinstance(quality, int) or not 1 <= quality <= 100:
        raise MockupError(f"quality must be an integer within 1..100, got {quality!r}")
    image = render_mockup_image(template, design, long_side=long_side, upscale=upscale)
    return mockup_blend.encode(image, kind, quality)


def render_preview(template: MockupTemplate | PreparedTemplate, design: Image.Image | PreparedDesign, *,
                   long_side: int = PREVIEW_LONG_SIDE, fmt: str = "JPEG", quality: int = 80) -> bytes:
    """A small, quick mockup for the editor (600 px long side by default)."""
    return render_mockup(template, design, long_side=long_side, fmt=fmt, quality=quality)


def _slug(text: str, fallback: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug or fallback


def mockup_filename(design_name: str, template_name: str, fmt: str = "JPEG", index: int | None = None) -> str:
    """Output name `{design-stem}__{template-slug}[__{index:02d}].{ext}`, slugged to lowercase ASCII."""
    stem = PurePath(design_name.replace("\\", "/")).stem
    suffix = "" if index is None else f"__{index:02d}"
    return f"{_slug(stem, 'design')}__{_slug(template_name, 'template')}{suffix}.{FORMATS[_format(fmt)]}"
