"""Which files a run reads: a stable walk that reports what it cannot use instead of hiding it.

Special files (FIFOs, sockets, devices), symlink loops and broken symlinks are reported from
`stat` before anything is opened: opening a FIFO blocks forever. A folder that cannot be
listed is reported too, and remembered, so that the files indexed from it by an earlier run
are kept rather than removed as if they had been deleted.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

_KINDS = {
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "device",
    stat.S_IFBLK: "device",
}


def not_regular(st: os.stat_result) -> str | None:
    """Why a stat result is not a readable file, or None. A FIFO would block `read` forever."""
    if stat.S_ISREG(st.st_mode):
        return None
    kind = _KINDS.get(stat.S_IFMT(st.st_mode), "special file")
    return f"not a regular file ({kind}); skipped"


def _stat_problem(p: Path) -> str | None:
    """One-line reason to skip `p` before it is opened, or None when it may be read."""
    try:
        st = os.stat(p)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "symlink loop (the link points back at itself); skipped"
        if e.errno == errno.ENOENT and os.path.islink(p):
            return f"broken symlink (its target {os.readlink(p)!r} does not exist); skipped"
        # Anything else (gone, unreadable) is reported where the file is read.
        return None
    return not_regular(st)


def _folder_error(e: OSError) -> dict:
    why = "permission denied" if e.errno == errno.EACCES else (e.strerror or str(e))
    fix = "; make it readable (chmod +rx)" if e.errno == errno.EACCES else ""
    return {
        "source": os.path.abspath(e.filename),
        "error": f"cannot read folder ({why}); its files were skipped and those indexed "
        f"before are kept{fix}",
    }


def walk(
    paths: Sequence[str | Path], errors: list[dict], unreadable: list[str] | None = None
) -> Iterator[Path]:
    """Regular files under `paths` in a stable order; hidden files and folders are skipped.

    FIFOs, sockets, devices and symlink loops go to `errors`: stat is checked before opening.
    A folder that cannot be listed goes to `errors` and its absolute path to `unreadable`.
    """
    for p in paths:
        p = Path(p).expanduser()
        if p.is_dir():

            def failed(e: OSError) -> None:
                errors.append(_folder_error(e))
                if unreadable is not None:
                    unreadable.append(os.path.abspath(e.filename))

            for root, dirs, files in os.walk(p, onerror=failed):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    f = Path(root) / name
                    if problem := _stat_problem(f):
                        errors.append({"source": os.path.abspath(f), "error": problem})
                    else:
                        yield f
        elif problem := _stat_problem(p):
            errors.append({"source": os.path.abspath(p), "error": problem})
        elif p.is_file():
            yield p
        else:
            errors.append({"source": str(p), "error": "no such file or directory"})
