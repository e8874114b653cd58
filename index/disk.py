"""Disk-full detection and its one-line error, shared by the catalog and the vector store."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from index.errors import StoreError


def disk_full(e: BaseException, where: Path) -> bool:
    """Whether `e` (or what caused it) means the disk holding `where` is full.

    Chroma words it as "Failed to apply logs to the metadata segment", so besides the errno
    and SQLite's wording, the free space itself is asked.
    """
    seen: set[int] = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if getattr(e, "errno", None) == errno.ENOSPC:
            return True
        text = str(e).lower()
        if "disk is full" in text or "no space left" in text:
            return True
        e = e.__cause__ or e.__context__
    return free_bytes(where) < 1_000_000


def free_bytes(where: Path) -> int:
    p = Path(where)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        st = os.statvfs(p)
    except OSError:
        return 1 << 62
    return st.f_bavail * st.f_frsize


def disk_full_error(where: Path) -> StoreError:
    return StoreError(
        f"no space left on the disk holding {where} ({free_bytes(where) / 1e6:.1f} MB free); "
        "free some space and re-run: finished files are kept and the store stays consistent"
    )
