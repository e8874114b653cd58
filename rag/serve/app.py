"""The FastAPI app of `rag serve`: routes over one Service, the Gradio page mounted at /ui.

Routes are plain `def` functions: FastAPI runs them in its worker threads, so questions are
answered concurrently while an upload is being indexed (see rag/serve/service.py).
Errors meant for users come back as {"error": "one line"} with 400 (bad input), 404 (unknown
document), 413 (too large), 401 (no token), 422 (a body of the wrong shape; FastAPI's "detail"
list kept beside it) or 503 (another process is writing the store).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from itertools import chain
from typing import Any

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from index.errors import RagError
from index.lock import StoreLocked
from rag.answer import Answer
from rag.serve import openai_compat as oa
from rag.serve.service import NotFound, Service

log = logging.getLogger("rag.serve")


class AskRequest(BaseModel):
    question: str = Field(description="the question")
    history: list[dict[str, Any] | tuple[str, str]] | None = Field(
        None, description="earlier turns: {role, content} messages or [question, answer] pairs"
    )
    sources: list[str] | None = Field(
        None, description="restrict retrieval to these documents (ids or source paths)"
    )
    stream: bool = Field(
        False, description="server-sent events: `token` {text} pieces, then `answer`"
    )


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens...: accepted, unused

    model: str | None = None
    messages: list[dict[str, Any]]
    stream: bool = False


def _sse(data: dict | str, event: str | None = None) -> str:
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return (f"event: {event}\n" if event else "") + f"data: {body}\n\n"


def _event_stream(events: Iterator[str]) -> StreamingResponse:
    # No buffering by proxies: each event is sent as it is made.
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events, media_type="text/event-stream", headers=headers)


def _invalid_line(errors: list[dict]) -> str:
    """ "request body, field question: Input should be a valid string; see GET /docs" """
    first = errors[0] if errors else {}
    where = [str(p) for p in first.get("loc", ()) if p != "body"]
    at = f", field {'.'.join(where)}" if where and first.get("type") != "json_invalid" else ""
    what = first.get("msg", "invalid request")
    return f"request body{at}: {what}; see GET /docs for the request shape"


def _error_line(e: Exception, doing: str) -> str:
    if isinstance(e, RagError):
        return str(e)
    log.exception("unexpected error while %s", doing)
    return f"unexpected error while {doing} ({type(e).__name__}); the server log has details"


def ask_events(service: Service, req: AskRequest) -> Iterator[str]:
    stream = iter(service.stream(req.question, req.history, req.sources))
    first = next(stream)  # an empty question or a missing index raises here, before the 200
    try:
        for item in chain([first], stream):
            if isinstance(item, Answer):
                yield _sse(item.to_dict(), "answer")
            else:
                yield _sse({"text": item}, "token")
    except Exception as e:
        yield _sse({"error": _error_line(e, "answering")}, "error")


def chat_events(service: Service, req: ChatRequest) -> Iterator[str]:
    question, history = oa.question_and_history(req.messages)
    stream = iter(service.stream(question, history))
    first = next(stream)  # user errors raise here, before the 200
    cid = oa.new_id()
    yield _sse(oa.chunk(cid, req.model, {"role": "assistant", "content": ""}))
    try:
        items = chain([first], stream)
        answer = next((item for item in items if isinstance(item, Answer)), None)
        if answer is None:
            raise RuntimeError("the pipeline produced no answer")
        for piece in oa.pieces(answer.text):
            yield _sse(oa.chunk(cid, req.model, {"content": piece}))
        yield _sse(oa.chunk(cid, req.model, {}, "stop", **oa.final_extra(answer)))
    except Exception as e:
        yield _sse({"error": {"message": _error_line(e, "answering"), "type": "server_error"}})
    yield _sse("[DONE]")


def create_api(service: Service) -> FastAPI:
    api = FastAPI(
        title="grounded-rag",
        summary="Answers from your documents, each sentence citing the passage it rests on.",
        version="1",
    )

    @api.exception_handler(RagError)
    def user_error(request: Request, e: RagError):
        status = 404 if isinstance(e, NotFound) else 503 if isinstance(e, StoreLocked) else 400
        headers = {"Retry-After": "5"} if status == 503 else None
        return JSONResponse({"error": str(e)}, status, headers=headers)

    @api.exception_handler(RequestValidationError)
    def bad_request(request: Request, e: RequestValidationError):
        # The same one-line "error" as every other refusal, so a client reads one key;
        # FastAPI's "detail" list stays beside it for clients that already read that.
        errors = e.errors()
        return JSONResponse({"error": _invalid_line(errors), "detail": errors}, 422)

    @api.exception_handler(Exception)
    def server_error(request: Request, e: Exception):
        return JSONResponse({"error": _error_line(e, request.url.path)}, 500)

    @api.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/ui/" if service_has_ui(api) else "/docs")

    @api.get("/v1/status", summary="store, documents, chunks, and whether indexing is running")
    def status():
        return service.status()

    @api.post("/v1/ask", summary="ask a question: Answer.to_dict(), or SSE with stream=true")
    def ask(req: AskRequest):
        if req.stream:
            events = ask_events(service, req)
            return _event_stream(_first_checked(events))
        return service.ask(req.question, req.history, req.sources).to_dict()

    @api.post(
        "/v1/chat/completions",
        summary="OpenAI-compatible chat; citations in the extra `citations` field",
    )
    def chat(req: ChatRequest):
        if req.stream:
            return _event_stream(_first_checked(chat_events(service, req)))
        question, history = oa.question_and_history(req.messages)
        return oa.completion(service.ask(question, history), req.model)

    @api.get("/v1/models", summary="the one model this server offers (for OpenAI clients)")
    def models():
        return {"object": "list", "data": [{"id": oa.MODEL, "object": "model", "owned_by": "rag"}]}

    @api.get("/v1/documents", summary="indexed documents: id, source, title, chunks")
    def documents():
        return {"documents": service.documents()}

    @api.post("/v1/documents", summary="upload files (multipart `files`); indexed incrementally")
    def upload(files: list[UploadFile] = File(...)):  # noqa: B008 (FastAPI's idiom)
        results = [service.upload(f.file, f.filename).to_dict() for f in files]
        return {"results": results}

    @api.delete("/v1/documents/{doc_id}", summary="remove a document from the index")
    def delete(doc_id: str):
        return service.delete(doc_id)

    @api.get("/v1/sources/{doc_id}", summary="cleaned text of an indexed document")
    def source(doc_id: str):
        return service.source_text(doc_id)

    return api


def _first_checked(events: Iterator[str]) -> Iterator[str]:
    """Run the generator to its first event now, so bad input fails with a status code
    before the 200 of the stream is sent."""
    first = next(events, None)

    def rest() -> Iterator[str]:
        if first is not None:
            yield first
        yield from events

    return rest()


def service_has_ui(api: FastAPI) -> bool:
    return any(getattr(r, "path", "") == "/ui" for r in api.routes)


def mount_ui(api: FastAPI, service: Service, allow_client_settings: bool = False) -> FastAPI:
    """Mount the Gradio page at /ui over the service's pipelines (one pipeline for both)."""
    import gradio as gr

    from ui.app import CSS, HEAD, create_app

    blocks = create_app(
        service.cfg.ask,
        allow_client_settings,
        pipelines=service.pipelines,
        max_upload_bytes=service.cfg.max_upload_bytes,
    )
    return gr.mount_gradio_app(
        api,
        blocks,
        path="/ui",
        max_file_size=service.cfg.max_upload_bytes,
        ssr_mode=False,
        show_error=False,
        css=CSS,
        head=HEAD,
        theme=gr.themes.Default(primary_hue="indigo"),
    )


def build_asgi(
    service: Service,
    host: str,
    port: int,
    token: str | None,
    ui: bool = True,
    allow_client_settings: bool = False,
):
    """The whole server: Host/Origin check, token, size cap, then the API (and /ui)."""
    from rag.serve.auth import BodyLimit, TokenGuard
    from ui.guard import HostGuard  # no Gradio import: the same DNS-rebinding rule as `rag ui`

    api = create_api(service)
    if ui:
        api = mount_ui(api, service, allow_client_settings)
    # A multipart body carries a little more than its files: allow for the envelope.
    capped = BodyLimit(api, service.cfg.max_upload_bytes + 64 * 1024)
    return HostGuard(TokenGuard(capped, token), host=host, port=port)
