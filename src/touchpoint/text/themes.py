"""Group feedback and complaint texts into recurring themes, offline and reproducibly.

TF-IDF over words and word pairs (English stop words removed), then k-means with a fixed seed for
each candidate number of themes; the number with the best silhouette (cosine) wins. Groups smaller
than ``min_size`` are not themes (a theme is something that *recurs*). The same texts and seed give
the same themes, in the same order, every run.

The fitted vocabulary, IDF weights and each theme's centroid are plain data, so they can be stored
and a new text (a case's complaint) matched against them later without refitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

# scikit-learn takes ~2.5 s to import: it is imported where it is used, so the web processes and
# the worker (which import this module through their views and housekeeping) start at once.

TOKENS = r"(?u)\b[a-zA-Z][a-zA-Z]+\b"  # words, not numbers or references
MATCH_THRESHOLD = 0.3  # cosine similarity to a theme's centroid that counts as "reported this too"


@dataclass(frozen=True)
class Theme:
    members: tuple[int, ...]  # indices into the texts given
    terms: tuple[str, ...]  # the words that most set it apart, strongest first
    examples: tuple[int, ...]  # members closest to its centre, the best quotes first
    centroid: dict[str, float]  # term -> weight, for matching new texts


@dataclass(frozen=True)
class ThemeModel:
    seed: int
    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: list[float] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)

    def vectorizer(self) -> TfidfVectorizer:
        vectorizer = _vectorizer(vocabulary=self.vocabulary)
        vectorizer.fit([" ".join(self.vocabulary)])  # sets up the analyzer; the weights come next
        vectorizer.idf_ = np.asarray(self.idf, dtype=float)
        return vectorizer

    def similarities(self, text: str) -> list[float]:
        """Cosine similarity of ``text`` to each theme's centroid, in theme order."""
        if not self.themes or not self.vocabulary:
            return []
        vector = self.vectorizer().transform([text]).toarray()[0]
        index = {term: i for term, i in self.vocabulary.items()}
        scores = []
        for theme in self.themes:
            centre = np.zeros(len(index))
            for term, weight in theme.centroid.items():
                centre[index[term]] = weight
            norm = float(np.linalg.norm(centre) * np.linalg.norm(vector))
            scores.append(float(centre @ vector) / norm if norm else 0.0)
        return scores

    def match(self, text: str, *, threshold: float = MATCH_THRESHOLD) -> int | None:
        """The index of the theme ``text`` belongs to, or None when it is close to none."""
        scores = self.similarities(text)
        if not scores:
            return None
        best = int(np.argmax(scores))
        return best if scores[best] >= threshold else None


def _vectorizer(*, vocabulary: dict[str, int] | None = None, min_df: int = 2) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        min_df=1 if vocabulary is not None else min_df,
        max_df=1.0 if vocabulary is not None else 0.6,
        sublinear_tf=True,
        token_pattern=TOKENS,
        lowercase=True,
        vocabulary=vocabulary,
    )


def find_themes(texts: Sequence[str], *, seed: int = 0, min_size: int = 3, max_themes: int = 12) -> ThemeModel:
    """Themes among ``texts`` (see the module docstring). Fewer than two themes' worth of texts, or
    texts with nothing in common, give a model with no themes."""
    if len(texts) < 2 * min_size:
        return ThemeModel(seed=seed)
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    vectorizer = _vectorizer()
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words and numbers
        return ThemeModel(seed=seed)
    useful = np.asarray(matrix.sum(axis=1)).ravel() > 0
    rows = np.flatnonzero(useful)
    if len(rows) < 2 * min_size:
        return ThemeModel(seed=seed)
    data = matrix[rows]
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, min(max_themes, len(rows) // min_size) + 1):
        labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(data)
        sizes = np.bincount(labels)
        if len(set(labels)) < 2 or sizes[sizes >= min_size].sum() < 0.6 * len(rows):
            continue  # mostly splinters: these groups don't recur enough to be themes
        score = float(silhouette_score(data, labels, metric="cosine"))
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    if best is None:
        return ThemeModel(seed=seed)
    labels = best[1]
    terms = vectorizer.get_feature_names_out()
    themes = []
    for label in sorted(set(labels.tolist())):
        local = np.flatnonzero(labels == label)
        if len(local) < min_size:
            continue
        centre = np.asarray(data[local].mean(axis=0)).ravel()
        order = np.argsort(-centre, kind="stable")
        top = tuple(str(terms[i]) for i in order[:5] if centre[i] > 0)
        closeness = (data[local] @ centre).ravel()
        examples = tuple(int(rows[local[i]]) for i in np.argsort(-closeness, kind="stable")[:3])
        centroid = {str(terms[i]): round(float(centre[i]), 6) for i in np.flatnonzero(centre)}
        themes.append(Theme(tuple(int(rows[i]) for i in local), top, examples, centroid))
    themes.sort(key=lambda theme: (-len(theme.members), theme.terms))
    vocabulary = {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}
    return ThemeModel(seed=seed, vocabulary=vocabulary, idf=[float(x) for x in vectorizer.idf_], themes=themes)
