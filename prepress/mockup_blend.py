"""Pixel work for mockups: sRGB conversion, coverage masks, shading, displacement, compositing, encoding."""
from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageCms, ImageDraw

SUPERSAMPLE = 4
# Shading may brighten highlights a little but never blow a design out to white.
SHADE_RANGE = (0.0, 1.5)
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# The profile header records its creation time (bytes 24-36); zeroed, identical renders give identical files,
# so re-runs keep their checksums and ETags.
SRGB_ICC = _SRGB.tobytes()[:24] + bytes(12) + _SRGB.tobytes()[36:]
# Design layers are warped at this fraction of full scale, leaving room for bicubic overshoot before clipping.
HEADROOM = 0.8
_HEADROOM_LUT = [round(v * HEADROOM) for v in range(256)] * 4
_LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def _foreign_profile(icc: bytes | None) -> ImageCms.ImageCmsProfile | None:
    """The embedded profile if it is usable and not sRGB (converting sRGB to sRGB only costs time)."""
    if not icc:
        return None
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return None if "srgb" in ImageCms.getProfileDescription(profile).lower() else profile
    except (ImageCms.PyCMSError, OSError, ValueError):
        return None  # a broken embedded profile should not block a listing photo; treat the pixels as sRGB


def _icc_to_srgb(colour: Image.Image, profile: ImageCms.ImageCmsProfile | None) -> Image.Image:
    """Colour-only image to sRGB RGB through `profile`, or a plain convert without one."""
    if profile is not None:
        try:
            converted = ImageCms.profileToProfile(colour, profile, _SRGB, outputMode="RGB",
                                                  renderingIntent=ImageCms.Intent.PERCEPTUAL)
            if converted is not None:  # None only for in-place conversion, which this is not
                return converted
        except ImageCms.PyCMSError:
            pass  # profile does not fit the pixel mode (e.g. an RGB profile on a CMYK file)
    return colour if colour.mode == "RGB" else colour.convert("RGB")


def to_srgb_rgba(image: Image.Image) -> Image.Image:
    """Any Pillow image as sRGB RGBA (straight alpha), honouring an embedded ICC profile."""
    profile = _foreign_profile(image.info.get("icc_profile"))
    im = image
    if profile is None and im.mode in ("RGB", "RGBA", "RGBa", "L", "LA"):
        # Pillow images are never mutated here, so an RGBA input is returned as is rather than copied.
        return im if im.mode == "RGBA" else im.convert("RGBA")
    if im.mode in ("P", "PA"):
        im = im.convert("RGBA")
    elif im.mode in ("RGBa", "La"):
        im = im.convert(im.mode[:-1] + "A")
    elif im.mode.startswith("I") or im.mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if arr.max(initial=0) > 255 else 255.0
        im = Image.fromarray(np.clip(arr * (255.0 / peak), 0, 255).astype(np.uint8), "L")
    elif im.mode == "1":
        im = im.convert("L")
    alpha = im.getchannel("A") if im.mode in ("RGBA", "LA") else None
    colour = im.convert({"RGBA": "RGB", "LA": "L"}[im.mode]) if alpha is not None else im
    rgba = _icc_to_srgb(colour, profile).convert("RGBA")
    if alpha is not None:
        rgba.putalpha(alpha)
    return rgba


