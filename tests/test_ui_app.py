"""The UI adapter without a browser: streaming events, settings, uploads, the `rag ui` command."""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import replace
from pathlib import Path

import gradio as gr
import pytest

from index.errors import ConfigError
from index.pipeline import IndexConfig
from rag.answer import Answer, Citation, SentenceCheck, Source
from rag.cli import build_parser
from rag.llm import LLMError
from rag.pipeline import AskConfig
from ui import app as ui_app
from ui import render

UI = Path(__file__).resolve().parents[1] / "ui"
TEXT = "SenseTime makes computer vision software."


def final_answer() -> Answer:
    src = Source("c1", "/d/a.txt", "Title", 0, len(TEXT), TEXT, 0.03, 0.6, 3.0)
    cit = Citation(1, "/d/a.txt", "Title", 0, 9, "SenseTime", 0.6, None, "c1")
    return Answer(
        text="SenseTime. [1]",
        abstained=False,
        citations=[cit],
        timings={"total_ms": 5.0},
        sentences=[SentenceCheck("SenseTime.", [1], 1.0, "supported")],
        sources=[src],
        query="q",
        backend="extractive",
    )


class FakeReader:
    def doc_text(self, source: str) -> str | None:
        return TEXT


class FakePipeline:
    """Streams the given items; an Exception item is raised at that point of the stream."""

    def __init__(self, items):
        self.items = items
        self.reader = FakeReader()
        self.calls: list[tuple] = []

    def stream(self, question, history=None, sources=None):
        self.calls.append((question, history))
        for item in self.items:
            if isinstance(item, Exception):
                raise item
            yield item


# --- ask_events -------------------------------------------------------------------------------


def test_ask_events_streams_text_then_replaces_it_with_the_verified_answer():
    ans = final_answer()
    fake = FakePipeline(["Sense", "Time. ", "[1]", ans])
    history = [("Who is Eddie Wu?", "The CEO. [1]")]
    events = list(ui_app.ask_events(fake, "Which company?", history, uid="t1"))
    assert fake.calls == [("Which company?", history)]
    assert [a for _, a in events] == [None, None, None, ans]
    assert events[0][0] == render.streaming_html("Sense")
    assert events[2][0] == render.streaming_html("SenseTime. [1]")
    assert events[-1][0] == render.answer_html(ans, "t1", "Which company?")


def test_ask_events_shows_a_user_error_in_the_chat():
    fake = FakePipeline(["Partial ", LLMError("cannot reach the LLM server at http://h/v1")])
    *_, (content, answer) = ui_app.ask_events(fake, "q", [])
    assert answer is None
    assert content == render.error_html("cannot reach the LLM server at http://h/v1")


def test_ask_events_turns_a_bug_into_one_line(caplog):
    fake = FakePipeline([KeyError("boom")])
    *_, (content, answer) = ui_app.ask_events(fake, "q", [])
    assert answer is None and "KeyError" in content and "Traceback" not in content
    assert "Traceback" in caplog.text  # the details go to the server log


# --- settings ---------------------------------------------------------------------------------


BASE = AskConfig(index=IndexConfig(store=Path("/nonexistent-store")))


def test_settings_build_the_config():
    cfg = ui_app.settings_config(BASE, "openai", " http://127.0.0.1:8080/v1 ", " qwen ", 4.0, True)
    assert (cfg.llm.backend, cfg.llm.base_url, cfg.llm.model) == (
        "openai",
        "http://127.0.0.1:8080/v1",
        "qwen",
    )
    assert cfg.retrieval.top_k == 4 and cfg.flag_unsupported is True
    assert cfg.index == BASE.index
    # A model typed for another backend does not leak into extractive.
    assert ui_app.settings_config(BASE, "extractive", "http://x/v1", "qwen", 6).llm == replace(
        BASE.llm, backend="extractive"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (("gpt", "", "", 6), "unknown backend 'gpt'"),
        (("openai", "localhost:8080", "", 6), "not an http(s) URL"),
        (("openai", "ftp://h/v1", "", 6), "not an http(s) URL"),
        (("extractive", "", "", 0), "top-k must be a whole number from 1 to 50"),
        (("extractive", "", "", 51), "top-k must be"),
        (("extractive", "", "", 2.5), "top-k must be"),
    ],
)
def test_invalid_settings_say_what_is_wrong(args, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        ui_app.settings_config(BASE, *args)


# --- uploads and status -----------------------------------------------------------------------


def test_upload_refuses_an_unsupported_type_without_copying(tmp_path: Path):
    f = tmp_path / "notes.xyz"
    f.write_text("hello")
    r = ui_app.upload_file(f, IndexConfig(store=tmp_path / "store"))
    assert (r.name, r.status) == ("notes.xyz", "error")
    assert "unsupported file type '.xyz'" in r.detail and ".txt" in r.detail
    assert not (tmp_path / "store" / "uploads" / "notes.xyz").exists()


def test_upload_reports_a_file_the_index_refuses_and_drops_the_copy(tmp_path: Path):
    f = tmp_path / "broken.pdf"
    f.write_bytes(b"%PDF-1.4 this is not really a pdf")
    r = ui_app.upload_file(f, IndexConfig(store=tmp_path / "store"))
    assert (r.name, r.status) == ("broken.pdf", "error") and r.detail
    assert not (tmp_path / "store" / "uploads" / "broken.pdf").exists()


def test_status_of_a_missing_store_does_not_create_it(tmp_path: Path):
    store = tmp_path / "none"
    assert "No index yet" in ui_app.index_status(IndexConfig(store=store))
    assert not store.exists()


# --- app, launch, command ---------------------------------------------------------------------


def test_create_app_builds_without_serving(tmp_path: Path):
    app = ui_app.create_app(AskConfig(index=IndexConfig(store=tmp_path / "none")))
    assert isinstance(app, gr.Blocks)
    assert not tmp_path.joinpath("none").exists()


def test_launch_binds_loopback_and_never_shares_by_default():
    params = inspect.signature(ui_app.launch).parameters
    assert params["host"].default == "127.0.0.1"
    assert params["share"].default is False


def test_rag_ui_command_defaults(monkeypatch):
    monkeypatch.delenv("RAG_LLM", raising=False)
    args = build_parser().parse_args(["ui"])
    assert (args.host, args.port, args.share, args.llm) == ("127.0.0.1", 7860, False, "extractive")
    args = build_parser().parse_args(
        ["ui", "--store", "/s", "--port", "9000", "--llm", "openai", "--share"]
    )
    assert (args.store, args.port, args.llm, args.share) == (Path("/s"), 9000, "openai", True)


def test_rag_ui_rejects_a_bad_setting_before_serving(capsys):
    from rag.cli import main

    assert main(["ui", "--store", "/nonexistent", "--llm", "openai", "--base-url", "h:1"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err


def test_ui_holds_no_retrieval_logic():
    """ui/ talks to the read path through Pipeline and to the write path through index_paths."""
    forbidden = ("rag.retrieval", "rag.extractive", "rag.verify", "rag.support", "rag.condense")
    forbidden += ("index.reader", "index.store", "index.catalog", "chromadb")
    for path in UI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(forbidden), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(forbidden), f"{path.name}: {alias.name}"
