"""Every URL pattern the project routes, what each view reads from a request, and the forms its pages
draw, found from the product itself rather than listed by hand, so a new page can't escape the fuzzing:

- the patterns come from Django's URL resolver, each with its path parameters and their converters;
- what a view *reads* is recorded while it answers an empty GET and an empty POST: every name it
  asks ``request.GET``/``request.POST``/``request.FILES`` for (its forms' fields included);
- what its pages *send* comes from the pages themselves: every form on every page, read as a browser
  reads it (``tests.support.pages``), gives the good values a request to its action starts from."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from django.http import QueryDict
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.utils.datastructures import MultiValueDict

from tests.support.pages import Page

# Where each area begins; every pattern must fall in one (test_every_pattern_is_fuzzed checks).
AREAS = {
    "hooks": ("hooks/",),
    "demo-pay": ("demo-pay/",),
    "portal": ("c/",),
    "public": ("repair/", "report/", "link/", "reviews", "healthz", "setup/"),
    "console": ("console/",),
    "admin": ("admin/",),
}
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Pattern:
    route: str  # "c/<str:token>/extra-work/"
    name: str  # "portal:approval_decide"
    params: tuple[tuple[str, str], ...]  # (name, converter), in order

    @property
    def area(self) -> str:
        for area, prefixes in AREAS.items():
            if any(prefix and self.route.startswith(prefix) for prefix in prefixes):
                return area
        return "public" if self.route == "" else ""  # the home page

    def path(self, values: dict[str, str]) -> str:
        """The URL with ``values`` in its parameters (percent-encoded, as a browser sends them)."""

        def one(found: re.Match[str]) -> str:
            return quote(values[found["name"]], safe="")

        return "/" + PARAM.sub(one, self.route)


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            space = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + _route(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            route = prefix + _route(entry.pattern)
            params = tuple((m["name"], m["converter"] or "str") for m in PARAM.finditer(route))
            yield Pattern(route, f"{namespace}{entry.name or entry.lookup_str}", params)


def _route(pattern: Any) -> str:
    """A route (``path()``) as written; a regex (``re_path()``, the admin's) as ``<regex:name>``
    groups and the literal text between them."""
    text = str(pattern)
    if not hasattr(pattern, "regex") or hasattr(pattern, "_route"):
        return text
    text = text.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    return re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", lambda m: f"<regex:{m['name']}>", text).replace("\\", "")


def url_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


def regex_choices(pattern: Pattern, name: str) -> list[str]:
    """The alternatives a regex parameter takes (the admin's ``app_label``: ``cases|catalog|…``)."""
    for entry in _patterns_flat(get_resolver().url_patterns):
        regex = getattr(entry.pattern, "regex", None)
        if regex is not None and name in regex.groupindex:
            found = re.search(rf"\(\?P<{name}>([^)]*)\)", regex.pattern)
            if found:
                return [alt for alt in found.group(1).split("|") if re.fullmatch(r"[\w-]+", alt)]
    return []


def _patterns_flat(patterns: list[Any]) -> Iterator[Any]:
    for entry in patterns:
        yield entry
        if isinstance(entry, URLResolver):
            yield from _patterns_flat(entry.url_patterns)


@dataclass
class Reads:
    """The names views asked a request for, by pattern name and method."""

    names: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    current: tuple[str, str] | None = None


@contextmanager
def recording(reads: Reads) -> Iterator[None]:
    """Record every name asked of a request's QueryDict (``get``, ``getlist``, ``[]``, ``in``). (The
    files a view reads come from its pages' file inputs: request.FILES is a plain MultiValueDict,
    like the URL resolver's own.)"""
    originals = {name: getattr(MultiValueDict, name) for name in ("get", "getlist", "__getitem__", "__contains__")}

    def wrap(name: str) -> Any:
        original = originals[name]

        def asked(self: MultiValueDict[Any, Any], key: Any, *args: Any, **kwargs: Any) -> Any:
            if reads.current is not None and isinstance(self, QueryDict) and isinstance(key, str):
                reads.names[reads.current].add(key)
            return original(self, key, *args, **kwargs)

        return asked

    for name in originals:
        setattr(MultiValueDict, name, wrap(name))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(MultiValueDict, name, original)


def pattern_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


@dataclass
class Discovered:
    """For each pattern: the names its view reads (by method) and the good requests its pages send."""

    reads: Reads = field(default_factory=Reads)
    sends: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    files: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    crashes: list[str] = field(default_factory=list)  # a 500 (or an exception) met while discovering

    def declared(self, name: str, method: str) -> set[str]:
        sent = {key for data in self.sends.get((name, method), []) for key in data}
        return set(self.reads.names.get((name, method), set())) | sent - {"csrfmiddlewaretoken"}

    def take_forms(self, html: str, url: str) -> None:
        page = Page.parse(html, url=f"http://testserver{url}")
        for form in page.forms:
            for button in form.buttons or [None]:
                try:
                    method, address, data = form.submission(button=button)
                except LookupError:
                    continue
                name = pattern_of(address)
                if name is None:
                    continue
                key = (name, method.upper())
                if data not in self.sends[key]:
                    self.sends[key].append(data)
                self.files[key] |= {f.name for f in form.fields if f.kind == "file" and f.name}


class Clients:
    """One signed-in client per person, made again after a request that may have changed its session
    (signing out, a two-factor step): the next request is theirs as signed in, not a stranger's."""

    SESSION_CHANGING = frozenset(
        {"console:login", "console:logout", "console:sign_in_code", "console:two_factor", "console:recovery_codes",
         "console:two_factor_member", "admin:login", "admin:logout", "admin:password_change"}
    )  # fmt: skip

    def __init__(self, people: dict[str, Any]) -> None:
        self.people = people  # "anonymous" -> None, else the StaffUser
        self.cache: dict[str, Client] = {}

    def __call__(self, who: str) -> Client:
        client = self.cache.get(who)
        if client is None:
            client = Client()
            if self.people[who] is not None:
                client.force_login(self.people[who])
            self.cache[who] = client
        return client

    def after(self, who: str, pattern: str) -> None:
        if pattern in self.SESSION_CHANGING:
            self.cache.pop(who, None)


def discover(
    patterns: list[Pattern], clients: Clients, real_of: Callable[[Pattern], dict[str, list[str]]]
) -> Discovered:
    """Ask every pattern, as everyone, with its real objects, once by GET and once by an empty POST."""
    found = Discovered()
    with recording(found.reads):
        for pattern in patterns:
            real = real_of(pattern)
            if any(name not in real for name, _ in pattern.params):
                continue
            for path in real_paths(pattern, real):
                _discover_one(found, pattern, path, clients)
    return found


def real_paths(pattern: Pattern, real: dict[str, list[str]], most: int = 4) -> list[str]:
    """The pattern's URL for its real objects (the first few combinations)."""
    names = [name for name, _ in pattern.params]
    combos = list(itertools.islice(itertools.product(*(real[name] for name in names)), most))
    return [pattern.path(dict(zip(names, combo, strict=True))) for combo in combos]


def _discover_one(found: Discovered, pattern: Pattern, path: str, clients: Clients) -> None:
    """One GET and one empty POST to ``path``, as each person: what the view reads, what its page sends."""
    for who in clients.people:
        for method in ("GET", "POST"):
            found.reads.current = (pattern.name, method)
            try:
                client = clients(who)
                response = client.get(path) if method == "GET" else client.post(path, {})
            except Exception as exc:  # the fuzzing reports it, with the request
                found.crashes.append(f"{method} {path} as {who} (empty): {type(exc).__name__}: {exc}")
                continue
            finally:
                found.reads.current = None
                clients.after(who, pattern.name)
            if response.status_code >= 500:
                found.crashes.append(f"{method} {path} as {who} (empty): answered {response.status_code}")
            kind = response.get("Content-Type", "")
            if method == "GET" and response.status_code == 200 and kind.startswith("text/html"):
                found.take_forms(response.content.decode(), path)
