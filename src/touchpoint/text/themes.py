"""Group feedback and complaint texts into recurring themes, offline and reproducibly, with numpy.

TF-IDF over words and word pairs (English stop words removed; a term must be in at least two texts
and at most 60% of them), then k-means (k-means++ starts, ten of them, the tightest kept) with a fixed
seed for each candidate number of themes; the number with the best silhouette (cosine) wins. Groups
smaller than ``min_size`` are not themes (a theme is something that *recurs*). The same texts and
seed give the same themes, in the same order, every run.

This is the arithmetic scikit-learn's ``TfidfVectorizer(sublinear_tf=True)``, ``KMeans(n_init=10,
random_state=seed)`` and ``silhouette_score(metric="cosine")`` do, step for step and with numpy's
same ``RandomState`` draws, so it finds the themes they found (tests/text/test_themes.py; the
comparison is in docs/feedback-loop.md) without a 200 MB dependency. Texts are held as a dense
matrix: a few thousand texts and terms are a few tens of megabytes.

The fitted vocabulary, IDF weights and each theme's centroid are plain data, so they can be stored
and a new text (a case's complaint) matched against them later without refitting (:class:`Matcher`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from touchpoint.text.stop_words import STOP_WORDS

TOKENS = re.compile(r"(?u)\b[a-zA-Z][a-zA-Z]+\b")  # words, not numbers or references
MATCH_THRESHOLD = 0.3  # cosine similarity to a theme's centroid that counts as "reported this too"
MIN_DF, MAX_DF = 2, 0.6  # a term in fewer texts says nothing shared; in more, nothing particular
N_INIT, MAX_ITER, TOL = 10, 300, 1e-4


def terms_of(text: str) -> list[str]:
    """The words (lower case, stop words left out) and each pair of neighbours among them."""
    words = [word for word in TOKENS.findall(text.lower()) if word not in STOP_WORDS]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


@dataclass(frozen=True)
class Theme:
    members: tuple[int, ...]  # indices into the texts given
    terms: tuple[str, ...]  # the words that most set it apart, strongest first
    examples: tuple[int, ...]  # members closest to its centre, the best quotes first
    centroid: dict[str, float]  # term -> weight, for matching new texts


@dataclass(frozen=True)
class Matcher:
    """Scores a text against stored themes: TF-IDF (1 + log of each term's count, times its IDF) and
    the cosine to each theme's centroid. Plain dictionaries: one short text costs microseconds."""

    idf: dict[str, float]  # term -> IDF, for the terms of the vocabulary
    centroids: list[tuple[dict[str, float], float]]  # (term -> weight, norm), in theme order

    @classmethod
    def of(
        cls, vocabulary: Mapping[str, int], idf: Sequence[float], centroids: Sequence[Mapping[str, float]]
    ) -> Matcher:
        return cls(
            idf={term: float(idf[column]) for term, column in vocabulary.items()},
            centroids=[(dict(c), math.sqrt(sum(w * w for w in c.values()))) for c in centroids],
        )

    def similarities(self, text: str) -> list[float]:
        """Cosine similarity of ``text`` to each theme's centroid, in theme order."""
        if not self.centroids or not self.idf:
            return []
        counts = Counter(term for term in terms_of(text) if term in self.idf)
        vector = {term: (1.0 + math.log(n)) * self.idf[term] for term, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in vector.values()))
        scores = []
        for centre, centre_norm in self.centroids:
            dot = sum(weight * centre.get(term, 0.0) for term, weight in vector.items())
            scores.append(dot / (centre_norm * norm) if centre_norm * norm else 0.0)
        return scores

    def match(self, text: str, *, threshold: float = MATCH_THRESHOLD) -> int | None:
        """The index of the theme ``text`` belongs to (the first of the closest), or None when it is
        close to none."""
        scores = self.similarities(text)
        if not scores:
            return None
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        return best if scores[best] >= threshold else None


@dataclass(frozen=True)
class ThemeModel:
    seed: int
    vocabulary: dict[str, int] = field(default_factory=dict)
    idf: list[float] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)

    def matcher(self) -> Matcher:
        return Matcher.of(self.vocabulary, self.idf, [theme.centroid for theme in self.themes])

    def similarities(self, text: str) -> list[float]:
        return self.matcher().similarities(text)

    def match(self, text: str, *, threshold: float = MATCH_THRESHOLD) -> int | None:
        return self.matcher().match(text, threshold=threshold)


