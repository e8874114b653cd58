"""reStructuredText to readable `Line`s (see index.markup for the rules shared with Markdown).

Roles and inline markup give their text (:class:`~pathlib.Path` -> Path), headings become
heading lines, object directives their signature line, admonitions and version notes the words
Sphinx prints ("Note:", "Added in version 3.2."); bookkeeping directives and comments go.
"""

from __future__ import annotations

import re

from index.clean import Line
from index.lists import mark_block
from index.markup import Extracted, _code, _dedent, _indent, _para

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
    if re.match(r"\.[A-Za-z_]", text):  # :class:`.datetime`: a name looked up from here
        text = text[1:]
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
# A directive option (":maxdepth: 2", ":noindex:"), not a line that opens with a role
# (":exc:`TypeError`." continuing a "deprecated" note's sentence).
_OPTION = re.compile(r":[\w-]+:(?:\s.*)?")

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
# Sphinx's own labels since 7.3 (sphinx/domains/changeset.py): "Added in version", which was
# "New in version" before. The current wording is also the one a user asks with ("In which
# version was X added?"), and is what docs.python.org shows today.
_VERSIONS = {
    "versionadded": "Added in version {}",
    "versionchanged": "Changed in version {}",
    "deprecated": "Deprecated since version {}",
    "deprecated-removed": "Deprecated since version {}, will be removed in version {}",
    "versionremoved": "Removed in version {}",
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
        in_field = False  # para holds a field list item

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
                mark = len(out)
                self.block([line[width:]] + _dedent(lines[i + 1 : j]))
                mark_block(out, mark)  # a one-line item may join its lead-in (index/lists.py)
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
            field = _FIELD.fullmatch(s) if not para or in_field else None
            if field:
                # A field's body may go on over indented lines (":param fun: a function ... with
                # the\n      coordinates of the clicked point"): they join its paragraph, as a
                # sloppy continuation does, and the next field starts a paragraph of its own.
                if para:
                    flush()
                para.append(f"{field.group(1)}: {field.group(2) or ''}".strip())
                in_field = True
                i += 1
                continue
            if in_field and para:
                flush()  # a line at the field's own indent ends it
            in_field = False
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
