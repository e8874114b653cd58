"""The Gradio chat over `rag`: `create_app(cfg)` builds the page, `launch(...)` serves it.

A thin adapter: questions go to `rag.pipeline.Pipeline.stream`, uploads to
`index.uploads.store_upload`, and `ui.render` turns the results into HTML. Errors meant for
users (`RagError`) are shown in the page as one line; anything else is logged with its
traceback on the server and shown as one line too, never as a stack trace.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from index import uploads
from index.errors import RagError
from index.pipeline import CATALOG_FILE, IndexConfig, store_status
from rag.answer import Answer
from rag.pipeline import AskConfig, Pipeline
from ui import render
from ui.guard import ClientPolicy, HostGuard
from ui.page_image import citation_figure
from ui.settings import MAX_TOP_K, Pipelines, settings_config  # noqa: F401  (re-exported)
from ui.style import CSS, HEAD

log = logging.getLogger("rag.ui")

UPLOADS_DIR = uploads.UPLOADS_DIR  # inside the store: Gradio's temporary files do not last


# --- the two actions: ask, upload -------------------------------------------------------------


def _unexpected(e: Exception, doing: str) -> str:
    log.exception("unexpected error while %s", doing)
    return f"unexpected error while {doing} ({type(e).__name__}: {e}); the server log has details"


def ask_events(
    pipeline: Pipeline, question: str, history=None, uid: str = ""
) -> Iterator[tuple[str, Answer | None]]:
    """Yields (assistant message HTML, None) while tokens stream, then (verified HTML, Answer).

    The streamed text is shown raw, then replaced by the verified answer: verification may drop
    or re-attach sentences, so the final message can differ from what streamed. Errors end the
    stream with an error message (and None); this generator does not raise.
    """
    text = ""
    try:
        for item in pipeline.stream(question, history):
            if isinstance(item, Answer):

                def doc_text(source: str) -> str | None:
                    return pipeline.reader.doc_text(source)

                def page_words(source: str, page: int) -> tuple:  # stored OCR boxes: no Tesseract
                    return pipeline.reader.page_words(source, page)

                figure = functools.partial(citation_figure, page_words=page_words)
                yield render.answer_html(item, uid, question, doc_text, figure), item
                return
            text += item
            yield render.streaming_html(text), None
        yield render.error_html("the pipeline ended without an answer"), None
    except RagError as e:
        yield render.error_html(str(e)), None
    except Exception as e:  # a bug, not a user error: one line here, the traceback in the log
        yield render.error_html(_unexpected(e, "answering")), None


def upload_file(
    path: str | Path, cfg: IndexConfig, max_bytes: int = uploads.DEFAULT_MAX_BYTES
) -> render.FileResult:
    """Store one uploaded file in <store>/uploads/ and index it (rules in index/uploads.py)."""
    r = uploads.store_upload(path, Path(path).name, cfg, max_bytes)
    return render.FileResult(r.name, r.status, r.detail)


def index_status(cfg: IndexConfig) -> str:
    """The status line; a store that has no catalog yet is reported, not created."""
    if cfg.chroma_url is None and not (cfg.store / CATALOG_FILE).exists():
        return render.status_html(None, str(cfg.store))
    try:
        return render.status_html(store_status(cfg), str(cfg.store))
    except RagError as e:
        return render.notice_html(f"cannot read the index: {e}", "error")


# --- the page ---------------------------------------------------------------------------------


def create_app(
    cfg: AskConfig,
    allow_client_settings: bool = False,
    pipelines: Pipelines | None = None,
    max_upload_bytes: int = uploads.DEFAULT_MAX_BYTES,
) -> gr.Blocks:
    """Build the page for the store and defaults in `cfg`; `launch` serves it.

    Clients choose among the backends and models in `cfg` (see ui/guard.py); with
    `allow_client_settings` they may also name a base URL or model, never with the API key.
    `pipelines` lets a host server (`rag serve`) share its open pipelines with the page.
    """
    pipelines = pipelines if pipelines is not None else Pipelines()
    policy = ClientPolicy(cfg, allow_client_settings)

    def on_ask(question, chat, turns, backend, base_url, model, top_k, keep_flagged):
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        chat = list(chat or []) + [
            render.user_message(question),
            render.assistant_message(render.streaming_html("")),
        ]
        turns = list(turns or [])
        # The panel describes the answer being made, never an older one.
        yield "", chat, turns, render.sources_html(None)
        try:
            pipeline, _ = pipelines.open(policy, backend, base_url, model, top_k, keep_flagged)
        except RagError as e:
            chat[-1] = render.assistant_message(render.error_html(str(e)))
            yield "", chat, turns, gr.skip()
            return
        except Exception as e:
            chat[-1] = render.assistant_message(render.error_html(_unexpected(e, "opening")))
            yield "", chat, turns, gr.skip()
            return
        # The pipeline condenses a follow-up with the plain (question, answer text) turns,
        # never with the HTML shown in the chat.
        for content, answer in ask_events(pipeline, question, turns, uid=f"m{len(chat)}"):
            chat[-1] = render.assistant_message(content)
            if answer is None:
                yield "", chat, turns, gr.skip()
            else:
                turns = [*turns, (question, answer.text)]
                yield "", chat, turns, render.sources_html(answer)

    def on_upload(files, progress=gr.Progress()):  # noqa: B008 (Gradio's injection idiom)
        paths = [str(f) for f in (files or [])]
        if not paths:
            yield gr.skip(), gr.skip(), gr.skip()
            return
        results = [render.FileResult(Path(p).name, "waiting") for p in paths]
        for i, p in enumerate(paths):
            progress((i, len(paths)), desc=f"indexing {Path(p).name}", unit="files")
            results[i] = render.FileResult(results[i].name, "indexing")
            yield (
                render.upload_html(results, f"indexing {i + 1} of {len(paths)}…"),
                gr.skip(),
                gr.skip(),
            )
            try:
                results[i] = upload_file(p, cfg.index, max_upload_bytes)
            except Exception as e:
                results[i] = render.FileResult(results[i].name, "error", _unexpected(e, "indexing"))
            yield render.upload_html(results), index_status(cfg.index), gr.skip()
        pipelines.reset()
        failed = sum(r.status == "error" for r in results)
        summary = f"done: {len(results) - failed} indexed" + (
            f", {failed} failed" if failed else ""
        )
        yield render.upload_html(results, summary), index_status(cfg.index), None

    def on_apply(backend, base_url, model, top_k, keep_flagged):
        try:
            pipeline, new = pipelines.open(policy, backend, base_url, model, top_k, keep_flagged)
        except RagError as e:
            return render.notice_html(str(e), "error")
        except Exception as e:
            return render.notice_html(_unexpected(e, "applying the settings"), "error")
        return render.notice_html(f"ready: {pipeline.backend}, top-k {new.retrieval.top_k}")

    def on_backend(backend):
        model_update = dict(visible=backend != "extractive")
        if not allow_client_settings:  # show the model the operator set for this backend
            model_update["value"] = policy.model(backend) or ""
        return gr.update(visible=backend == "openai"), gr.update(**model_update)

    llm = cfg.llm
    with gr.Blocks(title="Ask your documents", analytics_enabled=False) as app:
        with gr.Row(equal_height=False):
            gr.Markdown("## Ask your documents")
            status = gr.HTML(index_status(cfg.index), elem_id="index-status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chat = gr.Chatbot(
                    label="Chat",
                    elem_id="chat",
                    height=620,
                    latex_delimiters=[],  # "$" in news text is money, not maths
                    feedback_options=None,
                    buttons=["copy"],
                    placeholder="Ask a question about the indexed documents. Answers cite "
                    "their passages: click a [n] marker to see the exact sentence.",
                )
                with gr.Row():
                    question = gr.Textbox(
                        elem_id="question",
                        show_label=False,
                        placeholder="Ask a question; follow-ups may refer to earlier turns",
                        scale=5,
                        autofocus=True,
                    )
                    ask = gr.Button("Ask", variant="primary", elem_id="ask", scale=0, min_width=110)
                    clear = gr.Button("New chat", elem_id="clear", scale=0, min_width=130)
            with gr.Column(scale=2):
                with gr.Accordion("Retrieved passages", open=True):
                    sources = gr.HTML(render.sources_html(None), elem_id="sources")
                with gr.Accordion("Add documents", open=True):
                    files = gr.File(
                        label="Drop files here (.txt .md .html .pdf .docx)",
                        file_count="multiple",
                        elem_id="upload",
                    )
                    upload_report = gr.HTML(render.upload_html([]), elem_id="upload-report")
                with gr.Accordion("Settings", open=False):
                    free = allow_client_settings
                    backend = gr.Radio(
                        list(policy.backends),
                        value=llm.backend,
                        label="Backend",
                        elem_id="backend",
                    )
                    # Without --allow-client-settings these only show the operator's choice;
                    # the server refuses other values whatever a client sends.
                    base_url = gr.Textbox(
                        policy.openai_url or "",
                        label="Base URL (OpenAI-compatible API root)"
                        + ("" if free else ", set by the server's operator"),
                        placeholder="http://127.0.0.1:8080/v1",
                        visible=llm.backend == "openai",
                        interactive=free,
                        elem_id="base-url",
                    )
                    model = gr.Textbox(
                        llm.model or "",
                        label="Model (openai: name; local: path to a .gguf)"
                        if free
                        else "Model, set by the server's operator",
                        placeholder="empty: the server's only model / the bundled SmolLM2",
                        visible=llm.backend != "extractive",
                        interactive=free,
                        elem_id="model",
                    )
                    top_k = gr.Slider(
                        1, MAX_TOP_K, value=cfg.retrieval.top_k, step=1, label="Top-k passages"
                    )
                    keep_flagged = gr.Checkbox(
                        cfg.flag_unsupported,
                        label="Keep unsupported sentences in the answer (marked)",
                    )
                    apply = gr.Button("Apply", elem_id="apply")
                    settings_note = gr.HTML("", elem_id="settings-note")
        turns = gr.State([])  # (question, answer text) pairs for follow-up condensation

        settings = [backend, base_url, model, top_k, keep_flagged]
        ask_io = dict(
            fn=on_ask,
            inputs=[question, chat, turns, *settings],
            outputs=[question, chat, turns, sources],
        )
        question.submit(**ask_io)
        ask.click(**ask_io)
        clear.click(lambda: ([], [], render.sources_html(None)), outputs=[chat, turns, sources])
        files.upload(on_upload, inputs=[files], outputs=[upload_report, status, files])
        apply.click(on_apply, inputs=settings, outputs=[settings_note])
        backend.change(on_backend, inputs=[backend], outputs=[base_url, model])
        app.load(lambda: index_status(cfg.index), outputs=[status])
    return app


def launch(
    cfg: AskConfig,
    host: str = "127.0.0.1",
    port: int = 7860,
    share: bool = False,
    block: bool = True,
    allow_client_settings: bool = False,
    token: str | None = None,
) -> gr.Blocks:
    """Serve the app on host:port (loopback unless asked); public sharing only when asked.

    Beyond loopback (or shared) it needs a token (`token`, else $RAG_API_TOKEN) and refuses to
    start without one; with a token every request needs it (rag/serve/auth.py).

    With `block=False` it returns once the server listens (tests close it with `.close()`);
    with `block=True` it prints where to go and serves until interrupted. Requests addressed
    to another Host or from another Origin get 403 (ui/guard.py).
    """
    from starlette.middleware import Middleware

    from rag.serve.auth import TokenGuard, is_loopback, require_token, token_from_env

    token = token or token_from_env()
    require_token(host, token, "rag ui", share)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    app = create_app(cfg, allow_client_settings)
    guard = Middleware(HostGuard, host=host, port=port, share=share)
    app.launch(
        app_kwargs={"middleware": [guard, Middleware(TokenGuard, token=token)]},
        max_file_size=uploads.DEFAULT_MAX_BYTES,
        server_name=host,
        server_port=port,
        share=share,
        prevent_thread_lock=True,
        ssr_mode=False,  # server-side rendering needs Node; the page is plain client-side
        show_error=False,
        css=CSS,
        head=HEAD,
        theme=gr.themes.Default(primary_hue="indigo"),
        quiet=True,  # Gradio's banner suggests a public link; ours names the store instead
    )
    if block:
        where = "this machine only" if is_loopback(host) else "other machines too"
        print(f"rag ui: http://{host}:{port}/ ({where}) over the store {cfg.index.store}")
        if app.share_url:
            print(f"rag ui: public link {app.share_url} (anyone with it can use this app)")
        print("rag ui: press Ctrl+C to stop")
        app.block_thread()
    return app
