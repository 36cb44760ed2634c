"""Which theme a case's own words fall in, and how many other customers said the same.

On the case view this is read on every request, so it reads little: the latest run's key (one small
row), the case's texts, and only when something matched, those themes' names with their counts. What
a run matches against (its vocabulary, IDF weights and each theme's centroid: kilobytes of JSON) is
written once with the run and never changed, so each process builds its matcher once per run."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q

from touchpoint.cases.models import Case
from touchpoint.core.reads import Read
from touchpoint.text.themes import MATCH_THRESHOLD, ThemeModel
from touchpoint.text.themes import Theme as Found
from touchpoint.themes.models import Theme, ThemeRun


@dataclass(frozen=True)
class CaseTheme:
    theme: Theme
    others: int  # other customers whose words fall in the same theme


def latest_run() -> ThemeRun | None:
    return ThemeRun.objects.first()


def run_model(run: ThemeRun) -> ThemeModel:
    themes = [Found(members=(), terms=tuple(t.terms), examples=(), centroid=t.centroid) for t in run.themes.all()]
    return ThemeModel(seed=run.seed, vocabulary=run.vocabulary, idf=run.idf, themes=themes)


@dataclass(frozen=True)
class _Matcher:
    """A run's model, ready to score texts: :meth:`ThemeModel.match` without refitting a vectorizer
    for each text (the same TF-IDF weights: sublinear term frequency times IDF, cosine to each centroid)."""

    analyze: Callable[[str], list[str]]
    weights: dict[str, float]  # term -> IDF, for the terms of the vocabulary
    centroids: list[tuple[dict[str, float], float]]  # (term -> weight, norm), in theme order
    themes: list[tuple[int, int, list[str]]]  # (pk, position, terms), in theme order

    def match(self, text: str) -> int | None:
        """The index of the theme ``text`` belongs to, or None when it is close to none."""
        if not self.centroids or not self.weights:
            return None
        counts = Counter(term for term in self.analyze(text) if term in self.weights)
        vector = {term: (1.0 + math.log(n)) * self.weights[term] for term, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        best, best_score = None, -math.inf
        for index, (centre, centre_norm) in enumerate(self.centroids):
            dot = sum(weight * centre.get(term, 0.0) for term, weight in vector.items())
            score = dot / (centre_norm * norm) if centre_norm * norm else 0.0
            if score > best_score:
                best, best_score = index, score
        return best if best_score >= MATCH_THRESHOLD else None


_RunKey = tuple[int, datetime, int, int]
_MATCHERS: dict[_RunKey, _Matcher] = {}


def _matcher(key: _RunKey) -> _Matcher:
    """The matcher of the run ``key`` names (id, created_at, seed, texts: a test database that rolled
    back may give a new run an old id, never with the same moment and counts)."""
    found = _MATCHERS.get(key)
    if found is None:
        run = ThemeRun.objects.get(pk=key[0])
        rows = list(run.themes.values_list("pk", "position", "terms", "centroid"))
        model = ThemeModel(seed=run.seed, vocabulary=run.vocabulary, idf=run.idf)
        analyze = model.vectorizer().build_analyzer() if run.vocabulary else str.split
        found = _Matcher(
            analyze=analyze,
            weights={term: float(run.idf[column]) for term, column in run.vocabulary.items()},
            centroids=[(dict(c), math.sqrt(sum(w * w for w in c.values()))) for _, _, _, c in rows],
            themes=[(pk, position, list(terms)) for pk, position, terms, _ in rows],
        )
        _MATCHERS.clear()  # the latest run is the one matched against: keep only it
        _MATCHERS[key] = found
    return found


_LATEST_RUN = Read(
    lambda: ThemeRun.objects.order_by("-created_at").values_list("pk", "created_at", "seed", "texts")[:1]
)


def _said_on_case(case_id: int) -> Any:
    """What the customer wrote on the case in their own words: feedback comments and their replies
    (without quoted history), as :func:`touchpoint.themes.services.customer_texts` collects them."""
    from touchpoint.feedback.models import Feedback
    from touchpoint.inbox.models import InboundMessage, Kind

    comments = Feedback.objects.filter(case_id=case_id).exclude(comment="").values_list("comment")
    replies = (
        InboundMessage.objects.filter(case_id=case_id, kind=Kind.REPLY, customer__isnull=False)
        .exclude(reply_text="")
        .values_list("reply_text")
    )
    return comments.order_by().union(replies.order_by(), all=True).order_by()


_SAID = Read(_said_on_case, int)


@lru_cache(maxsize=16)
def _themes_read(n: int) -> Read:
    """``n`` themes' names and notes, each with how many customers other than one share it."""

    def build(customer_id: int, *theme_ids: int) -> Any:
        which = Q()
        for theme_id in theme_ids:
            which |= Q(pk=theme_id)
        others = Count("members__customer_id", distinct=True, filter=~Q(members__customer_id=customer_id))
        return (
            Theme.objects.filter(which)
            .annotate(others=others)
            .order_by()
            .values_list("pk", "name", "fix_note", "others")
        )

    return Read(build, int, *([int] * n))


def case_themes(*, case: Case) -> list[CaseTheme]:
    """Themes this case's customer's words (on this case) match, with how many *other* customers
    reported the same; empty when there is no run yet or nothing matches."""
    latest = _LATEST_RUN()
    if not latest:
        return []
    texts = [text for (text,) in _SAID(case.pk)]
    if not texts:
        return []
    matcher = _matcher(latest[0])
    matched: dict[int, tuple[int, int, list[str]]] = {}
    for text in texts:
        index = matcher.match(text)
        if index is not None:
            pk, position, terms = matcher.themes[index]
            matched[pk] = (pk, position, terms)
    if not matched:
        return []
    current = {
        pk: (name, note, others) for pk, name, note, others in _themes_read(len(matched))(case.customer_id, *matched)
    }
    found = []
    for pk, position, terms in sorted(matched.values(), key=lambda t: t[1]):
        if pk not in current:  # the run was deleted while we looked
            continue
        name, note, others = current[pk]
        # The columns shown; the rest load on access, as with ``.only()``.
        values = [pk, latest[0][0], position, list(terms), name, note]
        theme = Theme.from_db(DEFAULT_DB_ALIAS, ["id", "run_id", "position", "terms", "name", "fix_note"], values)
        found.append(CaseTheme(theme, others))
    return found
