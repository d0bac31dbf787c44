"""File names and bytes of the rendered tree.

``dist/<env>/<namespace>/<kind>-<name>.yaml``; cluster-scoped objects (no
``metadata.namespace``) under ``dist/<env>/cluster/``. YAML is written on the
Python side (lib/output/fastyaml.py): far cheaper than asking cdk8s to write
files, and ~5x cheaper than PyYAML's representer.
"""
from __future__ import annotations

import os
import shutil
import stat
from typing import Iterable

from . import fastyaml

CLUSTER_DIR = "cluster"
KUSTOMIZATION = "kustomization.yaml"

def dump(obj: dict) -> bytes:
    return fastyaml.dump(obj).encode("utf-8")


def write_new(path, data: bytes) -> None:
    """Create ``path`` holding ``data``; FileExistsError if it exists (two
    objects with one path). The os calls themselves: a render creates ~17,000
    files, and open() adds an fstat, an ioctl and a file object to each."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


class PreviousTree:
    """The environment tree a render replaces, as a source of files to link.

    A re-render changes a handful of files of thousands. Linking the
    unchanged ones keeps their inodes: nothing new to allocate, and deleting
    the old tree afterwards frees only the changed ones. That matters beyond
    the saved writes: ext4 without a journal will not reuse an inode freed
    in the last minutes, and each new file then costs a scan past all of them
    (up to 20x the usual time, measured here), so replacing a whole tree made
    the next render within five minutes two to three times slower.

    Only what the render itself would have written is linked: a regular file
    with no other name, this user's and group's, with the mode a new file
    gets and no extended attributes (no ACL), reached through real
    directories (no symlink below the output directory, which the caller has
    resolved). So once the old tree is gone, ``dist/`` shares no inode with
    anything and looks as if every file had been written anew, but for inode
    numbers and times. Limits: a process that keeps an old file open for
    writing during a render writes into the new tree; and should the old
    tree not be deleted (rmtree failing, e.g. on an immutable directory), its
    leftover shares inodes with ``dist/`` until the next render removes it."""

    def __init__(self, root: str | None):
        self.root = root if root is not None and _real_directory(root) else None
        self._dirs: dict[str, str | None] = {}

    def path(self, relative: str) -> str | None:
        """Where ``relative`` (``<directory>/<file>`` or ``<file>``) was, or None
        when it may not be linked from there."""
        if self.root is None:
            return None
        directory, _, name = relative.rpartition("/")
        found = self._dirs.get(directory, False)
        if found is False:
            here = f"{self.root}/{directory}" if directory else self.root
            found = self._dirs[directory] = here if not directory or _real_directory(here) else None
        return None if found is None else f"{found}/{name}"


def write_or_link(path: str, data: bytes, previous: str | None) -> None:
    """Create ``path`` holding ``data``; when ``previous`` (from
    :meth:`PreviousTree.path`) holds exactly these bytes, as a second name for
    that very file instead. The link is made by name, then checked to be the
    inode that was read, with no third name (another writer may have
    replaced or linked the file in between); if not, it is undone and the
    file written."""
    if previous is not None:
        fd = _open_same(previous, data)
        if fd is not None:
            try:
                if _link_checked(previous, path, os.fstat(fd).st_ino):
                    return
            finally:
                os.close(fd)
    write_new(path, data)


class CarryOver:
    """``shutil.copytree``'s copy function for an environment a partial render
    carries over unchanged (17,000 files at 1,000 customers): a second name
    for each file :class:`PreviousTree` would link, a copy (what copytree
    makes by default) of anything else. One per render: what it learns about
    directories is not kept beyond it."""

    def __init__(self) -> None:
        self._real: dict[str, bool] = {}

    def __call__(self, src: str, dst: str) -> None:
        src, dst = os.fspath(src), os.fspath(dst)
        info = _linkable(src)
        if info is not None and self._real_path(os.path.dirname(src)):
            if _link_checked(src, dst, info.st_ino):
                return
        shutil.copy2(src, dst)

    def _real_path(self, path: str) -> bool:
        """No symlink anywhere in ``path`` (asked once per directory)."""
        found = self._real.get(path)
        if found is None:
            found = self._real[path] = os.path.realpath(path) == os.path.abspath(path)
        return found


def _link_checked(src: str, dst: str, inode: int) -> bool:
    """Link ``dst`` to ``src``; keep it only if it is ``inode`` with exactly
    these two names."""
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        return False
    info = os.lstat(dst)
    if info.st_ino == inode and info.st_nlink == 2:
        return True
    os.unlink(dst)
    return False


def _fresh_mode() -> int:
    """The permission bits ``write_new`` gives a file under this umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# Read once, at import, while the process has one thread (os.umask sets it).
_FRESH_MODE = _fresh_mode()


def _linkable(path: str, fd: int | None = None) -> os.stat_result | None:
    try:
        info = os.fstat(fd) if fd is not None else os.lstat(path)
        if (not stat.S_ISREG(info.st_mode) or info.st_nlink != 1
                or info.st_uid != os.geteuid() or info.st_gid != os.getegid()
                or stat.S_IMODE(info.st_mode) != _FRESH_MODE
                or (os.listxattr(fd) if fd is not None else os.listxattr(path, follow_symlinks=False))):
            return None
    except OSError:
        return None
    return info


def _open_same(path: str, data: bytes) -> int | None:
    """An open descriptor of ``path`` when it is linkable and holds exactly
    ``data``; None otherwise. Non-blocking: a FIFO in its place must not
    hang the render (it is then refused as not a regular file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    same = False
    try:
        info = _linkable(path, fd)
        if info is None or info.st_size != len(data):
            return None
        chunks, left = [], len(data) + 1  # one byte more: a file that grew meanwhile differs
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        same = b"".join(chunks) == data
        return fd if same else None
    finally:
        if not same:
            os.close(fd)


def _real_directory(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def object_path(obj: dict) -> tuple[str, str]:
    """(directory, file name) of an object, relative to its environment."""
    meta = obj.get("metadata", {})
    directory = meta.get("namespace") or CLUSTER_DIR
    return directory, f"{obj['kind'].lower()}-{meta['name']}.yaml"


def kustomization(resources: Iterable[str]) -> bytes:
    return dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(resources),
    })