def to_srgb_rgb(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Any Pillow image as opaque sRGB RGB, transparency flattened onto `background`."""
    rgba = to_srgb_rgba(image)
    if rgba.getchannel("A").getextrema() == (255, 255):
        return rgba.convert("RGB")
    flat = Image.new("RGB", rgba.size, background)
    flat.paste(rgba, (0, 0), rgba)
    return flat


def coverage_mask(points: Sequence[tuple[float, float]], origin: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """Anti-aliased polygon coverage (0..1 float32) over a `size` box at `origin`, from a supersampled fill."""
    ox, oy = origin
    big = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 0)
    ImageDraw.Draw(big).polygon([((x - ox) * SUPERSAMPLE, (y - oy) * SUPERSAMPLE) for x, y in points], fill=255)
    return np.asarray(big.reduce(SUPERSAMPLE), dtype=np.float32) / 255.0


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance 0..1 of an (h, w, 3) uint8 sRGB array (Rec. 709 weights on encoded values)."""
    return (rgb.astype(np.float32) @ _LUMA) / 255.0


def shade_map(lum: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    """Multiply factors (h, w, 1): luminance over the area's median, so typical fabric maps to 1."""
    inside = lum[coverage > 0.5]
    typical = float(np.median(inside)) if inside.size else float(np.median(lum))
    shade = lum / max(typical, 1.0 / 255.0)
    return np.clip(shade, *SHADE_RANGE, out=shade)[..., None]


def displacement_field(lum: np.ndarray, strength: float, blur: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel (dx, dy) shift along the blurred luminance gradient, at most `strength` pixels long."""
    smooth = lum.astype(np.float32)
    radius = max(1, round(blur))
    # Three box passes approximate a Gaussian; done in float because 8-bit blur steps would dominate gradients.
    for axis in (0, 1):
        for _ in range(3):
            smooth = _box_blur(smooth, radius, axis)
    gy, gx = np.gradient(smooth)
    magnitude = np.hypot(gx, gy)
    # The strongest folds (99th percentile) get the full shift; outliers are clamped to it.
    norm = float(np.percentile(magnitude, 99)) if magnitude.size else 0.0
    if norm <= 1e-6:
        return np.zeros_like(gx), np.zeros_like(gy)
    factor = strength / np.maximum(magnitude, norm)
    return gx * factor, gy * factor


def _box_blur(arr: np.ndarray, radius: int, axis: int) -> np.ndarray:
    """Mean over a 2 * radius + 1 window along `axis`, edges extended."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (radius + 1, radius)
    total = np.cumsum(np.pad(arr, pad, mode="edge"), axis=axis, dtype=np.float64)
    n = arr.shape[axis]
    upper = np.take(total, np.arange(2 * radius + 1, 2 * radius + 1 + n), axis=axis)
    lower = np.take(total, np.arange(0, n), axis=axis)
    return ((upper - lower) / (2 * radius + 1)).astype(np.float32)


def with_headroom(premultiplied: Image.Image) -> Image.Image:
    """Scale an RGBa image by HEADROOM so bicubic overshoot at its edges stays representable in 8 bits."""
    return premultiplied.point(_HEADROOM_LUT)


def composite(base: np.ndarray, layer: np.ndarray, weight: float | np.ndarray,
              shade: np.ndarray | None) -> np.ndarray:
    """Blend a with_headroom RGBa layer over an RGB base; `weight` is opacity x clip, `shade` multiplies colour."""
    layer = layer.astype(np.float32, copy=False)
    alpha = layer[..., 3:4] * np.float32(1 / (255.0 * HEADROOM))
    # Bicubic rings past full opacity next to transparent edges; dividing the overshoot out of colour and alpha
    # together keeps the true colour instead of a bright outline.
    factor = np.float32(1 / HEADROOM) * weight / np.maximum(alpha, 1.0)
    colour = layer[..., :3] * factor
    if shade is not None:
        colour *= shade
    keep = 1.0 - layer[..., 3:4] * (factor * np.float32(1 / 255.0))
    out = base.astype(np.float32) * keep
    out += colour
    return np.clip(out + 0.5, 0, 255, out=out).astype(np.uint8)


def encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    """Encode an sRGB RGB image as JPEG, WEBP or PNG bytes with the sRGB profile embedded."""
    buf = io.BytesIO()
    if fmt == "PNG":
        image.save(buf, "PNG", compress_level=3, icc_profile=SRGB_ICC)
    elif fmt == "WEBP":
        image.save(buf, "WEBP", quality=quality, method=4, icc_profile=SRGB_ICC)
    else:
        image.save(buf, "JPEG", quality=quality, icc_profile=SRGB_ICC)
    return buf.getvalue()
