"""The embedded store's writer lock keeps apart threads of one process and other processes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from datora_graph.store.process_lock import ProcessLock

TRY_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(3)
"""


def other_process_gets_it(path: Path) -> bool:
    result = subprocess.run([sys.executable, "-c", TRY_LOCK, str(path)], timeout=30)
    return result.returncode == 0


def test_two_threads_of_one_process_take_turns(tmp_path: Path) -> None:
    lock = ProcessLock(tmp_path / "db-writer.lock")
    inside: list[str] = []
    turns: list[str] = []
    failures: list[BaseException] = []
    overlapped = threading.Event()

    def write(name: str) -> None:
        try:
            for _ in range(20):
                with lock:
                    inside.append(name)
                    if len(inside) > 1:
                        overlapped.set()
                    time.sleep(0.001)
                    inside.remove(name)
                    turns.append(name)
        except BaseException as failure:  # a thread's failure would only be a warning
            failures.append(failure)

    threads = [threading.Thread(target=write, args=(n,)) for n in ("ingest", "segments")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert sorted(turns) == ["ingest"] * 20 + ["segments"] * 20
    assert not overlapped.is_set()
    lock.close()


def test_another_process_waits_while_it_is_held_and_gets_it_after(tmp_path: Path) -> None:
    path = tmp_path / "db-writer.lock"
    lock = ProcessLock(path)

    with lock:
        assert not other_process_gets_it(path)
    assert other_process_gets_it(path)
    lock.close()


def test_a_thread_waiting_for_it_gets_it_once_released(tmp_path: Path) -> None:
    lock = ProcessLock(tmp_path / "db-writer.lock")
    got = threading.Event()

    def wait_for_it() -> None:
        with lock:
            got.set()

    with lock:
        waiter = threading.Thread(target=wait_for_it)
        waiter.start()
        assert not got.wait(0.2)
    assert got.wait(5)
    waiter.join(timeout=5)
    lock.close()


def test_the_holding_thread_may_take_it_again_and_the_outermost_release_frees_it(
    tmp_path: Path,
) -> None:
    """A migration holds the target's lock throughout and ingests each batch through the
    service, which takes it again. Run in a thread, so a lock that is not re-entrant fails the
    test instead of hanging it."""
    path = tmp_path / "db-writer.lock"
    lock = ProcessLock(path)
    seen: list[bool] = []

    def nest() -> None:
        with lock:
            with lock:
                seen.append(other_process_gets_it(path))
            seen.append(other_process_gets_it(path))

    holder = threading.Thread(target=nest, daemon=True)
    holder.start()
    holder.join(timeout=10)

    assert not holder.is_alive(), "the holding thread could not take the lock again"
    assert seen == [False, False], "an inner release let go of the lock"
    assert other_process_gets_it(path)
    lock.close()
