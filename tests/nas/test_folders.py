"""Hot folder primitives, one contract over local, sftp and hybrid: listing, hidden writes, atomic place."""
from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from nas import errors, paths
from tests.nas.conftest import Backend
from tests.nas.test_contract import blob

FOLDER = "RIP/Epson F2100/hot"


def hot_dir(backend: Backend) -> Path:
    """Where the backend's hot folder lives on disk (hybrid: on the NAS)."""
    root = backend.dirs[-1]
    path = root / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_folder_parts_refuse_escapes() -> None:
    assert paths.folder_parts("RIP/Epson F2100/hot/") == ("RIP", "Epson F2100", "hot")
    for bad in ("", "/", "/abs/hot", "RIP/../etc", "RIP/./x", ".hidden/hot", "a\\b", "x/" * 9, "RIP//hot"):
        with pytest.raises(errors.InvalidName):
            paths.folder_parts(bad)


def test_write_is_hidden_until_placed(backend: Backend) -> None:
    where, storage = hot_dir(backend), backend.storage
    assert storage.folder_exists(FOLDER) and not storage.folder_exists("RIP/none")
    (where / "already.png").write_bytes(b"old")
    data = blob(3 * 2**20 + 7)
    result = storage.folder_write(FOLDER, "sheet 1.png", io.BytesIO(data), token="s1")
    assert (result.key, result.size) == ("sheet 1.png", len(data))
    assert [i.key for i in storage.folder_list(FOLDER)] == ["already.png"]
    assert [p.name for p in where.iterdir() if p.name.startswith(".")] == [".sheet 1.png.s1.part"]
    storage.folder_place(FOLDER, "sheet 1.png", token="s1")
    listed = storage.folder_list(FOLDER)
    assert [(i.key, i.size) for i in listed] == [("already.png", 3), ("sheet 1.png", len(data))]
    assert (where / "sheet 1.png").read_bytes() == data
    assert sorted(p.name for p in where.iterdir()) == ["already.png", "sheet 1.png"]


def test_place_never_overwrites_and_knows_a_missing_temp(backend: Backend) -> None:
    where, storage = hot_dir(backend), backend.storage
    (where / "a.png").write_bytes(b"theirs")
    storage.folder_write(FOLDER, "a.png", io.BytesIO(b"mine"), token="t")
    with pytest.raises(errors.ObjectExists):
        storage.folder_place(FOLDER, "a.png", token="t")
    assert (where / "a.png").read_bytes() == b"theirs"
    storage.folder_discard(FOLDER, "a.png", token="t")
    storage.folder_discard(FOLDER, "a.png", token="t")
    with pytest.raises(errors.ObjectNotFound):
        storage.folder_place(FOLDER, "b.png", token="t")
    assert sorted(p.name for p in where.iterdir()) == ["a.png"]


def test_a_retry_replaces_its_own_leftover(backend: Backend) -> None:
    where, storage = hot_dir(backend), backend.storage
    (where / ".x.png.tok.part").write_bytes(b"half of an earlier attempt" * 1000)
    storage.folder_write(FOLDER, "x.png", io.BytesIO(b"whole"), token="tok")
    storage.folder_place(FOLDER, "x.png", token="tok")
    assert sorted(p.name for p in where.iterdir()) == ["x.png"]
    assert (where / "x.png").read_bytes() == b"whole"


def test_missing_folder(backend: Backend) -> None:
    with pytest.raises(errors.ObjectNotFound):
        backend.storage.folder_list("RIP/gone")
    with pytest.raises(errors.ObjectNotFound):
        backend.storage.folder_write("RIP/gone", "a.png", io.BytesIO(b"x"), token="t")
    with pytest.raises(errors.InvalidName):
        backend.storage.folder_list("../outside")


def test_a_watcher_never_sees_an_incomplete_file(backend: Backend) -> None:
    """A RIP polling the folder picks up files only when they are whole."""
    where, storage = hot_dir(backend), backend.storage
    sizes = [5 * 2**20 + n for n in range(4)]
    seen: dict[str, int] = {}
    bad: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set() or len(seen) < len(sizes):
            for entry in storage.folder_list(FOLDER):
                size = (where / entry.key).stat().st_size
                if size != sizes[int(entry.key[5])] or entry.size != size:
                    bad.append(f"{entry.key}: {size}")
                seen[entry.key] = size

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for n, size in enumerate(sizes):
            name = f"sheet{n}.png"
            storage.folder_write(FOLDER, name, io.BytesIO(blob(size, n)), token="w")
            storage.folder_place(FOLDER, name, token="w")
    finally:
        done.set()
        watcher.join(timeout=120)
    assert bad == [] and sorted(seen) == [f"sheet{n}.png" for n in range(4)]
