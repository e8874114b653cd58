"""Gzip-compressed documents, as Debian ships them under /usr/share/doc (`manual.pdf.gz`).

A `.gz` file is read as the file it compresses. A few kilobytes of gzip can expand to
gigabytes (a gzip bomb), so the bytes are decompressed a step at a time and reading stops as
soon as they pass the size limit the uncompressed file would have had.
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

from index.errors import LoadError
from index.limits import MB

GZ = ".gz"
_STEP = 1 << 20  # bytes decompressed per read: memory stays within the limit plus one step


def is_gzip(path: str | Path) -> bool:
    return Path(path).name.lower().endswith(GZ)


def inner_name(path: str | Path) -> str:
    """The name of the file a `.gz` compresses ('manual.pdf' for 'manual.pdf.gz')."""
    name = Path(path).name
    return name[: -len(GZ)] if is_gzip(name) else name


def gunzip(data: bytes, source: str, bound: tuple[float, str, str]) -> bytes:
    """`data` decompressed; `bound` is `Limits.bound` of the inner type. Raises LoadError."""
    limit_mb, flag, kind = bound
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            while step := f.read(_STEP):
                out += step
                if len(out) > limit_mb * MB:
                    raise LoadError(
                        source,
                        f"{kind} too large once decompressed (over the limit of {limit_mb:g} "
                        f"MB); skipped; raise it with {flag}",
                    )
    except (OSError, EOFError, zlib.error) as e:  # gzip.BadGzipFile is an OSError
        why = " ".join(str(e).split()) or type(e).__name__
        raise LoadError(source, f"not a readable gzip file ({why})") from None
    return bytes(out)
