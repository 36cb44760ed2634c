"""Read a page as a person or a browser would use it: its forms (and what pressing a button in one
sends), its links, and the element an ``#anchor`` lands on. Built on the standard library's HTML
parser, so tests drive the product's own markup through Django's test client without a browser.

``Page.parse(html)`` gives the tree; ``page.forms`` every form with its fields and buttons;
``form.submission(button, fill)`` the method, address and data the browser would send (hidden
fields as drawn, checkboxes and radios as ticked, the pressed button's name and value);
``page.by_id(id)`` an element, and ``page.controls_at(id)`` the working controls it is or holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Elements that close an open <p> (and an <li> closes an open <li>, an <option> an open <option>).
_CLOSES_P = {
    "address",
    "article",
    "aside",
    "div",
    "dl",
    "fieldset",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
    "details",
    "dialog",
}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.attrs

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed."""
        return " ".join("".join(self._texts()).split())

    def _texts(self) -> Iterator[str]:
        for child in self.children:
            if isinstance(child, str):
                yield child
            elif child.tag not in ("script", "style"):
                yield from child._texts()
                if child.tag in ("br", "p", "li", "div"):
                    yield " "

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def describe(self) -> str:
        bits = [self.tag]
        for name in ("id", "name", "value", "type", "href", "action"):
            if name in self.attrs:
                bits.append(f'{name}="{self.attrs[name]}"')
        return "<" + " ".join(bits) + ">"


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CLOSES_P:
            self._close_if_open("p", stop={"button", "form", "section", "div", "li", "td"})
        if tag == "li":
            self._close_if_open("li", stop={"ul", "ol"})
        if tag == "option":
            self._close_if_open("option", stop={"select", "datalist"})
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def _close_if_open(self, tag: str, *, stop: set[str]) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            here = self.stack[depth].tag
            if here == tag:
                del self.stack[depth:]
                return
            if here in stop:
                return

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass
class Field:
    node: Node

    @property
    def name(self) -> str:
        return self.node.get("name")

    @property
    def kind(self) -> str:
        if self.node.tag == "input":
            return self.node.get("type", "text").lower()
        return self.node.tag  # select | textarea

    @property
    def disabled(self) -> bool:
        return self.node.has("disabled")

    @property
    def label(self) -> str:
        return self.node.get("aria-label")


@dataclass
class Form:
    node: Node
    page: Page

    @property
    def action(self) -> str:
        return self.node.get("action")

    @property
    def method(self) -> str:
        return self.node.get("method", "get").lower()

    def _members(self) -> Iterator[Node]:
        form_id = self.node.get("id")
        for node in self.node.walk():
            if node.tag in ("input", "select", "textarea", "button"):
                yield node
        if form_id:  # controls outside the form that name it with form="…"
            for node in self.page.root.walk():
                if node.get("form") == form_id and self.node not in node.ancestors():
                    yield node

    @property
    def fields(self) -> list[Field]:
        return [
            Field(n)
            for n in self._members()
            if n.tag != "button" and n.get("type").lower() not in ("submit", "image", "button", "reset")
        ]

    @property
    def buttons(self) -> list[Node]:
        return [
            n
            for n in self._members()
            if (n.tag == "button" and n.get("type", "submit").lower() == "submit")
            or (n.tag == "input" and n.get("type").lower() in ("submit", "image"))
        ]

    def field_names(self) -> set[str]:
        return {f.name for f in self.fields if f.name}

    def value_of(self, name: str) -> str | None:
        for f in self.fields:
            if f.name == name and f.kind not in ("checkbox", "radio"):
                return _value(f.node)
        return None

    def sends(self, name: str, value: str) -> bool:
        """Does some way of sending this form carry ``name=value`` (a hidden field or a button)?"""
        if any(f.name == name and f.kind == "hidden" and f.node.get("value") == value for f in self.fields):
            return True
        return any(b.get("name") == name and b.get("value") == value for b in self.buttons)

    def submission(
        self, *, button: Node | None = None, fill: Mapping[str, Any] | None = None
    ) -> tuple[str, str, dict[str, Any]]:
        """(method, address, data) that pressing ``button`` (the first submit button by default)
        sends, with ``fill`` typed in first: text for text fields and textareas, the value to pick
        for a select or a radio group, ``True``/``False`` for a checkbox (or the value to tick among
        several with one name). A name ``fill`` gives that the form has no field for raises, so a
        test never sends what no person could type."""
        fill = dict(fill or {})
        unknown = set(fill) - self.field_names()
        if unknown:
            raise LookupError(
                f"the form {self.node.describe()} has no field {sorted(unknown)}; it has {sorted(self.field_names())}"
            )
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if not f.name or f.disabled:
                continue
            kind, wanted = f.kind, fill.get(f.name)
            if kind == "checkbox":
                value = f.node.get("value", "on")
                ticked = (
                    f.node.has("checked")
                    if f.name not in fill
                    else (wanted is True or (not isinstance(wanted, bool) and str(wanted) == value))
                )
                if ticked:
                    data.setdefault(f.name, []).append(value)
            elif kind == "radio":
                value = f.node.get("value", "on")
                ticked = f.node.has("checked") if f.name not in fill else str(wanted) == value
                if ticked:
                    data[f.name] = [value]
            elif kind == "select":
                options = [o for o in f.node.walk() if o.tag == "option"]
                values = [o.get("value", o.text) for o in options]
                if f.name in fill:
                    if str(wanted) not in values:
                        raise LookupError(f"the list {f.name!r} offers {values}, not {wanted!r}")
                    data[f.name] = [str(wanted)]
                else:
                    chosen = next((o for o in options if o.has("selected")), options[0] if options else None)
                    if chosen is not None:
                        data[f.name] = [chosen.get("value", chosen.text)]
            elif kind == "file":
                continue
            else:
                data.setdefault(f.name, []).append(str(wanted) if f.name in fill else _value(f.node))
        for name, wanted in fill.items():
            kinds = {f.kind for f in self.fields if f.name == name}
            if kinds == {"radio"} and data.get(name) != [str(wanted)]:
                raise LookupError(f"no choice {wanted!r} for {name!r} in {self.node.describe()}")
            if kinds == {"checkbox"} and not isinstance(wanted, bool) and str(wanted) not in data.get(name, []):
                raise LookupError(f"no box {wanted!r} to tick for {name!r} in {self.node.describe()}")
        chosen_button = button if button is not None else (self.buttons[0] if self.buttons else None)
        method, action = self.method, self.action
        if chosen_button is not None:
            if chosen_button.get("name"):
                data.setdefault(chosen_button.get("name"), []).append(chosen_button.get("value"))
            method = chosen_button.get("formmethod", method).lower() or method
            action = chosen_button.get("formaction", action) or action
        address = urljoin(self.page.url, action) if action else self.page.url
        flat: dict[str, Any] = {k: (v[0] if len(v) == 1 else v) for k, v in data.items()}
        return method, address, flat


