"""Which theme a case's own words fall in, and how many other customers said the same.

On the case view this is read on every request, so it reads little: the latest run's key (one small
row), the case's texts, and only when something matched, those themes' names with their counts. What
a run matches against (its vocabulary, IDF weights and each theme's centroid: kilobytes of JSON) is
written once with the run and never changed, so each process builds its matcher once per run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from touchpoint.cases.models import Case
from touchpoint.feedback.models import Feedback
from touchpoint.inbox.models import InboundMessage, Kind
from touchpoint.text.themes import Matcher
from touchpoint.themes.models import Theme, ThemeRun


@dataclass(frozen=True)
class CaseTheme:
    theme: Theme
    others: int  # other customers whose words fall in the same theme


def latest_run() -> ThemeRun | None:
    return ThemeRun.objects.first()


@dataclass(frozen=True)
class RunMatcher:
    matcher: Matcher
    themes: list[tuple[int, int]]  # (pk, position), in the matcher's theme order


_RunKey = tuple[int, datetime, int, int]
_MATCHERS: dict[_RunKey, RunMatcher] = {}


def run_matcher(run: ThemeRun) -> Matcher:
    """The stored run's matcher (its vocabulary, IDF and centroids, as :func:`find_themes` found them)."""
    return _run_matcher((run.pk, run.created_at, run.seed, run.texts)).matcher


def _run_matcher(key: _RunKey) -> RunMatcher:
    """The matcher of the run ``key`` names (id, created_at, seed, texts: a test database that rolled
    back may give a new run an old id, never with the same moment and counts). Two queries when this
    process first meets the run, none after."""
    found = _MATCHERS.get(key)
    if found is None:
        run = ThemeRun.objects.only("vocabulary", "idf").get(pk=key[0])
        rows = list(run.themes.order_by("position").values_list("pk", "position", "centroid"))
        found = RunMatcher(
            Matcher.of(run.vocabulary, run.idf, [centroid for _, _, centroid in rows]),
            [(pk, position) for pk, position, _ in rows],
        )
        _MATCHERS.clear()  # the latest run is the one matched against: keep only it
        _MATCHERS[key] = found
    return found


def said_on_case(case_id: int) -> list[str]:
    """What the customer wrote on the case in their own words: feedback comments and their replies
    (without quoted history), as :func:`touchpoint.themes.services.customer_texts` collects them; one query."""
    comments = Feedback.objects.filter(case_id=case_id).exclude(comment="").values_list("comment")
    replies = (
        InboundMessage.objects.filter(case_id=case_id, kind=Kind.REPLY, customer__isnull=False)
        .exclude(reply_text="")
        .values_list("reply_text")
    )
    return [text for (text,) in comments.order_by().union(replies.order_by(), all=True).order_by()]


def case_themes(*, case: Case) -> list[CaseTheme]:
    """Themes this case's customer's words (on this case) match, with how many *other* customers
    reported the same; empty when there is no run yet or nothing matches."""
    latest = ThemeRun.objects.order_by("-created_at").values_list("pk", "created_at", "seed", "texts").first()
    if latest is None:
        return []
    texts = said_on_case(case.pk)
    if not texts:
        return []
    run = _run_matcher(latest)
    matched: dict[int, int] = {}  # pk -> position
    for text in texts:
        index = run.matcher.match(text)
        if index is not None:
            pk, position = run.themes[index]
            matched[pk] = position
    if not matched:
        return []
    others = Count("members__customer_id", distinct=True, filter=~Q(members__customer_id=case.customer_id))
    themes = (
        Theme.objects.filter(pk__in=matched)
        .annotate(others=others)
        .only("id", "run_id", "position", "terms", "name", "fix_note")
        .order_by("position")
    )
    return [CaseTheme(theme, theme.others) for theme in themes]
