"""Name safety and the NAS layout (`nas.paths`)."""
from __future__ import annotations

import os
import unicodedata

import pytest

from nas import errors, paths


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("My Cat.PNG", "My Cat.PNG"),
        ("a/b\\c.png", "a_b_c.png"),
        ("ca\x00t\x7f.png", "cat.png"),
        ("two\n\tlines.png", "two lines.png"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        (".bashrc", "bashrc"),
        ("-rf.png", "rf.png"),
        ("  lots   of\tspace .png ", "lots of space.png"),
        ("trailing dots...", "trailing dots"),
        ("a..b.png", "a.b.png"),
        ('what?*:<>|".png', "what_______.png"),
    ],
)
def test_sanitize_filename(raw: str, clean: str) -> None:
    assert paths.sanitize_filename(raw) == clean


@pytest.mark.parametrize("raw", ["../../etc/passwd", "../x", "..\\..\\boot.ini", "/etc/passwd", "a/../../b"])
def test_traversal_cannot_survive(raw: str) -> None:
    name = paths.sanitize_filename(raw)
    assert "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")


@pytest.mark.parametrize("raw", ["", "   ", ".", "...", "-", "\x00\x01", "\u202e", "/", " . - ", "..", "../"])
def test_empty_names_rejected(raw: str) -> None:
    with pytest.raises(errors.InvalidName):
        paths.sanitize_filename(raw)


def test_unicode_is_nfc() -> None:
    name = paths.sanitize_filename("cafe\u0301 ñ.png")
    assert name == unicodedata.normalize("NFC", "café ñ.png") and len(name) == len("café ñ.png")


@pytest.mark.parametrize("stem", ["x" * 300, "é" * 300, "🐱" * 100])
def test_length_limit_keeps_extension(stem: str) -> None:
    name = paths.sanitize_filename(stem + ".png")
    assert len(name.encode()) <= paths.MAX_FILENAME_BYTES
    assert name.endswith(".png") and name[0] == stem[0]
    assert paths.sanitize_filename(name) == name


def test_sanitize_is_idempotent() -> None:
    for raw in ["My Cat.PNG", "a/../b.png", "é" * 300 + ".jpeg", "x.tar.gz", "..weird..", "name-2.png"]:
        once = paths.sanitize_filename(raw)
        assert paths.sanitize_filename(once) == once


def test_shop_slug() -> None:
    assert paths.shop_slug("Café Prints!") == "cafe-prints"
    assert paths.shop_slug("  --My__Shop 42-- ") == "my-shop-42"
    assert len(paths.shop_slug("a" * 500)) == paths.MAX_SHOP_SLUG
    for bad in ("", "日本", "!!!", "../.."):
        with pytest.raises(errors.InvalidName):
            paths.shop_slug(bad)


def test_build_and_split_key() -> None:
    key = paths.build_key("Café Prints", "designs", "../My Cat.png")
    assert key == "cafe-prints/designs/My Cat.png"
    assert paths.split_key(key) == ("cafe-prints", "designs", "My Cat.png")
    for file_type in paths.FILE_TYPES:
        assert paths.build_key("s", file_type, "f.png") == f"s/{file_type}/f.png"


@pytest.mark.parametrize("file_type", ["", "Designs", "design", "../designs", "secrets"])
def test_unknown_file_type_rejected(file_type: str) -> None:
    with pytest.raises(errors.InvalidName):
        paths.build_key("shop", file_type, "f.png")


def test_numbered_names() -> None:
    assert paths.numbered("s/designs/cat.png", 1) == "s/designs/cat.png"
    assert paths.numbered("s/designs/cat.png", 2) == "s/designs/cat-2.png"
    assert paths.numbered("s/designs/README", 3) == "s/designs/README-3"
    long_key = paths.build_key("s", "designs", "é" * 300 + ".png")
    numbered = paths.numbered(long_key, 12)
    filename = paths.split_key(numbered)[2]
    assert filename.endswith("-12.png") and len(filename.encode()) <= paths.MAX_FILENAME_BYTES


def test_temp_names_are_hidden() -> None:
    name = paths.temp_name("cat.png")
    assert paths.is_hidden(name) and name.endswith(paths.TEMP_SUFFIX) and name != paths.temp_name("cat.png")
    assert paths.temp_name("cat.png", "abc") == ".cat.png.abc.part"
    assert len(paths.temp_name("é" * 100 + ".png").encode()) <= paths.MAX_FILENAME_BYTES


def test_prefix_dirs() -> None:
    assert paths.prefix_dirs("") == []
    assert paths.prefix_dirs("shop") == []
    assert paths.prefix_dirs("shop/designs/ca") == ["shop", "designs"]
    for bad in ("/abs", "../", "shop/../", "shop/nope/", "shop/designs/x/", "a\\b"):
        with pytest.raises(errors.InvalidName):
            paths.prefix_dirs(bad)


def test_remote_path_stays_under_base() -> None:
    assert paths.remote_path("/share/Graphics/", "s", "designs", "a.png") == "/share/Graphics/s/designs/a.png"
    for parts in (("..",), ("s", "..", ".."), ("a/b",), ("",)):
        with pytest.raises(errors.InvalidName):
            paths.remote_path("/share/Graphics", *parts)
    with pytest.raises(errors.InvalidName):
        paths.remote_path("relative/base", "s")


def test_local_path_refuses_symlink_escape(tmp_path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / "shop")
    assert paths.local_path(root, "other", "designs", "a.png") == root / "other" / "designs" / "a.png"
    with pytest.raises(errors.InvalidName):
        paths.local_path(root, "shop", "designs", "a.png")
    with pytest.raises(errors.InvalidName):
        paths.local_path(root, "..", "x")


def test_folder_names_are_kept_exactly_or_refused() -> None:
    for folder in ("MyShop", "My Shop", "Café Prints", "shop-2024"):
        assert paths.check_folder(folder) == folder
        assert paths.folder_key(folder, "designs", "a.png") == f"{folder}/designs/a.png"
        assert paths.split_key(f"{folder}/designs/a.png") == (folder, "designs", "a.png")
        assert paths.prefix_dirs(f"{folder}/designs/") == [folder, "designs"]
    for bad in ("", " shop", "shop ", ".shop", "a/b", "..", "sh:op", "Cafe\u0301", "x" * 65):
        with pytest.raises(errors.InvalidName):
            paths.check_folder(bad)
