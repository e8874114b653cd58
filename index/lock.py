"""One writer per store: an exclusive lock on `<store>/write.lock`.

Two `rag index` runs writing one embedded Chroma store at once lose vectors (each process
persists its own view of the HNSW index over the other's), while the ids and counts still look
healthy. So every writer holds this lock for its whole run; readers (`rag ask`, `rag status`)
never take it and are never blocked.

The lock is `fcntl.flock` on the file, so the kernel releases it when the holder exits, even on
kill -9: a lock is never left behind, and the PID and host written in the file only tell the
waiting side who holds it. A file naming a process that is gone is stale and simply taken over.
The file is never deleted: unlinking a flock'ed file lets two processes lock two different
inodes of the same name.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import time
from pathlib import Path

from index.errors import RagError

LOCK_FILE = "write.lock"
POLL_S = 0.2


class StoreLocked(RagError):
    """Another process is writing the store."""


class StoreLock:
    """Held from `acquire` to `release` (or the process's end); use as a context manager."""

    def __init__(self, store: Path, wait: float = 0.0, action: str = "index"):
        self.path = Path(store) / LOCK_FILE
        self.wait = max(0.0, float(wait))
        self.action = action
        self._fd: int | None = None
        self.stale: str | None = None  # the holder named by a stale file we took over

    def acquire(self) -> StoreLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # O_CLOEXEC by default
        deadline = time.monotonic() + self.wait
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as e:
                    if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        raise
                if time.monotonic() >= deadline:
                    raise StoreLocked(self._busy_message(_read(fd)))
                time.sleep(POLL_S)
            previous = _read(fd)
            if previous and not _alive(previous):
                self.stale = previous
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {socket.gethostname()} {int(time.time())}\n".encode(), 0)
        except BaseException:
            os.close(fd)  # closing drops the flock if we got it
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # an empty file: nobody holds it
        finally:
            os.close(self._fd)  # releases the flock
            self._fd = None

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def _busy_message(self, holder: str) -> str:
        pid, host, since = _parse(holder)
        who = f"pid {pid} on {host}" if pid else "another process (it is starting up)"
        if pid and not _alive(holder):
            who += " (no longer running; a process it started still holds the lock)"
        if since:
            who += f", since {time.strftime('%H:%M:%S', time.localtime(since))}"
        waited = f" after waiting {self.wait:g} s" if self.wait else ""
        return (
            f"the store {self.path.parent} is being written by {who}{waited}; "
            f"one writer at a time: let it finish, or re-run with --wait SECONDS to {self.action} "
            "after it"
        )


def holder(store: Path) -> str | None:
    """'pid host' of the process writing `store` now, or None (for status lines and tests)."""
    path = Path(store) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            pid, host, _ = _parse(_read(fd))
            return f"{pid} {host}" if pid else "unknown"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 256, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _parse(text: str) -> tuple[int | None, str, int | None]:
    parts = text.split()
    try:
        pid = int(parts[0])
    except (IndexError, ValueError):
        return None, "", None
    host = parts[1] if len(parts) > 1 else "?"
    since = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    return pid, host, since


def _alive(text: str) -> bool:
    """Whether the process a lock file names still runs (another host's: assume it does)."""
    pid, host, _ = _parse(text)
    if pid is None:
        return False
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
