"""Keeping API keys out of messages: servers echo request headers back in their error bodies.

One scrubber for every HTTP backend (the OpenAI-compatible LLM and embedder), so a fix here
covers both.
"""

from __future__ import annotations

import re

# "Authorization: Bearer <token>" however a server quotes or reformats the header it echoes.
_BEARER = re.compile(r"(\bBearer\s+)[^\s'\"`,;}\]]+", re.IGNORECASE)


def scrub_secrets(message: str, *secrets: str | None) -> str:
    """`message` with each secret, and any bearer token, replaced by ***."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return _BEARER.sub(r"\1***", message)
