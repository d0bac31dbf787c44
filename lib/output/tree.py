"""Replace ``dist/`` whole and atomically, one render at a time.

A render writes a complete new tree beside ``dist/`` and then swaps the two
directory entries in one ``renameat2(RENAME_EXCHANGE)`` call: a reader (or a
render killed with SIGKILL) sees either the old tree or the new one, never a
mix. A lock file beside ``dist/`` makes a second render wait for the first.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import filecmp
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False when the kernel or libc cannot."""
    fn = _renameat2()
    if fn is None:
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc != 0:
        err = ctypes.get_errno()
        if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            return False
        raise OSError(err, os.strerror(err), str(a))
    return True



@contextmanager
def locked(outdir: Path):
    """Hold the render lock for ``outdir``; a second render blocks until free."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    lock_path = outdir.parent / f".{outdir.name}.lock"
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_tree(outdir: Path) -> Path:
    """A fresh, empty directory beside ``outdir`` (same filesystem, so rename works)."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    # Leftovers of a render that was killed: never read, safe to remove.
    for stale in outdir.parent.glob(f".{outdir.name}-new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in outdir.parent.glob(f".{outdir.name}-old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tree = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-new-", dir=outdir.parent))
    umask = os.umask(0)
    os.umask(umask)
    tree.chmod(0o777 & ~umask)  # mkdtemp's 0700 would become dist/'s mode
    return tree


def swap_in(new: Path, outdir: Path) -> None:
    """Make ``new`` the content of ``outdir``; the previous tree is deleted."""
    if outdir.exists():
        if not exchange(new, outdir):
            # No renameat2 (not Linux): two renames, with a window in which
            # outdir is missing but never half-written.
            old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}-old-", dir=outdir.parent))
            os.rmdir(old)
            os.rename(outdir, old)
            os.rename(new, outdir)
            shutil.rmtree(old, ignore_errors=True)
            return
        shutil.rmtree(new, ignore_errors=True)  # after the exchange, "new" holds the old tree
    else:
        os.rename(new, outdir)


def differences(new: Path, old: Path) -> list[str]:
    """Relative paths that differ between two trees (added, removed or changed)."""
    def files(root: Path) -> set[str]:
        if not root.exists():
            return set()
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    a, b = files(new), files(old)
    changed = sorted(
        p for p in a & b if not filecmp.cmp(new / p, old / p, shallow=False)
    )
    return sorted(
        [f"added: {p}" for p in a - b]
        + [f"removed: {p}" for p in b - a]
        + [f"changed: {p}" for p in changed]
    )
