"""Resampling for mockups: warp a premultiplied design into a print area's box, and lay out watermarks."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image

from prepress import mockup_blend, mockup_geometry

PAD = 2
# Displacement warps through a mesh of bilinear cells; the field is blurred wider than this, so cells stay smooth.
MESH_CELL = 24
_AXIS_ALIGNED_TOLERANCE = 1e-9


def warp(design: Image.Image, design_to_photo: np.ndarray, placement: mockup_geometry.Placement,
         extent: tuple[float, float], box: tuple[int, int, int, int],
         field: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The RGBa `design` mapped into photo `box` (with_headroom scaled): an (h, w, 4) uint8 array.

    `design_to_photo` maps design pixels to photo pixels, `placement` is the fit on the area's canvas, `extent`
    the area's largest on-photo size, `field` an optional (dx, dy) displacement over the box.
    """
    # Only the part of the design on the canvas can show (cover crops); keep a margin for the filter.
    crop = (max(0, math.floor(-placement.offset_x) - PAD), max(0, math.floor(-placement.offset_y) - PAD),
            min(design.width, math.ceil(placement.canvas_w - placement.offset_x) + PAD),
            min(design.height, math.ceil(placement.canvas_h - placement.offset_y) + PAD))
    part = design.crop(crop) if crop != (0, 0, *design.size) else design
    # Box-reduce big designs to about the on-photo size first: the perspective warp's bicubic filter does not
    # widen when minifying, so a much larger source would alias (moire) instead of averaging.
    kx = max(1, round(placement.canvas_w / max(extent[0], 1.0)))
    ky = max(1, round(placement.canvas_h / max(extent[1], 1.0)))
    if (kx, ky) != (1, 1):
        part = part.reduce((min(kx, part.width), min(ky, part.height)))
    part = mockup_blend.with_headroom(part)
    # Transparent padding lets the filter ramp alpha down across the design edge: anti-aliasing for free.
    padded = Image.new("RGBa", (part.width + 2 * PAD, part.height + 2 * PAD), (0, 0, 0, 0))
    padded.paste(part, (PAD, PAD))
    x0, y0, x1, y1 = box
    design_to_padded = (mockup_geometry.translate(PAD, PAD)
                        @ mockup_geometry.scale(part.width / (crop[2] - crop[0]), part.height / (crop[3] - crop[1]))
                        @ mockup_geometry.translate(-crop[0], -crop[1]))
    out_to_in = design_to_padded @ np.linalg.inv(design_to_photo) @ mockup_geometry.translate(x0, y0)
    out_to_in = out_to_in / out_to_in[2, 2]
    size = (x1 - x0, y1 - y0)
    if field is not None:
        mesh = displaced_mesh(field, out_to_in, MESH_CELL)
        return np.asarray(padded.transform(size, Image.Transform.MESH, mesh, Image.Resampling.BICUBIC))
    if _axis_aligned(out_to_in):
        return _scale_into(padded, out_to_in, size)
    return np.asarray(padded.transform(size, Image.Transform.PERSPECTIVE, mockup_geometry.pillow_coeffs(out_to_in),
                                       Image.Resampling.BICUBIC))


def _axis_aligned(m: np.ndarray) -> bool:
    off_diagonal = (m[0, 1], m[1, 0], m[2, 0], m[2, 1])
    return all(abs(v) <= _AXIS_ALIGNED_TOLERANCE for v in off_diagonal) and m[0, 0] > 0 and m[1, 1] > 0


