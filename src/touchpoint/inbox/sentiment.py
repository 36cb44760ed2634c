"""VADER's compound score (-1 … 1) of what the customer wrote. The lexicon ships with the package."""

from __future__ import annotations

from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def sentiment_of(text: str) -> float | None:
    """None for an empty message: no words, no reading."""
    if not text.strip():
        return None
    return round(float(_analyzer().polarity_scores(text[:20000])["compound"]), 4)
