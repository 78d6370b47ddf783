from __future__ import annotations

import io

import pytest
from PIL import Image

from prepress import thumbnails

SHA = "ab" + "0" * 62


@pytest.fixture
def design(tmp_path):
    path = tmp_path / "design.png"
    Image.new("RGBA", (3000, 1500), (10, 200, 10, 255)).save(path)
    return path


def size_of(data):
    with Image.open(io.BytesIO(data)) as im:
        return im.size


def test_each_size_is_cached_apart_and_the_default_keeps_its_name(tmp_path, design):
    cache = tmp_path / "cache"
    assert thumbnails.path_for(cache, SHA) == cache / "thumbnails" / "ab" / f"{SHA}.webp"
    for size in (thumbnails.MIN_SIZE, thumbnails.SIZE, thumbnails.MAX_SIZE):
        assert thumbnails.make(cache, SHA, design, size)
    assert size_of(thumbnails.path_for(cache, SHA, 160).read_bytes()) == (160, 80)
    assert size_of(thumbnails.path_for(cache, SHA).read_bytes()) == (320, 160)
    assert size_of(thumbnails.path_for(cache, SHA, 1024).read_bytes()) == (1024, 512)
    assert sorted(p.name for p in (cache / "thumbnails" / "ab").iterdir()) == \
        [f"{SHA}-1024.webp", f"{SHA}-160.webp", f"{SHA}.webp"]


def test_get_renders_a_missing_size_once_then_serves_the_cache(tmp_path, design):
    cache, fetched = tmp_path / "cache", []

    def fetch():
        fetched.append(1)
        return str(design)

    assert size_of(thumbnails.get(cache, SHA, fetch, 640)) == (640, 320)
    assert size_of(thumbnails.get(cache, SHA, fetch, 640)) == (640, 320)
    assert size_of(thumbnails.get(cache, SHA, fetch)) == (320, 160)
    assert len(fetched) == 2


@pytest.mark.parametrize("size", [159, 1025, 0, 320.0, True])
def test_sizes_outside_the_range_are_refused(tmp_path, design, size):
    with pytest.raises(thumbnails.BadSize, match="from 160 to 1024"):
        thumbnails.make(tmp_path, SHA, design, size)
    with pytest.raises(thumbnails.BadSize):
        thumbnails.get(tmp_path, SHA, lambda: str(design), size)
    assert not (tmp_path / "thumbnails").exists()


def test_files_without_a_preview_cache_nothing(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("not an image")
    assert thumbnails.make(tmp_path / "cache", SHA, source, 200) is False
    assert thumbnails.get(tmp_path / "cache", SHA, lambda: str(source), 200) is None
    assert not (tmp_path / "cache").exists()
