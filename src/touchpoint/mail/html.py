"""HTML helpers for inbound mail: sanitising for display and turning HTML into readable text.

Why our own converter rather than a dependency: the mails we read only need a faithful reading
order (blocks become lines, ``<br>`` a newline, scripts and styles dropped), and a quoted
reply (``<blockquote>``, Gmail's ``gmail_quote``, Outlook's ``divRplyFwdMsg`` header) must
survive as ``>``-prefixed lines so that the plain-text reply stripper can find it. The stdlib
``HTMLParser`` is tolerant of the broken markup mail clients produce and never raises on it.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

import nh3

__all__ = ["html_to_text", "sanitise_html"]

_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt", "fieldset",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml", "o:p"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "wbr"})
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "ymail_android_signature")


class _TextExtractor(HTMLParser):
    """Collects text in reading order; quoted regions are prefixed with ``>`` when asked."""

    def __init__(self, *, mark_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.mark_quotes = mark_quotes
        self.lines: list[tuple[int, str]] = []  # (quote depth, text)
        self.current: list[str] = []
        self.depth = 0
        self.skip = 0
        self.stack: list[tuple[str, bool]] = []  # (tag, opened a quote)
        self.pre = 0

    def _flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        if not self.pre:
            text = re.sub(r"[ \t\r\n\f\u00a0]+", " ", text).strip()
        self.lines.append((self.depth, text))

    def _is_quote(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag == "blockquote":
            return True
        values = {name.lower(): (value or "") for name, value in attrs}
        cls = values.get("class", "")
        ident = values.get("id", "")
        if any(marker in cls for marker in _QUOTE_CLASSES if marker != "ymail_android_signature"):
            return True
        if ident in ("divRplyFwdMsg", "OLK_SRC_BODY_SECTION", "appendonsend") or "yahoo_quoted" in ident:
            return True
        style = values.get("style", "").replace(" ", "").lower()
        # Outlook's reply header: a div whose top border separates the new text from the history.
        return tag == "div" and "border-top:solid" in style and "padding:3.0pt0" in style

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _SKIP:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "br":
            self._flush()
            return
        if tag in _BLOCK:
            self._flush()
        if tag == "pre":
            self.pre += 1
        if tag == "hr":
            self.lines.append((self.depth, "-" * 20 if self.mark_quotes else ""))
            return
        if tag in ("td", "th"):
            self.current.append(" ")
        if tag == "img":
            return
        if tag in _VOID:
            return
        opened = self.mark_quotes and self._is_quote(tag, attrs)
        if opened:
            self._flush()
            self.depth += 1
        self.stack.append((tag, opened))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        if tag in _VOID or tag in _SKIP:
            self.handle_starttag(tag, attrs)
            if tag in _SKIP:
                self.skip -= 1
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        tag = tag.lower()
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip or tag in _VOID:
            return
        if tag in _BLOCK:
            self._flush()
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        # Close up to the matching tag, tolerating unclosed children.
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for _, opened in self.stack[index:]:
                    if opened:
                        self._flush()
                        self.depth = max(0, self.depth - 1)
                del self.stack[index:]
                break

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)

    def text(self) -> str:
        self._flush()
        out: list[str] = []
        blank = True
        for depth, line in self.lines:
            if not line:
                if not blank:
                    out.append("> " * depth if depth else "")
                blank = True
                continue
            out.append(("> " * depth) + line if depth else line)
            blank = False
        return "\n".join(out).strip("\n")


def html_to_text(markup: str, *, mark_quotes: bool = False) -> str:
    """Readable plain text from HTML. With ``mark_quotes``, quoted history is ``>``-prefixed."""
    parser = _TextExtractor(mark_quotes=mark_quotes)
    try:
        parser.feed(markup)
        parser.close()
    except Exception:
        return html_lib.unescape(re.sub(r"<[^>]*>", " ", markup))
    return parser.text()


_NESTING_TAG = re.compile(
    r"<(/?)(div|blockquote|ul|ol|dl|dd|dt|section|article|aside|nav|header|footer|main|center|fieldset|form"
    r"|figure|address|details|dialog|menu|h[1-6]|pre|listing|summary|hgroup|search)\b[^>]*>",
    re.IGNORECASE,
)
MAX_NESTING = 100


def limit_nesting(markup: str) -> tuple[str, bool]:
    """Drop block tags nested deeper than ``MAX_NESTING``; True when any were dropped.

    Why: the HTML5 tree builder under nh3 checks the whole open-element stack for each block
    tag, so 100,000 nested ``<div>`` take minutes. No real mail nests that deep.
    """
    depth = 0
    pieces: list[str] = []
    last = 0
    dropped = False
    for match in _NESTING_TAG.finditer(markup):
        closing = bool(match.group(1))
        if closing:
            depth = max(0, depth - 1)
            keep = depth < MAX_NESTING
        else:
            keep = depth < MAX_NESTING
            depth += 1
        if not keep:
            pieces.append(markup[last : match.start()])
            last = match.end()
            dropped = True
    if not dropped:
        return markup, False
    pieces.append(markup[last:])
    return "".join(pieces), True


def sanitise_html(markup: str) -> str:
    """Safe-to-show HTML: nh3 drops scripts, event handlers and ``javascript:`` links.

    ``cid:`` sources are kept so inline images can be shown from the attachments; ``data:`` is
    not, because in a link it can carry a whole page of script.
    """
    markup, _ = limit_nesting(markup)
    try:
        return nh3.clean(
            markup,
            url_schemes={"http", "https", "mailto", "tel", "cid"},
            link_rel="noopener noreferrer nofollow",
        )
    except Exception:
        return html_lib.escape(markup)
