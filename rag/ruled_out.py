"""Sentences the reader never picks for a question: they answer no question of its kind.

A line of a code block states nothing, and a history line ("Added in: v0.3.3.") only dates the
entry it heads. Both stay among the sentences the answerability model reads, so what it reads
of the passages as a whole (coverage, names, rarity) is what it was fitted on; only their pick
logits are ruled out (-inf), which rag.reader.best_sentences skips.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from rag.code_answers import BARE_LABEL, answer_kind

# A history line: a version label alone, or after the entry heading it joins as one reading
# unit ("os.totalmem()\n\nAdded in: v0.3.3.", index/units.py; shown "os.totalmem(): Added in").
_HISTORY_LINE = re.compile(rf"(?:[^\n]+(?::[ \t]+|\n\s*\n))?{BARE_LABEL.pattern}\s*", re.I)


def history_line(sentence: str) -> bool:
    """Does `sentence` only date an entry ("Added in version 3.9.", "os.setPriority([pid,
    ]priority): Added in: v10.10.0.")?"""
    return _HISTORY_LINE.fullmatch(sentence.strip()) is not None


def without_history(
    question: str, qtype: str, sentences: Sequence, logits: np.ndarray
) -> np.ndarray:
    """The sentence logits with every history line ruled out, unless the question asks for a
    version or a time, or the passages hold nothing else. A history line answers nothing else:
    "os.totalmem(): Added in: v0.3.3." ranked first for "Which libuv function does os.totalmem()
    call ...?", "os.setPriority([pid, ]priority): Added in: v10.10.0." for "what priority do I
    get on Windows?" (Node.js pages open every entry with one)."""
    if answer_kind(question) == "version" or qtype == "when":
        return logits
    dated = np.array([history_line(s.text) for s in sentences], dtype=bool)
    if not dated.any() or (dated | ~np.isfinite(logits)).all():
        return logits
    return np.where(dated, -np.inf, logits)


def without_code(question: str, sentences: Sequence, logits: np.ndarray) -> np.ndarray:
    """The sentence logits with every line of a code block ruled out, unless the question asks
    for code by name (or an option) or the passages hold nothing else. A code line states
    nothing: "import { setMaxListeners, EventEmitter } from 'node:events';" ranked first for
    "which Node version introduced the standalone setMaxListeners?", "const decoder = new
    StringDecoder('utf8');" for "which encoding does it decode as by default?". The lines stay
    among the sentences, so what the answerability model reads of the passages as a whole
    (coverage, names, rarity) is what it was fitted on."""
    code = np.array([s.code for s in sentences], dtype=bool)
    if not code.any() or code.all() or answer_kind(question) in ("code", "option"):
        return logits
    return np.where(code, -np.inf, logits)
