"""The OpenAI chat-completions shape: messages in, a completion (or its chunks) out.

The answer's text keeps its `[n]` markers; the citations they point at ride in an extra
top-level field, `citations` (the `Answer.to_dict()` citation objects), and `rag` carries
`abstained` and the direct short `answer`. OpenAI clients ignore what they do not know and
expose it as extra attributes (`completion.citations` in the official Python client).

A streamed completion sends the *verified* answer: verification may drop or re-attach
sentences, and a chat client cannot take back text it has shown. For the raw tokens as the
backend makes them, use `POST /v1/ask` with `stream: true`.
"""

from __future__ import annotations

import re
import time
import uuid

from index.errors import RagError
from rag.answer import Answer

MODEL = "rag"


def _content(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # [{"type": "text", "text": ...}, ...]
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def question_and_history(messages: list[dict]) -> tuple[str, list[dict]]:
    """The last user message is the question; earlier user/assistant turns are the history."""
    turns = [
        {"role": m.get("role"), "content": _content(m)}
        for m in messages
        if m.get("role") in ("user", "assistant")
    ]
    if not turns or turns[-1]["role"] != "user" or not turns[-1]["content"].strip():
        raise RagError("the last message must be a non-empty user message (the question)")
    return turns[-1]["content"], turns[:-1]


def _extra(answer: Answer) -> dict:
    d = answer.to_dict()
    return {
        "citations": d["citations"],
        "rag": {"abstained": d["abstained"], "answer": d["answer"], "timings": d["timings"]},
    }


def new_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def completion(answer: Answer, model: str | None) -> dict:
    return {
        "id": new_id(),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model or MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        **_extra(answer),
    }


def chunk(cid: str, model: str | None, delta: dict, finish: str | None = None, **extra) -> dict:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model or MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }


def pieces(text: str) -> list[str]:
    """The text in word-sized pieces that join back to it exactly."""
    return re.findall(r"\S+\s*|\s+", text)


def final_extra(answer: Answer) -> dict:
    return _extra(answer)
