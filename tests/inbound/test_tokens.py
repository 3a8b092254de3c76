"""The file token store: atomic files, a lock that holds across processes, routing by domain."""

from __future__ import annotations

import multiprocessing
import os
import stat

import pytest

from b24client.runtime.inbound import FileTokenStore, MemoryTokenStore, PortalTokens, find
from b24client.runtime.inbound.filestore import write_atomically


def tokens(member_id: str = "m1", domain: str = "one.bitrix24.com", **changes) -> PortalTokens:
    fields = {"access_token": "ACCESS-SECRET", "refresh_token": "REFRESH-SECRET", "application_token": "APP-SECRET", **changes}
    return PortalTokens(member_id=member_id, domain=domain, **fields)


@pytest.mark.parametrize("make", [FileTokenStore, lambda _path: MemoryTokenStore()])
def test_portals_are_found_by_member_id_or_domain(tmp_path, make):
    store = make(tmp_path)
    store.save(tokens())
    store.save(tokens("m2", "two.bitrix24.com"))
    assert find(store, member_id="m2").domain == "two.bitrix24.com"
    assert find(store, domain="https://ONE.bitrix24.com/").member_id == "m1"
    assert find(store, member_id="m3", domain="one.bitrix24.com") is None  # member_id wins when given
    store.delete("m1")
    assert find(store, domain="one.bitrix24.com") is None and store.get("m2") is not None


def test_files_are_private_and_no_temporary_is_left(tmp_path):
    store = FileTokenStore(tmp_path)
    for round_ in range(3):
        store.save(tokens(access_token=f"acc{round_}"))
    portal_files = sorted(os.listdir(tmp_path / "portals"))
    assert portal_files == ["m1.json"]
    assert stat.S_IMODE(os.stat(tmp_path / "portals" / "m1.json").st_mode) == 0o600
    assert store.get("m1").access_token == "acc2"


def test_a_hostile_member_id_cannot_escape_the_directory(tmp_path):
    store = FileTokenStore(tmp_path / "store")
    store.save(tokens("../../etc/passwd", "evil/../../x"))
    assert store.get("../../etc/passwd").domain == "evil/../../x"
    written = {path.relative_to(tmp_path).parts[:2] for path in tmp_path.rglob("*") if path.is_file()}
    assert all(parts[0] == "store" for parts in written)


def test_a_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "f.json"
    write_atomically(target, b"old")

    with pytest.raises(TypeError):
        write_atomically(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert [path.name for path in tmp_path.iterdir()] == ["f.json"]


def _hold_lock(directory: str, held, release) -> None:
    store = FileTokenStore(directory)
    with store.lock("m1"):
        held.set()
        release.wait(60)


def test_the_lock_excludes_another_process(tmp_path):
    context = multiprocessing.get_context("spawn")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(tmp_path), held, release))
    holder.start()
    try:
        assert held.wait(60)
        with pytest.raises(TimeoutError, match="member_id='m1'"), FileTokenStore(tmp_path, lock_seconds=0.05).lock("m1"):
            pass
        with FileTokenStore(tmp_path, lock_seconds=0.05).lock("m2"):  # other portals are not held up
            pass
    finally:
        release.set()
        holder.join(60)
    with FileTokenStore(tmp_path, lock_seconds=5).lock("m1"):  # free again once the holder let go
        pass


def test_no_secret_in_reprs(tmp_path):
    shown = repr(tokens()) + repr(FileTokenStore(tmp_path)) + repr(MemoryTokenStore())
    assert "SECRET" not in shown
    assert "member_id='m1'" in shown
