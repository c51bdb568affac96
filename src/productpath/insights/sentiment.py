"""Sentiment of feedback text in -1..1: VADER, taught the words of product feedback.

VADER's lexicon comes from social media, where "crash", "bug" or "freezes" carry no feeling; in
product feedback they are complaints. We add those words (and a few phrases VADER reads word by
word, such as "doesn't work") to a private copy of the lexicon, make "help" and "please" neutral
(in a support message they ask for something rather than praise it), read emoji VADER only names
("fire", "pile of poo", "thumbs down") by what they mean in feedback, and damp the score of plain
questions, which VADER often reads as mildly positive.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Valence on VADER's -4..4 scale.
FEEDBACK_LEXICON: dict[str, float] = {
    "crash": -2.4,
    "crashes": -2.4,
    "crashed": -2.4,
    "crashing": -2.4,
    "bug": -1.6,
    "bugs": -1.8,
    "buggy": -2.2,
    "broken": -2.2,
    "freeze": -1.9,
    "freezes": -1.9,
    "frozen": -1.6,
    "freezing": -1.9,
    "laggy": -1.8,
    "lag": -1.4,
    "lags": -1.5,
    "slow": -1.3,
    "sluggish": -1.5,
    "unusable": -2.8,
    "unresponsive": -2.0,
    "glitch": -1.6,
    "glitches": -1.7,
    "glitchy": -1.9,
    "error": -1.3,
    "errors": -1.4,
    "fails": -1.8,
    "failing": -1.8,
    "exception": -0.8,
    "regression": -1.5,
    "annoying": -2.0,
    "useless": -2.5,
    "uninstalled": -2.0,
    "uninstalling": -2.0,
    "refund": -1.2,
    "stuck": -1.5,
    "hangs": -1.6,
    "drains": -1.5,
    "smooth": 1.8,
    "intuitive": 1.9,
    "lifesaver": 2.8,
    "seamless": 1.9,
    "snappy": 1.6,
    "reliable": 1.8,
    "polished": 1.8,
    # VADER scores them as kindness; "Help! My card was stolen" is anything but.
    "help": 0.0,
    "please": 0.0,
}

# VADER reads an emoji as the words of its Unicode name, which often carry no feeling or the
# wrong one ("fire" is negative). Each is read as one word with the feeling it has in feedback.
FEEDBACK_EMOJI: dict[str, str] = {
    "\U0001f525": "awesome",  # fire
    "\U0001f4af": "perfect",  # hundred points
    "\U0001f44d": "good",  # thumbs up
    "\U0001f44f": "applause",  # clapping hands
    "\U0001f64c": "great",  # raising hands
    "\U0001f44e": "bad",  # thumbs down
    "\U0001f621": "angry",  # pouting face
    "\U0001f92c": "furious",  # face with symbols on mouth
    "\U0001f624": "frustrated",  # face with steam from nose
    "\U0001f644": "annoying",  # face with rolling eyes
    "\U0001f4a9": "crap",  # pile of poo
    "\U0001f92e": "disgusting",  # face vomiting
    "\U0001f922": "gross",  # nauseated face
    "\U0001f494": "sad",  # broken heart
}

_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    # Rewritten to a single lexicon word so that VADER's negation handling cannot flip them.
    (
        re.compile(
            r"\b(doesn'?t|does not|don'?t|do not|won'?t|will not|isn'?t|is not|not) "
            r"(work|working|load|loading|open|opening|start|starting)\b",
            re.I,
        ),
        "broken",
    ),
    (re.compile(r"\b(stopped|stops) working\b", re.I), "broken"),
    (re.compile(r"\bnever (works|worked)\b", re.I), "broken"),
    (re.compile(r"\bkeeps? (crashing|closing|freezing)\b", re.I), "crashing"),
    (re.compile(r"\bwaste of (time|money)\b", re.I), "useless"),
)
# "❤️" is the heart and a selector asking for its emoji form; VADER glues the selector onto the
# heart's name ("heart\ufe0f"), which is then no longer a lexicon word.
_VARIATION_SELECTOR = re.compile("[\ufe0e\ufe0f]")
_QUESTION = re.compile(
    r"^\s*(how|what|why|where|when|which|who|is|are|can|could|does|do)\b.*\?\s*$", re.I | re.S
)
# A question carries little sentiment of its own; keep a third of what VADER reads into it.
QUESTION_DAMPING = 0.35


@functools.cache
def _analyser() -> SentimentIntensityAnalyzer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    # The analyser's lexicon and emoji table are its own dicts; updating them leaves other
    # analysers untouched.
    analyser.lexicon.update(FEEDBACK_LEXICON)
    analyser.emojis.update(FEEDBACK_EMOJI)
    return analyser


def _rewrite(text: str) -> str:
    text = _VARIATION_SELECTOR.sub("", text)
    for pattern, word in _PHRASES:
        text = pattern.sub(word, text)
    return text


def score_sentiment(texts: Sequence[str]) -> list[float]:
    """One score per text in -1 (very negative) .. 1 (very positive); 0 for empty text."""
    analyser = _analyser()
    scores: list[float] = []
    for raw in texts:
        # VADER's cost grows with length; the opening of a long report sets its tone.
        text = _rewrite(str(raw)[:2000])
        if not text.strip():
            scores.append(0.0)
            continue
        compound = float(analyser.polarity_scores(text)["compound"])
        if _QUESTION.match(text) and "!" not in text:
            compound *= QUESTION_DAMPING
        scores.append(max(-1.0, min(1.0, compound)))
    return scores
