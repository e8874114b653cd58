"""Errors meant for users. The CLI and UI turn these into one-line messages."""

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RagError(Exception):
    """Base class: the message is shown to the user as is, so it names the value and the fix."""


class LoadError(RagError):
    """A file could not be turned into a Document."""

    def __init__(self, path: str, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class EmbedderMismatch(RagError):
    """The store was built with another embedder than the one asked for."""


class StoreError(RagError):
    """The vector store could not be opened or reached."""


class ConfigError(RagError):
    """A setting has a value we cannot use."""


def one_line(text: str) -> str:
    """`text` with control characters escaped: a file name holding a newline must not break
    the one-line error it appears in. Other characters (accents, CJK) stay as they are."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
