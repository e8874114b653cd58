"""`rag eval generate`: questions whose evidence quotes are verbatim in the cleaned documents."""

from __future__ import annotations

import json
import re
from pathlib import Path

from eval.dataset import load_dataset
from eval.generate import generate, parse_json_reply, write_dataset
from eval.metrics import contains_answer
from index.loaders import load_document
from rag.cli import main
from tests.conftest import CORPUS


def _texts() -> dict[str, str]:
    return {f.name: load_document(f).text for f in CORPUS.iterdir()}


def test_template_fallback_quotes_are_substrings(tmp_path: Path):
    rows, stats = generate(CORPUS, 15, None, seed=0, progress=False)
    assert stats["generator"] == "template" and len(rows) == 15
    texts = _texts()
    for r in rows:
        (ev,) = r["evidence"]
        assert ev["quote"] in texts[ev["doc"]]
        assert contains_answer(ev["quote"], r["answers"])
        assert "___" in r["question"] and r["type"] in ("factoid", "numeric")
    assert generate(CORPUS, 15, None, seed=0, progress=False)[0] == rows  # deterministic
    write_dataset(rows, tmp_path / "g.jsonl")
    assert len(load_dataset(tmp_path / "g.jsonl")) == 15  # the runner's own format check


class FakeLLM:
    """Quotes the passage's first sentence with straight quotes, as models often do."""

    name = "fake:gen"

    def __init__(self, hallucinate: bool = False):
        self.hallucinate = hallucinate

    def chat(self, messages, stream=False):
        passage = messages[0]["content"].split("Passage:\n", 1)[1]
        sentence = re.split(r"(?<=[.!?])\s", passage)[0]
        answer = sentence.split()[-1].strip(".,!?”’\"'")
        quote = sentence.replace("’", "'").replace("“", '"').replace("”", '"')
        if self.hallucinate:
            quote = "Nothing like this sentence appears anywhere in the documents."
        reply = {"question": f"Which word ends this: {sentence[:40]}?", "answer": answer,
                 "quote": quote}  # fmt: skip
        yield "Here you go:\n```json\n" + json.dumps(reply) + "\n```"


def test_llm_items_are_checked_against_the_document():
    rows, stats = generate(CORPUS, 5, FakeLLM(), progress=False)
    assert rows and stats["generator"] == "fake:gen"
    texts = _texts()
    for r in rows:
        ev = r["evidence"][0]
        assert ev["quote"] in texts[ev["doc"]]  # straight quotes mapped back to the exact span
    bad, stats = generate(CORPUS, 5, FakeLLM(hallucinate=True), progress=False)
    assert bad == [] and stats["rejected"] == stats["tried"] == 15


def test_parse_json_reply():
    assert parse_json_reply('x {"a": {"b": 1}} y {"c": 2}') == {"a": {"b": 1}}
    assert parse_json_reply('{broken {"ok": true}') == {"ok": True}
    assert parse_json_reply("no json") is None


def test_cli_generate_offline(tmp_path: Path, capsys):
    out = tmp_path / "gen.jsonl"
    assert main(["eval", "generate", str(CORPUS), "--n", "5", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 5
    assert "generator template" in capsys.readouterr().out


def test_a_folder_given_as_out_is_refused_before_generating(tmp_path: Path, capsys):
    assert main(["eval", "generate", str(CORPUS), "--n", "5", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "--out" in err and "folder" in err and "\n" not in err, err
