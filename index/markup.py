"""reStructuredText and Markdown to readable `Line`s: markup stripped, code kept verbatim.

What is embedded and shown is the text a reader of the rendered page sees: roles and inline
markup give their text (:class:`~pathlib.Path` -> Path), headings become heading lines,
object directives become their signature line, admonitions and version notes become the
words Sphinx prints ("Note:", "New in version 3.2."), bookkeeping directives and comments go.
Each paragraph, list item and table row becomes one line (wrapped source lines are joined
with a space), so a sentence never carries a line break. Code (literal blocks, code-block
directives, doctests, fenced blocks) is kept line for line as `CODE` lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from index.clean import CODE, Line

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


def _para(text: str, out: list[Line], level: int | None = None) -> None:
    if text.strip():
        out += [Line(""), Line(text, level=level), Line("")]


# ---------------------------------------------------------------- rST inline markup

_LITERAL = re.compile(r"``(.+?)``", re.S)
_ROLE = re.compile(r":(?:[\w.+-]+:)*([\w.+-]+):`(.+?)`", re.S)
_LINK = re.compile(r"`([^`<]*?)\s*<[^`>]*>`__?", re.S)
_INTERPRETED = re.compile(r"`([^`]+)`(?:__?)?")
_FOOTNOTE_REF = re.compile(r"\s?\[(?:#[\w-]*|\d+|\*)\]_")
_STRONG = re.compile(r"(?<![\w*\\])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
_EMPHASIS = re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\w*])")
_SUBST = re.compile(r"\|([^|\s][^|]*?)\|(?:__?)?")
_HOLD = "\x00{}\x00"
_HELD = re.compile("\x00(\\d+)\x00")


def _role_text(role: str, text: str) -> str:
    text = " ".join(text.split())
    m = re.fullmatch(r"(.*?)\s*<([^<>]+)>", text, re.S)
    if m and m.group(1):
        text = m.group(1)  # explicit title: :ref:`the title <label>`
    elif m:
        text = m.group(2)
    if role in ("pep", "rfc"):
        return f"{role.upper()} {text.split('#')[0]}"
    if role == "samp":
        text = re.sub(r"(?<!\\)[{}]", "", text)
    text = text.lstrip("!")
    if text.startswith("~"):  # ~pathlib.Path.resolve -> resolve
        tail = re.search(r"\(.*\)$", text)
        name = text[1 : tail.start()] if tail else text[1:]
        text = name.rsplit(".", 1)[-1] + (tail.group() if tail else "")
    return text


def rst_inline(text: str, subs: dict[str, str] | None = None) -> str:
    """Text of one paragraph of rST with roles, literals, links and emphasis resolved."""
    held: list[str] = []

    def hold(s: str) -> str:
        held.append(s)
        return _HOLD.format(len(held) - 1)

    text = _LITERAL.sub(lambda m: hold(" ".join(m.group(1).split())), text)
    text = _ROLE.sub(lambda m: hold(_role_text(m.group(1), m.group(2))), text)
    text = _LINK.sub(lambda m: hold(m.group(1)), text)
    text = _INTERPRETED.sub(lambda m: hold(m.group(1)), text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _STRONG.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    if subs:
        text = _SUBST.sub(lambda m: subs.get(m.group(1), m.group(0)), text)
    text = re.sub(r"\\\s", "", text)  # an escaped space joins markup to a word
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"(?<=\s)---(?=\s)", "—", text)
    for _ in range(3):  # a held piece may hold another (a literal inside a link title)
        text = _HELD.sub(lambda m: held[int(m.group(1))], text)
    return text


# ---------------------------------------------------------------- rST blocks

_ADORN = re.compile(r"([!-/:-@\[-`{-~])\1{2,}\s*")
_DIRECTIVE = re.compile(r"\.\.\s+([\w:.-]+)::(?:\s+(.*))?")
_SUBST_DEF = re.compile(r"\.\.\s+\|([^|]+)\|\s+([\w-]+)::\s*(.*)")
_FOOTNOTE = re.compile(r"\.\.\s+\[[^\]]+\]\s*(.*)")
_BULLET = re.compile(r"([-*+•‣⁃])\s+|(\d+|#|[a-z])[.)]\s+|\((\d+|#|[a-z])\)\s+")
_FIELD = re.compile(r":([^:`]+):(?:\s+(.*))?")
_GRID = re.compile(r"\+(?:[-=]+\+)+")
_SIMPLE = re.compile(r"=+(?: +=+)+")
_OPTION = re.compile(r":[\w-]+:.*")

_SIGNATURES = {
    "function", "method", "class", "attribute", "data", "exception", "decorator",
    "decoratormethod", "classmethod", "staticmethod", "abstractmethod", "property",
    "coroutinefunction", "coroutinemethod", "describe", "object", "option", "cmdoption",
    "envvar", "opcode", "pdbcommand", "type", "var", "macro", "member", "c:function",
    "c:macro", "c:member", "c:type", "c:var", "py:function", "py:method", "py:class",
    "py:attribute", "py:data", "py:exception", "py:decorator", "py:property",
    "productionlist", "index-entry", "2to3fixer", "monitoring-event",
}  # fmt: skip
_ADMONITIONS = {
    "note": "Note:", "warning": "Warning:", "tip": "Tip:", "important": "Important:",
    "caution": "Caution:", "attention": "Attention:", "danger": "Danger:", "error": "Error:",
    "hint": "Hint:", "seealso": "See also:", "impl-detail": "CPython implementation detail:",
    "todo": "To do:",
}  # fmt: skip
_VERSIONS = {
    "versionadded": "New in version {}",
    "versionchanged": "Changed in version {}",
    "deprecated": "Deprecated since version {}",
    "deprecated-removed": "Deprecated since version {}, will be removed in version {}",
}
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode", "doctest", "testcode", "testoutput"}
_DROPPED = {
    "index", "module", "currentmodule", "moduleauthor", "sectionauthor", "codeauthor",
    "testsetup", "testcleanup", "toctree", "highlight", "literalinclude", "include", "image",
    "raw", "tabularcolumns", "audit-event", "audit-event-table", "contents", "meta",
    "default-role", "role", "availability", "program", "c:namespace", "py:module",
    "py:currentmodule", "sectnum", "header", "footer", "title", "cssclass", "only-html",
}  # fmt: skip
_TITLED = {"rubric", "topic", "table", "csv-table", "list-table", "admonition", "figure"}


class _Rst:
    def __init__(self) -> None:
        self.styles: list[tuple[str, bool]] = []  # heading adornments in order of appearance
        self.subs: dict[str, str] = {}
        self.out: list[Line] = []

    def inline(self, text: str) -> str:
        return rst_inline(text, self.subs)

    def heading(self, text: str, char: str, over: bool) -> None:
        if (char, over) not in self.styles:
            self.styles.append((char, over))
        _para(self.inline(text.strip()), self.out, self.styles.index((char, over)) + 1)

    def block(self, lines: list[str]) -> None:  # noqa: C901 - one dispatch over block kinds
        out, n, i = self.out, len(lines), 0
        para: list[str] = []
        literal_next = False

        def flush() -> bool:
            text = " ".join(t.strip() for t in para)
            para.clear()
            ends_literal = text.endswith("::")
            if ends_literal:
                text = text[:-2].rstrip() + (":" if not text[:-2].endswith(" ") else "")
                text = text.rstrip()
                text = "" if text == ":" else text
            _para(self.inline(text), out)
            return ends_literal

        while i < n:
            line, s = lines[i], lines[i].strip()
            nxt = lines[i + 1] if i + 1 < n else ""
            if not s:
                if para:
                    literal_next = flush()
                i += 1
                continue
            if _indent(line) > 0 and not para:
                j = i
                while j < n and (not lines[j].strip() or _indent(lines[j]) > 0):
                    j += 1
                if literal_next:
                    _code(lines[i:j], out)
                else:
                    self.block(_dedent(lines[i:j]))
                literal_next, i = False, j
                continue
            literal_next = False
            if para and _indent(line) > 0:
                para.append(s)  # a sloppy continuation line
                i += 1
                continue
            if s.startswith("..") and (s == ".." or s.startswith(".. ")) and not para:
                i = self.explicit(lines, i)
                continue
            if s.startswith(">>>") and not para:
                j = i
                while j < n and lines[j].strip():
                    j += 1
                _code(lines[i:j], out)
                i = j
                continue
            # heading with overline, heading with underline, transition
            if _ADORN.fullmatch(s) and not para:
                under = lines[i + 2].strip() if i + 2 < n else ""
                if nxt.strip() and under == s and len(s) >= len(nxt.strip()):
                    self.heading(nxt, s[0], True)
                    i += 3
                    continue
                out.append(Line(""))  # a transition line
                i += 1
                continue
            if not para and nxt.strip() and _ADORN.fullmatch(nxt.strip()):
                if len(nxt.strip()) >= max(3, len(s) * 4 // 5) and _indent(nxt) == 0:
                    self.heading(s, nxt.strip()[0], False)
                    i += 2
                    continue
            if not para and _GRID.fullmatch(s):
                i = self.grid_table(lines, i)
                continue
            if not para and _SIMPLE.fullmatch(s):
                i = self.simple_table(lines, i)
                continue
            bullet = _BULLET.match(line) if not para else None
            width = bullet.end() if bullet else 0
            if bullet and (
                bullet.group(1) or _BULLET.match(nxt) or not nxt.strip() or _indent(nxt) >= width
            ):
                j = i + 1
                while j < n and (
                    (not lines[j].strip() and j + 1 < n and _indent(lines[j + 1]) >= width)
                    or (lines[j].strip() and _indent(lines[j]) >= width)
                ):
                    j += 1
                self.block([line[width:]] + _dedent(lines[i + 1 : j]))
                out.append(Line(""))
                i = j
                continue
            if s.startswith("| ") and not para:
                j = i
                while j < n and lines[j].strip().startswith("|"):
                    _para(self.inline(lines[j].strip()[1:].strip()), out)
                    j += 1
                i = j
                continue
            field = _FIELD.fullmatch(s) if not para else None
            if field:
                _para(self.inline(f"{field.group(1)}: {field.group(2) or ''}".strip()), out)
                i += 1
                continue
            if not para and nxt.strip() and _indent(nxt) > 0:  # definition list term
                _para(self.inline(s), out)
                i += 1
                continue
            para.append(s)
            i += 1
        if para:
            flush()

    def explicit(self, lines: list[str], i: int) -> int:
        """Handle the explicit markup block at line i (directive, comment, target, ...)."""
        s = lines[i].strip()
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) > 0):
            j += 1
        body = _dedent(lines[i + 1 : j])
        sub = _SUBST_DEF.match(s)
        if sub:
            if sub.group(2) == "replace":
                text = " ".join([sub.group(3)] + [t.strip() for t in body if t.strip()])
                self.subs[sub.group(1)] = self.inline(text)
            return j
        footnote = _FOOTNOTE.match(s)
        if footnote:
            self.block([footnote.group(1)] + body)
            return j
        directive = _DIRECTIVE.match(s)
        if directive is None:
            return j  # a comment or a hyperlink target
        self.directive(directive.group(1).lower(), (directive.group(2) or "").strip(), body)
        return j

    def directive(self, name: str, arg: str, body: list[str]) -> None:
        # The lines before the first blank one carry more arguments and the options.
        head_end = next((k for k, t in enumerate(body) if not t.strip()), len(body))
        head = [t.strip() for t in body[:head_end] if not _OPTION.fullmatch(t.strip())]
        content = body[head_end:]
        out = self.out
        short = name.split(":")[-1]
        if name in _DROPPED or short in _DROPPED:
            return
        if name in _CODE_DIRECTIVES:
            _code([t for k, t in enumerate(body) if k >= head_end or t.strip() in head], out)
            return
        if name in _SIGNATURES or f"py:{short}" in _SIGNATURES:
            if short == "productionlist":
                _code([arg] + body, out)
                return
            sigs: list[str] = []
            for sig in [arg] + head:  # a trailing backslash continues the signature
                if sigs and sigs[-1].endswith("\\"):
                    sigs[-1] = sigs[-1][:-1] + " " + sig
                else:
                    sigs.append(sig)
            for sig in sigs:
                _para(" ".join(sig.replace("\\", "").split()), out)
            self.block(content)
            return
        if short in _VERSIONS:
            parts = arg.split(None, 2 if short == "deprecated-removed" else 1)
            words = _VERSIONS[short].format(*(parts + ["?", "?"])[:2])
            rest = parts[2:] if short == "deprecated-removed" else parts[1:]
            self.labelled(words, rest + head, content, versioned=True)
            return
        if short in _ADMONITIONS:
            self.labelled(_ADMONITIONS[short], ([arg] if arg else []) + head, content)
            return
        if short in _TITLED and arg:
            _para(self.inline(arg), out)
        self.block((head if short not in _TITLED else []) + [""] + content)

    def labelled(self, label: str, first: list[str], content: list[str], versioned=False) -> None:
        """Sphinx's rendering of an admonition: the label opens its first paragraph."""
        mark = len(self.out)
        self.block(first + [""] + content)
        for k in range(mark, len(self.out)):
            line = self.out[k]
            if line.text.strip():
                if line.kind is None and line.level is None:
                    self.out[k] = Line(f"{label}: {line.text}" if versioned else
                                       f"{label} {line.text}")  # fmt: skip
                    return
                break
        self.out.insert(mark, Line(f"{label}." if versioned else label))
        self.out.insert(mark, Line(""))

    def grid_table(self, lines: list[str], i: int) -> int:
        cuts = [m.start() for m in re.finditer(r"\+", lines[i].strip())]
        base = _indent(lines[i])
        cells: list[list[str]] = [[] for _ in cuts[:-1]]
        j = i + 1
        while j < len(lines) and lines[j].strip()[:1] in ("|", "+"):
            row = lines[j][base:]
            if row.startswith("+"):
                self.row([" ".join(c) for c in cells])
                cells = [[] for _ in cuts[:-1]]
            else:
                for k in range(len(cuts) - 1):
                    piece = row[cuts[k] + 1 : cuts[k + 1]].strip(" |")
                    if piece:
                        cells[k].append(piece)
            j += 1
        self.row([" ".join(c) for c in cells])
        return j

    def simple_table(self, lines: list[str], i: int) -> int:
        border = lines[i]
        starts = [m.start() for m in re.finditer(r"=+", border)]
        rows: list[list[str]] = []
        j = i + 1
        while j < len(lines):
            t = lines[j]
            if _SIMPLE.fullmatch(t.strip()):
                j += 1
                if j >= len(lines) or not lines[j].strip():
                    break
                continue
            if t.strip() and not re.fullmatch(r"[-\s]+", t):
                cells = [t[a:b].strip() for a, b in zip(starts, starts[1:] + [len(t)], strict=True)]
                if rows and not cells[0]:
                    rows[-1] = [f"{x} {y}".strip() for x, y in zip(rows[-1], cells, strict=True)]
                else:
                    rows.append(cells)
            j += 1
        for cells in rows:
            self.row(cells)
        return j

    def row(self, cells: list[str]) -> None:
        _para(" | ".join(self.inline(c) for c in cells if c), self.out)


def read_rst(text: str) -> Extracted:
    """Lines of an rST document and its title (the first heading)."""
    parser = _Rst()
    parser.block(text.expandtabs(8).splitlines())
    title = next((x.text for x in parser.out if x.level == 1 and x.text), None)
    return parser.out, title


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


def md_inline(text: str) -> str:
    for pattern, repl in _MD_INLINE:
        text = pattern.sub(repl, text)
    return text


def read_markdown(text: str) -> Extracted:
    raw = text.expandtabs(4).splitlines()
    title = None
    if raw and raw[0].strip() == "---":  # YAML front matter: metadata, not text
        end = next((i for i, t in enumerate(raw[1:60], 1) if t.strip() in ("---", "...")), 0)
        for t in raw[1:end]:
            if t.lower().startswith("title:"):
                title = t.split(":", 1)[1].strip().strip("\"'") or None
        raw = raw[end + 1 :] if end else raw
    out: list[Line] = []
    para: list[str] = []

    def flush() -> None:
        _para(md_inline(" ".join(para)), out)
        para.clear()

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