def _scale_into(padded: Image.Image, out_to_in: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Axis-aligned areas (posters, frames, flat lays): a separable resize is several times cheaper than a warp."""
    (sx, _, tx), (_, sy, ty) = out_to_in[0], out_to_in[1]
    # Output pixels whose whole span maps inside the padded source; the rest is transparent anyway.
    left, top = max(0, math.ceil(-tx / sx)), max(0, math.ceil(-ty / sy))
    right = min(size[0], math.floor((padded.width - tx) / sx))
    bottom = min(size[1], math.floor((padded.height - ty) / sy))
    layer = np.zeros((size[1], size[0], 4), dtype=np.uint8)
    if right <= left or bottom <= top:
        return layer
    src = (max(0.0, sx * left + tx), max(0.0, sy * top + ty),
           min(padded.width, sx * right + tx), min(padded.height, sy * bottom + ty))
    region = padded.resize((right - left, bottom - top), Image.Resampling.BICUBIC, box=src)
    layer[top:bottom, left:right] = np.asarray(region)
    return layer


def displaced_mesh(field: tuple[np.ndarray, np.ndarray], out_to_in: np.ndarray, cell: int) -> list[tuple]:
    """Pillow MESH data: cells of the output box, each sourced from where (x - dx, y - dy) maps in the input."""
    dx, dy = field
    h, w = dx.shape
    xs = np.append(np.arange(0, w, cell), w).astype(np.float64)
    ys = np.append(np.arange(0, h, cell), h).astype(np.float64)
    gx, gy = np.meshgrid(xs, ys)
    # Field values live on pixel centres; a node takes its nearest pixel's shift.
    ix = np.clip(np.rint(gx - 0.5).astype(np.int64), 0, w - 1)
    iy = np.clip(np.rint(gy - 0.5).astype(np.int64), 0, h - 1)
    px, py = gx - dx[iy, ix], gy - dy[iy, ix]
    u, v, q = (out_to_in @ np.stack([px.ravel(), py.ravel(), np.ones(px.size)])).reshape(3, *px.shape)
    sx, sy = (u / q).tolist(), (v / q).tolist()
    xi, yi = xs.astype(int).tolist(), ys.astype(int).tolist()
    mesh = []
    for r in range(len(yi) - 1):
        top_x, top_y, bot_x, bot_y = sx[r], sy[r], sx[r + 1], sy[r + 1]
        for c in range(len(xi) - 1):
            mesh.append(((xi[c], yi[r], xi[c + 1], yi[r + 1]),
                         (top_x[c], top_y[c], bot_x[c], bot_y[c],
                          bot_x[c + 1], bot_y[c + 1], top_x[c + 1], top_y[c + 1])))
    return mesh


def watermark_layer(image: Image.Image, opacity: float, scale: float, position: str, margin: float,
                    size: tuple[int, int]) -> tuple[Image.Image, Image.Image, tuple[int, int]]:
    """The watermark for an output of `size`: (RGB, alpha mask with opacity applied, paste position)."""
    rgba = mockup_blend.to_srgb_rgba(image)
    factor = scale * max(size) / max(rgba.size)
    rgba = rgba.resize((max(1, round(rgba.width * factor)), max(1, round(rgba.height * factor))),
                       Image.Resampling.LANCZOS)
    if position == "tile":
        rgba, pos = _tiles(rgba, size), (0, 0)
    else:
        fx, fy = mockup_geometry.ALIGNMENTS[position]
        free_x, free_y = size[0] - rgba.width, size[1] - rgba.height
        # A mark wider than twice the margin's room hugs the edge instead of poking out of the photo.
        mx, my = min(margin * max(size), free_x / 2), min(margin * max(size), free_y / 2)
        pos = (round(mx + fx * (free_x - 2 * mx)), round(my + fy * (free_y - 2 * my)))
    alpha = rgba.getchannel("A").point(lambda v: round(v * opacity))
    return rgba.convert("RGB"), alpha, pos


def _tiles(mark: Image.Image, canvas: tuple[int, int]) -> Image.Image:
    """The watermark repeated over the whole canvas in staggered rows with half-mark gaps."""
    # Drawn on an oversized layer so marks cut by the canvas edge need no clipping arithmetic.
    mw, mh = mark.size
    layer = Image.new("RGBA", (canvas[0] + 2 * mw, canvas[1] + 2 * mh), (0, 0, 0, 0))
    step_x, step_y = max(1, mw * 3 // 2), max(1, mh * 2)
    for row, y in enumerate(range(mh // 2, canvas[1] + mh, step_y)):
        for x in range((step_x // 2) * (row % 2), canvas[0] + mw, step_x):
            layer.alpha_composite(mark, (x, y))
    return layer.crop((mw, mh, mw + canvas[0], mh + canvas[1]))