def _tfidf(texts: Sequence[str]) -> tuple[dict[str, int], np.ndarray, np.ndarray] | None:
    """(vocabulary, IDF, one l2-normalised row per text), or None when no term is shared enough."""
    counted = [Counter(terms_of(text)) for text in texts]
    df = Counter(term for counts in counted for term in counts)
    n = len(texts)
    kept = sorted(term for term, count in df.items() if MIN_DF <= count <= MAX_DF * n)
    if not kept:
        return None
    vocabulary = {term: column for column, term in enumerate(kept)}
    idf = np.log((n + 1) / (np.array([df[term] for term in kept], dtype=float) + 1)) + 1
    matrix = np.zeros((n, len(kept)))
    for row, counts in enumerate(counted):
        for term, count in counts.items():
            column = vocabulary.get(term)
            if column is not None:
                matrix[row, column] = (math.log(count) + 1) * idf[column]
    norms = np.sqrt(np.einsum("ij,ij->i", matrix, matrix))
    norms[norms == 0] = 1.0
    return vocabulary, idf, matrix / norms[:, np.newaxis]


def _squared_distances(a: np.ndarray, x: np.ndarray, x_norms: np.ndarray) -> np.ndarray:
    distances: np.ndarray = -2 * np.einsum("ij,kj->ik", a, x)
    distances += np.einsum("ij,ij->i", a, a)[:, np.newaxis]
    distances += x_norms[np.newaxis, :]
    np.maximum(distances, 0, out=distances)
    return distances


def _kmeans_plusplus(x: np.ndarray, k: int, x_norms: np.ndarray, random: np.random.RandomState) -> np.ndarray:
    """k starting centres, spread out: each next one the best of a few drawn in proportion to the
    squared distance from the centres so far."""
    n = x.shape[0]
    trials = 2 + int(np.log(k))
    weight = np.ones(n)
    centres = np.empty((k, x.shape[1]))
    centres[0] = x[random.choice(n, p=weight / weight.sum())]
    closest = _squared_distances(centres[0:1], x, x_norms)
    potential = closest @ weight
    for c in range(1, k):
        drawn = random.uniform(size=trials) * potential
        candidates = np.searchsorted(np.cumsum(weight * closest), drawn)
        np.clip(candidates, None, closest.size - 1, out=candidates)
        to_candidates = _squared_distances(x[candidates], x, x_norms)
        np.minimum(closest, to_candidates, out=to_candidates)
        potentials = to_candidates @ weight.reshape(-1, 1)
        best = int(np.argmin(potentials))
        potential, closest = potentials[best], to_candidates[best]
        centres[c] = x[candidates[best]]
    return centres


def _nearest(x: np.ndarray, centres: np.ndarray) -> np.ndarray:
    scores = np.einsum("ij,ij->i", centres, centres)[np.newaxis, :] - 2 * np.einsum("ij,kj->ik", x, centres)
    nearest: np.ndarray = scores.argmin(axis=1).astype(np.int32)
    return nearest


def _lloyd(x: np.ndarray, centres: np.ndarray, tol: float) -> tuple[np.ndarray, float]:
    """Move the centres to their members' mean until no text changes group (or the centres barely
    move); the groups and their inertia (sum of squared distances to the centres)."""
    k = centres.shape[0]
    labels = np.full(x.shape[0], -1, dtype=np.int32)
    strict = False
    for _ in range(MAX_ITER):
        previous = labels
        labels = _nearest(x, centres)
        moved = np.stack([x[labels == j].sum(axis=0) for j in range(k)])
        weights = np.bincount(labels, minlength=k).astype(float)
        _relocate_empty(x, centres, moved, weights, labels)
        biggest = int(np.argmax(weights))
        for j in range(k):
            if weights[j] > 0:
                moved[j] *= 1.0 / weights[j]
            else:
                moved[j] = moved[biggest]
        shift = float((((moved - centres) ** 2).sum(axis=1)).sum())
        centres = moved
        if np.array_equal(labels, previous):
            strict = True
            break
        if shift <= tol:
            break
    if not strict:
        labels = _nearest(x, centres)
    inertia = float(((x - centres[labels]) ** 2).sum())
    return labels, inertia


