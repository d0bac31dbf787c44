"""Renders into one outdir queue on the lock beside it (lib/output/tree.py).

A waiting render is seen in /proc/locks (a ``->`` line on the lock file's
inode), so the tests wait for states, not for time. The reference tree is the
staging part of the session's ``rendered`` fixture (same values, same code).
"""
from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, copy_tree, tree_bytes

ENV = "staging"
PROC_LOCKS = Path("/proc/locks")
pytestmark = pytest.mark.skipif(not PROC_LOCKS.exists(), reason="needs /proc/locks (Linux)")


def reference(rendered: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in tree_bytes(rendered).items() if rel.startswith(f"{ENV}/")}


def start(out: Path, log: Path) -> subprocess.Popen:
    """``main.py --env staging --outdir out`` in its own process group (so a kill takes its
    workers and their Node processes too); output to ``log``."""
    with open(log, "wb") as handle:
        return subprocess.Popen(
            [sys.executable, "main.py", "--env", ENV, "--outdir", str(out)],
            cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )


def _locks(lock: Path) -> list[str]:
    if not lock.exists():
        return []
    inode = f":{os.stat(lock).st_ino} "
    return [line for line in PROC_LOCKS.read_text().splitlines() if inode in line + " "]


def waiting_on(lock: Path) -> int:
    """How many processes are blocked in flock() on ``lock``."""
    return sum(1 for line in _locks(lock) if " -> " in line)


def held(lock: Path) -> bool:
    return any(" -> " not in line for line in _locks(lock))


def wait_for(condition, procs, timeout: float = 180, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        finished = [p for p in procs if p.poll() is not None]
        assert not finished, f"exited ({[p.returncode for p in finished]}) while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def leftovers(parent: Path, out: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir()
                  if p.name.startswith((f".{out.name}-new-", f".{out.name}-old-")))


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def test_two_renders_at_once_queue_and_leave_one_complete_tree(rendered, tmp_path):
    out = tmp_path / "dist"
    lock = tmp_path / f".{out.name}.lock"
    procs: list[subprocess.Popen] = []
    try:
        # Hold the lock ourselves so that both renders are surely waiting at once ...
        with open(lock, "a+") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            procs = [start(out, tmp_path / f"render-{i}.log") for i in range(2)]
            wait_for(lambda: waiting_on(lock) == 2, procs, what="both renders to wait on the lock")
            # Values are loaded before the lock; nothing is written before it.
            assert not out.exists() and not leftovers(tmp_path, out)
            fcntl.flock(held, fcntl.LOCK_UN)
        # ... then let them race: one renders while the other waits for it.
        saw_one_waiting = False
        deadline = time.monotonic() + 300
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            saw_one_waiting = saw_one_waiting or waiting_on(lock) == 1
            time.sleep(0.01)
        codes = [p.wait(timeout=60) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                kill_group(p)
    logs = [(tmp_path / f"render-{i}.log").read_text() for i in range(2)]
    assert codes == [0, 0], logs
    assert saw_one_waiting, "the second render never waited for the first"
    assert tree_bytes(out) == reference(rendered)
    assert leftovers(tmp_path, out) == []


def test_render_killed_while_another_waits(rendered, tmp_path):
    """The lock holder is SIGKILLed mid-write while a second render waits: the lock dies
    with it, the waiter renders, clears the dead one's half tree and swaps in a whole one."""
    out = copy_tree(rendered / ENV, tmp_path / "dist" / ENV).parent  # an earlier, stale render
    (out / ENV / "jeeves" / "stale-object.yaml").write_text("# removed since\n")
    lock = tmp_path / f".{out.name}.lock"
    first = start(out, tmp_path / "first.log")
    second = None
    try:
        wait_for(lambda: held(lock), [first], what="the first render to take the lock")
        second = start(out, tmp_path / "second.log")
        # The second waits while the first writes its new tree beside dist/.
        wait_for(lambda: waiting_on(lock) >= 1 and any(tmp_path.glob(f".{out.name}-new-*/{ENV}/*/*.yaml")),
                 [first, second], what="the second render to wait while the first writes")
        assert first.poll() is None, "the first render finished before it could be killed"
        kill_group(first)
        assert first.returncode == -signal.SIGKILL
        code = second.wait(timeout=300)
    finally:
        kill_group(first)
        if second is not None and second.poll() is None:
            kill_group(second)
    assert code == 0, (tmp_path / "second.log").read_text()
    assert tree_bytes(out) == reference(rendered)
    assert leftovers(tmp_path, out) == []
