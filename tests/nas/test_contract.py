"""One contract, every backend: what the API may rely on whichever of local / sftp / hybrid is configured."""
from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest

from nas import base, errors
from tests.nas.conftest import Backend

KEY = "my-shop/designs/cat.png"


def blob(size: int, seed: int = 0) -> bytes:
    """Deterministic pseudo-random bytes."""
    return hashlib.shake_256(f"{seed}".encode()).digest(size)


def read(storage: base.Storage, key: str) -> bytes:
    with storage.open(key) as stream:
        return stream.read()


class Exploding(io.RawIOBase):
    """A client stream that dies after `good` bytes, like an aborted upload."""

    def __init__(self, good: int) -> None:
        self.left = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            raise ConnectionResetError("client went away")
        n = min(len(buffer), self.left)
        buffer[:n] = b"x" * n
        self.left -= n
        return n


def test_round_trip(backend: Backend) -> None:
    data = blob(3 * base.CHUNK_SIZE + 123)
    result = backend.storage.put(KEY, io.BytesIO(data))
    assert result == base.PutResult(KEY, len(data), hashlib.sha256(data).hexdigest())
    assert backend.storage.exists(KEY)
    info = backend.storage.stat(KEY)
    assert (info.key, info.size) == (KEY, len(data)) and info.mtime > 0
    assert read(backend.storage, KEY) == data


def test_empty_stream_is_stored(backend: Backend) -> None:
    result = backend.storage.put(KEY, io.BytesIO(b""))
    assert (result.size, result.sha256) == (0, hashlib.sha256(b"").hexdigest())
    assert read(backend.storage, KEY) == b""


def test_missing_object(backend: Backend) -> None:
    assert not backend.storage.exists(KEY)
    for call in (backend.storage.stat, backend.storage.open, backend.storage.delete):
        with pytest.raises(errors.ObjectNotFound):
            call(KEY)
    backend.storage.delete(KEY, missing_ok=True)


def test_clash_gets_numbered_name_never_overwrites(backend: Backend) -> None:
    keys = [backend.storage.put(KEY, io.BytesIO(b"v%d" % i)).key for i in range(3)]
    assert keys == [KEY, "my-shop/designs/cat-2.png", "my-shop/designs/cat-3.png"]
    assert [read(backend.storage, k) for k in keys] == [b"v0", b"v1", b"v2"]


def test_replace_and_error_modes(backend: Backend) -> None:
    backend.storage.put(KEY, io.BytesIO(b"old"))
    assert backend.storage.put(KEY, io.BytesIO(b"new"), on_conflict="replace").key == KEY
    assert read(backend.storage, KEY) == b"new"
    with pytest.raises(errors.ObjectExists):
        backend.storage.put(KEY, io.BytesIO(b"other"), on_conflict="error")
    assert read(backend.storage, KEY) == b"new"
    assert backend.all_files() == ["my-shop/designs/cat.png"]


def test_max_bytes(backend: Backend) -> None:
    assert backend.storage.put(KEY, io.BytesIO(b"12345"), max_bytes=5).size == 5
    with pytest.raises(errors.TooLarge):
        backend.storage.put("my-shop/designs/big.png", io.BytesIO(blob(2 * base.CHUNK_SIZE)), max_bytes=base.CHUNK_SIZE)
    assert backend.all_files() == ["my-shop/designs/cat.png"]


def test_failing_stream_leaves_nothing(backend: Backend) -> None:
    with pytest.raises(ConnectionResetError):
        backend.storage.put(KEY, io.BufferedReader(Exploding(base.CHUNK_SIZE + 10)))
    assert not backend.storage.exists(KEY)
    assert backend.all_files() == []


def test_expected_sha256_mismatch_leaves_nothing(backend: Backend) -> None:
    with pytest.raises(errors.IntegrityError):
        backend.storage.put(KEY, io.BytesIO(b"abc"), expected_sha256="0" * 64)
    assert backend.all_files() == []
    good = hashlib.sha256(b"abc").hexdigest()
    assert backend.storage.put(KEY, io.BytesIO(b"abc"), expected_sha256=good.upper()).sha256 == good


def test_list_skips_temp_and_foreign_files(backend: Backend) -> None:
    backend.storage.put(KEY, io.BytesIO(b"a"))
    backend.storage.put("my-shop/mockups/m.jpg", io.BytesIO(b"bb"))
    backend.storage.put("other-shop/designs/z.png", io.BytesIO(b"ccc"))
    for d in backend.dirs:
        (d / "my-shop" / "designs").mkdir(parents=True, exist_ok=True)
        (d / "my-shop/designs/.cat.png.0123abcd.part").write_bytes(b"partial")
        (d / "my-shop/designs/..weird name").write_bytes(b"not canonical")
        (d / "stray.txt").write_bytes(b"not in the layout")
    listed = [(i.key, i.size) for i in backend.storage.list()]
    assert listed == [("my-shop/designs/cat.png", 1), ("my-shop/mockups/m.jpg", 2), ("other-shop/designs/z.png", 3)]
    assert [i.key for i in backend.storage.list("my-shop/")] == ["my-shop/designs/cat.png", "my-shop/mockups/m.jpg"]
    assert [i.key for i in backend.storage.list("my-shop/designs/c")] == [KEY]
    assert [i.key for i in backend.storage.list("my")] == [KEY, "my-shop/mockups/m.jpg"]
    assert list(backend.storage.list("nobody/")) == []


