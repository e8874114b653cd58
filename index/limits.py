"""Size limits of the write path: a hostile or unlucky file costs bounded memory and output.

Defaults suit a laptop; `rag index --max-file-mb/--max-html-mb/--max-chunk-chars` raise them.
A file over a limit is an `errors` entry of the run, never fatal to it.

Why these numbers (peak RSS of load + chunk with the bundled MiniLM, `python -m index.limits`):
- a plain-text file costs up to ~18x its size once decoded, cleaned, split and tokenised:
  50 MB of one-line words peaked at 0.91 GB (37,530 chunks), 50 MB of 'x' at 0.37 GB (before
  the character limit: 3.2 GB and one 50 MB chunk);
- HTML is parsed into a BeautifulSoup tree at about 100x its size (25 MB of flat HTML used
  2.56 GB), so it gets its own, lower limit. Its depth needs none: the reader walks the tree
  with an explicit stack (100,000 nested <div>s, 1.1 MB: 155 MB peak, no RecursionError);
- a chunk is at most 256 word pieces, which is about 1,200 characters of prose; 4,000
  characters leaves room for code and long words, and stops a few-token string ('x' * 200000:
  one [UNK]) from becoming one huge chunk that `rag ask --json` would print whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.errors import ConfigError

MB = 1_000_000
HTML_SUFFIXES = frozenset({".html", ".htm"})


@dataclass(frozen=True)
class Limits:
    max_file_mb: float = 50.0
    max_html_mb: float = 10.0
    max_chunk_chars: int = 4000

    def __post_init__(self) -> None:
        if not self.max_file_mb > 0:
            raise ConfigError(f"--max-file-mb must be more than 0, not {self.max_file_mb}")
        if not self.max_html_mb > 0:
            raise ConfigError(f"--max-html-mb must be more than 0, not {self.max_html_mb}")
        if self.max_chunk_chars < 200:
            raise ConfigError(f"--max-chunk-chars must be at least 200, not {self.max_chunk_chars}")

    def bound(self, suffix: str) -> tuple[float, str, str]:
        """(limit in MB, the flag that raises it, what to call the file) for a document type:
        `index.loaders.document_suffix`, so that `page.html.gz` gets the HTML limit."""
        if suffix.lower() in HTML_SUFFIXES:
            return self.max_html_mb, "--max-html-mb", "HTML file"
        return self.max_file_mb, "--max-file-mb", "file"

    def file_problem(self, suffix: str, size: int) -> str | None:
        """One-line reason a file of `size` bytes is not read, or None when it may be."""
        limit, flag, kind = self.bound(suffix)
        if size <= limit * MB:
            return None
        return (
            f"{kind} too large ({size / MB:.1f} MB, the limit is {limit:g} MB); "
            f"skipped; raise it with {flag}"
        )


def measure(path: str, max_chunk_chars: int = Limits.max_chunk_chars) -> dict:
    """Peak RSS of loading and chunking one file with the bundled embedder's tokenizer: the
    figures behind the defaults above. Run in a fresh process (`python -m index.limits FILE`):
    the peak is the process's own."""
    import resource
    import time
    from pathlib import Path

    from index.chunking import chunk_document
    from index.embedders import EmbedderConfig, get_embedder
    from index.loaders import load_document

    emb = get_embedder(EmbedderConfig())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    doc = load_document(path)
    chunks = chunk_document(doc, emb.count_tokens, emb.budget, 32, max_chars=max_chunk_chars)
    return {
        "file": Path(path).name,
        "mb": round(Path(path).stat().st_size / MB, 1),
        "chunks": len(chunks),
        "longest_chunk_chars": max(len(c.text) for c in chunks),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rss_before_mb": round(before / 1024),
        "seconds": round(time.perf_counter() - t, 1),
    }


if __name__ == "__main__":
    import json
    import sys

    for arg in sys.argv[1:]:
        print(json.dumps(measure(arg)))
