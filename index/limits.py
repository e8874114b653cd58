"""Size limits of the write path: a hostile or unlucky file costs bounded memory and output.

Defaults suit a laptop; `rag index --max-file-mb/--max-html-mb/--max-chunk-chars` raise them.
A file over a limit is an `errors` entry of the run, never fatal to it.

Why these numbers (measured with the bundled MiniLM, peak RSS of load + chunk):
- a plain-text file costs about 10x its size once decoded, cleaned and split, so 50 MB of
  text stays near 1 GB;
- HTML is parsed into a BeautifulSoup tree at about 100x its size (25 MB of flat HTML used
  2.56 GB), so it gets its own, lower limit;
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

    def file_problem(self, suffix: str, size: int) -> str | None:
        """One-line reason a file of `size` bytes is not read, or None when it may be."""
        html = suffix.lower() in HTML_SUFFIXES
        limit = self.max_html_mb if html else self.max_file_mb
        flag = "--max-html-mb" if html else "--max-file-mb"
        if size <= limit * MB:
            return None
        kind = "HTML file" if html else "file"
        return (
            f"{kind} too large ({size / MB:.1f} MB, the limit is {limit:g} MB); "
            f"skipped; raise it with {flag}"
        )
