"""Turn a follow-up question into a standalone query, deterministically.

"When did he step down?" after a question about Daniel Zhang becomes "When did Daniel Zhang
step down?": the pronoun is replaced by the most recent name of the conversation, and a
follow-up with no name of its own borrows the previous question's subject.
"""

from __future__ import annotations

import re

_PERSON_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers)\b", re.I)
_THING_PRONOUN = re.compile(r"\b(it|its|they|them|their|this|that|these|those)\b", re.I)
_NAME = re.compile(r"\b([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)")
_STARTERS = {
    "What", "Which", "Who", "When", "Where", "Why", "How", "The", "In", "On", "And", "But",
    "Is", "Was", "Did", "Does", "Do", "Are", "Were", "Tell", "Can", "Could",
}  # fmt: skip


_ORG_WORDS = {
    "Group", "Inc", "Inc.", "Corp", "Corp.", "Company", "Co.", "Ltd", "Ltd.", "Cloud",
    "Academy", "University", "Bank", "Agency", "Institute", "Foundation", "Holdings",
    "Technologies", "Labs", "AI", "Court", "Ministry", "Department", "Association",
}  # fmt: skip


def normalise_history(history) -> list[dict]:
    """Accept [{"role", "content"}...] or [(question, answer)...]; return role messages."""
    out: list[dict] = []
    for turn in history or []:
        if isinstance(turn, dict):
            out.append({"role": turn.get("role", "user"), "content": str(turn.get("content", ""))})
        else:
            q, a = turn
            out.append({"role": "user", "content": str(q)})
            if a:
                out.append({"role": "assistant", "content": str(a)})
    return out


def _names(text: str) -> list[str]:
    names = []
    for m in _NAME.finditer(text):
        words = m.group(1).split()
        while words and words[0] in _STARTERS:
            words = words[1:]
        if words:
            names.append(" ".join(words))
    return names


def condense(question: str, history) -> str:
    turns = normalise_history(history)
    user_turns = [t["content"] for t in turns if t["role"] == "user"]
    if not user_turns:
        return question
    last_q = user_turns[-1]
    last_a = next((t["content"] for t in reversed(turns) if t["role"] == "assistant"), "")
    # Names from the previous question first: that is what the user was asking about.
    context_names = _names(last_q) or _names(last_a.split(".")[0])
    if not context_names:
        return question
    if _PERSON_PRONOUN.search(question):
        # "he" is a person: skip organisations, and look in the answer when the question
        # named none ("Who is the CEO of Alibaba Group?" -> the answer names the CEO).
        people = [
            n
            for n in _names(last_q) + _names(last_a.split(".")[0])
            if " " in n and not set(n.split()) & _ORG_WORDS
        ]
        if not people:
            return question
        person = people[0]

        def sub(m: re.Match) -> str:
            possessive = m.group(1).lower() in ("his", "hers") or (
                m.group(1).lower() == "her" and not question[m.end() :].strip().startswith("?")
            )
            return person + ("’s" if possessive else "")

        return _PERSON_PRONOUN.sub(sub, question, count=1)

    if _THING_PRONOUN.search(question) or not _names(question):
        return f"{question.rstrip()} ({', '.join(dict.fromkeys(context_names))})"
    return question
