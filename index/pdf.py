"""PDF text through pypdf: pages reflowed into paragraphs, a producer-made title ignored.

pypdf logs and warns about damaged files ("EOF marker not found"); that goes into the
file's one-line error, never to stderr, where it would break `--json` output.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterator

from index.clean import Line, is_title_like, normalise_line
from index.errors import LoadError
from index.reflow import reflow_pages


def read_pdf(data: bytes, source: str) -> tuple[list[Line], str | None]:
    from pypdf import PdfReader

    if b"%PDF-" not in data[:1024]:  # checked here so pypdf does not log about random bytes
        raise LoadError(source, "not a PDF (no %PDF- header); the file may be corrupt or misnamed")
    with _quiet_pypdf() as said:
        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise LoadError(source, "PDF is password-protected; save a decrypted copy")
            lines = reflow_pages([_page_text(page).splitlines() for page in reader.pages])
            meta_title = (reader.metadata.title or "") if reader.metadata else ""
        except LoadError:
            raise
        except Exception as e:  # pypdf raises many exception types on damaged input
            why = "; ".join(dict.fromkeys([f"{type(e).__name__}: {e}", *said[:2]]))
            raise LoadError(
                source, f"not a readable PDF ({why}); the file may be corrupt"
            ) from None
    meta_title = normalise_line(str(meta_title))
    # Producer-made titles ("Microsoft Word - x.docx", "untitled") are worse than the text's.
    if not is_title_like(meta_title) or re.search(r"\.\w{2,4}$|untitled", meta_title, re.I):
        meta_title = ""
    return lines, meta_title or None


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[list[str]]:
    """Collect what pypdf logs or warns ("EOF marker not found") instead of letting it reach
    stderr, where it would break `--json` output and the one line per bad file."""
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(" ".join(record.getMessage().split()))

    log = logging.getLogger("pypdf")
    handler, propagate = Collect(logging.WARNING), log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
        said += [" ".join(str(w.message).split()) for w in caught]
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def _page_text(page) -> str:  # noqa: ANN001 - a pypdf PageObject
    # Layout mode keeps indentation and vertical gaps, which paragraph reflow reads; it fails
    # on some fonts and encodings, where the plain text is still worth having.
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # pypdf raises many exception types on odd fonts
        return page.extract_text() or ""
