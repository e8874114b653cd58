"""Who may use a server: the token rule, and a cap on request size (pure ASGI, no framework).

The rule, for `rag serve` and `rag ui` alike: bound to loopback, a token is optional; bound to
anything else (or shared through a public link) the server refuses to start without one. When
a token is set (`RAG_API_TOKEN`), every route needs it, the UI included:
`Authorization: Bearer TOKEN` for programs, or HTTP Basic with the token as the password, which
browsers ask for by themselves (the user name is ignored).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import json
import os

from index.errors import ConfigError

TOKEN_ENV = "RAG_API_TOKEN"
REALM = "rag"


def token_from_env() -> str | None:
    """The token from the environment (never from a flag: flags show up in `ps`)."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    return token or None


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def require_token(host: str, token: str | None, command: str, share: bool = False) -> None:
    """Refuse (ConfigError) to serve beyond loopback without a token; the message says how."""
    if token or (is_loopback(host) and not share):
        return
    where = "a public link" if share else f"{host}"
    raise ConfigError(
        f"refusing to serve on {where} without a token: anyone who can reach it could read and "
        f"change the documents; set one with `export {TOKEN_ENV}=$(python -c 'import secrets; "
        f"print(secrets.token_urlsafe(32))')` and run `{command}` again, or bind --host 127.0.0.1"
    )


def _presented(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        return value.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    return None


async def _reply(send, status: int, message: str, headers: list | None = None) -> None:
    body = (json.dumps({"error": message}) + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TokenGuard:
    """ASGI middleware: 401 for any request without the token (when a token is set)."""

    def __init__(self, app, token: str | None):
        self.app = app
        self.token = token.encode("utf-8") if token else None

    async def __call__(self, scope, receive, send):
        if self.token is None or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = _presented(headers)
        # compare_digest: the time taken does not tell how much of a guess was right.
        if given is not None and hmac.compare_digest(given.encode("utf-8"), self.token):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await _reply(
            send,
            401,
            "this server needs its token: send `Authorization: Bearer $RAG_API_TOKEN` "
            "(browsers: any user name, the token as password)",
            [(b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode())],
        )


class BodyLimit:
    """ASGI middleware: 413 for a request body over `max_bytes` (declared or streamed)."""

    def __init__(self, app, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return (
            f"the request is over the size limit of {self.max_bytes / 1e6:g} MB; send smaller "
            "files, or ask the operator to raise --max-upload-mb"
        )

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for k, v in scope["headers"]:
            if k.lower() == b"content-length" and v.isdigit() and int(v) > self.max_bytes:
                await _reply(send, 413, self._message())
                return
        seen = 0
        over = False  # the body went over the cap: whatever the app answers becomes a 413
        replied = False

        async def limited_receive():
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Frameworks catch exceptions raised while reading a body and answer 400;
                    # a disconnect stops the read, and the reply is replaced below.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def capped_send(message):
            nonlocal replied
            if not over:
                await send(message)
            elif not replied and message["type"] == "http.response.start":
                replied = True
                await _reply(send, 413, self._message())

        try:
            await self.app(scope, limited_receive, capped_send)
        except Exception:
            if not over:
                raise
        if over and not replied:
            await _reply(send, 413, self._message())
