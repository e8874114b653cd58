"""HTML pages: the text a reader sees, without the site around it (index/loaders.py reads the
rest). Chrome goes by tag (<nav>, <aside>, page-level <header>/<footer>), by ARIA role, and by
the page's one <main> when it holds most of the text; headings become levels, code blocks stay
code, data tables become one "column: value" line per row (index/tables.py)."""

from __future__ import annotations

import re

from index.clean import Line
from index.errors import LoadError
from index.lists import DEFINITION, ITEM, TERM, mark_block
from index.markup import Extracted, _code
from index.tables import html_table_lines

# Chrome and controls: a <button>'s label ("Copy item path" inside rustdoc's <h1>) is no text,
# nor a control outside a form (Node.js's ES-module/CommonJS toggle inside a code block).
_DROP_TAGS = [
    "script", "style", "noscript", "template", "nav", "aside", "iframe", "svg", "form", "button",
    "input", "select", "textarea",
]  # fmt: skip
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table",
    "tr", "blockquote", "pre", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "footer", "address", "hr", "body",
}  # fmt: skip
# ARIA landmark roles of the chrome _DROP_TAGS drops (<nav>, <aside>, a search form), and the
# widget roles of a site's controls (a theme picker's role="menu", a toolbar).
_DROP_ROLES = frozenset({"navigation", "search", "complementary", "menu", "menubar", "toolbar"})
# Texinfo's table-of-contents heading and lists (the <div class="contents"> after the heading:
# Doxygen's page body is a div.contents too, so that one is found by its heading, below).
_TOC_CLASSES = ["contents-heading", "shortcontents-heading", "shortcontents", "mini-toc", "toc"]
# Blocks whose one line of text index/lists.py may join to a neighbour.
_MARKED = {"li": ITEM, "dt": TERM, "dd": DEFINITION}
_PERMALINK_MARKS = frozenset({"¶", "#", "§", "🔗"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([\w-]+)", re.IGNORECASE)


def _decode_html(data: bytes, source: str) -> str:
    from index.loaders import decode_text  # loaders imports this module: import at call time

    try:
        return decode_text(data, source)
    except LoadError:
        # A charset the page itself declares is not a guess; use it if Python knows it.
        m = _META_CHARSET.search(data[:4096])
        if not m or b"\x00" in data:
            raise
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            raise LoadError(
                source, f"not valid {m.group(1).decode('ascii')} as its <meta charset> claims"
            ) from None


def read_html(data: bytes, source: str) -> Extracted:
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString, PreformattedString

    soup = BeautifulSoup(_decode_html(data, source), "html.parser")
    # A heading's permalink ("¶" after every Sphinx heading and signature) is no text.
    for a in soup.find_all("a", href=True):
        if a["href"].startswith("#") and a.get_text().strip() in _PERMALINK_MARKS:
            a.decompose()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    # The same chrome marked by ARIA landmark roles instead (Sphinx's related-links bar and
    # sidebar are <div role="navigation">), and what is not shown to a reader; below, a
    # pre-HTML5 <div class="footer"> goes with the page-level banners.
    dropped_role = _has_role(_DROP_ROLES)
    for tag in soup.find_all(
        lambda t: (
            dropped_role(t.get("role")) or t.has_attr("hidden") or t.get("aria-hidden") == "true"
        )
    ):
        if not tag.decomposed:
            tag.decompose()
    # A table of contents repeats every heading of the page in one place: a chunk of it matches
    # any question's words and answers none. GNU Texinfo (bc, time, nettle manuals) heads it
    # "contents-heading"; MediaWiki marks it id="toc". Texinfo's menus of child nodes and
    # mini-TOCs are contents too.
    tocs = [*soup.find_all(class_=_TOC_CLASSES), *soup.find_all(id="toc")]
    for head in soup.find_all(class_=["contents-heading", "shortcontents-heading"]):
        after = head.find_next_sibling()
        if after is not None and after.name == "div":
            tocs.append(after)
    for tag in [*tocs, *soup.find_all("table", class_="menu")]:
        if not tag.decomposed:
            tag.decompose()
    banners = [
        *soup.find_all(["header", "footer"]),
        *soup.find_all(role=_has_role({"banner", "contentinfo"})),
        *soup.find_all(class_="footer"),
        *soup.find_all(id="footer"),
        # Texinfo's node line before every section ("Next: Expressions, Previous:
        # Introduction, Up: Top [Contents]"): links, not text.
        *soup.find_all("div", class_=["header", "nav-panel"]),
    ]
    for tag in banners:
        # Page-level banners go; an article's own <header> usually holds its <h1>.
        if tag.decomposed or not tag.find_parent(["article", "main"]):
            tag.decompose()
    # The title, read once chrome and controls are gone ("Copy item path" in rustdoc's <h1>; the
    # site's name as the <h1> of Node.js's page banner): the article's own <h1> first, then
    # the article's first heading of any level (mdBook's chapter is an <h2> in <main>, its
    # <h1> the book's name in the menu bar), then the page's <title>; inline tags must not
    # split words.
    h1s = soup.find_all("h1")
    h1 = next((h for h in h1s if h.find_parent(["article", "main"])), None)
    body = soup.find(["main", "article"])
    h1 = h1 or (body.find(list(_HEADINGS)) if body else None) or (h1s[0] if h1s else None)
    title = None
    for tag in (h1, soup.find("title")):
        if tag and (title := " ".join(tag.get_text().split())):
            break
    if soup.head:
        soup.head.decompose()  # <title> and <meta> are not body text
    articles = soup.find_all("article")
    article_heads = set()
    if len(articles) >= 2:
        article_heads = {id(h) for a in articles if (h := a.find(list(_HEADINGS)))}

    lines: list[Line] = []
    buf: list[str] = []

    def flush(level: int | None = None) -> None:
        text = "".join(buf)
        buf.clear()
        lines.extend(Line(t, level=level) for t in text.split("\n"))
        lines.append(Line(""))

    # An explicit stack, not recursion: a page of 1,000 nested <div>s is valid HTML and must
    # not hit Python's recursion limit. ("close", level) ends a block after its children.
    stack: list[tuple] = [("open", c) for c in reversed(list(_content_root(soup).children))]
    while stack:
        item = stack.pop()
        if item[0] == "close":
            flush(item[1])
            if item[2] is not None:  # a one-line <li> may join its lead-in, a <dt> its <dd>
                mark_block(lines, item[2][1], item[2][0])
            continue
        child = item[1]
        if isinstance(child, PreformattedString):
            continue  # comments, doctype, CDATA
        if isinstance(child, NavigableString):
            buf.append(re.sub(r"\s+", " ", str(child)))
        elif child.name == "br":
            buf.append("\n")
        elif child.name == "pre":
            # A code block, kept verbatim as code (indentation, a line of only "}", blank lines
            # inside it), as the Markdown and rST readers keep theirs: not prose lines.
            flush()
            # One block may show a snippet in several variants, each its own <code> (Node.js
            # docs: the ES module and CommonJS forms): each starts on a line of its own.
            parts = [c for c in child.children if not isinstance(c, str) or c.strip()]
            variants = len(parts) > 1 and all(c.name == "code" for c in parts)
            text = "\n".join(c.get_text() for c in parts) if variants else child.get_text()
            _code(text.split("\n"), lines)
        elif child.name == "table" and (rows := html_table_lines(child)) is not None:
            flush()  # a data table: one "column: value; ..." line per row (index/tables.py)
            lines.extend(Line(t) for t in rows)
            lines.append(Line(""))
        else:
            if child.name in _BLOCK_TAGS or child.name == "td":
                flush()
                level = 0 if id(child) in article_heads else _HEADINGS.get(child.name)
                kind = _cell_kind(child) if child.name == "td" else _MARKED.get(child.name)
                stack.append(("close", level, (kind, len(lines)) if kind else None))
            stack.extend(("open", c) for c in reversed(list(child.children)))
    return lines, title or None


def _cell_kind(td) -> str | None:  # noqa: ANN001 - bs4 Tag
    """A layout table's row of two cells is a term and its definition (AsciiDoc's labelled
    lists: ninja's "cleandead" | "remove files produced by previous builds ...")."""
    cells = [c for c in td.parent.children if getattr(c, "name", None) == "td"]
    if len(cells) != 2:
        return None
    return TERM if td is cells[0] else DEFINITION


def _has_role(roles):
    """A role attribute naming one of `roles` (it may list fallbacks: role="navigation menu")."""
    return lambda value: bool(value) and not roles.isdisjoint(value.split())


def _content_root(soup):
    """The page's one <main> (or role="main") when it holds most of its text, else the body: what
    lies outside it is the site's (mdBook's keyboard-shortcut help and menu bar carry no role)."""
    page = soup.body or soup
    # "Most": the main part holds a median 83% of a Python 3.11 library page's text (5th
    # percentile 51%; the lowest, 10%, are contents pages, mostly sidebar) and 98% of a Rust
    # book chapter's; under half, the page is read whole, its chrome dropped tag by tag.
    mains = soup.find_all("main") + soup.find_all(role=_has_role({"main"}))
    if len(mains) != 1:
        return page
    inside = len(" ".join(mains[0].get_text().split()))
    return mains[0] if inside >= 0.5 * len(" ".join(page.get_text().split())) else page
