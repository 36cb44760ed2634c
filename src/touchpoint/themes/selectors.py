"""Which theme a case's own words fall in, and how many other customers said the same."""

from __future__ import annotations

from dataclasses import dataclass

from touchpoint.cases.models import Case
from touchpoint.text.themes import Theme as Found
from touchpoint.text.themes import ThemeModel
from touchpoint.themes.models import Theme, ThemeMember, ThemeRun
from touchpoint.themes.services import customer_texts


@dataclass(frozen=True)
class CaseTheme:
    theme: Theme
    others: int  # other customers whose words fall in the same theme


def latest_run() -> ThemeRun | None:
    return ThemeRun.objects.first()


def run_model(run: ThemeRun) -> ThemeModel:
    themes = [Found(members=(), terms=tuple(t.terms), examples=(), centroid=t.centroid) for t in run.themes.all()]
    return ThemeModel(seed=run.seed, vocabulary=run.vocabulary, idf=run.idf, themes=themes)


def case_themes(*, case: Case) -> list[CaseTheme]:
    """Themes this case's customer's words (on this case) match, with how many *other* customers
    reported the same; empty when there is no run yet or nothing matches."""
    run = latest_run()
    if run is None:
        return []
    texts = [said.text for said in customer_texts(case_id=case.pk)]
    if not texts:
        return []
    model = run_model(run)
    themes = list(run.themes.all())
    matched: dict[int, Theme] = {}
    for text in texts:
        index = model.match(text)
        if index is not None:
            matched[themes[index].pk] = themes[index]
    found = []
    for theme in sorted(matched.values(), key=lambda t: t.position):
        others = (
            ThemeMember.objects.filter(theme=theme)
            .exclude(customer_id=case.customer_id)
            .values("customer_id")
            .distinct()
            .count()
        )
        found.append(CaseTheme(theme, others))
    return found