def _value(node: Node) -> str:
    if node.tag == "textarea":
        return "".join(c for c in node.children if isinstance(c, str)).lstrip("\n")
    return node.get("value")


CONTROL_TAGS = {"button", "input", "select", "textarea"}


@dataclass
class Page:
    root: Node
    url: str = "http://testserver/"

    @classmethod
    def parse(cls, html: str, url: str = "http://testserver/") -> Page:
        builder = _Builder()
        builder.feed(html)
        builder.close()
        return cls(builder.root, url)

    @property
    def forms(self) -> list[Form]:
        return [Form(node, self) for node in self.root.walk() if node.tag == "form"]

    def by_id(self, element_id: str) -> Node | None:
        return next((n for n in self.root.walk() if n.get("id") == element_id), None)

    def ids(self) -> list[str]:
        return [n.get("id") for n in self.root.walk() if n.get("id")]

    def form_of(self, node: Node) -> Form | None:
        """The form a control belongs to: its ``form="…"`` owner, the form it sits in, or the one it is."""
        owner = node.get("form")
        if owner:
            found = self.by_id(owner)
            return Form(found, self) if found is not None and found.tag == "form" else None
        if node.tag == "form":
            return Form(node, self)
        return next((Form(a, self) for a in node.ancestors() if a.tag == "form"), None)

    def controls_at(self, element_id: str) -> list[Node]:
        """The working controls the element with ``element_id`` is or holds: a submit button of a
        form with somewhere to send it, a link with an address, a field of a form. Empty when the
        element is missing or holds nothing a person could use."""
        node = self.by_id(element_id)
        if node is None:
            return []
        out = []
        for candidate in node.walk():
            if candidate.has("disabled") or candidate.has("hidden"):
                continue
            if candidate.tag == "a" and candidate.get("href") and not candidate.get("href").startswith("#"):
                out.append(candidate)
            elif candidate.tag in CONTROL_TAGS and self.form_of(candidate) is not None:
                kind = candidate.get("type", "submit" if candidate.tag == "button" else "text").lower()
                if kind != "hidden":
                    out.append(candidate)
            elif candidate.tag == "form" and any(not b.has("disabled") for b in Form(candidate, self).buttons):
                out.append(candidate)
        return out

    def links(self) -> list[tuple[str, str]]:
        return [(n.get("href"), n.text) for n in self.root.walk() if n.tag == "a" and n.get("href")]

    @property
    def text(self) -> str:
        return self.root.text


def path_of(url: str) -> str:
    """The path, query and fragment of an absolute address, for Django's test client."""
    parts = urlsplit(url)
    out = parts.path or "/"
    if parts.query:
        out += "?" + parts.query
    return out