def test_delete(backend: Backend) -> None:
    backend.storage.put(KEY, io.BytesIO(b"a"))
    backend.storage.delete(KEY)
    assert not backend.storage.exists(KEY)
    assert list(backend.storage.list()) == []


def test_move(backend: Backend) -> None:
    backend.storage.put(KEY, io.BytesIO(b"cat"))
    backend.storage.put("my-shop/print_files/cat.png", io.BytesIO(b"taken"))
    final = backend.storage.move(KEY, "my-shop/print_files/cat.png")
    assert final == "my-shop/print_files/cat-2.png"
    assert read(backend.storage, final) == b"cat" and not backend.storage.exists(KEY)
    with pytest.raises(errors.ObjectExists):
        backend.storage.move(final, "my-shop/print_files/cat.png", on_conflict="error")
    target = "my-shop/print_files/cat.png"
    assert backend.storage.move(final, target, on_conflict="replace") == target
    assert read(backend.storage, "my-shop/print_files/cat.png") == b"cat"
    assert backend.storage.move("my-shop/print_files/cat.png", "new-shop/exports/cat.png") == "new-shop/exports/cat.png"
    with pytest.raises(errors.ObjectNotFound):
        backend.storage.move(KEY, "my-shop/designs/dog.png")
    assert [i.key for i in backend.storage.list()] == ["new-shop/exports/cat.png"]


def test_seek_and_range_reads(backend: Backend) -> None:
    data = blob(2 * base.CHUNK_SIZE + 77, seed=1)
    backend.storage.put(KEY, io.BytesIO(data))
    with backend.storage.open(KEY) as stream:
        assert stream.seekable()
        stream.seek(1000)
        assert stream.read(10) == data[1000:1010]
        assert stream.read(300_000) == data[1010:301_010]
        stream.seek(5)  # backwards after a pipelined read
        assert stream.read(5) == data[5:10]
        stream.seek(-7, os.SEEK_END)
        assert stream.read() == data[-7:]
        assert stream.read(1) == b""
        stream.seek(len(data) - base.CHUNK_SIZE)
        assert stream.tell() == len(data) - base.CHUNK_SIZE
        assert stream.read() == data[-base.CHUNK_SIZE:]


@pytest.mark.parametrize(
    "key",
    [
        "../etc/designs/passwd",
        "my-shop/designs/../../../etc/passwd",
        "my-shop/../designs/x.png",
        "/etc/designs/x.png",
        "my-shop/designs/sub/x.png",
        "my-shop/designs/..",
        "my-shop/designs/.hidden.part",
        "my-shop\\designs\\x.png",
        " shop/designs/x.png",
        ".shop/designs/x.png",
        "my-shop/unknown/x.png",
        "my-shop/designs/",
        "",
    ],
)
def test_unsafe_keys_rejected(backend: Backend, key: str) -> None:
    with pytest.raises(errors.InvalidName):
        backend.storage.put(key, io.BytesIO(b"x"))
    for call in (backend.storage.open, backend.storage.stat, backend.storage.exists, backend.storage.delete):
        with pytest.raises(errors.InvalidName):
            call(key)
    with pytest.raises(errors.InvalidName):
        backend.storage.move(KEY, key)
    assert backend.all_files() == []


def test_unsafe_prefix_rejected(backend: Backend) -> None:
    for prefix in ("../", "/etc/", "my-shop/../", "my-shop/nope/"):
        with pytest.raises(errors.InvalidName):
            list(backend.storage.list(prefix))


def test_free_space_and_check(backend: Backend) -> None:
    free = backend.storage.free_space()
    assert isinstance(free, int) and free > 0
    report = backend.storage.check()
    assert report["ok"] is True
    assert backend.all_files() == []  # the probe is gone


def test_concurrent_puts_of_one_name_never_overwrite(backend: Backend) -> None:
    results: list[str] = []

    def upload(i: int) -> None:
        results.append(backend.storage.put(KEY, io.BytesIO(b"%d" % i * 1000)).key)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == sorted({KEY, *(f"my-shop/designs/cat-{n}.png" for n in (2, 3, 4))})
    assert sorted(read(backend.storage, key)[:1] for key in results) == [b"0", b"1", b"2", b"3"]


def test_existing_folder_names_are_kept_as_they_are(backend: Backend) -> None:
    key = "My Shop/designs/Cute Cat.PNG"
    backend.storage.put(key, io.BytesIO(b"cat"))
    assert [i.key for i in backend.storage.list("My Shop/")] == [key]
    assert [i.key for i in backend.storage.list("My Shop/designs/")] == [key]
    assert read(backend.storage, key) == b"cat" and backend.storage.stat(key).size == 3
    assert list(backend.storage.list("my shop/")) == []
