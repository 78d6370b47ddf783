"""RIP files: exact pixel size, DPI, alpha and mirroring in PNG and TIFF (LZW), and bounded memory at 22 x 200 in."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from prepress import ripfile

TIFF_COMPRESSION, TIFF_EXTRA_SAMPLES, TIFF_RESUNIT, LZW, UNASSOCIATED_ALPHA, INCH = 259, 338, 296, 5, 2, 2


def sheet(path, width: int, height: int, dpi: int) -> np.ndarray:
    """An RGBA sheet whose every column differs (so a mirror shows) with graded alpha, saved as PNG with its DPI."""
    pixels = np.zeros((height, width, 4), np.uint8)
    pixels[..., 0] = (np.arange(width) % 256)[None, :]
    pixels[..., 1] = (np.arange(height) % 256)[:, None]
    pixels[..., 2] = 200
    pixels[..., 3] = ((np.arange(width) * 7) % 256)[None, :]
    Image.fromarray(pixels, "RGBA").save(path, dpi=(dpi, dpi))
    return pixels


@pytest.mark.parametrize("fmt", ["png", "tiff"])
@pytest.mark.parametrize("mirror", [False, True])
def test_exact_size_dpi_alpha_and_mirror(tmp_path, fmt: str, mirror: bool) -> None:
    src, dst = tmp_path / "in.png", tmp_path / f"out{ripfile.EXTENSIONS[fmt]}"
    pixels = sheet(src, 660, 301, 300)  # 2.2 x 1.0033 in at 300 DPI
    info = ripfile.write(src, dst, fmt=fmt, mirror=mirror, dpi=300)
    assert (info.width_px, info.height_px, info.bands, info.dpi) == (660, 301, 4, 300)
    with Image.open(dst) as out:
        assert out.format == {"png": "PNG", "tiff": "TIFF"}[fmt]
        assert out.mode == "RGBA" and out.size == (660, 301)
        assert tuple(round(v) for v in out.info["dpi"]) == (300, 300)
        if fmt == "tiff":
            tags = out.tag_v2
            assert tags[TIFF_COMPRESSION] == LZW and tags[TIFF_RESUNIT] == INCH
            assert tags[TIFF_EXTRA_SAMPLES] in (UNASSOCIATED_ALPHA, (UNASSOCIATED_ALPHA,))
        got = np.asarray(out)
    want = pixels[:, ::-1] if mirror else pixels
    assert np.array_equal(got, want)


def test_png_without_mirror_needs_no_conversion() -> None:
    assert not ripfile.needs_conversion("png", False)
    assert ripfile.needs_conversion("png", True) and ripfile.needs_conversion("tiff", False)
    with pytest.raises(ValueError):
        ripfile.needs_conversion("jpeg", False)


_CHILD = """
import json, sys
from prepress import ripfile
info = ripfile.write(sys.argv[1], sys.argv[2], fmt="tiff", mirror=True, dpi=300)
# VmHWM is this process's own peak since exec (ru_maxrss also carries the parent's size at fork).
rss_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"w": info.width_px, "h": info.height_px, "rss_kb": rss_kb}))
"""


@pytest.mark.slow
def test_22_by_200_inches_streams(tmp_path) -> None:
    """6600 x 60000 px RGBA is 1.58 GB decoded: the conversion must stream, so its peak memory stays far below."""
    import pyvips

    src, dst = tmp_path / "long.png", tmp_path / "long.tif"
    width, height = 22 * 300, 200 * 300
    # A mostly transparent sheet with a marker at the top left and bottom right, as a real gang sheet has margins.
    base = pyvips.Image.black(width, height, bands=4)
    red = pyvips.Image.black(300, 300, bands=4) + [255, 0, 0, 255]
    green = pyvips.Image.black(300, 300, bands=4) + [0, 255, 0, 255]
    image = base.insert(red, 0, 0).insert(green, width - 300, height - 300)
    image.cast("uchar").copy(xres=300 / 25.4, yres=300 / 25.4).pngsave(str(src), compression=1)
    env = {**os.environ, "VIPS_CONCURRENCY": "1"}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(src), str(dst)], capture_output=True, text=True,
                          check=True, env=env)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert (figures["w"], figures["h"]) == (width, height)
    decoded_kb = width * height * 4 // 1024
    assert figures["rss_kb"] < decoded_kb // 8, figures  # 1.5 GB decoded; streamed it stays near 100 MB
    out = pyvips.Image.new_from_file(str(dst))
    assert (out.width, out.height, out.bands) == (width, height, 4)
    assert round(out.xres * 25.4) == 300
    # Mirrored: the red marker is now top right, the green one bottom left.
    assert out.crop(width - 300, 0, 300, 300).getpoint(150, 150) == [255, 0, 0, 255]
    assert out.crop(0, height - 300, 300, 300).getpoint(150, 150) == [0, 255, 0, 255]
    assert out.getpoint(150, 150) == [0, 0, 0, 0]