def _relocate_empty(x: np.ndarray, old: np.ndarray, moved: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> None:
    """A group left empty takes the text farthest from its own centre."""
    empty = np.flatnonzero(weights == 0)
    if not len(empty):
        return
    distances = ((x - old[labels]) ** 2).sum(axis=1)
    if distances.max() == 0:
        return
    farthest = np.argpartition(distances, -len(empty))[: -len(empty) - 1 : -1]
    for new_id, far in zip(empty, farthest, strict=True):
        old_id = labels[far]
        moved[old_id] -= x[far]
        moved[new_id] = x[far]
        weights[new_id] = 1.0
        weights[old_id] -= 1.0


def _same_grouping(a: np.ndarray, b: np.ndarray, k: int) -> bool:
    mapping = np.full(k, -1)
    for left, right in zip(a.tolist(), b.tolist(), strict=True):
        if mapping[left] == -1:
            mapping[left] = right
        elif mapping[left] != right:
            return False
    return True


def kmeans(x: np.ndarray, k: int, *, seed: int) -> np.ndarray:
    """Each row's group among ``k``: the tightest of ten k-means runs from k-means++ starts drawn
    from ``RandomState(seed)``."""
    random = np.random.RandomState(seed)
    x_norms = np.einsum("ij,ij->i", x, x)
    tol = float(np.mean(np.var(x, axis=0))) * TOL
    best: tuple[np.ndarray, float] | None = None
    for _ in range(N_INIT):
        labels, inertia = _lloyd(x, _kmeans_plusplus(x, k, x_norms, random), tol)
        if best is None or (inertia < best[1] and not _same_grouping(labels, best[0], k)):
            best = (labels, inertia)
    assert best is not None
    return best[0]


def silhouette_cosine(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette (cosine distance): how much closer each text is to its own group than to the
    nearest other group, from −1 to 1; a group of one counts 0."""
    _, labels = np.unique(labels, return_inverse=True)
    sizes = np.bincount(labels)
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    unit = x / np.where(norms == 0, 1.0, norms)[:, np.newaxis]
    distances = np.clip(1 - unit @ unit.T, 0, 2)
    by_group = np.stack([np.bincount(labels, weights=row, minlength=len(sizes)) for row in distances])
    rows = np.arange(len(labels))
    intra = by_group[rows, labels]
    by_group /= sizes
    by_group[rows, labels] = np.inf
    inter = by_group.min(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        intra = intra / (sizes - 1).take(labels, mode="clip")
        score = (inter - intra) / np.maximum(intra, inter)
    return float(np.mean(np.nan_to_num(score)))


def find_themes(texts: Sequence[str], *, seed: int = 0, min_size: int = 3, max_themes: int = 12) -> ThemeModel:
    """Themes among ``texts`` (see the module docstring). Fewer than two themes' worth of texts, or
    texts with nothing in common, give a model with no themes."""
    if len(texts) < 2 * min_size:
        return ThemeModel(seed=seed)
    fitted = _tfidf(texts)
    if fitted is None:  # nothing but stop words and numbers, or nothing shared
        return ThemeModel(seed=seed)
    vocabulary, idf, matrix = fitted
    rows = np.flatnonzero(matrix.sum(axis=1) > 0)
    if len(rows) < 2 * min_size:
        return ThemeModel(seed=seed)
    data = matrix[rows]
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, min(max_themes, len(rows) // min_size) + 1):
        labels = kmeans(data, k, seed=seed)
        sizes = np.bincount(labels)
        if len(set(labels.tolist())) < 2 or sizes[sizes >= min_size].sum() < 0.6 * len(rows):
            continue  # mostly splinters: these groups don't recur enough to be themes
        score = silhouette_cosine(data, labels)
        if best is None or score > best[0] + 1e-9:
            best = (score, labels)
    if best is None:
        return ThemeModel(seed=seed)
    labels = best[1]
    terms = sorted(vocabulary, key=vocabulary.__getitem__)
    themes = []
    for label in sorted(set(labels.tolist())):
        local = np.flatnonzero(labels == label)
        if len(local) < min_size:
            continue
        centre = data[local].mean(axis=0)
        order = np.argsort(-centre, kind="stable")
        top = tuple(terms[i] for i in order[:5] if centre[i] > 0)
        closeness = data[local] @ centre
        examples = tuple(int(rows[local[i]]) for i in np.argsort(-closeness, kind="stable")[:3])
        centroid = {terms[i]: round(float(centre[i]), 6) for i in np.flatnonzero(centre)}
        themes.append(Theme(tuple(int(rows[i]) for i in local), top, examples, centroid))
    themes.sort(key=lambda theme: (-len(theme.members), theme.terms))
    return ThemeModel(seed=seed, vocabulary=vocabulary, idf=[float(x) for x in idf], themes=themes)
