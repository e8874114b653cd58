"""A paraphrase the word rules under-score: kept when the bundled MiniLM reads it as the sentence.

The rule scorer (rag/support.py) fails a claim either on a hard requirement (a missing value or
name, a conflict) or on low word overlap alone. A capable model's paraphrase fails the second
way: "After cracked roof beams turned up during an inspection, the east wing shut its doors in
2019" against "The east wing was closed in 2019 after inspectors found cracks in its roof
beams" shares too few words. Such a claim (no missing item, no conflict, lexical score at least
`floor`) is kept when its MiniLM cosine with the closest sentence of the passage (of the two
sharing most of its words) is at least `cosine`, the two agree on negation and share at least
three content words (MiniLM reads filler on the topic, "This highlights the importance of AI
for Alibaba.", close to the passage too). The hard rules still veto: a wrong number, name,
negation or role swap never reaches this check.

Both constants are fitted by `python -m eval.fit_paraphrase` on labelled pairs held out by
article (rag/models/paraphrase.json holds them with their held-out figures). The vectors are
the bundled MiniLM's whatever embedder the index uses: the cosine was fitted on them (a
pipeline whose index uses it lends its sentence cache; otherwise the check loads its own).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.errors import ConfigError
from index.text import fold_quotes, sentences_sharing, tokens
from rag.lexicon import NEGATIONS

PARAMS_PATH = Path(__file__).parent / "models" / "paraphrase.json"
# The embedder whose vectors the cosine was fitted on (index.embedders.embedder_name): a pipeline
# whose index uses it lends its cache of sentence vectors instead of a second copy of the model.
MINILM = "minilm:all-MiniLM-L6-v2"
Embed = Callable[[list[str]], np.ndarray]
_SENTENCES = 2  # embedded per passage (see closest)
# Content words the claim must share with the sentence it paraphrases. MiniLM also reads a
# capable model's filler close to a passage on the topic: "This highlights the importance of AI
# for Alibaba." passed as a paraphrase of 20 of the news corpus's paragraphs, "This underscores
# Alibaba's commitment to innovation." of 2, each sharing 1 or 2 words with its closest
# sentence. At 3 none passes; the labelled pairs lose little (see rag/models/paraphrase.json).
_SHARED = 3


@dataclass(frozen=True)
class Paraphrase:
    floor: float  # lowest lexical score considered
    cosine: float  # MiniLM cosine with the passage's closest sentence needed


@lru_cache(maxsize=2)
def load_params(path: Path = PARAMS_PATH) -> Paraphrase:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return Paraphrase(floor=float(raw["floor"]), cosine=float(raw["cosine"]))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ConfigError(
            f"paraphrase parameters {path} are unreadable ({e}); refit them with "
            "python -m eval.fit_paraphrase"
        ) from None


def closest(claim: str, passage: str, embed: Embed | None = None) -> tuple[float, str]:
    """MiniLM cosine of the claim with the passage's closest sentence, and that sentence.
    Top 2 against all sentences: the same choice and held-out figures (llm_answers_dev kept
    230/248, caught 60/70 either way) at 9 ms rather than up to 25 ms for a cold 8-sentence
    chunk; the single best-overlap sentence loses one kept."""
    return _closest_of(claim, _most_shared(claim, passage)[0], embed)


def _closest_of(claim: str, sents: list[str], embed: Embed | None) -> tuple[float, str]:
    if embed is None:
        from rag.support_model import default_embed  # the bundled MiniLM, vectors cached by text

        embed = default_embed()
    vecs = embed([claim, *sents])
    cos = vecs[1:] @ vecs[0]
    k = int(np.argmax(cos))
    return float(cos[k]), sents[k]


def _most_shared(claim: str, passage: str) -> tuple[list[str], int]:
    """The passage's sentences sharing the most content words with the claim (in passage order)
    and how many the best shares. Only those are embedded: the one a paraphrase follows shares
    some, and a long chunk's other sentences would cost ~1 ms each."""
    shared = sentences_sharing(claim, passage)
    top = sorted(range(len(shared)), key=lambda i: -shared[i][1])[:_SENTENCES]
    return [shared[i][0] for i in sorted(top)], max(n for _, n in shared)


def _denies(text: str) -> bool:
    """An odd number of negation cues ("not", "never", "n't", ...)."""
    words = re.findall(r"[a-z']+", fold_quotes(text).lower())
    return sum(w in NEGATIONS or w.endswith("n't") for w in words) % 2 == 1


def candidate(s, params: Paraphrase) -> bool:
    """Failed on word overlap alone, and not by far (`s` is a rag.support.Support)."""
    return not s.supported and not s.missing and not s.conflicts and s.score >= params.floor


def accepts(
    claim: str, passage: str, s, params: Paraphrase | None = None, embed: Embed | None = None
) -> float | None:
    """The cosine when the claim is kept as a paraphrase of the passage, else None.

    The rules' negation check compares the words the two sides share, which a paraphrase has
    few of, and MiniLM scores "never shut" close to "closed": a claim that denies where its
    closest sentence does not (or the reverse) is not kept."""
    params = params or load_params()
    if not candidate(s, params):
        return None
    # Whichever sentence MiniLM finds closest must share _SHARED words: when none does, the
    # answer is no without embedding anything (the slowest part of scoring a pair).
    sents, most = _most_shared(claim, passage)
    if most < _SHARED:
        return None
    cos, sentence = _closest_of(claim, sents, embed)
    if cos < params.cosine or _denies(claim) != _denies(sentence):
        return None
    if len(set(tokens(claim)) & set(tokens(sentence))) < _SHARED:
        return None
    return cos
