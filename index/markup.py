"""Markdown (and, in index.rst, reStructuredText) to readable `Line`s: code kept verbatim.

What is embedded and shown is the text a reader of the rendered page sees: roles and inline
markup give their text (:class:`~pathlib.Path` -> Path), headings become heading lines,
object directives become their signature line, admonitions and version notes become the
words Sphinx prints ("Note:", "Added in version 3.2."), bookkeeping directives and comments go.
Each paragraph, list item and table row becomes one line (wrapped source lines are joined
with a space), so a sentence never carries a line break. Code (literal blocks, code-block
directives, doctests, fenced blocks) is kept line for line as `CODE` lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from index.clean import CODE, Line
from index.lists import ITEM

Extracted = tuple[list[Line], str | None]

# ---------------------------------------------------------------- shared helpers


def _indent(s: str) -> int:
    return len(s) - len(s.lstrip())


def _dedent(lines: list[str]) -> list[str]:
    depth = min((_indent(t) for t in lines if t.strip()), default=0)
    return [t[depth:] if t.strip() else "" for t in lines]


def _code(lines: list[str], out: list[Line]) -> None:
    body = _dedent(lines)
    while body and not body[-1].strip():
        body.pop()
    while body and not body[0].strip():
        body.pop(0)
    if body:
        out.append(Line(""))
        out += [Line(t.expandtabs(), kind=CODE) for t in body]
        out.append(Line(""))


def _para(text: str, out: list[Line], level: int | None = None, kind: str | None = None) -> None:
    if text.strip():
        out += [Line(""), Line(text, level=level, kind=kind), Line("")]


# ---------------------------------------------------------------- Markdown

_MD_HEADING = re.compile(r"#{1,6}\s+(.*?)(\s+#+)?\s*")
_MD_RULE = re.compile(r"([-*_])(\s*\1){2,}")
_MD_BULLET = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+(\[[ xX]\]\s+)?")
_MD_TABLE_SEP = re.compile(r"\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?")
_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image -> alt text
    (re.compile(r"\[([^\]]+)\](\([^)]*\)|\[[^\]]*\])"), r"\1"),  # link -> its text
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),  # not __x__: it mangles __init__
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"<!--.*?-->"), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])"), r"\1"),
]


# Raw HTML in Markdown, as READMEs and the Node.js docs write it: a paragraph that opens with a
# block element is an HTML block (CommonMark: it runs to the next blank line) and is read as HTML
# (index/html.py: a table's rows, a <details>' summary); inline elements give their text
# ("<kbd>Ctrl</kbd>+<kbd>C</kbd>" -> "Ctrl+C", '<a id="intro">1.</a>' -> "1."). Only HTML's own
# element names: "npm install <pkg>" and "<Buffer 01 02>" are text.
_HTML_BLOCK = re.compile(
    r"</?(?:address|article|aside|blockquote|center|dd|details|dialog|div|dl|dt|fieldset|figure"
    r"|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|picture|pre|section|summary|table|tbody|td"
    r"|tfoot|th|thead|tr|ul)(?=[\s/>])",
    re.IGNORECASE,
)
_HTML_INLINE = re.compile(
    r"</?(?:a|abbr|b|bdi|br|cite|code|del|dfn|em|font|i|img|ins|kbd|mark|q|s|samp|small|span"
    r"|strike|strong|sub|sup|time|tt|u|var|wbr)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_IMG_ALT = re.compile(r"""<img\s[^<>]*?\balt=["']([^"']*)["'][^<>]*>""", re.IGNORECASE)


def _inline_html(text: str) -> str:
    """Inline HTML elements give their text, outside `code spans` (which show them as code)."""
    parts = re.split(r"(`[^`]+`)", text)
    for k in range(0, len(parts), 2):
        t = _IMG_ALT.sub(r"\1", parts[k])
        t = re.sub(r"<br\s*/?>", " ", t, flags=re.IGNORECASE)
        parts[k] = _HTML_INLINE.sub("", t)
    return "".join(parts)


def md_inline(text: str) -> str:
    if "<" in text:
        text = _inline_html(text)
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text


def _html_block(raw: list[str], i: int, out: list[Line]) -> int:
    """Read the HTML block opening at line i (to the next blank line) as HTML; the line after."""
    from index.html import read_html  # here: index/html.py imports this module

    j = i
    while j < len(raw) and raw[j].strip():
        j += 1
    lines, _title = read_html("\n".join(raw[i:j]).encode("utf-8"), "an HTML block")
    out += [Line(""), *lines, Line("")]
    return j


def _comment(raw: list[str], i: int) -> tuple[list[str], int, str]:
    """The HTML comment opening at line i: its lines, the line after it, and any text after
    its "-->" on the closing line. Invisible once rendered, so never text (a comment over
    several lines used to leak its middle lines as a paragraph)."""
    j, after = i, raw[i].find("<!--") + 4  # where its "-->" may be, on its first line
    while "-->" not in raw[j][after:] and j + 1 < len(raw):
        j, after = j + 1, 0  # unclosed: it runs to the end, as CommonMark reads it
    rest = raw[j][after:].split("-->", 1)[1] if "-->" in raw[j][after:] else ""
    return raw[i : j + 1], j + 1, rest


def node_history(body: list[str]) -> list[str]:
    """Node.js API pages keep each entry's history in a `<!-- YAML ... -->` comment, which
    nodejs.org renders as "Added in: v8.2.0" and a table of changes: read as rendered, one line
    per fact ("Changed in: v10.0.0: Deprecation warnings are only emitted once ...")."""
    import yaml  # imported only for such pages

    text = "\n".join(body).split("<!-- YAML", 1)[-1].rsplit("-->", 1)[0]
    try:
        meta = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    if not isinstance(meta, dict):
        return []

    def versions(v: object) -> str:
        return ", ".join(str(x) for x in (v if isinstance(v, list) else [v]) if x)

    out = []
    for key, label in (("added", "Added in"), ("deprecated", "Deprecated since")):
        if meta.get(key):
            out.append(f"{label}: {versions(meta[key])}.")
    if meta.get("removed"):
        out.append(f"Removed in: {versions(meta['removed'])}.")
    for change in meta.get("changes") or []:
        if isinstance(change, dict) and change.get("version") and change.get("description"):
            said = " ".join(str(change["description"]).split())
            said = md_inline(said) + ("" if said.endswith((".", "!", "?")) else ".")
            out.append(f"Changed in: {versions(change['version'])}: {said}")
    return out


def read_markdown(text: str) -> Extracted:
    raw = text.expandtabs(4).splitlines()
    title = None
    out: list[Line] = []
    if raw and raw[0].strip() == "---":  # YAML front matter: metadata, not text
        end = next((i for i, t in enumerate(raw[1:60], 1) if t.strip() in ("---", "...")), 0)
        for t in raw[1:end]:
            key, _, value = t.partition(":")
            value = value.strip().strip("\"'")
            if key.strip().lower() == "title":
                title = value or None
            elif key.strip().lower() in ("description", "summary", "abstract") and value:
                # The page's summary, written for readers ("Manage the npm configuration files"):
                # its first paragraph.
                _para(md_inline(value), out)
        raw = raw[end + 1 :] if end else raw
    para: list[str] = []
    item = [False]  # the paragraph being read is a list item (index/lists.py)

    def flush() -> None:
        _para(md_inline(" ".join(para)), out, kind=ITEM if item[0] else None)
        para.clear()
        item[0] = False

    i, fence, in_item = 0, "", False
    while i < len(raw):
        t, s = raw[i], raw[i].strip()
        i += 1
        if fence:  # inside a fenced block: verbatim until the closing fence
            if s.startswith(fence):
                fence = ""
                out.append(Line(""))
            else:
                out.append(Line(t, kind=CODE))
            continue
        if s.startswith(("```", "~~~")):
            flush()
            fence, depth = s[:3], _indent(t)
            out.append(Line(""))
            block: list[str] = []
            while i < len(raw) and not raw[i].strip().startswith(fence):
                block.append(raw[i][depth:] if _indent(raw[i]) >= depth else raw[i].lstrip())
                i += 1
            out += [Line(x, kind=CODE) for x in block]
            continue
        if not s:
            flush()
            continue
        if s.startswith("<!--"):
            flush()
            body, i, rest = _comment(raw, i - 1)
            if s.startswith("<!-- YAML"):
                for line in node_history(body):
                    _para(line, out)
            if rest.strip():
                raw[i - 1] = rest  # text after the comment on its closing line is read on
                i -= 1
            continue
        if not para and _HTML_BLOCK.match(s):
            i = _html_block(raw, i - 1, out)
            continue
        if not para and _indent(t) >= 4 and not in_item:  # an indented code block
            j = i
            while j < len(raw) and (not raw[j].strip() or _indent(raw[j]) >= 4):
                j += 1
            _code(raw[i - 1 : j], out)
            i = j
            continue
        heading = _MD_HEADING.fullmatch(s)
        if heading:
            flush()
            level = len(s) - len(s.lstrip("#"))
            _para(md_inline(heading.group(1)), out, level)
        elif para and len(para) == 1 and set(s) <= {"=", "-"} and len(s) >= 2:
            # setext underline: the line before was a heading
            _para(md_inline(para.pop()), out, 1 if s[0] == "=" else 2)
        elif _MD_RULE.fullmatch(s) or re.fullmatch(r"\[[^\]]+\]:\s+\S+.*", s):
            flush()  # horizontal rule or link definition
        elif s.startswith("|") or (para and para[0].startswith("|")):
            flush()
            if not _MD_TABLE_SEP.fullmatch(s):
                cells = [md_inline(c.strip()) for c in s.strip("|").split("|")]
                _para(" | ".join(c for c in cells if c), out)
        elif bullet := _MD_BULLET.match(t):
            flush()
            para.append(t[bullet.end() :].strip())
            item[0] = True
            in_item = True  # its indented lines continue the item, they are not code
            continue
        else:
            para.append(re.sub(r"^(>\s?)+", "", s))
        if _indent(t) == 0:
            in_item = False
    flush()
    h1 = next((x.text for x in out if x.level == 1 and x.text), None)
    return out, h1 or title


# ---------------------------------------------------------------- chunking hook

CountTokens = Callable[[Sequence[str]], list[int]]


def code_units(
    text: str,
    spans: list[tuple[int, int]],
    code: list[tuple[int, int]],
    count: CountTokens,
    budget: int,
) -> list[tuple[int, int]]:
    """Replace the sentence spans inside each code block by whole-line groups of the block.

    A code block is one unit when it fits the token budget, else runs of whole lines that
    do (a single line over budget is left for the chunker's word split). Spans outside code
    blocks pass through unchanged.
    """
    if not code:
        return spans
    out: list[tuple[int, int]] = []
    k = 0
    for a, b in spans:
        while k < len(code) and code[k][1] <= a:
            k += 1
        if k < len(code) and code[k][0] < b:
            ca, cb = code[k]
            if not out or out[-1][1] <= ca:
                out += _line_groups(text, max(ca, a), cb, count, budget)
            continue
        out.append((a, b))
    return out


def _line_groups(
    text: str, a: int, b: int, count: CountTokens, budget: int
) -> list[tuple[int, int]]:
    [n] = count([text[a:b]])
    if n <= budget:
        return [(a, b)]
    lines = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S[^\n]*", text[a:b])]
    counts = count([text[s:e] for s, e in lines])
    groups: list[tuple[int, int]] = []
    start, total = lines[0][0], 0
    prev_end = start
    for (s, e), c in zip(lines, counts, strict=True):
        if total and total + c + 1 > budget:  # +1: the newline between lines may count
            groups.append((start, prev_end))
            start, total = s, 0
        total += c + 1
        prev_end = e
    groups.append((start, prev_end))
    return groups
